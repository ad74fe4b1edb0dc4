// Randomized kernel test: random shapes, strides, paddings, dilations, transposes, axes and
// dtypes (int32 where the op takes it) through the public ops, on every build, against each kernel family's naive
// reference (the core's exported `_naive` kernels for GEMM, convolution and pooling;
// TypeScript references for the rest). Seeds are fixed, so a failure replays: the case's
// seed is in the assertion message. FERRITE_FUZZ_CASES=n runs n cases per family (default 12).

import { expect, it } from 'vitest';
import { describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { naivePool } from '../support/naive-pool.js';
import { binaryRef, reduceRef, ravel, sizeOf, unravel } from '../support/references.js';
import { engine } from '../../ts/backend/engine.js';
import { grads } from '../../ts/autograd/tape.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { DataType, Tensor } from '../../ts/tensor/tensor.js';
import {
  add,
  avgPool,
  gather,
  matMul,
  max,
  maxPool,
  mean,
  mul,
  softmax,
  sub,
  sum,
  transpose,
} from '../../ts/ops/index.js';
import { conv2d, geometryParams, windowGeometry, type Padding } from '../../ts/ops/conv.js';

const CASES = Number(process.env.FERRITE_FUZZ_CASES ?? 12);

/** Runs `CASES` seeded cases of one family, each in a tidy scope; asserts nothing leaked. */
function fuzz(family: string, seed0: number, body: (rand: () => number, seed: number) => void): void {
  it(`${family}: ${CASES} random cases against the naive reference`, () => {
    const before = memory().numTensors;
    for (let k = 0; k < CASES; k++) {
      const seed = seed0 * 1000 + k;
      tidy(() => body(rng(seed), seed));
    }
    expect(memory().numTensors).toBe(before);
  });
}

const int = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const shapeOf = (rand: () => number, rank: number, hi = 5): number[] =>
  Array.from({ length: rank }, () => int(rand, 1, hi));
function data(rand: () => number, n: number, dtype: DataType): Float32Array | Int32Array {
  return dtype === 'int32' ? Int32Array.from({ length: n }, () => int(rand, -20, 20)) : randomArray(n, rand);
}
/** A random padding: a mode or a number of zero rows and columns. */
const padding = (rand: () => number): Padding => pick(rand, ['valid', 'same', 0, 1, 2] as Padding[]);

describeEachBuild('kernel fuzz', () => {
  fuzz('gemm (matMul, every transpose)', 1, (rand, seed) => {
    const [m, n, k] = [int(rand, 1, 40), int(rand, 1, 40), int(rand, 1, 70)];
    const [ta, tb] = [rand() < 0.5, rand() < 0.5];
    const a = tensor(randomArray(m * k, rand), ta ? [k, m] : [m, k]);
    const b = tensor(randomArray(k * n, rand), tb ? [n, k] : [k, n]);
    const ref = tensor(new Float32Array(m * n), [m, n]);
    engine().core.fe_gemm_naive(+ta, +tb, m, n, k, 1, a.ptr, ta ? m : k, b.ptr, tb ? k : n, 0, ref.ptr, n);
    expectClose(matMul(a, b, ta, tb).dataSync(), ref.dataSync(), 1e-5, 2e-6 * Math.sqrt(k), `seed ${seed}`);
  });

  fuzz('conv2d forward, input and filter gradients', 2, (rand, seed) => {
    const x = [int(rand, 1, 2), int(rand, 1, 9), int(rand, 1, 9), int(rand, 1, 4)];
    const [kh, kw, cout] = [int(rand, 1, 3), int(rand, 1, 3), int(rand, 1, 4)];
    const dilated = rand() < 0.25;
    const strides: [number, number] = dilated ? [1, 1] : [int(rand, 1, 3), int(rand, 1, 3)];
    const dil: [number, number] = dilated ? [int(rand, 1, 2), int(rand, 1, 2)] : [1, 1];
    const pad = padding(rand);
    let g;
    try {
      g = windowGeometry('fuzz', x, [kh, kw], cout, strides, pad, dil);
    } catch {
      return; // a window larger than the padded image: the op refuses it too
    }
    const xt = tensor(randomArray(sizeOf(x), rand), x);
    const f = tensor(randomArray(kh * kw * x[3] * cout, rand), [kh, kw, x[3], cout]);
    const y = conv2d(xt, f, strides, pad, 'NHWC', dil);
    const dy = tensor(randomArray(y.size, rand), y.shape);
    const [dx, df] = grads((a, b) => conv2d(a, b, strides, pad, 'NHWC', dil))([xt, f], dy);
    const eng = engine();
    const yRef = tensor(new Float32Array(y.size), y.shape);
    const dxRef = tensor(new Float32Array(xt.size), x);
    const dfRef = tensor(new Float32Array(f.size), f.shape);
    eng.core.fe_conv2d_forward_naive(geometryParams(eng, g), xt.ptr, f.ptr, yRef.ptr);
    eng.core.fe_conv2d_backward_input_naive(geometryParams(eng, g), dy.ptr, f.ptr, dxRef.ptr);
    eng.core.fe_conv2d_backward_filter_naive(geometryParams(eng, g), xt.ptr, dy.ptr, dfRef.ptr);
    const what = `seed ${seed}: x [${x}], filter ${kh}x${kw}x${cout}, strides ${strides}, pad ${pad}, dilations ${dil}`;
    expectClose(y.dataSync(), yRef.dataSync(), 1e-5, 1e-5, `${what}: y`);
    expectClose(dx.dataSync(), dxRef.dataSync(), 1e-5, 1e-5, `${what}: dx`);
    expectClose(df.dataSync(), dfRef.dataSync(), 1e-5, 1e-5 * Math.sqrt(y.size), `${what}: dfilter`);
  });

  fuzz('max and average pooling, forward and backward', 3, (rand, seed) => {
    const x = [int(rand, 1, 2), int(rand, 1, 8), int(rand, 1, 8), int(rand, 1, 5)];
    const k: [number, number] = [int(rand, 1, 3), int(rand, 1, 3)];
    const s: [number, number] = [int(rand, 1, 3), int(rand, 1, 3)];
    const pad = pick(rand, ['valid', 'same'] as const);
    let g;
    try {
      g = windowGeometry('fuzz', x, k, x[3], s, pad);
    } catch {
      return;
    }
    const xt = tensor(randomArray(sizeOf(x), rand), x);
    for (const kind of ['max', 'avg'] as const) {
      const op = (a: Tensor) => (kind === 'max' ? maxPool(a, k, s, pad) : avgPool(a, k, s, pad));
      const y = op(xt);
      const dy = tensor(randomArray(y.size, rand), y.shape);
      const [dx] = grads(op)([xt], dy);
      const yRef = tensor(new Float32Array(y.size), y.shape);
      const dxRef = tensor(new Float32Array(xt.size), x);
      naivePool(kind, g, xt, dy, yRef, dxRef);
      const what = `seed ${seed}: ${kind} x [${x}], window ${k}, strides ${s}, ${pad}`;
      expectClose(y.dataSync(), yRef.dataSync(), 1e-6, 1e-7, `${what}: y`);
      expectClose(dx.dataSync(), dxRef.dataSync(), 1e-6, 1e-6, `${what}: dx`);
    }
  });

  // Arithmetic and reductions take float32 only (int32 tensors are indices and labels here).
  fuzz('elementwise binary ops with broadcasting', 4, (rand, seed) => {
    const dtype = 'float32';
    const out = shapeOf(rand, int(rand, 0, 4));
    // b broadcasts against a: each of its trailing dimensions is out's or 1.
    const bShape = out.slice(int(rand, 0, out.length)).map((d) => (rand() < 0.3 ? 1 : d));
    const a = tensor(data(rand, sizeOf(out), dtype), out, dtype);
    const b = tensor(data(rand, sizeOf(bShape), dtype), bShape, dtype);
    const ops = [
      [add, (p: number, q: number) => p + q],
      [sub, (p: number, q: number) => p - q],
      [mul, (p: number, q: number) => p * q],
    ] as const;
    const [op, f] = pick(rand, ops);
    const swap = rand() < 0.5;
    const got = swap ? op(b, a) : op(a, b);
    const ref = swap
      ? binaryRef(f, b.dataSync(), bShape, a.dataSync(), out)
      : binaryRef(f, a.dataSync(), out, b.dataSync(), bShape);
    expect(got.shape, `seed ${seed}`).toEqual(ref.shape);
    expect(got.dtype).toBe(dtype);
    expectClose(got.dataSync(), ref.data, 1e-6, 1e-6, `seed ${seed}: ${op.name} [${out}] [${bShape}] ${dtype}`);
  });

  fuzz('reductions (sum, mean, max) over random axes', 5, (rand, seed) => {
    const dtype = 'float32';
    const shape = shapeOf(rand, int(rand, 1, 4), 7);
    const mask = shape.map(() => rand() < 0.5);
    if (!mask.some(Boolean)) mask[int(rand, 0, shape.length - 1)] = true;
    const axes = mask.flatMap((m, i) => (m ? [i] : []));
    const x = tensor(data(rand, sizeOf(shape), dtype), shape, dtype);
    const kind = pick(rand, ['sum', 'mean', 'max'] as const);
    const count = axes.reduce((p, a) => p * shape[a], 1);
    const ref =
      kind === 'max'
        ? reduceRef(x.dataSync(), shape, mask, -Infinity, Math.max)
        : reduceRef(x.dataSync(), shape, mask, 0, (p, v) => p + v);
    const want = kind === 'mean' ? ref.data.map((v) => v / count) : ref.data;
    const got = (kind === 'sum' ? sum : kind === 'mean' ? mean : max)(x, axes, true);
    expect(got.shape, `seed ${seed}`).toEqual(ref.keepShape);
    expectClose(
      got.dataSync(),
      want,
      1e-5,
      1e-5 * Math.sqrt(count),
      `seed ${seed}: ${kind} [${shape}] axes ${axes} ${dtype}`,
    );
  });

  fuzz('softmax over the last axis', 6, (rand, seed) => {
    const shape = shapeOf(rand, int(rand, 1, 3), 40);
    const x = tensor(randomArray(sizeOf(shape), rand, -30, 30), shape);
    const v = x.dataSync();
    const n = shape[shape.length - 1];
    const want = new Float64Array(v.length);
    for (let r = 0; r < v.length / n; r++) {
      let m = -Infinity;
      for (let j = 0; j < n; j++) m = Math.max(m, v[r * n + j]);
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(v[r * n + j] - m);
      for (let j = 0; j < n; j++) want[r * n + j] = Math.exp(v[r * n + j] - m) / s;
    }
    expectClose(softmax(x).dataSync(), want, 1e-5, 1e-7, `seed ${seed}: softmax [${shape}]`);
  });

  fuzz('gather along a random axis, float32 and int32', 7, (rand, seed) => {
    const dtype = pick(rand, ['float32', 'int32'] as const);
    const shape = shapeOf(rand, int(rand, 1, 3), 6);
    const axis = int(rand, 0, shape.length - 1);
    const idx = Int32Array.from({ length: int(rand, 1, 8) }, () => int(rand, 0, shape[axis] - 1));
    const x = tensor(data(rand, sizeOf(shape), dtype), shape, dtype);
    const got = gather(x, tensor(idx, [idx.length], 'int32'), axis);
    const outShape = [...shape];
    outShape[axis] = idx.length;
    const v = x.dataSync();
    const want = Array.from({ length: sizeOf(outShape) }, (_, i) => {
      const at = unravel(i, outShape);
      at[axis] = idx[at[axis]];
      return v[ravel(at, shape)];
    });
    expect(got.shape).toEqual(outShape);
    expectClose(got.dataSync(), want, 0, 0, `seed ${seed}: gather [${shape}] axis ${axis} ${dtype}`);
  });

  fuzz('transpose (strided copy) by a random permutation', 8, (rand, seed) => {
    const dtype = pick(rand, ['float32', 'int32'] as const);
    const shape = shapeOf(rand, int(rand, 1, 5), 5);
    const perm = shape.map((_, i) => i).sort(() => rand() - 0.5);
    const x = tensor(data(rand, sizeOf(shape), dtype), shape, dtype);
    const got = transpose(x, perm);
    const outShape = perm.map((p) => shape[p]);
    const v = x.dataSync();
    const want = Array.from({ length: sizeOf(outShape) }, (_, i) => {
      const at = unravel(i, outShape);
      const src = new Array<number>(shape.length);
      perm.forEach((p, k) => (src[p] = at[k]));
      return v[ravel(src, shape)];
    });
    expect(got.shape).toEqual(outShape);
    expectClose(got.dataSync(), want, 0, 0, `seed ${seed}: transpose [${shape}] by [${perm}] ${dtype}`);
  });
});
