// The engine: one instantiated wasm build, its memory, and typed access to its exports.
//
// Several engines may exist at once (the SIMD and the scalar build, side by side in a
// benchmark or a conformance test); `setBackend` picks the one new tensors live in.
// Tensors remember their engine, and ops refuse to mix engines.

import { compileWasm, isNode, readWasmSync, type BuildName } from './wasm-files.js';

/** Every core export takes and returns plain numbers (pointers are byte offsets). */
export type CoreFn = (...args: number[]) => number;
export type CoreExports = Record<string, CoreFn> & { memory: WebAssembly.Memory };

export class Engine {
  readonly core: CoreExports;
  readonly memory: WebAssembly.Memory;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private u8View: Uint8Array;
  /** Live tensors and their bytes, for `memory()`. */
  numTensors = 0;
  numBytes = 0;

  constructor(readonly name: BuildName, instance: WebAssembly.Instance) {
    this.core = instance.exports as unknown as CoreExports;
    this.memory = this.core.memory;
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
    this.u8View = new Uint8Array(this.memory.buffer);
  }

  /** Float32 view of all memory; re-created when memory has grown. Index = byteOffset >> 2. */
  get f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer || this.f32View.byteLength === 0) this.refreshViews();
    return this.f32View;
  }
  get i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer || this.i32View.byteLength === 0) this.refreshViews();
    return this.i32View;
  }
  get u8(): Uint8Array {
    if (this.u8View.buffer !== this.memory.buffer || this.u8View.byteLength === 0) this.refreshViews();
    return this.u8View;
  }
  private refreshViews(): void {
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
    this.u8View = new Uint8Array(this.memory.buffer);
  }

  /** Allocates `bytes` (16-byte aligned) in wasm memory; throws a clear error when full. */
  alloc(bytes: number): number {
    const ptr = this.core.fe_alloc(Math.max(bytes, 4));
    if (ptr === 0) {
      const mib = (this.memory.buffer.byteLength / 2 ** 20).toFixed(0);
      throw new Error(
        `ferrite: out of wasm memory allocating ${bytes} bytes (memory is ${mib} MiB, ` +
          `${this.numTensors} live tensors holding ${(this.numBytes / 2 ** 20).toFixed(1)} MiB). ` +
          `Dispose tensors you no longer need (tidy, dispose) or use smaller batches.`,
      );
    }
    return ptr;
  }

  free(ptr: number, bytes: number): void {
    this.core.fe_free(ptr, Math.max(bytes, 4));
  }

  /** Bytes in use by the core's heap (tensors plus kernel scratch). */
  heapBytes(): number {
    return this.core.fe_heap_bytes_in_use();
  }
}

// A SIMD128 module (i8x16.splat, i8x16.popcnt): validates only where SIMD runs.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export function simdSupported(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

const engines = new Map<BuildName, Engine>();
let current: Engine | undefined;
let preferred: BuildName | undefined;

function instantiate(name: BuildName, module: WebAssembly.Module): Engine {
  const instance = new WebAssembly.Instance(module, {});
  const engine = new Engine(name, instance);
  engines.set(name, engine);
  return engine;
}

function defaultBuild(): BuildName {
  return preferred ?? (simdSupported() ? 'simd' : 'scalar');
}

/**
 * The engine new tensors go to. In Node it is created on first use (synchronous
 * compile is allowed there); in browsers call `await ready()` first.
 */
export function engine(): Engine {
  if (current) return current;
  const name = defaultBuild();
  if (!isNode) {
    throw new Error("ferrite: not initialised. Call 'await ferrite.ready()' (or setBackend) before creating tensors.");
  }
  current = engines.get(name) ?? instantiate(name, new WebAssembly.Module(readWasmSync(name)));
  return current;
}

/** Loads the chosen (or best supported) build. Resolves when tensors can be created. */
export async function ready(): Promise<void> {
  if (current) return;
  const name = defaultBuild();
  current = engines.get(name) ?? instantiate(name, await compileWasm(name));
}

/**
 * Chooses the build new tensors live in: 'simd' or 'scalar'. Tensors made on another
 * build stay valid there, but cannot be mixed with the new build's in one op.
 */
export async function setBackend(name: BuildName): Promise<boolean> {
  if (name !== 'simd' && name !== 'scalar') {
    throw new Error(`ferrite: unknown backend '${name}'; expected 'simd' or 'scalar'`);
  }
  if (name === 'simd' && !simdSupported()) return false;
  preferred = name;
  current = engines.get(name) ?? instantiate(name, await compileWasm(name));
  return true;
}

/** Synchronous `setBackend` for Node (tests, benchmarks). */
export function setBackendSync(name: BuildName): void {
  if (!isNode) throw new Error('ferrite: setBackendSync is only available in Node; use await setBackend()');
  preferred = name;
  current = engines.get(name) ?? instantiate(name, new WebAssembly.Module(readWasmSync(name)));
}

/** The name of the build in use: 'simd' or 'scalar'. */
export function getBackend(): BuildName {
  return engine().name;
}
