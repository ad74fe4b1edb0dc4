// Reference program P3's training throughput (the P2/P3 CNN on 28x28x1: Conv 32 → MaxPool
// → Conv 64 → MaxPool → Conv 64 → Flatten → Dense 64 → Dense 10 softmax, Adam,
// categorical cross-entropy, accuracy metric, batch 64), in samples per second of
// `model.fit`, for Ferrite's builds (SIMD + 2 threads, SIMD, scalar) and TensorFlow.js 4.22
// with the same model in the same process.
//
// TF.js's wasm backend cannot train this model (it has no Conv2DBackpropFilter kernel):
// the bench runs one batch to show the error. Its cpu backend trains it at a few samples
// per second, so it times a single batch, once, after a small warm-up batch; Ferrite's
// builds run interleaved rounds after a warm-up, reporting the median and best rounds.
//
//   npx tsx bench/p3.ts        (about two minutes: TF.js cpu takes about 30 s per batch)

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ready, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { datasets } from '../ts/data/index.js';
import { oneHot, tensor } from '../ts/tensor/creation.js';
import type { Tensor } from '../ts/tensor/tensor.js';
import type { Sequential } from '../ts/models/index.js';
import { train, type Optimizer } from '../ts/optimizers/index.js';
import { cnn } from '../examples/cifar10-cnn.js';
import { fmt, fmtRatio, isMain, printTable, timeInterleaved, warmUp, type Row, type Timed } from './util.js';

const BATCH = 64;
const EPOCH_SAMPLES = 60000;
const IMAGE = 28 * 28;

export interface P3BenchOptions {
  /** Batches per timed round for Ferrite's SIMD builds (default 40). */
  batches?: number;
  /** Batches per timed round for Ferrite's scalar build (default 10). */
  scalarBatches?: number;
  /** Batches TF.js cpu trains, timed once (default 1: about 30 s). 0 skips TF.js cpu. */
  cpuBatches?: number;
  rounds?: number;
  /** Warm-up time per contender, ms. */
  warmUpMs?: number;
  log?: (line: string) => void;
}

export interface P3BenchResult {
  rows: Row[];
  /** Median samples/s by contender name. */
  samplesPerSecond: Record<string, number>;
  /** What TF.js's wasm backend did when asked to train the model (the error it threw). */
  tfjsWasm: string;
  data: 'fashion-mnist' | 'random';
}

/** The first `n` training images and labels: Fashion-MNIST when installed, else random (throughput does not depend on them). */
async function trainingData(
  n: number,
): Promise<{ pixels: Float32Array; labels: Int32Array; data: P3BenchResult['data'] }> {
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
    return {
      pixels: Float32Array.from({ length: n * IMAGE }, next),
      labels: Int32Array.from({ length: n }, () => Math.floor(next() * 10)),
      data: 'random',
    };
  }
}

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
  const x = tensor(pixels.subarray(0, n * IMAGE), [n, 28, 28, 1]);
  const ids = tensor(labels.subarray(0, n), [n], 'int32');
  const y: Tensor = oneHot(ids, 10);
  ids.dispose();
  const model: Sequential = cnn([28, 28, 1]);
  const optimizer: Optimizer = train.adam(1e-3);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
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

/** The same network in TF.js. */
function tfjsModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function tfjsData(pixels: Float32Array, labels: Int32Array, n: number): { x: tf.Tensor; y: tf.Tensor } {
  return {
    x: tf.tensor4d(pixels.subarray(0, n * IMAGE), [n, 28, 28, 1]),
    y: tf.oneHot(tf.tensor1d(labels.subarray(0, n), 'int32'), 10),
  };
}

/** Asks TF.js's wasm backend to train one small batch; returns the error it throws (or its rate, should it ever work). */
async function tfjsWasmAttempt(pixels: Float32Array, labels: Int32Array): Promise<string> {
  await tf.setBackend('wasm');
  await tf.ready();
  const model = tfjsModel();
  const { x, y } = tfjsData(pixels, labels, 8);
  try {
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    return 'trained (unexpected: TF.js 4.22 has no Conv2DBackpropFilter on wasm)';
  } catch (e) {
    return `throws: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    model.dispose();
    x.dispose();
    y.dispose();
  }
}

/** TF.js cpu: one untimed warm-up batch of 4, then `batches` batches of 64, timed once. */
async function tfjsCpuRate(
  pixels: Float32Array,
  labels: Int32Array,
  batches: number,
): Promise<{ samplesPerSecond: number; seconds: number }> {
  await tf.setBackend('cpu');
  await tf.ready();
  const model = tfjsModel();
  const warm = tfjsData(pixels, labels, 4);
  const { x, y } = tfjsData(pixels, labels, batches * BATCH);
  try {
    await model.fit(warm.x, warm.y, { epochs: 1, batchSize: 4, verbose: 0 });
    const t0 = performance.now();
    await model.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0 });
    const seconds = (performance.now() - t0) / 1000;
    return { samplesPerSecond: (batches * BATCH) / seconds, seconds };
  } finally {
    model.dispose();
    for (const t of [warm.x, warm.y, x, y]) t.dispose();
  }
}

export async function benchP3(opts: P3BenchOptions = {}): Promise<P3BenchResult> {
  const { batches = 40, scalarBatches = 10, cpuBatches = 1, rounds = 5, warmUpMs = 2000 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const { pixels, labels, data } = await trainingData(Math.max(batches, scalarBatches, cpuBatches) * BATCH);

  const builds: [string, BuildName, number][] = [
    ['ferrite simd', 'simd', batches],
    ['ferrite scalar', 'scalar', scalarBatches],
  ];
  if (threadsSupported()) {
    setThreadsCount(2);
    setBackendSync('simd-threads');
    await ready();
    builds.unshift(['ferrite simd x2', 'simd-threads', batches]);
  }
  const trainers = builds.map(([name, build, b]) => ferriteTrainer(name, build, pixels, labels, b));
  try {
    log(
      `P3 training throughput: batch ${BATCH}; ${batches} batches per round (scalar: ${scalarBatches}), ${rounds} rounds interleaved; data: ${data}`,
    );
    await warmUp(trainers, warmUpMs);
    const times = await timeInterleaved(trainers, rounds);

    const tfjsWasm = await tfjsWasmAttempt(pixels, labels);
    log(`TF.js wasm, asked to train P3: ${tfjsWasm}`);
    let cpu: { samplesPerSecond: number; seconds: number } | undefined;
    if (cpuBatches > 0) {
      cpu = await tfjsCpuRate(pixels, labels, cpuBatches);
      log(`TF.js cpu: ${cpuBatches} batch(es) of ${BATCH} in ${cpu.seconds.toFixed(1)} s`);
    }

    const sps: Record<string, number> = {};
    const rows: Row[] = trainers.map((t) => {
      const r = times.get(t.name)!;
      sps[t.name] = t.samples / r.median;
      return {
        contender: t.name,
        batches: t.samples / BATCH,
        'samples/s': fmt(sps[t.name]),
        'best samples/s': fmt(t.samples / r.best),
        'epoch (s)': fmt(EPOCH_SAMPLES / sps[t.name]),
        'vs tfjs cpu': fmtRatio(sps[t.name], cpu?.samplesPerSecond),
      };
    });
    if (cpu) {
      sps['tfjs cpu'] = cpu.samplesPerSecond;
      rows.push({
        contender: 'tfjs cpu',
        batches: cpuBatches,
        'samples/s': fmt(cpu.samplesPerSecond),
        'best samples/s': '-',
        'epoch (s)': fmt(EPOCH_SAMPLES / cpu.samplesPerSecond),
        'vs tfjs cpu': '1.00x',
      });
    }
    rows.push({
      contender: 'tfjs wasm',
      batches: '-',
      'samples/s': 'cannot train',
      'best samples/s': '-',
      'epoch (s)': '-',
      'vs tfjs cpu': '-',
    });
    return { rows, samplesPerSecond: sps, tfjsWasm, data };
  } finally {
    for (const t of trainers) t.dispose();
    setBackendSync('simd');
  }
}

if (isMain(import.meta.url)) {
  const t0 = performance.now();
  const r = await benchP3();
  printTable(r.rows);
  console.log(
    `\nsamples/s: median of the rounds (tfjs cpu: one timed run); epoch (s): 60,000 samples at that rate. (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  process.exit(0);
}
