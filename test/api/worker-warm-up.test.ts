// worker.create({warmUp}): the worker trains throwaway models before it loads the model
// (ts/training/warm-up.ts). It must not change what training does there: a warmed and a
// cold trainer, given the same model and data, end with the same weights (the warm-up
// leaves the worker's random stream, which shuffles the batches, where it was).

import { afterAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import type { Trainer } from '../../ts/worker/index.js';
import { rng } from '../support/helpers.js';

const N = 192;

function data(): { x: { data: Float32Array; shape: number[] }; y: { data: Int32Array; shape: number[] } } {
  const rand = rng(5);
  const x = Float32Array.from({ length: N * 4 }, () => rand() * 2 - 1);
  const y = Int32Array.from({ length: N }, (_, i) => (x[i * 4] + x[i * 4 + 1] > 0 ? 1 : 0));
  return { x: { data: x, shape: [N, 4] }, y: { data: y, shape: [N] } };
}

describe('worker.create({warmUp})', () => {
  const trainers: Trainer[] = [];
  afterAll(() => trainers.forEach((t) => t.terminate()));

  it('a warmed-up trainer trains to the same weights as a cold one (seeded shuffle)', async () => {
    fe.setRandomSeed(3);
    const m = fe.sequential({
      layers: [
        fe.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }),
        fe.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: fe.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const [cold, warm] = await Promise.all([fe.worker.create(m), fe.worker.create(m, { warmUp: 50 })]);
    trainers.push(cold, warm);
    m.dispose();
    const args = { epochs: 3, batchSize: 16, verbose: 0 as const, seed: 9 };
    const [d1, d2] = [data(), data()];
    const [h1, h2] = [await cold.fit(d1.x, d1.y, args), await warm.fit(d2.x, d2.y, args)];
    expect(h2.history.loss).toEqual(h1.history.loss);
    const [w1, w2] = [await cold.getWeights(), await warm.getWeights()];
    w1.forEach((w, i) => expect(Array.from(w2[i].dataSync())).toEqual(Array.from(w.dataSync())));
    fe.dispose([...w1, ...w2]);
    expect(h2.history.acc[2]).toBeGreaterThan(0.8);
  });

  it('refuses a warmUp that is not true, false or milliseconds >= 0, before starting a worker', async () => {
    const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    for (const bad of [-1, Number.NaN, Infinity, 'yes'])
      await expect(fe.worker.create(m, { warmUp: bad as number })).rejects.toThrow(
        /worker\.create: warmUp must be true, false or a finite number of milliseconds >= 0/,
      );
    m.dispose();
  });
});
