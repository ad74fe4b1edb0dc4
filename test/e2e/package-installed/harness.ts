// What the package-installed suites share: packing the package and installing the tarball
// into a project, a static server with the headers of a cross-origin-isolated page, and
// opening a page in Chromium that trains (package-installed/main.js) and checking its result.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, copyFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { expect } from 'vitest';
import type { Browser } from 'playwright-core';

export const ROOT = new URL('../../..', import.meta.url).pathname;
/** The page and the TypeScript consumer copied into each project. */
export const APP = new URL('./', import.meta.url).pathname;

/** The headers that make a page (and its workers) cross-origin isolated. */
export const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export const npm = (cwd: string, args: string[], timeout = 120_000): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });

export interface Tarball {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/** `npm pack`s this repository's package into `dir`. */
export function packInto(dir: string): Tarball {
  const [tarball] = JSON.parse(npm(ROOT, ['pack', '--json', '--pack-destination', dir])) as Tarball[];
  return tarball;
}

/** Installs a tarball into `project` as a user does (offline: the package has no dependencies), and copies the app's files in. */
export function installInto(project: string, tgz: string): void {
  npm(project, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz]);
  for (const f of readdirSync(APP).filter((f) => /\.(html|js|ts)$/.test(f) && f !== 'harness.ts'))
    copyFileSync(join(APP, f), join(project, f));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Serves a folder on 127.0.0.1 with the headers that make a page cross-origin isolated. */
export async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    const ok = file.startsWith(dir) && existsSync(file);
    res.writeHead(ok ? 200 : 404, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      ...ISOLATION,
      'Cache-Control': 'no-store',
    });
    res.end(ok ? readFileSync(file) : 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, server };
}

export { CHROMIUM, launchChromium } from '../../../scripts/chromium.mjs';

/** What package-installed/main.js reports. */
export interface PageResult {
  error?: string;
  pageBackend: string;
  pageLoss: number[];
  workerBackend: string;
  workerThreads: number;
  workerIsolated: boolean;
  workerLoss: number[];
}

/** Opens `url` in a fresh page, waits for `window.result` and checks the page logged no error. */
export async function resultOf<T = PageResult>(browser: Browser, url: string): Promise<T> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(`console: ${m.text()}`)));
  page.on('response', (r) => void (r.status() >= 400 && errors.push(`${r.status()}: ${r.url()}`)));
  try {
    await page.goto(url);
    const result = (await page.evaluate('window.result')) as T;
    expect(errors).toEqual([]);
    return result;
  } finally {
    await page.close();
  }
}

/** The page trained on its thread (relaxed SIMD) and in the worker (threaded relaxed build), and the loss fell in both. */
export function expectTrained(r: PageResult): void {
  expect(r.error).toBeUndefined();
  // Chromium runs relaxed SIMD, so both pick the relaxed variants (found by the bundler too).
  expect(r.pageBackend).toBe('simd-relaxed');
  expect(r.workerBackend).toBe('simd-threads-relaxed');
  expect(r.workerIsolated).toBe(true);
  expect(r.workerThreads).toBeGreaterThanOrEqual(1);
  for (const loss of [r.pageLoss, r.workerLoss]) {
    expect(loss).toHaveLength(20);
    expect(loss.every(Number.isFinite)).toBe(true);
    expect(loss[19]).toBeLessThan(loss[0]);
  }
}
