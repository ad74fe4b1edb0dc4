// Leak checks: tensors left alive, and wasm memory not given back.

import { expect } from 'vitest';
import { memory } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';

/** Runs `body` in a tidy scope and asserts that it left no tensor behind. */
export function leakFree(body: () => void): void {
  const before = memory().numTensors;
  tidy(body);
  expect(memory().numTensors).toBe(before);
}

/**
 * Asserts that `run` leaks neither tensors nor wasm memory. It runs once first, since some
 * memory is allocated once per engine on first use (kernels' parameter blocks), then
 * again between two readings of memory().
 */
export function expectNoLeaks(run: () => void): void {
  run();
  const before = memory();
  run();
  const after = memory();
  expect(after.numTensors, 'live tensors').toBe(before.numTensors);
  expect(after.numDataBuffers, 'buffers of the live tensors (reshapes share one)').toBe(before.numDataBuffers);
  expect(after.numBytesInWasmHeap, 'bytes in the wasm heap').toBe(before.numBytesInWasmHeap);
}
