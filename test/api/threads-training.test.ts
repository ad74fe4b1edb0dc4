// Threads and training: bitwise determinism across thread counts, memory growth with
// shared memory, and a Node process that exits by itself after training.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { getThreadsCount, ready, setBackendSync, setThreadsCount, engine } from '../../ts/backend/engine.js';
import { datasets, layers, sequential, train, setRandomSeed, memory, tensor, add, sum, tidy } from '../../ts/index.js';
import type { Tensor } from '../../ts/tensor/tensor.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Trains the Fashion-MNIST MLP, with dropout added, for a few steps from a fixed seed; returns every weight's bytes. */
async function trainMlpSteps(x: Tensor, y: Tensor, threads: number): Promise<Float32Array[]> {
  setThreadsCount(threads);
  await ready();
  expect(getThreadsCount()).toBe(threads);
  setRandomSeed(1234);
  const model = sequential({
    layers: [
      layers.flatten({ inputShape: [28, 28] }),
      layers.dense({ units: 128, activation: 'relu' }),
      layers.dropout({ rate: 0.2 }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const optimizer = train.adam(1e-3);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  // 512 samples in batches of 64: eight steps with shuffling and dropout, both seeded.
  await model.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 });
  const weights = model.getWeights().map((w) => {
    const d = w.dataSync() as Float32Array;
    w.dispose();
    return d;
  });
  model.dispose();
  optimizer.dispose();
  return weights;
}

describe('threads and training', () => {
  it('training gives bitwise the same weights with 1, 2 and 3 threads', async () => {
    setBackendSync('simd-threads');
    const { train: data } = await datasets.mnistDigits.load({ trainSize: 512, testSize: 16 });
    const reference = await trainMlpSteps(data.x, data.y, 1);
    for (const threads of [2, 3]) {
      const got = await trainMlpSteps(data.x, data.y, threads);
      expect(got.length).toBe(reference.length);
      got.forEach((w, i) => {
        const same = w.every((v, j) => Object.is(v, reference[i][j]));
        expect(same, `weight ${i} differs between 1 and ${threads} threads`).toBe(true);
      });
    }
    // The weights really moved (the test would pass trivially if nothing trained).
    expect(reference[0].some((v) => Math.abs(v) > 0)).toBe(true);
    setThreadsCount(2);
  });

  it('shared memory grows while workers run, every thread sees it, and the limit gives a clear error', async () => {
    setThreadsCount(2);
    setBackendSync('simd-threads');
    await ready();
    const before = engine().memory.buffer.byteLength;
    // 96 MiB more than memory holds now: the heap must grow; then a threaded op writes all of it.
    const n = 24 * 2 ** 20 + before / 4;
    const big = tidy(() => add(tensor(new Float32Array(n).fill(1), [n]), 1));
    expect(engine().memory.buffer.byteLength).toBeGreaterThan(before);
    expect(sum(big).dataSync()[0]).toBe(2 * n);
    big.dispose();
    expect(() => tensor(new Float32Array(1), [1]).dispose()).not.toThrow();
    // Past the 4 GiB maximum: a clear error, not a crash.
    const huge = 2 ** 30 - 16;
    expect(() =>
      tidy(() => add(tensor(new Float32Array(4), [4]), tensor(new Float32Array(4), [4])).dispose()),
    ).not.toThrow();
    const { emptyTensor } = await import('../../ts/tensor/tensor.js');
    const live = memory().numTensors;
    expect(() => emptyTensor([huge, 2])).toThrow(
      /out of wasm memory allocating \d+ bytes .* raise the limit with setMaxMemory/,
    );
    expect(memory().numTensors).toBe(live);
  });

  it('a Node process that trained with threads exits by itself', () => {
    const script = `
      import * as fe from ${JSON.stringify(join(root, 'ts/index.ts'))};
      const x = fe.randomNormal([256, 8]);
      const y = fe.randomUniform([256], 0, 2, 'int32');
      const model = fe.sequential({ layers: [fe.layers.dense({ units: 16, activation: 'relu', inputShape: [8] }), fe.layers.dense({ units: 2, activation: 'softmax' })] });
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      await fe.ready();
      await model.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0 });
      console.log('trained on', fe.getBackend(), 'with', fe.getThreadsCount(), 'threads');
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.error, 'the process did not exit within 60 s').toBeUndefined();
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout).toMatch(/trained on simd-threads with 2 threads/);
    expect(r.status).toBe(0);
  });
});
