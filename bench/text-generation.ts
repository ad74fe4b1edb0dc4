// Seconds per training batch of the text-generation model at full size: Embedding(10000,
// 256, length 32) -> LSTM(512, returnSequences) -> Dense(10000, softmax), Adam, batch 64,
// sparse labels of [64, 32]. Scalar vs SIMD, and 1 vs 2 threads.
//
//   npx tsx bench/text-generation.ts [--batches N] [--builds scalar,simd,simd-threads:1,simd-threads:2] [--profile]
//
// --profile also prints, per build, where a batch's time goes: milliseconds per batch in each
// core export (GEMMs by layout and shape), and the rest (JS: tape, allocation, dispatch).

import { engine, setBackendSync, setThreadsCount, ready } from '../ts/backend/engine.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { tensor } from '../ts/tensor/creation.js';
import { train } from '../ts/optimizers/index.js';
import { textModel } from '../examples/text-generation.js';
import { argValue, numberArg } from '../examples/program.js';
import { isMain } from './util.js';

const [VOCAB, EMB, UNITS, LEN, BATCH] = [10000, 256, 512, 32, 64];

/** Milliseconds spent in each core export (GEMMs keyed by layout and shape), summed over the calls. */
type Profile = Map<string, { ms: number; calls: number }>;

/** Wraps every core export of the current engine with a timer; returns the totals and an undo. */
function profileCore(): { profile: Profile; restore: () => void } {
  const core = engine().core as unknown as Record<string, (...args: number[]) => number>;
  const saved = { ...core };
  const profile: Profile = new Map();
  for (const [name, fn] of Object.entries(saved)) {
    core[name] = (...args: number[]): number => {
      const t0 = performance.now();
      const r = fn(...args);
      const ms = performance.now() - t0;
      // fe_gemm(trans_a, trans_b, m, n, k, ...): the layout and shape say which product it is.
      const key =
        name === 'fe_gemm'
          ? `gemm ${args[0] ? 'T' : 'N'}${args[1] ? 'T' : 'N'} ${args[2]}x${args[4]}·${args[4]}x${args[3]}`
          : name;
      const e = profile.get(key) ?? { ms: 0, calls: 0 };
      e.ms += ms;
      e.calls++;
      profile.set(key, e);
      return r;
    };
  }
  return { profile, restore: () => Object.assign(core, saved) };
}

function printProfile(profile: Profile, batches: number, batchSeconds: number): void {
  const rows = [...profile].sort((a, b) => b[1].ms - a[1].ms);
  let total = 0;
  for (const [key, { ms, calls }] of rows) {
    total += ms;
    if (ms / batches < 1) continue;
    console.log(`  ${(ms / batches).toFixed(1).padStart(8)} ms  ${String(calls / batches).padStart(5)} calls  ${key}`);
  }
  const rest = batchSeconds * 1000 - total / batches;
  console.log(
    `  ${rest.toFixed(1).padStart(8)} ms              outside the core (JS, allocation), and exports under 1 ms`,
  );
}

/** Median seconds per batch of `trainOnBatch` on one build and thread count, after one warm-up batch. */
export async function secondsPerBatch(
  build: BuildName,
  threads: number,
  batches: number,
  profile = false,
): Promise<number> {
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
  const prof = profile ? profileCore() : undefined;
  const times: number[] = [];
  for (let i = 0; i < batches; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    times.push((performance.now() - t0) / 1000);
  }
  prof?.restore();
  x.dispose();
  y.dispose();
  model.dispose();
  if (prof) printProfile(prof.profile, batches, times.reduce((a, b) => a + b, 0) / batches);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  const batches = numberArg('batches') ?? 3;
  const configs = (argValue('builds') ?? 'scalar,simd,simd-threads:1,simd-threads:2').split(',');
  console.log(`text generation, batch ${BATCH} x ${LEN}, vocab ${VOCAB}, embedding ${EMB}, LSTM ${UNITS}`);
  for (const c of configs) {
    const [build, threads] = c.split(':');
    const sec = await secondsPerBatch(
      build as BuildName,
      Number(threads ?? 1),
      batches,
      process.argv.includes('--profile'),
    );
    console.log(`${c.padEnd(16)} ${sec.toFixed(3)} s/batch`);
  }
}

if (isMain(import.meta.url)) void main();
