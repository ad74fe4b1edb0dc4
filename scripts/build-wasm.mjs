#!/usr/bin/env node
// Builds core-rs into dist/ferrite-{scalar,simd,simd-threads}.wasm and the relaxed-SIMD
// variants (ferrite-simd-relaxed.wasm, ferrite-simd-threads-relaxed.wasm) from one source.
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
const SIMD = ['+simd128'];
const THREADS = ['+atomics', '+bulk-memory', '+mutable-globals'];
// f32x4.relaxed_madd for the SIMD vocabulary's mul_add (core-rs/src/simd.rs). An extra
// variant, never the only SIMD build: the TS side picks it when the runtime validates it.
const RELAXED = ['+relaxed-simd'];

export const VARIANTS = {
  scalar: { file: 'ferrite-scalar.wasm', features: [], link: COMMON_LINK },
  simd: { file: 'ferrite-simd.wasm', features: SIMD, link: COMMON_LINK },
  'simd-threads': {
    file: 'ferrite-simd-threads.wasm',
    features: [...SIMD, ...THREADS],
    link: [...COMMON_LINK, ...THREADS_LINK],
  },
  'simd-relaxed': { file: 'ferrite-simd-relaxed.wasm', features: [...SIMD, ...RELAXED], link: COMMON_LINK },
  'simd-threads-relaxed': {
    file: 'ferrite-simd-threads-relaxed.wasm',
    features: [...SIMD, ...RELAXED, ...THREADS],
    link: [...COMMON_LINK, ...THREADS_LINK],
  },
};

// wasm-opt (npm `binaryen`, a devDependency) can run on cargo's output: OPT_LEVEL was chosen
// by measurement (see the README's build section). It is told the features each variant
// uses (LLVM's wasm32 defaults, plus SIMD, relaxed SIMD and threads) explicitly: without
// them it rejects the SIMD and atomic instructions.
//
// The decision (bench/wasm-opt.ts, simd-threads build, 2026-12-02, machine at load 15-33):
//   level  wasm-opt time  bytes (cargo: 1,361,081)  speed vs cargo's output
//   -O1        29 s       1,055,308 (-22.5 %)       within noise
//   -O2        76 s       1,054,104 (-22.6 %)       0.82-1.04x (noise: +-20 % that day)
//   -O3       221 s       1,078,248 (-20.8 %)       0.79-1.09x that day; +2-6 % on GEMM and
//                                                   conv, measured earlier on a quieter machine
//   -Os       114 s       1,049,552 (-22.9 %)       within noise
// So: off (OPT_LEVEL 'none') for `npm run build`, `npm test` and CI, where 5 variants x
// 1-4 minutes would be paid on every core-rs change for a speed gain too small to see;
// -O3 for the published package (`npm run build:release`, run by prepublishOnly): the
// one level with a measured speed gain, a fifth less to download, and build time does
// not matter once per release.
const OPT_LEVEL = 'none';
/** The level of `npm run build:release` (`--release`), the published package's. */
export const RELEASE_OPT_LEVEL = '-O3';
const LLVM_DEFAULT_FEATURES = [
  '--enable-bulk-memory',
  '--enable-mutable-globals',
  '--enable-nontrapping-float-to-int',
  '--enable-sign-ext',
  '--enable-reference-types',
  '--enable-multivalue',
];

function wasmOptFeatures(features) {
  return [
    ...LLVM_DEFAULT_FEATURES,
    ...(features.includes('+simd128') ? ['--enable-simd'] : []),
    ...(features.includes('+relaxed-simd') ? ['--enable-relaxed-simd'] : []),
    ...(features.includes('+atomics') ? ['--enable-threads'] : []),
  ];
}

/**
 * cargo's output for a variant, through wasm-opt at `level` (or as it is for 'none', or
 * when binaryen is not installed). Skipped when the optimised file is newer than cargo's
 * output: a rebuild with nothing changed stays well under a second.
 */
function optimised(variant, input, level, quiet) {
  const wasmOpt = join(root, 'node_modules/binaryen/bin/wasm-opt');
  if (level === 'none') return input;
  if (!existsSync(wasmOpt)) {
    if (!quiet) console.warn('ferrite: binaryen is not installed (npm i); the wasm is not run through wasm-opt');
    return input;
  }
  const out = join(dirname(input), `ferrite_core${level}.wasm`);
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(input).mtimeMs) return out;
  const args = [wasmOpt, level, ...wasmOptFeatures(VARIANTS[variant].features), input, '-o', out];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`ferrite: wasm-opt failed on the ${variant} variant`);
    process.exit(r.status ?? 1);
  }
  return out;
}

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

export function buildWasm({ variants = Object.keys(VARIANTS), quiet = false, opt = OPT_LEVEL } = {}) {
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
    const built = join(root, 'target', `wasm-${v}`, TARGET, 'release', 'ferrite_core.wasm');
    copyFileSync(optimised(v, built, opt, quiet), join(outDir, file));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv.slice(2).filter((a) => a in VARIANTS);
  // --opt=-O4 / --opt=none: another wasm-opt level, or none (to measure against).
  // --release: the published package's level (RELEASE_OPT_LEVEL).
  const opt = process.argv.includes('--release')
    ? RELEASE_OPT_LEVEL
    : process.argv.find((a) => a.startsWith('--opt='))?.slice('--opt='.length);
  buildWasm({ variants: only.length ? only : undefined, opt });
}
