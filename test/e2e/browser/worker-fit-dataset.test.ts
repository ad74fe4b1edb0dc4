// trainer.fitDataset in Chromium (playwright-core): a page's Dataset streamed into a module
// Worker, on a cross-origin-isolated page (threads, stop by shared memory) and on one
// without isolation (one thread, stop by message; batches reach the worker one
// event-loop turn each, there being no receiveMessageOnPort). On both: the same History as
// model.fitDataset on the page, stop() mid-stream, a bad batch refused by name, and no
// tensor left on the page.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { CHROMIUM, openFePage, type FePage } from './fe-page.js';

const present = existsSync(CHROMIUM);
if (!present) console.warn(`test/e2e/browser/worker-fit-dataset.test.ts: SKIPPED: no ${CHROMIUM}`);

const RUN = `(async () => {
  const fe = window.fe;
  await fe.ready();
  // Batch i of a seeded 2-class problem, the same every pass; raw arrays for the worker half the time.
  const batch = (i, raw) => {
    let s = (i + 1) * 2654435761 >>> 0;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const x = Float32Array.from({ length: 16 * 4 }, () => rand() * 2 - 1);
    const y = Int32Array.from({ length: 16 }, (_, r) => (x[r * 4] + x[r * 4 + 1] > 0 ? 1 : 0));
    return raw ? { xs: { data: x, shape: [16, 4] }, ys: { data: y, shape: [16] } }
      : { xs: fe.tensor(x, [16, 4]), ys: fe.tensor(y, [16], 'int32') };
  };
  const ds = (n, raw, bad = -1) => fe.data.generator(function* () {
    for (let i = 0; i < n; i++) yield i === bad ? { xs: fe.zeros([16, 3]), ys: fe.zeros([16], 'int32') } : batch(i, raw && i % 2 === 0);
  });
  const model = () => {
    fe.setRandomSeed(3);
    const m = fe.sequential({ layers: [fe.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
      fe.layers.dense({ units: 2, activation: 'softmax' })] });
    m.compile({ optimizer: fe.train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const here = model();
  const h0 = await here.fitDataset(ds(12, false), { epochs: 3, validationData: ds(4, false), verbose: 0 });
  here.dispose();
  const before = fe.memory().numTensors;
  const m = model();
  const trainer = await fe.worker.create(m, { backend: fe.getBackend() });
  m.dispose();
  const h = await trainer.fitDataset(ds(12, true), { epochs: 3, validationData: ds(4, false), prefetch: 3 });
  let batches = 0;
  const stopped = await trainer.fitDataset(ds(100000, true), { epochs: 2, onBatchEnd: () => { if (++batches === 5) trainer.stop(); } });
  let refused = '';
  try { await trainer.fitDataset(ds(6, false, 2), { epochs: 1 }); } catch (e) { refused = e.message; }
  const again = await trainer.fitDataset(ds(4, false), { epochs: 1 });
  trainer.terminate();
  return { isolated: self.crossOriginIsolated, same: JSON.stringify(h.history) === JSON.stringify(h0.history),
    acc: h.history.acc, stoppedEpochs: stopped.epoch, batches, refused, again: again.epoch,
    leaked: fe.memory().numTensors - before };
})()`;

interface Result {
  isolated: boolean;
  same: boolean;
  acc: number[];
  stoppedEpochs: number[];
  batches: number;
  refused: string;
  again: number[];
  leaked: number;
}

describe.skipIf(!present).each([true, false])('trainer.fitDataset in Chromium (isolated page: %s)', (isolate) => {
  let opened: FePage;
  beforeAll(async () => {
    opened = await openFePage('fit-dataset.html', { ready: false, isolate, consoleErrors: true });
  }, 180_000);
  afterAll(async () => {
    await opened?.close();
  });

  it('streams a page dataset: same History as model.fitDataset, stop() mid-stream, a bad batch refused, nothing left', async () => {
    const r = (await opened.page.evaluate(RUN)) as Result;
    expect(r.isolated).toBe(isolate);
    expect(r.same).toBe(true);
    expect(r.acc[2]).toBeGreaterThan(0.8);
    expect(r.stoppedEpochs).toEqual([0]);
    expect(r.batches).toBeGreaterThanOrEqual(5);
    expect(r.refused).toMatch(/fitDataset: batch 3 of epoch 1 \(xs \[16, 3\], ys \[16\]\): .*expects \[null, 4\]/);
    expect(r.again).toEqual([0]);
    expect(r.leaked).toBe(0);
    expect(opened.errors).toEqual([]);
  }, 180_000);
});
