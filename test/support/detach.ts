// Forcing the memory growth that detaches views, at every call, without growing anything.
//
// `memory.grow(0)` replaces an unshared wasm memory's buffer exactly as a real growth does:
// every typed array over the old one becomes empty (reads give undefined, writes go
// nowhere). A tensor allocation or a kernel call may really grow the memory (kernels
// allocate scratch), but only when the heap is full; here each one does, so code that uses
// a view taken before a call shows wrong values on the scalar and simd builds. (A shared
// memory, the threaded builds, keeps its views: there this changes nothing.)

import type { Engine } from '../../ts/backend/engine.js';

type CoreFn = (...args: number[]) => number;

/**
 * Runs `fn` with every call into `eng`'s core (allocations included) first detaching the
 * views of its memory; an async `fn` keeps doing so until its promise settles.
 */
export function withDetachingCalls<T>(eng: Engine, fn: () => T): T {
  const core = eng.core as unknown as Record<string, CoreFn>;
  const saved = { ...core };
  for (const [name, f] of Object.entries(saved)) {
    core[name] = (...args) => {
      eng.memory.grow(0);
      // Freed memory is filled with NaN (int32 -1) before it goes back to the heap: the
      // next tensor of its size would otherwise hold the values a stale view failed to write
      // or read, and hide the fault when a test compares with an earlier run.
      if (name === 'fe_free') new Uint8Array(eng.memory.buffer, args[0], args[1]).fill(0xff);
      return f(...args);
    };
  }
  const restore = () => void Object.assign(core, saved);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}
