// Training throughput of the MNIST CNN (examples/mnist-cnn.ts, the CIFAR-10 program's
// network on 28x28x1: Conv 32 → MaxPool → Conv 64 → MaxPool → Conv 64 → Flatten → Dense 64
// → Dense 10 softmax, Adam, categorical cross-entropy, accuracy metric, batch 64), in
// samples per second of `model.fit`, for Ferrite's builds (SIMD + 2 threads, SIMD, scalar)
// and TensorFlow.js 4.22 with the same model in the same process.
//
// TF.js's wasm backend cannot train this model (it has no Conv2DBackpropFilter kernel):
// the bench runs one batch to show the error. Its cpu backend trains it at a few samples
// per second, so it times a single batch, once, after a small warm-up batch; Ferrite's
// builds run interleaved rounds after a warm-up, reporting the median and best rounds.
//
//   npx tsx bench/mnist-cnn.ts        (about two minutes: TF.js cpu takes about 30 s per batch)

import * as tf from '@tensorflow/tfjs';
import { setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { cnn } from '../examples/cifar10-cnn.js';
import {
  ferriteTrainer,
  tfjsTrainer,
  throughputRow,
  trainingImages,
  type Program,
  type TrainingBenchOptions,
  type TrainingBenchResult,
  type TrainingImages,
} from './training.js';
import { printTable, type Row } from './table.js';
import { timeInterleaved, warmUp } from './timing.js';
import { buildsToCompare, isMain } from './util.js';

/** The model of examples/mnist-cnn.ts, in Ferrite and in TF.js. */
export const CNN: Program = {
  imageShape: [28, 28, 1],
  batchSize: 64,
  oneHotLabels: true,
  ferriteModel: () => cnn([28, 28, 1]),
  tfjsModel: () =>
    tf.sequential({
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
    }),
};

export interface MnistCnnBenchOptions extends TrainingBenchOptions {
  /** Batches per timed round for Ferrite's SIMD builds (default 40). */
  batches?: number;
  /** Batches per timed round for Ferrite's scalar build (default 10). */
  scalarBatches?: number;
  /** Batches TF.js cpu trains, timed once (default 1: about 30 s). 0 skips TF.js cpu. */
  cpuBatches?: number;
}

export interface MnistCnnBenchResult extends TrainingBenchResult {
  /** What TF.js's wasm backend did when asked to train the model (the error it threw). */
  tfjsWasm: string;
}

/** Asks TF.js's wasm backend to train one small batch; returns the error it throws (or says it trained, should it ever). */
async function tfjsWasmAttempt(images: TrainingImages): Promise<string> {
  const trainer = await tfjsTrainer('tfjs wasm', 'wasm', CNN, images, 1);
  try {
    await trainer.fitTinyBatch();
    return 'trained (unexpected: TF.js 4.22 has no Conv2DBackpropFilter on wasm)';
  } catch (e) {
    return `throws: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    trainer.dispose();
  }
}

/** TF.js cpu: one untimed batch of 4, then `batches` batches, timed once; samples per second. */
async function tfjsCpuRate(
  images: TrainingImages,
  batches: number,
): Promise<{ samplesPerSecond: number; seconds: number }> {
  const trainer = await tfjsTrainer('tfjs cpu', 'cpu', CNN, images, batches);
  try {
    await trainer.fitTinyBatch();
    const t0 = performance.now();
    await trainer.run();
    const seconds = (performance.now() - t0) / 1000;
    return { samplesPerSecond: trainer.samples / seconds, seconds };
  } finally {
    trainer.dispose();
  }
}

export async function benchMnistCnn(opts: MnistCnnBenchOptions = {}): Promise<MnistCnnBenchResult> {
  const { batches = 40, scalarBatches = 10, cpuBatches = 1, rounds = 5, warmUpMs = 2000 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const images = await trainingImages(Math.max(batches, scalarBatches, cpuBatches) * CNN.batchSize);

  const builds = (await buildsToCompare({ relaxed: true, oneThread: true })).reverse(); // fastest first
  const trainers = builds.map((b) =>
    ferriteTrainer(
      `ferrite ${b.label}`,
      b.build,
      CNN,
      images,
      b.build === 'scalar' ? scalarBatches : batches,
      b.threads,
    ),
  );
  try {
    log(
      `MNIST CNN training throughput: batch ${CNN.batchSize}; ${batches} batches per round (scalar: ${scalarBatches}), ${rounds} rounds interleaved; data: ${images.data}`,
    );
    await warmUp(trainers, warmUpMs);
    const times = await timeInterleaved(trainers, rounds);

    const tfjsWasm = await tfjsWasmAttempt(images);
    log(`TF.js wasm, asked to train the MNIST CNN: ${tfjsWasm}`);
    let cpu: { samplesPerSecond: number; seconds: number } | undefined;
    if (cpuBatches > 0) {
      cpu = await tfjsCpuRate(images, cpuBatches);
      log(`TF.js cpu: ${cpuBatches} batch(es) of ${CNN.batchSize} in ${cpu.seconds.toFixed(1)} s`);
    }

    const sps: Record<string, number> = {};
    const baselines = { 'tfjs cpu': cpu?.samplesPerSecond };
    const rows: Row[] = trainers.map((t) => {
      const { median, best } = times.get(t.name)!;
      sps[t.name] = t.samples / median;
      return throughputRow(t.name, t.samples, CNN.batchSize, median, best, baselines);
    });
    if (cpu) {
      sps['tfjs cpu'] = cpu.samplesPerSecond;
      const samples = cpuBatches * CNN.batchSize;
      rows.push(throughputRow('tfjs cpu', samples, CNN.batchSize, cpu.seconds, undefined, baselines));
    }
    rows.push({ contender: 'tfjs wasm', batches: '-', 'samples/s': 'cannot train' });
    return { rows, samplesPerSecond: sps, tfjsWasm, data: images.data };
  } finally {
    for (const t of trainers) t.dispose();
    setThreadsCount(2);
    setBackendSync('simd');
  }
}

if (isMain(import.meta.url)) {
  const t0 = performance.now();
  const r = await benchMnistCnn();
  printTable(r.rows);
  console.log(
    `\nsamples/s: median of the rounds (tfjs cpu: one timed run); epoch (s): 60,000 samples at that rate. (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  process.exit(0);
}
