// The thread pool: the cost of an empty parallel dispatch, the break-even size of each
// threaded kernel family (elementwise, reductions, softmax, loss, optimizer update,
// bias-add), and GEMM with 1 and 2 threads (the ratio is the scaling), interleaved in one
// process.
//
// Break-even: each kernel is timed at sizes 2^10 .. 2^20 on 1 thread and split over 2
// (forced, whatever its own threshold: `fe_debug_force_split`); the table gives the
// 2-thread speed-up per size and the smallest size from which splitting is at least 10 %
// faster, beside the size where the kernel splits today. The kernels' thresholds
// (`MIN_ELEMS_PER_THREAD` and the GRAIN constants in core-rs) are set from this table.
//
//   npx tsx bench/threads.ts

import { engine, ready, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import { randomUniform } from '../ts/ops/random.js';
import { add } from '../ts/ops/arithmetic.js';
import { sum } from '../ts/ops/reduce.js';
import { ReduceOp, UpdatePass } from '../ts/backend/core-abi.js';
import type { Tensor } from '../ts/tensor/tensor.js';
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

/**
 * The threaded build's core on 2 threads, and `threads(n)`: a step for the timed rounds that
 * switches the pool to n threads.
 */
async function threadedEngine(): Promise<{
  core: ReturnType<typeof engine>['core'];
  threads: (n: number) => () => Promise<void>;
}> {
  setThreadsCount(2);
  setBackendSync('simd-threads');
  await ready();
  const threads = (n: number) => async () => {
    setThreadsCount(n);
    await ready();
  };
  return { core: engine().core, threads };
}

export async function benchThreads(): Promise<Row[]> {
  if (!threadsSupported())
    return [{ figure: 'threads', '1 thread': 'not supported here', '2 threads': '-', ratio: '-' }];
  const { core, threads } = await threadedEngine();
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
  (async () => {
    printTable(await benchThreads());
    console.log('\n2-thread speed-up of each kernel family by size (elements), split forced:\n');
    printTable(await benchBreakEven());
    process.exit(0);
  })();
}

/** Sizes (elements) the break-even table times: 2^10 .. 2^20. */
const SIZES = [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20];

/** A kernel family at a size: its run, and the size from which it splits over 2 threads today. */
interface Family {
  name: string;
  /** Elements from which the kernel uses 2 threads without forcing (its current threshold). */
  splitsAt: number;
  make: (n: number) => { run: () => void; dispose: () => void };
}

/** Rows of width 128 (the MLP's hidden layer), as many as make n elements. */
const rowsOf = (n: number, cols = 128) => Math.max(1, Math.round(n / cols));

function families(): Family[] {
  const core = engine().core;
  const buf = (n: number) => randomUniform([n], -1, 1);
  const free =
    (...ts: Tensor[]) =>
    () =>
      ts.forEach((t) => t.dispose());
  return [
    {
      name: 'elementwise (relu)',
      splitsAt: 2 << 18,
      make: (n) => {
        const [x, y] = [buf(n), buf(n)];
        return { run: () => core.fe_relu_forward(x.ptr, y.ptr, n), dispose: free(x, y) };
      },
    },
    {
      name: 'bias add ([n/128, 128] + [128])',
      splitsAt: 2 << 18,
      make: (n) => {
        const x = randomUniform([rowsOf(n), 128], -1, 1);
        const b = buf(128);
        return { run: () => add(x, b).dispose(), dispose: free(x, b) };
      },
    },
    {
      name: 'row sum ([n/128, 128] -> [n/128])',
      splitsAt: 2 << 18,
      make: (n) => {
        const x = buf(n);
        const y = buf(rowsOf(n));
        const r = rowsOf(n);
        return { run: () => core.fe_reduce(ReduceOp.SUM, x.ptr, y.ptr, r, 128, 1, 1), dispose: free(x, y) };
      },
    },
    {
      name: 'bias gradient (column sum)',
      splitsAt: 2 << 20,
      make: (n) => {
        const x = randomUniform([rowsOf(n), 128], -1, 1);
        return { run: () => sum(x, 0).dispose(), dispose: free(x) };
      },
    },
    {
      name: 'softmax ([n/128, 128])',
      splitsAt: 2 << 12,
      make: (n) => {
        const [x, y] = [buf(n), buf(n)];
        return { run: () => core.fe_softmax_forward(x.ptr, y.ptr, rowsOf(n), 128, 1), dispose: free(x, y) };
      },
    },
    {
      name: 'softmax cross-entropy ([n/10, 10])',
      splitsAt: 2 << 12,
      make: (n) => {
        const r = rowsOf(n, 10);
        const x = buf(r * 10);
        const labels = engine().alloc(r * 4);
        const l = new Int32Array(engine().memory.buffer, labels, r);
        for (let i = 0; i < r; i++) l[i] = i % 10;
        const loss = buf(r);
        return {
          run: () => core.fe_sparse_softmax_ce_forward(labels, 0, x.ptr, loss.ptr, r, 10),
          dispose: () => {
            free(x, loss)();
            engine().free(labels, r * 4);
          },
        };
      },
    },
    {
      name: 'Adam update',
      splitsAt: 2 << 15,
      make: (n) => {
        const [p, g, m] = [buf(n), buf(n), buf(n)];
        const v = randomUniform([n], 0, 1); // a second moment is >= 0
        return {
          run: () =>
            core.fe_adam_update(p.ptr, g.ptr, m.ptr, v.ptr, 0, n, 1e-9, 0.9, 0.999, 1e-7, 0, UpdatePass.COMMIT, 0),
          dispose: free(p, g, m, v),
        };
      },
    },
  ];
}

/** The break-even table: per family, the 2-thread speed-up at each size and the size where splitting starts to pay. */
export async function benchBreakEven(): Promise<Row[]> {
  if (!threadsSupported()) return [{ figure: 'break-even', '2^10': 'threads not supported here' }];
  const { core, threads } = await threadedEngine();
  const rows: Row[] = [];
  for (const fam of families()) {
    const row: Row = { figure: `break-even: ${fam.name}` };
    let pays: number | null = null;
    for (const n of SIZES) {
      const k = fam.make(n);
      // About 2 ms of work per timed run at 1 thread, at least 4 calls.
      const reps = Math.max(4, Math.round(2e6 / Math.max(n, 1024) / 2));
      const runs = (nt: number): Timed => ({
        name: `${nt}`,
        before: async () => {
          await threads(nt)();
          core.fe_debug_force_split(nt > 1 ? 1 : 0);
        },
        run: () => {
          for (let r = 0; r < reps; r++) k.run();
        },
      });
      const contenders = [runs(1), runs(2)];
      await warmUp(contenders, 60);
      const t = await timeInterleaved(contenders, 7);
      core.fe_debug_force_split(0);
      k.dispose();
      const speedup = t.get('1')!.median / t.get('2')!.median;
      row[sizeLabel(n)] = fmtRatio(t.get('1')!.median, t.get('2')!.median);
      if (pays === null && speedup >= 1.1) pays = n;
      if (speedup < 1.1) pays = null; // must hold from here up
    }
    row['pays from'] = pays === null ? '> 2^20' : sizeLabel(pays);
    row['splits today'] = sizeLabel(fam.splitsAt);
    rows.push(row);
  }
  setThreadsCount(2);
  return rows;
}

const sizeLabel = (n: number) => `2^${Math.log2(n).toFixed(0)}`;
