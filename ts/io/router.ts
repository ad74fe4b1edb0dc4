// URL schemes to handlers (TF.js's IORouterRegistry, with its built-in schemes).

import { HTTPRequest, isHTTPScheme } from './handlers/http.js';
import { NodeFileSystem, isFileScheme } from './handlers/file.js';
import { BrowserLocalStorage, LOCAL_STORAGE_SCHEME } from './handlers/local-storage.js';
import { BrowserIndexedDB, INDEXED_DB_SCHEME } from './handlers/indexed-db.js';
import { BrowserDownloads, DOWNLOADS_SCHEME } from './handlers/browser-files.js';
import type { IOHandler, LoadOptions } from './types.js';

/**
 * Returns a handler for a URL it recognises (`localstorage://`, `http://`, ...), or null.
 *
 * @example
 * ```ts
 * const memoryRouter: fe.io.IORouter = (url) =>
 *   url.startsWith('memory://') ? fe.io.withSaveHandler(async (a) => ({ modelArtifactsInfo: fe.io.getModelArtifactsInfoForJSON(a) })) : null;
 * fe.io.registerSaveRouter(memoryRouter);
 * await fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] }).save('memory://m'); // goes to memoryRouter
 * ```
 */
export type IORouter = (url: string, options?: LoadOptions) => IOHandler | null;

const saveRouters: IORouter[] = [];
const loadRouters: IORouter[] = [];

const scheme =
  (prefix: string, make: (rest: string) => IOHandler): IORouter =>
  (url) =>
    url.startsWith(prefix) ? make(url.slice(prefix.length)) : null;

const builtins: { save: boolean; load: boolean; router: IORouter }[] = [
  { save: true, load: true, router: (url, o) => (isHTTPScheme(url) ? new HTTPRequest(url, o) : null) },
  { save: true, load: true, router: (url) => (isFileScheme(url) ? new NodeFileSystem(url) : null) },
  { save: true, load: true, router: scheme(LOCAL_STORAGE_SCHEME, (p) => new BrowserLocalStorage(p)) },
  { save: true, load: true, router: scheme(INDEXED_DB_SCHEME, (p) => new BrowserIndexedDB(p)) },
  { save: true, load: false, router: scheme(DOWNLOADS_SCHEME, (p) => new BrowserDownloads(p)) },
];
for (const b of builtins) {
  if (b.save) saveRouters.push(b.router);
  if (b.load) loadRouters.push(b.router);
}

/**
 * Adds a scheme for saving (TF.js's io.registerSaveRouter).
 *
 * @example
 * ```ts
 * fe.io.registerSaveRouter((url) => (url.startsWith('null://') ? fe.io.withSaveHandler(async (a) => ({ modelArtifactsInfo: fe.io.getModelArtifactsInfoForJSON(a) })) : null));
 * fe.io.getSaveHandlers('null://x').length; // 1
 * ```
 */
export function registerSaveRouter(router: IORouter): void {
  saveRouters.push(router);
}

/**
 * Adds a scheme for loading (TF.js's io.registerLoadRouter).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * const topology = m.toJSON(undefined, false) as object;
 * fe.io.registerLoadRouter((url) => (url === 'builtin://tiny' ? fe.io.fromMemory({ modelTopology: topology }) : null));
 * (await fe.loadLayersModel('builtin://tiny', { strict: false })).countParams(); // 3
 * ```
 */
export function registerLoadRouter(router: IORouter): void {
  loadRouters.push(router);
}

function handlers(routers: IORouter[], url: string, options?: LoadOptions): IOHandler[] {
  if (typeof url !== 'string') throw new Error(`ferrite: io: a model URL must be a string, got ${typeof url}`);
  const out: IOHandler[] = [];
  for (const r of routers) {
    const h = r(url, options);
    if (h !== null) out.push(h);
  }
  return out;
}

/**
 * The handlers the registered save routers return for `url` (TF.js's io.getSaveHandlers).
 *
 * @example
 * ```ts
 * fe.io.getSaveHandlers('localstorage://my-model').length; // 1: the localStorage handler
 * ```
 */
export function getSaveHandlers(url: string): IOHandler[] {
  return handlers(saveRouters, url);
}

/**
 * The handlers the registered load routers return for `url` (TF.js's io.getLoadHandlers).
 *
 * @example
 * ```ts
 * fe.io.getLoadHandlers('https://example.com/model.json').length; // 1: the http handler
 * fe.io.getLoadHandlers('downloads://x').length; // 0: downloads:// only saves
 * ```
 */
export function getLoadHandlers(url: string, options?: LoadOptions): IOHandler[] {
  return handlers(loadRouters, url, options);
}
