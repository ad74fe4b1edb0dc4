// warmUp in Chromium (playwright-core): `ready()` then `warmUp()` on the page, and a
// training worker created with `{warmUp}`, run without error and leave no tensor behind;
// the model trained afterwards still learns. Whether the warm-up pays is measured in
// bench/warm-start-browser.ts (no timing is asserted here).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { CHROMIUM, openFePage, type FePage } from './fe-page.js';

const present = existsSync(CHROMIUM);
if (!present) console.warn(`test/e2e/browser/warm-up.test.ts: SKIPPED: no ${CHROMIUM}`);

// A task the model learns in a few epochs: the class is which of two halves is brighter.
const DATA = `
  const n = 256;
  const x = new Float32Array(n * 16);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < 16; j++) x[i * 16 + j] = ((j < 8) === (y[i] === 0) ? 0.8 : 0.2) + 0.1 * Math.sin(i * 31 + j * 7);
  }
  const mlp = () => {
    const m = fe.sequential({ layers: [fe.layers.dense({ inputShape: [16], units: 8, activation: 'relu' }),
      fe.layers.dense({ units: 2, activation: 'softmax' })] });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };`;

describe.skipIf(!present)('warmUp in Chromium', () => {
  let opened: FePage;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    opened = await openFePage('warm-up.html', { ready: false, isolate: true, consoleErrors: true });
    ({ page, errors } = opened);
  }, 180_000);

  afterAll(async () => {
    await opened?.close();
  });

  it('ready() then warmUp() on the page: steps run, no tensor left, and a model trained after it learns', async () => {
    const r = (await page.evaluate(`(async () => {
      const fe = window.fe;
      await fe.ready();
      const before = fe.memory().numTensors;
      const report = await fe.warmUp({ milliseconds: 200 });
      const leaked = fe.memory().numTensors - before;
      ${DATA}
      const m = mlp();
      fe.setRandomSeed(1);
      const xs = fe.tensor(x, [n, 16]), ys = fe.tensor(y, [n], 'int32');
      const h = await m.fit(xs, ys, { epochs: 30, batchSize: 32, verbose: 0 });
      xs.dispose(); ys.dispose(); m.dispose();
      return { steps: report.steps, leaked, isolated: self.crossOriginIsolated, acc: h.history.acc ?? h.history.accuracy };
    })()`)) as { steps: number; leaked: number; isolated: boolean; acc: number[] };
    expect(r.isolated).toBe(true);
    expect(r.steps).toBeGreaterThanOrEqual(2);
    expect(r.leaked).toBe(0);
    expect(r.acc[r.acc.length - 1]).toBeGreaterThan(0.95);
    expect(errors).toEqual([]);
  }, 120_000);

  it('worker.create({warmUp}) warms the worker up before resolving; it then trains, and bad budgets are refused', async () => {
    const r = (await page.evaluate(`(async () => {
      const fe = window.fe;
      ${DATA}
      const before = fe.memory().numTensors;
      const m1 = mlp();
      const trainer = await fe.worker.create(m1, { warmUp: 200 });
      m1.dispose();
      const h = await trainer.fit({ data: x, shape: [n, 16] }, { data: y, shape: [n] }, { epochs: 30, batchSize: 32 });
      const backend = trainer.backend;
      trainer.terminate();
      let refused = '';
      const m2 = mlp();
      try { await fe.worker.create(m2, { warmUp: -5 }); } catch (e) { refused = e.message; }
      m2.dispose();
      return { backend, acc: h.history.acc ?? h.history.accuracy, leaked: fe.memory().numTensors - before, refused };
    })()`)) as { backend: string; acc: number[]; leaked: number; refused: string };
    expect(r.backend).toMatch(/^simd-threads/);
    expect(r.acc[r.acc.length - 1]).toBeGreaterThan(0.95);
    expect(r.leaked).toBe(0);
    expect(r.refused).toMatch(/warmUp must be true, false or a finite number of milliseconds >= 0, got -5/);
    expect(errors).toEqual([]);
  }, 120_000);
});
