// Resident data in the training worker (ts/worker/resident.ts): arrays sent once with
// `putData` and used by handle. Two fits on one handle move the data once (counted by the
// worker), training on handles equals training on arrays sent with each call, and unknown,
// freed or foreign handles are refused with clear errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import type { ResidentData, Trainer } from '../../ts/worker/index.js';
import { rng } from '../support/helpers.js';

const FEATURES = 6;
const CLASSES = 3;
const N = 256;

/** A seeded 3-class problem: fresh arrays each call (sending transfers them away). */
function problem(seed: number, n = N): { x: Float32Array; y: Int32Array } {
  const rand = rng(seed);
  const x = Float32Array.from({ length: n * FEATURES }, () => rand() * 2 - 1);
  const y = Int32Array.from({ length: n }, (_, i) => (x[i * FEATURES] > 0.3 ? 2 : x[i * FEATURES + 1] > 0 ? 1 : 0));
  return { x, y };
}

function model(): fe.Sequential {
  fe.setRandomSeed(11);
  const m = fe.sequential({
    layers: [
      fe.layers.dense({ units: 16, activation: 'relu', inputShape: [FEATURES] }),
      fe.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: fe.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const arrays = (p: { x: Float32Array; y: Int32Array }) => ({
  x: { data: p.x, shape: [p.y.length, FEATURES] },
  y: { data: p.y, shape: [p.y.length] },
});

const values = (ts: fe.Tensor[]): number[][] => ts.map((t) => Array.from(t.dataSync()));

describe('resident data in the training worker', () => {
  let m: fe.Sequential;
  let resident: Trainer;
  let sent: Trainer;
  beforeAll(async () => {
    m = model();
    [resident, sent] = await Promise.all([fe.worker.create(m), fe.worker.create(m)]);
  });
  afterAll(() => {
    resident?.terminate();
    sent?.terminate();
    m?.dispose();
  });

  it('two fits on one handle move the data once and train exactly as arrays sent with each fit', async () => {
    const args = { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 as const };
    const before = await resident.residentStats();
    const d = arrays(problem(1));
    const xs = await resident.putData(d.x);
    const ys = await resident.putData(d.y);
    const dataBytes = N * FEATURES * 4 + N * 4;
    expect(xs.bytes + ys.bytes).toBe(dataBytes);
    expect(d.x.data.length).toBe(0); // transferred, as fit does
    const afterPut = await resident.residentStats();
    expect(afterPut.bytesReceived - before.bytesReceived).toBe(dataBytes);
    expect(afterPut.handles).toBe(2);
    expect(afterPut.residentBytes).toBe(dataBytes);

    const h1 = await resident.fit(xs, ys, args);
    const h2 = await resident.fit(xs, ys, { ...args, validationData: [xs, ys] });
    expect((await resident.residentStats()).bytesReceived).toBe(afterPut.bytesReceived);

    // The same two fits with the arrays sent each time: the worker receives them twice.
    const s0 = (await sent.residentStats()).bytesReceived;
    const a = arrays(problem(1));
    const g1 = await sent.fit(a.x, a.y, args);
    const b = arrays(problem(1));
    const v = arrays(problem(1));
    const g2 = await sent.fit(b.x, b.y, { ...args, validationData: [v.x, v.y] });
    expect((await sent.residentStats()).bytesReceived - s0).toBe(3 * dataBytes);

    expect(h1.history).toEqual(g1.history);
    expect(h2.history).toEqual(g2.history);
    expect(h2.history.loss[1]).toBeLessThan(h1.history.loss[0]);
    expect(values(await resident.getWeights())).toEqual(values(await sent.getWeights()));

    // evaluate and predict take handles too, with the same results.
    const e = arrays(problem(1));
    expect(await resident.evaluate(xs, ys)).toEqual(await sent.evaluate(e.x, e.y));
    const p = arrays(problem(1));
    const [pr, ps] = [(await resident.predict(xs)) as fe.Tensor, (await sent.predict(p.x)) as fe.Tensor];
    expect(Array.from(pr.dataSync())).toEqual(Array.from(ps.dataSync()));
    pr.dispose();
    ps.dispose();

    await resident.freeData(xs);
    await resident.freeData(ys);
    expect(xs.isFreed).toBe(true);
    expect(await resident.residentStats()).toMatchObject({ handles: 0, residentBytes: 0 });
  });

  it('refuses freed, foreign and unknown handles with clear rejections, and stays usable', async () => {
    const d = arrays(problem(2, 64));
    const xs = await resident.putData(d.x);
    const ys = await resident.putData(d.y);
    await resident.freeData(xs);
    await expect(resident.fit(xs, ys, { epochs: 1 })).rejects.toThrow(/fit: x: resident data \d+ was freed/);
    await expect(resident.freeData(xs)).rejects.toThrow(/freeData: resident data \d+ was freed/);
    await expect(sent.fit(ys, ys, { epochs: 1 })).rejects.toThrow(/belongs to another trainer/);
    await expect(resident.putData(ys as never)).rejects.toThrow(/already in the worker/);
    await expect(resident.freeData({ handle: 1 } as never)).rejects.toThrow(/expected a handle from putData/);
    // A handle the worker does not hold (as if forged): the worker's own check.
    const forged = Object.assign(Object.create(Object.getPrototypeOf(ys)), ys, { handle: 999 }) as ResidentData;
    await expect(resident.predict(forged)).rejects.toThrow(/unknown resident data handle 999/);
    // Shape checks run on the caller's side, before the call.
    const wrong = await resident.putData({ data: new Float32Array(64 * 5), shape: [64, 5] });
    await expect(resident.fit(wrong, ys, { epochs: 1 })).rejects.toThrow(/fit: x/);
    const more = await resident.putData({ data: new Int32Array(10), shape: [10] });
    await expect(resident.fit(await resident.putData(arrays(problem(3, 64)).x), more, { epochs: 1 })).rejects.toThrow(
      /same number of samples/,
    );
    const ok = arrays(problem(4, 64));
    expect((await resident.fit(ok.x, ok.y, { epochs: 1 })).epoch).toEqual([0]);
  });

  it('cannot free data while a fit runs; terminate frees every handle', async () => {
    const t = await fe.worker.create(m);
    const d = arrays(problem(5, 20_000));
    const [xs, ys] = [await t.putData(d.x), await t.putData(d.y)];
    let started!: () => void;
    const first = new Promise<void>((r) => (started = r));
    const fit = t.fit(xs, ys, { epochs: 20, batchSize: 8, onBatchEnd: () => started() });
    await first;
    await expect(t.freeData(xs)).rejects.toThrow(/freeData: the model is training/);
    t.terminate();
    await expect(fit).rejects.toThrow(/terminated/);
    expect(xs.isFreed && ys.isFreed).toBe(true);
    await expect(t.fit(xs, ys)).rejects.toThrow(/was freed \(the trainer terminated\)/);
  });
});
