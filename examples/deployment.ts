// Deployment: train in Node, save to disk, serve the files, load and predict in a browser
// page and in its background worker.
//
//   npx tsx examples/deployment.ts [--epochs N] [--port 8090]
//
// 1. A small classifier (dense 32 relu -> batch norm -> dropout -> dense 3 softmax) learns
//    three interleaved spirals in Node, then `model.save('file://<dir>')` writes
//    model.json and weights.bin (TF.js's format), plus probe.json: a few inputs and
//    Node's predictions for them.
// 2. A small static server serves the page (examples/deployment/), the built package
//    (dist/, from `npm run build`) and the model under /model/.
// 3. The page calls `loadLayersModel('/model/model.json')`, predicts the probe inputs,
//    moves the model into a worker (`worker.create(model)`) and predicts there too, and
//    shows both next to Node's. test/e2e/browser/deployment.test.ts checks they agree.

import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { layers, sequential, setRandomSeed, tensor, train, type LayersModel, type Tensor } from '../ts/index.js';
import { argValue, isMain, numberArg, runAsCommand } from './program.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Three spirals of `perClass` points each, in [-1, 1]²; labels 0..2. */
export function spirals(perClass: number, seedShift = 0): { x: number[][]; y: number[] } {
  const x: number[][] = [];
  const y: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < perClass; i++) {
      const r = (i + 1) / perClass;
      const t = c * ((2 * Math.PI) / 3) + 4 * r + 0.2 * Math.sin(7 * i + 13 * c + seedShift);
      x.push([r * Math.cos(t), r * Math.sin(t)]);
      y.push(c);
    }
  }
  return { x, y };
}

export function classifier(): LayersModel {
  return sequential({
    layers: [
      layers.dense({ units: 32, activation: 'relu', inputShape: [2] }),
      layers.batchNormalization(),
      layers.dropout({ rate: 0.1 }),
      layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

export interface Probe {
  inputs: number[][];
  /** Node's predictions for `inputs`. */
  predictions: number[][];
}

/** Trains the classifier and saves it (model.json, weights.bin) and probe.json into `dir`. */
export async function trainAndSave(dir: string, epochs = 60, log = console.log): Promise<Probe & { accuracy: number }> {
  setRandomSeed(7);
  const data = spirals(100);
  const model = classifier();
  model.compile({ optimizer: train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const xs = tensor(data.x);
  const ys = tensor(data.y, [data.y.length], 'int32');
  const h = await model.fit(xs, ys, { epochs, batchSize: 32, verbose: 0 });
  const accuracy = h.history.acc.at(-1)!;
  log(`trained ${epochs} epochs: training accuracy ${accuracy.toFixed(3)}`);
  await model.save(`file://${dir}`);
  const inputs = spirals(4, 1).x;
  const probe = tensor(inputs);
  const out = model.predict(probe) as Tensor;
  const predictions = out.arraySync() as number[][];
  await writeFile(join(dir, 'probe.json'), JSON.stringify({ inputs, predictions }));
  log(`saved ${dir}/model.json, weights.bin and probe.json`);
  [xs, ys, probe, out].forEach((t) => t.dispose());
  model.dispose();
  return { inputs, predictions, accuracy };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

/** Serves the page, dist/, comlink and the saved model (`modelDir` as /model/) on 127.0.0.1. */
export async function serveDeployment(modelDir: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const mounts: [string, string][] = [
    ['/model/', modelDir],
    ['/dist/', join(ROOT, 'dist')],
    ['/node_modules/comlink/', join(ROOT, 'node_modules', 'comlink')],
    ['/', join(ROOT, 'examples', 'deployment')],
  ];
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    const rel = path.slice(mount![0].length) || 'index.html';
    const file = normalize(join(mount![1], rel));
    if (!file.startsWith(mount![1] + sep) || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export async function main(): Promise<void> {
  const dir = join(ROOT, 'examples', 'deployment', 'out');
  await trainAndSave(dir, numberArg('--epochs') ?? 60);
  const server = await serveDeployment(dir, Number(argValue('--port') ?? 8090));
  console.log(`open ${server.url} (the page loads /model/model.json); Ctrl-C stops the server`);
}

if (isMain(import.meta.url)) runAsCommand(main);
