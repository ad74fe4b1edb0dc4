// listModels, copyModel, moveModel, removeModel over the browser stores (localstorage://
// and indexeddb://), as TF.js's io model management.

import { listLocalStorage, removeFromLocalStorage, LOCAL_STORAGE_SCHEME } from './handlers/local-storage.js';
import { listIndexedDB, removeFromIndexedDB, INDEXED_DB_SCHEME } from './handlers/indexed-db.js';
import { getLoadHandlers, getSaveHandlers } from './router.js';
import type { ModelArtifactsInfo } from './types.js';

function split(url: string, what: string): [string, string] {
  for (const s of [LOCAL_STORAGE_SCHEME, INDEXED_DB_SCHEME]) if (url.startsWith(s)) return [s, url.slice(s.length)];
  throw new Error(`ferrite: ${what}: '${url}' is not a localstorage:// or indexeddb:// URL`);
}

function hasStore(name: 'localStorage' | 'indexedDB'): boolean {
  return (globalThis as Record<string, unknown>)[name] != null;
}

/**
 * Every model in the browser stores: URL -> info.
 *
 * @example
 * ```ts browser
 * await fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] }).save('localstorage://demo');
 * const models = await fe.io.listModels(); // { 'localstorage://demo': { dateSaved, modelTopologyBytes, ... } }
 * ```
 */
export async function listModels(): Promise<Record<string, ModelArtifactsInfo>> {
  const out: Record<string, ModelArtifactsInfo> = {};
  if (hasStore('localStorage'))
    for (const [k, v] of Object.entries(listLocalStorage())) out[LOCAL_STORAGE_SCHEME + k] = v;
  if (hasStore('indexedDB')) for (const [k, v] of Object.entries(await listIndexedDB())) out[INDEXED_DB_SCHEME + k] = v;
  return out;
}

/**
 * Deletes a stored model; returns its info.
 *
 * @example
 * ```ts browser
 * await fe.io.removeModel('localstorage://demo'); // its info, once deleted
 * ```
 */
export async function removeModel(url: string): Promise<ModelArtifactsInfo> {
  const [s, path] = split(url, 'removeModel');
  return s === LOCAL_STORAGE_SCHEME ? removeFromLocalStorage(path) : removeFromIndexedDB(path);
}

/**
 * Copies a stored model (within or across stores).
 *
 * @example
 * ```ts browser
 * await fe.io.copyModel('localstorage://demo', 'indexeddb://demo-backup');
 * ```
 */
export async function copyModel(sourceURL: string, destURL: string): Promise<ModelArtifactsInfo> {
  split(sourceURL, 'copyModel');
  split(destURL, 'copyModel');
  if (sourceURL === destURL) throw new Error(`ferrite: copyModel: source and destination are both '${sourceURL}'`);
  const artifacts = await getLoadHandlers(sourceURL)[0].load!();
  return (await getSaveHandlers(destURL)[0].save!(artifacts)).modelArtifactsInfo;
}

/**
 * Moves a stored model (copy, then remove the source).
 *
 * @example
 * ```ts browser
 * await fe.io.moveModel('localstorage://demo', 'indexeddb://demo'); // copied, then removed from localStorage
 * ```
 */
export async function moveModel(sourceURL: string, destURL: string): Promise<ModelArtifactsInfo> {
  const info = await copyModel(sourceURL, destURL);
  await removeModel(sourceURL);
  return info;
}
