// Reference program P1's training throughput (Fashion-MNIST MLP: Flatten 28x28 -> Dense
// 128 relu -> Dense 10 softmax, Adam 1e-3, sparse categorical cross-entropy, accuracy
// metric, batch 32), in samples per second of `model.fit`, for Ferrite's builds and for
// TensorFlow.js 4.22 with the same model in the same process: its 'wasm' backend (XNNPACK
// SIMD, single-threaded in Node) and its 'cpu' backend (pure JS, so it times fewer
// batches). Each contender trains a fixed number of batches per round; rounds are
// interleaved after a warm-up, and the median and best rounds are reported, with the
// time a full 60,000-image epoch would take at the median rate.
//
//   npx tsx bench/p1.ts        (about a minute)

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ready, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { datasets } from '../ts/data/index.js';
import * as layers from '../ts/layers/index.js';
import { sequential, type Sequential } from '../ts/models/index.js';
import { train, type Optimizer } from '../ts/optimizers/index.js';
import { tensor } from '../ts/tensor/creation.js';
import type { Tensor } from '../ts/tensor/tensor.js';
import { fmt, fmtRatio, isMain, printTable, timeInterleaved, warmUp, type Row, type Timed } from './util.js';

const BATCH = 32;
const EPOCH_SAMPLES = 60000;

export interface P1BenchOptions {
  /** Batches per timed round for Ferrite and TF.js wasm (default 300). */
  batches?: number;
  /** Batches per timed round for TF.js cpu, which is about 30 times slower (default 30). */
  cpuBatches?: number;
  rounds?: number;
  /** Warm-up time per contender, ms. */
  warmUpMs?: number;
  log?: (line: string) => void;
}

export interface P1BenchResult {
  rows: Row[];
  /** Median samples/s by contender name. */
  samplesPerSecond: Record<string, number>;
  data: 'fashion-mnist' | 'random';
}

/** The first `n` training images and labels: Fashion-MNIST when installed, else random pixels (throughput does not depend on them). */
async function trainingData(
  n: number,
): Promise<{ pixels: Float32Array; labels: Int32Array; data: P1BenchResult['data'] }> {
  try {
    setBackendSync('simd');
    const d = await datasets.fashionMnist.load({ trainSize: n, testSize: 0 });
    const pixels = d.train.x.dataSync() as Float32Array;
    const labels = d.train.y.dataSync() as Int32Array;
    for (const t of [d.train.x, d.train.y, d.test.x, d.test.y]) t.dispose();
    return { pixels, labels, data: 'fashion-mnist' };
  } catch {
    let s = 12345;
    const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const pixels = Float32Array.from({ length: n * 784 }, next);
    const labels = Int32Array.from({ length: n }, () => Math.floor(next() * 10));
    return { pixels, labels, data: 'random' };
  }
}

/** A contender that trains `batches` batches of P1 per run with `fit`. */
interface Trainer extends Timed {
  samples: number;
  dispose(): void;
}

function ferriteTrainer(
  name: string,
  build: BuildName,
  pixels: Float32Array,
  labels: Int32Array,
  batches: number,
): Trainer {
  setBackendSync(build);
  const n = batches * BATCH;
  const x = tensor(pixels.subarray(0, n * 784), [n, 28, 28]);
  const y = tensor(labels.subarray(0, n), [n], 'int32');
  const model: Sequential = sequential({
    layers: [
      layers.flatten({ inputShape: [28, 28] }),
      layers.dense({ units: 128, activation: 'relu' }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const optimizer: Optimizer = train.adam(1e-3);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return {
    name,
    samples: n,
    before: () => setBackendSync(build),
    run: async () => {
      await model.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0 });
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

async function tfjsTrainer(
  name: string,
  backend: 'wasm' | 'cpu',
  pixels: Float32Array,
  labels: Int32Array,
  batches: number,
): Promise<Trainer> {
  await tf.setBackend(backend);
  await tf.ready();
  const n = batches * BATCH;
  const x = tf.tensor3d(pixels.subarray(0, n * 784), [n, 28, 28]);
  const y = tf.tensor1d(Float32Array.from(labels.subarray(0, n)));
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const select = async () => {
    if (tf.getBackend() !== backend) {
      await tf.setBackend(backend);
      // Tensors made under the other backend move on first use: move them now, untimed.
      tf.tidy(() => {
        model.predict(x.slice([0, 0, 0], [1, 28, 28]));
      });
    }
  };
  return {
    name,
    samples: n,
    before: select,
    run: async () => {
      await model.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0 });
    },
    dispose: () => {
      model.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

export async function benchP1(opts: P1BenchOptions = {}): Promise<P1BenchResult> {
  const { batches = 300, cpuBatches = 30, rounds = 3, warmUpMs = 1500 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const { pixels, labels, data } = await trainingData(batches * BATCH);

  const builds: [string, BuildName][] = [
    ['ferrite simd', 'simd'],
    ['ferrite scalar', 'scalar'],
  ];
  if (threadsSupported()) {
    setThreadsCount(2);
    setBackendSync('simd-threads');
    await ready();
    builds.unshift(['ferrite simd x2', 'simd-threads']);
  }
  const trainers: Trainer[] = builds.map(([name, build]) => ferriteTrainer(name, build, pixels, labels, batches));
  trainers.push(await tfjsTrainer('tfjs wasm', 'wasm', pixels, labels, batches));
  trainers.push(await tfjsTrainer('tfjs cpu', 'cpu', pixels, labels, cpuBatches));

  try {
    log(
      `P1 training throughput: ${batches} batches of ${BATCH} per round (tfjs cpu: ${cpuBatches}), ${rounds} rounds interleaved, data: ${data}`,
    );
    await warmUp(trainers, warmUpMs);
    const times = await timeInterleaved(trainers, rounds);
    const sps: Record<string, number> = {};
    for (const t of trainers) sps[t.name] = t.samples / times.get(t.name)!.median;
    const tfWasm = sps['tfjs wasm'];
    const tfCpu = sps['tfjs cpu'];
    const rows: Row[] = trainers.map((t) => {
      const r = times.get(t.name)!;
      return {
        contender: t.name,
        batches: t.samples / BATCH,
        'samples/s': fmt(sps[t.name]),
        'best samples/s': fmt(t.samples / r.best),
        'epoch (s)': fmt(EPOCH_SAMPLES / sps[t.name]),
        'vs tfjs wasm': fmtRatio(sps[t.name], tfWasm),
        'vs tfjs cpu': fmtRatio(sps[t.name], tfCpu),
      };
    });
    return { rows, samplesPerSecond: sps, data };
  } finally {
    for (const t of trainers) t.dispose();
    setBackendSync('simd');
  }
}

if (isMain(import.meta.url)) {
  const t0 = performance.now();
  const r = await benchP1();
  printTable(r.rows);
  console.log(
    `\nsamples/s: median of the rounds; epoch (s): 60,000 samples at that rate. (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  process.exit(0);
}
