// Randomized kernel test: random shapes, strides, paddings, dilations, transposes, axes and
// dtypes (int32 where the op takes it) through the public ops, on every build, against each kernel family's naive
// reference (the core's exported `_naive` kernels for GEMM, convolution, pooling, unary
// ops, batch-norm statistics and normal draws; float64 TypeScript references for the rest:
// losses, optimizer updates, activations, binary ops, reductions, softmax, gather, transpose). Seeds are fixed, so a failure replays: the case's
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
  batchNormTraining,
  elu,
  gather,
  leakyRelu,
  randomNormal,
  relu,
  selu,
  sigmoid,
  softplus,
  softsign,
  swish,
  tanh,
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
import { variable } from '../../ts/tensor/tensor.js';
import { UnaryOp } from '../../ts/backend/core-abi.js';
import { oneHot } from '../../ts/tensor/creation.js';
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
} from '../../ts/losses/crossentropy.js';
import { huber, meanAbsoluteError, meanSquaredError } from '../../ts/losses/regression.js';
import { train, type Optimizer } from '../../ts/optimizers/index.js';
import { REF, perRow, type RowFn } from '../support/loss-refs.js';
import { adamRef, momentumRef, rmspropRef, sgdRef, type RefRule, type RefState } from '../support/optimizer-refs.js';

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

  // Per-sample losses of every fused kernel (pairs of targets and predictions or logits;
  // integer labels), against float64 row references.
  type LossCase = [string, (t: Tensor, p: Tensor) => Tensor, RowFn, number, number, 'any' | '01' | 'dist'];
  const logits = (f: typeof binaryCrossentropy) => (t: Tensor, p: Tensor) => f(t, p, true);
  const lossCases: LossCase[] = [
    ['meanSquaredError', meanSquaredError, REF.mse, -3, 3, 'any'],
    ['meanAbsoluteError', meanAbsoluteError, REF.mae, -3, 3, 'any'],
    ['huber', (t, p) => huber(t, p), REF.huber, -3, 3, 'any'],
    ['binaryCrossentropy', binaryCrossentropy, REF.bce, 0.01, 0.99, '01'],
    ['binaryCrossentropy(logits)', logits(binaryCrossentropy), REF.bceLogits, -8, 8, '01'],
    ['categoricalCrossentropy', categoricalCrossentropy, REF.cce, 0.01, 1, 'dist'],
    ['categoricalCrossentropy(logits)', logits(categoricalCrossentropy), REF.softmaxCe, -6, 6, 'dist'],
  ];
  fuzz('losses (per sample, every fused kernel; sparse labels)', 9, (rand, seed) => {
    const [name, fn, ref, lo, hi, kind] = pick(rand, lossCases);
    const [rows, cols] = [int(rand, 1, 40), int(rand, 1, 37)];
    const ps = randomArray(rows * cols, rand, lo, hi);
    let ts = randomArray(rows * cols, rand, 0, 1);
    if (kind === 'any') ts = randomArray(rows * cols, rand, -3, 3);
    if (kind === '01') ts = ts.map((v) => (v < 0.5 ? 0 : 1));
    if (kind === 'dist') {
      // Soft targets that sum to 1 per row.
      for (let r = 0; r < rows; r++) {
        const row = ts.subarray(r * cols, r * cols + cols);
        const s = row.reduce((a, b) => a + b, 0);
        row.forEach((v, j) => (row[j] = v / s));
      }
    }
    const got = fn(tensor(ts, [rows, cols]), tensor(ps, [rows, cols]));
    expectClose(
      got.dataSync(),
      perRow(ts, ps, rows, cols, ref),
      2e-5,
      2e-6,
      `seed ${seed}: ${name} [${rows}, ${cols}]`,
    );
    // Integer labels give the one-hot loss.
    const labels = Int32Array.from({ length: rows }, () => int(rand, 0, cols - 1));
    const probs = tensor(randomArray(rows * cols, rand, 0.01, 1), [rows, cols]);
    const lt = tensor(labels, [rows], 'int32');
    expectClose(
      sparseCategoricalCrossentropy(lt, probs).dataSync(),
      perRow(oneHot(lt, cols).dataSync(), probs.dataSync(), rows, cols, REF.cce),
      2e-5,
      2e-6,
      `seed ${seed}: sparseCategoricalCrossentropy [${rows}, ${cols}]`,
    );
  });

  // Optimizer updates: a few steps with random hyper-parameters on random sizes (vector
  // tails and thread splits), weights and slots against the float64 update rules.
  const optimizers: ((r: () => number) => { opt: Optimizer; ref: RefRule })[] = [
    (r) => ((lr) => ({ opt: train.sgd(lr), ref: sgdRef(lr) }))(0.01 + r() * 0.2),
    (r) =>
      ((lr, m, nest) => ({ opt: train.momentum(lr, m, nest), ref: momentumRef(lr, m, nest) }))(
        0.01 + r() * 0.1,
        r(),
        r() < 0.5,
      ),
    (r) =>
      ((lr, b1, b2, eps) => ({ opt: train.adam(lr, b1, b2, eps), ref: adamRef(lr, b1, b2, eps) }))(
        0.001 + r() * 0.05,
        0.5 + r() * 0.45,
        0.9 + r() * 0.099,
        10 ** -int(r, 3, 8),
      ),
    (r) =>
      ((lr, rho, mom, eps, centered) => ({
        opt: train.rmsprop(lr, rho, mom, eps, centered),
        ref: rmspropRef(lr, rho, mom, eps, centered),
      }))(0.001 + r() * 0.02, 0.5 + r() * 0.49, r() < 0.5 ? 0 : r(), 10 ** -int(r, 3, 7), r() < 0.5),
  ];
  fuzz('optimizer updates (SGD, momentum, Adam, RMSprop; random hyper-parameters)', 10, (rand, seed) => {
    const { opt, ref } = pick(rand, optimizers)(rand);
    const n = int(rand, 1, 300);
    const v = variable(tensor(randomArray(n, rand, -2, 2)), true, `fuzz_w_${seed}`);
    const state: RefState = { p: Array.from(v.dataSync()), slots: {}, t: 0 };
    for (let step = 0; step < 3; step++) {
      const g = randomArray(n, rand, -2, 2);
      opt.applyGradients({ [v.name]: tensor(g) });
      ref(state, Array.from(g));
    }
    expectClose(
      v.dataSync(),
      state.p,
      5e-5,
      5e-6,
      `seed ${seed}: ${opt.getClassName()} ${JSON.stringify(opt.getConfig())} n ${n}`,
    );
    opt.dispose();
    v.dispose();
  });

  fuzz('batch-norm statistics (mean and variance per channel)', 11, (rand, seed) => {
    const [rows, c] = [int(rand, 1, 300), int(rand, 1, 19)];
    const x = tensor(randomArray(rows * c, rand, -3 - rand() * 5, 5 + rand() * 5), [rows, c]);
    const out = batchNormTraining(x);
    const [mean, variance] = [tensor(new Float32Array(c), [c]), tensor(new Float32Array(c), [c])];
    engine().core.fe_batchnorm_stats_naive(x.ptr, mean.ptr, variance.ptr, rows, c);
    expectClose(out.mean.dataSync(), mean.dataSync(), 1e-5, 1e-6, `seed ${seed}: mean [${rows}, ${c}]`);
    expectClose(out.variance.dataSync(), variance.dataSync(), 1e-5, 1e-6, `seed ${seed}: variance [${rows}, ${c}]`);
  });

  fuzz('random normal draws (vectorised Box-Muller against the naive libm kernel)', 12, (rand, seed) => {
    const n = int(rand, 1, 2000);
    const [mu, sd, key] = [rand() * 4 - 2, 0.1 + rand() * 3, int(rand, 0, 2 ** 30)];
    const z = randomNormal([n], mu, sd, 'float32', key);
    const ref = tensor(new Float32Array(n));
    engine().core.fe_random_normal_naive(ref.ptr, n, key, 0, 0, 0, mu, sd);
    expectClose(z.dataSync(), ref.dataSync(), 1e-6, 2e-6 * sd, `seed ${seed}: n ${n} key ${key}`);
  });

  // Unary ops through the core's naive kernels; activations through the public ops against Math.
  const positive = new Set<number>([UnaryOp.LOG, UnaryOp.SQRT, UnaryOp.RECIPROCAL]);
  const activations: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
    ['relu', relu, (v) => Math.max(v, 0)],
    ['leakyRelu', (x) => leakyRelu(x), (v) => (v > 0 ? v : 0.2 * v)],
    ['elu', (x) => elu(x), (v) => (v > 0 ? v : Math.expm1(v))],
    ['selu', selu, (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v))],
    ['sigmoid', sigmoid, (v) => 1 / (1 + Math.exp(-v))],
    ['tanh', tanh, Math.tanh],
    ['softplus', softplus, (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)))],
    ['softsign', softsign, (v) => v / (1 + Math.abs(v))],
    ['swish', swish, (v) => v / (1 + Math.exp(-v))],
  ];
  fuzz('unary ops and activations', 13, (rand, seed) => {
    const n = int(rand, 1, 300);
    const op = pick(rand, Object.values(UnaryOp));
    const xs = positive.has(op) ? randomArray(n, rand, 0.01, 20) : randomArray(n, rand, -20, 20);
    const x = tensor(xs);
    const [y, ref] = [tensor(new Float32Array(n)), tensor(new Float32Array(n))];
    engine().core.fe_unary(op, x.ptr, y.ptr, n);
    engine().core.fe_unary_naive(op, x.ptr, ref.ptr, n);
    expectClose(y.dataSync(), ref.dataSync(), 2e-6, 1e-30, `seed ${seed}: unary op ${op} n ${n}`);
    const [name, f, want] = pick(rand, activations);
    const a = tensor(randomArray(n, rand, -12, 12));
    expectClose(f(a).dataSync(), Array.from(a.dataSync(), want), 2e-6, 1e-7, `seed ${seed}: ${name} n ${n}`);
  });
});
