// split, reverse, gatherND, scatterND, unique, bincount, denseBincount, range, linspace,
// eye: values against TF.js's cpu backend and small references, gradients against
// finite differences, errors that name the op, no leaked tensors.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { leakFree } from '../support/leaks.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import type { Tensor } from '../../ts/tensor/tensor.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

// Each case is written once against Ferrite's API and run on both libraries.
type Lib = typeof fe;

/** Runs `f` with TF.js and Ferrite and compares every output tensor (shape, dtype, values). */
function sameAsTfjs(what: string, f: (t: Lib) => Tensor | Tensor[], tol = 1e-6): void {
  const flat = (r: Tensor | Tensor[]) => (Array.isArray(r) ? r : [r]);
  let want: { shape: readonly number[]; dtype: string; data: number[] }[] = [];
  tf.tidy(() => {
    const ys = flat(f(tf as unknown as Lib)) as unknown as TF.Tensor[];
    want = ys.map((y) => ({ shape: y.shape, dtype: y.dtype, data: Array.from(y.dataSync() as ArrayLike<number>) }));
  });
  leakFree(() => {
    const got = flat(f(fe));
    expect(got.length, what).toBe(want.length);
    got.forEach((y, i) => {
      expect([y.shape, y.dtype], `${what} output ${i}`).toEqual([want[i].shape, want[i].dtype]);
      expectClose(y.dataSync(), want[i].data, tol, tol, `${what} output ${i}`);
    });
  });
}

describeEachBuild('shape and index ops', () => {
  const rand = rng(5);
  const xd = Array.from(randomArray(2 * 3 * 5, rand, -2, 2));

  it('split and reverse match TF.js', () => {
    sameAsTfjs('split into 3 along axis 1', (t) => t.split(t.tensor(xd, [2, 3, 5]), 3, 1));
    sameAsTfjs('split sizes with -1', (t) => t.split(t.tensor(xd, [2, 3, 5]), [1, -1, 2], -1));
    sameAsTfjs('split into an empty part', (t) => t.split(t.tensor(xd, [2, 3, 5]), [0, 2, 1], 1));
    sameAsTfjs('reverse all', (t) => t.reverse(t.tensor(xd, [2, 3, 5])));
    sameAsTfjs('reverse [0, -1]', (t) => t.reverse(t.tensor(xd, [2, 3, 5]), [0, -1]));
    sameAsTfjs('reverse int32', (t) => t.reverse(t.tensor([1, 2, 3], [3], 'int32')));
    sameAsTfjs('reverse empty', (t) => t.reverse(t.tensor([], [0, 2]), 0));
  });

  it('gatherND and scatterND match TF.js (duplicates in scatterND add up)', () => {
    const idx2 = [
      [1, 2],
      [0, 0],
      [1, 2],
    ];
    sameAsTfjs('gatherND slices', (t) => t.gatherND(t.tensor(xd, [2, 3, 5]), t.tensor(idx2, [3, 2], 'int32')));
    sameAsTfjs('gatherND elements', (t) =>
      t.gatherND(t.tensor(xd, [2, 3, 5]), t.tensor([[[1, 2, 4]], [[0, 1, 3]]], [2, 1, 3], 'int32')),
    );
    sameAsTfjs('gatherND int32', (t) =>
      t.gatherND(
        t.tensor(
          [
            [1, 2],
            [3, 4],
          ],
          [2, 2],
          'int32',
        ),
        t.tensor([[1], [0]], [2, 1], 'int32'),
      ),
    );
    sameAsTfjs('scatterND', (t) =>
      t.scatterND(t.tensor(idx2, [3, 2], 'int32'), t.tensor(xd.slice(0, 15), [3, 5]), [2, 3, 5]),
    );
    sameAsTfjs('scatterND int32 elements', (t) =>
      t.scatterND(t.tensor([[3], [1], [3]], [3, 1], 'int32'), t.tensor([1, 2, 5], [3], 'int32'), [6]),
    );
  });

  it('unique, bincount, denseBincount match TF.js', () => {
    const vals = [3, 1, 3, 2, 1, 7, 2];
    sameAsTfjs('unique 1-D', (t) => {
      const r = t.unique(t.tensor(vals));
      return [r.values, r.indices];
    });
    sameAsTfjs('unique rows (axis 0) and columns (axis 1)', (t) => {
      const x = t.tensor([1, 0, 1, 1, 0, 1, 2, 1, 2], [3, 3]);
      const a = t.unique(x, 0);
      const b = t.unique(x, 1);
      return [a.values, a.indices, b.values, b.indices];
    });
    sameAsTfjs('unique int32 with NaN-free repeats', (t) => t.unique(t.tensor([5, 5, 5], [3], 'int32')).values);
    sameAsTfjs('bincount counts', (t) => t.bincount(t.tensor(vals, [7], 'int32'), t.tensor([]), 5));
    sameAsTfjs('bincount weights', (t) => t.bincount(t.tensor(vals, [7], 'int32'), t.tensor(xd.slice(0, 7)), 8), 1e-6);
    sameAsTfjs('denseBincount 2-D', (t) =>
      t.denseBincount(t.tensor([1, 1, 3, 0, 2, 2], [2, 3], 'int32'), t.tensor([]), 4),
    );
    sameAsTfjs('denseBincount binary', (t) =>
      t.denseBincount(t.tensor([1, 1, 3, 0, 2, 2], [2, 3], 'int32'), t.tensor([]), 3, true),
    );
  });

  it('range, linspace, eye match TF.js', () => {
    sameAsTfjs('range', (t) => t.range(0, 5, 2));
    sameAsTfjs('range down by 1.5', (t) => t.range(5, 0, -1.5));
    sameAsTfjs('range empty', (t) => t.range(0, 5, -1));
    sameAsTfjs('range int32', (t) => t.range(-3, 4, 1, 'int32'));
    sameAsTfjs('linspace', (t) => t.linspace(-1, 2, 7), 1e-6);
    sameAsTfjs('linspace 1', (t) => t.linspace(3, 9, 1));
    sameAsTfjs('eye', (t) => t.eye(3));
    sameAsTfjs('eye rectangular batched', (t) => t.eye(2, 3, [2]));
  });

  it('gradients: split, reverse, gatherND, scatterND', () => {
    const x = fe.tensor(xd, [2, 3, 5]);
    const idx = fe.tensor([1, 2, 0, 0, 1, 2], [3, 2], 'int32');
    const upd = fe.tensor(xd.slice(0, 15), [3, 5]);
    checkGradients((t) => fe.concat(fe.split(t, [2, -1, 1], 2).reverse(), 2), [x]);
    checkGradients((t) => fe.split(t, 3, 1)[1], [x]);
    checkGradients((t) => fe.reverse(t, [0, 2]), [x]);
    checkGradients((t) => fe.gatherND(t, idx), [x]);
    checkGradients((u) => fe.scatterND(idx, u, [2, 3, 5]), [upd]);
    for (const t of [x, idx, upd]) t.dispose();
  });

  it('bad input names the op', () => {
    leakFree(() => {
      const x = fe.tensor(xd, [2, 3, 5]);
      expect(() => fe.split(x, 2, 1)).toThrow(/split: axis 1 of \[2, 3, 5\] \(size 3\) cannot be split into 2/);
      expect(() => fe.split(x, [1, 1], 1)).toThrow(/split: sizes \[1, 1\] do not add up to 3/);
      expect(() => fe.reverse(x, [0, -3])).toThrow(/reverse: .* repeats an axis/);
      expect(() => fe.gatherND(x, fe.tensor([[2, 0]], [1, 2], 'int32'))).toThrow(/gatherND: index \[2, 0\]/);
      expect(() => fe.gatherND(x, fe.tensor([[0, 0]], [1, 2]))).toThrow(/gatherND: indices must be int32/);
      expect(() => fe.scatterND(fe.tensor([[0]], [1, 1], 'int32'), fe.tensor([1, 2]), [4])).toThrow(
        /scatterND: updates have shape \[2\], expected \[1\]/,
      );
      expect(() => fe.bincount(fe.tensor([1, -1], [2], 'int32'), fe.tensor([]), 3)).toThrow(
        /bincount: x must be non-negative/,
      );
      expect(() => fe.range(0, 1, 0)).toThrow(/range: step cannot be 0/);
      expect(() => fe.linspace(0, 1, 0)).toThrow(/linspace: num must be a positive integer/);
    });
  });
});
