// indexeddb://name, in TF.js's database ('tensorflowjs', stores 'models_store' and
// 'model_info_store', keyed by modelPath), so TF.js and Ferrite share models.

import { getModelArtifactsInfoForJSON } from '../weights.js';
import type { IOHandler, ModelArtifacts, ModelArtifactsInfo, SaveResult } from '../types.js';

export const INDEXED_DB_SCHEME = 'indexeddb://';
const DATABASE = 'tensorflowjs';
const MODELS = 'models_store';
const INFOS = 'model_info_store';

function openDatabase(): Promise<IDBDatabase> {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory == null) throw new Error('ferrite: indexeddb:// needs IndexedDB (a browser)');
  return new Promise((resolve, reject) => {
    const req = factory.open(DATABASE, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(MODELS, { keyPath: 'modelPath' });
      req.result.createObjectStore(INFOS, { keyPath: 'modelPath' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

async function withStores<T>(
  mode: IDBTransactionMode,
  f: (models: IDBObjectStore, infos: IDBObjectStore) => Promise<T>,
): Promise<T> {
  const db = await openDatabase();
  try {
    const tx = db.transaction([MODELS, INFOS], mode);
    const result = await f(tx.objectStore(MODELS), tx.objectStore(INFOS));
    await finished(tx);
    return result;
  } finally {
    db.close();
  }
}

export class BrowserIndexedDB implements IOHandler {
  constructor(readonly path: string) {
    if (typeof path !== 'string' || path.length === 0)
      throw new Error('ferrite: indexeddb://: the model name is empty');
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const info = getModelArtifactsInfoForJSON(artifacts);
    await withStores('readwrite', async (models, infos) => {
      infos.put({ modelPath: this.path, modelArtifactsInfo: info });
      models.put({ modelPath: this.path, modelArtifacts: artifacts });
    });
    return { modelArtifactsInfo: info };
  }

  async load(): Promise<ModelArtifacts> {
    const row = await withStores('readonly', (models) => done(models.get(this.path)));
    if (row == null) throw new Error(`ferrite: indexeddb://${this.path}: no model is stored under this name`);
    return (row as { modelArtifacts: ModelArtifacts }).modelArtifacts;
  }
}

export async function listIndexedDB(): Promise<Record<string, ModelArtifactsInfo>> {
  const rows = await withStores('readonly', (_m, infos) => done(infos.getAll()));
  const out: Record<string, ModelArtifactsInfo> = {};
  for (const r of rows as { modelPath: string; modelArtifactsInfo: ModelArtifactsInfo }[])
    out[r.modelPath] = r.modelArtifactsInfo;
  return out;
}

export async function removeFromIndexedDB(path: string): Promise<ModelArtifactsInfo> {
  return withStores('readwrite', async (models, infos) => {
    const row = (await done(infos.get(path))) as { modelArtifactsInfo: ModelArtifactsInfo } | undefined;
    if (row == null) throw new Error(`ferrite: indexeddb://${path}: no model is stored under this name`);
    infos.delete(path);
    models.delete(path);
    return row.modelArtifactsInfo;
  });
}
