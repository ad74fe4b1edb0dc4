import { expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { leakFree } from '../support/leaks.js';
import { sameBitsAsFirstBuild } from '../support/same-bits.js';
import { broadcastIndex, randomShape, ravel, sizeOf, unravel } from '../support/references.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { grads } from '../../ts/autograd/tape.js';
import { engine } from '../../ts/backend/engine.js';
import {
  add,
  broadcastTo,
  concat,
  expandDims,
  gather,
  mul,
  reshape,
  slice,
  squeeze,
  stack,
  sum,
  tile,
  transpose,
  unstack,
} from '../../ts/ops/index.js';

/** Naive references, element by element from N-d indices. */
function transposeRef(x: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const out = perm.map((p) => shape[p]);
  return Array.from({ length: sizeOf(out) }, (_, i) => {
    const idx = unravel(i, out);
    const src = new Array<number>(shape.length);
    perm.forEach((p, k) => (src[p] = idx[k]));
    return x[ravel(src, shape)];
  });
}

function sliceRef(x: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  return Array.from(
    { length: sizeOf(size) },
    (_, i) =>
      x[
        ravel(
          unravel(i, size).map((v, d) => v + begin[d]),
          shape,
        )
      ],
  );
}

function concatRef(parts: { data: ArrayLike<number>; shape: number[] }[], axis: number): number[] {
  const out = [...parts[0].shape];
  out[axis] = parts.reduce((a, p) => a + p.shape[axis], 0);
  return Array.from({ length: sizeOf(out) }, (_, i) => {
    const idx = unravel(i, out);
    let k = 0;
    let at = idx[axis];
    while (at >= parts[k].shape[axis]) at -= parts[k++].shape[axis];
    idx[axis] = at;
    return parts[k].data[ravel(idx, parts[k].shape)];
  });
}

function tileRef(x: ArrayLike<number>, shape: number[], reps: number[]): number[] {
  const out = shape.map((d, i) => d * reps[i]);
  return Array.from(
    { length: sizeOf(out) },
    (_, i) =>
      x[
        ravel(
          unravel(i, out).map((v, d) => v % shape[d]),
          shape,
        )
      ],
  );
}

function randomPerm(rand: () => number, r: number): number[] {
  const p = Array.from({ length: r }, (_, i) => i);
  for (let i = r - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

// Results of the determinism test on the first configuration, compared bit for bit on the others.
const expectSameBitsAsFirstBuild = sameBitsAsFirstBuild();

describeEachBuild('shape ops', (build, threads) => {
  it('reshape infers one -1, shares the data (as TF.js), keeps int32, and rejects bad shapes', () => {
    tidy(() => {
      const x = tensor([1, 2, 3, 4, 5, 6]);
      const y = reshape(x, [2, -1]);
      expect(y.arraySync()).toEqual([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      x.view()[0] = 9; // the reshape reads the same data
      expect(y.dataSync()[0]).toBe(9);
      expect(reshape(x, [-1]).shape).toEqual([6]);
      expect(reshape(tensor([7]), []).arraySync()).toBe(7);
      expect(reshape(tensor([], [0, 3]), [3, 0]).shape).toEqual([3, 0]);
      expect(() => reshape(tensor([], [0, 3]), [-1, 0])).toThrow(
        /cannot reshape \[0, 3\] \(0 elements\) into \[-1, 0\]/,
      );
      expect(reshape(tensor([1, 2], [2], 'int32'), [1, 2]).dtype).toBe('int32');
      expect(() => reshape(x, [4, -1])).toThrow(/ferrite: reshape: cannot reshape \[6\] \(6 elements\) into \[4, -1\]/);
      expect(() => reshape(x, [-1, -1])).toThrow(/only one dim may be -1/);
      expect(() => reshape(x, [5])).toThrow(/into \[5\] \(5 elements\)/);
      expect(() => reshape(x, [2.5, 2])).toThrow(/shape must be an array of integers/);
    });
  });

  it('expandDims and squeeze, with negative axes', () => {
    tidy(() => {
      const x = tensor([[1, 2, 3]]);
      expect(expandDims(x).shape).toEqual([1, 1, 3]);
      expect(expandDims(x, -1).shape).toEqual([1, 3, 1]);
      expect(expandDims(x, 2).shape).toEqual([1, 3, 1]);
      expect(expandDims(tensor(5, [])).shape).toEqual([1]);
      expect(squeeze(tensor([[[1], [2]]])).shape).toEqual([2]);
      expect(squeeze(tensor([[[1], [2]]]), -1).shape).toEqual([1, 2]);
      expect(squeeze(tensor([[[1], [2]]]), [0, 2]).arraySync()).toEqual([1, 2]);
      expect(() => expandDims(x, 3)).toThrow(/ferrite: expandDims: axis 3 is out of range/);
      expect(() => squeeze(x, 1)).toThrow(/ferrite: squeeze: axis 1 of \[1, 3\] has size 3, not 1/);
    });
  });

  it('transpose matches the reference for random perms of rank 0-5, float32 and int32', () => {
    const rand = rng(12);
    const cases: [number[], number[] | undefined][] = [
      [[], undefined],
      [[5], undefined],
      [[37, 41], undefined], // 2-D: 4x4 register tiles plus ragged edges
      [
        [64, 64],
        [1, 0],
      ],
      [
        [3, 64, 9],
        [0, 2, 1],
      ],
      [
        [2, 9, 5, 4],
        [0, 2, 1, 3],
      ], // attention heads: inner rows stay contiguous
      [
        [3, 1, 4, 1, 5],
        [4, 2, 0, 3, 1],
      ],
    ];
    for (let i = 0; i < 10; i++) {
      const shape = randomShape(rand, 1 + Math.floor(rand() * 4), [1, 2, 3, 5, 6]);
      cases.push([shape, randomPerm(rand, shape.length)]);
    }
    for (const [shape, perm] of cases) {
      tidy(() => {
        const p = perm ?? shape.map((_, i) => shape.length - 1 - i);
        const xd = randomArray(sizeOf(shape), rand);
        const y = transpose(tensor(xd, shape), perm);
        expect(y.shape).toEqual(p.map((k) => shape[k]));
        expectClose(y.dataSync(), transposeRef(xd, shape, p), 0, 0, `transpose [${shape}] perm [${p}]`);
        const xi = Int32Array.from(xd, (v) => Math.round(v * 1e6) | 0x7f800001); // NaN-like bit patterns survive
        const yi = transpose(tensor(xi, shape, 'int32'), perm);
        expect(yi.dtype).toBe('int32');
        expect(Array.from(yi.dataSync())).toEqual(transposeRef(xi, shape, p));
      });
    }
    tidy(() => {
      const x = tensor([[1, 2]]);
      expect(() => transpose(x, [0])).toThrow(
        /ferrite: transpose: perm \[0\] is not a permutation of the 2 axes of \[1, 2\]/,
      );
      expect(() => transpose(x, [1, 1])).toThrow(/is not a permutation/);
    });
  });

  it('slice: begin/size as numbers or arrays, size -1 to the end, errors outside', () => {
    const rand = rng(13);
    tidy(() => {
      const x = tensor([
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ]);
      expect(slice(x, 1).arraySync()).toEqual([
        [4, 5, 6],
        [7, 8, 9],
      ]);
      expect(slice(x, 1, 1).arraySync()).toEqual([[4, 5, 6]]);
      expect(slice(x, [0, 1]).arraySync()).toEqual([
        [2, 3],
        [5, 6],
        [8, 9],
      ]);
      expect(slice(x, [1, 1], [-1, 1]).arraySync()).toEqual([[5], [8]]);
      expect(slice(x, [3, 0], [0, 3]).shape).toEqual([0, 3]);
      expect(() => slice(x, [2, 0], [2, 1])).toThrow(
        /ferrite: slice: begin \[2, 0\] with size \[2, 1\] is outside \[3, 3\] \(axis 0: 2 \+ 2 > 3/,
      );
      expect(() => slice(x, [-1])).toThrow(/is outside/);
      expect(() => slice(x, [0, 0, 0])).toThrow(/at most 2 entries/);
    });
    for (let i = 0; i < 20; i++) {
      const shape = randomShape(rand, 1 + Math.floor(rand() * 4), [1, 2, 4, 7, 9]);
      const begin = shape.map((d) => Math.floor(rand() * (d + 1)));
      const size = shape.map((d, k) => (rand() < 0.3 ? -1 : Math.floor(rand() * (d - begin[k] + 1))));
      const full = size.map((s, k) => (s === -1 ? shape[k] - begin[k] : s));
      tidy(() => {
        const xd = randomArray(sizeOf(shape), rand);
        const y = slice(tensor(xd, shape), begin, size);
        expect(y.shape).toEqual(full);
        expectClose(y.dataSync(), sliceRef(xd, shape, begin, full), 0, 0, `slice [${shape}] ${begin} ${size}`);
      });
    }
  });

  it('concat and stack along any axis (sizes with 0), unstack; int32 too', () => {
    const rand = rng(14);
    for (let i = 0; i < 16; i++) {
      const rank = 1 + Math.floor(rand() * 4);
      const base = randomShape(rand, rank, [1, 2, 3, 5]);
      const axis = Math.floor(rand() * rank);
      const parts = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => {
        const shape = [...base];
        shape[axis] = [0, 1, 2, 6][Math.floor(rand() * 4)];
        return { shape, data: randomArray(sizeOf(shape), rand) };
      });
      tidy(() => {
        const y = concat(
          parts.map((p) => tensor(p.data, p.shape)),
          rand() < 0.5 ? axis - rank : axis,
        );
        expectClose(
          y.dataSync(),
          concatRef(parts, axis),
          0,
          0,
          `concat axis ${axis} of ${parts.map((p) => `[${p.shape}]`)}`,
        );
        // stack = concat of expandDims; unstack undoes it.
        const same = parts.map(() => randomArray(sizeOf(base), rand));
        const s = stack(
          same.map((d) => tensor(d, base)),
          axis,
        );
        const expanded = base.slice(0, axis).concat(1, base.slice(axis));
        expectClose(
          s.dataSync(),
          concatRef(
            same.map((data) => ({ data, shape: expanded })),
            axis,
          ),
          0,
          0,
          'stack',
        );
        const back = unstack(s, axis);
        expect(back.length).toBe(same.length);
        back.forEach((b, k) => {
          expect(b.shape).toEqual(base);
          expectClose(b.dataSync(), same[k], 0, 0, `unstack ${k}`);
        });
      });
    }
    tidy(() => {
      const i = concat([tensor([1, 2], [2], 'int32'), tensor([3], [1], 'int32')]);
      expect(i.dtype).toBe('int32');
      expect(Array.from(i.dataSync())).toEqual([1, 2, 3]);
      expect(stack([tensor([1, 2]), tensor([3, 4])], -1).arraySync()).toEqual([
        [1, 3],
        [2, 4],
      ]);
      expect(() => concat([tensor([[1, 2]]), tensor([[1, 2, 3]])])).toThrow(
        /ferrite: concat: tensor 1 has shape \[1, 3\] but tensor 0 has \[1, 2\]; all dims but axis 0 must match/,
      );
      expect(() => concat([tensor([1]), tensor([1], [1], 'int32')])).toThrow(
        /concat: tensor 1 is int32 but tensor 0 is float32/,
      );
      expect(() => concat([])).toThrow(/needs a non-empty array/);
      expect(() => concat([tensor(1)])).toThrow(/cannot concatenate scalars/);
      expect(() => stack([tensor([1]), tensor([1, 2])])).toThrow(
        /ferrite: stack: tensor 1 has shape \[2\] but tensor 0 has \[1\]/,
      );
      expect(() => unstack(tensor(1))).toThrow(/cannot unstack a scalar/);
    });
  });

  it('tile repeats along every axis (reps 0 and 1 too) and broadcastTo expands', () => {
    const rand = rng(15);
    for (let i = 0; i < 16; i++) {
      const shape = randomShape(rand, Math.floor(rand() * 5), [1, 2, 3, 5]);
      const reps = shape.map(() => [0, 1, 2, 3][Math.floor(rand() * 4)]);
      tidy(() => {
        const xd = randomArray(sizeOf(shape), rand);
        const y = tile(tensor(xd, shape), reps);
        expect(y.shape).toEqual(shape.map((d, k) => d * reps[k]));
        expectClose(y.dataSync(), tileRef(xd, shape, reps), 0, 0, `tile [${shape}] reps [${reps}]`);
      });
    }
    tidy(() => {
      expect(Array.from(tile(tensor([1, 2], [2], 'int32'), [3]).dataSync())).toEqual([1, 2, 1, 2, 1, 2]);
      expect(() => tile(tensor([1, 2]), [2, 2])).toThrow(
        /ferrite: tile: reps \[2, 2\] must hold 1 non-negative integers for \[2\]/,
      );
      // A rank-5 tile repeating every axis needs 10 dims: more than the kernel takes.
      expect(() => tile(tensor(new Float32Array(32), [2, 2, 2, 2, 2]), [2, 2, 2, 2, 2])).toThrow(
        /ferrite: tile: the iteration space .* needs 10 dims after merging contiguous ones; kernels take at most 8/,
      );
      const b = broadcastTo(tensor([[1], [2]]), [3, 2, 4]);
      expect(b.shape).toEqual([3, 2, 4]);
      const bd = b.dataSync();
      for (let k = 0; k < bd.length; k++) expect(bd[k]).toBe([1, 2][broadcastIndex(unravel(k, [3, 2, 4]), [2, 1])]);
      expect(() => broadcastTo(tensor([1, 2]), [3])).toThrow(/ferrite: broadcastTo: cannot broadcast \[2\] to \[3\]/);
    });
  });

  it('gather picks rows along any axis with [batch, seq] indices, and rejects bad indices', () => {
    const rand = rng(16);
    for (const [shape, axis, idxShape] of [
      [[10, 4], 0, [3, 5]],
      [[10, 4], 1, [7]],
      [[3, 6, 5], -2, [2, 2]],
      [[3, 6, 5], 2, []],
      [[7], 0, [0]],
    ] as [number[], number, number[]][]) {
      tidy(() => {
        const a = (axis + shape.length) % shape.length;
        const xd = randomArray(sizeOf(shape), rand);
        const idx = Int32Array.from({ length: sizeOf(idxShape) }, () => Math.floor(rand() * shape[a]));
        const y = gather(tensor(xd, shape), tensor(idx, idxShape, 'int32'), axis);
        const outShape = [...shape.slice(0, a), ...idxShape, ...shape.slice(a + 1)];
        expect(y.shape).toEqual(outShape);
        const want = Array.from({ length: sizeOf(outShape) }, (_, i) => {
          const o = unravel(i, outShape);
          const k = idx[ravel(o.slice(a, a + idxShape.length), idxShape)];
          return xd[ravel([...o.slice(0, a), k, ...o.slice(a + idxShape.length)], shape)];
        });
        expectClose(y.dataSync(), want, 0, 0, `gather [${shape}] axis ${axis} indices [${idxShape}]`);
      });
    }
    tidy(() => {
      const x = tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      expect(gather(x, [2, 0, 2]).arraySync()).toEqual([
        [5, 6],
        [1, 2],
        [5, 6],
      ]);
      expect(Array.from(gather(tensor([5, 6, 7], [3], 'int32'), [1, 1]).dataSync())).toEqual([6, 6]);
      const before = memory().numTensors;
      expect(() => gather(x, [0, 3])).toThrow(
        /ferrite: gather: index 3 at position 1 of indices \[2\] is outside \[0, 3\) for axis 0 of x \[3, 2\]/,
      );
      expect(() => gather(x, tensor([[0, -1]], [1, 2], 'int32'), 1)).toThrow(
        /index -1 at position 1 of indices \[1, 2\] is outside \[0, 2\) for axis 1/,
      );
      expect(memory().numTensors).toBe(before + 1); // only the int32 indices tensor made in the call's argument
      expect(() => gather(x, tensor([0]))).toThrow(/ferrite: gather: indices must be int32, got float32 \[1\]/);
      expect(() => gather(tensor(1), [0])).toThrow(/x must have rank >= 1/);
    });
  });

  it('gradients match finite differences', () => {
    const rand = rng(17);
    const x = tensor(randomArray(60, rand), [3, 4, 5]);
    const opts = { eps: 1e-3, rtol: 1e-2, atol: 1e-3 };
    checkGradients((t) => reshape(t, [5, -1]), [x], opts);
    checkGradients((t) => expandDims(t, 1), [x], opts);
    checkGradients((t) => squeeze(reshape(t, [3, 1, 20])), [x], opts);
    checkGradients((t) => transpose(t, [2, 0, 1]), [x], opts);
    checkGradients((t) => transpose(t), [x], opts);
    checkGradients((t) => slice(t, [1, 0, 2], [2, -1, 2]), [x], opts);
    const y = tensor(randomArray(24, rand), [3, 2, 4]);
    const z = tensor(randomArray(36, rand), [3, 3, 4]);
    checkGradients((a, b) => concat([a, b, a], 1), [z, y], opts);
    checkGradients((a, b) => stack([a, b, a], 1), [y, tensor(randomArray(24, rand), [3, 2, 4])], opts);
    checkGradients(
      (t) =>
        tidy(() => {
          const parts = unstack(t, 1);
          return add(parts[0], mul(parts[3], 3));
        }),
      [x],
      opts,
    );
    checkGradients((t) => tile(t, [2, 1, 3]), [x], opts);
    checkGradients((t) => broadcastTo(t, [2, 3, 4, 5]), [x], opts);
    checkGradients((t) => broadcastTo(t, [3, 4, 5]), [x], opts);
    const table = tensor(randomArray(40, rand), [10, 4]);
    const ids = tensor([3, 1, 3, 9, 0, 3], [2, 3], 'int32'); // repeats: contributions add
    checkGradients((t) => gather(t, ids), [table], opts);
    checkGradients((t) => gather(t, tensor([4, 0, 4], [3], 'int32'), 2), [x], opts);
    tidy(() => {
      // d/dtable of sum(gather(table, ids)) counts how often each row is named.
      const g = grads((t: Tensor) => sum(gather(t, ids)))([table])[0];
      const counts = [1, 1, 0, 3, 0, 0, 0, 0, 0, 1];
      expect(g.arraySync()).toEqual(counts.map((c) => [c, c, c, c]));
    });
    [x, y, z, table, ids].forEach((t) => t.dispose());
  });

  it('give the same bits on every build and thread count (transpose, embedding gradient)', () => {
    const rand = rng(18);
    const vocab = 1000;
    const table = tensor(randomArray(vocab * 64, rand), [vocab, 64]);
    const ids = tensor(
      Int32Array.from({ length: 64 * 32 }, () => Math.floor(rand() * rand() * vocab)),
      [64, 32],
      'int32',
    );
    const dy = tensor(randomArray(64 * 32 * 64, rand), [64, 32, 64]);
    const big = tensor(randomArray(301 * 517, rand), [301, 517]);
    const cases: [string, () => Tensor][] = [
      ['embedding gradient', () => grads((t: Tensor) => gather(t, ids))([table], dy)[0]],
      ['transpose', () => transpose(big)],
      [
        'tile gradient',
        () => grads((t: Tensor) => tile(t, [3, 2]))([big], tensor(randomArray(903 * 1034, rng(3)), [903, 1034]))[0],
      ],
    ];
    expectSameBitsAsFirstBuild(cases, `${build} x${threads}`);
    [table, ids, dy, big].forEach((t) => t.dispose());
  });

  it('do not leak tensors through forward and backward', () => {
    const x = tensor(randomArray(24, rng(2)), [2, 3, 4]);
    leakFree(() => {
      const all = (t: Tensor) =>
        add(
          add(sum(reshape(t, [6, 4]), 0), sum(transpose(t, [1, 0, 2]), [0, 1])),
          add(sum(slice(t, [0, 1], [1, 2])), sum(concat([t, t], 2))),
        );
      grads((t: Tensor) => sum(all(t)))([x]);
      grads((t: Tensor) => sum(stack(unstack(t, 2), 0)))([x]);
      grads((t: Tensor) => sum(gather(t, [1, 0], 1)))([x]);
      grads((t: Tensor) => sum(tile(t, [1, 2, 1])))([x]);
      grads((t: Tensor) => sum(broadcastTo(t, [5, 2, 3, 4])))([x]);
      grads((t: Tensor) => sum(squeeze(expandDims(t, 1))))([x]);
    });
    x.dispose();
  });
});

describeEachBuild('strided and gather kernels against their Rust naive references', () => {
  it('fe_strided_copy equals fe_strided_copy_naive (copy, broadcast, transpose, accumulate)', () => {
    const eng = engine();
    const rand = rng(19);
    const src = tensor(randomArray(4096, rand));
    const d1 = tensor(new Float32Array(4096));
    const d2 = tensor(new Float32Array(4096));
    const params = eng.alloc(128);
    const spaces: [number[], number[], number[], number][] = [
      [[16, 33], [33, 1], [33, 1], 0], // contiguous rows
      [[16, 33], [0, 1], [33, 1], 0], // broadcast rows
      [[16, 33], [1, 0], [33, 1], 0], // broadcast columns (fill)
      [[37, 41], [1, 37], [41, 1], 0], // 2-D transpose: tiles
      [[3, 13, 9], [117, 1, 13], [117, 9, 1], 0], // batched transpose
      [[5, 7, 11], [1, 5, 35], [77, 11, 1], 0], // full reversal: scalar gathers
      [[4, 16, 33], [528, 33, 1], [0, 33, 1], 1], // accumulate 4 copies into one
    ];
    for (const [dims, ss, ds, acc] of spaces) {
      const r = dims.length;
      eng.i32.set([...dims, ...ss, ...ds], params >> 2);
      d1.view().fill(0.5);
      d2.view().fill(0.5);
      eng.core.fe_strided_copy(src.ptr, d1.ptr, r, params, acc);
      eng.core.fe_strided_copy_naive(src.ptr, d2.ptr, r, params, acc);
      expect(Array.from(d1.dataSync()), `space [${dims}] src [${ss}] dst [${ds}] acc ${acc}`).toEqual(
        Array.from(d2.dataSync()),
      );
    }
    eng.free(params, 128);
    [src, d1, d2].forEach((t) => t.dispose());
  });

  it('fe_gather_backward equals fe_gather_backward_naive', () => {
    const eng = engine();
    const rand = rng(20);
    for (const [outer, n, inner, m] of [
      [1, 50, 8, 200],
      [3, 7, 5, 40],
      [2, 1, 33, 9],
    ]) {
      tidy(() => {
        const dy = tensor(randomArray(outer * m * inner, rand));
        const idx = tensor(
          Int32Array.from({ length: m }, () => Math.floor(rand() * n)),
          [m],
          'int32',
        );
        const a = tensor(new Float32Array(outer * n * inner).fill(7));
        const b = tensor(new Float32Array(outer * n * inner));
        eng.core.fe_gather_backward(dy.ptr, idx.ptr, a.ptr, outer, n, inner, m);
        eng.core.fe_gather_backward_naive(dy.ptr, idx.ptr, b.ptr, outer, n, inner, m);
        expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      });
    }
  });
});
