// GEMM throughput: Ferrite's naive loop, scalar build, SIMD build (and the threaded build
// with 2 threads where it runs) against TensorFlow.js's wasm backend, in GFLOP/s
// (2·M·N·K / median time), for all four transpose modes and the GEMMs of a Dense layer's
// training step (reference program P1). Contenders are timed interleaved, round after
// round, in one process, after a warm-up (V8 starts wasm in a baseline tier and only
// later swaps in optimised code), so load from other processes hits them alike.
//
//   npx tsx bench/gemm.ts        (about a minute and a half)

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { engine, getBackend, ready, setBackendSync, setThreadsCount, type Engine } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { matMul } from '../ts/ops/matmul.js';
import { tensor } from '../ts/tensor/creation.js';
import type { Tensor } from '../ts/tensor/tensor.js';

export type Row = Record<string, string | number>;

type Mode = 'NN' | 'NT' | 'TN' | 'TT';
const MODES: Mode[] = ['NN', 'NT', 'TN', 'TT'];

interface Shape {
  m: number;
  n: number;
  k: number;
}

/** One thing being timed: `run` does one product; `dispose` frees what setup made. */
interface Contender {
  name: string;
  run: () => void;
  dispose: () => void;
}

function randomData(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  return x;
}

/** Stored sizes of A and B for a mode: A is (M, K) or (K, M), B is (K, N) or (N, K). */
function storedShapes({ m, n, k }: Shape, mode: Mode): { a: [number, number]; b: [number, number] } {
  return { a: mode[0] === 'T' ? [k, m] : [m, k], b: mode[1] === 'T' ? [n, k] : [k, n] };
}

/** Calls a core GEMM export directly on buffers in the engine's memory. */
function coreGemm(eng: Engine, name: string, kernel: 'fe_gemm' | 'fe_gemm_naive', shape: Shape, mode: Mode): Contender {
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
    run: () => fn(ta, tb, m, n, k, 1, pa, a[1], pb, b[1], 0, pc, n),
    dispose: () => {
      eng.free(pa, m * k * 4);
      eng.free(pb, k * n * 4);
      eng.free(pc, m * n * 4);
    },
  };
}

/** Ferrite's matMul op on tensors (validation, output allocation and the kernel). */
function ferriteOp(name: string, build: BuildName, shape: Shape, mode: Mode): Contender {
  setBackendSync(build);
  const { a, b } = storedShapes(shape, mode);
  const ta = tensor(randomData(a[0] * a[1], 1), a);
  const tb = tensor(randomData(b[0] * b[1], 2), b);
  return {
    name,
    run: () => matMul(ta, tb, mode[0] === 'T', mode[1] === 'T').dispose(),
    dispose: () => {
      ta.dispose();
      tb.dispose();
    },
  };
}

function tfjsOp(shape: Shape, mode: Mode): Contender {
  const { a, b } = storedShapes(shape, mode);
  const ta = tf.tensor2d(randomData(a[0] * a[1], 1), a);
  const tb = tf.tensor2d(randomData(b[0] * b[1], 2), b);
  return {
    name: 'tfjs',
    // The wasm backend computes synchronously inside the call.
    run: () => tf.matMul(ta, tb, mode[0] === 'T', mode[1] === 'T').dispose(),
    dispose: () => {
      ta.dispose();
      tb.dispose();
    },
  };
}

/**
 * Times contenders interleaved: each sample repeats `run` enough to last ~25 ms; rounds
 * go through every contender in turn until each has its samples (3 to 9 within the
 * budget; a single one for calls over a second). Returns median GFLOP/s.
 */
function measure(contenders: Contender[], flops: number, budgetMs = 2500): Map<string, number> {
  const plans = contenders.map((c) => {
    c.run();
    const t0 = performance.now();
    c.run();
    c.run();
    const once = Math.max((performance.now() - t0) / 2, 1e-3);
    const reps = Math.max(1, Math.round(25 / once));
    // TF.js's transposed products at 1024^3 take seconds: one sample of those is plenty.
    const fewest = once > 1000 ? 1 : 3;
    const samples = Math.max(fewest, Math.min(9, Math.floor(budgetMs / (reps * once))));
    return { c, reps, samples, times: [] as number[] };
  });
  for (let round = 0; plans.some((p) => p.times.length < p.samples); round++) {
    for (const p of plans) {
      if (p.times.length >= p.samples) continue;
      const t0 = performance.now();
      for (let i = 0; i < p.reps; i++) p.c.run();
      p.times.push((performance.now() - t0) / p.reps);
    }
  }
  const out = new Map<string, number>();
  for (const p of plans) {
    p.times.sort((x, y) => x - y);
    out.set(p.c.name, flops / (p.times[p.times.length >> 1] * 1e6));
  }
  return out;
}

/** Runs every contender's kernels for a while so V8 has tiered them up before timing. */
function warmUp(builds: BuildName[]): void {
  const small: Shape = { m: 96, n: 96, k: 96 };
  const skinny: Shape[] = [
    { m: 8, n: 96, k: 96 },
    { m: 96, n: 8, k: 96 },
  ];
  const deadline = performance.now() + 1500;
  while (performance.now() < deadline) {
    for (const mode of MODES) {
      const cs = [
        ...builds.flatMap((b) => [small, ...skinny].map((s) => coreGemm(engineFor(b), b, 'fe_gemm', s, mode))),
        coreGemm(engineFor('simd'), 'naive', 'fe_gemm_naive', { m: 32, n: 32, k: 32 }, mode),
        ferriteOp('op', 'simd', { m: 16, n: 16, k: 16 }, mode),
        tfjsOp(small, mode),
        tfjsOp({ m: 16, n: 16, k: 16 }, mode),
      ];
      for (const c of cs) {
        for (let i = 0; i < 20; i++) c.run();
        c.dispose();
      }
    }
  }
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

const fmt = (x: number | undefined) => (x === undefined ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

export async function benchGemm(): Promise<Row[]> {
  await tf.setBackend('wasm');
  await tf.ready();
  const previous = getBackend();
  const builds: BuildName[] = ['scalar', 'simd'];
  let previousThreads = 0;
  if (threadsSupported()) {
    setBackendSync('simd-threads');
    previousThreads = engine().pool?.requested ?? 0;
    setThreadsCount(2);
    await ready();
    builds.push('simd-threads');
  }
  const label = (b: BuildName) => (b === 'simd-threads' ? 'simd x2' : b);
  warmUp(builds);

  const rows: Row[] = [];
  // Square sizes, every transpose mode: naive (up to 512: it takes seconds beyond),
  // each build, and TF.js at 1024.
  for (const size of [256, 512, 1024]) {
    const shape = { m: size, n: size, k: size };
    for (const mode of MODES) {
      const cs = builds.map((b) => coreGemm(engineFor(b), label(b), 'fe_gemm', shape, mode));
      if (size <= 512) cs.push(coreGemm(engineFor('simd'), 'naive', 'fe_gemm_naive', shape, mode));
      if (size === 1024) cs.push(tfjsOp(shape, mode));
      const g = measure(cs, 2 * size ** 3);
      cs.forEach((c) => c.dispose());
      const row: Row = { shape: `${size}^3`, mode, naive: fmt(g.get('naive')) };
      for (const b of builds) row[label(b)] = fmt(g.get(label(b)));
      row.tfjs = fmt(g.get('tfjs'));
      row['simd/tfjs'] = g.has('tfjs') ? `${fmt(g.get('simd')! / g.get('tfjs')!)}x` : '-';
      rows.push(row);
    }
  }

  // The GEMMs of one P1 training step (Dense 784->128, Dense 128->10, batch 32):
  // forward X·W, dX = dY·Wᵀ (NT), dW = Xᵀ·dY (TN). Kernel alone and through the op,
  // against tf.matMul (which includes its own op overhead).
  const p1: [string, Mode, Shape][] = [
    ['fwd 32x784 · 784x128', 'NN', { m: 32, n: 128, k: 784 }],
    ['fwd 32x128 · 128x10', 'NN', { m: 32, n: 10, k: 128 }],
    ['dX 32x128 · (784x128)ᵀ', 'NT', { m: 32, n: 784, k: 128 }],
    ['dX 32x10 · (128x10)ᵀ', 'NT', { m: 32, n: 128, k: 10 }],
    ['dW (32x784)ᵀ · 32x128', 'TN', { m: 784, n: 128, k: 32 }],
    ['dW (32x128)ᵀ · 32x10', 'TN', { m: 128, n: 10, k: 32 }],
  ];
  for (const [name, mode, shape] of p1) {
    const cs = [
      ...builds.map((b) => coreGemm(engineFor(b), label(b), 'fe_gemm', shape, mode)),
      ferriteOp('simd matMul', 'simd', shape, mode),
      tfjsOp(shape, mode),
    ];
    const g = measure(cs, 2 * shape.m * shape.n * shape.k, 1000);
    cs.forEach((c) => c.dispose());
    const row: Row = { shape: name, mode, naive: '-' };
    for (const b of builds) row[label(b)] = fmt(g.get(label(b)));
    row['simd matMul'] = fmt(g.get('simd matMul'));
    row.tfjs = fmt(g.get('tfjs'));
    row['simd/tfjs'] = `${fmt(g.get('simd matMul')! / g.get('tfjs')!)}x`;
    rows.push(row);
  }
  if (previousThreads > 0) setThreadsCount(previousThreads);
  setBackendSync(previous);
  return rows;
}

function printTable(rows: Row[]): void {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (r: Row, c: string) => String(r[c] ?? '-');
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (cells: string[]) =>
    cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  console.log(line(cols));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(cols.map((c) => cell(r, c))));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = performance.now();
  const rows = await benchGemm();
  console.log('GEMM, GFLOP/s (2·M·N·K / median time); simd/tfjs = Ferrite SIMD (1 thread) over TF.js wasm (1 thread)');
  console.log('P1 rows: simd/tfjs compares the ops (matMul vs tf.matMul), op overhead included\n');
  printTable(rows);
  console.log(`\n(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(0);
}
