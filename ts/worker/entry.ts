// The training worker's script (built as dist/worker.mjs): hosts one model and exposes
// its API with comlink, over `parentPort` in Node (worker_threads) and over the worker's
// global scope in browsers (a module Worker). Started by `worker.create()`.

import * as Comlink from 'comlink';
// Imported statically: a top-level await here would make bundlers (Parcel) that wrap the
// worker's modules in functions fail to build it.
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { TrainerHost } from './host.js';

const host = new TrainerHost();
const g = globalThis as unknown as {
  process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
  addEventListener?: (type: string, listener: (e: { reason?: unknown }) => void) => void;
  postMessage?: (message: unknown) => void;
  close?: () => void;
};

if (g.process?.versions?.node) {
  const wt = g.process.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
  if (!wt?.parentPort)
    throw new Error('ferrite: the training worker script must be started as a worker (worker.create() does it)');
  // An unhandled rejection ends a Node worker with an 'error' event the caller reports.
  Comlink.expose(host.api(), nodeEndpoint(wt.parentPort));
} else {
  // Browsers report uncaught errors to the page (the Worker's 'error' event) but keep
  // unhandled rejections to themselves: tell the caller, then stop.
  g.addEventListener?.('unhandledrejection', (e) => {
    const reason = e.reason as { message?: string } | undefined;
    g.postMessage?.({ ferriteFatal: `unhandled rejection: ${reason?.message ?? String(reason)}` });
    g.close?.();
  });
  Comlink.expose(host.api());
}
