// The thread pool: the cost of an empty parallel dispatch, and GEMM with 1 and 2
// threads (the ratio is the scaling), interleaved in one process.
//
//   npx tsx bench/threads.ts

import { engine, ready, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import { randomUniform } from '../ts/ops/random.js';
import { fmt, fmtRatio, printTable, type Row } from './table.js';
import { timeInterleaved, warmUp, type Timed } from './timing.js';
import { isMain } from './util.js';

const SHAPES: [number, number, number][] = [
  [1024, 1024, 1024],
  [256, 256, 256],
  // The Fashion-MNIST MLP's forward and backward GEMMs at batch 32: small, so they show whether the
  // split threshold keeps small work on one thread.
  [32, 128, 784],
  [784, 128, 32],
];

export async function benchThreads(): Promise<Row[]> {
  if (!threadsSupported())
    return [{ figure: 'threads', '1 thread': 'not supported here', '2 threads': '-', ratio: '-' }];
  setThreadsCount(2);
  setBackendSync('simd-threads');
  await ready();
  const core = engine().core;
  const threads = (n: number) => async () => {
    setThreadsCount(n);
    await ready();
  };
  const rows: Row[] = [];

  // Empty dispatch: 10,000 jobs of 2 items each; with 1 thread the job runs inline.
  const N = 10_000;
  const noop: Timed[] = [1, 2].map((n) => ({
    name: `${n}`,
    before: threads(n),
    run: () => {
      for (let i = 0; i < N; i++) core.fe_parallel_noop(2);
    },
  }));
  await warmUp(noop, 300);
  const t = await timeInterleaved(noop, 9);
  rows.push({
    figure: 'empty parallel dispatch (µs)',
    '1 thread': fmt((t.get('1')!.median / N) * 1e6),
    '2 threads': fmt((t.get('2')!.median / N) * 1e6),
    ratio: '-',
  });

  for (const [m, n, k] of SHAPES) {
    const a = randomUniform([m, k], -1, 1);
    const b = randomUniform([k, n], -1, 1);
    const c = randomUniform([m, n], -1, 1);
    const reps = Math.max(1, Math.round(2e9 / (2 * m * n * k) / 20));
    const gemm: Timed[] = [1, 2].map((nt) => ({
      name: `${nt}`,
      before: threads(nt),
      run: () => {
        for (let r = 0; r < reps; r++) core.fe_gemm(0, 0, m, n, k, 1, a.ptr, k, b.ptr, n, 0, c.ptr, n);
      },
    }));
    await warmUp(gemm, 400);
    const times = await timeInterleaved(gemm, 9);
    const gflops = (nt: string) => (2 * m * n * k * reps) / times.get(nt)!.median / 1e9;
    rows.push({
      figure: `GEMM ${m}x${n}x${k} (GFLOP/s)`,
      '1 thread': fmt(gflops('1')),
      '2 threads': fmt(gflops('2')),
      ratio: fmtRatio(gflops('2'), gflops('1')),
    });
    a.dispose();
    b.dispose();
    c.dispose();
  }
  setThreadsCount(2);
  return rows;
}

if (isMain(import.meta.url)) {
  benchThreads().then((rows) => {
    printTable(rows);
    process.exit(0);
  });
}
