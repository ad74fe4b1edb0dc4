// GEMM throughput: Ferrite's naive loop, scalar build, SIMD build (and the threaded build
// with 2 threads where it runs) against TensorFlow.js's wasm backend, in GFLOP/s
// (2·M·N·K / median time), for all four transpose modes and the GEMMs of a Dense layer's
// training step (the Fashion-MNIST MLP's, examples/fashion-mnist-mlp.ts). Contenders are timed interleaved, round after
// round, in one process, after a warm-up (V8 starts wasm in a baseline tier and only
// later swaps in optimised code), so load from other processes hits them alike.
//
// A second table times the threaded build on 1 and 2 threads side by side (the pool is
// switched between runs of one process), every layout of square sizes from 64^3 to 2048^3
// and of the products the models run: the MLP's 32x784·784x128 and its transposes, the LSTM's
// 2048x256·256x2048 and 64x512·512x2048, and the text model's Dense 2048x512·512x10000.
// Products too small to split today also run split over 2 threads by force (`x2 forced`).
//
//   npx tsx bench/gemm.ts                    (both tables, about four minutes)
//   npx tsx bench/gemm.ts --table builds     (the first table only)
//   npx tsx bench/gemm.ts --table threads [--shapes 64,1024,p5]   (the second, some rows)
//   node --experimental-wasm-relaxed-simd --import tsx bench/gemm.ts
//                                (adds the relaxed-SIMD builds and their speed over the plain ones)

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { engine, setBackendSync, setThreadsCount, type Engine } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { matMul } from '../ts/ops/matmul.js';
import { tensor } from '../ts/tensor/creation.js';
import { fmt, fmtRatio, printTable, type Row } from './table.js';
import { gflopsPerSecond, warmUpTogether, type FlopsContender } from './timing.js';
import { buildsToCompare, isMain, onThreads, randomData, relaxedRatios } from './util.js';
import { argValue } from '../examples/program.js';

type Mode = 'NN' | 'NT' | 'TN' | 'TT';
const MODES: Mode[] = ['NN', 'NT', 'TN', 'TT'];

interface Shape {
  m: number;
  n: number;
  k: number;
}

const flopsOf = ({ m, n, k }: Shape): number => 2 * m * n * k;

/** Stored sizes of A and B for a mode: A is (M, K) or (K, M), B is (K, N) or (N, K). */
function storedShapes({ m, n, k }: Shape, mode: Mode): { a: [number, number]; b: [number, number] } {
  return { a: mode[0] === 'T' ? [k, m] : [m, k], b: mode[1] === 'T' ? [n, k] : [k, n] };
}

/** Calls a core GEMM export directly on buffers in the engine's memory. */
function coreGemm(
  eng: Engine,
  name: string,
  kernel: 'fe_gemm' | 'fe_gemm_naive',
  shape: Shape,
  mode: Mode,
): FlopsContender {
  const { m, n, k } = shape;
  const { a, b } = storedShapes(shape, mode);
  const pa = eng.alloc(m * k * 4);
  const pb = eng.alloc(k * n * 4);
  const pc = eng.alloc(m * n * 4);
  eng.f32.set(randomData(m * k, 1), pa >> 2);
  eng.f32.set(randomData(k * n, 2), pb >> 2);
  const ta = mode[0] === 'T' ? 1 : 0;
  const tb = mode[1] === 'T' ? 1 : 0;
  const fn = eng.core[kernel];
  return {
    name,
    flops: flopsOf(shape),
    run: () => fn(ta, tb, m, n, k, 1, pa, a[1], pb, b[1], 0, pc, n),
    dispose: () => {
      eng.free(pa, m * k * 4);
      eng.free(pb, k * n * 4);
      eng.free(pc, m * n * 4);
    },
  };
}

/** Ferrite's matMul op on tensors (validation, output allocation and the kernel). */
function ferriteOp(name: string, build: BuildName, shape: Shape, mode: Mode): FlopsContender {
  setBackendSync(build);
  const { a, b } = storedShapes(shape, mode);
  const ta = tensor(randomData(a[0] * a[1], 1), a);
  const tb = tensor(randomData(b[0] * b[1], 2), b);
  return {
    name,
    flops: flopsOf(shape),
    run: () => matMul(ta, tb, mode[0] === 'T', mode[1] === 'T').dispose(),
    dispose: () => {
      ta.dispose();
      tb.dispose();
    },
  };
}

function tfjsOp(shape: Shape, mode: Mode): FlopsContender {
  const { a, b } = storedShapes(shape, mode);
  const ta = tf.tensor2d(randomData(a[0] * a[1], 1), a);
  const tb = tf.tensor2d(randomData(b[0] * b[1], 2), b);
  return {
    name: 'tfjs',
    flops: flopsOf(shape),
    // The wasm backend computes synchronously inside the call.
    run: () => tf.matMul(ta, tb, mode[0] === 'T', mode[1] === 'T').dispose(),
    dispose: () => {
      ta.dispose();
      tb.dispose();
    },
  };
}

/** Runs every contender's kernels for a while so V8 has tiered them up before timing. */
function warmUp(builds: BuildName[], ms: number): void {
  const small: Shape = { m: 96, n: 96, k: 96 };
  const skinny: Shape[] = [
    { m: 8, n: 96, k: 96 },
    { m: 96, n: 8, k: 96 },
  ];
  const tiny: Shape = { m: 16, n: 16, k: 16 };
  const cs = MODES.flatMap((mode) => [
    ...builds.flatMap((b) => [small, ...skinny].map((s) => coreGemm(engineFor(b), b, 'fe_gemm', s, mode))),
    coreGemm(engineFor('simd'), 'naive', 'fe_gemm_naive', { m: 32, n: 32, k: 32 }, mode),
    ferriteOp('op', 'simd', tiny, mode),
    tfjsOp(small, mode),
    tfjsOp(tiny, mode),
  ]);
  warmUpTogether(cs, ms);
  cs.forEach((c) => c.dispose());
}

const engines = new Map<BuildName, Engine>();
function engineFor(build: BuildName): Engine {
  let e = engines.get(build);
  if (!e) {
    setBackendSync(build);
    e = engine();
    engines.set(build, e);
  }
  return e;
}

/**
 * The first table: every build and TF.js wasm on square sizes and the MLP step's products.
 * `quick` times 256³ (TF.js too: its TN and TT take ~10 s a call at 1024³) and the MLP rows,
 * on a tenth of the time budget (a smoke run).
 */
export async function benchGemm(opts: { quick?: boolean } = {}): Promise<Row[]> {
  const quick = opts.quick ?? false;
  await tf.setBackend('wasm');
  await tf.ready();
  const builds = await buildsToCompare({ relaxed: true, oneThread: true });
  warmUp(
    builds.map((b) => b.build),
    quick ? 200 : 1500,
  );

  const rows: Row[] = [];
  // Square sizes, every transpose mode: naive (up to 512: it takes seconds beyond),
  // each build, and TF.js at 1024.
  const tfjsSize = quick ? 256 : 1024;
  for (const size of quick ? [256] : [256, 512, 1024]) {
    const shape = { m: size, n: size, k: size };
    for (const mode of MODES) {
      const cs = builds.map((b) => onThreads(b, coreGemm(engineFor(b.build), b.label, 'fe_gemm', shape, mode)));
      if (size <= 512) cs.push(coreGemm(engineFor('simd'), 'naive', 'fe_gemm_naive', shape, mode));
      if (size === tfjsSize) cs.push(tfjsOp(shape, mode));
      const g = gflopsPerSecond(cs, quick ? 250 : 2500);
      cs.forEach((c) => c.dispose());
      const row: Row = { shape: `${size}^3`, mode, naive: fmt(g.get('naive')) };
      for (const b of builds) row[b.label] = fmt(g.get(b.label));
      row.tfjs = fmt(g.get('tfjs'));
      row['simd/tfjs'] = fmtRatio(g.get('simd'), g.get('tfjs'));
      Object.assign(
        row,
        relaxedRatios(builds, (l) => g.get(l)),
      );
      rows.push(row);
    }
  }

  // The GEMMs of one Fashion-MNIST MLP training step (Dense 784->128, Dense 128->10,
  // batch 32): forward X·W, dX = dY·Wᵀ (NT), dW = Xᵀ·dY (TN). Kernel alone and through
  // the op, against tf.matMul (which includes its own op overhead).
  const mlpStep: [string, Mode, Shape][] = [
    ['fwd 32x784 · 784x128', 'NN', { m: 32, n: 128, k: 784 }],
    ['fwd 32x128 · 128x10', 'NN', { m: 32, n: 10, k: 128 }],
    ['dX 32x128 · (784x128)ᵀ', 'NT', { m: 32, n: 784, k: 128 }],
    ['dX 32x10 · (128x10)ᵀ', 'NT', { m: 32, n: 128, k: 10 }],
    ['dW (32x784)ᵀ · 32x128', 'TN', { m: 784, n: 128, k: 32 }],
    ['dW (32x128)ᵀ · 32x10', 'TN', { m: 128, n: 10, k: 32 }],
  ];
  for (const [name, mode, shape] of mlpStep) {
    const cs = [
      ...builds.map((b) => onThreads(b, coreGemm(engineFor(b.build), b.label, 'fe_gemm', shape, mode))),
      ferriteOp('simd matMul', 'simd', shape, mode),
      tfjsOp(shape, mode),
    ];
    const g = gflopsPerSecond(cs, quick ? 100 : 1000);
    cs.forEach((c) => c.dispose());
    const row: Row = { shape: name, mode, naive: '-' };
    for (const b of builds) row[b.label] = fmt(g.get(b.label));
    row['simd matMul'] = fmt(g.get('simd matMul'));
    row.tfjs = fmt(g.get('tfjs'));
    row['simd/tfjs'] = fmtRatio(g.get('simd matMul'), g.get('tfjs'));
    Object.assign(
      row,
      relaxedRatios(builds, (l) => g.get(l)),
    );
    rows.push(row);
  }
  setThreadsCount(2);
  setBackendSync('simd');
  return rows;
}

/** The products of the threads table, by group name (`--shapes` picks groups or square sizes). */
const THREAD_SHAPES: Record<string, [string, Shape][]> = {
  // The MLP's Dense 784->128 at batch 32: forward, dX (32x128·128x784) and dW (784x32·32x128).
  mlp: [
    ['32x784·784x128', { m: 32, n: 128, k: 784 }],
    ['32x128·128x784', { m: 32, n: 784, k: 128 }],
    ['784x32·32x128', { m: 784, n: 128, k: 32 }],
  ],
  lstm: [
    ['2048x256·256x2048', { m: 2048, n: 2048, k: 256 }],
    ['64x512·512x2048', { m: 64, n: 2048, k: 512 }],
  ],
  // The text model's Dense: forward (2048x512·512x10000), dX (2048x10000·10000x512) and
  // dW (512x2048·2048x10000), each in every layout.
  p5: [
    ['2048x512·512x10000', { m: 2048, n: 10000, k: 512 }],
    ['2048x10000·10000x512', { m: 2048, n: 512, k: 10000 }],
    ['512x2048·2048x10000', { m: 512, n: 10000, k: 2048 }],
  ],
  // The text model's Dense weight gradient alone (the p5 group's slowest row to scale).
  p5dw: [['512x2048·2048x10000', { m: 512, n: 10000, k: 2048 }]],
};

/** Multiply-adds from which the GEMM splits over 2 threads: 2 x MIN_WORK_PER_THREAD (gemm.rs). */
const SPLIT_FROM = 2 * 2 ** 22;

/**
 * GFLOP/s of the threaded build's fe_gemm on 1 and 2 threads, timed interleaved in this
 * process (the pool's thread count is switched before each run), every layout.
 */
export async function benchGemmThreads(groups: string[]): Promise<Row[]> {
  setThreadsCount(2);
  setBackendSync('simd-threads');
  const eng = engine();
  await eng.pool!.whenReady();
  const shapes: [string, Shape][] = groups.flatMap((g) => {
    const size = Number(g);
    return Number.isInteger(size) && size > 0
      ? [[`${size}^3`, { m: size, n: size, k: size }]]
      : (THREAD_SHAPES[g] ?? []);
  });
  // `forced` splits even a product the GEMM keeps on one thread (MIN_WORK_PER_THREAD in
  // gemm.rs), to show what a split would give there.
  const onThreads = (c: FlopsContender, threads: number, forced = false): FlopsContender => ({
    ...c,
    name: `x${threads}${forced ? ' forced' : ''}`,
    run: () => {
      eng.pool!.setThreads(threads);
      eng.core.fe_debug_force_split(forced ? 1 : 0);
      c.run();
    },
  });
  warmUpTogether(
    MODES.flatMap((mode) =>
      [1, 2].map((t) => onThreads(coreGemm(eng, '', 'fe_gemm', { m: 96, n: 96, k: 96 }, mode), t)),
    ),
    1500,
  );
  const rows: Row[] = [];
  for (const [name, shape] of shapes) {
    for (const mode of MODES) {
      const cs = [1, 2].map((t) => onThreads(coreGemm(eng, '', 'fe_gemm', shape, mode), t));
      const small = flopsOf(shape) < 2 * SPLIT_FROM;
      if (small) cs.push(onThreads(coreGemm(eng, '', 'fe_gemm', shape, mode), 2, true));
      const g = gflopsPerSecond(cs, flopsOf(shape) > 1e10 ? 4000 : 1500);
      eng.core.fe_debug_force_split(0);
      cs.forEach((c) => c.dispose());
      rows.push({
        shape: name,
        mode,
        x1: fmt(g.get('x1')),
        x2: fmt(g.get('x2')),
        'x2/x1': fmtRatio(g.get('x2'), g.get('x1')),
        'x2 forced/x1': small ? fmtRatio(g.get('x2 forced'), g.get('x1')) : '-',
      });
    }
  }
  setThreadsCount(2);
  return rows;
}

if (isMain(import.meta.url)) {
  const t0 = performance.now();
  const table = argValue('table');
  if (table !== 'threads') {
    const rows = await benchGemm();
    console.log(
      'GEMM, GFLOP/s (2·M·N·K / median time); simd/tfjs = Ferrite SIMD (1 thread) over TF.js wasm (1 thread)',
    );
    console.log(
      'Fashion-MNIST MLP step rows: simd/tfjs compares the ops (matMul vs tf.matMul), op overhead included\n',
    );
    printTable(rows);
  }
  if (table !== 'builds' && threadsSupported()) {
    const groups = (argValue('shapes') ?? '64,256,512,1024,2048,mlp,lstm,p5').split(',');
    const rows = await benchGemmThreads(groups);
    console.log(
      '\nGEMM on the threaded SIMD build, GFLOP/s (2·M·N·K / median time) on 1 and 2 threads, timed interleaved\n',
    );
    printTable(rows);
  }
  console.log(`\n(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(0);
}
