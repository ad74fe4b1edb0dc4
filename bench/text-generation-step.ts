// The text-generation model's training step (reference program P5) for `npm run bench`:
// samples/s of `trainOnBatch` at the full size (vocab 10k, embedding 256, LSTM 512, batch
// 64 x 32) on Ferrite's SIMD builds, and at the reduced size TF.js can finish (vocab 2k,
// embedding 64, LSTM 128, batch 16 x 32) on Ferrite's builds and TF.js's cpu and wasm
// backends. Medians of a few batches after one warm-up batch each; PyTorch's figures on
// the same shapes come from bench/pytorch/bench.py.

import { threadsSupported } from '../ts/backend/threads.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { secondsPerBatch } from './text-generation.js';
import { ferriteSeconds, REDUCED, tfjsSeconds } from './text-generation-tfjs.js';
import { fmt, type Row } from './table.js';

/** Samples/s (or why a contender has none) by contender, for one size. */
export type StepRates = Record<string, number | string>;

export interface TextStepResult {
  rows: Row[];
  reduced: StepRates;
  /** Absent in quick runs. */
  full?: StepRates;
}

const FULL_BATCH = 64;

/** Ferrite's SIMD builds to time: label, build, threads. */
function ferriteConfigs(): [string, BuildName, number][] {
  const configs: [string, BuildName, number][] = [['ferrite simd', 'simd', 1]];
  if (threadsSupported()) {
    configs.push(['ferrite simd x1', 'simd-threads', 1], ['ferrite simd x2', 'simd-threads', 2]);
  }
  return configs;
}

/**
 * `quick`: the reduced size alone, one timed batch per contender, and no TF.js cpu (about
 * 10-40 s a batch); otherwise 3 timed batches (TF.js cpu: 1).
 */
export async function benchTextStep(opts: { quick?: boolean } = {}): Promise<TextStepResult> {
  const quick = opts.quick ?? false;
  const batches = quick ? 1 : 3;
  const reduced: StepRates = {};
  const perSample = (s: number | string, batch: number): number | string => (typeof s === 'number' ? batch / s : s);
  for (const [label, build, threads] of ferriteConfigs()) {
    reduced[label] = perSample(await ferriteSeconds(build, threads, batches), REDUCED.batch);
  }
  reduced['tfjs wasm'] = perSample(await tfjsSeconds('wasm', batches), REDUCED.batch);
  if (!quick) reduced['tfjs cpu'] = perSample(await tfjsSeconds('cpu', 1), REDUCED.batch);

  let full: StepRates | undefined;
  if (!quick) {
    full = {};
    for (const [label, build, threads] of ferriteConfigs()) {
      full[label] = perSample(await secondsPerBatch(build, threads, batches), FULL_BATCH);
    }
  }
  const row = (size: string, rates: StepRates): Row => {
    const r: Row = { size };
    for (const [k, v] of Object.entries(rates)) r[k] = typeof v === 'number' ? fmt(v) : v;
    return r;
  };
  const rows = [row('reduced (vocab 2k, emb 64, LSTM 128, batch 16)', reduced)];
  if (full) rows.push(row('full (vocab 10k, emb 256, LSTM 512, batch 64)', full));
  return { rows, reduced, full };
}
