// The engine: one instantiated wasm build, its memory, and typed access to its exports.
//
// Several engines may exist at once (the SIMD and the scalar build, side by side in a
// benchmark or a conformance test); `setBackend` picks the one new tensors live in.
// Tensors remember their engine, and ops refuse to mix engines.

import { CORE_EXPORTS, PARTIAL_EXPORTS, type CoreAbi } from './core-abi.js';
import {
  compileWasm,
  isNode,
  isRelaxedBuild,
  isThreadedBuild,
  readWasmSync,
  WASM_FILES,
  type BuildName,
} from './wasm-files.js';
import { ThreadPool, threadsSupported } from './threads.js';

/** Every core export takes and returns plain numbers (pointers are byte offsets). */
type CoreFn = (...args: number[]) => number;

export class Engine {
  /**
   * The kernels, typed by the Rust signatures (core-abi.ts, generated). Each call is
   * wrapped so that a trap becomes a clear JS error and leaves the engine usable. The
   * thread-pool exports exist in the threaded build only.
   */
  readonly core: CoreAbi;
  readonly memory: WebAssembly.Memory;
  readonly pool: ThreadPool | undefined;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private u8View: Uint8Array;
  private readonly stackPointer: WebAssembly.Global | undefined;
  private readonly stackTop: number;
  /** Live tensors, and the bytes and blocks of memory they hold (a block shared by reshapes counts once), for `memory()`. */
  numTensors = 0;
  numBytes = 0;
  numDataBuffers = 0;
  /** Calls into the core since the engine started (JS→wasm crossings; benches count them per step). */
  kernelCalls = 0;

  constructor(
    readonly name: BuildName,
    module: WebAssembly.Module,
    instance: WebAssembly.Instance,
    memory: WebAssembly.Memory,
  ) {
    const raw = instance.exports as Record<string, unknown>;
    this.memory = memory;
    this.stackPointer = raw.__stack_pointer as WebAssembly.Global | undefined;
    this.stackTop = this.stackPointer ? (this.stackPointer.value as number) : 0;
    const core: Record<string, CoreFn> = {};
    for (const key of Object.keys(CORE_EXPORTS) as (keyof CoreAbi)[]) {
      if (PARTIAL_EXPORTS[key]?.includes(name) === false) continue;
      const value = raw[key];
      if (typeof value !== 'function') {
        throw new Error(
          `ferrite: ${WASM_FILES[name]} does not export ${key}: it was built from another version of core-rs. Rebuild it (npm run build:wasm).`,
        );
      }
      core[key] = this.guard(key, value as CoreFn);
    }
    this.core = core as unknown as CoreAbi;
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
    this.u8View = new Uint8Array(memory.buffer);
    this.pool = isThreadedBuild(name)
      ? new ThreadPool({ module, memory, core: raw as unknown as CoreAbi, alloc: (n) => this.alloc(n) })
      : undefined;
  }

  private guard(name: string, f: CoreFn): CoreFn {
    const engine = this;
    return function guarded() {
      engine.kernelCalls++;
      try {
        return f.apply(null, arguments as unknown as number[]);
      } catch (e) {
        throw engine.recover(name, e);
      }
    };
  }

  /** After a trap: restore the stack pointer, let the workers finish, and describe the failure. */
  private recover(kernel: string, e: unknown): Error {
    if (!(e instanceof WebAssembly.RuntimeError)) return e as Error;
    if (this.stackPointer) this.stackPointer.value = this.stackTop;
    let where = '';
    if (this.pool) {
      const workerMsg = this.pool.workerError();
      this.core.fe_pool_recover();
      if (workerMsg) where = ` on a worker thread (${workerMsg})`;
      new Uint8Array(this.memory.buffer, this.pool.errPtr, 1)[0] = 0;
    }
    return new Error(
      `ferrite: kernel ${kernel} failed${where}: ${e.message}. This is a bug in Ferrite (inputs are checked before kernels run); please report it.`,
    );
  }

  /** Float32 view of all memory; re-created when memory has grown. Index = byteOffset >> 2. */
  get f32(): Float32Array {
    if (this.f32View.byteLength !== this.memory.buffer.byteLength) this.refreshViews();
    return this.f32View;
  }
  get i32(): Int32Array {
    if (this.i32View.byteLength !== this.memory.buffer.byteLength) this.refreshViews();
    return this.i32View;
  }
  get u8(): Uint8Array {
    if (this.u8View.byteLength !== this.memory.buffer.byteLength) this.refreshViews();
    return this.u8View;
  }
  private refreshViews(): void {
    const buf = this.memory.buffer;
    this.f32View = new Float32Array(buf);
    this.i32View = new Int32Array(buf);
    this.u8View = new Uint8Array(buf);
  }

  /** Allocates `bytes` (16-byte aligned) in wasm memory; throws a clear error when full. */
  alloc(bytes: number): number {
    // Sizes past wasm32's 4 GiB would wrap around when passed as a u32.
    const ptr = bytes < 2 ** 32 - 65536 ? this.core.fe_alloc(Math.max(bytes, 4)) : 0;
    if (ptr === 0) {
      const mib = (this.memory.buffer.byteLength / 2 ** 20).toFixed(0);
      throw new Error(
        `ferrite: out of wasm memory allocating ${bytes} bytes (memory is ${mib} MiB of at most ${maxMemoryMiB(this.name)} MiB, ` +
          `${this.numTensors} live tensors hold ${(this.numBytes / 2 ** 20).toFixed(1)} MiB). ` +
          `Dispose tensors you no longer need (tidy, dispose), use smaller batches, or raise the limit with setMaxMemory().`,
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

  /** Threads kernels use now (1 for single-threaded builds). */
  threads(): number {
    return this.pool ? this.pool.active : 1;
  }
}

/**
 * `make(engine)`, computed once per engine and kept while the engine lives: a buffer an
 * op reuses across calls, or a table of the engine's kernels.
 */
export function perEngine<T>(make: (eng: Engine) => T): (eng: Engine) => T {
  const cache = new WeakMap<Engine, T>();
  return (eng) => {
    let value = cache.get(eng);
    if (value === undefined) {
      value = make(eng);
      cache.set(eng, value);
    }
    return value;
  };
}

// A SIMD128 module (i8x16.splat, i8x16.popcnt): validates only where SIMD runs.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export function simdSupported(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

// A relaxed-SIMD module (three f32x4.splat of 0, then f32x4.relaxed_madd): validates only
// where relaxed SIMD runs (Chromium; Node 20 under --experimental-wasm-relaxed-simd).
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 28, 1, 26, 0, 67, 0, 0, 0, 0, 253, 19, 67, 0, 0,
  0, 0, 253, 19, 67, 0, 0, 0, 0, 253, 19, 253, 133, 2, 11,
]);

/**
 * Whether this runtime runs relaxed SIMD (`f32x4.relaxed_madd`), which the relaxed builds
 * need. Chromium does; Node 20 only with `--experimental-wasm-relaxed-simd`.
 *
 * @example
 * ```ts
 * if (fe.relaxedSimdSupported()) await fe.setBackend('simd-threads-relaxed');
 * ```
 */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** Whether this runtime can run a build at all (its instructions, and shared memory for threads). */
export function buildSupported(name: BuildName): boolean {
  if (name === 'scalar') return true;
  if (!simdSupported()) return false;
  if (isRelaxedBuild(name) && !relaxedSimdSupported()) return false;
  return !isThreadedBuild(name) || threadsSupported();
}

const engines = new Map<BuildName, Engine>();
let current: Engine | undefined;
let preferred: BuildName | undefined;
let requestedThreads: number | undefined;
let maxMemoryBytes: number | undefined;

function hardwareConcurrency(): number {
  if (isNode) {
    const os = (process as unknown as { getBuiltinModule(id: string): typeof import('node:os') }).getBuiltinModule(
      'node:os',
    );
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

function maxMemoryMiB(name: BuildName): number {
  return Math.round((isThreadedBuild(name) ? sharedMaxBytes() : 4 * 2 ** 30) / 2 ** 20);
}

function sharedMaxBytes(): number {
  // Shared memory reserves its maximum up front and can never move: 4 GiB (the wasm32
  // limit) in Node, 2 GiB in browsers unless the user says otherwise.
  return maxMemoryBytes ?? (isNode ? 4 * 2 ** 30 : 2 * 2 ** 30);
}

/**
 * Sets the most memory the threaded build may use (its shared memory is created with
 * this maximum). Takes effect for engines created afterwards. Wasm memory never shrinks:
 * what a large tensor took stays with the page, but the allocator's free lists give it to
 * the next tensor of the same size class, so a long-lived page that keeps its sizes stays
 * at its peak; this bounds that peak (allocations beyond it throw a clear error).
 *
 * @example
 * ```ts
 * fe.setMaxMemory(1024); // a threaded engine created after this grows to 1 GiB at most
 * ```
 */
export function setMaxMemory(megabytes: number): void {
  if (!(megabytes >= 64 && megabytes <= 4096))
    throw new Error(`ferrite: setMaxMemory: expected 64..4096 MiB, got ${megabytes}`);
  maxMemoryBytes = Math.floor(megabytes) * 2 ** 20;
}

function instantiate(name: BuildName, module: WebAssembly.Module): Engine {
  let engine: Engine;
  if (isThreadedBuild(name)) {
    const memory = new WebAssembly.Memory({
      initial: 256,
      maximum: Math.floor(sharedMaxBytes() / 65536),
      shared: true,
    });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    engine = new Engine(name, module, instance, memory);
    engine.pool!.setThreads(requestedThreads ?? hardwareConcurrency());
  } else {
    const instance = new WebAssembly.Instance(module, {});
    engine = new Engine(name, module, instance, instance.exports.memory as WebAssembly.Memory);
  }
  engines.set(name, engine);
  return engine;
}

// Best first. Relaxed SIMD before plain: its multiply-adds are fused where the CPU has FMA.
const PREFERENCE: BuildName[] = ['simd-threads-relaxed', 'simd-threads', 'simd-relaxed', 'simd', 'scalar'];

/**
 * The builds to try, best first: the chosen one alone, or every build this runtime can run
 * (threaded where allowed, relaxed SIMD where validated, then SIMD, then scalar). A later
 * one is tried when an earlier one's file is missing (a checkout built before it existed).
 */
function buildsToTry(): BuildName[] {
  if (preferred) return [preferred];
  const supported = PREFERENCE.filter(buildSupported);
  // Scalar only when SIMD cannot run, never as a fallback for a missing SIMD file.
  return supported.length > 1 ? supported.filter((b) => b !== 'scalar') : supported;
}

function checkBuildName(name: string): asserts name is BuildName {
  if (!(name in WASM_FILES)) {
    throw new Error(`ferrite: unknown backend '${name}'; expected one of ${Object.keys(WASM_FILES).join(', ')}`);
  }
}

function loadSync(name: BuildName): Engine {
  return engines.get(name) ?? instantiate(name, new WebAssembly.Module(readWasmSync(name)));
}

async function load(name: BuildName): Promise<Engine> {
  return engines.get(name) ?? instantiate(name, await compileWasm(name));
}

/**
 * The engine new tensors go to. In Node it is created on first use (synchronous
 * compile is allowed there); in browsers call `await ready()` first.
 */
export function engine(): Engine {
  if (current) return current;
  if (!isNode) {
    throw new Error("ferrite: not initialised. Call 'await ferrite.ready()' (or setBackend) before creating tensors.");
  }
  const builds = buildsToTry();
  for (const [i, name] of builds.entries()) {
    try {
      return (current = loadSync(name));
    } catch (e) {
      // A checkout without the threaded or relaxed builds still runs on the next one.
      if (i === builds.length - 1) throw e;
    }
  }
  throw new Error('ferrite: no wasm build can run here');
}

/**
 * Loads the chosen (or best supported) build and starts its threads.
 *
 * @example
 * ```ts
 * await fe.ready(); // in a browser, before the first tensor
 * fe.getBackend(); // 'simd-threads' where the page is cross-origin isolated, else 'simd'
 * ```
 */
export async function ready(): Promise<void> {
  if (!current) {
    const builds = buildsToTry();
    for (const [i, name] of builds.entries()) {
      try {
        current = await load(name);
        break;
      } catch (e) {
        if (i === builds.length - 1) throw e;
      }
    }
  }
  await current!.pool?.whenReady();
}

/**
 * Chooses the build new tensors live in: 'simd-threads', 'simd', 'scalar', or a relaxed
 * variant ('simd-threads-relaxed', 'simd-relaxed'). Returns false if this runtime cannot run it. Tensors made on another build stay valid there,
 * but cannot be mixed with the new build's in one op.
 *
 * @example
 * ```ts
 * await fe.setBackend('scalar'); // true
 * fe.getBackend(); // 'scalar'
 * ```
 */
export async function setBackend(name: BuildName): Promise<boolean> {
  checkBuildName(name);
  if (!buildSupported(name)) return false;
  preferred = name;
  current = await load(name);
  await current.pool?.whenReady();
  return true;
}

/** Synchronous `setBackend` for Node (tests, benchmarks). Threads join in the background. */
export function setBackendSync(name: BuildName): void {
  checkBuildName(name);
  if (!isNode) throw new Error('ferrite: setBackendSync is only available in Node; use await setBackend()');
  if (!buildSupported(name)) {
    const why = isRelaxedBuild(name)
      ? 'it needs relaxed SIMD (Node 20: run with --experimental-wasm-relaxed-simd)'
      : 'this runtime lacks SIMD or shared memory';
    throw new Error(`ferrite: setBackendSync('${name}'): ${why}`);
  }
  preferred = name;
  current = loadSync(name);
}

/**
 * The name of the build in use: 'simd-threads', 'simd', 'scalar', 'simd-threads-relaxed' or 'simd-relaxed'.
 *
 * @example
 * ```ts
 * fe.getBackend(); // 'simd', 'simd-threads', ...
 * ```
 */
export function getBackend(): BuildName {
  return engine().name;
}

/**
 * Sets how many threads kernels use (the calling thread included), at any time between
 * steps. New workers start in the background; `await ready()` waits for them. Only the
 * threaded build has threads; on others the setting is kept for when it is chosen.
 *
 * @example
 * ```ts
 * fe.setThreadsCount(2);
 * await fe.setBackend('simd-threads');
 * fe.getThreadsCount(); // 2
 * ```
 */
export function setThreadsCount(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new Error(`ferrite: setThreadsCount: expected an integer in [1, 64], got ${n}`);
  requestedThreads = n;
  for (const e of engines.values()) e.pool?.setThreads(n);
}

/**
 * Threads the current build's kernels use right now.
 *
 * @example
 * ```ts
 * await fe.setBackend('simd');
 * fe.getThreadsCount(); // 1: only the threaded build has threads
 * ```
 */
export function getThreadsCount(): number {
  return engine().threads();
}

/** Stops the thread pool's workers and forgets every engine (their tensors become invalid). */
export function disposeEngines(): void {
  for (const e of engines.values()) e.pool?.shutdown();
  engines.clear();
  current = undefined;
}
