// The deployment example (examples/deployment.ts) end to end, and the browser stores of
// `io`, in Debian's Chromium driven by playwright-core: a model trained and saved in Node
// is served over http, loaded in a page and in its worker, and predicts what Node
// predicted; a page trains a model and saves it with io.http to a Node server, which
// receives the multipart POST and loads what it got; models round-trip through indexeddb://, localstorage://, downloads:// and
// io.browserFiles, and listModels / copyModel / moveModel / removeModel manage them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../../../scripts/chromium.mjs';
import { expectClose } from '../../support/helpers.js';
import * as fe from '../../../ts/index.js';
import { loadLayersModel } from '../../../ts/models/load.js';
import { serveDeployment, trainAndSave, type Probe } from '../../../examples/deployment.js';
import { ensureDist } from './build.js';

const present = existsSync(CHROMIUM);
if (!present) console.warn(`test/e2e/browser/deployment.test.ts: SKIPPED: no ${CHROMIUM}`);

interface DeploymentState {
  phase: string;
  error: string | null;
  backend: string;
  node: number[][];
  page: number[][];
  worker: number[][];
}

describe.skipIf(!present)('deployment example and browser model stores (Chromium)', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let dir: string;
  let probe: Probe;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    ensureDist();
    dir = await mkdtemp(join(tmpdir(), 'ferrite-deploy-'));
    probe = await trainAndSave(dir, 40, () => {});
    server = await serveDeployment(dir);
    browser = await launchChromium();
    page = await browser.newPage({ acceptDownloads: true });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    await page.goto(server.url);
    await page.waitForFunction(
      () => ['done', 'error'].includes((window as unknown as { deployment: DeploymentState }).deployment.phase),
      undefined,
      { timeout: 90_000, polling: 100 },
    );
  }, 180_000);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  });

  it('the page and its worker load the model Node saved (over http) and predict what Node predicted', async () => {
    const s = (await page.evaluate('JSON.parse(JSON.stringify(window.deployment))')) as DeploymentState;
    expect(s.error).toBeNull();
    expect(errors).toEqual([]);
    expect(s.node).toEqual(probe.predictions);
    expect(s.page.length).toBe(probe.inputs.length);
    // Same wasm kernels on both sides; a different build (scalar vs SIMD) may reorder sums.
    expectClose(s.page.flat(), probe.predictions.flat(), 1e-5, 1e-6, 'page vs Node');
    expectClose(s.worker.flat(), probe.predictions.flat(), 1e-5, 1e-6, 'worker vs Node');
    // The model is not trivial: its predictions differ between inputs.
    expect(new Set(probe.predictions.map((p) => p.indexOf(Math.max(...p)))).size).toBeGreaterThan(1);
  });

  it('indexeddb:// and localstorage:// round-trip, and listModels / copyModel / moveModel / removeModel manage them', async () => {
    const r = (await page.evaluate(`(async () => {
      const fe = window.fe;
      const m = fe.sequential({ layers: [fe.layers.dense({ units: 3, inputShape: [2], activation: 'tanh' }), fe.layers.dense({ units: 2 })] });
      const x = fe.tensor([[0.5, -1], [2, 3]]);
      const want = Array.from(m.predict(x).dataSync());
      const out = { want };
      await m.save('indexeddb://a');
      await m.save('localstorage://b');
      out.idb = Array.from((await fe.loadLayersModel('indexeddb://a')).predict(x).dataSync());
      out.ls = Array.from((await fe.loadLayersModel('localstorage://b')).predict(x).dataSync());
      out.keys = Object.keys(localStorage).filter((k) => k.startsWith('tensorflowjs_models/b/')).sort();
      out.list1 = Object.keys(await fe.io.listModels()).sort();
      await fe.io.copyModel('localstorage://b', 'indexeddb://c');
      await fe.io.moveModel('indexeddb://a', 'localstorage://d');
      out.list2 = Object.keys(await fe.io.listModels()).sort();
      out.moved = Array.from((await fe.loadLayersModel('localstorage://d')).predict(x).dataSync());
      out.copied = Array.from((await fe.loadLayersModel('indexeddb://c')).predict(x).dataSync());
      const info = await fe.io.removeModel('indexeddb://c');
      out.removedBytes = info.weightDataBytes;
      out.list3 = Object.keys(await fe.io.listModels()).sort();
      try { await fe.loadLayersModel('indexeddb://c'); out.missing = 'loaded'; } catch (e) { out.missing = e.message; }
      return out;
    })()`)) as Record<string, unknown>;
    for (const k of ['idb', 'ls', 'moved', 'copied']) expect(r[k], k).toEqual(r.want);
    expect(r.keys).toEqual(
      ['info', 'model_metadata', 'model_topology', 'weight_data', 'weight_specs'].map(
        (p) => `tensorflowjs_models/b/${p}`,
      ),
    );
    expect(r.list1).toEqual(['indexeddb://a', 'localstorage://b']);
    expect(r.list2).toEqual(['indexeddb://c', 'localstorage://b', 'localstorage://d']);
    expect(r.removedBytes).toBe(4 * (6 + 3 + 6 + 2));
    expect(r.list3).toEqual(['localstorage://b', 'localstorage://d']);
    expect(r.missing).toMatch(/indexeddb:\/\/c: no model is stored under this name/);
  });

  it('downloads:// saves two files that io.browserFiles loads back', async () => {
    await page.evaluate(`(async () => {
      const fe = window.fe;
      window.dlModel = fe.sequential({ layers: [fe.layers.dense({ units: 2, inputShape: [3] })] });
    })()`);
    const downloads: { name: string; bytes: number[] }[] = [];
    const done = new Promise<void>((resolve) => {
      page.on('download', async (d) => {
        const path = await d.path();
        downloads.push({ name: d.suggestedFilename(), bytes: [...(await readFile(path))] });
        if (downloads.length === 2) resolve();
      });
    });
    await page.evaluate(`window.dlModel.save('downloads://my-model')`);
    await done;
    downloads.sort((a, b) => a.name.localeCompare(b.name));
    expect(downloads.map((d) => d.name)).toEqual(['my-model.json', 'my-model.weights.bin']);
    const json = JSON.parse(Buffer.from(downloads[0].bytes).toString()) as { weightsManifest: { paths: string[] }[] };
    expect(json.weightsManifest[0].paths).toEqual(['./my-model.weights.bin']);
    const r = (await page.evaluate(`(async (files) => {
      const fe = window.fe;
      const [json, weights] = files.map((f) => new File([new Uint8Array(f.bytes)], f.name));
      const loaded = await fe.loadLayersModel(fe.io.browserFiles([json, weights]));
      const x = fe.tensor([[1, 2, 3]]);
      return [Array.from(loaded.predict(x).dataSync()), Array.from(window.dlModel.predict(x).dataSync())];
    })(${JSON.stringify(downloads)})`)) as number[][];
    expect(r[0]).toEqual(r[1]);
  });

  it('io.http saves from the page to a Node server (multipart POST); Node loads it and predicts the same', async () => {
    // The upload server receives model.json and model.weights.bin as TF.js's http handler sends them.
    const received: { method?: string; type?: string; files: Record<string, Buffer> } = { files: {} };
    const upload = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      received.method = req.method;
      received.type = req.headers['content-type'];
      const form = await new Request('http://upload/', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: Buffer.concat(chunks),
      }).formData();
      for (const [name, v] of form)
        if (typeof v !== 'string') received.files[name] = Buffer.from(await v.arrayBuffer());
      // The page is another origin: it may read the answer.
      res.writeHead(200, { 'access-control-allow-origin': '*' }).end('saved');
    });
    await new Promise<void>((r) => upload.listen(0, '127.0.0.1', r));
    const port = (upload.address() as { port: number }).port;
    try {
      const r = (await page.evaluate(`(async () => {
        const fe = window.fe;
        const m = fe.sequential({ layers: [fe.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), fe.layers.dense({ units: 2 })] });
        m.compile({ optimizer: fe.train.adam(0.05), loss: 'meanSquaredError' });
        const xs = fe.tensor([[1, 2, 3], [-1, 0.5, 2], [0, -2, 1], [3, 1, -1]]);
        const ys = fe.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]);
        const h = await m.fit(xs, ys, { epochs: 5, batchSize: 2, shuffle: false });
        const result = await m.save(fe.io.http('http://127.0.0.1:${port}/upload'));
        return { loss: h.history.loss, status: result.responses[0].status, text: await result.responses[0].text(), want: Array.from(m.predict(xs).dataSync()) };
      })()`)) as { loss: number[]; status: number; text: string; want: number[] };
      expect(r.status).toBe(200);
      expect(r.text).toBe('saved');
      expect(r.loss[4]).toBeLessThan(r.loss[0]);
      expect(received.method).toBe('POST');
      expect(received.type).toMatch(/^multipart\/form-data; boundary=/);
      expect(Object.keys(received.files).sort()).toEqual(['model.json', 'model.weights.bin']);
      expect(received.files['model.weights.bin'].byteLength).toBe(4 * (12 + 4 + 8 + 2));
      const got = join(dir, 'uploaded');
      await mkdir(got);
      for (const [name, bytes] of Object.entries(received.files)) await writeFile(join(got, name), bytes);
      const m = await loadLayersModel(`file://${join(got, 'model.json')}`);
      const xs = fe.tensor([
        [1, 2, 3],
        [-1, 0.5, 2],
        [0, -2, 1],
        [3, 1, -1],
      ]);
      const y = m.predict(xs) as fe.Tensor;
      expectClose(y.dataSync() as Float32Array, new Float32Array(r.want), 1e-5, 1e-6, 'Node vs page');
      [xs, y].forEach((t) => t.dispose());
      m.dispose();
    } finally {
      await new Promise((r) => upload.close(r));
    }
  });
});
