import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, randomTensor, rng } from '../support/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { grads } from '../../ts/autograd/tape.js';
import { tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { layerNorm, layerNormNaive } from '../../ts/ops/layer-norm.js';

/** y and the gradients of sum(y * dy) in float64, by the textbook formulas; rows of n. */
function reference(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  n: number,
  eps: number,
) {
  const rows = x.length / n;
  const y = new Float64Array(x.length);
  const dx = new Float64Array(x.length);
  const dgamma = new Float64Array(n);
  const dbeta = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: n }, (_, k) => x[r * n + k]);
    const mean = row.reduce((a, b) => a + b, 0) / n;
    const inv = 1 / Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / n + eps);
    const xhat = row.map((v) => (v - mean) * inv);
    const g = xhat.map((_, k) => dy[r * n + k] * gamma[k]);
    const meanG = g.reduce((a, b) => a + b, 0) / n;
    const meanGx = g.reduce((a, b, k) => a + b * xhat[k], 0) / n;
    for (let k = 0; k < n; k++) {
      y[r * n + k] = xhat[k] * gamma[k] + beta[k];
      dx[r * n + k] = inv * (g[k] - meanG - xhat[k] * meanGx);
      dgamma[k] += dy[r * n + k] * xhat[k];
      dbeta[k] += dy[r * n + k];
    }
  }
  return { y, dx, dgamma, dbeta };
}

const SHAPES: [number[], number][] = [
  [[2, 3, 5], 1], // odd width: a ragged vector at the end of each row
  [[7, 16], 1],
  [[3, 4, 6], 2], // two trailing axes normalized together
  [[300, 9], 1], // 300 rows: two slices of the dgamma / dbeta sums
];

describeEachBuild('layerNorm', () => {
  for (const [shape, axes] of SHAPES) {
    it(`forward and gradients match float64: x [${shape}], ${axes} axes`, () => {
      const rand = rng(4);
      const size = shape.reduce((a, b) => a * b);
      const pshape = shape.slice(shape.length - axes);
      const n = pshape.reduce((a, b) => a * b);
      const xs = randomArray(size, rand, -2, 3);
      const gs = randomArray(n, rand, 0.5, 2);
      const bs = randomArray(n, rand);
      const dys = randomArray(size, rand);
      const want = reference(xs, dys, gs, bs, n, 1e-3);
      tidy(() => {
        const [x, gamma, beta] = [tensor(xs, shape), tensor(gs, pshape), tensor(bs, pshape)];
        const f = (a: Tensor, g: Tensor, b: Tensor) => layerNorm(a, { axes, gamma: g, beta: b });
        expectClose(f(x, gamma, beta).dataSync(), want.y, 1e-5, 1e-6, 'y');
        expectClose(layerNormNaive(x, { axes, gamma, beta }).dataSync(), want.y, 1e-6, 1e-7, 'the Rust f64 reference');
        const [dx, dg, db] = grads(f)([x, gamma, beta], tensor(dys, shape)).map((t) => t.dataSync());
        expectClose(dx, want.dx, 1e-4, 1e-5, 'dx');
        expectClose(dg, want.dgamma, 1e-4, 1e-5, 'dgamma');
        expectClose(db, want.dbeta, 1e-4, 1e-5, 'dbeta');
      });
    });
  }

  it('gradients match finite differences, with and without gamma and beta', () => {
    const rand = rng(8);
    tidy(() => {
      const x = randomTensor([4, 3, 10], rand, -2, 2);
      const g = randomTensor([10], rand, 0.5, 1.5);
      const b = randomTensor([10], rand);
      checkGradients((a, c, d) => layerNorm(a, { gamma: c, beta: d, epsilon: 0.01 }), [x, g, b], { eps: 3e-3 });
      checkGradients((a) => layerNorm(a), [x], { eps: 3e-3 });
    });
  });

  it('keeps the variance exact when the mean is large (two passes); leaks nothing', () => {
    const rand = rng(6);
    const xs = randomArray(4 * 64, rand, -1, 1).map((v) => 1000 + v);
    const want = reference(xs, xs, new Float32Array(64).fill(1), new Float32Array(64), 64, 1e-3);
    tidy(() => expectClose(layerNorm(tensor(xs, [4, 64])).dataSync(), want.y, 1e-3, 1e-4, 'y'));
    expectNoLeaks(() =>
      tidy(() => {
        const x = randomTensor([5, 8], rand);
        const g = randomTensor([8], rand);
        layerNorm(x, { gamma: g });
        grads((a, c) => layerNorm(a, { gamma: c }))([x, g], randomTensor([5, 8], rand));
      }),
    );
  });

  it('rejects parameters of the wrong shape and a bad axis count, naming the op', () => {
    tidy(() => {
      const x = randomTensor([2, 3, 4], rng(1));
      expect(() => layerNorm(x, { gamma: randomTensor([3], rng(2)) })).toThrow(
        /layerNorm: gamma must have shape \[4\] \(the normalized axes of x \[2, 3, 4\]\), got \[3\]/,
      );
      expect(() => layerNorm(x, { axes: 4 })).toThrow(/layerNorm: axes must count 1..3 trailing axes/);
    });
  });
});

describe('layerNorm: the same bits on 1, 2 and 3 threads', () => {
  it('forward and gradients', async () => {
    const rand = rng(2);
    const xs = randomArray(2048 * 40, rand, -2, 2);
    const gs = randomArray(40, rand);
    await expectSameBitsOn(THREAD_COUNTS, () => {
      const [x, g, b] = [tensor(xs, [2048, 40]), tensor(gs, [40]), tensor(gs, [40])];
      const f = (a: Tensor, c: Tensor, d: Tensor) => layerNorm(a, { gamma: c, beta: d });
      const [dx, dg, db] = grads(f)([x, g, b], tensor(xs, [2048, 40]));
      const out = { y: f(x, g, b), dx, dg, db };
      return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.dataSync() as Float32Array]));
    });
  });
});
