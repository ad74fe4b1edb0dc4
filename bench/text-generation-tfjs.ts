// The text-generation model against TensorFlow.js on a reduced size TF.js's cpu backend can
// finish (at full size it had not finished one batch after 9 minutes here), timed in the same
// process: Embedding(2000, 64, length 32) -> LSTM(128, returnSequences) -> Dense(2000,
// softmax), Adam, batch 16, sparse labels. TF.js's wasm backend is tried too: it cannot train
// this model (no gradient kernel for the Embedding's UnsortedSegmentSum), and the table says so.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setBackendSync, setThreadsCount, ready } from '../ts/backend/engine.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { tensor } from '../ts/tensor/creation.js';
import { train } from '../ts/optimizers/index.js';
import { textModel } from '../examples/text-generation.js';

export const REDUCED = { vocab: 2000, embedding: 64, units: 128, len: 32, batch: 16 };
const { vocab, embedding, units, len, batch } = REDUCED;

/** Seeded ids in [0, vocab): the same inputs and labels for every contender. */
function ids(seed: number): number[] {
  let s = seed;
  return Array.from({ length: batch * len }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % vocab);
}

/** Median seconds of `batches` calls of `step`, after one untimed warm-up call. */
async function medianSeconds(batches: number, step: () => Promise<unknown>): Promise<number> {
  await step();
  const times: number[] = [];
  for (let i = 0; i < batches; i++) {
    const t0 = performance.now();
    await step();
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[times.length >> 1];
}

/** Median seconds per `trainOnBatch` of Ferrite's model on one build, after one warm-up batch. */
export async function ferriteSeconds(build: BuildName, threads: number, batches: number): Promise<number> {
  if (build.startsWith('simd-threads')) setThreadsCount(threads);
  setBackendSync(build);
  await ready();
  const model = textModel(vocab, embedding, units, len);
  model.compile({ optimizer: train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  const x = tensor(ids(1), [batch, len]);
  const y = tensor(ids(2), [batch, len]);
  try {
    return await medianSeconds(batches, () => model.trainOnBatch(x, y));
  } finally {
    x.dispose();
    y.dispose();
    model.dispose();
  }
}

/**
 * Median seconds per `trainOnBatch` of the same model in TF.js on `backend`, or the first
 * line of the error that stops it (TF.js's sparse labels are float and carry a last axis of 1).
 */
export async function tfjsSeconds(backend: 'cpu' | 'wasm', batches: number): Promise<number | string> {
  await tf.setBackend(backend);
  await tf.ready();
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: vocab, outputDim: embedding, inputLength: len }),
      tf.layers.lstm({ units, returnSequences: true, recurrentActivation: 'sigmoid' }),
      tf.layers.dense({ units: vocab, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  const x = tf.tensor2d(ids(1), [batch, len], 'int32');
  const y = tf.tensor3d(ids(2), [batch, len, 1], 'float32');
  try {
    return await medianSeconds(batches, () => model.trainOnBatch(x, y));
  } catch (e) {
    return `cannot train: ${String((e as Error).message ?? e)
      .split('\n')[0]
      .slice(0, 80)}`;
  } finally {
    x.dispose();
    y.dispose();
    model.dispose();
  }
}

/** Prints Ferrite's builds and TF.js's backends side by side at the reduced size. */
export async function benchVersusTfjs(batches: number): Promise<void> {
  console.log(
    `\nagainst TF.js, reduced size: vocab ${vocab}, embedding ${embedding}, LSTM ${units}, ` +
      `batch ${batch} x ${len}; median s/batch of ${batches} after one warm-up`,
  );
  const cpu = await tfjsSeconds('cpu', batches);
  const wasm = await tfjsSeconds('wasm', batches);
  const row = (name: string, v: number | string, ratio = ''): void =>
    console.log(`${name.padEnd(24)} ${typeof v === 'number' ? `${v.toFixed(3)} s/batch` : v}${ratio}`);
  row('tfjs cpu', cpu);
  row('tfjs wasm', wasm);
  for (const [build, threads] of [
    ['simd', 1],
    ['simd-threads', 2],
  ] as [BuildName, number][]) {
    const s = await ferriteSeconds(build, threads, batches);
    row(`ferrite ${build} x${threads}`, s, typeof cpu === 'number' ? `  (${(cpu / s).toFixed(0)}x tfjs cpu)` : '');
  }
}
