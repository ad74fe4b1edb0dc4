import { beforeAll, describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, randomTensor, rng } from '../support/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { sizeOf } from '../support/references.js';
import { engine, ready, setBackendSync } from '../../ts/backend/engine.js';
import { grads } from '../../ts/autograd/tape.js';
import { tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { batchNorm, batchNormTraining } from '../../ts/ops/batchnorm.js';

// ---- float64 references ---------------------------------------------------------------------

function stats(x: ArrayLike<number>, c: number): { mean: Float64Array; variance: Float64Array } {
  const rows = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < x.length; i++) mean[i % c] += x[i] / rows;
  for (let i = 0; i < x.length; i++) variance[i % c] += (x[i] - mean[i % c]) ** 2 / rows;
  return { mean, variance };
}

function normalize(
  x: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  offset: ArrayLike<number> | null,
  scale: ArrayLike<number> | null,
  eps: number,
) {
  const c = mean.length;
  return Float64Array.from(x, (v, i) => {
    const k = i % c;
    return ((v - mean[k]) / Math.sqrt(variance[k] + eps)) * (scale ? scale[k] : 1) + (offset ? offset[k] : 0);
  });
}

/** Training-mode gradients of sum(y * dy), by the textbook formulas. */
function trainingGrads(x: ArrayLike<number>, dy: ArrayLike<number>, scale: ArrayLike<number>, eps: number, c: number) {
  const m = x.length / c;
  const { mean, variance } = stats(x, c);
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  for (let i = 0; i < x.length; i++) {
    const k = i % c;
    dbeta[k] += dy[i];
    dgamma[k] += (dy[i] * (x[i] - mean[k])) / Math.sqrt(variance[k] + eps);
  }
  const dx = Float64Array.from(x, (v, i) => {
    const k = i % c;
    const inv = 1 / Math.sqrt(variance[k] + eps);
    const xhat = (v - mean[k]) * inv;
    return (scale[k] * inv * (m * dy[i] - dbeta[k] - xhat * dgamma[k])) / m;
  });
  return { dx, dgamma, dbeta };
}

const SHAPES: number[][] = [
  [2, 3, 4, 5], // images, odd channel count
  [7, 8], // dense features (N, C), two vectors of channels
  [1, 1, 1, 3], // one pixel: variance 0 in training
  [3, 9, 7, 13], // 567 rows: two slices of the statistics
];

describeEachBuild('batchNorm', () => {
  for (const shape of SHAPES) {
    it(`inference forward and gradients match the reference: x [${shape}]`, () => {
      const c = shape[shape.length - 1];
      const rand = rng(3);
      const n = shape.reduce((a, b) => a * b);
      const xs = randomArray(n, rand, -2, 3);
      const mean = randomArray(c, rand);
      const variance = randomArray(c, rand, 0.2, 2);
      const offset = randomArray(c, rand);
      const scale = randomArray(c, rand, 0.5, 2);
      const dys = randomArray(n, rand);
      tidy(() => {
        const ts = [
          tensor(xs, shape),
          tensor(mean, [c]),
          tensor(variance, [c]),
          tensor(offset, [c]),
          tensor(scale, [c]),
        ];
        const f = (x: Tensor, m: Tensor, v: Tensor, o: Tensor, s: Tensor) => batchNorm(x, m, v, o, s, 1e-3);
        expectClose(
          f(ts[0], ts[1], ts[2], ts[3], ts[4]).dataSync(),
          normalize(xs, mean, variance, offset, scale, 1e-3),
          1e-5,
          1e-6,
          'y',
        );
        const g = grads(f)(ts, tensor(dys, shape)).map((t) => t.dataSync());
        const inv = Array.from(variance, (v) => 1 / Math.sqrt(v + 1e-3));
        const dx = Float64Array.from(dys, (d, i) => d * scale[i % c] * inv[i % c]);
        const dmean = new Float64Array(c);
        const dvar = new Float64Array(c);
        const dgamma = new Float64Array(c);
        const dbeta = new Float64Array(c);
        dys.forEach((d, i) => {
          const k = i % c;
          dmean[k] -= d * scale[k] * inv[k];
          dvar[k] -= 0.5 * d * scale[k] * (xs[i] - mean[k]) * inv[k] ** 3;
          dgamma[k] += d * (xs[i] - mean[k]) * inv[k];
          dbeta[k] += d;
        });
        expectClose(g[0], dx, 1e-5, 1e-6, 'dx');
        expectClose(g[1], dmean, 1e-4, 1e-5, 'dmean');
        expectClose(g[2], dvar, 1e-4, 1e-5, 'dvariance');
        expectClose(g[3], dbeta, 1e-4, 1e-5, 'doffset');
        expectClose(g[4], dgamma, 1e-4, 1e-5, 'dscale');
      });
    });

    it(`training forward, statistics and gradients match the reference: x [${shape}]`, () => {
      const c = shape[shape.length - 1];
      const rand = rng(5);
      const n = shape.reduce((a, b) => a * b);
      const xs = randomArray(n, rand, -2, 3);
      const offset = randomArray(c, rand);
      const scale = randomArray(c, rand, 0.5, 2);
      const dys = randomArray(n, rand);
      const ref = stats(xs, c);
      tidy(() => {
        const [x, o, s] = [tensor(xs, shape), tensor(offset, [c]), tensor(scale, [c])];
        const out = batchNormTraining(x, o, s);
        expect(out.mean.shape).toEqual([c]);
        expectClose(out.mean.dataSync(), ref.mean, 1e-5, 1e-6, 'mean');
        expectClose(out.variance.dataSync(), ref.variance, 1e-5, 1e-6, 'variance');
        expectClose(out.y.dataSync(), normalize(xs, ref.mean, ref.variance, offset, scale, 1e-3), 1e-4, 1e-5, 'y');
        const g = grads((p, q, r) => batchNormTraining(p, q, r).y)([x, o, s], tensor(dys, shape)).map((t) =>
          t.dataSync(),
        );
        const want = trainingGrads(xs, dys, scale, 1e-3, c);
        expectClose(g[0], want.dx, 1e-3, 1e-5, 'dx');
        expectClose(g[1], want.dbeta, 1e-4, 1e-5, 'doffset');
        expectClose(g[2], want.dgamma, 1e-4, 1e-5, 'dscale');
      });
    });
  }

  it('gradients match finite differences (inference: all five inputs; training: x, offset, scale)', () => {
    const rand = rng(9);
    const shape = [3, 2, 3, 5];
    const x = randomTensor(shape, rand, -2, 2);
    const m = randomTensor([5], rand);
    const v = randomTensor([5], rand, 0.5, 1.5);
    const o = randomTensor([5], rand);
    const s = randomTensor([5], rand, 0.5, 1.5);
    checkGradients((a, b, c, d, e) => batchNorm(a, b, c, d, e), [x, m, v, o, s]);
    checkGradients((a, d, e) => batchNormTraining(a, d, e, 0.01).y, [x, o, s], { eps: 3e-3 });
    // Without offset and scale (Keras' center=False, scale=False).
    checkGradients((a) => batchNormTraining(a).y, [x], { eps: 3e-3 });
    for (const t of [x, m, v, o, s]) t.dispose();
  });

  it('omitted offset and scale mean 0 and 1; [1, 1, 1, C] parameters are accepted', () => {
    const rand = rng(2);
    const shape = [2, 3, 3, 4];
    const xs = randomArray(72, rand);
    const mean = randomArray(4, rand);
    const variance = randomArray(4, rand, 0.5, 1);
    tidy(() => {
      const y = batchNorm(tensor(xs, shape), tensor(mean, [1, 1, 1, 4]), tensor(variance, [4]));
      expectClose(y.dataSync(), normalize(xs, mean, variance, null, null, 1e-3), 1e-5, 1e-6, 'y');
      const t = batchNormTraining(tensor(xs, shape));
      const ref = stats(xs, 4);
      expectClose(t.y.dataSync(), normalize(xs, ref.mean, ref.variance, null, null, 1e-3), 1e-4, 1e-5, 'training y');
    });
  });

  it('keeps the variance exact when the mean is large (two-pass statistics)', () => {
    const rand = rng(6);
    const xs = randomArray(4000, rand, -1, 1).map((v) => 1000 + v);
    const ref = stats(xs, 4);
    tidy(() => {
      const out = batchNormTraining(tensor(xs, [1000, 4]));
      expectClose(out.variance.dataSync(), ref.variance, 1e-3, 0, 'variance');
      expectClose(out.mean.dataSync(), ref.mean, 1e-6, 0, 'mean');
    });
  });

  it('the statistics kernel agrees with its float64 naive reference', () => {
    const eng = engine();
    const rand = rng(13);
    tidy(() => {
      const x = tensor(randomArray(999 * 7, rand, -3, 5), [999, 7]);
      const out = batchNormTraining(x);
      const mean = tensor(new Float32Array(7), [7]);
      const variance = tensor(new Float32Array(7), [7]);
      eng.core.fe_batchnorm_stats_naive(x.ptr, mean.ptr, variance.ptr, 999, 7);
      expectClose(out.mean.dataSync(), mean.dataSync(), 1e-5, 1e-6, 'mean');
      expectClose(out.variance.dataSync(), variance.dataSync(), 1e-5, 1e-6, 'variance');
    });
  });

  it('leaks nothing', () => {
    const rand = rng(1);
    const xs = randomArray(2 * 5 * 5 * 6, rand);
    expectNoLeaks(() =>
      tidy(() => {
        const x = tensor(xs, [2, 5, 5, 6]);
        const o = tensor(new Float32Array(6), [6]);
        const dy = tensor(xs, [2, 5, 5, 6]);
        grads((a, b) => batchNormTraining(a, b).y)([x, o], dy);
        grads((a) => batchNorm(a, o, tensor(new Float32Array(6).fill(1), [6])))([x], dy);
      }),
    );
  });
});

describe('batchNorm: errors and threads', () => {
  beforeAll(async () => {
    setBackendSync('simd-threads');
    await ready();
  });

  it('gives clear errors', () => {
    tidy(() => {
      const x = tensor(new Float32Array(2 * 3 * 4), [2, 3, 4]);
      const c4 = tensor(new Float32Array(4).fill(1), [4]);
      expect(() => batchNorm(x, tensor(new Float32Array(3), [3]), c4)).toThrow(
        "ferrite: batchNorm: mean must have shape [4] (the channels, x's last dimension), got [3] (x [2, 3, 4])",
      );
      expect(() => batchNorm(x, c4, c4, undefined, tensor(new Float32Array(8), [2, 4]))).toThrow(
        /batchNorm: scale must have shape \[4\]/,
      );
      expect(() => batchNormTraining(x, tensor(new Float32Array(5), [5]))).toThrow(
        /batchNormTraining: offset must have shape \[4\]/,
      );
      expect(() => batchNorm(x, c4, c4, undefined, undefined, 0)).toThrow(
        /varianceEpsilon must be a positive number, got 0/,
      );
      expect(() => batchNormTraining(tensor(new Int32Array(4), [1, 4]))).toThrow(
        /batchNormTraining: x must be float32/,
      );
    });
  });

  it('gives bitwise identical results for 1, 2 and 3 threads', async () => {
    const rand = rng(4);
    const shape = [4, 16, 16, 12]; // 1024 rows: four slices
    const xs = randomArray(sizeOf(shape), rand);
    const dys = randomArray(xs.length, rand);
    const os = randomArray(12, rand);
    const ss = randomArray(12, rand);
    await expectSameBitsOn(THREAD_COUNTS, () => {
      const [x, o, s] = [tensor(xs, shape), tensor(os, [12]), tensor(ss, [12])];
      const out = batchNormTraining(x, o, s);
      const [dx, doffset, dscale] = grads((a, b, c) => batchNormTraining(a, b, c).y)([x, o, s], tensor(dys, shape));
      const outputs = { y: out.y, mean: out.mean, variance: out.variance, dx, doffset, dscale };
      return Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, t.dataSync() as Float32Array]));
    });
  });
});
