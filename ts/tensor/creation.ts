// Making tensors from JavaScript values, like TF.js's `tensor`, `zeros`, `ones`, ...

import { engine } from '../backend/engine.js';
import {
  checkShape,
  emptyTensor,
  sizeOf,
  Tensor,
  zerosTensor,
  type DataType,
  type NestedArray,
  type Shape,
  type TypedArray,
} from './tensor.js';

/**
 * Booleans nested as arrays of arrays (a bool tensor's values).
 *
 * @example
 * ```ts
 * fe.tensor([[true, false], [false, true]]).dtype; // 'bool'
 * ```
 */
export type NestedBooleans = boolean | NestedBooleans[];
/**
 * What `tensor` accepts as values: a typed array, a number, or (nested) arrays of numbers or booleans.
 *
 * @example
 * ```ts
 * fe.tensor([[1, 2], [3, 4]]).shape; // [2, 2]: nested arrays
 * fe.tensor(new Int32Array([1, 2, 3])).dtype; // 'int32': a typed array
 * fe.tensor(7).shape; // []: a number
 * ```
 */
export type TensorLike = TypedArray | NestedArray | number[] | Uint8Array | NestedBooleans;

/** The first scalar of nested values, to infer the dtype from (true/false: bool, as TF.js). */
function firstLeaf(values: unknown): unknown {
  let v = values;
  while (Array.isArray(v)) v = v[0];
  return v;
}

function inferShape(values: TensorLike): number[] {
  if (ArrayBuffer.isView(values)) return [values.length];
  if (typeof values === 'number') return [];
  const shape: number[] = [];
  let v: unknown = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  if (ArrayBuffer.isView(v)) shape.push((v as TypedArray).length);
  return shape;
}

function flattenInto(values: unknown, out: number[], shape: number[], dim: number): void {
  if (dim === shape.length) {
    if (typeof values === 'boolean') {
      out.push(values ? 1 : 0);
      return;
    }
    if (typeof values !== 'number')
      throw new Error(`ferrite: tensor(): ragged or non-numeric nested array (expected a number at depth ${dim})`);
    out.push(values);
    return;
  }
  const arr = values as ArrayLike<unknown>;
  if (!(Array.isArray(arr) || ArrayBuffer.isView(arr)) || arr.length !== shape[dim]) {
    throw new Error(
      `ferrite: tensor(): ragged nested array: expected length ${shape[dim]} at depth ${dim}, inferred shape [${shape.join(', ')}]`,
    );
  }
  for (let i = 0; i < arr.length; i++) flattenInto(arr[i], out, shape, dim + 1);
}

/**
 * A tensor from values (nested arrays, a flat array or typed array, or a number),
 * with an optional shape (required to reshape flat data) and dtype.
 *
 * @example
 * ```ts
 * fe.tensor([[1, 2], [3, 4]]).print(); // [[1, 2], [3, 4]]
 * fe.tensor([1, 2, 3, 4], [2, 2], 'int32').print(); // int32 [[1, 2], [3, 4]]
 * ```
 */
export function tensor(values: TensorLike, shape?: Shape, dtype?: DataType): Tensor {
  const inferred = inferShape(values);
  let flat: ArrayLike<number>;
  if (typeof values === 'number') flat = [values];
  else if (typeof values === 'boolean') flat = [values ? 1 : 0];
  else if (ArrayBuffer.isView(values)) flat = values;
  else if (inferred.length <= 1 && typeof firstLeaf(values) !== 'boolean') flat = values as number[];
  else {
    const out: number[] = [];
    flattenInto(values, out, inferred, 0);
    flat = out;
  }
  const finalShape = shape ? [...shape] : inferred;
  checkShape(finalShape);
  if (sizeOf(finalShape) !== flat.length) {
    throw new Error(
      `ferrite: tensor(): shape [${finalShape.join(', ')}] needs ${sizeOf(finalShape)} values, got ${flat.length}`,
    );
  }
  const dt: DataType = dtype ?? inferDtype(values);
  if (dt !== 'float32' && dt !== 'int32' && dt !== 'bool')
    throw new Error(`ferrite: tensor(): unsupported dtype '${String(dt)}' (float32, int32 or bool)`);
  // Values that are a view of wasm memory (another tensor's `view()`) would be detached by
  // the allocation below if it grows the memory (single-thread builds): copy them first.
  if (ArrayBuffer.isView(flat) && flat.buffer === engine().memory.buffer) flat = (flat as Float32Array).slice();
  const t = emptyTensor(finalShape, dt);
  const view = t.view();
  if (dt === 'bool') {
    // As TF.js: any nonzero value is true.
    for (let i = 0; i < flat.length; i++) view[i] = flat[i] !== 0 ? 1 : 0;
  } else if (dt === 'int32' && !(flat instanceof Int32Array)) {
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i];
      if (!Number.isInteger(v)) {
        t.dispose();
        throw new Error(`ferrite: tensor(): int32 tensor given non-integer value ${v} at index ${i}`);
      }
      view[i] = v;
    }
  } else {
    view.set(flat);
  }
  return t;
}

/** TF.js's inference: Int32Array and Uint8Array give int32, booleans bool, numbers float32. */
function inferDtype(values: TensorLike): DataType {
  if (values instanceof Int32Array || values instanceof Uint8Array) return 'int32';
  return typeof firstLeaf(values) === 'boolean' ? 'bool' : 'float32';
}

function ranked(rank: number, name: string) {
  return (values: TensorLike, shape?: Shape, dtype?: DataType): Tensor => {
    const s = shape ?? inferShape(values);
    if (s.length !== rank) throw new Error(`ferrite: ${name}() needs a rank-${rank} shape, got [${s.join(', ')}]`);
    return tensor(values, s, dtype);
  };
}

/**
 * A rank-0 tensor holding `value` (float32, or bool for a boolean, unless `dtype` says).
 *
 * @example
 * ```ts
 * fe.scalar(0.01).print(); // 0.01, shape []
 * ```
 */
export const scalar = (value: number | boolean, dtype?: DataType): Tensor => tensor(value, [], dtype);
/**
 * A rank-1 tensor; as in TF.js it takes no shape: `tensor1d(values, dtype?)`.
 *
 * @example
 * ```ts
 * fe.tensor1d([1, 2, 3]).print(); // [1, 2, 3]
 * fe.tensor1d([1, 2, 3], 'int32').dtype; // 'int32'
 * ```
 */
export const tensor1d = (values: TensorLike, dtype?: DataType): Tensor =>
  ranked(1, 'tensor1d')(values, undefined, dtype);
/**
 * A rank-2 tensor; the shape is inferred from nested arrays or given for flat values.
 *
 * @example
 * ```ts
 * fe.tensor2d([[1, 2], [3, 4]]).shape; // [2, 2]
 * fe.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]).print(); // [[1, 2, 3], [4, 5, 6]]
 * ```
 */
export const tensor2d = ranked(2, 'tensor2d');
/**
 * A rank-3 tensor; the shape is inferred from nested arrays or given for flat values.
 *
 * @example
 * ```ts
 * fe.tensor3d(new Float32Array(24), [2, 3, 4]).shape; // [2, 3, 4]
 * ```
 */
export const tensor3d = ranked(3, 'tensor3d');
/**
 * A rank-4 tensor (for example NHWC images); the shape is inferred from nested arrays or
 * given for flat values.
 *
 * @example
 * ```ts
 * const pixels = new Float32Array(2 * 28 * 28); // two 28 x 28 grey images
 * fe.tensor4d(pixels, [2, 28, 28, 1]).shape; // [2, 28, 28, 1]
 * ```
 */
export const tensor4d = ranked(4, 'tensor4d');

/**
 * A tensor of `shape` filled with zeros.
 *
 * @example
 * ```ts
 * fe.zeros([2, 3]).print(); // [[0, 0, 0], [0, 0, 0]]
 * ```
 */
export function zeros(shape: Shape, dtype: DataType = 'float32'): Tensor {
  checkShape(shape);
  return zerosTensor(shape, dtype);
}

/**
 * A tensor of `shape` filled with `value`.
 *
 * @example
 * ```ts
 * fe.fill([2, 2], 7).print(); // [[7, 7], [7, 7]]
 * ```
 */
export function fill(shape: Shape, value: number, dtype: DataType = 'float32'): Tensor {
  checkShape(shape);
  const t = emptyTensor(shape, dtype);
  t.view().fill(value);
  return t;
}

/**
 * A tensor of `shape` filled with ones.
 *
 * @example
 * ```ts
 * fe.ones([3], 'int32').print(); // int32 [1, 1, 1]
 * ```
 */
export const ones = (shape: Shape, dtype: DataType = 'float32'): Tensor => fill(shape, 1, dtype);

/**
 * Zeros with the shape and dtype of `x`.
 *
 * @example
 * ```ts
 * fe.zerosLike(fe.tensor1d([5, 6])).print(); // [0, 0]
 * ```
 */
export function zerosLike(x: Tensor): Tensor {
  x.assertAlive('zerosLike input');
  return zerosTensor(x.shape, x.dtype, x.engine);
}

/**
 * Ones with the shape and dtype of `x`.
 *
 * @example
 * ```ts
 * fe.onesLike(fe.tensor2d([[5, 6]])).print(); // [[1, 1]]
 * ```
 */
export function onesLike(x: Tensor): Tensor {
  x.assertAlive('onesLike input');
  const t = emptyTensor(x.shape, x.dtype, x.engine);
  t.view().fill(1);
  return t;
}

/**
 * A copy of `x` (same engine).
 *
 * @example
 * ```ts
 * const x = fe.tensor1d([1, 2]);
 * const y = fe.clone(x);
 * x.dispose();
 * y.print(); // [1, 2]: y has its own memory
 * ```
 */
export function clone(x: Tensor): Tensor {
  x.assertAlive('clone input');
  const t = emptyTensor(x.shape, x.dtype, x.engine);
  x.engine.u8.copyWithin(t.ptr, x.ptr, x.ptr + x.size * 4);
  return t;
}

/** One-hot encoding of int32 `indices` (any shape) into float32 [..., depth]. */
/**
 * TF.js's `tf.oneHot(indices, depth, onValue?, offValue?, dtype?)`: int32 by default, as
 * TF.js; an index outside [0, depth) gives an all-`offValue` row (TF.js's behaviour, which
 * lets padding ids such as -1 encode to nothing). Indices must hold integers.
 *
 * @example
 * ```ts
 * fe.oneHot(fe.tensor1d([0, 2], 'int32'), 3).print(); // int32 [[1, 0, 0], [0, 0, 1]]
 * fe.oneHot(fe.tensor1d([1], 'int32'), 2, 1, 0, 'float32').print(); // [[0, 1]]
 * ```
 */
export function oneHot(indices: Tensor, depth: number, onValue = 1, offValue = 0, dtype: DataType = 'int32'): Tensor {
  indices.assertAlive('oneHot indices');
  if (!Number.isInteger(depth) || depth < 1)
    throw new Error(`ferrite: oneHot: depth must be a positive integer, got ${depth}`);
  let idx = indices.view();
  for (let i = 0; i < idx.length; i++)
    if (!Number.isInteger(idx[i]))
      throw new Error(
        `ferrite: oneHot: indices must be integers (int32, as TF.js), got ${idx[i]} at position ${i} of a ${indices.dtype} tensor`,
      );
  const out = emptyTensor([...indices.shape, depth], dtype, indices.engine);
  // The allocation may have grown the wasm memory, which detaches views taken before it
  // (an unshared memory's buffer is replaced): view the indices again.
  idx = indices.view();
  const o = out.view();
  o.fill(offValue);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    if (k >= 0 && k < depth) o[i * depth + k] = onValue;
  }
  return out;
}

/**
 * Live tensors and bytes on the current engine, like `tf.memory()`. A reshape shares its
 * input's data: one more tensor, no more bytes.
 *
 * @example
 * ```ts
 * const before = fe.memory();
 * const x = fe.zeros([1000]);
 * const y = x.reshape([10, 100]);
 * fe.memory().numTensors - before.numTensors; // 2
 * fe.memory().numBytes - before.numBytes; // 4000
 * fe.dispose([x, y]);
 * ```
 */
export function memory(): {
  /** Live tensors. */
  numTensors: number;
  /** Bytes the live tensors hold (data shared by a tensor and its reshapes counts once). */
  numBytes: number;
  /** Bytes in use in the wasm heap. */
  numBytesInWasmHeap: number;
  /** The size of the wasm memory. */
  wasmMemoryBytes: number;
  /** Blocks of memory the live tensors hold: a tensor and its reshapes share one (as TF.js counts). */
  numDataBuffers: number;
} {
  const e = engine();
  return {
    numTensors: e.numTensors,
    numBytes: e.numBytes,
    numBytesInWasmHeap: e.heapBytes(),
    wasmMemoryBytes: e.memory.buffer.byteLength,
    numDataBuffers: e.numDataBuffers,
  };
}
