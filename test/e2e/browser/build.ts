// The browser tests load the built package (dist/). This builds it when it is missing or
// older than its sources: the wasm builds (scripts/build-wasm.mjs, incremental) and the
// JavaScript bundles (rollup, ~15 s).

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../..', import.meta.url).pathname;

function newest(dir: string, ext: RegExp): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (ext.test(entry.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function oldest(files: string[]): number {
  return Math.min(...files.map((f) => (existsSync(join(ROOT, f)) ? statSync(join(ROOT, f)).mtimeMs : 0)));
}

function run(what: string, args: string[]): void {
  const start = performance.now();
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`test/e2e/browser: built ${what} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

/** Builds dist/ if any output is missing or older than its sources. */
export function ensureDist(): void {
  const wasm = [
    'dist/ferrite-simd.wasm',
    'dist/ferrite-simd-threads.wasm',
    'dist/ferrite-scalar.wasm',
    'dist/ferrite-simd-relaxed.wasm',
    'dist/ferrite-simd-threads-relaxed.wasm',
  ];
  if (
    oldest(wasm) <
    Math.max(newest(join(ROOT, 'core-rs'), /\.(rs|toml)$/), statSync(join(ROOT, 'scripts/build-wasm.mjs')).mtimeMs)
  ) {
    run('the wasm builds', ['scripts/build-wasm.mjs']);
  }
  const bundles = ['dist/index.mjs', 'dist/worker.mjs'];
  const sources = Math.max(
    newest(join(ROOT, 'ts'), /\.(ts|mjs)$/),
    ...['rollup.config.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map(
      (f) => statSync(join(ROOT, f)).mtimeMs,
    ),
  );
  if (oldest(bundles) < sources)
    run('dist/ with rollup', [join(ROOT, 'node_modules/rollup/dist/bin/rollup'), '-c', '--silent']);
}
