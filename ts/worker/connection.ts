// The caller's side of the link to a training worker: starts it (worker_threads in Node,
// a module Worker in browsers), wraps it with comlink, and keeps track of every call in
// flight. comlink alone never settles a call whose worker failed to load, crashed or
// exited; here the worker's 'error', 'exit' and 'messageerror' events reject every
// pending call with a message that says what happened, and later calls fail at once.

import * as Comlink from 'comlink';
// A plain function (no Node import): imported statically, so the package has no dynamic import of it.
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { isNode } from '../backend/wasm-files.js';
import type { WorkerApi } from './protocol.js';

/**
 * Node's worker_threads `ResourceLimits`, spelled out so that the package's types need no
 * `@types/node` in a browser project.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * const trainer = await fe.worker.create(m, { resourceLimits: { maxOldGenerationSizeMb: 256 } }); // Node only
 * trainer.terminate();
 * ```
 */
export interface ResourceLimits {
  /** Node: the worker's young-generation heap limit in MB. */
  maxYoungGenerationSizeMb?: number;
  /** Node: the worker's old-generation heap limit in MB. */
  maxOldGenerationSizeMb?: number;
  /** Node: the worker's code range size in MB. */
  codeRangeSizeMb?: number;
  /** Node: the worker's stack size in MB. */
  stackSizeMb?: number;
}

export interface SpawnOptions {
  /** URL (or, in Node, path) of the worker script; default: dist/worker.mjs beside the package. */
  workerUrl?: string | URL;
  /** Node only: the worker's JS heap and stack limits (worker_threads' resourceLimits). */
  resourceLimits?: ResourceLimits;
}

type NodeWorker = import('node:worker_threads').Worker;

function nodeBuiltin<T>(id: string): T {
  return (process as unknown as { getBuiltinModule(id: string): T }).getBuiltinModule(id);
}

const DEV_ENTRY = './entry-dev.mjs';

/** The worker script: dist/worker.mjs beside the built package, or entry-dev.mjs in the source tree (entry.ts through tsx). */
export function defaultWorkerUrl(): URL {
  const built = new URL('./worker.mjs', import.meta.url);
  if (!isNode || built.protocol !== 'file:') return built;
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  const { fileURLToPath } = nodeBuiltin<typeof import('node:url')>('node:url');
  // Not a literal `new URL('./…', import.meta.url)`: bundlers would look for this file.
  const source = new URL(/* webpackIgnore: true */ DEV_ENTRY, import.meta.url);
  for (const url of [built, source]) if (fs.existsSync(fileURLToPath(url))) return url;
  throw new Error(
    `ferrite: worker.create: cannot find the worker script ${fileURLToPath(built)}; build the package ('npm run build') or pass {workerUrl}`,
  );
}

/** A URL from a URL, a URL string (relative to the page in browsers) or, in Node, a file path. */
export function toUrl(u: string | URL): URL {
  if (u instanceof URL) return u;
  if (isNode && !/^[a-z][a-z0-9+.-]*:/i.test(u)) {
    const { pathToFileURL } = nodeBuiltin<typeof import('node:url')>('node:url');
    const { resolve } = nodeBuiltin<typeof import('node:path')>('node:path');
    return pathToFileURL(resolve(u));
  }
  return new URL(u, (globalThis as { location?: { href: string } }).location?.href);
}

export class WorkerConnection {
  // A private field: JSON.stringify and util.inspect never reach the comlink proxy (they
  // would forward toJSON / inspection calls to the worker).
  readonly #api: Comlink.Remote<WorkerApi>;
  private failure: Error | null = null;
  private readonly pending = new Set<{ what: string; reject: (e: Error) => void }>();
  private readonly cleanups = new Set<() => void>();

  /**
   * Use `spawnWorker`. `stopWorker` terminates the worker; `keepAlive(true)` while calls
   * are in flight holds a Node process open for their answers (an idle trainer does not).
   */
  constructor(
    readonly url: URL,
    endpoint: Comlink.Endpoint,
    private readonly stopWorker: () => void,
    private readonly keepAlive: (busy: boolean) => void = () => {},
  ) {
    this.#api = Comlink.wrap<WorkerApi>(endpoint);
  }

  get api(): Comlink.Remote<WorkerApi> {
    return this.#api;
  }

  private track(entry: { what: string; reject: (e: Error) => void }): void {
    this.pending.add(entry);
    if (this.pending.size === 1) this.keepAlive(true);
  }

  private untrack(entry: { what: string; reject: (e: Error) => void }): void {
    if (this.pending.delete(entry) && this.pending.size === 0) this.keepAlive(false);
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /**
   * Runs `f` (a call on the worker's API), settling with it, or rejecting as soon as the
   * worker fails. `what` names the call in errors ('trainer.fit()').
   */
  call<T>(what: string, f: (api: Comlink.Remote<WorkerApi>) => Promise<T>): Promise<T> {
    if (this.failure !== null)
      return Promise.reject(new Error(`${this.failure.message}; ${what} cannot run (create a new trainer)`));
    return new Promise<T>((resolve, reject) => {
      const entry = { what, reject };
      this.track(entry);
      let p: Promise<T>;
      try {
        p = f(this.api);
      } catch (e) {
        this.untrack(entry);
        reject(e as Error);
        return;
      }
      p.then(
        (v) => {
          this.untrack(entry);
          resolve(v);
        },
        (e) => {
          this.untrack(entry);
          reject(e);
        },
      );
    });
  }

  /** Runs `fn` when the connection fails or ends (closing ports that would keep a process alive). Returns an unregister function. */
  onClose(fn: () => void): () => void {
    this.cleanups.add(fn);
    return () => this.cleanups.delete(fn);
  }

  /** Ends the connection: rejects every pending call with `message` and stops the worker. The first failure wins. */
  fail(message: string): void {
    if (this.failure !== null) return;
    this.failure = new Error(message);
    for (const p of this.pending) p.reject(new Error(`${message} (while ${p.what} was pending)`));
    this.pending.clear();
    this.keepAlive(false);
    for (const fn of this.cleanups) fn();
    this.cleanups.clear();
    this.stopWorker();
  }
}

/** Starts a training worker (its script loads in the background: the first call waits for it). */
export async function spawnWorker(opts: SpawnOptions): Promise<WorkerConnection> {
  const url = opts.workerUrl !== undefined ? toUrl(opts.workerUrl) : defaultWorkerUrl();
  return isNode ? spawnNode(url, opts.resourceLimits) : spawnBrowser(url);
}

async function spawnNode(url: URL, resourceLimits: ResourceLimits | undefined): Promise<WorkerConnection> {
  const wt = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
  const worker: NodeWorker = new wt.Worker(url, { name: 'ferrite-trainer', resourceLimits });
  const conn = new WorkerConnection(
    url,
    nodeEndpoint(worker),
    () => void worker.terminate(),
    (busy) => (busy ? worker.ref() : worker.unref()),
  );
  const where = `the training worker (${url.pathname.split('/').pop()})`;
  worker.on('error', (e: Error) =>
    conn.fail(`ferrite: background trainer: ${where} crashed: ${e?.message ?? String(e)}`),
  );
  worker.on('messageerror', (e: Error) =>
    conn.fail(`ferrite: background trainer: a message from ${where} could not be read: ${e?.message ?? String(e)}`),
  );
  worker.on('exit', (code: number) => conn.fail(`ferrite: background trainer: ${where} exited (code ${code})`));
  // comlink listens on the worker all along, which would keep the process alive for
  // good: only calls in flight do (keepAlive), so a script that forgets terminate() ends.
  worker.unref();
  return conn;
}

function spawnBrowser(url: URL): WorkerConnection {
  const worker = new Worker(url, { type: 'module', name: 'ferrite-trainer' });
  const conn = new WorkerConnection(url, worker, () => worker.terminate());
  worker.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault();
    // An uncaught error has a message; a script that failed to load (or to parse) has none.
    const what = e.message
      ? `crashed: ${e.message}${e.filename ? ` (${e.filename}:${e.lineno})` : ''}`
      : `failed to load: check that ${url.href} is served as JavaScript (with the page's Cross-Origin-Embedder-Policy header when the page is cross-origin isolated)`;
    conn.fail(`ferrite: background trainer: the training worker ${what}`);
  });
  worker.addEventListener('messageerror', () =>
    conn.fail('ferrite: background trainer: a message from the training worker could not be read'),
  );
  worker.addEventListener('message', (e: MessageEvent) => {
    const fatal = (e.data as { ferriteFatal?: string } | null)?.ferriteFatal;
    if (fatal !== undefined) conn.fail(`ferrite: background trainer: the training worker crashed: ${fatal}`);
  });
  return conn;
}
