import { expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { memory, oneHot, tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { grad, grads } from '../../ts/autograd/tape.js';
import { logSoftmax, softmax } from '../../ts/ops/softmax.js';
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  sigmoidCrossEntropyWithLogits,
  softmaxCrossEntropyWithLogits,
  sparseCategoricalCrossentropy,
  sparseSoftmaxCrossEntropyWithLogits,
} from '../../ts/losses/crossentropy.js';
import { huber, meanAbsoluteError, meanSquaredError } from '../../ts/losses/regression.js';
import { getLoss } from '../../ts/losses/resolve.js';
import { REF, perRow, softmaxRef, type RowFn } from '../support/loss-refs.js';

const values = (t: Tensor) => Array.from(t.dataSync());

/** The gradient of a row reference w.r.t. p (float64 central differences of the reference itself). */
function refGradP(f: RowFn, t: number[], p: number[], dl: number): number[] {
  return p.map((_, j) => {
    const h = 1e-6 * Math.max(1, Math.abs(p[j]));
    const pp = [...p];
    pp[j] = p[j] + h;
    const a = f(t, pp);
    pp[j] = p[j] - h;
    return ((a - f(t, pp)) / (2 * h)) * dl;
  });
}

const SHAPES: [number, number][] = [
  [1, 1],
  [3, 5],
  [7, 13],
  [2, 1031],
  [5, 4],
];

describeEachBuild('softmax', () => {
  const cases: { shape: number[]; axis: number }[] = [
    { shape: [1], axis: -1 },
    { shape: [3, 5], axis: -1 },
    { shape: [4, 1031], axis: -1 },
    { shape: [2, 3, 7], axis: -1 },
    { shape: [2, 3, 7], axis: 1 },
    { shape: [5, 6], axis: 0 },
    { shape: [3, 9, 2], axis: 0 },
    { shape: [1, 1], axis: 0 },
  ];
  for (const { shape, axis } of cases) {
    it(`softmax and logSoftmax of ${JSON.stringify(shape)} over axis ${axis} match the reference, forward and backward`, () => {
      tidy(() => {
        const n = shape.reduce((a, b) => a * b, 1);
        const a = axis < 0 ? axis + shape.length : axis;
        const outer = shape.slice(0, a).reduce((x, y) => x * y, 1);
        const inner = shape.slice(a + 1).reduce((x, y) => x * y, 1);
        const xs = randomArray(n, rng(n + a), -6, 6);
        const x = tensor(xs, shape);
        expectClose(softmax(x, axis).dataSync(), softmaxRef(xs, outer, shape[a], inner), 2e-6, 1e-7, 'softmax');
        expectClose(
          logSoftmax(x, axis).dataSync(),
          softmaxRef(xs, outer, shape[a], inner, true),
          1e-5,
          2e-6,
          'logSoftmax',
        );
        checkGradients((t) => softmax(t, axis), [x], { rtol: 1e-2, atol: 1e-3 });
        checkGradients((t) => logSoftmax(t, axis), [x], { rtol: 1e-2, atol: 1e-3 });
      });
    });
  }

  it('agrees with the naive kernel', () => {
    tidy(() => {
      const x = tensor(randomArray(3 * 37, rng(4), -5, 5), [3, 37]);
      const y = softmax(x);
      const eng = x.engine;
      const ref = tensor(new Float32Array(3 * 37), [3, 37]);
      eng.core.fe_softmax_forward_naive(x.ptr, ref.ptr, 3, 37, 1, 0);
      expectClose(y.dataSync(), ref.dataSync(), 2e-6, 1e-8);
    });
  });

  it('is stable for huge logits and exact where probabilities underflow', () => {
    tidy(() => {
      // Shifting logits does not change softmax: [1000, 1001, 1002] behaves as [0, 1, 2].
      const p = softmax(
        tensor([
          [1000, 1001, 1002],
          [-1000, -1001, -1002],
          [0, 0, 0],
        ]),
      ).dataSync();
      const ref = softmaxRef([0, 1, 2], 1, 3, 1); // e^k / (1 + e + e²) = 0.090031, 0.244728, 0.665241
      expectClose(p.slice(0, 3), ref, 1e-6);
      expectClose(p.slice(3, 6), [...ref].reverse(), 1e-6);
      expectClose(p.slice(6), [1 / 3, 1 / 3, 1 / 3], 1e-6);
      expect(p.every((v) => Number.isFinite(v))).toBe(true);
      // log softmax keeps what softmax loses: log(e^-200 / (1 + e^-200)) = -200.
      expectClose(logSoftmax(tensor([0, -200])).dataSync(), [0, -200], 1e-6, 1e-6);
    });
  });

  it('a NaN poisons its own row only', () => {
    tidy(() => {
      const p = softmax(
        tensor([
          [1, NaN, 2],
          [1, 2, 3],
        ]),
      ).dataSync();
      expect(p.slice(0, 3).every(Number.isNaN)).toBe(true);
      expect(p.slice(3).every((v) => Number.isFinite(v))).toBe(true);
    });
  });

  it('rejects scalars, int32 and bad axes', () => {
    expect(() => softmax(tensor(1))).toThrow(/softmax: needs a tensor of rank >= 1/);
    expect(() => softmax(tensor([1, 2], [2], 'int32'))).toThrow(/softmax: logits must be float32/);
    expect(() => logSoftmax(tensor([1, 2]), 1)).toThrow(/logSoftmax: axis 1 is out of range for a tensor of rank 1/);
  });
});

describeEachBuild('losses', () => {
  it('hand-computed values', () => {
    tidy(() => {
      // CE of p = [0.7, 0.2, 0.1] with label 0 is -ln 0.7 = 0.356675.
      const p = tensor([[0.7, 0.2, 0.1]]);
      expectClose(categoricalCrossentropy(tensor([[1, 0, 0]]), p).dataSync(), [0.356675], 1e-5);
      expectClose(sparseCategoricalCrossentropy(tensor([0], [1], 'int32'), p).dataSync(), [0.356675], 1e-5);
      expectClose(sparseCategoricalCrossentropy(tensor([[0]]), p).dataSync(), [0.356675], 1e-5);
      // Unnormalised rows are normalised first: [2, 1, 1] -> q0 = 0.5, -ln 0.5 = 0.693147.
      expectClose(categoricalCrossentropy(tensor([[1, 0, 0]]), tensor([[2, 1, 1]])).dataSync(), [0.693147], 1e-5);
      // Clipped: p = 0 costs -ln(1e-7) = 16.118096, not Infinity.
      expectClose(categoricalCrossentropy(tensor([[1, 0]]), tensor([[0, 1]])).dataSync(), [16.118096], 1e-5);
      // MSE rows: ((1-0)² + (1-1)²)/2 = 0.5; ((1-1)² + (0-1)²)/2 = 0.5.
      const yt = tensor([
        [0, 1],
        [1, 1],
      ]);
      const yp = tensor([
        [1, 1],
        [1, 0],
      ]);
      expect(values(meanSquaredError(yt, yp))).toEqual([0.5, 0.5]);
      // MAE of [[0, 1], [1, 1]] vs [[0.5, 1], [1, -1]]: (0.5 + 0)/2 = 0.25; (0 + 2)/2 = 1.
      expectClose(
        meanAbsoluteError(
          yt,
          tensor([
            [0.5, 1],
            [1, -1],
          ]),
        ).dataSync(),
        [0.25, 1],
        1e-7,
      );
      // Huber, delta 1, errors 0.5 and 2: 0.5·0.25 = 0.125; 1·(2 - 0.5) = 1.5; mean 0.8125.
      expectClose(huber(tensor([[0, 0]]), tensor([[0.5, 2]])).dataSync(), [0.8125], 1e-7);
      // delta 3 keeps both quadratic: (0.125 + 2)/2 = 1.0625.
      expectClose(huber(tensor([[0, 0]]), tensor([[0.5, 2]]), 3).dataSync(), [1.0625], 1e-7);
      // BCE: t = 1, p = 0.9: -ln 0.9 = 0.105361; t = 0, p = 0.2: -ln 0.8 = 0.223144; mean 0.164252.
      expectClose(binaryCrossentropy(tensor([[1, 0]]), tensor([[0.9, 0.2]])).dataSync(), [0.164252], 1e-5);
      // Clipped at 1 - 1e-7 (0.99999988 in float32): -ln(1.1920929e-7) = 15.942385.
      expectClose(binaryCrossentropy(tensor([[0]]), tensor([[1]])).dataSync(), [15.942385], 1e-5);
      // From logits: x = 0 -> ln 2 = 0.693147; x = 100, t = 0 -> 100; x = -100, t = 0 -> e^-100 ≈ 0.
      expectClose(
        binaryCrossentropy(tensor([[1], [0], [0]]), tensor([[0], [100], [-100]]), true).dataSync(),
        [0.693147, 100, 0],
        1e-6,
        1e-12,
      );
      // Softmax CE from logits [0, 200] at label 0: 200 exactly (probabilities would clip at 16.1).
      expectClose(softmaxCrossEntropyWithLogits(tensor([[1, 0]]), tensor([[0, 200]])).dataSync(), [200], 1e-6);
      expectClose(
        sparseSoftmaxCrossEntropyWithLogits(tensor([0], [1], 'int32'), tensor([[0, 200]])).dataSync(),
        [200],
        1e-6,
      );
      // ln(e^0 + e^1 + e^2) - 0 = 2.407606.
      expectClose(
        sparseCategoricalCrossentropy(tensor([0], [1], 'int32'), tensor([[0, 1, 2]]), true).dataSync(),
        [2.407606],
        1e-6,
      );
    });
  });

  const pairCases: {
    name: string;
    fn: (t: Tensor, p: Tensor) => Tensor;
    ref: RowFn;
    lo: number;
    hi: number;
    tBinary?: boolean;
    tDist?: boolean;
  }[] = [
    { name: 'meanSquaredError', fn: meanSquaredError, ref: REF.mse, lo: -3, hi: 3 },
    { name: 'meanAbsoluteError', fn: meanAbsoluteError, ref: REF.mae, lo: -3, hi: 3 },
    { name: 'huber', fn: (t, p) => huber(t, p), ref: REF.huber, lo: -3, hi: 3 },
    { name: 'binaryCrossentropy', fn: binaryCrossentropy, ref: REF.bce, lo: 0.02, hi: 0.98, tBinary: true },
    {
      name: 'binaryCrossentropy(fromLogits)',
      fn: (t, p) => binaryCrossentropy(t, p, true),
      ref: REF.bceLogits,
      lo: -6,
      hi: 6,
      tBinary: true,
    },
    { name: 'categoricalCrossentropy', fn: categoricalCrossentropy, ref: REF.cce, lo: 0.05, hi: 1, tDist: true },
    {
      name: 'categoricalCrossentropy(fromLogits)',
      fn: (t, p) => categoricalCrossentropy(t, p, true),
      ref: REF.softmaxCe,
      lo: -5,
      hi: 5,
      tDist: true,
    },
  ];

  for (const c of pairCases) {
    it(`${c.name}: per-sample losses and gradients match the reference on odd shapes`, () => {
      for (const [rows, cols] of SHAPES) {
        tidy(() => {
          const rand = rng(rows * 100 + cols);
          const ps = randomArray(rows * cols, rand, c.lo, c.hi);
          let ts = randomArray(rows * cols, rand, c.lo, c.hi);
          if (c.tBinary) ts = ts.map(() => (rand() < 0.5 ? 0 : 1));
          if (c.tDist) {
            // Soft labels: a distribution per row.
            ts = randomArray(rows * cols, rand, 0, 1);
            for (let r = 0; r < rows; r++) {
              let s = 0;
              for (let j = 0; j < cols; j++) s += ts[r * cols + j];
              for (let j = 0; j < cols; j++) ts[r * cols + j] /= s;
            }
          }
          const dls = randomArray(rows, rand, -2, 2);
          const t = tensor(ts, [rows, cols]);
          const p = tensor(ps, [rows, cols]);
          const loss = c.fn(t, p);
          expect(loss.shape).toEqual([rows]);
          expectClose(loss.dataSync(), perRow(ts, ps, rows, cols, c.ref), 2e-5, 2e-6, `${c.name} [${rows}, ${cols}]`);
          const [, dp] = grads(c.fn)([t, p], tensor(dls));
          const expected: number[] = [];
          for (let r = 0; r < rows; r++) {
            const row = (a: Float32Array) => Array.from(a.slice(r * cols, r * cols + cols));
            expected.push(...refGradP(c.ref, row(ts), row(ps), dls[r]));
          }
          expectClose(dp.dataSync(), expected, 1e-3, 1e-5, `${c.name} gradient [${rows}, ${cols}]`);
        });
      }
    });

    it(`${c.name}: gradients w.r.t. both inputs match finite differences`, () => {
      tidy(() => {
        const rand = rng(5);
        // Probabilities stay clear of 0 and 1, where 1/p curvature defeats a step of 1e-2.
        const [lo, hi] = c.name === 'binaryCrossentropy' ? [0.15, 0.85] : [c.lo, c.hi];
        let ps = randomArray(15, rand, lo, hi);
        if (c.name === 'meanAbsoluteError' || c.name === 'huber') ps = ps.map((v) => v + 0.5); // keep off the kinks
        const ts = randomArray(15, rand, Math.max(c.lo, 0.05), Math.min(c.hi, 0.95)).map((v) =>
          c.name === 'huber' ? v * 0.3 : v,
        );
        checkGradients(c.fn, [tensor(ts, [3, 5]), tensor(ps, [3, 5])], { rtol: 2e-2, atol: 2e-3 });
      });
    });
  }

  it('sparseCategoricalCrossentropy equals categoricalCrossentropy of the one-hot labels, values and gradients', () => {
    for (const [rows, cols] of SHAPES) {
      for (const fromLogits of [false, true]) {
        tidy(() => {
          const rand = rng(rows + cols);
          const labels = Array.from({ length: rows }, () => Math.floor(rand() * cols));
          const li = tensor(labels, [rows], 'int32');
          const lf = tensor(labels, [rows, 1]);
          const oh = oneHot(li, cols);
          const p = tensor(randomArray(rows * cols, rand, fromLogits ? -4 : 0.01, fromLogits ? 4 : 1), [rows, cols]);
          const dense = categoricalCrossentropy(oh, p, fromLogits).dataSync();
          expectClose(sparseCategoricalCrossentropy(li, p, fromLogits).dataSync(), dense, 1e-5, 1e-6);
          expectClose(sparseCategoricalCrossentropy(lf, p, fromLogits).dataSync(), dense, 1e-5, 1e-6);
          const dy = tensor(randomArray(rows, rand, -2, 2));
          const gDense = grads((pp: Tensor) => categoricalCrossentropy(oh, pp, fromLogits))([p], dy)[0].dataSync();
          const gSparse = grad((pp: Tensor) => sparseCategoricalCrossentropy(li, pp, fromLogits))(p, dy).dataSync();
          expectClose(gSparse, gDense, 1e-4, 1e-6);
          checkGradients((pp) => sparseCategoricalCrossentropy(lf, pp, fromLogits), [p]);
        });
      }
    }
  });

  it('the fused ops equal the composite softmax then cross-entropy where both are exact', () => {
    tidy(() => {
      const rand = rng(8);
      const x = tensor(randomArray(4 * 10, rand, -3, 3), [4, 10]);
      const labels = tensor([3, 0, 9, 5], [4], 'int32');
      const oh = oneHot(labels, 10);
      const composite = categoricalCrossentropy(oh, softmax(x)).dataSync();
      expectClose(softmaxCrossEntropyWithLogits(oh, x).dataSync(), composite, 1e-5);
      expectClose(sparseSoftmaxCrossEntropyWithLogits(labels, x).dataSync(), composite, 1e-5);
      // dL/dx = (softmax(x) - onehot) dy.
      const dy = randomArray(4, rand, 0.5, 2);
      const sm = softmax(x).dataSync();
      const expected = Array.from(sm, (v, i) => (v - oh.dataSync()[i]) * dy[Math.floor(i / 10)]);
      expectClose(
        grad((t: Tensor) => sparseSoftmaxCrossEntropyWithLogits(labels, t))(x, tensor(dy)).dataSync(),
        expected,
        1e-5,
        1e-7,
      );
      expectClose(
        grads((t: Tensor) => softmaxCrossEntropyWithLogits(oh, t))([x], tensor(dy))[0].dataSync(),
        expected,
        1e-5,
        1e-7,
      );
      // Elementwise sigmoid cross-entropy keeps the shape.
      const s = sigmoidCrossEntropyWithLogits(tensor([[1, 0, 1]]), tensor([[0, 2, -2]]));
      expect(s.shape).toEqual([1, 3]);
      // ln 2 = 0.693147; 2 + ln(1 + e^-2) = 2.126928; 0 + 2 + ln(1 + e^-2) = 2.126928.
      expectClose(s.dataSync(), [0.693147, 2.126928, 2.126928], 1e-5);
      checkGradients(sigmoidCrossEntropyWithLogits, [
        tensor(randomArray(6, rand, 0, 1), [2, 3]),
        tensor(randomArray(6, rand, -3, 3), [2, 3]),
      ]);
    });
  });

  it('reduces only the last axis, and ignores a trailing axis of 1 as Keras does', () => {
    tidy(() => {
      const p3 = tensor(randomArray(2 * 3 * 4, rng(1), 0.1, 1), [2, 3, 4]);
      expect(categoricalCrossentropy(p3, p3).shape).toEqual([2, 3]);
      expect(sparseCategoricalCrossentropy(tensor([0, 1, 2, 3, 0, 1], [2, 3], 'int32'), p3).shape).toEqual([2, 3]);
      expect(sparseSoftmaxCrossEntropyWithLogits(tensor([0, 1, 2, 3, 0, 1], [2, 3, 1], 'int32'), p3).shape).toEqual([
        2, 3,
      ]);
      expect(meanSquaredError(tensor([1, 2, 3]), tensor([1, 2, 4])).shape).toEqual([]);
      // [batch] targets against [batch, 1] predictions: one loss per sample.
      const l = meanSquaredError(tensor([1, 2, 3]), tensor([[1], [2], [5]]));
      expect(l.shape).toEqual([3]);
      expect(values(l)).toEqual([0, 0, 4]);
      expect(values(binaryCrossentropy(tensor([[1], [0]]), tensor([0.5, 0.5])))).toEqual(
        values(binaryCrossentropy(tensor([1, 0], [2, 1]), tensor([[0.5], [0.5]]))),
      );
      expect(meanSquaredError(tensor([[1, 2]]), tensor([[[1], [2]]])).shape).toEqual([1]);
      // int32 targets are read as floats (Keras casts them); they get no gradient.
      const ti = tensor([[1, 0]], [1, 2], 'int32');
      expectClose(binaryCrossentropy(ti, tensor([[0.9, 0.2]])).dataSync(), [0.164252], 1e-5);
      expectClose(
        grad((pp: Tensor) => meanSquaredError(ti, pp))(tensor([[2, 2]]), tensor([1])).dataSync(),
        [1, 2],
        1e-6,
      );
    });
  });

  it('NaN inputs give NaN losses for their samples only', () => {
    tidy(() => {
      const l = meanSquaredError(
        tensor([
          [0, 0],
          [0, 0],
        ]),
        tensor([
          [NaN, 1],
          [1, 1],
        ]),
      ).dataSync();
      expect(Number.isNaN(l[0])).toBe(true);
      expect(l[1]).toBe(1);
      const c = categoricalCrossentropy(
        tensor([
          [1, 0],
          [1, 0],
        ]),
        tensor([
          [NaN, 0.5],
          [0.5, 0.5],
        ]),
      ).dataSync();
      expect(Number.isNaN(c[0])).toBe(true);
      expect(Number.isFinite(c[1])).toBe(true);
      const s = sparseSoftmaxCrossEntropyWithLogits(
        tensor([0, 0], [2], 'int32'),
        tensor([
          [NaN, 1],
          [0, 1],
        ]),
      ).dataSync();
      expect(Number.isNaN(s[0])).toBe(true);
      expect(Number.isFinite(s[1])).toBe(true);
    });
  });

  it('a bad label is an error naming the label and its position', () => {
    const p = tensor([
      [0.5, 0.3, 0.2],
      [0.1, 0.1, 0.8],
    ]);
    const before = memory().numTensors;
    expect(() => sparseCategoricalCrossentropy(tensor([0, 3], [2], 'int32'), p)).toThrow(
      'ferrite: sparseCategoricalCrossentropy: label 3 at position [1] of labels [2] is outside [0, 3)',
    );
    expect(() => sparseCategoricalCrossentropy(tensor([[-1], [0]]), p)).toThrow(
      /label -1 at position \[0, 0\] of labels \[2, 1\] is outside \[0, 3\)/,
    );
    expect(() => sparseCategoricalCrossentropy(tensor([1.5, 0]), p)).toThrow(
      /label 1.5 at position \[0\] .* is not an integer class index in \[0, 3\)/,
    );
    expect(() => sparseCategoricalCrossentropy(tensor([0, NaN]), p)).toThrow(/label NaN at position \[1\]/);
    expect(() => sparseSoftmaxCrossEntropyWithLogits(tensor([0, 7], [2], 'int32'), p)).toThrow(
      /sparseSoftmaxCrossEntropyWithLogits: label 7 at position \[1\] of labels \[2\] is outside \[0, 3\)/,
    );
    expect(() => sparseCategoricalCrossentropy(tensor([0, 1, 2], [3], 'int32'), p)).toThrow(
      /labels \[3\] must be \[2\] or \[2, 1\] \(one class index per row of predictions \[2, 3\]\)/,
    );
    // The losses allocated for the failed calls were freed (only the label tensors remain).
    expect(memory().numTensors).toBe(before + 6);
  });

  it('mismatched shapes are an error naming both shapes', () => {
    const a = tensor([[1, 2, 3]]);
    const b = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(() => meanSquaredError(a, b)).toThrow(
      'ferrite: meanSquaredError: yTrue [1, 3] and yPred [2, 2] must have the same shape',
    );
    expect(() => categoricalCrossentropy(b, a)).toThrow(/categoricalCrossentropy: yTrue \[2, 2\] and yPred \[1, 3\]/);
    expect(() => softmaxCrossEntropyWithLogits(a, b)).toThrow(
      /softmaxCrossEntropyWithLogits: labels \[1, 3\] and logits \[2, 2\] must have the same shape/,
    );
    expect(() => binaryCrossentropy(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(
      /binaryCrossentropy: yTrue \[2\] and yPred \[3\]/,
    );
    expect(() => huber(a, a, 0)).toThrow(/huber: delta must be a positive number/);
    expect(() => meanSquaredError(a, tensor([[1, 2, 3]], [1, 3], 'int32'))).toThrow(
      /meanSquaredError: yPred must be float32/,
    );
  });

  it('frees everything it makes: no tensors leak from a loss and its gradient', () => {
    const t = tensor([[1, 0, 0]]);
    const p = tensor([[0.5, 0.3, 0.2]]);
    const ti = tensor([[1, 0, 0]], [1, 3], 'int32');
    const before = memory().numTensors;
    tidy(() => {
      for (const f of [meanSquaredError, categoricalCrossentropy, binaryCrossentropy]) {
        f(ti, p);
        grads((a: Tensor, b: Tensor) => f(a, b))([t, p]);
        grad((b: Tensor) => f(ti, b))(p);
      }
    });
    expect(memory().numTensors).toBe(before);
  });
});

describeEachBuild('getLoss', () => {
  it('resolves Keras and TF.js identifiers to the exported functions', () => {
    const cases: [string, unknown][] = [
      ['meanSquaredError', meanSquaredError],
      ['mse', meanSquaredError],
      ['mean_squared_error', meanSquaredError],
      ['MSE', meanSquaredError],
      ['meanAbsoluteError', meanAbsoluteError],
      ['mae', meanAbsoluteError],
      ['mean_absolute_error', meanAbsoluteError],
      ['huber', huber],
      ['huber_loss', huber],
      ['categoricalCrossentropy', categoricalCrossentropy],
      ['categorical_crossentropy', categoricalCrossentropy],
      ['sparseCategoricalCrossentropy', sparseCategoricalCrossentropy],
      ['sparse_categorical_crossentropy', sparseCategoricalCrossentropy],
      ['binaryCrossentropy', binaryCrossentropy],
      ['binary_crossentropy', binaryCrossentropy],
    ];
    for (const [name, f] of cases) expect(getLoss(name), name).toBe(f);
    const custom = (a: Tensor, b: Tensor) => meanSquaredError(a, b);
    expect(getLoss(custom)).toBe(custom);
  });

  it('an unknown name is an error listing the valid names', () => {
    expect(() => getLoss('meanSquareError')).toThrow(
      /getLoss: unknown loss "meanSquareError"; valid names are meanSquaredError, mse, meanAbsoluteError/,
    );
  });
});
