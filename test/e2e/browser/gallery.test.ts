// The demo gallery (demo/gallery.html) in Chromium: the P1 and P4 cards train in their
// background workers, their vis.show.fitCallbacks charts grow while training (the live
// charts, drawn by uPlot), P4 draws its 50 captioned test images, and Pause / Resume /
// Stop act on a running fit. Screenshots go to test-artifacts/.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../../../scripts/chromium.mjs';
import { startDemoServer, type DemoServer } from '../../../scripts/serve-demo.mjs';
import { ensureDist } from './build.js';

const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url).pathname;
const present = existsSync(CHROMIUM);
if (!present) console.warn(`test/e2e/browser/gallery.test.ts: SKIPPED: no ${CHROMIUM} (apt-get install chromium)`);

/** What a card keeps in `window.gallery.cards[id].state` (demo/gallery.js). */
interface CardState {
  phase: string;
  backend: string;
  threads: number;
  batches: number;
  epochsDone: number;
  epochs: number;
  stopped: boolean;
  history: Record<string, number>[];
  testAccuracy: number | null;
  gridDrawn: number;
  error: string | null;
  firstLoss: number | null;
  lastLoss: number | null;
  sample: string | null;
  samples?: number;
}

type GalleryWindow = { gallery: { ready?: boolean; cards: Record<string, { state: CardState }> } };

const stateOf = (page: Page, id: string): Promise<CardState> =>
  page.evaluate((i) => JSON.parse(JSON.stringify((window as unknown as GalleryWindow).gallery.cards[i].state)), id);

async function waitForPhase(page: Page, id: string, phases: string[], timeout = 120_000): Promise<CardState> {
  await page.waitForFunction(
    ([i, ps]) =>
      (ps as string[]).includes((window as unknown as GalleryWindow).gallery.cards[i as string]?.state.phase),
    [id, phases] as const,
    { timeout, polling: 100 },
  );
  return stateOf(page, id);
}

/** Points in the card's per-batch loss chart, as vis records them on the chart (`data-points`). */
const batchPoints = (page: Page, id: string): Promise<number> =>
  page.evaluate((i) => {
    const el = document.querySelector(`#${i}-charts .ferrite-vis-batch .ferrite-vis-chart[data-series="loss"]`);
    return el ? Number((el as HTMLElement).dataset.points) : 0;
  }, id);

describe.skipIf(!present)('demo gallery in Chromium (playwright-core)', () => {
  let browser: Browser;
  let server: DemoServer;

  beforeAll(async () => {
    ensureDist();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startDemoServer({ port: 0, isolate: true, quiet: true });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.close();
    }
  });

  async function open(query: string, errors: string[]): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    await page.goto(`${server.url}gallery.html${query}`);
    await page.waitForFunction(() => (window as unknown as GalleryWindow).gallery?.ready === true, null, {
      timeout: 60_000,
    });
    return page;
  }

  it('P1 trains in its worker with live charts that grow during fit, then P4 draws its 50 test images', async () => {
    const errors: string[] = [];
    const page = await open('?p1Epochs=2&p1TrainSize=6000&p4Epochs=2', errors);
    try {
      // The live charts: every redraw of the per-batch chart is recorded in the page with the
      // card's phase at that moment, so the test sees the chart grow while the worker trains
      // however fast the machine finishes the fit (polling from here could miss it).
      await page.evaluate(() => {
        const w = window as unknown as GalleryWindow & { p1Redraws: { points: number; phase: string }[] };
        w.p1Redraws = [];
        new MutationObserver(() => {
          const el = document.querySelector('#p1-charts .ferrite-vis-batch .ferrite-vis-chart[data-series="loss"]');
          if (el !== null)
            w.p1Redraws.push({
              points: Number((el as HTMLElement).dataset.points),
              phase: w.gallery.cards.p1.state.phase,
            });
        }).observe(document.querySelector('#p1-charts')!, {
          subtree: true,
          childList: true,
          attributes: true,
          attributeFilter: ['data-points'],
        });
      });
      await page.click('#p1-train');

      const p1 = await waitForPhase(page, 'p1', ['done', 'error']);
      expect(p1.error).toBeNull();
      const redraws = await page.evaluate(
        () => (window as unknown as { p1Redraws: { points: number; phase: string }[] }).p1Redraws,
      );
      // Several redraws with different point counts happened while fit was still training.
      const duringFit = new Set(redraws.filter((r) => r.phase === 'training' && r.points > 0).map((r) => r.points));
      expect(duringFit.size).toBeGreaterThanOrEqual(2);
      // Chromium has relaxed SIMD, so the worker picks the relaxed threaded build.
      expect(p1.backend).toBe('simd-threads-relaxed');
      expect(await page.textContent('#card-p1 .pill')).toMatch(/SIMD \+ threads · \d+ threads?/);
      // Every batch is one point: 6,000 images in batches of 32 = 188 per epoch, 2 epochs.
      expect(p1.batches).toBe(2 * 188);
      expect(await batchPoints(page, 'p1')).toBe(2 * 188);
      const epochPoints = await page.getAttribute(
        '#p1-charts .ferrite-vis-epoch .ferrite-vis-chart[data-series="loss,val_loss"]',
        'data-points',
      );
      expect(Number(epochPoints)).toBe(2);
      // Ten classes: chance is 0.1; two short epochs of the MLP give ~0.75-0.85.
      expect(p1.testAccuracy).toBeGreaterThan(0.6);
      expect(await page.locator('#p1-extras .ferrite-vis-table').count()).toBe(2); // summary and per-class accuracy
      expect(await page.textContent('#p1-extras')).toContain('101,770 parameters');

      await page.click('#p4-train');
      const p4 = await waitForPhase(page, 'p4', ['done', 'error']);
      expect(p4.error).toBeNull();
      expect(p4.epochsDone).toBe(2);
      // 8,000 digits: Keras's recipe reaches ~0.9 after two epochs; chance is 0.1.
      expect(p4.testAccuracy).toBeGreaterThan(0.8);
      expect(p4.gridDrawn).toBe(50);
      expect(await page.locator('#p4-grid canvas').count()).toBe(50);
      // The canvases hold the digits: dark ink on white, so some pixels are dark.
      const dark = await page.evaluate(() =>
        [...document.querySelectorAll('#p4-grid canvas')].map((c) => {
          const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++;
          return n;
        }),
      );
      expect(Math.min(...dark)).toBeGreaterThan(20);
      // The confusion matrix counts the 2,000 held-out digits.
      const cmTotal = await page.evaluate(() =>
        [...document.querySelectorAll('#p4-confusion td')].reduce(
          (a, td) => a + Number((td as HTMLElement).dataset.value),
          0,
        ),
      );
      expect(cmTotal).toBe(2000);
      expect(errors).toEqual([]);
      await page.screenshot({ path: `${ARTIFACTS}gallery.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('Pause stops P4 between batches, Resume continues from there, Stop ends it early', async () => {
    const errors: string[] = [];
    const page = await open('?p4Epochs=20', errors);
    try {
      await page.click('#p4-train');
      await page.waitForFunction(
        () => {
          const s = (window as unknown as GalleryWindow).gallery.cards.p4.state;
          return s.batches >= 10 || s.phase === 'error';
        },
        null,
        { timeout: 120_000 },
      );
      expect((await stateOf(page, 'p4')).error).toBeNull();
      await page.click('#p4-pause');
      const paused = await waitForPhase(page, 'p4', ['paused', 'error']);
      expect(paused.error).toBeNull();
      await page.waitForTimeout(700);
      // Nothing trains while paused.
      expect((await stateOf(page, 'p4')).batches).toBe(paused.batches);
      expect(await page.textContent('#p4-pause')).toBe('Resume');
      await page.click('#p4-pause');
      await page.waitForFunction(
        (n) => {
          const s = (window as unknown as GalleryWindow).gallery.cards.p4.state;
          return s.batches >= n + 10 || s.phase === 'error';
        },
        paused.batches,
        { timeout: 120_000 },
      );
      expect((await stateOf(page, 'p4')).error).toBeNull();
      // The charts keep counting on from the batches before the pause.
      expect(await batchPoints(page, 'p4')).toBeGreaterThan(paused.batches);
      await page.click('#p4-stop');
      const stopped = await waitForPhase(page, 'p4', ['done', 'error']);
      expect(stopped.error).toBeNull();
      expect(stopped.stopped).toBe(true);
      expect(stopped.epochsDone).toBeLessThan(20);
      expect(stopped.testAccuracy).toBeGreaterThan(0.1);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the text card trains a character LSTM on Brown text, then samples 200 characters with a temperature', async () => {
    const errors: string[] = [];
    const page = await open('?textEpochs=2&textBatches=20', errors);
    try {
      await page.fill('#text-temperature', '0.5');
      await page.click('#text-train');
      const s = await waitForPhase(page, 'text', ['done', 'error']);
      expect(s.error).toBeNull();
      expect(s.batches).toBe(40);
      // Cross-entropy starts near ln(vocabulary) (~3.9 for ~50 characters) and falls as
      // letter frequencies and common pairs are learnt.
      expect(s.firstLoss!).toBeGreaterThan(3);
      expect(s.lastLoss!).toBeLessThan(s.firstLoss! - 0.5);
      expect(s.sample).toHaveLength(200);
      // Drawn from the corpus's lower-case characters; spaces are the most common one.
      expect(s.sample).toMatch(/^[^A-Z]*$/);
      expect(s.sample!.split(' ').length).toBeGreaterThan(10);
      expect(await page.textContent('#text-sample')).toContain(s.sample!);
      expect(await page.textContent('#text-extras')).toContain('Sampled at temperature 0.5');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('vis in a page: fitCallbacks on a main-thread model.fit and a confusion matrix, drawn into {name, tab} surfaces', async () => {
    const errors: string[] = [];
    const page = await open('', errors);
    try {
      // A string, so that the test runner's transforms leave the dynamic import alone.
      const r = (await page.evaluate(`(async () => {
        const fe = await import('/dist/index.mjs');
        fe.setRandomSeed(5);
        const m = fe.sequential({ layers: [
          fe.layers.dense({ units: 8, inputShape: [2], activation: 'relu' }),
          fe.layers.dense({ units: 2, activation: 'softmax' }) ] });
        m.compile({ optimizer: fe.train.adam(0.05), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
        const xs = [], ys = [];
        for (let i = 0; i < 64; i++) { const a = (i % 8) / 4 - 1, b = Math.floor(i / 8) / 4 - 1; xs.push(a, b); ys.push(a * b > 0 ? 1 : 0); }
        const x = fe.tensor2d(xs, [64, 2]), y = fe.tensor1d(ys, 'int32');
        const surface = { name: 'Main-thread fit', tab: 'Tests' };
        await m.fit(x, y, { epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0,
          callbacks: fe.vis.show.fitCallbacks(surface, ['loss', 'acc']) });
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        await fe.vis.render.confusionMatrix({ name: 'Confusion', tab: 'Tests' }, { values: [[5, 1], [2, 7]], tickLabels: ['no', 'yes'] });
        await fe.vis.show.modelSummary({ name: 'Model', tab: 'Tests' }, m);
        const q = (sel) => [...document.querySelectorAll(sel)];
        return {
          tabs: q('#ferrite-vis > section').map((s) => s.dataset.tab),
          surfaces: q('#ferrite-vis section[data-tab="Tests"] h3').map((h) => h.textContent),
          batchPoints: q('[data-surface="Main-thread fit"] .ferrite-vis-batch .ferrite-vis-chart').map((c) => c.dataset.series + '=' + c.dataset.points),
          epochPoints: q('[data-surface="Main-thread fit"] .ferrite-vis-epoch .ferrite-vis-chart').map((c) => c.dataset.series + '=' + c.dataset.points),
          canvases: q('[data-surface="Main-thread fit"] canvas').length,
          cells: q('[data-surface="Confusion"] td').map((td) => Number(td.dataset.value)),
          summary: document.querySelector('[data-surface="Model"] table').textContent,
        };
      })()`)) as Record<string, unknown>;
      expect(r.tabs).toEqual(['Tests']);
      expect(r.surfaces).toEqual(['Main-thread fit', 'Confusion', 'Model']);
      // 48 training samples in batches of 16: 3 batches per epoch, 9 in all; 3 epochs.
      expect(r.batchPoints).toEqual(['loss=9', 'acc=9']);
      expect(r.epochPoints).toEqual(['loss,val_loss=3', 'acc,val_acc=3']);
      expect(r.canvases).toBeGreaterThanOrEqual(4);
      expect(r.cells).toEqual([5, 1, 2, 7]);
      expect(r.summary).toContain('42 parameters'); // 2*8+8 + 8*2+2
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("the GAN card trains examples/dcgan.ts's DCGAN in the Ferrite worker (a step module), draws 16 samples, and stops on Stop", async () => {
    const errors: string[] = [];
    const page = await open('?ganRounds=1&ganStepsPerRound=30', errors);
    try {
      await page.click('#gan-train');
      const s = await waitForPhase(page, 'gan', ['done', 'error']);
      expect(s.error).toBeNull();
      expect(s.batches).toBe(30);
      expect(s.backend).toMatch(/^simd-threads/);
      expect(s.samples).toBe(16);
      // One point per step on both loss charts (vis.show.fitCallbacks fed by the worker's messages).
      const points = await page.evaluate(() =>
        [...document.querySelectorAll('#gan-charts .ferrite-vis-chart')].map(
          (c) => `${(c as HTMLElement).dataset.series}=${(c as HTMLElement).dataset.points}`,
        ),
      );
      expect(points).toEqual(['d_loss=30', 'g_loss=30']);
      // Generated images: not blank, and not all the same pixel.
      const spread = await page.evaluate(() =>
        [...document.querySelectorAll('#gan-samples canvas')].map((c) => {
          const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data;
          let lo = 255;
          let hi = 0;
          for (let i = 0; i < d.length; i += 4) {
            lo = Math.min(lo, d[i]);
            hi = Math.max(hi, d[i]);
          }
          return hi - lo;
        }),
      );
      expect(spread).toHaveLength(16);
      expect(Math.min(...spread)).toBeGreaterThan(10);

      // Stop during a longer run.
      await page.fill('#card-gan input[type="number"]', '20');
      await page.click('#gan-train');
      await page.waitForFunction(
        () => {
          const st = (window as unknown as GalleryWindow).gallery.cards.gan.state;
          return st.batches >= 5 || st.phase === 'error';
        },
        null,
        { timeout: 120_000 },
      );
      // Pause: the worker finishes the step under way, then no more.
      await page.click('#gan-pause');
      await page.waitForTimeout(500);
      const paused = (await stateOf(page, 'gan')).batches;
      await page.waitForTimeout(700);
      expect((await stateOf(page, 'gan')).batches).toBe(paused);
      expect((await stateOf(page, 'gan')).phase).toBe('paused');
      await page.click('#gan-pause'); // Resume
      await page.waitForFunction(
        (n) => (window as unknown as GalleryWindow).gallery.cards.gan.state.batches >= n + 3,
        paused,
        { timeout: 120_000 },
      );
      await page.click('#gan-stop');
      const stopped = await waitForPhase(page, 'gan', ['done', 'error']);
      expect(stopped.error).toBeNull();
      expect(stopped.stopped).toBe(true);
      expect(stopped.batches).toBeLessThan(2000);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('vis without uPlot in a page: the first chart fails saying how to add it', async () => {
    const page = await browser.newPage();
    // The import map still names uplot, but its file cannot be fetched.
    await page.route('**/uPlot.esm.js', (route) => route.abort());
    try {
      await page.goto(`${server.url}gallery.html`);
      await page.waitForFunction(() => (window as unknown as GalleryWindow).gallery?.ready === true, null, {
        timeout: 60_000,
      });
      const message = (await page.evaluate(`(async () => {
        const fe = await import('/dist/index.mjs');
        const el = document.createElement('div');
        document.body.append(el);
        try { await fe.vis.render.histogram(el, [1, 2, 3]); return 'drawn'; } catch (e) { return e.message; }
      })()`)) as string;
      expect(message).toMatch(/ferrite: vis: charts in a page are drawn with uPlot, which is not loaded/);
      expect(message).toContain('npm i uplot');
      expect(message).toContain('fe.vis.setUPlot(uPlot)');
    } finally {
      await page.close();
    }
  });
});
