// The thread pool of the threaded build: one wasm instance per worker over one shared
// memory. Workers sleep inside wasm (`fe_worker_loop`, an atomic wait) and run their
// share of each job the calling thread publishes from inside a kernel, so no JS and
// no message runs per kernel. JS only starts workers, reports traps, and stops them.

import type { CoreAbi } from './core-abi.js';
import { isNode } from './wasm-files.js';

/** The worker's whole program. Kept as source so it needs no separate file or bundler step. */
const WORKER_SOURCE = String.raw`
'use strict';
function start(data, post) {
  const { module, memory, index, stackTop, errPtr, errBytes } = data;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const ex = instance.exports;
  // Each instance starts with the same __stack_pointer: give this thread its own stack.
  ex.__stack_pointer.value = stackTop;
  // Read the job sequence before saying 'ready': a job published after the caller
  // hears 'ready' then has a higher number, so this worker cannot miss it.
  let seen = ex.fe_pool_seq();
  post({ type: 'ready', index });
  for (;;) {
    try {
      ex.fe_worker_loop(index, seen);
      break; // the pool shut down
    } catch (e) {
      ex.__stack_pointer.value = stackTop;
      const msg = new TextEncoder().encode(String(e && e.message || e).slice(0, 200));
      const u8 = new Uint8Array(memory.buffer, errPtr, errBytes);
      u8.fill(0);
      u8.set(msg.subarray(0, errBytes - 1));
      seen = ex.fe_worker_trapped(index);
    }
  }
  post({ type: 'exit', index });
}
if (typeof process !== 'undefined' && process.versions && process.versions.node) {
  // A dynamic import works whether Node evaluates this source as CommonJS or as an ES
  // module (it inherits --input-type from the parent).
  import('node:worker_threads').then(({ parentPort }) => {
    parentPort.once('message', (data) => { start(data, (m) => parentPort.postMessage(m)); parentPort.close(); });
  });
} else {
  self.onmessage = (e) => { self.onmessage = null; start(e.data, (m) => self.postMessage(m)); self.close(); };
}
`;

interface PoolWorker {
  postMessage(msg: unknown): void;
  terminate(): unknown;
}

export interface PoolInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The exports the pool drives (the instance's own, without the engine's trap guard). */
  core: Pick<CoreAbi, 'fe_set_threads' | 'fe_pool_shutdown'>;
  alloc(bytes: number): number;
}

const STACK_BYTES = 1 << 20;
const ERR_BYTES = 256;

/** Workers of one threaded engine. Thread 0 is the caller; workers are 1..n-1. */
export class ThreadPool {
  private workers: (PoolWorker | undefined)[] = [undefined];
  private ready: boolean[] = [true];
  private wanted = 1;
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;
  readonly errPtr: number;

  constructor(private readonly init: PoolInit) {
    this.errPtr = init.alloc(ERR_BYTES);
  }

  /** Threads requested (caller included). */
  get requested(): number {
    return this.wanted;
  }

  /** Threads kernels use right now: the caller plus the leading run of ready workers. */
  get active(): number {
    let k = 1;
    while (k < this.wanted && this.ready[k]) k++;
    return k;
  }

  /** Asks for `n` threads; workers start in the background and join when ready. */
  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new Error(`ferrite: setThreadsCount: expected an integer in [1, 64], got ${n}`);
    this.wanted = n;
    for (let i = this.workers.length; i < n; i++) this.spawn(i);
    this.apply();
  }

  /** Resolves when every requested worker is running (or rejects if one failed to start). */
  whenReady(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.active === this.wanted) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push(() => (this.failure ? reject(this.failure) : resolve()));
    });
  }

  /** The message a worker left when its share of the last job trapped. */
  workerError(): string {
    const u8 = new Uint8Array(this.init.memory.buffer, this.errPtr, ERR_BYTES);
    const end = u8.indexOf(0);
    return new TextDecoder().decode(u8.slice(0, end < 0 ? ERR_BYTES : end));
  }

  private apply(): void {
    this.init.core.fe_set_threads(this.active);
    if (this.active === this.wanted) {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  private onMessage(msg: { type: string; index: number }): void {
    if (msg.type === 'ready') {
      this.ready[msg.index] = true;
      this.apply();
    }
  }

  private onError(index: number, err: unknown): void {
    this.failure = new Error(`ferrite: thread-pool worker ${index} failed: ${(err as Error)?.message ?? String(err)}`);
    // Never count on a dead worker: shrink to the threads that still run.
    this.ready[index] = false;
    this.wanted = Math.min(this.wanted, index);
    this.init.core.fe_set_threads(this.active);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private spawn(index: number): void {
    const stackBase = this.init.alloc(STACK_BYTES);
    const data = {
      module: this.init.module,
      memory: this.init.memory,
      index,
      stackTop: (stackBase + STACK_BYTES) & ~15,
      errPtr: this.errPtr,
      errBytes: ERR_BYTES,
    };
    this.ready[index] = false;
    let worker: PoolWorker;
    if (isNode) {
      const wt = (
        process as unknown as { getBuiltinModule(id: string): typeof import('node:worker_threads') }
      ).getBuiltinModule('node:worker_threads');
      const w = new wt.Worker(WORKER_SOURCE, { eval: true, name: `ferrite-${index}` });
      w.on('message', (m) => {
        // Once running, a worker sleeps inside wasm and must not keep a finished Node
        // process alive; until then it stays referenced so that `await ready()` holds
        // the process open. (unref after adding listeners: a 'message' listener refs
        // the worker's port again.)
        if (m.type === 'ready') w.unref();
        this.onMessage(m);
      });
      w.on('error', (e) => {
        w.unref();
        this.onError(index, e);
      });
      worker = w;
    } else {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
      const w = new Worker(url, { name: `ferrite-${index}` });
      URL.revokeObjectURL(url);
      w.onmessage = (e) => this.onMessage(e.data);
      w.onerror = (e) => this.onError(index, e.message ?? e);
      worker = w;
    }
    worker.postMessage(data);
    this.workers[index] = worker;
  }

  /** Stops every worker (they leave their wasm loop and exit). */
  shutdown(): void {
    this.init.core.fe_pool_shutdown(2000);
    for (const w of this.workers) void w?.terminate();
    this.workers = [undefined];
    this.ready = [true];
    this.wanted = 1;
  }
}

/** Whether this runtime can run the threaded build here. */
export function threadsSupported(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  if (isNode) return true;
  // Browsers: shared memory needs cross-origin isolation, and the caller must be a
  // worker, since Atomics.wait is not allowed on a page's main thread.
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown; WorkerGlobalScope?: unknown };
  return g.crossOriginIsolated === true && g.document === undefined && g.WorkerGlobalScope !== undefined;
}
