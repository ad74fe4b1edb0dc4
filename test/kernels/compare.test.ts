// Comparisons, logic, where, the isNaN family, and NaN in max/min/argMax/argMin: values
// against a naive reference and against TF.js cpu, bool dtypes, broadcasting, odd sizes
// (the kernels' vector tails), empty tensors, NaN and ±Infinity, int32 inputs, the
// gradient of `where`, no leaked tensors.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, rng } from '../support/helpers.js';
import { leakFree } from '../support/leaks.js';
import { binaryRef, sizeOf } from '../support/references.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import { tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import {
  argMax,
  argMin,
  equal,
  greater,
  greaterEqual,
  isFinite,
  isInf,
  isNaN,
  less,
  lessEqual,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  max,
  maximum,
  min,
  minimum,
  mul,
  notEqual,
  where,
  type Operand,
} from '../../ts/ops/index.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

type Binary = (a: Operand, b: Operand) => Tensor;
type TfBinary = (a: TF.Tensor, b: TF.Tensor) => TF.Tensor;

const COMPARISONS: [string, Binary, (a: number, b: number) => boolean][] = [
  ['equal', equal, (a, b) => a === b],
  ['notEqual', notEqual, (a, b) => a !== b],
  ['greater', greater, (a, b) => a > b],
  ['greaterEqual', greaterEqual, (a, b) => a >= b],
  ['less', less, (a, b) => a < b],
  ['lessEqual', lessEqual, (a, b) => a <= b],
];

const LOGIC: [string, Binary, (a: boolean, b: boolean) => boolean][] = [
  ['logicalAnd', logicalAnd, (a, b) => a && b],
  ['logicalOr', logicalOr, (a, b) => a || b],
  ['logicalXor', logicalXor, (a, b) => a !== b],
];

/** Broadcast pairs: same shape with odd sizes (vector tails), rows, columns, outer products, empty. */
const SHAPES: [number[], number[]][] = [
  [[], []],
  [[7], [7]],
  [[33, 65], [65]],
  [
    [33, 1],
    [33, 65],
  ],
  [
    [9, 1],
    [1, 13],
  ],
  [
    [2, 1, 3],
    [5, 1],
  ],
  [[], [3, 5]],
  [[0, 3], [3]],
];

/** Small integers (so that ties happen), with NaN and ±Infinity sprinkled in. */
function values(n: number, rand: () => number): Float32Array {
  const special = [NaN, Infinity, -Infinity, -0];
  return Float32Array.from({ length: n }, () =>
    rand() < 0.1 ? special[Math.floor(rand() * special.length)] : Math.floor(rand() * 7) - 3,
  );
}

const bits = (b: boolean) => (b ? 1 : 0);

describeEachBuild('comparisons and logic', () => {
  it('comparisons give bool tensors matching the naive reference, with broadcasting, NaN and ±Infinity', () => {
    const rand = rng(5);
    for (const [aShape, bShape] of SHAPES) {
      leakFree(() => {
        const ad = values(sizeOf(aShape), rand);
        const bd = values(sizeOf(bShape), rand);
        const a = tensor(ad, aShape);
        const b = tensor(bd, bShape);
        for (const [name, op, ref] of COMPARISONS) {
          for (const [x, xd, xs, y, yd, ys] of [
            [a, ad, aShape, b, bd, bShape],
            [b, bd, bShape, a, ad, aShape],
          ] as const) {
            const out = op(x, y);
            const want = binaryRef((p, q) => bits(ref(p, q)), xd, xs, yd, ys);
            expect(out.dtype, name).toBe('bool');
            expect(out.shape, `${name} [${xs}] [${ys}]`).toEqual(want.shape);
            expect(Array.from(out.dataSync()), `${name} [${xs}] [${ys}]`).toEqual(Array.from(want.data));
          }
        }
      });
    }
  });

  it('comparisons take int32, bool and numbers (compared as numbers), as TF.js', () => {
    leakFree(() => {
      const i = tensor([1, 2, -3, 4], [4], 'int32');
      const f = tensor([1, 2.5, -3, NaN]);
      expect(Array.from(equal(i, f).dataSync())).toEqual([1, 0, 1, 0]);
      expect(Array.from(less(i, 2).dataSync())).toEqual([1, 0, 1, 0]);
      expect(Array.from(greaterEqual(2, i).dataSync())).toEqual([1, 1, 1, 0]);
      const b = tensor([true, false, true, false]);
      expect(Array.from(equal(b, tensor([1, 0, 0, 1], [4], 'int32')).dataSync())).toEqual([1, 1, 0, 0]);
      expect(equal(i, i).dtype).toBe('bool');
    });
  });

  it('logic ops match the naive reference on bool tensors with broadcasting, and refuse other dtypes', () => {
    const rand = rng(8);
    for (const [aShape, bShape] of SHAPES) {
      leakFree(() => {
        const ad = Float32Array.from({ length: sizeOf(aShape) }, () => bits(rand() < 0.5));
        const bd = Float32Array.from({ length: sizeOf(bShape) }, () => bits(rand() < 0.5));
        const a = tensor(ad, aShape, 'bool');
        const b = tensor(bd, bShape, 'bool');
        for (const [name, op, ref] of LOGIC) {
          const out = op(a, b);
          const want = binaryRef((p, q) => bits(ref(p !== 0, q !== 0)), ad, aShape, bd, bShape);
          expect(out.dtype).toBe('bool');
          expect(Array.from(out.dataSync()), `${name} [${aShape}] [${bShape}]`).toEqual(Array.from(want.data));
        }
        const not = logicalNot(a);
        expect(not.dtype).toBe('bool');
        expect(Array.from(not.dataSync())).toEqual(Array.from(ad, (v) => 1 - v));
      });
    }
    leakFree(() => {
      const f = tensor([1, 0]);
      const b = tensor([true, false]);
      expect(() => logicalAnd(f, b)).toThrow(/logicalAnd: needs bool tensors, got float32 \[2\] and bool \[2\]/);
      expect(() => logicalOr(b, 1)).toThrow(/logicalOr: needs bool tensors/);
      expect(() => logicalNot(f)).toThrow(/logicalNot: needs a bool tensor, got float32 \[2\]/);
    });
  });

  it('isNaN, isInf and isFinite give bool tensors (all false / all finite on int32)', () => {
    leakFree(() => {
      const data = [NaN, Infinity, -Infinity, 0, -0, 1e-45, 3.4e38, -2, NaN];
      const x = tensor(data);
      expect(Array.from(isNaN(x).dataSync())).toEqual(data.map((v) => bits(Number.isNaN(v))));
      expect(Array.from(isInf(x).dataSync())).toEqual(data.map((v) => bits(Math.abs(v) === Infinity)));
      expect(Array.from(isFinite(x).dataSync())).toEqual(data.map((v) => bits(Number.isFinite(v))));
      expect(isNaN(x).dtype).toBe('bool');
      const i = tensor([1, -2, 3], [3], 'int32');
      expect(Array.from(isNaN(i).dataSync())).toEqual([0, 0, 0]);
      expect(Array.from(isFinite(i).dataSync())).toEqual([1, 1, 1]);
      expect(isNaN(tensor([], [0, 4])).shape).toEqual([0, 4]);
    });
  });

  it('where broadcasts the condition, a and b together and keeps their dtype', () => {
    leakFree(() => {
      const c = tensor([true, false, true]);
      const a = tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(where(c, a, tensor(-1)).arraySync()).toEqual([
        [1, -1, 3],
        [4, -1, 6],
      ]);
      expect(where(tensor([[true], [false]]), a, tensor([7, 8, 9])).arraySync()).toEqual([
        [1, 2, 3],
        [7, 8, 9],
      ]);
      // Odd sizes through the vector loop and its tail; NaN and Infinity move untouched.
      const n = 37;
      const rand = rng(3);
      const cd = Array.from({ length: n }, () => rand() < 0.5);
      const ad = values(n, rand);
      const bd = values(n, rand);
      const y = where(tensor(cd), tensor(ad), tensor(bd)).dataSync();
      expect(Array.from(y)).toEqual(cd.map((t, k) => (t ? ad[k] : bd[k])));
      const ints = where(c, tensor([1, 2, 3], [3], 'int32'), tensor([-1, -2, -3], [3], 'int32'));
      expect(ints.dtype).toBe('int32');
      expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
      const mixed = where(c, tensor([1, 2, 3], [3], 'int32'), tensor([0.5, 0.5, 0.5]));
      expect(mixed.dtype).toBe('float32');
      expect(Array.from(mixed.dataSync())).toEqual([1, 0.5, 3]);
      expect(where(tensor([], [0], 'bool'), tensor([], [0]), tensor(1)).shape).toEqual([0]);
      expect(() => where(tensor([1, 0]), a, a)).toThrow(
        /where: the condition must be a bool tensor, got float32 \[2\]/,
      );
      expect(() => where(tensor([true, false]), a, a)).toThrow(/where: shapes \[2\] and \[2, 3\] cannot be broadcast/);
    });
  });

  it('where is differentiable in a and b (broadcast gradients summed back), comparisons are constant', () => {
    const rand = rng(12);
    // Values at least 0.3 from the comparisons' threshold 0, which finite differences then never cross.
    const x = tensor(
      Float32Array.from({ length: 15 }, () => (rand() < 0.5 ? -1 : 1) * (0.3 + 0.7 * rand())),
      [3, 5],
    );
    const b = tensor(
      Float32Array.from({ length: 5 }, () => rand() * 2 - 1),
      [5],
    );
    const c = greater(x, 0);
    checkGradients((p, q) => where(c, mul(p, p), mul(q, 3)), [x, b]);
    // The condition computed from the input itself: no gradient through the comparison.
    checkGradients((p) => where(greater(p, 0), mul(p, 2), mul(p, -1)), [x]);
    for (const t of [x, b, c]) t.dispose();
  });

  it('agree with TF.js cpu on comparisons, logic, where and the isNaN family', () => {
    const rand = rng(21);
    const [aShape, bShape] = [
      [4, 1, 7],
      [3, 7],
    ];
    const ad = values(sizeOf(aShape), rand);
    const bd = values(sizeOf(bShape), rand);
    leakFree(() => {
      const [a, b] = [tensor(ad, aShape), tensor(bd, bShape)];
      const [ta, tb] = [tf.tensor(Array.from(ad), aShape), tf.tensor(Array.from(bd), bShape)];
      const tfOps = tf as unknown as Record<string, TfBinary>;
      for (const [name, op] of COMPARISONS) {
        const want = tfOps[name](ta, tb);
        expect(Array.from(op(a, b).dataSync()), name).toEqual(Array.from(want.dataSync()));
        want.dispose();
      }
      const [ba, bb] = [greater(a, 0), less(b, 1)];
      const [tba, tbb] = [tf.greater(ta, 0), tf.less(tb, 1)];
      for (const [name, op] of LOGIC) {
        const want = tfOps[name](tba, tbb);
        expect(Array.from(op(ba, bb).dataSync()), name).toEqual(Array.from(want.dataSync()));
        want.dispose();
      }
      const tw = tf.where(tba, ta, tb);
      expect(Array.from(where(ba, a, b).dataSync())).toEqual(Array.from(tw.dataSync()));
      for (const [name, op] of [
        ['isNaN', isNaN],
        ['isInf', isInf],
        ['isFinite', isFinite],
      ] as const) {
        const want = (tf as unknown as Record<string, (x: TF.Tensor) => TF.Tensor>)[name](ta);
        expect(Array.from(op(a).dataSync()), name).toEqual(Array.from(want.dataSync()));
        want.dispose();
      }
      tf.dispose([ta, tb, tba, tbb, tw]);
    });
  });

  it('maximum, minimum, max, min, argMax and argMin treat NaN as TF.js cpu does', () => {
    const rand = rng(4);
    leakFree(() => {
      // Rows of odd length (vector body and tail), NaN first, inside, or absent.
      const shape = [6, 13];
      const data = Float32Array.from({ length: sizeOf(shape) }, () => Math.floor(rand() * 9) - 4);
      data[0] = NaN; // row 0 starts with NaN, column 0 too
      data[13 + 5] = NaN; // row 1 inside
      data[3 * 13 + 12] = NaN; // row 3 at its end (the tail)
      data[5 * 13 + 7] = NaN; // column 7 at its end
      const x = tensor(data, shape);
      const tx = tf.tensor(Array.from(data), shape);
      const pairs: [string, Tensor, TF.Tensor][] = [];
      for (const axis of [0, 1]) {
        pairs.push([`max ${axis}`, max(x, axis), tf.max(tx, axis)]);
        pairs.push([`min ${axis}`, min(x, axis), tf.min(tx, axis)]);
        pairs.push([`argMax ${axis}`, argMax(x, axis), tf.argMax(tx, axis)]);
        pairs.push([`argMin ${axis}`, argMin(x, axis), tf.argMin(tx, axis)]);
      }
      const other = tensor(Float32Array.from(data).reverse(), shape);
      const tother = tf.tensor(Array.from(data).reverse(), shape);
      pairs.push(['maximum', maximum(x, other), tf.maximum(tx, tother)]);
      pairs.push(['minimum', minimum(x, other), tf.minimum(tx, tother)]);
      pairs.push(['maximum scalar NaN', maximum(x, NaN), tf.maximum(tx, NaN)]);
      for (const [name, got, want] of pairs) {
        expect(got.dtype, name).toBe(want.dtype);
        expect(Array.from(got.dataSync()), name).toEqual(Array.from(want.dataSync()));
      }
      tf.dispose([tx, tother, ...pairs.map((p) => p[2])]);
    });
  });
});
