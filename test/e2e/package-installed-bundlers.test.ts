// The installed package under the bundlers users reach for besides Vite's build and
// esbuild (package-installed.test.ts): Vite's dev server, webpack 5 and Parcel 2, each with
// no configuration. One project holds webpack and Parcel, installed from the npm registry
// on the first run and kept (in the OS temp folder, named by their versions) for the next
// runs; each run installs the freshly packed ferrite-nn tarball into it, builds the page in
// package-installed/ with each bundler and trains in Chromium on the page's thread and in
// the threaded background worker. Vite comes from this repo's devDependencies.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ensureDist } from './browser/build.js';
import {
  CHROMIUM,
  ISOLATION,
  expectTrained,
  installInto,
  launchChromium,
  npm,
  packInto,
  resultOf,
  serve,
} from './package-installed/harness.js';

const present = existsSync(CHROMIUM);
if (!present) console.warn(`test/e2e/package-installed-bundlers.test.ts: SKIPPED: no ${CHROMIUM}`);

/** The bundlers' exact versions (the project's name carries them, so a change installs afresh). */
const BUNDLERS = { webpack: '5.112.2', 'webpack-cli': '7.3.1', parcel: '2.16.4' };
const PROJECT = join(
  tmpdir(),
  `ferrite-bundlers-${Object.entries(BUNDLERS)
    .map(([n, v]) => `${n}${v}`)
    .join('-')}`,
);

/** The kept project with webpack and Parcel: installed from the registry once (about a minute). */
function bundlerProject(): string {
  const ready = join(PROJECT, 'node_modules', '.ferrite-bundlers-ready');
  if (existsSync(ready)) return PROJECT;
  rmSync(PROJECT, { recursive: true, force: true });
  mkdirSync(PROJECT, { recursive: true });
  writeFileSync(join(PROJECT, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const started = performance.now();
  npm(
    PROJECT,
    ['install', '--no-audit', '--no-fund', ...Object.entries(BUNDLERS).map(([n, v]) => `${n}@${v}`)],
    600_000,
  );
  writeFileSync(ready, '');
  console.log(
    `test/e2e/package-installed-bundlers: installed ${Object.keys(BUNDLERS).join(', ')} in ${((performance.now() - started) / 1000).toFixed(0)} s (kept in ${PROJECT})`,
  );
  return PROJECT;
}

/** Runs a bundler's command-line tool from the project; returns what it printed (stdout and stderr). */
function bundle(project: string, bin: string, args: string[]): string {
  try {
    return execFileSync(join(project, 'node_modules', '.bin', bin), args, {
      cwd: project,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${bin} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

describe.skipIf(!present)('the installed package with webpack 5, Parcel 2 and the Vite dev server', () => {
  let dir: string;
  let project: string;
  let browser: Browser;
  const servers: Server[] = [];

  beforeAll(async () => {
    ensureDist();
    project = bundlerProject();
    dir = await mkdtemp(join(tmpdir(), 'ferrite-installed-bundlers-'));
    const tarball = packInto(dir);
    installInto(project, join(dir, tarball.filename));
    for (const out of ['out-webpack', 'out-parcel', '.parcel-cache', 'node_modules/.vite'])
      rmSync(join(project, out), { recursive: true, force: true });
    browser = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) s.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function trainIn(outDir: string) {
    const { url, server } = await serve(outDir);
    servers.push(server);
    return resultOf(browser, url);
  }

  it('a webpack 5 build (no configuration) trains on the page and in the threaded worker', async () => {
    const out = join(project, 'out-webpack');
    const log = bundle(project, 'webpack', ['--mode', 'production', '--entry', './main.js', '--output-path', out]);
    // Only the size advice: no warning about the package's code.
    expect(log).not.toMatch(/Critical dependency|Module not found|ERROR/);
    copyFileSync(join(project, 'index.html'), join(out, 'index.html'));
    const files = readdirSync(out);
    expect(files.filter((f) => f.endsWith('.wasm'))).toHaveLength(5);
    expectTrained(await trainIn(out));
  }, 300_000);

  it('a Parcel 2 build (no configuration) trains on the page and in the threaded worker', async () => {
    const out = join(project, 'out-parcel');
    const log = bundle(project, 'parcel', ['build', 'index.html', '--dist-dir', out, '--no-source-maps']);
    // Parcel installs browser polyfills into the project when it sees Node's globals: none.
    expect(log).not.toMatch(/Installing/);
    expect(readdirSync(out).filter((f) => f.endsWith('.wasm'))).toHaveLength(5);
    expectTrained(await trainIn(out));
  }, 300_000);

  it("Vite's dev server (no configuration) serves a page that trains on the page and in the threaded worker", async () => {
    const { createServer } = await import('vite');
    const server = await createServer({
      root: project,
      configFile: false,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, headers: ISOLATION },
    });
    await server.listen();
    try {
      const url = server.resolvedUrls!.local[0];
      expectTrained(await resultOf(browser, url));
    } finally {
      await server.close();
    }
  }, 300_000);
});
