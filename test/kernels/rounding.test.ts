// floor, ceil, round (halves to even), mod (the divisor's sign) and floorDiv (int32):
// values against a naive reference and TF.js cpu, broadcasting, odd sizes, empty tensors,
// NaN and ±Infinity, int32 inputs, gradients (zero for the rounding functions, TF.js's
// for mod), no leaked tensors.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, rng } from '../support/helpers.js';
import { leakFree } from '../support/leaks.js';
import { binaryRef, sizeOf } from '../support/references.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import { tensor } from '../../ts/tensor/creation.js';
import { grads } from '../../ts/autograd/tape.js';
import { ceil, floor, floorDiv, mod, mul, round, sum } from '../../ts/ops/index.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

const f32 = Math.fround;

/** Round half to even, in float64 (the inputs are float32, so this is exact). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** TF.js's mod: the truncated remainder, moved to the divisor's sign. */
function modRef(a: number, b: number): number {
  const r = a % b;
  return (a < 0 && b < 0) || (a >= 0 && b >= 0) ? r : (r + b) % b;
}

/** Halves, near-integers, large magnitudes beyond 2^23 (already integers), specials. */
function roundingInputs(n: number, rand: () => number): Float32Array {
  const special = [NaN, Infinity, -Infinity, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 8388609, -1e30];
  return Float32Array.from({ length: n }, (_, i) =>
    i % 5 === 0 ? special[i % special.length] : f32((rand() * 2 - 1) * 10),
  );
}

describeEachBuild('rounding', () => {
  it('floor, ceil and round match the naive reference (round: halves to even) at odd sizes', () => {
    const rand = rng(2);
    for (const n of [0, 1, 3, 4, 7, 37, 1000]) {
      leakFree(() => {
        const d = roundingInputs(n, rand);
        const x = tensor(d, [n]);
        const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
        for (const [name, op, ref] of [
          ['floor', floor, Math.floor],
          ['ceil', ceil, Math.ceil],
          ['round', round, roundHalfEven],
        ] as const) {
          const y = op(x);
          expect(y.shape).toEqual([n]);
          const got = Array.from(y.dataSync());
          got.forEach((v, i) => {
            if (!same(v, ref(d[i]))) expect(v, `${name}(${d[i]})`).toBe(ref(d[i]));
          });
        }
      });
    }
  });

  it('floor, ceil and round keep int32 as it is; their gradient is zero', () => {
    leakFree(() => {
      const i = tensor([-3, 0, 7], [3], 'int32');
      for (const op of [floor, ceil, round]) {
        const y = op(i);
        expect(y.dtype).toBe('int32');
        expect(Array.from(y.dataSync())).toEqual([-3, 0, 7]);
      }
      const x = tensor([0.3, -1.7, 2.5]);
      for (const op of [floor, ceil, round]) {
        const [g] = grads((t) => sum(mul(op(t), t)))([x]);
        // d(op(x) x) = op(x) (the op itself contributes nothing)
        expect(Array.from(g.dataSync())).toEqual(Array.from(op(x).dataSync()));
      }
    });
  });

  it('mod and floorDiv match the naive reference with broadcasting, both signs, NaN, ±Infinity and x/0', () => {
    const rand = rng(6);
    const shapes: [number[], number[]][] = [
      [[7], [7]],
      [[5, 9], [9]],
      [
        [5, 1],
        [1, 9],
      ],
      [[], [4, 3]],
      [[0, 2], [2]],
    ];
    for (const [aShape, bShape] of shapes) {
      leakFree(() => {
        const special = [NaN, Infinity, -Infinity, 0, -0];
        const gen = (n: number) =>
          Float32Array.from({ length: n }, () =>
            rand() < 0.1 ? special[Math.floor(rand() * 5)] : f32((rand() * 2 - 1) * 12),
          );
        const ad = gen(sizeOf(aShape));
        const bd = gen(sizeOf(bShape));
        const [a, b] = [tensor(ad, aShape), tensor(bd, bShape)];
        const m = mod(a, b);
        const want = binaryRef((p, q) => f32(modRef(p, q)), ad, aShape, bd, bShape);
        expect(m.shape).toEqual(want.shape);
        const got = m.dataSync();
        for (let k = 0; k < got.length; k++) {
          if (!(Object.is(got[k] + 0, want.data[k] + 0) || (Number.isNaN(got[k]) && Number.isNaN(want.data[k])))) {
            expect(got[k], `mod element ${k}`).toBe(want.data[k]);
          }
        }
        const q = floorDiv(a, b);
        expect(q.dtype).toBe('int32');
        const qWant = binaryRef(
          (p, r) => {
            const v = Math.floor(f32(p / r));
            return Number.isFinite(v) ? v + 0 : 0;
          },
          ad,
          aShape,
          bd,
          bShape,
        );
        expect(Array.from(q.dataSync())).toEqual(Array.from(qWant.data));
      });
    }
  });

  it('mod and floorDiv on int32 stay int32 (x mod 0 and x floorDiv 0 give 0, as TF.js)', () => {
    leakFree(() => {
      const a = tensor([5, -5, 5, -5, 7, 0], [6], 'int32');
      const b = tensor([3, 3, -3, -3, 0, 4], [6], 'int32');
      const m = mod(a, b);
      expect(m.dtype).toBe('int32');
      expect(Array.from(m.dataSync())).toEqual([2, 1, -1, -2, 0, 0]);
      const q = floorDiv(a, b);
      expect(q.dtype).toBe('int32');
      expect(Array.from(q.dataSync())).toEqual([1, -2, -2, 1, 0, 0]);
      expect(mod(a, 2.5).dtype).toBe('float32');
    });
  });

  it('agree with TF.js cpu', () => {
    const rand = rng(31);
    const d = roundingInputs(45, rand);
    const e = Float32Array.from({ length: 45 }, (_, i) => (i % 7 === 0 ? 0 : f32((rand() * 2 - 1) * 4)));
    leakFree(() => {
      const [x, y] = [tensor(d, [5, 9]), tensor(e, [5, 9])];
      const [tx, ty] = [tf.tensor(Array.from(d), [5, 9]), tf.tensor(Array.from(e), [5, 9])];
      const pairs: [string, ArrayLike<number>, TF.Tensor][] = [
        ['floor', floor(x).dataSync(), tf.floor(tx)],
        ['ceil', ceil(x).dataSync(), tf.ceil(tx)],
        ['round', round(x).dataSync(), tf.round(tx)],
        ['mod', mod(x, y).dataSync(), tf.mod(tx, ty)],
        ['floorDiv', floorDiv(x, y).dataSync(), tf.floorDiv(tx, ty)],
      ];
      for (const [name, got, want] of pairs) {
        // +0 and -0 count as equal (TF.js's mod gives either, by its float64 arithmetic).
        expect(
          Array.from(got, (v) => v + 0),
          name,
        ).toEqual(Array.from(want.dataSync(), (v) => v + 0));
      }
      tf.dispose([tx, ty, ...pairs.map((p) => p[2])]);
    });
  });

  it('mod: gradients dy for a and -dy floor(a / b) for b (TF.js), broadcast ones summed back', () => {
    const rand = rng(9);
    // a / b kept away from integers, where mod jumps and finite differences would too.
    const b = tensor(Float32Array.from({ length: 4 }, () => (rand() < 0.5 ? -1 : 1) * (1 + rand())));
    const bd = b.dataSync();
    const ad = Float32Array.from(
      { length: 12 },
      (_, i) => bd[i % 4] * (Math.floor(rand() * 7) - 3 + 0.3 + 0.4 * rand()),
    );
    const a = tensor(ad, [3, 4]);
    checkGradients((p, q) => mod(p, q), [a, b], { eps: 1e-3 });
    a.dispose();
    b.dispose();
  });
});
