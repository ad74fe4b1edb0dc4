#!/usr/bin/env node
// Builds core-rs into dist/ferrite-{scalar,simd}.wasm from one source.
//
// No crates.io, no wasm-pack: it finds a Rust toolchain that can target
// wasm32-unknown-unknown and drives cargo directly. In order of preference:
//   1. Debian's rustc-web (>= 1.80) with rust-web-src: builds core/alloc from source
//      (-Z build-std), the route the project is developed on;
//   2. a rustup nightly with the rust-src component (same build-std route);
//   3. any rustc that already has the wasm32-unknown-unknown target installed.
// When none is found it prints exactly what to install. Cargo's own fingerprinting
// makes a rebuild with nothing changed take well under a second.
//
// First it regenerates ts/backend/core-abi.ts (scripts/gen-abi.mjs), the TypeScript
// view of the exports, so that the TS side always matches the Rust it runs against.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const TARGET = 'wasm32-unknown-unknown';

// Every build exports __stack_pointer so that the TS side can reset it after a trap;
// the threaded build also sets it per instance (each thread has its own stack).
const COMMON_LINK = ['--export=__stack_pointer'];
// Shared memory is imported from JS (one Memory for all threads); its declared maximum
// is the wasm32 limit, and the JS side picks the real maximum at instantiation.
const THREADS_LINK = ['--shared-memory', '--import-memory', '--max-memory=4294967296'];

/** LLVM options for every variant (see buildWasm). */
const LLVM_ARGS = ['-disable-lsr'];

export const VARIANTS = {
  scalar: { file: 'ferrite-scalar.wasm', features: [], link: COMMON_LINK },
  simd: { file: 'ferrite-simd.wasm', features: ['+simd128'], link: COMMON_LINK },
  'simd-threads': {
    file: 'ferrite-simd-threads.wasm',
    features: ['+simd128', '+atomics', '+bulk-memory', '+mutable-globals'],
    link: [...COMMON_LINK, ...THREADS_LINK],
  },
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return r.status === 0 ? r.stdout.trim() : null;
}

function rustcVersion(rustc, extra = []) {
  const out = run(rustc, [...extra, '--version']);
  const m = out && out.match(/rustc (\d+)\.(\d+)/);
  return m ? { major: +m[1], minor: +m[2], text: out } : null;
}

function findToolchain() {
  // 1. Debian rustc-web: /usr/bin/rustc with the library source in /usr/lib/rustlib/src.
  const debSrc = '/usr/lib/rustlib/src/rust/library';
  const deb = existsSync('/usr/bin/rustc') && rustcVersion('/usr/bin/rustc');
  if (deb && deb.minor >= 80 && existsSync(join(debSrc, 'core')) && existsSync('/usr/bin/cargo')) {
    const linker = ['wasm-ld-22', 'wasm-ld-21', 'wasm-ld-20', 'wasm-ld-19', 'rust-lld', 'wasm-ld'].find((l) =>
      run('sh', ['-c', `command -v ${l}`]),
    );
    return {
      name: `Debian ${deb.text} (build-std from ${debSrc})`,
      cargo: '/usr/bin/cargo',
      env: { RUSTC: '/usr/bin/rustc', RUSTC_BOOTSTRAP: '1' },
      buildStd: true,
      configs: [
        'source.crates-io.replace-with="rust-vendor"',
        `source.rust-vendor.directory="${debSrc}/vendor"`,
        ...(linker ? [`target.${TARGET}.linker="${linker}"`] : []),
      ],
    };
  }
  // 2. rustup nightly with rust-src.
  const nightly = rustcVersion('rustc', ['+nightly']);
  if (nightly) {
    const sysroot = run('rustc', ['+nightly', '--print', 'sysroot']);
    if (sysroot && existsSync(join(sysroot, 'lib/rustlib/src/rust/library/core'))) {
      return {
        name: `rustup ${nightly.text}`,
        cargo: 'cargo',
        args0: ['+nightly'],
        env: {},
        buildStd: true,
        configs: [],
      };
    }
  }
  // 3. any rustc with the wasm32 target installed.
  const plain = rustcVersion('rustc');
  if (plain) {
    const libdir = run('rustc', ['--print', 'target-libdir', '--target', TARGET]);
    if (
      libdir &&
      existsSync(libdir) &&
      statSync(libdir).isDirectory() &&
      run('sh', ['-c', `ls ${libdir} | grep -q libcore`]) !== null
    ) {
      return { name: `${plain.text} with its ${TARGET} target`, cargo: 'cargo', env: {}, buildStd: false, configs: [] };
    }
  }
  return null;
}

function explainMissing() {
  console.error(`
ferrite: no Rust toolchain that can build wasm32 was found.

On Debian 12 (recommended; as root):
  apt-get update && apt-get install -y --no-install-recommends rustc-web cargo-web rust-web-src lld-22
With rustup (where its downloads are reachable):
  rustup target add ${TARGET}        # or: rustup toolchain install nightly --component rust-src
Then run this build again (npm run build:wasm).`);
  process.exit(1);
}

export function buildWasm({ variants = Object.keys(VARIANTS), quiet = false } = {}) {
  const abi = spawnSync(process.execPath, [join(root, 'scripts/gen-abi.mjs')], { stdio: 'inherit' });
  if (abi.status !== 0) process.exit(abi.status ?? 1);
  const tc = findToolchain();
  if (!tc) explainMissing();
  if (!quiet) console.log(`ferrite: building wasm with ${tc.name}`);
  mkdirSync(outDir, { recursive: true });
  for (const v of variants) {
    const { file, features, link } = VARIANTS[v];
    const flags = [
      ...(features.length ? [`-Ctarget-feature=${features.join(',')}`] : []),
      // LLVM's loop strength reduction turns the GEMM kernels' pointer walks into plain i32
      // adds that no longer prove they cannot wrap, so constant offsets stay separate
      // i32.add instructions instead of folding into the loads' offset immediates; V8 then
      // spends an extra instruction per load, and the GEMM micro-kernel became front-end
      // bound. Emscripten disables it for wasm too (emscripten-core/emscripten#7386).
      ...LLVM_ARGS.map((a) => `-Cllvm-args=${a}`),
      ...link.map((l) => `-Clink-arg=${l}`),
    ];
    const args = [
      ...(tc.args0 ?? []),
      'build',
      '--release',
      '--target',
      TARGET,
      '--manifest-path',
      join(root, 'core-rs/Cargo.toml'),
      '--target-dir',
      join(root, 'target', `wasm-${v}`),
      ...(tc.buildStd ? ['-Z', 'build-std=core,alloc'] : []),
      ...tc.configs.flatMap((c) => ['--config', c]),
    ];
    if (quiet) args.push('--quiet');
    const r = spawnSync(tc.cargo, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...tc.env, RUSTFLAGS: flags.join(' '), CARGO_TERM_COLOR: 'never' },
    });
    if (r.status !== 0) {
      console.error(`ferrite: cargo failed building the ${v} variant`);
      process.exit(r.status ?? 1);
    }
    copyFileSync(join(root, 'target', `wasm-${v}`, TARGET, 'release', 'ferrite_core.wasm'), join(outDir, file));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv.slice(2).filter((a) => a in VARIANTS);
  buildWasm({ variants: only.length ? only : undefined });
}
