// warmUp: trains throwaway models so a fresh engine's kernels reach optimised code before
// the first epoch. Whether it pays is measured in bench/warm-start-browser.ts; here: it
// runs, leaves nothing behind, and leaves the global random stream where it was.

import { describe, expect, it } from 'vitest';
import { warmUp } from '../../ts/training/warm-up.js';
import { memory } from '../../ts/tensor/creation.js';
import { randomUniform, setRandomSeed } from '../../ts/ops/random.js';

describe('warmUp', () => {
  it('trains for about the budget, at least one step per model, and leaks no tensor or heap bytes', async () => {
    await warmUp({ milliseconds: 0 }); // first use allocates per-engine blocks once
    const before = memory();
    const report = await warmUp({ milliseconds: 50 });
    const after = memory();
    expect(report.steps).toBeGreaterThanOrEqual(2);
    expect(report.steps % 2).toBe(0);
    expect(report.milliseconds).toBeGreaterThanOrEqual(50);
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytesInWasmHeap).toBe(before.numBytesInWasmHeap);
  });

  it('does not move the global random stream: seeded draws are the same with or without it', async () => {
    setRandomSeed(7);
    const a = randomUniform([16]);
    setRandomSeed(7);
    await warmUp({ milliseconds: 0 });
    const b = randomUniform([16]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    a.dispose();
    b.dispose();
  });

  it('refuses a budget that is not a finite number >= 0', async () => {
    await expect(warmUp({ milliseconds: -1 })).rejects.toThrow(
      /warmUp: milliseconds must be a finite number >= 0, got -1/,
    );
    await expect(warmUp({ milliseconds: Infinity })).rejects.toThrow(/got Infinity/);
  });
});
