// TensorBuffer, like `tf.buffer`: a mutable block of values with a shape, written element
// by element in JavaScript (set/get by coordinates) and turned into a tensor at the end.

import { computeStrides } from '../util/index.js';
import { tensor } from './creation.js';
import { checkShape, sizeOf, type DataType, type Shape, type Tensor, type TypedArray } from './tensor.js';

function arrayFor(dtype: DataType, size: number): TypedArray {
  if (dtype === 'float32') return new Float32Array(size);
  if (dtype === 'int32') return new Int32Array(size);
  if (dtype === 'bool') return new Uint8Array(size);
  throw new Error(`ferrite: buffer: unsupported dtype '${String(dtype)}' (float32, int32 or bool)`);
}

/**
 * A mutable block of values with a shape, as TF.js's `tf.TensorBuffer`: write it element by
 * element with `set`, then turn it into a tensor with `toTensor`. Made by `buffer(shape)`.
 *
 * @example
 * ```ts
 * const b = fe.buffer([2, 2]);
 * b.set(5, 0, 1);
 * b.toTensor().print(); // [[0, 5], [0, 0]]
 * ```
 */
export class TensorBuffer {
  /** The size of each dimension. */
  readonly shape: number[];
  /** The number of elements. */
  readonly size: number;
  /** Elements between consecutive indices of each axis but the last (TF.js's layout: rank - 1 entries). */
  readonly strides: number[];
  /** The values, flat in row-major order. */
  values: TypedArray;

  constructor(
    shape: Shape,
    /** The element type of the tensor it makes. */
    readonly dtype: DataType,
    values?: TypedArray,
  ) {
    checkShape(shape, 'buffer shape');
    this.shape = [...shape];
    this.size = sizeOf(shape);
    this.values = values ?? arrayFor(dtype, this.size);
    if (this.values.length !== this.size) {
      throw new Error(
        `ferrite: buffer: shape [${this.shape.join(', ')}] needs ${this.size} values, got ${this.values.length}`,
      );
    }
    this.strides = computeStrides(this.shape);
  }

  /** The number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /**
   * Writes `value` at the coordinates `locs` (one per axis).
   *
   * @example
   * ```ts
   * const b = fe.buffer([2, 3], 'int32');
   * b.set(7, 1, 2); // row 1, column 2
   * b.get(1, 2); // 7
   * ```
   */
  set(value: number | boolean, ...locs: number[]): void {
    this.values[this.locToIndex(locs)] = typeof value === 'boolean' ? Number(value) : value;
  }

  /**
   * The value at the coordinates `locs` (no coordinates: the first element, as TF.js).
   *
   * @example
   * ```ts
   * const b = fe.buffer([2, 2], 'float32', new Float32Array([1, 2, 3, 4]));
   * b.get(1, 0); // 3
   * ```
   */
  get(...locs: number[]): number {
    return this.values[locs.length === 0 ? 0 : this.locToIndex(locs)];
  }

  /**
   * The flat index of coordinates `locs`; throws naming them when they are out of range.
   *
   * @example
   * ```ts
   * fe.buffer([2, 3]).locToIndex([1, 2]); // 5
   * ```
   */
  locToIndex(locs: number[]): number {
    if (locs.length !== this.rank || locs.some((l, i) => !Number.isInteger(l) || l < 0 || l >= this.shape[i])) {
      throw new Error(
        `ferrite: buffer: coordinates [${locs.join(', ')}] are outside the buffer's shape [${this.shape.join(', ')}]`,
      );
    }
    let index = locs[this.rank - 1] ?? 0;
    for (let i = 0; i < this.rank - 1; i++) index += this.strides[i] * locs[i];
    return index;
  }

  /**
   * The coordinates of flat index `index`.
   *
   * @example
   * ```ts
   * fe.buffer([2, 3]).indexToLoc(5); // [1, 2]
   * ```
   */
  indexToLoc(index: number): number[] {
    const locs: number[] = [];
    for (const s of this.strides) {
      locs.push(Math.floor(index / s));
      index -= locs[locs.length - 1] * s;
    }
    if (this.rank > 0) locs.push(index);
    return locs;
  }

  /**
   * A tensor holding a copy of the values.
   *
   * @example
   * ```ts
   * const b = fe.buffer([3]);
   * for (let i = 0; i < 3; i++) b.set(i * i, i);
   * b.toTensor().print(); // [0, 1, 4]
   * ```
   */
  toTensor(): Tensor {
    return tensor(this.values, this.shape, this.dtype);
  }
}

/**
 * A TensorBuffer of `shape` (zeros, or over `values`, which it then shares), like `tf.buffer`.
 *
 * @example
 * ```ts
 * const b = fe.buffer([2, 2]);
 * b.set(1, 0, 0);
 * b.set(1, 1, 1);
 * b.toTensor().print(); // [[1, 0], [0, 1]]
 * ```
 */
export function buffer(shape: Shape, dtype: DataType = 'float32', values?: TypedArray): TensorBuffer {
  return new TensorBuffer(shape, dtype, values);
}
