// prod, cumsum, cumprod (core-rs/src/scan.rs), and all, any, logSumExp, norm, moments:
// values against naive references and TF.js's cpu backend, gradients against finite
// differences, the same bits for any thread count, and errors that name the op.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { leakFree } from '../support/leaks.js';
import { expectSameBits, sameBitsAsFirstBuild } from '../support/same-bits.js';
import { engine } from '../../ts/backend/engine.js';
import { ScanOp } from '../../ts/backend/core-abi.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import { sizeOf } from '../support/references.js';
import type { Tensor } from '../../ts/tensor/tensor.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

/** expectClose where equal values (infinities included) always pass. */
function near(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  const a = Array.from(actual);
  const e = Array.from(expected).map((v, i) => (v === a[i] ? a[i] : v));
  expectClose(
    a.map((v, i) => (v === e[i] ? 0 : v)),
    e.map((v, i) => (v === a[i] ? 0 : v)),
    tol,
    tol,
    what,
  );
}

/** The naive running sum/product of a (outer, n, inner) view. */
function scanRef(
  x: ArrayLike<number>,
  shape: number[],
  axis: number,
  prod: boolean,
  exclusive: boolean,
  reverse: boolean,
): Float32Array {
  const outer = sizeOf(shape.slice(0, axis));
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const y = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = prod ? 1 : 0;
      for (let i = 0; i < n; i++) {
        const k = reverse ? n - 1 - i : i;
        const at = (o * n + k) * inner + j;
        const before = acc;
        acc = prod ? acc * x[at] : acc + x[at];
        y[at] = exclusive ? before : acc;
      }
    }
  }
  return y;
}

const expectSameBitsAsFirstBuild = sameBitsAsFirstBuild();

describeEachBuild('reductions of the catalogue', (build, threads) => {
  it('cumsum and cumprod match the naive reference on every axis, exclusive and reverse', () => {
    const rand = rng(3);
    for (const shape of [[7], [3, 5], [2, 9, 6], [4, 1, 33], [0, 3]]) {
      const xd = randomArray(sizeOf(shape), rand, 0.5, 1.5);
      leakFree(() => {
        const x = fe.tensor(xd, shape);
        for (let axis = -shape.length; axis < shape.length; axis++) {
          const a = axis < 0 ? axis + shape.length : axis;
          for (const exclusive of [false, true]) {
            for (const reverse of [false, true]) {
              const what = `[${shape}] axis ${axis} exclusive ${exclusive} reverse ${reverse}`;
              const s = fe.cumsum(x, axis, exclusive, reverse);
              expect(s.shape).toEqual(shape);
              expectClose(s.dataSync(), scanRef(xd, shape, a, false, exclusive, reverse), 1e-5, 1e-5, `cumsum ${what}`);
              const p = x.cumprod(axis, exclusive, reverse);
              expectClose(p.dataSync(), scanRef(xd, shape, a, true, exclusive, reverse), 1e-5, 1e-6, `cumprod ${what}`);
            }
          }
        }
      });
    }
  });

  it('fe_scan and fe_prod equal their naive references bit for bit (rows, columns, odd widths)', () => {
    const rand = rng(8);
    const eng = engine();
    for (const [outer, n, inner] of [
      [1, 37, 1],
      [5, 9, 1],
      [3, 11, 7],
      [2, 6, 21],
      [1, 300, 1000],
    ]) {
      leakFree(() => {
        const x = fe.tensor(randomArray(outer * n * inner, rand, 0.9, 1.1), [outer, n, inner]);
        const [got, want] = [fe.zerosLike(x), fe.zerosLike(x)];
        for (const op of [ScanOp.SUM, ScanOp.PROD]) {
          for (const flags of [0, 1, 2, 3]) {
            eng.core.fe_scan(op, x.ptr, got.ptr, outer, n, inner, flags);
            eng.core.fe_scan_naive(op, x.ptr, want.ptr, outer, n, inner, flags);
            expectSameBits(
              got.dataSync() as Float32Array,
              want.dataSync() as Float32Array,
              `scan ${op} flags ${flags}`,
            );
          }
        }
        const [p, q] = [fe.zeros([outer, inner]), fe.zeros([outer, inner])];
        eng.core.fe_prod(x.ptr, p.ptr, outer, n, inner);
        eng.core.fe_prod_naive(x.ptr, q.ptr, outer, n, inner);
        expectSameBits(p.dataSync() as Float32Array, q.dataSync() as Float32Array, `prod ${[outer, n, inner]}`);
      });
    }
  });

  it('prod matches the naive reference over every axis set; 1 over nothing', () => {
    const rand = rng(4);
    const shape = [3, 4, 5];
    const xd = randomArray(60, rand, 0.6, 1.4);
    leakFree(() => {
      const x = fe.tensor(xd, shape);
      const axesList: (number | number[] | undefined)[] = [undefined, 0, 1, -1, [0, 2], [1, 2], [0, 1, 2], []];
      for (const axis of axesList) {
        for (const keepDims of [false, true]) {
          const list = axis === undefined ? [0, 1, 2] : typeof axis === 'number' ? [axis < 0 ? axis + 3 : axis] : axis;
          const want: number[] = [];
          const outShape = shape.map((d, i) => (list.includes(i) ? 1 : d));
          for (let flat = 0; flat < sizeOf(outShape); flat++) {
            const idx = outShape.map((_, i) => Math.floor(flat / sizeOf(outShape.slice(i + 1))) % outShape[i]);
            let acc = 1;
            for (let k = 0; k < 60; k++) {
              const kx = shape.map((_, i) => Math.floor(k / sizeOf(shape.slice(i + 1))) % shape[i]);
              if (kx.every((v, i) => list.includes(i) || v === idx[i])) acc *= xd[k];
            }
            want.push(acc);
          }
          const y = fe.prod(x, axis, keepDims);
          expect(y.shape).toEqual(keepDims ? outShape : shape.filter((_, i) => !list.includes(i)));
          expectClose(y.dataSync(), want, 1e-5, 0, `prod axis ${JSON.stringify(axis)} keepDims ${keepDims}`);
        }
      }
      expect(Array.from(fe.prod(fe.tensor([], [0, 2]), 0).dataSync())).toEqual([1, 1]);
      const ints = fe.prod(fe.tensor([2, 3, -4], [3], 'int32'));
      expect([ints.dtype, ints.arraySync()]).toEqual(['int32', -24]);
      expect(Array.from(fe.prod(fe.tensor([1, NaN, 2])).dataSync())).toEqual([NaN]);
    });
  });

  it('match TF.js cpu: prod, cumsum, cumprod, all, any, logSumExp, norm, moments', () => {
    const rand = rng(9);
    const shape = [3, 4, 5];
    const xd = Array.from(randomArray(60, rand, -2, 2));
    const bools = xd.map((v) => v > -1);
    // Each case is written once against Ferrite's API and run on both libraries.
    type Case = [string, (t: typeof fe) => Tensor];
    const cases: Case[] = [
      ['prod 1', (t) => t.prod(t.tensor(xd, shape), 1)],
      ['prod [0, 2] keepDims', (t) => t.prod(t.tensor(xd, shape), [0, 2], true)],
      ['cumsum 2 exclusive', (t) => t.cumsum(t.tensor(xd, shape), 2, true)],
      ['cumsum 1 reverse', (t) => t.cumsum(t.tensor(xd, shape), 1, false, true)],
      ['cumsum int32', (t) => t.cumsum(t.tensor([1, 2, 3, 4], [4], 'int32'))],
      ['cumprod 0 exclusive reverse', (t) => t.cumprod(t.tensor(xd, shape), 0, true, true)],
      ['all', (t) => t.all(t.tensor(bools, shape, 'bool'))],
      ['all 1', (t) => t.all(t.tensor(bools, shape, 'bool'), 1)],
      ['any [0, 2] keepDims', (t) => t.any(t.tensor(bools, shape, 'bool'), [0, 2], true)],
      ['logSumExp', (t) => t.logSumExp(t.tensor(xd, shape))],
      [
        'logSumExp 2 keepDims',
        (t) =>
          t.logSumExp(
            t.tensor(
              xd.map((v) => 40 * v),
              shape,
            ),
            2,
            true,
          ),
      ],
      ['logSumExp [0, 1]', (t) => t.logSumExp(t.tensor(xd, shape), [0, 1])],
    ];
    const ords: [string, number | 'euclidean' | 'fro', number | number[] | null][] = [
      ['euclidean', 'euclidean', null],
      ['1 flat', 1, null],
      ['2 axis 1', 2, 1],
      ['Infinity axis -1', Infinity, -1],
      ['-Infinity axis 0', -Infinity, 0],
      ['1 matrix', 1, [1, 2]],
      ['Infinity matrix', Infinity, [0, 1]],
      ['-Infinity matrix', -Infinity, [0, 2]],
      ['fro matrix', 'fro', [1, 2]],
    ];
    for (const [name, ord, axis] of ords) {
      for (const keepDims of [false, true]) {
        cases.push([
          `norm ${name} keepDims ${keepDims}`,
          (t) => t.norm(t.tensor(xd, shape), ord, axis as never, keepDims),
        ]);
      }
    }
    for (const axis of [null, 0, [1, 2]]) {
      for (const keepDims of [false, true]) {
        cases.push([`moments mean ${axis}`, (t) => t.moments(t.tensor(xd, shape), axis as never, keepDims).mean]);
        cases.push([
          `moments variance ${axis}`,
          (t) => t.moments(t.tensor(xd, shape), axis as never, keepDims).variance,
        ]);
      }
    }
    for (const [what, f] of cases) {
      let want = { shape: [] as number[], dtype: '', data: [] as number[] };
      tf.tidy(() => {
        const y = f(tf as unknown as typeof fe) as unknown as TF.Tensor;
        want = { shape: y.shape, dtype: y.dtype, data: Array.from(y.dataSync() as ArrayLike<number>) };
      });
      leakFree(() => {
        const y = f(fe);
        expect([y.shape, y.dtype], what).toEqual([want.shape, want.dtype]);
        near(y.dataSync(), want.data, 2e-5, what);
      });
    }
  });

  it('logSumExp stays finite for large values and gives -Infinity where all are -Infinity; NaN propagates', () => {
    leakFree(() => {
      const x = fe.tensor([
        [1000, 1000, -1000],
        [-Infinity, -Infinity, -Infinity],
        [Infinity, 1, 2],
        [NaN, 0, 1],
      ]);
      const y = Array.from(fe.logSumExp(x, 1).dataSync());
      expectClose([y[0]], [1000 + Math.log(2)], 1e-6, 0, 'large');
      expect(y.slice(1)).toEqual([-Infinity, Infinity, NaN]);
    });
  });

  it('gradients: prod (zeros included), cumsum, logSumExp, norm, moments', () => {
    const rand = rng(12);
    const x = fe.tensor(randomArray(24, rand, 0.5, 1.5), [2, 3, 4]);
    const withZero = fe.tensor([0.5, 0, 1.5, 2, 0, 0, 1.2, -0.7, 0.9], [3, 3]);
    const opts = { eps: 1e-3, rtol: 2e-2, atol: 2e-3 };
    checkGradients((t) => fe.prod(t, 1), [x], opts);
    checkGradients((t) => fe.prod(t, [0, 2], true), [x], opts);
    checkGradients((t) => fe.prod(t), [x], opts);
    checkGradients((t) => fe.prod(t, 1), [withZero], opts);
    checkGradients((t) => fe.prod(t, 0), [withZero], opts);
    for (const exclusive of [false, true]) {
      for (const reverse of [false, true]) {
        checkGradients((t) => fe.cumsum(t, 1, exclusive, reverse), [x], opts);
      }
    }
    checkGradients((t) => fe.logSumExp(t, 2), [x], opts);
    checkGradients((t) => fe.logSumExp(t, [0, 1], true), [x], opts);
    checkGradients((t) => fe.norm(t), [x], opts);
    checkGradients((t) => fe.norm(t, 1, [1, 2]), [x], opts);
    checkGradients((t) => fe.norm(t, 'fro', [0, 2], true), [x], opts);
    checkGradients((t) => fe.moments(t, [0, 2]).variance, [x], opts);
    checkGradients((t) => fe.moments(t, 1, true).mean, [x], opts);
    x.dispose();
    withZero.dispose();
  });

  it('give the same bits on every build and thread count', () => {
    const rand = rng(21);
    const wide = fe.tensor(randomArray(129 * 1031, rand, 0.9, 1.1), [129, 1031]);
    const cases: [string, () => Tensor][] = [
      ['cumsum columns', () => fe.cumsum(wide, 0)],
      ['cumsum rows reverse', () => fe.cumsum(wide, 1, false, true)],
      ['cumprod rows', () => fe.cumprod(wide, 1, true)],
      ['prod columns', () => fe.prod(wide, 0)],
      ['prod rows', () => fe.prod(wide, 1)],
      ['logSumExp rows', () => fe.logSumExp(wide, 1)],
    ];
    expectSameBitsAsFirstBuild(cases, `${build} x${threads}`);
    wide.dispose();
  });

  it('bad input names the op; cumprod says it has no gradient', () => {
    leakFree(() => {
      const x = fe.tensor([1, 2, 3, 4], [2, 2]);
      expect(() => fe.cumsum(x, 2)).toThrow(/cumsum: axis 2 is out of range/);
      expect(() => fe.prod(x, [0, 0])).toThrow(/prod: axis 0 is given twice/);
      expect(() => fe.all(x)).toThrow(/all: x must be a bool tensor/);
      expect(() => fe.norm(x, 3 as never)).toThrow(/norm: ord 3/);
      expect(() => fe.norm(x, 2, [0, 1])).toThrow(/norm: ord 2 is not a matrix norm/);
      expect(() => fe.norm(x, 1, [0, 1, 1] as never)).toThrow(/norm: axis must be/);
      expect(() => fe.grad((t: Tensor) => fe.sum(fe.cumprod(t)))(x)).toThrow(/cumprod has no gradient/);
    });
  });
});
