// Weights to bytes and back, in TF.js's layout: values back to back in manifest order,
// little-endian, float32/int32 (bool as one byte), or quantized. Decoding checks every
// entry of an untrusted manifest (names, dtypes, shapes, sizes) against the data before
// it allocates anything.

import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import type { NamedTensor, NamedTensorMap } from '../optimizers/optimizer.js';
import { dequantize, quantize, QUANTIZATION_BYTES, type QuantizationDtype } from './quantization.js';
import type { ModelArtifacts, ModelArtifactsInfo, WeightGroup, WeightsManifestEntry } from './types.js';

/** The largest single weight accepted from a file (wasm32 memory is 4 GiB at most). */
export const MAX_WEIGHT_BYTES = 2 ** 31;
/** The most weight data accepted from one file. */
export const MAX_TOTAL_WEIGHT_BYTES = 2 ** 32;

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Bytes a manifest entry takes in the data, after checking the entry; throws naming what is wrong. */
export function entryByteLength(e: WeightsManifestEntry, where = 'weights manifest'): number {
  if (e === null || typeof e !== 'object') throw new Error(`ferrite: ${where}: an entry is not an object`);
  if (typeof e.name !== 'string') throw new Error(`ferrite: ${where}: an entry has no name`);
  const what = `${where}: weight '${e.name}'`;
  if (!Array.isArray(e.shape))
    throw new Error(`ferrite: ${what}: shape must be an array, got ${JSON.stringify(e.shape)}`);
  if (e.shape.length > 8) throw new Error(`ferrite: ${what}: rank ${e.shape.length} is more than 8`);
  let size = 1;
  for (const d of e.shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new Error(`ferrite: ${what}: shape [${e.shape.join(', ')}] has an invalid dimension ${JSON.stringify(d)}`);
    size *= d;
    if (size * 4 > MAX_WEIGHT_BYTES)
      throw new Error(
        `ferrite: ${what}: shape [${e.shape.join(', ')}] is too large (more than ${MAX_WEIGHT_BYTES / 2 ** 30} GiB)`,
      );
  }
  if (e.group !== undefined && e.group !== 'model' && e.group !== 'optimizer')
    throw new Error(`ferrite: ${what}: unknown group ${JSON.stringify(e.group)} (expected 'model' or 'optimizer')`);
  const q = e.quantization;
  if (q !== undefined && q !== null) {
    if (!(q.dtype in QUANTIZATION_BYTES))
      throw new Error(
        `ferrite: ${what}: unsupported quantization dtype ${JSON.stringify(q.dtype)} (uint8, uint16 or float16)`,
      );
    if (e.dtype !== 'float32' && e.dtype !== 'int32')
      throw new Error(`ferrite: ${what}: a quantized weight must be float32 or int32, got ${JSON.stringify(e.dtype)}`);
    if (q.dtype !== 'float16' && !(Number.isFinite(q.scale) && Number.isFinite(q.min)))
      throw new Error(`ferrite: ${what}: ${q.dtype} quantization needs finite scale and min`);
    return size * QUANTIZATION_BYTES[q.dtype as QuantizationDtype];
  }
  const bytes = DTYPE_BYTES[e.dtype as string];
  if (bytes === undefined)
    throw new Error(`ferrite: ${what}: unsupported dtype ${JSON.stringify(e.dtype)} (float32, int32 or bool)`);
  return size * bytes;
}

/** Checks a manifest and returns the bytes it needs (before any weight is read or fetched). */
export function manifestByteLength(specs: readonly WeightsManifestEntry[], where = 'weights manifest'): number {
  if (!Array.isArray(specs)) throw new Error(`ferrite: ${where}: weight specs must be an array`);
  let total = 0;
  const names = new Set<string>();
  for (const e of specs) {
    total += entryByteLength(e, where);
    const key = `${e.group ?? 'model'}:${e.name}`;
    if (names.has(key)) throw new Error(`ferrite: ${where}: weight '${e.name}' appears twice`);
    names.add(key);
    if (total > MAX_TOTAL_WEIGHT_BYTES)
      throw new Error(`ferrite: ${where}: the weights need more than ${MAX_TOTAL_WEIGHT_BYTES / 2 ** 30} GiB`);
  }
  return total;
}

/**
 * One buffer from several (TF.js's io.concatenateArrayBuffers).
 *
 * @example
 * ```ts
 * const joined = fe.io.concatenateArrayBuffers([new Uint8Array([1, 2]).buffer, new Uint8Array([3]).buffer]);
 * new Uint8Array(joined); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatenateArrayBuffers(buffers: readonly ArrayBuffer[] | ArrayBuffer): ArrayBuffer {
  if (buffers instanceof ArrayBuffer) return buffers;
  if (buffers.length === 1) return buffers[0];
  let n = 0;
  for (const b of buffers) n += b.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

/**
 * Encodes tensors (a name map or a list) as TF.js's weight data and specs. `group`
 * marks every spec (TF.js marks optimizer state 'optimizer'); `quantizeTo` stores
 * float32 values quantized: all of them, or those a name map lists.
 *
 * @example
 * ```ts
 * const { data, specs } = await fe.io.encodeWeights({ a: fe.tensor1d([1, 2]), b: fe.scalar(3) });
 * data.byteLength; // 12
 * specs.map((s) => s.name); // ['a', 'b']
 * ```
 */
export async function encodeWeights(
  tensors: NamedTensorMap | NamedTensor[],
  group?: WeightGroup,
  quantizeTo?: QuantizationDtype | ReadonlyMap<string, QuantizationDtype>,
): Promise<{
  /** The values, concatenated in `specs` order. */
  data: ArrayBuffer;
  /** Each tensor's name, shape, dtype (and quantization). */
  specs: WeightsManifestEntry[];
}> {
  const list: NamedTensor[] = Array.isArray(tensors)
    ? tensors
    : Object.entries(tensors).map(([name, tensor]) => ({ name, tensor }));
  const parts: Uint8Array[] = [];
  const specs: WeightsManifestEntry[] = [];
  for (const { name, tensor: t } of list) {
    if (!(t instanceof Tensor)) throw new Error(`ferrite: encodeWeights: '${name}' is not a Tensor`);
    t.assertAlive(`encodeWeights: '${name}'`);
    const values = t.dataSync();
    const spec: WeightsManifestEntry = { name, shape: [...t.shape], dtype: t.dtype };
    if (group !== undefined) spec.group = group;
    const to = typeof quantizeTo === 'string' ? quantizeTo : quantizeTo?.get(name);
    if (to !== undefined && t.dtype === 'float32') {
      const { bytes, entry } = quantize(values as Float32Array, to);
      spec.quantization = entry;
      parts.push(bytes);
    } else {
      parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
    specs.push(spec);
  }
  return { data: concatenateArrayBuffers(parts.map((p) => p.slice().buffer)), specs };
}

/** Decoded weights in manifest order, each with its group. */
export interface DecodedWeight extends NamedTensor {
  group: WeightGroup;
}

/**
 * Decodes weight data by its specs into tensors (the caller owns them), checking first
 * that the data has exactly the bytes the specs need and, after decoding, that no float
 * weight holds NaN or infinity.
 */
export function decodeWeightList(
  data: ArrayBuffer | ArrayBuffer[],
  specs: readonly WeightsManifestEntry[],
  where = 'weights',
): DecodedWeight[] {
  const buffer = concatenateArrayBuffers(data as ArrayBuffer[] | ArrayBuffer);
  if (!(buffer instanceof ArrayBuffer)) throw new Error(`ferrite: ${where}: weight data must be an ArrayBuffer`);
  const need = manifestByteLength(specs, where);
  if (buffer.byteLength !== need) {
    throw new Error(
      `ferrite: ${where}: the weight data has ${buffer.byteLength} bytes, the manifest describes ${need} ` +
        `(${buffer.byteLength < need ? 'truncated data or missing shards' : 'extra data'})`,
    );
  }
  const out: DecodedWeight[] = [];
  let at = 0;
  try {
    for (const e of specs) {
      const bytes = entryByteLength(e, where);
      const size = e.shape.reduce((a, b) => a * b, 1);
      const src = new Uint8Array(buffer, at, bytes);
      at += bytes;
      const outDtype = e.dtype === 'int32' ? 'int32' : 'float32';
      const values = outDtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
      if (e.quantization) dequantize(src, size, e.quantization, values);
      else if (e.dtype === 'bool') for (let i = 0; i < size; i++) values[i] = src[i] ? 1 : 0;
      else new Uint8Array(values.buffer).set(src);
      if (outDtype === 'float32') {
        for (let i = 0; i < size; i++) {
          if (!Number.isFinite(values[i]))
            throw new Error(`ferrite: ${where}: weight '${e.name}' holds ${values[i]} at index ${i}`);
        }
      }
      out.push({ name: e.name, tensor: tensor(values, e.shape, outDtype), group: e.group ?? 'model' });
    }
  } catch (err) {
    for (const w of out) w.tensor.dispose();
    throw err;
  }
  return out;
}

/**
 * Decodes weight data into a map from weight name to tensor (TF.js's io.decodeWeights).
 *
 * @example
 * ```ts
 * const { data, specs } = await fe.io.encodeWeights({ a: fe.tensor1d([1, 2]) });
 * fe.io.decodeWeights(data, specs).a.print(); // [1, 2]
 * ```
 */
export function decodeWeights(data: ArrayBuffer | ArrayBuffer[], specs: WeightsManifestEntry[]): NamedTensorMap {
  const map: NamedTensorMap = {};
  for (const w of decodeWeightList(data, specs, 'decodeWeights')) map[w.name] = w.tensor;
  return map;
}

function jsonBytes(x: unknown): number {
  return new TextEncoder().encode(JSON.stringify(x)).length;
}

/**
 * Sizes of saved artifacts, as save handlers report them (TF.js's io.getModelArtifactsInfoForJSON).
 *
 * @example
 * ```ts
 * const info = fe.io.getModelArtifactsInfoForJSON({ modelTopology: { a: 1 }, weightData: new ArrayBuffer(8) });
 * info.weightDataBytes; // 8
 * ```
 */
export function getModelArtifactsInfoForJSON(artifacts: ModelArtifacts): ModelArtifactsInfo {
  if (artifacts.modelTopology instanceof ArrayBuffer)
    throw new Error('ferrite: getModelArtifactsInfoForJSON: expected a JSON model topology, got an ArrayBuffer');
  const data = artifacts.weightData;
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: artifacts.modelTopology == null ? 0 : jsonBytes(artifacts.modelTopology),
    weightSpecsBytes: artifacts.weightSpecs == null ? 0 : jsonBytes(artifacts.weightSpecs),
    weightDataBytes:
      data == null ? 0 : Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength,
  };
}
