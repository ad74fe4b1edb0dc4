// How tensors cross the thread boundary: as a typed array, a shape and a dtype, with the
// array's buffer in the message's transfer list, so the bytes move instead of being
// copied (the sender's buffer is detached). Used on both sides: the caller packs its
// tensors or arrays, the worker unpacks them into its own wasm memory, and results
// come back the same way.

import { Tensor, sizeOf, type DataType } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { fmtShape } from '../ops/util.js';
import { byName } from '../training/data-checks.js';

/** A tensor on the wire. */
export interface WireTensor {
  /** The values, row-major. */
  data: Float32Array | Int32Array;
  /** The shape. */
  shape: number[];
  dtype: DataType;
}

/**
 * Raw data for a tensor: a Float32Array (float32) or an Int32Array (int32) and a shape.
 * When sent to a worker, its buffer is transferred: the array is empty in your thread
 * afterwards. Pass `data.slice()` to keep a copy.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * const trainer = await fe.worker.create(m);
 * const x = { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] };
 * await trainer.predict(x);
 * x.data.length; // 0: the buffer went to the worker (pass data.slice() to keep a copy)
 * trainer.terminate();
 * ```
 */
export interface TensorData {
  /** The values, row-major: float32 or int32. */
  data: Float32Array | Int32Array;
  /** The shape. */
  shape: readonly number[];
}

/**
 * What the background trainer accepts wherever the model takes a tensor.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * const trainer = await fe.worker.create(m);
 * await trainer.predict(fe.ones([1, 2])); // a Tensor ...
 * await trainer.predict({ data: new Float32Array(2), shape: [1, 2] }); // ... or a typed array and a shape
 * trainer.terminate();
 * ```
 */
export type DataInput = Tensor | TensorData;

/** Buffers to transfer with one message; each buffer once (listing one twice is an error). */
export class TransferList {
  private readonly buffers = new Set<ArrayBuffer>();

  add(buffer: ArrayBufferLike): void {
    // A SharedArrayBuffer cannot be transferred: it is shared by the message instead.
    if (buffer instanceof ArrayBuffer) this.buffers.add(buffer);
  }

  get list(): ArrayBuffer[] {
    return [...this.buffers];
  }
}

function isTensorData(x: unknown): x is TensorData {
  return x !== null && typeof x === 'object' && 'data' in x && 'shape' in x;
}

/**
 * Packs a tensor or raw data for sending; its buffer goes on `transfers`. A Tensor lives in
 * wasm memory, which cannot be transferred: it is copied out once (one memcpy) and the
 * copy moves. A typed array moves as it is when it spans its whole buffer; a view on
 * part of a larger buffer is copied first, so that unrelated bytes neither travel nor
 * get detached.
 */
export function packTensor(what: string, x: DataInput, transfers: TransferList): WireTensor {
  if (x instanceof Tensor) {
    x.assertAlive(what);
    // The storage (bool as int32) travels; the dtype says how to read it.
    const data = x.view().slice();
    transfers.add(data.buffer);
    return { data, shape: [...x.shape], dtype: x.dtype };
  }
  const { data, shape, dtype } = checkTensorData(what, x);
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  const sent = whole ? data : data.slice();
  transfers.add(sent.buffer);
  return { data: sent, shape: [...shape], dtype };
}

/** Checks raw data (`{data, shape}`): a Float32Array or Int32Array whose length fits the shape. */
export function checkTensorData(
  what: string,
  x: unknown,
): { data: Float32Array | Int32Array; shape: number[]; dtype: DataType } {
  if (!isTensorData(x)) {
    throw new Error(
      `ferrite: ${what} must be a Tensor or {data: Float32Array | Int32Array, shape}, got ${describe(x)}`,
    );
  }
  const { data, shape } = x;
  const dtype: DataType | null = data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : null;
  if (dtype === null) {
    throw new Error(
      `ferrite: ${what}.data must be a Float32Array (float32) or an Int32Array (int32), got ${describe(data)}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`ferrite: ${what}.shape must be an array of integers >= 0, got ${JSON.stringify(shape)}`);
  }
  const expected = sizeOf(shape);
  if (data.length !== expected) {
    if (data.length === 0 && data.buffer.byteLength === 0) {
      throw new Error(
        `ferrite: ${what}.data is empty because its buffer was transferred away (an earlier call sent it to a worker). ` +
          'Pass data.slice() to keep a copy in your thread.',
      );
    }
    throw new Error(`ferrite: ${what}: shape ${fmtShape(shape)} needs ${expected} values, data has ${data.length}`);
  }
  return { data, shape: [...shape], dtype };
}

/**
 * Data by model input or output name (TF.js's NamedTensorMap) as a list in the model's
 * order; lists and single entries pass through. `names` is null while the model's graph
 * waits for data (then only lists and single entries are accepted).
 */
export function dataList(
  model: string,
  op: string,
  what: 'x' | 'y',
  names: readonly string[] | null,
  v: DataInput | DataInput[] | Record<string, DataInput>,
): DataInput | DataInput[] {
  // Typed arrays and other views are bad data, not name maps: they reach toTensorData's error.
  if (Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof Tensor || isTensorData(v)) return v as DataInput;
  if (v === null || typeof v !== 'object') return v;
  if (names === null)
    throw new Error(
      `ferrite: ${model}: ${op}: ${what} is keyed by name, but the model's ${what === 'x' ? 'inputs' : 'outputs'} are not known until it is built`,
    );
  return byName(op, model, what, v, [...names]) as DataInput[];
}

/** Packs one input or a list of inputs (multi-input models); always a list on the wire. */
export function packTensors(what: string, x: DataInput | DataInput[], transfers: TransferList): WireTensor[] {
  if (Array.isArray(x)) return x.map((t, i) => packTensor(`${what}[${i}]`, t, transfers));
  return [packTensor(what, x, transfers)];
}

/** A tensor in this thread's wasm memory from a wire tensor (one copy into wasm memory). */
export function unpackTensor(w: WireTensor): Tensor {
  return tensor(w.data, w.shape, w.dtype);
}

/** Packs a result for sending back: a fresh copy out of wasm memory, transferred. */
export function packResult(t: Tensor, transfers: TransferList): WireTensor {
  const data = t.view().slice();
  transfers.add(data.buffer);
  return { data, shape: [...t.shape], dtype: t.dtype };
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an Array';
  if (ArrayBuffer.isView(x)) return x.constructor.name;
  return typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
}
