// The fused PReLU kernel (core-rs/src/prelu.rs) and ThresholdedReLU (activation.rs): values
// and both gradients against float64 references (and the Rust naive reference) on every
// build, for the broadcasts the PReLU layer makes with and without sharedAxes; gradients
// against finite differences; the same bits on 1, 2 and 3 threads.

import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, randomTensor, rng } from '../support/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { grads } from '../../ts/autograd/tape.js';
import { tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { prelu, preluNaive } from '../../ts/ops/prelu.js';
import { thresholdedRelu } from '../../ts/ops/activations.js';

/** y, dx and dalpha of sum(prelu(x, alpha) * dy) in float64, alpha broadcast by NumPy's rule. */
function reference(
  x: ArrayLike<number>,
  xShape: number[],
  alpha: ArrayLike<number>,
  aShape: number[],
  dy: ArrayLike<number>,
) {
  const rank = xShape.length;
  const aFull = [...Array(rank - aShape.length).fill(1), ...aShape];
  const y = new Float64Array(x.length);
  const dx = new Float64Array(x.length);
  const dalpha = new Float64Array(alpha.length);
  for (let e = 0; e < x.length; e++) {
    // alpha's flat index of element e
    let [rest, a, scale] = [e, 0, 1];
    for (let i = rank - 1; i >= 0; i--) {
      const idx = rest % xShape[i];
      rest = Math.floor(rest / xShape[i]);
      if (aFull[i] !== 1) a += idx * scale;
      scale *= aFull[i];
    }
    const v = x[e];
    y[e] = v > 0 ? v : alpha[a] * v;
    dx[e] = v > 0 ? dy[e] : alpha[a] * dy[e];
    if (v <= 0) dalpha[a] += v * dy[e];
  }
  return { y, dx, dalpha };
}

/** [x shape, alpha shape, what]: the PReLU layer's alphas with and without sharedAxes, and odd ones. */
const CASES: [number[], number[], string][] = [
  [[4, 7], [7], 'per feature, odd width'],
  [[3, 5, 5, 6], [1, 1, 6], 'images, shared over the pixels'],
  [[3, 6, 5, 5], [6, 1, 1], 'channels first, shared over the pixels (alpha splat over runs)'],
  [[2, 4, 3, 5], [4, 1, 5], 'shared over the middle axis (four groups)'],
  [[5, 9], [1], 'one alpha for everything'],
  [[2, 3, 1, 5], [3, 1, 5], 'an axis of 1'],
  [[9000, 12], [12], 'many rows: several slices of the dalpha sum'],
  [[40, 30, 7], [30, 1], 'many rows, alpha splat over runs of 7'],
];

describeEachBuild('prelu (fused kernel)', () => {
  for (const [xShape, aShape, what] of CASES) {
    it(`values and gradients match float64: x [${xShape}], alpha [${aShape}] (${what})`, () => {
      const rand = rng(11);
      const size = xShape.reduce((a, b) => a * b);
      const asize = aShape.reduce((a, b) => a * b);
      const xs = randomArray(size, rand, -2, 2);
      const as = randomArray(asize, rand, -0.5, 1);
      const dys = randomArray(size, rand);
      const want = reference(xs, xShape, as, aShape, dys);
      tidy(() => {
        const [x, alpha, dy] = [tensor(xs, xShape), tensor(as, aShape), tensor(dys, xShape)];
        expectClose(prelu(x, alpha).dataSync(), want.y, 1e-6, 1e-7, 'y');
        const [dx, da] = grads(prelu)([x, alpha], dy).map((t) => t.dataSync());
        expectClose(dx, want.dx, 1e-6, 1e-7, 'dx');
        expectClose(da, want.dalpha, 1e-4, 1e-4, 'dalpha');
        const [ny, ndx, nda] = preluNaive(x, alpha, dy).map((t) => t.dataSync());
        expectClose(ny, want.y, 1e-6, 1e-7, 'y of the Rust naive reference');
        expectClose(ndx, want.dx, 1e-6, 1e-7, 'dx of the Rust naive reference');
        expectClose(nda, want.dalpha, 1e-6, 1e-6, 'dalpha of the Rust naive reference');
      });
    });
  }

  it('gradients match finite differences (x away from the kink at 0)', () => {
    const rand = rng(3);
    tidy(() => {
      // |x| >= 0.1 so that a step of 1e-2 never crosses zero.
      const xs = randomArray(2 * 3 * 4 * 5, rand, 0.1, 2).map((v, i) => (i % 3 === 0 ? -v : v));
      const x = tensor(xs, [2, 3, 4, 5]);
      checkGradients(prelu, [x, randomTensor([3, 1, 5], rand, 0.1, 0.5)]);
      checkGradients(prelu, [x, randomTensor([5], rand, 0.1, 0.5)]);
      checkGradients(prelu, [x, randomTensor([1], rand, 0.1, 0.5)]);
    });
  });

  it('a gradient asked for x alone or alpha alone; leaks nothing', () => {
    const rand = rng(5);
    expectNoLeaks(() =>
      tidy(() => {
        const [x, alpha] = [randomTensor([6, 10], rand), randomTensor([10], rand)];
        const dy = randomTensor([6, 10], rand);
        const [dx, da] = grads(prelu)([x, alpha], dy).map((t) => t.dataSync());
        const onlyX = grads((a: Tensor) => prelu(a, alpha))([x], dy)[0].dataSync();
        const onlyA = grads((b: Tensor) => prelu(x, b))([alpha], dy)[0].dataSync();
        expect(Array.from(onlyX)).toEqual(Array.from(dx));
        expect(Array.from(onlyA)).toEqual(Array.from(da));
      }),
    );
  });

  it('rejects an alpha that does not broadcast, naming the op and the shapes', () => {
    tidy(() => {
      const x = randomTensor([2, 3, 4], rng(1));
      expect(() => prelu(x, randomTensor([3], rng(2)))).toThrow(
        /prelu: alpha of shape \[3\] does not broadcast to x of shape \[2, 3, 4\]/,
      );
      expect(() => prelu(x, randomTensor([1, 2, 3, 4], rng(2)))).toThrow(/prelu: alpha of shape \[1, 2, 3, 4\]/);
    });
  });
});

describeEachBuild('thresholdedRelu', () => {
  it('values and gradient match the formula (0 at theta itself)', () => {
    const rand = rng(9);
    const xs = randomArray(1001, rand, -2, 2);
    xs[0] = 0.5; // exactly theta
    tidy(() => {
      const x = tensor(xs, [1001]);
      const dy = randomArray(1001, rand);
      const y = thresholdedRelu(x, 0.5).dataSync();
      const dx = grads((a: Tensor) => thresholdedRelu(a, 0.5))([x], tensor(dy, [1001]))[0].dataSync();
      expectClose(
        y,
        Array.from(xs, (v) => (v > 0.5 ? v : 0)),
        0,
        0,
        'y',
      );
      expectClose(
        dx,
        Array.from(xs, (v, i) => (v > 0.5 ? dy[i] : 0)),
        0,
        0,
        'dx',
      );
      expect(y[0]).toBe(0);
      const away = tensor(
        randomArray(40, rand, 0.6, 2).map((v, i) => (i % 2 ? v : -v)),
        [40],
      );
      checkGradients((a) => thresholdedRelu(a, 0.5), [away]);
    });
  });

  it('rejects a theta that is not finite', () => {
    tidy(() => {
      expect(() => thresholdedRelu(tensor([1]), NaN)).toThrow(/thresholdedRelu: theta must be a finite number/);
    });
  });
});

describe('prelu: the same bits on 1, 2 and 3 threads', () => {
  for (const [xShape, aShape] of [
    [[20000, 16], [16]],
    [
      [64, 32, 40],
      [32, 1],
    ],
  ] as [number[], number[]][]) {
    it(`x [${xShape}], alpha [${aShape}]: y, dx and dalpha`, async () => {
      const rand = rng(2);
      const size = xShape.reduce((a, b) => a * b);
      const xs = randomArray(size, rand, -2, 2);
      const as = randomArray(
        aShape.reduce((a, b) => a * b),
        rand,
      );
      await expectSameBitsOn(THREAD_COUNTS, () => {
        const [x, alpha] = [tensor(xs, xShape), tensor(as, aShape)];
        const [dx, da] = grads(prelu)([x, alpha], tensor(xs, xShape));
        return {
          y: prelu(x, alpha).dataSync() as Float32Array,
          dx: dx.dataSync() as Float32Array,
          da: da.dataSync() as Float32Array,
        };
      });
    });
  }
});
