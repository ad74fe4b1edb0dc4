// localstorage://name, with TF.js's keys (tensorflowjs_models/<name>/info, topology,
// weight_specs, weight_data as base64, model_metadata), so TF.js and Ferrite share models.

import { concatenateArrayBuffers, getModelArtifactsInfoForJSON } from '../weights.js';
import { parseModelJSON } from '../model-json.js';
import {
  METADATA_KEYS,
  type IOHandler,
  type ModelArtifacts,
  type ModelArtifactsInfo,
  type SaveResult,
} from '../types.js';

export const LOCAL_STORAGE_SCHEME = 'localstorage://';
const PREFIX = 'tensorflowjs_models';
const PARTS = ['info', 'model_topology', 'weight_specs', 'weight_data', 'model_metadata'] as const;

function storage(): Storage {
  const s = (globalThis as { localStorage?: Storage }).localStorage;
  if (s == null) throw new Error('ferrite: localstorage:// needs window.localStorage (a browser)');
  return s;
}

function keys(path: string): Record<(typeof PARTS)[number], string> {
  return Object.fromEntries(PARTS.map((p) => [p, `${PREFIX}/${path}/${p}`])) as Record<(typeof PARTS)[number], string>;
}

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s: string): ArrayBuffer {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export class BrowserLocalStorage implements IOHandler {
  constructor(readonly path: string) {
    if (typeof path !== 'string' || path.length === 0)
      throw new Error('ferrite: localstorage://: the model name is empty');
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const k = keys(this.path);
    const info = getModelArtifactsInfoForJSON(artifacts);
    const { modelTopology, weightSpecs, weightData } = artifacts;
    const metadata = Object.fromEntries(METADATA_KEYS.map((key) => [key, artifacts[key] ?? undefined]));
    const s = storage();
    try {
      s.setItem(k.info, JSON.stringify(info));
      s.setItem(k.model_topology, JSON.stringify(modelTopology));
      s.setItem(k.weight_specs, JSON.stringify(weightSpecs ?? []));
      s.setItem(k.weight_data, toBase64(concatenateArrayBuffers(weightData ?? new ArrayBuffer(0))));
      s.setItem(k.model_metadata, JSON.stringify(metadata));
    } catch (e) {
      for (const key of Object.values(k)) s.removeItem(key);
      throw new Error(
        `ferrite: localstorage://${this.path}: saving failed (${(e as Error).message}); the model takes ${info.weightDataBytes} bytes of weights`,
      );
    }
    return { modelArtifactsInfo: info };
  }

  async load(): Promise<ModelArtifacts> {
    const k = keys(this.path);
    const s = storage();
    const info = s.getItem(k.info);
    if (info === null) throw new Error(`ferrite: localstorage://${this.path}: no model is stored under this name`);
    const topology = s.getItem(k.model_topology) ?? 'null';
    const specs = s.getItem(k.weight_specs) ?? '[]';
    const stored = JSON.parse(s.getItem(k.model_metadata) ?? '{}') as Record<string, unknown>;
    const metadata = Object.fromEntries(
      METADATA_KEYS.filter((key) => stored[key] != null).map((key) => [key, stored[key]]),
    );
    const where = `localstorage://${this.path}`;
    // The same checks as a downloaded model.json.
    const json = parseModelJSON(
      `{"modelTopology":${topology},"weightsManifest":[{"paths":[],"weights":${specs}}]}`,
      where,
    );
    return {
      ...metadata,
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: fromBase64(s.getItem(k.weight_data) ?? ''),
    };
  }
}

/** Models in localStorage: name -> info. */
export function listLocalStorage(): Record<string, ModelArtifactsInfo> {
  const s = storage();
  const out: Record<string, ModelArtifactsInfo> = {};
  for (let i = 0; i < s.length; i++) {
    const key = s.key(i)!;
    if (key.startsWith(`${PREFIX}/`) && key.endsWith('/info')) {
      const name = key.slice(PREFIX.length + 1, -'/info'.length);
      out[name] = JSON.parse(s.getItem(key)!) as ModelArtifactsInfo;
    }
  }
  return out;
}

export function removeFromLocalStorage(path: string): ModelArtifactsInfo {
  const s = storage();
  const k = keys(path);
  const info = s.getItem(k.info);
  if (info === null) throw new Error(`ferrite: localstorage://${path}: no model is stored under this name`);
  for (const key of Object.values(k)) s.removeItem(key);
  return JSON.parse(info) as ModelArtifactsInfo;
}
