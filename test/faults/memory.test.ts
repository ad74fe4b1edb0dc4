// Memory faults: wasm memory never shrinks, so freed blocks must be reused (the core's
// allocator keeps segregated free lists), and a request beyond the limit must fail
// clearly, leaving every live tensor as it was.

import { describe, expect, it } from 'vitest';
import { memory, tensor, zeros } from '../../ts/tensor/creation.js';

describe('wasm memory', () => {
  it('a freed large tensor’s memory serves the next tensor of its size (memory does not grow again)', () => {
    const bytes = 48 * 2 ** 20;
    const a = zeros([bytes / 4]);
    a.dispose();
    const peak = memory().wasmMemoryBytes;
    for (let i = 0; i < 5; i++) zeros([bytes / 4 - 1000 * i]).dispose(); // same size class
    expect(memory().wasmMemoryBytes).toBe(peak);
  });

  it('an allocation beyond the limit throws naming the size, the limit and setMaxMemory; nothing leaks', () => {
    const keep = tensor([1, 2, 3], [3]);
    const before = memory();
    expect(() => zeros([2 ** 31])).toThrow(/out of wasm memory allocating \d+ bytes .*setMaxMemory\(\)/);
    const after = memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytesInWasmHeap).toBe(before.numBytesInWasmHeap);
    expect(Array.from(keep.dataSync())).toEqual([1, 2, 3]);
    keep.dispose();
  });
});
