// The package as users install it: `npm pack` the built package, install the tarball into
// a fresh project (offline: comlink, its one dependency, comes packed from node_modules),
// bundle the page in package-installed/ with Vite and with esbuild (both from this repo's
// node_modules), serve each build with COOP/COEP and train in Chromium on the page's
// thread and in the background worker (the threaded build); and type-check a strict
// TypeScript consumer against the installed types; and the same page unbundled, from the
// installed files with an import map. Vite needs no configuration; esbuild
// (which does not follow `new URL('./file', import.meta.url)`) needs the one line README
// documents: copy dist/'s .wasm files and worker.mjs beside the bundle.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ensureDist } from './browser/build.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const APP = new URL('./package-installed/', import.meta.url).pathname;
const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present) console.warn(`test/e2e/package-installed.test.ts: SKIPPED the browser part: no ${CHROMIUM}`);

const npm = (cwd: string, args: string[]): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Serves a folder on 127.0.0.1 with the headers that make a page cross-origin isolated. */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    const ok = file.startsWith(dir) && existsSync(file);
    res.writeHead(ok ? 200 : 404, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    });
    res.end(ok ? readFileSync(file) : 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, server };
}

interface PageResult {
  error?: string;
  pageBackend: string;
  pageLoss: number[];
  workerBackend: string;
  workerThreads: number;
  workerIsolated: boolean;
  workerLoss: number[];
}

describe('the package installed from its tarball', () => {
  let dir: string;
  let project: string;
  let tarball: { size: number; unpackedSize: number; files: { path: string }[] };
  let browser: Browser | undefined;
  const servers: Server[] = [];

  beforeAll(async () => {
    ensureDist();
    dir = await mkdtemp(join(tmpdir(), 'ferrite-installed-'));
    [tarball] = JSON.parse(npm(ROOT, ['pack', '--json', '--pack-destination', dir]));
    npm(dir, ['pack', '--ignore-scripts', '--pack-destination', dir, join(ROOT, 'node_modules/comlink')]);
    project = join(dir, 'app');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const tgz = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
    npm(project, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tgz.map((f) => `../${f}`)]);
    for (const f of ['index.html', 'main.js', 'consumer.ts']) copyFileSync(join(APP, f), join(project, f));
    console.log(
      `test/e2e/package-installed: tarball ${(tarball.size / 1e6).toFixed(2)} MB, unpacked ${(tarball.unpackedSize / 1e6).toFixed(2)} MB, ${tarball.files.length} files`,
    );
    if (present)
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu'],
      });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) s.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships dist/ and the README only', () => {
    const paths = tarball.files.map((f) => f.path);
    expect(paths).toContain('dist/index.mjs');
    expect(paths).toContain('dist/worker.mjs');
    expect(paths.filter((p) => p.endsWith('.wasm'))).toHaveLength(5);
    expect(
      paths.every((p) => p.startsWith('dist/') || ['README.md', 'package.json', 'LICENSE'].includes(p)),
      String(paths),
    ).toBe(true);
  });

  it('type-checks a strict TypeScript consumer', () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = [
      tsc,
      '--strict',
      '--noEmit',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--lib',
      'es2022,dom',
      'consumer.ts',
    ];
    const r = (() => {
      try {
        return execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8' });
      } catch (e) {
        return (e as { stdout: string }).stdout;
      }
    })();
    expect(r).toBe('');
  });

  /** Opens a build in Chromium and returns what the page reports. */
  async function trainIn(outDir: string, file = ''): Promise<PageResult> {
    const { url, server } = await serve(outDir);
    servers.push(server);
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(`console: ${m.text()}`)));
    await page.goto(url + file);
    const result = (await page.evaluate('window.result')) as PageResult;
    await page.close();
    expect(errors).toEqual([]);
    return result;
  }

  function expectTrained(r: PageResult): void {
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

  it.skipIf(!present)(
    'a Vite build (no configuration) trains on the page and in the threaded worker',
    async () => {
      const { build } = await import('vite');
      const outDir = join(project, 'out-vite');
      await build({ root: project, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
      const assets = readdirSync(join(outDir, 'assets'));
      // Only what the page needs: the code, the worker script and the five wasm builds.
      expect(assets.filter((f) => f.endsWith('.wasm'))).toHaveLength(5);
      expect(assets.filter((f) => /\.(map|ts|cjs)$/.test(f))).toEqual([]);
      expectTrained(await trainIn(outDir));
    },
    120_000,
  );

  it.skipIf(!present)(
    'plain static files with an import map (the CDN way) train on the page and in the threaded worker',
    async () => {
      const html = readFileSync(join(project, 'index.html'), 'utf8').replace(
        '<script type="module"',
        `<script type="importmap">${JSON.stringify({
          imports: {
            'ferrite-nn': '/node_modules/ferrite-nn/dist/index.mjs',
            comlink: '/node_modules/comlink/dist/esm/comlink.mjs',
          },
        })}</script>\n    <script type="module"`,
      );
      writeFileSync(join(project, 'static.html'), html);
      expectTrained(await trainIn(project, 'static.html'));
    },
    120_000,
  );

  it.skipIf(!present)(
    'an esbuild bundle (plus the documented copy of dist/) trains on the page and in the threaded worker',
    async () => {
      const esbuild = await import('esbuild');
      const outDir = join(project, 'out-esbuild');
      await esbuild.build({
        absWorkingDir: project,
        entryPoints: ['main.js'],
        bundle: true,
        format: 'esm',
        outdir: outDir,
        logLevel: 'silent',
      });
      copyFileSync(join(project, 'index.html'), join(outDir, 'index.html'));
      // README's line for esbuild: cp node_modules/ferrite-nn/dist/{*.wasm,worker.mjs} <outdir>/
      const dist = join(project, 'node_modules/ferrite-nn/dist');
      for (const f of readdirSync(dist).filter((f) => f.endsWith('.wasm') || f === 'worker.mjs'))
        copyFileSync(join(dist, f), join(outDir, f));
      expectTrained(await trainIn(outDir));
    },
    120_000,
  );
});
