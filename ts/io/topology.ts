// Model topology in TF.js's JSON form: Keras's snake_case keys and values
// (`batch_input_shape`, 'channels_last'), converted as TF.js's serialization_utils
// does so that files pass between Ferrite, TF.js and Keras. The reverse conversion reads
// untrusted JSON: it refuses prototype keys and absurd nesting before anything is built.

/** TF.js's toSnakeCase ('batchInputShape' -> 'batch_input_shape'). */
export function pythonicName(name: string): string {
  const s = name
    .replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
  return s[0] === '_' ? `private${s}` : s;
}

/** TF.js's toCamelCase ('batch_input_shape' -> 'batchInputShape'). */
export function tsName(name: string): string {
  if (name.length <= 1 || !name.includes('_')) return name;
  return name.replace(/[_]+(\w|$)/g, (_m, c: string) => c.toUpperCase());
}

/** Layer names in inbound nodes and input/output lists keep their spelling. */
function isLayerNameItem(key: string | undefined, index: number, value: unknown): boolean {
  return (
    index === 0 &&
    typeof value === 'string' &&
    (key === 'inboundNodes' ||
      key === 'inbound_nodes' ||
      key === 'inputLayers' ||
      key === 'input_layers' ||
      key === 'outputLayers' ||
      key === 'output_layers')
  );
}

const KEPT_KEYS = new Set(['name', 'className', 'class_name']);
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than any real model (a few levels per nested model). */
export const MAX_CONFIG_DEPTH = 64;

function convert(x: unknown, key: string | undefined, depth: number, toPy: boolean): unknown {
  if (depth > MAX_CONFIG_DEPTH)
    throw new Error(`ferrite: model config: nested more than ${MAX_CONFIG_DEPTH} levels deep (at '${key}')`);
  if (x === null || x === undefined) return null;
  if (typeof x === 'string') return toPy ? pythonicName(x) : tsName(x);
  if (typeof x === 'number' || typeof x === 'boolean') return x;
  if (Array.isArray(x))
    return x.map((item, i) => (isLayerNameItem(key, i, item) ? item : convert(item, key, depth + 1, toPy)));
  if (typeof x !== 'object') throw new Error(`ferrite: model config: unexpected ${typeof x} at '${key}'`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
    if (FORBIDDEN_KEYS.has(k)) throw new Error(`ferrite: model config: forbidden key '${k}' (at '${key}')`);
    const nk = toPy ? pythonicName(k) : tsName(k);
    if (FORBIDDEN_KEYS.has(nk)) throw new Error(`ferrite: model config: forbidden key '${k}' (at '${key}')`);
    out[nk] = KEPT_KEYS.has(k) && typeof v === 'string' ? v : convert(v, k, depth + 1, toPy);
  }
  return out;
}

/** A Ferrite/TF.js config in Keras's spelling (TF.js's convertTsToPythonic). */
export function convertTsToPythonic(config: unknown, key?: string): unknown {
  return convert(config, key, 0, true);
}

/** A Keras-spelled config in TF.js's spelling (TF.js's convertPythonicToTs), checked for hostile content. */
export function convertPythonicToTs(config: unknown, key?: string): unknown {
  return convert(config, key, 0, false);
}
