// The package as users install it: `npm pack` the built package, install the tarball into
// a fresh project (offline: the package has no dependencies, comlink is bundled in), bundle
// the page in package-installed/ with Vite and with esbuild (both from this repo's
// node_modules), serve each build with COOP/COEP and train in Chromium on the page's
// thread and in the background worker (the threaded build); and type-check a strict
// TypeScript consumer against the installed types; and the same page unbundled, from the
// installed files with an import map, and a page's own module worker importing the package
// by URL. Vite needs no configuration; esbuild (which does not follow
// `new URL('./file', import.meta.url)`) needs the one line README documents: copy dist/'s
// .wasm files and worker.mjs beside the bundle. Webpack, Parcel and Vite's dev server:
// package-installed-bundlers.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ensureDist } from './browser/build.js';
import {
  CHROMIUM,
  ROOT,
  expectTrained,
  installInto,
  launchChromium,
  packInto,
  resultOf,
  serve,
  type PageResult,
  type Tarball,
} from './package-installed/harness.js';

const present = existsSync(CHROMIUM);
if (!present) console.warn(`test/e2e/package-installed.test.ts: SKIPPED the browser part: no ${CHROMIUM}`);

describe('the package installed from its tarball', () => {
  let dir: string;
  let project: string;
  let tarball: Tarball;
  let browser: Browser | undefined;
  const servers: Server[] = [];

  beforeAll(async () => {
    ensureDist();
    dir = await mkdtemp(join(tmpdir(), 'ferrite-installed-'));
    tarball = packInto(dir);
    project = join(dir, 'app');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    installInto(project, `../${tarball.filename}`);
    console.log(
      `test/e2e/package-installed: tarball ${(tarball.size / 1e6).toFixed(2)} MB, unpacked ${(tarball.unpackedSize / 1e6).toFixed(2)} MB, ${tarball.files.length} files`,
    );
    if (present) browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) s.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships dist/ and the README only', () => {
    const paths = tarball.files.map((f) => f.path);
    // comlink is bundled in: nothing else to install, and no bare import for a worker or CDN to resolve.
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/ferrite-nn/package.json'), 'utf8'));
    expect(installed.dependencies).toBeUndefined();
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

  /** Serves a folder and returns what its page (main.js, or `file`) reports. */
  async function trainIn<T = PageResult>(outDir: string, file = ''): Promise<T> {
    const { url, server } = await serve(outDir);
    servers.push(server);
    return resultOf<T>(browser!, url + file);
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
          imports: { 'ferrite-nn': '/node_modules/ferrite-nn/dist/index.mjs' },
        })}</script>\n    <script type="module"`,
      );
      writeFileSync(join(project, 'static.html'), html);
      expectTrained(await trainIn(project, 'static.html'));
    },
    120_000,
  );

  it.skipIf(!present)(
    "a page's own module worker imports dist/index.mjs by URL (no import map, no bundler) and trains on threads",
    async () => {
      const r = await trainIn<{ error?: string; backend: string; threads: number; loss: number[] }>(
        project,
        'own-worker.html',
      );
      expect(r.error).toBeUndefined();
      expect(r.backend).toBe('simd-threads-relaxed');
      expect(r.threads).toBeGreaterThanOrEqual(1);
      expect(r.loss).toHaveLength(20);
      expect(r.loss[19]).toBeLessThan(r.loss[0]);
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
