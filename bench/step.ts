// The fixed cost of a training step, and what threads give on small work: the Fashion-MNIST
// MLP (Flatten 784 -> Dense 128 relu -> Dense 10 softmax, Adam, sparse cross-entropy,
// accuracy) trained with `model.fit` at batch 1, 8 and 32 on the threaded build with 1 and
// 2 threads, interleaved in one process. Per step: microseconds (and the CPU microseconds
// of the 1-thread runs, which a loaded machine inflates far less), kernel calls (JS→wasm
// crossings, counted by the engine), and the fixed cost: the intercept of the line through
// the step times at batch 1 and 32 (what a step costs before any sample is computed),
// and, in the same rounds, the optimizer's share of it: one `applyGradientsIfFinite` of Adam
// over the model's 101,770 weights, as fit runs it per step: in one pass that saves what
// it overwrites (what fit does) and, beside it, with a checking pass before the update
// (what it did before; `setUndoBudget(0)`). Then where a batch-8 step's time goes, on 1
// thread: each part's µs, kernel calls and µs inside wasm (`step-breakdown.ts`).
//
//   npx tsx bench/step.ts        (about half a minute)

import { engine, getThreadsCount, ready, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import { mlp } from '../examples/fashion-mnist-mlp.js';
import { train } from '../ts/optimizers/index.js';
import { setUndoBudget } from '../ts/optimizers/optimizer.js';
import { tensor } from '../ts/tensor/creation.js';
import { randomUniform } from '../ts/ops/random.js';
import type { Tensor } from '../ts/tensor/tensor.js';
import type { Sequential } from '../ts/models/index.js';
import { fmt, fmtRatio, printTable, type Row } from './table.js';
import { median, timeInterleaved, warmUp, type Timed } from './timing.js';
import { isMain, randomData } from './util.js';
import { stepBreakdown } from './step-breakdown.js';

const BATCHES = [1, 8, 32];
/** Steps per timed round at each batch size (about the same time per round). */
const STEPS: Record<number, number> = { 1: 400, 8: 300, 32: 150 };

interface Setup {
  model: Sequential;
  x: Tensor;
  y: Tensor;
  dispose: () => void;
}

function setup(batch: number): Setup {
  const n = STEPS[batch] * batch;
  const x = tensor(randomData(n * 784, 1, 0, 1), [n, 28, 28]);
  const y = tensor(Int32Array.from(randomData(n, 2, 0, 10), Math.floor), [n], 'int32');
  const model = mlp();
  const optimizer = train.adam(1e-3);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return {
    model,
    x,
    y,
    dispose: () => {
      model.dispose();
      optimizer.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

export interface StepBenchResult {
  rows: Row[];
  /** Median µs per step by `${threads}t b${batch}`. */
  microseconds: Record<string, number>;
  /** Where a batch-8 step's time goes on 1 thread: µs, kernel calls and µs in wasm per part. */
  breakdown: Row[];
}

export async function benchStep(opts: { rounds?: number; warmUpMs?: number } = {}): Promise<StepBenchResult> {
  const { rounds = 7, warmUpMs = 600 } = opts;
  const threaded = threadsSupported();
  const threadCounts = threaded ? [1, 2] : [1];
  setThreadsCount(2);
  setBackendSync(threaded ? 'simd-threads' : 'simd');
  await ready();
  const setups = new Map(BATCHES.map((b) => [b, setup(b)]));
  const calls = new Map<string, number>();
  // CPU time per step of each round (the process's, every thread's): on a loaded machine a
  // 1-thread run's wall time is mostly time spent waiting for a core; its CPU time is not.
  const cpuMicroseconds = new Map<string, number[]>();
  const contenders: Timed[] = [];
  for (const nt of threadCounts) {
    for (const b of BATCHES) {
      const s = setups.get(b)!;
      const name = `${nt}t b${b}`;
      contenders.push({
        name,
        before: async () => {
          setThreadsCount(nt);
          await ready();
        },
        run: async () => {
          const [c0, cpu0] = [engine().kernelCalls, process.cpuUsage()];
          await s.model.fit(s.x, s.y, { epochs: 1, batchSize: b, shuffle: false, verbose: 0 });
          const cpu = process.cpuUsage(cpu0);
          calls.set(name, (engine().kernelCalls - c0) / STEPS[b]);
          cpuMicroseconds.set(name, [...(cpuMicroseconds.get(name) ?? []), (cpu.user + cpu.system) / STEPS[b]]);
        },
      });
    }
  }
  // The optimizer alone: Adam over the weights of one more MLP, with fixed random gradients.
  const updated = mlp();
  const adam = train.adam(1e-3);
  const gradients = Object.fromEntries(updated.trainableWeights.map((w) => [w.name, randomUniform(w.shape, -1, 1)]));
  const UPDATES = 200;
  const adamCalls = new Map<string, number>();
  for (const nt of threadCounts) {
    for (const [mode, budget] of [
      ['adam', undefined],
      ['adam two-pass', 0],
    ] as const) {
      const name = `${nt}t ${mode}`;
      let previous: number | undefined;
      contenders.push({
        name,
        before: async () => {
          setThreadsCount(nt);
          await ready();
        },
        run: () => {
          if (budget !== undefined) previous = setUndoBudget(budget);
          const [c0, cpu0] = [engine().kernelCalls, process.cpuUsage()];
          try {
            for (let i = 0; i < UPDATES; i++) adam.applyGradientsIfFinite(gradients);
          } finally {
            if (previous !== undefined) setUndoBudget(previous);
          }
          const cpu = process.cpuUsage(cpu0);
          adamCalls.set(mode, (engine().kernelCalls - c0) / UPDATES);
          cpuMicroseconds.set(name, [...(cpuMicroseconds.get(name) ?? []), (cpu.user + cpu.system) / UPDATES]);
        },
      });
    }
  }
  await warmUp(contenders, warmUpMs);
  const times = await timeInterleaved(contenders, rounds);
  const us = (name: string, b: number) => (times.get(name)!.median / STEPS[b]) * 1e6;
  const microseconds: Record<string, number> = {};
  for (const c of contenders)
    microseconds[c.name] = c.name.includes('adam')
      ? (times.get(c.name)!.median / UPDATES) * 1e6
      : us(c.name, Number(c.name.split('b')[1]));

  const rows: Row[] = [];
  for (const b of BATCHES) {
    const row: Row = { figure: `MLP step, batch ${b} (µs)` };
    for (const nt of threadCounts) row[`${nt} thread${nt > 1 ? 's' : ''}`] = fmt(microseconds[`${nt}t b${b}`]);
    row['CPU µs, 1 thread'] = fmt(median(cpuMicroseconds.get(`1t b${b}`) ?? [NaN]));
    row['kernel calls'] = fmt(calls.get(`1t b${b}`) ?? 0);
    row['2 vs 1 thread'] = threaded ? fmtRatio(microseconds[`1t b${b}`], microseconds[`2t b${b}`]) : '-';
    rows.push(row);
  }
  // The line through batch 1 and 32: time = fixed + perSample * batch.
  const fixed: Row = { figure: 'fixed cost per step (µs)' };
  const perSample: Row = { figure: 'cost per sample (µs)' };
  for (const nt of threadCounts) {
    const [t1, t32] = [microseconds[`${nt}t b1`], microseconds[`${nt}t b32`]];
    const col = `${nt} thread${nt > 1 ? 's' : ''}`;
    perSample[col] = fmt((t32 - t1) / 31);
    fixed[col] = fmt(t1 - (t32 - t1) / 31);
  }
  const [c1, c32] = [1, 32].map((b) => median(cpuMicroseconds.get(`1t b${b}`) ?? [NaN]));
  fixed['CPU µs, 1 thread'] = fmt(c1 - (c32 - c1) / 31);
  perSample['CPU µs, 1 thread'] = fmt((c32 - c1) / 31);
  const optimizer: Row = { figure: 'of which the Adam update, all weights, one pass (µs)' };
  const twoPass: Row = { figure: 'the Adam update with a checking pass first (µs)' };
  for (const nt of threadCounts) {
    const col = `${nt} thread${nt > 1 ? 's' : ''}`;
    optimizer[col] = fmt(microseconds[`${nt}t adam`]);
    twoPass[col] = fmt(microseconds[`${nt}t adam two-pass`]);
  }
  optimizer['CPU µs, 1 thread'] = fmt(median(cpuMicroseconds.get('1t adam') ?? [NaN]));
  twoPass['CPU µs, 1 thread'] = fmt(median(cpuMicroseconds.get('1t adam two-pass') ?? [NaN]));
  optimizer['kernel calls'] = fmt(adamCalls.get('adam') ?? 0);
  twoPass['kernel calls'] = fmt(adamCalls.get('adam two-pass') ?? 0);
  if (threaded) {
    optimizer['2 vs 1 thread'] = fmtRatio(microseconds['1t adam'], microseconds['2t adam']);
    twoPass['2 vs 1 thread'] = fmtRatio(microseconds['1t adam two-pass'], microseconds['2t adam two-pass']);
  }
  rows.push(fixed, optimizer, twoPass, perSample);

  // Where a batch-8 step goes, on 1 thread.
  setThreadsCount(1);
  await ready();
  const s8 = setups.get(8)!;
  const breakdown = await stepBreakdown(
    () => s8.model.fit(s8.x, s8.y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 }).then(() => undefined),
    STEPS[8],
  );
  updated.dispose();
  adam.dispose();
  for (const g of Object.values(gradients)) g.dispose();
  for (const s of setups.values()) s.dispose();
  setThreadsCount(getThreadsCount());
  return { rows, microseconds, breakdown };
}

if (isMain(import.meta.url)) {
  benchStep().then(({ rows, breakdown }) => {
    printTable(rows);
    console.log('\nWhere a batch-8 step goes (1 thread, instrumented run):\n');
    printTable(breakdown);
    process.exit(0);
  });
}
