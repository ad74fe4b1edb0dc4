// Shared test helpers: run a suite on every wasm build, compare with tolerances, and
// check any op's gradient against central finite differences.

import { beforeAll, describe, expect } from 'vitest';
import { engine, ready, relaxedSimdSupported, setBackendSync, setThreadsCount } from '../../ts/backend/engine.js';
import { isThreadedBuild, type BuildName } from '../../ts/backend/wasm-files.js';
import { grads } from '../../ts/autograd/tape.js';
import { tidy } from '../../ts/tensor/scope.js';
import { tensor } from '../../ts/tensor/creation.js';
import { seededRandom } from '../../ts/data/shuffle.js';
import type { Tensor } from '../../ts/tensor/tensor.js';

export interface BuildConfig {
  build: BuildName;
  threads: number;
}

/**
 * The configurations every kernel suite runs on: each build, and the threaded one with 1, 2
 * and 3 threads; then, where the runtime has relaxed SIMD (vitest.config.ts passes Node
 * --experimental-wasm-relaxed-simd), the relaxed builds, threaded with 1 and 3 threads.
 */
export const BUILDS: BuildConfig[] = [
  { build: 'scalar', threads: 1 },
  { build: 'simd', threads: 1 },
  { build: 'simd-threads', threads: 1 },
  { build: 'simd-threads', threads: 2 },
  // More threads than this machine's 2 cores must still be correct.
  { build: 'simd-threads', threads: 3 },
  ...(relaxedSimdSupported()
    ? ([
        { build: 'simd-relaxed', threads: 1 },
        { build: 'simd-threads-relaxed', threads: 1 },
        { build: 'simd-threads-relaxed', threads: 3 },
      ] as const)
    : []),
];

export const buildLabel = ({ build, threads }: BuildConfig): string =>
  isThreadedBuild(build) ? `${build} x${threads}` : build;

/** Selects a build and, for a threaded one, its thread count. */
export async function selectBuild({ build, threads }: BuildConfig): Promise<void> {
  if (isThreadedBuild(build)) setThreadsCount(threads);
  setBackendSync(build);
  await ready();
}

/** Declares `fn`'s tests once per configuration in BUILDS, with that build and thread count selected. */
export function describeEachBuild(name: string, fn: (build: BuildName, threads: number) => void): void {
  for (const config of BUILDS) {
    describe(`${name} [${buildLabel(config)}]`, () => {
      beforeAll(() => selectBuild(config));
      fn(config.build, config.threads);
    });
  }
}

/** Runs fn in a tidy scope and returns its plain (non-tensor) result. */
export function scoped<T>(fn: () => T): T {
  let out!: T;
  tidy(() => {
    out = fn();
  });
  return out;
}

/** A seeded PRNG (mulberry32, the one `shuffle` uses) with output in [0, 1), so that test data is reproducible. */
export const rng: (seed: number) => () => number = seededRandom;

/** `n` uniform values in [lo, hi). */
export function randomArray(n: number, rand: () => number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
  return a;
}

export function randomTensor(shape: number[], rand: () => number, lo = -1, hi = 1): Tensor {
  return tensor(
    randomArray(
      shape.reduce((a, b) => a * b, 1),
      rand,
      lo,
      hi,
    ),
    shape,
  );
}

/** Asserts |actual - expected| <= atol + rtol * |expected| elementwise, reporting the worst index. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-5,
  atol = 1e-6,
  what = 'value',
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    // Equal values (infinities included, which cannot be subtracted) are close; NaN matches NaN.
    if (a === e) continue;
    if (Number.isNaN(e) ? !Number.isNaN(a) : !(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      const excess = Number.isNaN(a) ? Infinity : Math.abs(a - e) - (atol + rtol * Math.abs(e));
      if (worst < 0 || excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`,
    );
  }
}

export interface GradCheckOptions {
  /** Finite-difference step. */
  eps?: number;
  rtol?: number;
  atol?: number;
  /** At most this many elements per input are perturbed (spread evenly). */
  maxPerInput?: number;
  /** Indices of inputs to check (default all float32 inputs). */
  check?: number[];
  seed?: number;
}

/**
 * Checks the gradient autograd computes for `f` at `inputs` against central finite
 * differences of L = sum(f(inputs) * R), R a fixed random tensor (so every output
 * element contributes with a distinct weight). Differences are taken in float64 on
 * the JS side from float32 forward passes.
 */
export function checkGradients(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradCheckOptions = {}): void {
  const { eps = 1e-2, rtol = 2e-2, atol = 2e-3, maxPerInput = 24, seed = 7 } = opts;
  const rand = rng(seed);
  const probe = f(...inputs);
  const outShape = probe.shape;
  probe.dispose();
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const r = randomArray(outSize, rand, -1, 1);
  const loss = (): number => {
    const y = f(...inputs);
    const v = y.dataSync();
    y.dispose();
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * r[i];
    return s;
  };
  const dy = tensor(r, outShape);
  const analytic = tidy(() => grads(f)(inputs, dy)).map((g) => {
    const d = g.dataSync();
    g.dispose();
    return d;
  });
  dy.dispose();
  const which = opts.check ?? inputs.map((_, i) => i).filter((i) => inputs[i].dtype === 'float32');
  for (const k of which) {
    const x = inputs[k];
    const n = x.size;
    const step = Math.max(1, Math.floor(n / maxPerInput));
    const numeric: number[] = [];
    const picked: number[] = [];
    for (let i = 0; i < n; i += step) {
      const view = () => x.view();
      const orig = view()[i];
      view()[i] = orig + eps;
      const lp = loss();
      view()[i] = orig - eps;
      const lm = loss();
      view()[i] = orig;
      numeric.push((lp - lm) / (2 * eps));
      picked.push(analytic[k][i]);
    }
    expectClose(picked, numeric, rtol, atol, `gradient of input ${k} (shape [${x.shape.join(', ')}])`);
  }
}

/** Copies arrays into wasm memory, runs `fn` on their byte pointers, returns the arrays read back. */
export function withBuffers(arrays: Float32Array[], fn: (ptrs: number[]) => void): Float32Array[] {
  const eng = engine();
  const ptrs = arrays.map((x) => eng.alloc(x.length * 4));
  try {
    arrays.forEach((x, i) => eng.f32.set(x, ptrs[i] >> 2));
    fn(ptrs);
    return arrays.map((x, i) => eng.f32.slice(ptrs[i] >> 2, (ptrs[i] >> 2) + x.length));
  } finally {
    arrays.forEach((x, i) => eng.free(ptrs[i], x.length * 4));
  }
}
