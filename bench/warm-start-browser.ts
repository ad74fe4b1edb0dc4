// Warm start in Chromium: the Fashion-MNIST MLP's first three fits (one epoch each, batch
// 32, Adam) right after the page (or a training worker) loaded Ferrite, with and without
// `warmUp` first. Each case runs in a freshly launched browser, so no compiled code
// survives from an earlier case. V8 runs a fresh wasm module on baseline code (Liftoff)
// and recompiles hot functions with TurboFan as they get used: fit 1 is slow without a
// warm-up. Data are random (speed does not depend on the values).
//
//   npx tsx bench/warm-start-browser.ts [samples=19200] [repeats=1]
//
// Needs Debian's Chromium (/usr/bin/chromium) and a built package (npm run build).

import { chromium } from 'playwright-core';
import { startDemoServer } from '../scripts/serve-demo.mjs';
import { fmt, printTable, type Row } from './table.js';
import { isMain } from './util.js';

const CHROMIUM = '/usr/bin/chromium';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">{"imports": {"comlink": "/node_modules/comlink/dist/esm/comlink.mjs"}}</script>
<script type="module">
import * as fe from '/dist/index.mjs';
window.measure = async (where, warm, samples) => {
  const t0 = performance.now();
  await fe.ready();
  const readyMs = performance.now() - t0;
  const mlp = () => {
    const m = fe.sequential({ layers: [
      fe.layers.flatten({ inputShape: [28, 28] }),
      fe.layers.dense({ units: 128, activation: 'relu' }),
      fe.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    m.compile({ optimizer: fe.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  // Learnable data: sample i is class i % 10, a fixed template per class plus noise (data the
  // model cannot learn drove its weights where the kernels ran at half speed).
  const hash = (k) => (Math.imul(k, 2654435761) >>> 24) / 255;
  const pixels = () => Float32Array.from({ length: samples * 784 }, (_, i) =>
    0.6 * hash(((Math.floor(i / 784) % 10) * 784 + (i % 784)) * 7 + 1) + 0.4 * hash(i * 13 + 5));
  const labels = () => Int32Array.from({ length: samples }, (_, i) => i % 10);
  const fits = [];
  let warmMs = 0;
  let backend, threads;
  if (where === 'page') {
    const t1 = performance.now();
    if (warm) await fe.warmUp();
    warmMs = performance.now() - t1;
    const m = mlp();
    const x = fe.tensor(pixels(), [samples, 28, 28]);
    const y = fe.tensor(labels(), [samples], 'int32');
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      await m.fit(x, y, { epochs: 1, batchSize: 32 });
      fits.push(samples / ((performance.now() - t) / 1000));
    }
    backend = fe.getBackend(); threads = fe.getThreadsCount();
    x.dispose(); y.dispose(); m.dispose();
  } else {
    const t1 = performance.now();
    const trainer = await fe.worker.create(mlp(), { warmUp: warm });
    warmMs = performance.now() - t1;
    const xs = await trainer.putData({ data: pixels(), shape: [samples, 28, 28] });
    const ys = await trainer.putData({ data: labels(), shape: [samples] });
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      await trainer.fit(xs, ys, { epochs: 1, batchSize: 32 });
      fits.push(samples / ((performance.now() - t) / 1000));
    }
    backend = trainer.backend; threads = trainer.threads;
    trainer.terminate();
  }
  return { readyMs, warmMs, fits, backend, threads, tensors: fe.memory().numTensors };
};
window.pageReady = true;
</script></head><body></body></html>`;

interface Result {
  readyMs: number;
  warmMs: number;
  fits: number[];
  backend: string;
  threads: number;
  tensors: number;
}

export async function benchWarmStartBrowser(opts: { samples?: number; repeats?: number } = {}): Promise<Row[]> {
  const { samples = 19_200, repeats = 1 } = opts;
  const server = await startDemoServer({ port: 0, quiet: true, data: 'mnist-digits' });
  const cases: [string, 'page' | 'worker', boolean][] = [
    ['page', 'page', false],
    ['page, warmUp()', 'page', true],
    ['worker', 'worker', false],
    ['worker, create({warmUp: true})', 'worker', true],
  ];
  const results = new Map<string, Result[]>();
  try {
    for (let r = 0; r < repeats; r++) {
      for (const [name, where, warm] of cases) {
        const browser = await chromium.launch({
          executablePath: CHROMIUM,
          headless: true,
          args: ['--no-sandbox', '--disable-gpu'],
        });
        try {
          const page = await browser.newPage();
          await page.route(`${server.url}warm.html`, (route) =>
            route.fulfill({
              body: PAGE,
              contentType: 'text/html',
              // Cross-origin isolated, as the served pages: the worker may use threads.
              headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
            }),
          );
          await page.goto(`${server.url}warm.html`);
          await page.waitForFunction('window.pageReady === true', undefined, { timeout: 60_000 });
          const res = (await page.evaluate(
            ([w, wm, n]) => (window as unknown as { measure: (...a: unknown[]) => Promise<Result> }).measure(w, wm, n),
            [where, warm, samples] as const,
          )) as Result;
          results.set(name, [...(results.get(name) ?? []), res]);
          console.log(name, JSON.stringify(res));
        } finally {
          await browser.close();
        }
      }
    }
  } finally {
    await server.close();
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  return cases.map(([name]) => {
    const rs = results.get(name)!;
    const fit = (k: number) => median(rs.map((x) => x.fits[k]));
    return {
      figure: `MLP, ${samples} samples per fit: ${name} (${rs[0].backend}, ${rs[0].threads} threads)`,
      'ready ms': fmt(median(rs.map((x) => x.readyMs))),
      'warm-up ms (worker: create)': fmt(median(rs.map((x) => x.warmMs))),
      'fit 1 samples/s': fmt(fit(0)),
      'fit 2': fmt(fit(1)),
      'fit 3': fmt(fit(2)),
      'fit 1 / fit 3': (fit(0) / fit(2)).toFixed(2),
    };
  });
}

if (isMain(import.meta.url)) {
  const [samples, repeats] = process.argv.slice(2).map(Number);
  benchWarmStartBrowser({ samples: samples || undefined, repeats: repeats || undefined }).then((rows) => {
    printTable(rows);
    process.exit(0);
  });
}
