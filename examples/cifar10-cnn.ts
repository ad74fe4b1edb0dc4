// A convolutional network on CIFAR-10, line for line the Keras program
//
//   (train_images, train_labels), (test_images, test_labels) = datasets.cifar10.load_data()
//   train_images, test_images = train_images / 255.0, test_images / 255.0
//   train_labels, test_labels = to_categorical(train_labels, 10), to_categorical(test_labels, 10)
//   model = models.Sequential([
//       layers.Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3)),
//       layers.MaxPooling2D((2, 2)),
//       layers.Conv2D(64, (3, 3), activation='relu'),
//       layers.MaxPooling2D((2, 2)),
//       layers.Conv2D(64, (3, 3), activation='relu'),
//       layers.Flatten(),
//       layers.Dense(64, activation='relu'),
//       layers.Dense(10, activation='softmax')])
//   model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
//   history = model.fit(train_images, train_labels, epochs=20, batch_size=64,
//                       validation_data=(test_images, test_labels))
//   plt.plot(history.history['accuracy']); plt.plot(history.history['val_accuracy']) ...
//   plt.plot(history.history['loss']); plt.plot(history.history['val_loss']) ...
//
// Keras reaches about 0.70 test accuracy. The chart goes to an SVG file (open it in a
// browser). CIFAR-10 cannot be downloaded at run time: point the program at a directory
// of the "CIFAR-10 binary version" files (data_batch_1.bin ... data_batch_5.bin,
// test_batch.bin), or at any 32x32x3 data written in that format.
//
//   npx tsx examples/cifar10-cnn.ts --path DIR [--epochs N] [--chart FILE]
//   CIFAR10_PATH=DIR npx tsx examples/cifar10-cnn.ts

import { datasets, layers, plot, sequential, train, type History, type Sequential, type Tensor } from '../ts/index.js';
import { argValue, isMain, numberArg, runAsCommand, type TrainingOptions } from './program.js';

export interface Cifar10CnnOptions extends TrainingOptions {
  /** Directory of the CIFAR-10 binary files (default: the CIFAR10_PATH environment variable). */
  path?: string;
  /** Use only the first n test images (default all). */
  testSize?: number;
  /** Where the History chart is written (default cifar10-cnn-history.svg in the current directory). */
  chartPath?: string;
}

export interface Cifar10CnnResult {
  /** False when no CIFAR-10 data was found (the program said where to get it). */
  trained: boolean;
  testLoss?: number;
  testAccuracy?: number;
  history?: History;
  /** The SVG chart of acc / val_acc and loss / val_loss per epoch. */
  chartPath?: string;
  trainSeconds?: number;
}

/**
 * The network above: three 3x3 convolutions with 2x2 max pooling, then two dense layers.
 * The MNIST CNN program trains it on 28x28x1 images.
 */
export function cnn(inputShape: [number, number, number]): Sequential {
  return sequential({
    layers: [
      layers.conv2d({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape }),
      layers.maxPooling2d({ poolSize: [2, 2] }),
      layers.conv2d({ filters: 64, kernelSize: [3, 3], activation: 'relu' }),
      layers.maxPooling2d({ poolSize: [2, 2] }),
      layers.conv2d({ filters: 64, kernelSize: [3, 3], activation: 'relu' }),
      layers.flatten(),
      layers.dense({ units: 64, activation: 'relu' }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** Whether an error of the loader means "there is no data here" (rather than bad data). */
const isMissingData = (e: unknown): boolean => /cannot find|does not exist/.test((e as Error).message);

export async function main(opts: Cifar10CnnOptions = {}): Promise<Cifar10CnnResult> {
  const { epochs = 20, batchSize = 64, verbose = 1, chartPath = 'cifar10-cnn-history.svg' } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const path = opts.path ?? (typeof process !== 'undefined' ? process.env.CIFAR10_PATH : undefined);
  if (path === undefined || path === '') {
    log(
      `The CIFAR-10 CNN needs the CIFAR-10 data: pass --path DIR (or set CIFAR10_PATH=DIR). ${datasets.cifar10.howToGet}`,
    );
    return { trained: false };
  }

  let data: Awaited<ReturnType<typeof datasets.cifar10.load>>;
  try {
    // normalize: pixels / 255.0; oneHot: to_categorical(labels, 10).
    data = await datasets.cifar10.load({
      path,
      normalize: true,
      oneHot: true,
      trainSize: opts.trainSize,
      testSize: opts.testSize,
    });
  } catch (e) {
    if (!isMissingData(e)) throw e;
    log((e as Error).message);
    return { trained: false };
  }
  const { x: trainImages, y: trainLabels } = data.train;
  const { x: testImages, y: testLabels } = data.test;
  if (verbose !== 0)
    log(`CIFAR-10 from ${path}: ${trainImages.shape[0]} training and ${testImages.shape[0]} test images`);

  const model = cnn([32, 32, 3]);
  if (verbose !== 0) model.summary(undefined, undefined, log);
  const optimizer = train.adam(); // Keras's 'adam': learning rate 1e-3
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const start = performance.now();
  const history = await model.fit(trainImages, trainLabels, {
    epochs,
    batchSize,
    verbose,
    validationData: [testImages, testLabels],
  });
  const trainSeconds = (performance.now() - start) / 1000;

  plot.plotHistory(history, { metrics: ['acc', 'loss'], path: chartPath, title: 'CIFAR-10 CNN' });
  if (verbose !== 0) log(`\nThe training curves are in ${chartPath} (open it in a browser).`);

  const [lossTensor, accTensor] = model.evaluate(testImages, testLabels, {
    batchSize,
    verbose: verbose === 0 ? 0 : 2,
  }) as Tensor[];
  const testLoss = lossTensor.dataSync()[0];
  const testAccuracy = accTensor.dataSync()[0];
  if (verbose !== 0) log(`Test accuracy: ${testAccuracy.toFixed(4)}`);

  for (const t of [lossTensor, accTensor, trainImages, trainLabels, testImages, testLabels]) t.dispose();
  model.dispose();
  optimizer.dispose();
  return { trained: true, testLoss, testAccuracy, history, chartPath, trainSeconds };
}

if (isMain(import.meta.url)) {
  runAsCommand(() => main({ path: argValue('path'), epochs: numberArg('epochs'), chartPath: argValue('chart') }));
}
