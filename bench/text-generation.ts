// Seconds per training batch of the text-generation model at full size: Embedding(10000,
// 256, length 32) -> LSTM(512, returnSequences) -> Dense(10000, softmax), Adam, batch 64,
// sparse labels of [64, 32]. Scalar vs SIMD, and 1 vs 2 threads.
//
//   npx tsx bench/text-generation.ts [--batches N] [--builds scalar,simd,simd-threads:1,simd-threads:2]

import { setBackendSync, setThreadsCount, ready } from '../ts/backend/engine.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { tensor } from '../ts/tensor/creation.js';
import { train } from '../ts/optimizers/index.js';
import { textModel } from '../examples/text-generation.js';
import { argValue, numberArg } from '../examples/program.js';
import { isMain } from './util.js';

const [VOCAB, EMB, UNITS, LEN, BATCH] = [10000, 256, 512, 32, 64];

/** Median seconds per batch of `trainOnBatch` on one build and thread count, after one warm-up batch. */
export async function secondsPerBatch(build: BuildName, threads: number, batches: number): Promise<number> {
  if (build === 'simd-threads') setThreadsCount(threads);
  setBackendSync(build);
  await ready();
  const model = textModel(VOCAB, EMB, UNITS, LEN);
  model.compile({ optimizer: train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  let s = 1;
  const ids = (): number[] =>
    Array.from({ length: BATCH * LEN }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % VOCAB);
  const x = tensor(ids(), [BATCH, LEN]);
  const y = tensor(ids(), [BATCH, LEN]);
  await model.trainOnBatch(x, y);
  const times: number[] = [];
  for (let i = 0; i < batches; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    times.push((performance.now() - t0) / 1000);
  }
  x.dispose();
  y.dispose();
  model.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  const batches = numberArg('batches') ?? 3;
  const configs = (argValue('builds') ?? 'scalar,simd,simd-threads:1,simd-threads:2').split(',');
  console.log(`text generation, batch ${BATCH} x ${LEN}, vocab ${VOCAB}, embedding ${EMB}, LSTM ${UNITS}`);
  for (const c of configs) {
    const [build, threads] = c.split(':');
    const sec = await secondsPerBatch(build as BuildName, Number(threads ?? 1), batches);
    console.log(`${c.padEnd(16)} ${sec.toFixed(3)} s/batch`);
  }
}

if (isMain(import.meta.url)) void main();
