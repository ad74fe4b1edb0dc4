// The wasm ABI: ts/backend/core-abi.ts (generated from core-rs/src by scripts/gen-abi.mjs)
// is up to date, and agrees with what each of the three builds really exports.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryOp, CORE_EXPORTS, PARTIAL_EXPORTS, ReduceOp, type CoreAbi } from '../../ts/backend/core-abi.js';
import { buildSupported } from '../../ts/backend/engine.js';
import { isThreadedBuild, readWasmSync, WASM_FILES, type BuildName } from '../../ts/backend/wasm-files.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function genAbi(dir: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(dir, 'scripts/gen-abi.mjs'), ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** A build's exported functions, instantiated as the engine does. */
function buildExports(build: BuildName): Record<string, unknown> {
  const module = new WebAssembly.Module(readWasmSync(build));
  const imports: WebAssembly.Imports = isThreadedBuild(build)
    ? { env: { memory: new WebAssembly.Memory({ initial: 256, maximum: 1024, shared: true }) } }
    : {};
  return new WebAssembly.Instance(module, imports).exports as Record<string, unknown>;
}

describe('core ABI', () => {
  it('the committed core-abi.ts is what the generator makes of core-rs/src', () => {
    const { status, out } = genAbi(root, '--check');
    expect(out).toBe('');
    expect(status).toBe(0);
  });

  // The relaxed builds compile only where the runtime has relaxed SIMD (vitest passes the flag).
  for (const build of (Object.keys(WASM_FILES) as BuildName[]).filter(buildSupported)) {
    it(`${build}: exports every generated function it should, with its parameter count, and no other fe_ function`, () => {
      const exports = buildExports(build);
      const names = Object.keys(CORE_EXPORTS) as (keyof CoreAbi)[];
      const expected = names.filter((n) => PARTIAL_EXPORTS[n]?.includes(build) ?? true);
      for (const name of expected) {
        const f = exports[name];
        expect(typeof f, name).toBe('function');
        expect((f as (...a: number[]) => number).length, name).toBe(CORE_EXPORTS[name]);
      }
      const actual = Object.keys(exports).filter((n) => n.startsWith('fe_'));
      expect(actual.sort()).toEqual([...expected].sort());
    });
  }

  it('has every export in every build (the thread-pool exports are no-ops without threads)', () => {
    // exports.rs defines the pool's exports in every build, so no export is partial today;
    // the generator still handles cfg-gated exports (tested on a copy of the tree below).
    expect(PARTIAL_EXPORTS).toEqual({});
    expect(CORE_EXPORTS.fe_worker_loop).toBe(2);
  });

  it('carries the op codes of the Rust constants', () => {
    expect(BinaryOp.SQUARED_DIFFERENCE).toBe(7);
    expect(ReduceOp.MIN).toBe(2);
  });
});

describe('gen-abi', () => {
  // A copy of the generator, the Rust source and the generated file, to change freely.
  const dir = mkdtempSync(join(tmpdir(), 'ferrite-abi-'));
  const abiFile = join(dir, 'ts/backend/core-abi.ts');
  const src = (file: string) => join(dir, 'core-rs/src', file);
  beforeAll(() => {
    for (const sub of ['scripts', 'ts/backend']) mkdirSync(join(dir, sub), { recursive: true });
    for (const script of ['gen-abi.mjs', 'build-wasm.mjs'])
      cpSync(join(root, 'scripts', script), join(dir, 'scripts', script));
    cpSync(join(root, 'core-rs/src'), join(dir, 'core-rs/src'), { recursive: true });
    cpSync(join(root, 'ts/backend/core-abi.ts'), abiFile);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--check fails on a stale file, naming it and the fix; a run brings it up to date', () => {
    const reduce = src('reduce.rs');
    writeFileSync(reduce, readFileSync(reduce, 'utf8').replace('pub const MIN: u32 = 2;', 'pub const MIN: u32 = 3;'));
    const stale = genAbi(dir, '--check');
    expect(stale.status).toBe(1);
    expect(stale.out).toContain('ts/backend/core-abi.ts is out of date');
    expect(stale.out).toContain("Run 'node scripts/gen-abi.mjs'");
    expect(genAbi(dir).status).toBe(0);
    expect(readFileSync(abiFile, 'utf8')).toContain('  MIN: 3,');
    expect(genAbi(dir, '--check').status).toBe(0);
  });

  it('reads multi-line signatures, #[unsafe(no_mangle)], return types, ABI enum runs and cfg-gated modules', () => {
    writeFileSync(src('lib.rs'), readFileSync(src('lib.rs'), 'utf8') + '\nmod zz_fixture;\n');
    writeFileSync(
      src('zz_fixture.rs'),
      [
        '/// Picks a mode.',
        '/// ABI enum: FixtureMode',
        'pub const FAST: u32 = 0;',
        '/// The careful one.',
        'pub const CAREFUL: u32 = 1;',
        '',
        'pub const NOT_IN_ENUM: u32 = 9;',
        'const BRACES: &str = "}}"; // {',
        '',
        '/// Scales x (n) into y (n).',
        '#[unsafe(no_mangle)]',
        'pub unsafe extern "C" fn fe_fixture_scale(',
        '    x: *const f32,',
        '    y: *mut f32,',
        '    n: usize,',
        '    var: f32,',
        ') -> i32 {',
        '    0',
        '}',
        '',
        '#[cfg(target_feature = "atomics")]',
        'mod threaded {',
        '    #[no_mangle]',
        '    pub extern "C" fn fe_fixture_threaded() {}',
        '}',
        '',
        '#[no_mangle]',
        'pub extern "C" fn fe_fixture_everywhere() {}',
        '',
        '#[cfg(not(target_feature = "simd128"))]',
        'mod scalar_only;',
      ].join('\n'),
    );
    mkdirSync(src('zz_fixture'));
    writeFileSync(src('zz_fixture/scalar_only.rs'), '#[no_mangle]\npub extern "C" fn fe_fixture_scalar() {}\n');
    expect(genAbi(dir).status).toBe(0);
    const text = readFileSync(abiFile, 'utf8');
    expect(text).toContain(
      '  fe_fixture_scale(x: number /* *const f32 */, y: number /* *mut f32 */, n: number /* usize */, var_: number /* f32 */): number /* i32 */;',
    );
    expect(text).toContain('  fe_fixture_scale: 4,');
    expect(text).toContain(
      'export const FixtureMode = {\n  FAST: 0,\n  /** The careful one. */\n  CAREFUL: 1,\n} as const;',
    );
    expect(text).not.toContain('NOT_IN_ENUM');
    expect(text).toContain("  fe_fixture_threaded: ['simd-threads', 'simd-threads-relaxed'],");
    expect(text).toContain("  fe_fixture_scalar: ['scalar'],");
    expect(text).toContain('  fe_fixture_everywhere: 0,');
    expect(text).not.toContain('  fe_fixture_everywhere: [');
  });

  it('rejects an export it cannot type, naming the file and line', () => {
    writeFileSync(src('zz_fixture.rs'), '#[no_mangle]\npub extern "C" fn fe_fixture_wide(x: u64) {}\n');
    const r = genAbi(dir);
    expect(r.status).toBe(1);
    expect(r.out).toContain("core-rs/src/zz_fixture.rs:2: cannot map parameter 'x: u64' to a wasm number");
  });
});
