// einsum (lowered to sum, transpose, reshape and matMul): values against a naive
// summation and TF.js's cpu backend, gradients against finite differences, errors.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { leakFree } from '../support/leaks.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import { sizeOf } from '../support/references.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

/** The naive einsum: every assignment of the letters, summed into the output (float64). */
function einsumRef(equation: string, operands: { data: ArrayLike<number>; shape: number[] }[]): number[] {
  const [lhs, out] = equation.split('->');
  const specs = lhs.split(',');
  const size = new Map<string, number>();
  specs.forEach((s, i) => [...s].forEach((c, k) => size.set(c, operands[i].shape[k])));
  const letters = [...size.keys()];
  const outShape = [...out].map((c) => size.get(c)!);
  const y = new Array<number>(sizeOf(outShape)).fill(0);
  const at = (spec: string, shape: number[], v: Map<string, number>) =>
    [...spec].reduce((acc, c, k) => acc * shape[k] + v.get(c)!, 0);
  const total = sizeOf(letters.map((c) => size.get(c)!));
  for (let flat = 0; flat < total; flat++) {
    const v = new Map<string, number>();
    let rest = flat;
    for (let i = letters.length - 1; i >= 0; i--) {
      const d = size.get(letters[i])!;
      v.set(letters[i], rest % d);
      rest = Math.floor(rest / d);
    }
    let p = 1;
    specs.forEach((s, i) => (p *= operands[i].data[at(s, operands[i].shape, v)]));
    y[at(out, outShape, v)] += p;
  }
  return y;
}

const CASES: [string, number[][]][] = [
  [
    'ij,jk->ik',
    [
      [3, 4],
      [4, 5],
    ],
  ],
  [
    'bij,bjk->bik',
    [
      [2, 3, 4],
      [2, 4, 5],
    ],
  ],
  [
    'bhqd,bhkd->bhqk',
    [
      [2, 3, 4, 5],
      [2, 3, 6, 5],
    ],
  ],
  [
    'bhqk,bhkd->bhqd',
    [
      [2, 3, 4, 6],
      [2, 3, 6, 5],
    ],
  ],
  [
    'bi,bi->b',
    [
      [4, 7],
      [4, 7],
    ],
  ],
  ['i,j->ij', [[3], [4]]],
  ['ij->ji', [[3, 4]]],
  ['ij->i', [[3, 4]]],
  ['ijk->', [[2, 3, 4]]],
  [
    'ij,kj->ik',
    [
      [3, 4],
      [5, 4],
    ],
  ],
  [
    'ji,jk->ik',
    [
      [4, 3],
      [4, 5],
    ],
  ],
  ['bi,ij,bj->b', []], // three operands: an error (TF.js takes at most two)
  [
    'bin,bjn->bij',
    [
      [2, 3, 5],
      [2, 4, 5],
    ],
  ],
  [
    'ij,jk->ki',
    [
      [3, 1],
      [1, 5],
    ],
  ],
  [
    'abc,cd->abd',
    [
      [2, 0, 3],
      [3, 4],
    ],
  ],
];

describeEachBuild('einsum', () => {
  it('matches the naive summation and TF.js for the contractions layers use', () => {
    const rand = rng(17);
    for (const [eq, shapes] of CASES) {
      if (shapes.length === 0) continue;
      const data = shapes.map((s) => Array.from(randomArray(sizeOf(s), rand, -1, 1)));
      const ref = einsumRef(
        eq,
        data.map((d, i) => ({ data: d, shape: shapes[i] })),
      );
      const want = tf.tidy(() => {
        const y = tf.einsum(eq, ...data.map((d, i) => tf.tensor(d, shapes[i])));
        return { shape: y.shape, data: Array.from(y.dataSync()) };
      });
      leakFree(() => {
        const y = fe.einsum(eq, ...data.map((d, i) => fe.tensor(d, shapes[i])));
        expect(y.shape, eq).toEqual(want.shape);
        expectClose(y.dataSync(), ref, 1e-5, 1e-5, `${eq} vs naive`);
        expectClose(y.dataSync(), want.data, 1e-5, 1e-5, `${eq} vs TF.js`);
      });
    }
  });

  it('is differentiable in both operands', () => {
    const rand = rng(18);
    for (const [eq, shapes] of CASES) {
      if (shapes.length === 0 || shapes.some((s) => sizeOf(s) === 0)) continue;
      const xs = shapes.map((s) => fe.tensor(randomArray(sizeOf(s), rand, -1, 1), s));
      checkGradients((...ts) => fe.einsum(eq, ...ts), xs, { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
      for (const x of xs) x.dispose();
    }
  });

  it('matMul on rank 3+ (batchMatMul) broadcasts batch dims and transposes as TF.js', () => {
    const rand = rng(19);
    // Batch shapes TF.js's cpu backend gets right: it flattens batch dims before
    // broadcasting, so [2, 1] against [3] is beyond it (Ferrite broadcasts per dim).
    const cases: [number[], number[], boolean, boolean][] = [
      [[1, 3, 3, 4], [3, 5, 4], false, true],
      [[2, 4, 3], [1, 4, 5], true, false],
      [[4, 3], [2, 2, 5, 4], true, true],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const [da, db] = [randomArray(sizeOf(sa), rand), randomArray(sizeOf(sb), rand)];
      let want = { shape: [] as number[], data: [] as number[] };
      tf.tidy(() => {
        const y = tf.matMul(tf.tensor(da, sa), tf.tensor(db, sb), ta, tb);
        want = { shape: y.shape, data: Array.from(y.dataSync()) };
      });
      const [a, b] = [fe.tensor(da, sa), fe.tensor(db, sb)];
      leakFree(() => {
        const y = fe.matMul(a, b, ta, tb);
        expect(y.shape).toEqual(want.shape);
        expectClose(y.dataSync(), want.data, 1e-5, 1e-5, `matMul ${sa} ${sb} ${ta} ${tb}`);
      });
      checkGradients((x, w) => fe.matMul(x, w, ta, tb), [a, b], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
      a.dispose();
      b.dispose();
    }
  });

  it('gives a new tensor for an identity equation, and clear errors', () => {
    leakFree(() => {
      const a = fe.tensor([1, 2, 3, 4], [2, 2]);
      const same = fe.einsum('ij->ij', a);
      expect(same).not.toBe(a);
      expect(same.arraySync()).toEqual(a.arraySync());
      expect(() => fe.einsum('ii->i', a)).toThrow(/einsum: 'ii->i': operand 0 'ii' repeats an axis/);
      expect(() => fe.einsum('ij,jk', a, a)).toThrow(/einsum: 'ij,jk': equations without '->'/);
      expect(() => fe.einsum('ij,jk->ik', a, fe.tensor([1, 2, 3], [3, 1]))).toThrow(/axis 'j' has size 2 .* and 3/);
      expect(() => fe.einsum('bi,ij,bj->b', a, a, a)).toThrow(/one or two operands/);
      expect(() => fe.einsum('ijk->i', a)).toThrow(/names 3 axes but has shape \[2, 2\]/);
      expect(() => fe.einsum('ij->iz', a)).toThrow(/output axis 'z' is in no operand/);
    });
  });
});
