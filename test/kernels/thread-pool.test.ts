// The threaded build's pool: dispatch, thread counts, team barriers, traps on any thread, shutdown.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getBackend,
  getThreadsCount,
  ready,
  setBackendSync,
  setThreadsCount,
  engine,
} from '../../ts/backend/engine.js';
import { emptyTensor } from '../../ts/tensor/tensor.js';

describe('thread pool', () => {
  beforeAll(async () => {
    setThreadsCount(2);
    setBackendSync('simd-threads');
    await ready();
  });

  it('starts the requested workers and names the build', () => {
    expect(getBackend()).toBe('simd-threads');
    expect(getThreadsCount()).toBe(2);
  });

  it('splits work over threads and covers every item exactly once, for 1, 2 and 3 threads', async () => {
    for (const threads of [1, 2, 3]) {
      setThreadsCount(threads);
      await ready();
      expect(getThreadsCount()).toBe(threads);
      for (const n of [1, 2, 3, 7, 1000]) {
        const out = emptyTensor([n]);
        out.view().fill(-1);
        engine().core.fe_debug_parallel_fill(n, out.ptr);
        expect(Array.from(out.dataSync())).toEqual(Array.from({ length: n }, (_, i) => i));
        out.dispose();
      }
    }
  });

  it('a trap on a worker thread reaches the caller as an error, and the pool stays usable', async () => {
    setThreadsCount(3);
    await ready();
    const n = 9;
    const out = emptyTensor([n]);
    // Item 8 is in the last thread's share (items 6..9 of 9 with 3 threads).
    expect(() => engine().core.fe_debug_parallel_trap(n, 8, out.ptr)).toThrow(
      /fe_debug_parallel_trap failed on a worker thread/,
    );
    // Item 0 is the caller's own share.
    expect(() => engine().core.fe_debug_parallel_trap(n, 0, out.ptr)).toThrow(/fe_debug_parallel_trap failed: /);
    // Still usable, with all threads.
    await ready();
    expect(getThreadsCount()).toBe(3);
    out.view().fill(0);
    engine().core.fe_debug_parallel_trap(n, n + 5, out.ptr);
    expect(Array.from(out.dataSync())).toEqual(new Array(n).fill(1));
    out.dispose();
  });

  it('a team barrier holds every member until all have arrived, for 1, 2 and 3 threads', async () => {
    // Each round every member writes its slot, meets the others, reads every slot, and meets
    // them again: a member let through early would read another round's value.
    for (const threads of [1, 2, 3]) {
      setThreadsCount(threads);
      await ready();
      const maxSize = 4;
      const out = emptyTensor([1 + maxSize]);
      out.view().fill(-1);
      engine().core.fe_debug_team_rounds(maxSize, 2000, out.ptr);
      const got = Array.from(out.dataSync());
      out.dispose();
      expect(got[0], 'team size').toBe(threads);
      expect(got.slice(1, 1 + threads), 'slots read with another round in them, per member').toEqual(
        new Array(threads).fill(0),
      );
      expect(got.slice(1 + threads), 'slots of members the team did not have').toEqual(
        new Array(maxSize - threads).fill(-1),
      );
    }
  });

  afterAll(() => setThreadsCount(2));
});
