import { expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { leakFree } from '../support/leaks.js';
import { sameBitsAsFirstBuild } from '../support/same-bits.js';
import { randomShape, reduceRef, sizeOf } from '../support/references.js';
import { tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { grads } from '../../ts/autograd/tape.js';
import { engine } from '../../ts/backend/engine.js';
import { argMax, argMin, max, mean, min, mul, sum, sumToShape } from '../../ts/ops/index.js';

type ReduceFn = (x: Tensor, axis?: number | number[], keepDims?: boolean) => Tensor;

/** Every way to name the reduced axes of a rank-r tensor: undefined, each subset (as an array, some negative), single numbers. */
function axisChoices(rank: number, rand: () => number): { axis: number | number[] | undefined; mask: boolean[] }[] {
  const out: { axis: number | number[] | undefined; mask: boolean[] }[] = [
    { axis: undefined, mask: new Array(rank).fill(true) },
  ];
  for (let bits = 0; bits < 1 << rank; bits++) {
    const mask = Array.from({ length: rank }, (_, i) => ((bits >> i) & 1) === 1);
    const axes = mask.flatMap((m, i) => (m ? [rand() < 0.5 ? i - rank : i] : []));
    out.push({ axis: axes.length === 1 && rand() < 0.5 ? axes[0] : axes.reverse(), mask });
  }
  return out;
}

const REDUCTIONS: [string, ReduceFn, number, (acc: number, v: number) => number, boolean][] = [
  ['sum', sum, 0, (a, v) => a + v, false],
  ['mean', mean, 0, (a, v) => a + v, true],
  ['max', max, -Infinity, (a, v) => Math.max(a, v), false],
  ['min', min, Infinity, (a, v) => Math.min(a, v), false],
];

// Results of the determinism test on the first configuration, compared bit for bit on the others.
const expectSameBitsAsFirstBuild = sameBitsAsFirstBuild();

describeEachBuild('reductions', (build, threads) => {
  it('sum, mean, max, min match the naive reference for every axis set, keepDims or not', () => {
    const rand = rng(31);
    const shapes = [[], [1], [7], [1, 1], [3, 1, 5], [33, 17], [2, 3, 5, 7], [4, 1, 6, 3]];
    for (let i = 0; i < 6; i++) shapes.push(randomShape(rand, 1 + Math.floor(rand() * 4), [1, 2, 3, 5, 9]));
    for (const shape of shapes) {
      const xd = randomArray(sizeOf(shape), rand, -2, 2);
      const x = tensor(xd, shape);
      for (const { axis, mask } of axisChoices(shape.length, rand)) {
        for (const keepDims of [false, true]) {
          for (const [name, op, init, step, isMean] of REDUCTIONS) {
            tidy(() => {
              const y = op(x, axis, keepDims);
              const ref = reduceRef(xd, shape, mask, init, step);
              const count = sizeOf(shape.filter((_, i) => mask[i]));
              const want = isMean ? ref.data.map((v) => v / count) : ref.data;
              const wantShape = keepDims ? ref.keepShape : shape.filter((_, i) => !mask[i]);
              const what = `${name} [${shape}] axis ${JSON.stringify(axis)} keepDims ${keepDims}`;
              expect(y.shape, what).toEqual(wantShape);
              // Sums may cancel: the absolute bound scales with the largest inputs (|x| <= 2).
              const tol = name === 'sum' ? 1e-5 : name === 'mean' ? 2e-6 : 0;
              expectClose(y.dataSync(), want, tol, tol, what);
            });
          }
        }
      }
      x.dispose();
    }
  });

  it('sum is accurate for long reductions (pairwise), along rows, columns and the middle', () => {
    // 0.1 is not exact in float32; a running float32 sum of 2^20 of them is off by ~1e-3 relative.
    const n = 1 << 20;
    const tenth = Math.fround(0.1);
    const exact = n * tenth;
    tidy(() => {
      const x = tensor(new Float32Array(n).fill(tenth));
      expectClose([sum(x).dataSync()[0]], [exact], 1e-6, 0, 'one long sum');
      expectClose([mean(x).dataSync()[0]], [tenth], 1e-6, 0, 'one long mean');
      const cols = sum(tensor(new Float32Array(n).fill(tenth), [n / 8, 8]), 0);
      expectClose(cols.dataSync(), new Array(8).fill(exact / 8), 1e-6, 0, 'column sums');
      const odd = sum(tensor(new Float32Array(3 * 99999).fill(tenth), [99999, 3]), 0);
      expectClose(odd.dataSync(), new Array(3).fill(99999 * tenth), 1e-6, 0, 'narrow column sums');
      const mid = sum(tensor(new Float32Array(2 * 70001 * 5).fill(tenth), [2, 70001, 5]), 1);
      expectClose(mid.dataSync(), new Array(10).fill(70001 * tenth), 1e-6, 0, 'middle axis');
      const rows = sum(tensor(new Float32Array(4 * 100003).fill(tenth), [4, 100003]), 1);
      expectClose(rows.dataSync(), new Array(4).fill(100003 * tenth), 1e-6, 0, 'row sums');
    });
  });

  it('give the same bits on every build and thread count', () => {
    const rand = rng(77);
    const cases: [string, () => Tensor][] = [];
    const long = tensor(randomArray(300001, rand, -1, 1));
    const wide = tensor(randomArray(257 * 1031, rand, -1, 1), [257, 1031]);
    cases.push(['long sum', () => sum(long)]);
    cases.push(['column sums', () => sum(wide, 0)]);
    cases.push(['row sums', () => sum(wide, 1)]);
    cases.push(['max columns', () => max(wide, 0)]);
    cases.push(['row mean grad', () => grads((t: Tensor) => mean(mul(t, t)))([wide])[0]]);
    expectSameBitsAsFirstBuild(cases, `${build} x${threads}`);
    long.dispose();
    wide.dispose();
  });

  it('reduce empty axes to 0, NaN, -Infinity and +Infinity', () => {
    tidy(() => {
      const e = tensor([], [0, 3]);
      expect(Array.from(sum(e, 0).dataSync())).toEqual([0, 0, 0]);
      expect(Array.from(mean(e, 0).dataSync())).toEqual([NaN, NaN, NaN]);
      expect(Array.from(max(e, 0).dataSync())).toEqual([-Infinity, -Infinity, -Infinity]);
      expect(Array.from(min(e, 0).dataSync())).toEqual([Infinity, Infinity, Infinity]);
      expect(sum(e, 1).shape).toEqual([0]);
      expect(sum(tensor(5, [])).arraySync()).toBe(5);
      // max and min propagate NaN (as TF.js), on rows (contiguous) and down columns alike.
      const withNaN = tensor([NaN, 1, -3, 5, 4, 2, 9, 0], [4, 2]);
      expect(Array.from(max(withNaN, 0).dataSync())).toEqual([NaN, 5]);
      expect(Array.from(min(withNaN, 0).dataSync())).toEqual([NaN, 0]);
      expect(Array.from(max(withNaN, 1).dataSync())).toEqual([NaN, 5, 4, 9]);
      const long = new Float32Array(37).fill(1);
      long[21] = NaN;
      expect(max(tensor(long)).arraySync()).toBeNaN();
      expect(min(tensor(long)).arraySync()).toBeNaN();
    });
  });

  it('gradients of sum and mean broadcast dy back; max and min route it to the first extremum', () => {
    const rand = rng(41);
    // Distinct values (a shuffled ramp) keep max/min away from ties for finite differences.
    const distinct = (n: number) => {
      const v = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [v[i], v[j]] = [v[j], v[i]];
      }
      return v;
    };
    const cases: [number[], number | number[] | undefined][] = [
      [[5], undefined],
      [[3, 4], 0],
      [[3, 4], -1],
      [
        [2, 3, 4],
        [0, 2],
      ],
      [[2, 3, 4], 1],
      [
        [2, 1, 3, 2],
        [1, 3],
      ],
      [[2, 3], []],
    ];
    for (const [shape, axis] of cases) {
      const x = tensor(distinct(sizeOf(shape)), shape);
      for (const [, op] of REDUCTIONS) {
        for (const keepDims of [false, true]) {
          checkGradients((t) => op(t, axis, keepDims), [x], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
        }
      }
      x.dispose();
    }
    tidy(() => {
      // Ties: the first maximum (row-major) takes all of dy, also across two axis runs.
      const t = tensor([
        [1, 3, 3],
        [3, 0, 2],
      ]);
      expect(grads((v: Tensor) => sum(max(v, 1)))([t])[0].arraySync()).toEqual([
        [0, 1, 0],
        [1, 0, 0],
      ]);
      expect(grads((v: Tensor) => max(v))([t])[0].arraySync()).toEqual([
        [0, 1, 0],
        [0, 0, 0],
      ]);
      expect(grads((v: Tensor) => sum(min(v, 0)))([t])[0].arraySync()).toEqual([
        [1, 0, 0],
        [0, 1, 1],
      ]);
      const t3 = tensor([
        [
          [1, 5],
          [5, 2],
        ],
        [
          [5, 0],
          [3, 5],
        ],
      ]);
      expect(grads((v: Tensor) => sum(max(v, [0, 2])))([t3])[0].arraySync()).toEqual([
        [
          [0, 1],
          [1, 0],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ]);
    });
  });

  it('argMax and argMin: int32, first index on ties, default axis 0, negative axes', () => {
    const rand = rng(5);
    tidy(() => {
      const t = tensor([
        [1, 3, 3],
        [3, 0, 2],
      ]);
      const a0 = argMax(t);
      expect(a0.dtype).toBe('int32');
      expect(a0.arraySync()).toEqual([1, 0, 0]);
      expect(argMax(t, -1).arraySync()).toEqual([1, 0]);
      expect(argMin(t, 1).arraySync()).toEqual([0, 1]);
      expect(argMin(t, 0).arraySync()).toEqual([0, 1, 1]);
      for (const shape of [[7], [4, 9], [3, 5, 2], [2, 1, 3, 4], [3, 1003], [1001, 6], [2, 77, 9]]) {
        const xd = Float32Array.from({ length: sizeOf(shape) }, () => Math.floor(rand() * 5)); // many ties
        const x = tensor(xd, shape);
        for (let axis = -shape.length; axis < shape.length; axis++) {
          const a = (axis + shape.length) % shape.length;
          const outer = sizeOf(shape.slice(0, a));
          const n = shape[a];
          const inner = sizeOf(shape.slice(a + 1));
          const wantMax: number[] = [];
          const wantMin: number[] = [];
          for (let o = 0; o < outer; o++) {
            for (let j = 0; j < inner; j++) {
              const col = Array.from({ length: n }, (_, k) => xd[(o * n + k) * inner + j]);
              wantMax.push(col.indexOf(Math.max(...col)));
              wantMin.push(col.indexOf(Math.min(...col)));
            }
          }
          expect(Array.from(argMax(x, axis).dataSync()), `argMax [${shape}] axis ${axis}`).toEqual(wantMax);
          expect(Array.from(argMin(x, axis).dataSync()), `argMin [${shape}] axis ${axis}`).toEqual(wantMin);
          expect(argMax(x, axis).shape).toEqual(shape.filter((_, i) => i !== a));
        }
      }
    });
  });

  it('argMax and argMin follow TF.js cpu on NaN: skipped, unless it comes first (then it is kept)', () => {
    tidy(() => {
      const row = new Float32Array(37).fill(1);
      row[1] = NaN;
      row[20] = 3;
      row[30] = 3;
      row[5] = -2;
      expect(argMax(tensor(row)).arraySync()).toBe(20);
      expect(argMin(tensor(row)).arraySync()).toBe(5);
      row[0] = NaN;
      expect(argMax(tensor(row)).arraySync()).toBe(0);
      expect(argMin(tensor(row)).arraySync()).toBe(0);
      expect(argMax(tensor(new Float32Array(12).fill(NaN))).arraySync()).toBe(0);
      expect(argMax(tensor(new Float32Array(12).fill(-Infinity))).arraySync()).toBe(0);
      // Five columns: four down the vector path, one down the scalar one.
      const cols = tensor([NaN, 1, 2, 2, 5, 5, NaN, 0, 7, 9, 0, 7, 1, 1, 1], [3, 5]);
      expect(argMax(cols, 0).arraySync()).toEqual([0, 2, 0, 1, 1]);
      expect(argMin(cols, 0).arraySync()).toEqual([0, 0, 1, 2, 2]);
    });
  });

  it('sumToShape sums gradients back over broadcast dims and returns x itself when shapes match', () => {
    tidy(() => {
      const x = tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(sumToShape(x, [2, 3])).toBe(x);
      expect(sumToShape(x, [3]).arraySync()).toEqual([5, 7, 9]);
      expect(sumToShape(x, [2, 1]).arraySync()).toEqual([[6], [15]]);
      expect(sumToShape(x, [1, 1]).arraySync()).toEqual([[21]]);
      expect(sumToShape(x, []).arraySync()).toEqual(21);
      expect(() => sumToShape(x, [2])).toThrow(/sumToShape: \[2\] does not broadcast to \[2, 3\]/);
    });
  });

  it('reject bad axes and inputs with clear errors', () => {
    tidy(() => {
      const x = tensor([
        [1, 2],
        [3, 4],
      ]);
      expect(() => sum(x, 2)).toThrow(/ferrite: sum: axis 2 is out of range for a tensor of rank 2/);
      expect(() => mean(x, [0, -2])).toThrow(/ferrite: mean: axis -2 is given twice in \[0, -2\]/);
      expect(() => max(x, 0.5)).toThrow(/ferrite: max: axis 0.5 is out of range/);
      expect(() => argMax(tensor(3))).toThrow(/ferrite: argMax: needs a tensor of rank >= 1, got a scalar/);
      expect(() => argMin(tensor([], [2, 0]), 1)).toThrow(/ferrite: argMin: axis 1 of \[2, 0\] is empty/);
      expect(() => sum('x' as unknown as Tensor)).toThrow(/ferrite: sum: argument 0 must be a Tensor/);
    });
  });

  it('do not leak tensors through forward and backward', () => {
    const x = tensor(randomArray(24, rng(2)), [2, 3, 4]);
    leakFree(() => {
      for (const [, op] of REDUCTIONS) {
        op(x, [0, 2], true);
        grads((t: Tensor) => sum(op(t, [0, 2])))([x]);
        grads((t: Tensor) => op(t))([x]);
      }
      argMax(x, 1);
    });
    x.dispose();
  });
});

describeEachBuild('reduce kernels against their Rust naive reference', () => {
  it('fe_arg_reduce matches fe_arg_reduce_naive on rows and columns with many ties', () => {
    const eng = engine();
    const rand = rng(6);
    for (const [outer, n, inner] of [
      [1, 1000, 1],
      [9, 33, 1],
      [1, 70, 19],
      [3, 45, 16],
      [2, 5, 37],
      [4, 8, 1],
    ]) {
      tidy(() => {
        const x = tensor(Float32Array.from({ length: outer * n * inner }, () => Math.floor(rand() * 6) - 3));
        const y1 = tensor(new Int32Array(outer * inner), [outer * inner], 'int32');
        const y2 = tensor(new Int32Array(outer * inner), [outer * inner], 'int32');
        for (const op of [1, 2]) {
          eng.core.fe_arg_reduce(op, x.ptr, y1.ptr, outer, n, inner);
          eng.core.fe_arg_reduce_naive(op, x.ptr, y2.ptr, outer, n, inner);
          expect(Array.from(y1.dataSync()), `op ${op} (${outer}, ${n}, ${inner})`).toEqual(Array.from(y2.dataSync()));
        }
      });
    }
  });

  it('fe_reduce matches fe_reduce_naive (max/min exactly, sums closely)', () => {
    const eng = engine();
    const rand = rng(8);
    for (const [outer, n, inner] of [
      [1, 1000, 1],
      [7, 33, 1],
      [1, 70, 19],
      [3, 45, 16],
      [2, 5, 37],
    ]) {
      tidy(() => {
        const x = tensor(randomArray(outer * n * inner, rand));
        const y1 = tensor(new Float32Array(outer * inner));
        const y2 = tensor(new Float32Array(outer * inner));
        for (const op of [0, 1, 2]) {
          eng.core.fe_reduce(op, x.ptr, y1.ptr, outer, n, inner, 0.5);
          eng.core.fe_reduce_naive(op, x.ptr, y2.ptr, outer, n, inner, 0.5);
          expectClose(
            y1.dataSync(),
            y2.dataSync(),
            op === 0 ? 1e-5 : 0,
            op === 0 ? 1e-5 : 0,
            `op ${op} (${outer}, ${n}, ${inner})`,
          );
        }
      });
    }
  });
});
