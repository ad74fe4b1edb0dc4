#!/usr/bin/env node
// npm run lint: everything a change must pass besides the tests.
//   - abi: ts/backend/core-abi.ts is what scripts/gen-abi.mjs makes of core-rs/src now;
//   - tsc: types across ts/, test/, bench/, examples/;
//   - prettier --check: TypeScript/JavaScript formatting (.prettierrc.json, width 120);
//   - cargo fmt --check: Rust formatting (rustfmt.toml), with the rustfmt that matches the
//     toolchain the wasm is built with (Debian's rustfmt-web for rustc-web 1.96);
//   - views: no view of wasm memory used after a call that may grow the memory (scripts/lint-views.mjs).
// Each check runs even when an earlier one failed, so one run lists every problem.
// `node scripts/lint.mjs --fix` (npm run format) rewrites files instead of checking them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function cargoFmt() {
  // Debian's cargo-fmt/rustfmt live in /usr/bin; rustup's proxies (first on PATH) would run
  // a different rustfmt, so prefer /usr/bin when it has one.
  if (existsSync('/usr/bin/cargo-fmt') && existsSync('/usr/bin/rustfmt')) {
    return { cmd: '/usr/bin/cargo-fmt', args: [], env: { PATH: `/usr/bin:${process.env.PATH}` } };
  }
  return { cmd: 'cargo', args: ['fmt'], env: {} };
}

const fix = process.argv.includes('--fix');
const fmt = cargoFmt();
const allChecks = [
  { name: 'abi', cmd: process.execPath, args: [join(root, 'scripts/gen-abi.mjs'), ...(fix ? [] : ['--check'])] },
  { name: 'tsc', cmd: bin('tsc'), args: ['--noEmit', '-p', '.'], check: true },
  { name: 'prettier', cmd: bin('prettier'), args: [fix ? '--write' : '--check', '--log-level', 'warn', '.'] },
  {
    name: 'cargo fmt',
    cmd: fmt.cmd,
    args: [...fmt.args, ...(fix ? [] : ['--check']), '--manifest-path', join(root, 'core-rs/Cargo.toml')],
    env: fmt.env,
    missing: "install Debian's rustfmt-web (scripts/setup.sh does), or rustup's rustfmt component",
  },
  { name: 'views', cmd: process.execPath, args: [join(root, 'scripts/lint-views.mjs')], check: true },
];
// --fix skips the checks that cannot fix anything.
const checks = fix ? allChecks.filter((c) => !c.check) : allChecks;

let failed = 0;
for (const c of checks) {
  const r = spawnSync(c.cmd, c.args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...(c.env ?? {}) } });
  if (r.error) {
    console.error(`lint: ${c.name}: cannot run ${c.cmd} (${r.error.message})${c.missing ? `: ${c.missing}` : ''}`);
    failed++;
  } else if (r.status !== 0) {
    console.error(`lint: ${c.name} failed`);
    failed++;
  }
}
if (failed) process.exit(1);
console.log(`lint: ${checks.map((c) => c.name).join(', ')}: ${fix ? 'formatted' : 'clean'}`);
