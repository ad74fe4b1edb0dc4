// Training throughput of the Fashion-MNIST MLP (examples/fashion-mnist-mlp.ts: Flatten
// 28x28 -> Dense 128 relu -> Dense 10 softmax, Adam 1e-3, sparse categorical
// cross-entropy, accuracy metric, batch 32), in samples per second of `model.fit`, for
// Ferrite's builds and for TensorFlow.js 4.22 with the same model in the same process: its
// 'wasm' backend (XNNPACK SIMD, single-threaded in Node) and its 'cpu' backend (pure JS,
// so it times fewer batches). Each contender trains a fixed number of batches per round;
// rounds are interleaved after a warm-up, and the median and best rounds are reported,
// with the time a full 60,000-image epoch would take at the median rate.
//
//   npx tsx bench/fashion-mnist-mlp.ts        (about a minute)

import * as tf from '@tensorflow/tfjs';
import { setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { mlp } from '../examples/fashion-mnist-mlp.js';
import {
  ferriteTrainer,
  tfjsTrainer,
  throughputRow,
  trainingImages,
  type Program,
  type Trainer,
  type TrainingBenchOptions,
  type TrainingBenchResult,
} from './training.js';
import { printTable } from './table.js';
import { timeInterleaved, warmUp } from './timing.js';
import { buildsToCompare, isMain } from './util.js';

/** The model of examples/fashion-mnist-mlp.ts, in Ferrite and in TF.js. */
export const MLP: Program = {
  imageShape: [28, 28],
  batchSize: 32,
  oneHotLabels: false,
  ferriteModel: mlp,
  tfjsModel: () =>
    tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [28, 28] }),
        tf.layers.dense({ units: 128, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
};

export interface FashionMnistMlpBenchOptions extends TrainingBenchOptions {
  /** Batches per timed round for Ferrite and TF.js wasm (default 300). */
  batches?: number;
  /** Batches per timed round for TF.js cpu, which is about 30 times slower (default 30). */
  cpuBatches?: number;
}

export async function benchFashionMnistMlp(opts: FashionMnistMlpBenchOptions = {}): Promise<TrainingBenchResult> {
  const { batches = 300, cpuBatches = 30, rounds = 3, warmUpMs = 1500 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const images = await trainingImages(batches * MLP.batchSize);

  const builds = (await buildsToCompare({ relaxed: true, oneThread: true })).reverse(); // fastest first
  const trainers: Trainer[] = builds.map((b) =>
    ferriteTrainer(`ferrite ${b.label}`, b.build, MLP, images, batches, b.threads),
  );
  trainers.push(await tfjsTrainer('tfjs wasm', 'wasm', MLP, images, batches));
  trainers.push(await tfjsTrainer('tfjs cpu', 'cpu', MLP, images, cpuBatches));

  try {
    log(
      `Fashion-MNIST MLP training throughput: ${batches} batches of ${MLP.batchSize} per round (tfjs cpu: ${cpuBatches}), ${rounds} rounds interleaved, data: ${images.data}`,
    );
    await warmUp(trainers, warmUpMs);
    const times = await timeInterleaved(trainers, rounds);
    const sps: Record<string, number> = {};
    for (const t of trainers) sps[t.name] = t.samples / times.get(t.name)!.median;
    const baselines = { 'tfjs wasm': sps['tfjs wasm'], 'tfjs cpu': sps['tfjs cpu'] };
    const rows = trainers.map((t) => {
      const { median, best } = times.get(t.name)!;
      return throughputRow(t.name, t.samples, MLP.batchSize, median, best, baselines);
    });
    return { rows, samplesPerSecond: sps, data: images.data };
  } finally {
    for (const t of trainers) t.dispose();
    setThreadsCount(2);
    setBackendSync('simd');
  }
}

if (isMain(import.meta.url)) {
  const t0 = performance.now();
  const r = await benchFashionMnistMlp();
  printTable(r.rows);
  console.log(
    `\nsamples/s: median of the rounds; epoch (s): 60,000 samples at that rate. (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  process.exit(0);
}
