// browser.fromPixels and browser.toPixels in Chromium (playwright-core): a canvas, its
// ImageData, an ImageBitmap and an <img> of what was drawn give the pixels drawn;
// toPixels paints a tensor on a canvas. The page is served by scripts/serve-demo.mjs (it
// serves dist/ and comlink); this test's own page is routed in on the same origin.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { CHROMIUM, openFePage, type FePage } from './fe-page.js';

const present = existsSync(CHROMIUM);
if (!present) console.warn(`test/e2e/browser/pixels.test.ts: SKIPPED: no ${CHROMIUM}`);

describe.skipIf(!present)('browser.fromPixels / toPixels in Chromium', () => {
  let opened: FePage;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    opened = await openFePage('pixels.html');
    ({ page, errors } = opened);
  }, 180_000);

  afterAll(async () => {
    await opened?.close();
  });

  it('a canvas, its ImageData, an ImageBitmap and an <img> give the pixels drawn (int32, first numChannels)', async () => {
    const r = (await page.evaluate(`(async () => {
      const fe = window.fe;
      const canvas = document.createElement('canvas');
      canvas.width = 5; canvas.height = 3;
      const ctx = canvas.getContext('2d');
      // Opaque pixels (a canvas premultiplies alpha, which would round translucent colours).
      const drawn = new ImageData(5, 3);
      for (let i = 0; i < 15; i++) drawn.data.set([(i * 17) % 256, (i * 53 + 7) % 256, (i * 91 + 3) % 256, 255], i * 4);
      ctx.putImageData(drawn, 0, 0);
      const expected = (c) => Array.from({ length: 15 * c }, (_, k) => drawn.data[Math.floor(k / c) * 4 + (k % c)]);
      const img = new Image();
      img.src = canvas.toDataURL('image/png');
      await img.decode();
      const bitmap = await createImageBitmap(canvas);
      const before = fe.memory().numTensors;
      const out = {};
      for (const [name, source] of [['canvas', canvas], ['imageData', ctx.getImageData(0, 0, 5, 3)], ['bitmap', bitmap], ['image', img]]) {
        for (const c of [1, 3, 4]) {
          const t = fe.browser.fromPixels(source, c);
          out[name + c] = { shape: t.shape, dtype: t.dtype, same: JSON.stringify(Array.from(t.dataSync())) === JSON.stringify(expected(c)) };
          t.dispose();
        }
      }
      out.leaked = fe.memory().numTensors - before;
      try { fe.browser.fromPixels(document.createElement('video')); } catch (e) { out.video = e.message; }
      return out;
    })()`)) as Record<string, unknown>;
    for (const name of ['canvas', 'imageData', 'bitmap', 'image'])
      for (const c of [1, 3, 4])
        expect(r[name + c], `${name}, ${c} channels`).toEqual({ shape: [3, 5, c], dtype: 'int32', same: true });
    expect(r.leaked).toBe(0);
    expect(r.video).toMatch(/video element has not loaded data yet/);
    expect(errors).toEqual([]);
  });

  it('toPixels paints a float32 tensor on a canvas, and fromPixels reads it back', async () => {
    const r = (await page.evaluate(`(async () => {
      const fe = window.fe;
      const x = fe.tensor([[[0, 0.5, 1], [1, 0, 0.25]], [[0.2, 0.4, 0.6], [0.8, 1, 0]]]);
      const canvas = document.createElement('canvas');
      const bytes = await fe.browser.toPixels(x, canvas);
      const back = fe.browser.fromPixels(canvas, 3);
      const out = { size: [canvas.width, canvas.height], bytes: Array.from(bytes), read: Array.from(back.dataSync()),
        painted: Array.from(canvas.getContext('2d').getImageData(0, 0, 2, 2).data) };
      x.dispose(); back.dispose();
      return out;
    })()`)) as { size: number[]; bytes: number[]; read: number[]; painted: number[] };
    expect(r.size).toEqual([2, 2]);
    expect(r.bytes).toEqual([0, 128, 255, 255, 255, 0, 64, 255, 51, 102, 153, 255, 204, 255, 0, 255]);
    expect(r.painted).toEqual(r.bytes);
    expect(r.read).toEqual([0, 128, 255, 255, 0, 64, 51, 102, 153, 204, 255, 0]);
  });
});
