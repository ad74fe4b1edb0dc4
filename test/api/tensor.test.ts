import { describe, expect, it } from 'vitest';
import { describeEachBuild } from '../support/helpers.js';
import { tensor, tensor1d, tensor2d, zeros, ones, oneHot, memory, scalar, clone } from '../../ts/tensor/creation.js';
import { keep, tidy } from '../../ts/tensor/scope.js';
import { getBackend } from '../../ts/backend/engine.js';
import { variable } from '../../ts/tensor/tensor.js';

describeEachBuild('tensors', (build) => {
  it('uses the selected build', () => {
    expect(getBackend()).toBe(build);
  });

  it('round-trips nested arrays, shapes and dtypes', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.arraySync()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const i = tensor([1, 2, 3], [3], 'int32');
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([1, 2, 3]);
    expect(scalar(3).arraySync()).toBe(3);
    t.dispose();
    i.dispose();
  });

  it('rejects wrong sizes, ragged arrays and non-integer int32 data', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/shape \[2, 2\] needs 4 values, got 3/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor([1.5], [1], 'int32')).toThrow(/non-integer value 1.5/);
    expect(() => tensor2d([1, 2, 3])).toThrow(/rank-2/);
  });

  it('zeros, ones, clone, oneHot', () => {
    expect(Array.from(zeros([2, 2]).dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones([3]).dataSync())).toEqual([1, 1, 1]);
    const a = tensor([1, 2]);
    const b = clone(a);
    a.view()[0] = 9;
    expect(Array.from(b.dataSync())).toEqual([1, 2]);
    expect(oneHot(tensor([2, 0], [2], 'int32'), 3).arraySync()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    // TF.js: int32 by default, an out-of-range id gives an all-off row, dtype is the 5th argument.
    const ids = tensor([0, 3, -1, 1], [4], 'int32');
    const oh = oneHot(ids, 3);
    expect(oh.dtype).toBe('int32');
    expect(oh.arraySync()).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 1, 0],
    ]);
    const f = oneHot(tensor([0, 1], [2], 'int32'), 3, 5, -1, 'float32');
    expect(f.dtype).toBe('float32');
    expect(f.arraySync()).toEqual([
      [5, -1, -1],
      [-1, 5, -1],
    ]);
    expect(() => oneHot(tensor([0.5]), 3)).toThrow(/oneHot: indices must be integers.*0\.5 at position 0/);
  });

  it('oneHot whose output grows the wasm memory still reads its indices (the single-thread builds detach old views)', () => {
    // An output larger than the whole memory must grow it; in the scalar and simd builds that
    // replaces the memory's buffer, and a view of the indices taken before is empty.
    const rows = 12;
    const depth = Math.ceil(memory().wasmMemoryBytes / (4 * rows)) + 1024;
    const ids = tensor(
      Array.from({ length: rows }, (_, i) => (i * 37) % depth),
      [rows],
      'int32',
    );
    const oh = oneHot(ids, depth);
    const v = oh.dataSync();
    let ones = 0;
    for (let r = 0; r < rows; r++) ones += v[r * depth + ((r * 37) % depth)];
    expect(ones).toBe(rows);
    ids.dispose();
    oh.dispose();
  });

  it.skipIf(build.includes('threads'))(
    'tensor() from another tensor’s view copies it when its own allocation grows the memory',
    () => {
      // The copy is larger than the whole memory, so allocating it grows the memory; in the
      // scalar and simd builds that detaches the source view, which then copies nothing.
      // (The threaded builds' shared memory keeps its views.)
      const n = Math.ceil(memory().wasmMemoryBytes / 4) + 1024;
      const src = zeros([n]);
      const at = [0, 12345, n - 1];
      at.forEach((i, k) => (src.view()[i] = k + 1));
      const copy = tensor(src.view(), [n]);
      const c = copy.view();
      expect(at.map((i) => c[i])).toEqual([1, 2, 3]);
      src.dispose();
      copy.dispose();
    },
  );

  it('tidy disposes what it does not return, keep and return survive', () => {
    const before = memory().numTensors;
    let kept: ReturnType<typeof zeros> | undefined;
    const out = tidy(() => {
      zeros([10]);
      kept = keep(zeros([5]));
      return { a: ones([2]) };
    });
    expect(memory().numTensors).toBe(before + 2);
    expect(out.a.isDisposed).toBe(false);
    expect(kept!.isDisposed).toBe(false);
    out.a.dispose();
    kept!.dispose();
    expect(memory().numTensors).toBe(before);
    expect(() => out.a.dataSync()).toThrow(/disposed/);
  });

  it('reuses freed memory: allocating and freeing does not grow the heap', () => {
    const t0 = zeros([1000]);
    t0.dispose();
    const heap = memory().numBytesInWasmHeap;
    for (let i = 0; i < 1000; i++) zeros([1000]).dispose();
    expect(memory().numBytesInWasmHeap).toBe(heap);
  });

  it('variables copy their initial value and assign checks shapes', () => {
    const init = tensor([1, 2]);
    const v = variable(init);
    init.view()[0] = 5;
    expect(Array.from(v.dataSync())).toEqual([1, 2]);
    expect(() => v.assign(tensor([1, 2, 3]))).toThrow(/cannot assign float32 \[3\] to variable/);
    v.dispose();
  });
});

describe('engines', () => {
  it('refuses to mix builds', async () => {
    const { setBackendSync } = await import('../../ts/backend/engine.js');
    const { checkInputs } = await import('../../ts/ops/util.js');
    setBackendSync('scalar');
    const a = zeros([1]);
    setBackendSync('simd');
    const b = zeros([1]);
    expect(() => checkInputs('add', a, b)).toThrow(/scalar and the simd builds cannot be mixed/);
  });
});

describe('creation signatures follow TF.js', () => {
  it('tensor1d takes (values, dtype), tensor2d takes (values, shape, dtype)', () => {
    const a = tensor1d([1, 2], 'int32');
    expect(a.dtype).toBe('int32');
    expect(a.shape).toEqual([2]);
    const b = tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    expect(b.shape).toEqual([2, 2]);
    expect(b.dtype).toBe('int32');
    expect(() => tensor1d([[1, 2]] as unknown as number[])).toThrow(/rank-1/);
    a.dispose();
    b.dispose();
  });
});
