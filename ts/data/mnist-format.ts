// Loaders for data sets shipped as the four MNIST IDX files (MNIST, Fashion-MNIST):
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte, each optionally gzipped (.gz).

import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { findIdxFile, parseIdx, type IdxArray } from './idx.js';
import { maybeGunzip } from './source.js';
import { IDX_FILES } from './mnist-files.mjs';

/**
 * Inputs and labels of one split.
 *
 * @example
 * ```ts
 * const { test } = await fe.datasets.mnistDigits.load({ trainSize: 10, testSize: 20 });
 * test.x.shape; // [20, 28, 28]
 * test.y.shape; // [20]
 * ```
 */
export interface Split {
  /** float32 [n, 28, 28] (or [n, 784] with `flatten`). */
  x: Tensor;
  /** int32 [n] class indices. */
  y: Tensor;
}

/**
 * The training and test splits of an MNIST-format data set.
 *
 * @example
 * ```ts
 * const { train, test } = await fe.datasets.mnistDigits.load({ trainSize: 80, testSize: 20 });
 * [train.x.shape[0], test.x.shape[0]]; // [80, 20]
 * ```
 */
export interface TrainTestSplit {
  /** The training split. */
  train: Split;
  /** The test split. */
  test: Split;
}

/**
 * Options of `datasets.mnist.load` and `datasets.fashionMnist.load`.
 *
 * @example
 * ```ts no-run
 * await fe.datasets.fashionMnist.load({ path: '/usr/share/datasets/fashion-mnist', flatten: true, normalize: false });
 * ```
 */
export interface MnistFormatLoadOptions {
  /** Directory holding the four files (Node). */
  path?: string;
  /** Base URL the four files are fetched from (browsers; Node 18+ has fetch too). Takes precedence over `path`. */
  url?: string;
  /** Scale pixels to [0, 1] (pixels / 255); otherwise they stay 0..255 (as float32). Default true. */
  normalize?: boolean;
  /** Images as [n, rows * cols] instead of [n, rows, cols]. Default false. */
  flatten?: boolean;
  /** Keep only the first `trainSize` training samples (default: all). */
  trainSize?: number;
  /** Keep only the first `testSize` test samples (default: all). */
  testSize?: number;
}

/** What differs between MNIST and Fashion-MNIST: names, default place, how to get the files. */
export interface MnistFormatSpec {
  /** The loader's name in errors, e.g. 'datasets.fashionMnist.load'. */
  name: string;
  defaultPath?: string;
  numClasses: number;
  /** Appended to the "file not found" error. */
  howToGet: string;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

// pixel / 255 in float64 rounded once to float32: the value NumPy's `x / 255.0` gives
// before Keras casts it, so our inputs match Keras's bit for bit.
const SCALE_255 = Float32Array.from({ length: 256 }, (_, i) => i / 255);
const IDENTITY_255 = Float32Array.from({ length: 256 }, (_, i) => i);

export async function loadMnistFormat(
  spec: MnistFormatSpec,
  opts: MnistFormatLoadOptions = {},
): Promise<TrainTestSplit> {
  const { normalize = true, flatten = false } = opts;
  const isUrl = opts.url !== undefined;
  const dir = opts.url ?? opts.path ?? spec.defaultPath;
  if (dir === undefined) {
    throw new Error(
      `ferrite: ${spec.name}: pass {path} (the directory holding the four IDX files) or {url}. ${spec.howToGet}`,
    );
  }
  if (!isUrl && !isNode) {
    throw new Error(
      `ferrite: ${spec.name}: outside Node files are fetched: pass {url} (the base URL of the four IDX files)`,
    );
  }

  const read = async (name: string, rank: number): Promise<IdxArray> => {
    const found = await findIdxFile(dir, name, isUrl, spec.name);
    if (!found) {
      throw new Error(`ferrite: ${spec.name}: cannot find ${name}.gz or ${name} in ${dir}. ${spec.howToGet}`);
    }
    return parseIdx(await maybeGunzip(found.bytes, found.location), found.location, rank);
  };
  // Read and check all four files before allocating any tensor, so a bad file leaks nothing.
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    read(IDX_FILES.trainImages, 3),
    read(IDX_FILES.trainLabels, 1),
    read(IDX_FILES.testImages, 3),
    read(IDX_FILES.testLabels, 1),
  ]);
  const trainN = checkPair(
    spec,
    trainImages,
    trainLabels,
    IDX_FILES.trainImages,
    IDX_FILES.trainLabels,
    opts.trainSize,
    'trainSize',
  );
  const testN = checkPair(
    spec,
    testImages,
    testLabels,
    IDX_FILES.testImages,
    IDX_FILES.testLabels,
    opts.testSize,
    'testSize',
  );

  const [, trainRows, trainCols] = trainImages.shape;
  const [, testRows, testCols] = testImages.shape;
  if (trainRows !== testRows || trainCols !== testCols) {
    throw new Error(
      `ferrite: ${spec.name}: ${IDX_FILES.trainImages} holds ${trainRows}x${trainCols} images but ${IDX_FILES.testImages} holds ${testRows}x${testCols}; train and test images must have the same size`,
    );
  }

  const lut = normalize ? SCALE_255 : IDENTITY_255;
  const train = makeSplit(trainImages, trainLabels, trainN, lut, flatten);
  let test: Split;
  try {
    test = makeSplit(testImages, testLabels, testN, lut, flatten);
  } catch (e) {
    train.x.dispose();
    train.y.dispose();
    throw e;
  }
  return { train, test };
}

/** Checks that images and labels agree; returns how many samples to keep. */
function checkPair(
  spec: MnistFormatSpec,
  images: IdxArray,
  labels: IdxArray,
  imagesName: string,
  labelsName: string,
  limit: number | undefined,
  limitName: string,
): number {
  const n = images.shape[0];
  if (labels.shape[0] !== n) {
    throw new Error(
      `ferrite: ${spec.name}: ${imagesName} holds ${n} images but ${labelsName} holds ${labels.shape[0]} labels`,
    );
  }
  const labelData = labels.data;
  for (let i = 0; i < labelData.length; i++) {
    if (labelData[i] >= spec.numClasses) {
      throw new Error(
        `ferrite: ${spec.name}: ${labelsName}: label ${labelData[i]} at index ${i} is outside [0, ${spec.numClasses})`,
      );
    }
  }
  if (limit === undefined) return n;
  if (!Number.isInteger(limit) || limit < 0 || limit > n) {
    throw new Error(`ferrite: ${spec.name}: ${limitName} must be an integer in [0, ${n}], got ${limit}`);
  }
  return limit;
}

function makeSplit(images: IdxArray, labels: IdxArray, n: number, lut: Float32Array, flatten: boolean): Split {
  const [, rows, cols] = images.shape;
  const x = emptyTensor(flatten ? [n, rows * cols] : [n, rows, cols], 'float32');
  let y: Tensor;
  try {
    y = emptyTensor([n], 'int32', x.engine);
  } catch (e) {
    x.dispose();
    throw e;
  }
  // Views are taken after both allocations: an allocation may grow memory and detach them.
  const xs = x.view();
  const pixels = images.data;
  for (let i = 0; i < xs.length; i++) xs[i] = lut[pixels[i]];
  y.view().set(labels.data.subarray(0, n));
  return { x, y };
}
