// What the training-throughput benches share: the images they train on, one model
// trained with `fit` as a timed contender (Ferrite on any build, TF.js on its wasm or cpu
// backend), and the rows of their tables.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { datasets } from '../ts/data/index.js';
import type { Sequential } from '../ts/models/index.js';
import { train } from '../ts/optimizers/index.js';
import { oneHot, tensor } from '../ts/tensor/creation.js';
import { fmt, fmtRatio, type Row } from './table.js';
import { type Timed } from './timing.js';
import { randomData, sizeOf } from './util.js';

/** Samples in one epoch of Fashion-MNIST (or MNIST): the epoch times in the tables are for this many. */
export const EPOCH_SAMPLES = 60000;

export interface TrainingImages {
  /** n 28x28 images, row after row, in [0, 1]. */
  pixels: Float32Array;
  /** n class ids in 0..9. */
  labels: Int32Array;
  data: 'fashion-mnist' | 'random';
}

/** The first `n` Fashion-MNIST training images and labels, or random ones where it is not installed (the speed does not depend on them). */
export async function trainingImages(n: number): Promise<TrainingImages> {
  try {
    setBackendSync('simd');
    const d = await datasets.fashionMnist.load({ trainSize: n, testSize: 0 });
    const pixels = d.train.x.dataSync() as Float32Array;
    const labels = d.train.y.dataSync() as Int32Array;
    for (const t of [d.train.x, d.train.y, d.test.x, d.test.y]) t.dispose();
    return { pixels, labels, data: 'fashion-mnist' };
  } catch {
    const pixels = randomData(n * 28 * 28, 12345, 0, 1);
    const labels = Int32Array.from(randomData(n, 54321, 0, 10), Math.floor);
    return { pixels, labels, data: 'random' };
  }
}

/** Options every training bench takes; each adds how many batches its contenders train per round. */
export interface TrainingBenchOptions {
  /** Timed rounds, interleaved. */
  rounds?: number;
  /** Warm-up time per contender, ms. */
  warmUpMs?: number;
  log?: (line: string) => void;
}

/** What a training bench returns: its table, and the median rates that bench/run.ts summarizes. */
export interface TrainingBenchResult {
  rows: Row[];
  /** Median samples/s by contender name. */
  samplesPerSecond: Record<string, number>;
  data: TrainingImages['data'];
}

/** A model on 28x28 images, built the same way in Ferrite and in TF.js. */
export interface Program {
  /** One image's shape: [28, 28] or [28, 28, 1]. */
  imageShape: number[];
  batchSize: number;
  /** Labels as one-hot rows with categorical cross-entropy, or as class ids with the sparse loss. */
  oneHotLabels: boolean;
  ferriteModel: () => Sequential;
  tfjsModel: () => tf.Sequential;
}

/** A contender that trains its model for one epoch over `samples` samples per run. */
export interface Trainer extends Timed {
  samples: number;
  dispose: () => void;
}

export interface TfjsTrainer extends Trainer {
  /** One fit of a batch of 4, to pay the first batch's one-time costs before a single timed run. */
  fitTinyBatch: () => Promise<void>;
}

const lossOf = (p: Program) => (p.oneHotLabels ? 'categoricalCrossentropy' : 'sparseCategoricalCrossentropy');

/**
 * Trains `program` on Ferrite's `build`, `batches` batches per run, with Adam 1e-3 and the
 * accuracy metric; a threaded build sets its pool to `threads` before each run.
 */
export function ferriteTrainer(
  name: string,
  build: BuildName,
  program: Program,
  images: TrainingImages,
  batches: number,
  threads?: number,
): Trainer {
  setBackendSync(build);
  const n = batches * program.batchSize;
  const x = tensor(images.pixels.subarray(0, n * sizeOf(program.imageShape)), [n, ...program.imageShape]);
  const ids = tensor(images.labels.subarray(0, n), [n], 'int32');
  const y = program.oneHotLabels ? oneHot(ids, 10) : ids;
  if (y !== ids) ids.dispose();
  const model = program.ferriteModel();
  const optimizer = train.adam(1e-3);
  model.compile({ optimizer, loss: lossOf(program), metrics: ['accuracy'] });
  return {
    name,
    samples: n,
    before: () => {
      if (threads !== undefined) setThreadsCount(threads);
      setBackendSync(build);
    },
    run: async () => {
      await model.fit(x, y, { epochs: 1, batchSize: program.batchSize, verbose: 0 });
    },
    dispose: () => {
      setBackendSync(build);
      model.dispose();
      optimizer.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

/** The same on TF.js's `backend` ('wasm': XNNPACK SIMD, single-threaded in Node; 'cpu': plain JS). */
export async function tfjsTrainer(
  name: string,
  backend: 'wasm' | 'cpu',
  program: Program,
  images: TrainingImages,
  batches: number,
): Promise<TfjsTrainer> {
  await tf.setBackend(backend);
  await tf.ready();
  const n = batches * program.batchSize;
  const x = tf.tensor(images.pixels.subarray(0, n * sizeOf(program.imageShape)), [n, ...program.imageShape]);
  const ids = tf.tensor1d(images.labels.subarray(0, n), 'int32');
  const y = program.oneHotLabels ? tf.oneHot(ids, 10) : tf.cast(ids, 'float32');
  ids.dispose();
  const model = program.tfjsModel();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: lossOf(program), metrics: ['accuracy'] });
  const fit = async (xs: tf.Tensor, ys: tf.Tensor, batchSize: number) => {
    await model.fit(xs, ys, { epochs: 1, batchSize, verbose: 0 });
  };
  return {
    name,
    samples: n,
    before: async () => {
      if (tf.getBackend() === backend) return;
      await tf.setBackend(backend);
      // Tensors made under the other backend move on first use: move them now, untimed.
      tf.tidy(() => void model.predict(x.slice(0, 1)));
    },
    run: () => fit(x, y, program.batchSize),
    fitTinyBatch: async () => {
      const [xs, ys] = [x.slice(0, 4), y.slice(0, 4)];
      try {
        await fit(xs, ys, 4);
      } finally {
        tf.dispose([xs, ys]);
      }
    },
    dispose: () => {
      model.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

/**
 * A table row for a contender that trained `samples` samples per run in `seconds` (median
 * round) and `bestSeconds` (best round, if more than one), with its speed relative to each
 * of `baselines` (samples/s by name).
 */
export function throughputRow(
  name: string,
  samples: number,
  batchSize: number,
  seconds: number,
  bestSeconds: number | undefined,
  baselines: Record<string, number | undefined>,
): Row {
  const rate = samples / seconds;
  const row: Row = {
    contender: name,
    batches: samples / batchSize,
    'samples/s': fmt(rate),
    'best samples/s': bestSeconds === undefined ? '-' : fmt(samples / bestSeconds),
    'epoch (s)': fmt(EPOCH_SAMPLES / rate),
  };
  for (const [baseline, r] of Object.entries(baselines)) row[`vs ${baseline}`] = fmtRatio(rate, r);
  return row;
}

/** The fastest Ferrite SIMD build among `samplesPerSecond`'s contenders (names 'ferrite ...'). */
export function fastestFerrite(samplesPerSecond: Record<string, number>): string {
  return Object.keys(samplesPerSecond)
    .filter((k) => k.startsWith('ferrite') && !k.includes('scalar'))
    .reduce((a, b) => (samplesPerSecond[a] >= samplesPerSecond[b] ? a : b));
}
