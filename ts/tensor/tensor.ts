// Tensors: a shape, a dtype and a block of wasm memory.

import { engine, type Engine } from '../backend/engine.js';
import { track, type Tracked } from './scope.js';

/** bool tensors hold 0 or 1, stored as int32 in wasm memory; their data reads as a Uint8Array, as in TF.js. */
export type DataType = 'float32' | 'int32' | 'bool';
/** The size of each dimension of a tensor; `[]` for a scalar. */
export type Shape = readonly number[];
/**
 * A tensor's data as read (`dataSync`): Float32Array, Int32Array, or Uint8Array for bool.
 *
 * @example
 * ```ts
 * fe.tensor1d([true, false], 'bool').dataSync(); // Uint8Array [1, 0]
 * ```
 */
export type TypedArray = Float32Array | Int32Array | Uint8Array;
/**
 * A tensor's storage in wasm memory (`view`): bool is stored as int32.
 *
 * @example
 * ```ts
 * fe.tensor1d([true, false], 'bool').view(); // Int32Array [1, 0]: bool is stored as int32
 * ```
 */
export type StorageArray = Float32Array | Int32Array;
/**
 * Values nested as arrays of arrays, one level per dimension (what `array()` returns).
 *
 * @example
 * ```ts
 * fe.tensor3d([[[1], [2]]]).arraySync(); // [[[1], [2]]]
 * ```
 */
export type NestedArray = number | NestedArray[];

let nextId = 0;

/** The id the next tensor will get: tensors with a smaller id existed before this call. */
export function tensorIdWatermark(): number {
  return nextId;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: Shape, what = 'shape'): void {
  if (!Array.isArray(shape)) throw new Error(`ferrite: ${what} must be an array of integers, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new Error(`ferrite: ${what} [${shape.join(', ')}] must hold non-negative integers`);
  }
}

/**
 * The count of tensors that read one block of wasm memory: a tensor and its reshapes
 * (`reshape`, `expandDims`, `squeeze`, `flatten` share the data, as in TF.js). A tensor
 * that shares with no other has none: most never do, so they pay for no extra object.
 * @internal
 */
export interface SharedStorage {
  /** Live tensors over the data; the last one to be disposed frees it. */
  refs: number;
}

/**
 * An n-dimensional array of numbers (float32, int32 or bool) in wasm memory, as TF.js's
 * `tf.Tensor`. Make tensors with the factories (`tensor`, `zeros`, ...), read them with
 * `data`/`dataSync`/`array`, and free them with `dispose` or inside `tidy`. Every op is also
 * a method: `x.add(y).mean()` is `mean(add(x, y))`.
 *
 * @example
 * ```ts
 * const x = fe.tensor2d([[1, 2], [3, 4]]);
 * x.square().sum().print(); // Tensor float32 [] 30.00
 * x.dispose();
 * ```
 */
export class Tensor implements Tracked {
  /** Always true: tells a tensor apart from other objects (as TF.js's duck typing does). */
  readonly isTensor = true as const;
  /** A unique id, increasing in creation order. */
  readonly id = nextId++;
  /** The number of elements: the product of the shape (1 for a scalar). */
  readonly size: number;
  /** The number of dimensions (0 for a scalar). */
  readonly rank: number;
  /** Set by `keep`: no enclosing `tidy` disposes this tensor. */
  kept = false;
  /** Autograd holds this tensor for a backward pass: disposal waits until it lets go. */
  tapeRefs = 0;
  /** `dispose` was called while autograd still held the tensor: it is freed when autograd lets go. */
  disposePending = false;
  /**
   * Set once another tensor shares this one's data (a reshape): the tensors reading it.
   * Null while no other does. `shareData` and `writable` use it.
   * @internal
   */
  storage: SharedStorage | null;
  private disposed = false;

  /** Use the factory functions (`tensor`, `zeros`, ...) rather than this constructor. */
  constructor(
    /** The size of each dimension. */
    readonly shape: Shape,
    /** The element type: 'float32', 'int32' or 'bool'. */
    readonly dtype: DataType,
    /** The wasm engine whose memory holds the data. */
    readonly engine: Engine,
    /** Byte offset of the data in wasm memory (16-byte aligned). */
    readonly ptr: number,
    /** The `SharedStorage` of the tensor whose data this one reads (null: the data at `ptr` is new); spelled out so that the public constructor names no internal type. */
    storage: { refs: number } | null = null,
  ) {
    this.size = sizeOf(shape);
    this.rank = shape.length;
    this.storage = storage;
    engine.numTensors++;
    // Bytes and buffers count each block of memory once, however many tensors read it (TF.js's memory()).
    if (storage === null) {
      engine.numBytes += this.size * 4;
      engine.numDataBuffers++;
    } else storage.refs++;
    track(this);
  }

  /** True once the tensor's memory was freed. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Offset of element 0 in the engine's f32 / i32 views. */
  get offset(): number {
    return this.ptr >> 2;
  }

  /**
   * Throws a clear error if the tensor was disposed. Ops call it on every input.
   *
   * @example
   * ```ts
   * const x = fe.tensor1d([1]);
   * x.dispose();
   * try {
   *   x.assertAlive();
   * } catch (e) {
   *   console.log((e as Error).message); // ferrite: tensor (shape [1]) is disposed
   * }
   * ```
   */
  assertAlive(what = 'tensor'): void {
    if (this.disposed) throw new Error(`ferrite: ${what} (shape [${this.shape.join(', ')}]) is disposed`);
  }

  /**
   * A live view of the data in wasm memory: invalid after memory grows or the tensor is disposed.
   * Any allocation or op may grow the memory (the single-thread builds then detach the view:
   * it reads nothing and writes nowhere), so take the view after them, or take it again.
   * Reshapes share the data (as TF.js's do): writing through the view changes them too.
   *
   * @example
   * ```ts
   * const x = fe.tensor1d([1, 2, 3]);
   * x.view()[0]; // 1: no copy; invalid once wasm memory grows
   * ```
   */
  view(): StorageArray {
    this.assertAlive();
    const e = this.engine;
    return this.dtype !== 'float32'
      ? e.i32.subarray(this.offset, this.offset + this.size)
      : e.f32.subarray(this.offset, this.offset + this.size);
  }

  /**
   * A copy of the data.
   *
   * @example
   * ```ts
   * fe.tensor2d([[1, 2], [3, 4]]).dataSync(); // Float32Array [1, 2, 3, 4]
   * ```
   */
  dataSync(): TypedArray {
    const v = this.view();
    return this.dtype === 'bool' ? Uint8Array.from(v) : v.slice();
  }

  /**
   * A copy of the data, flat in row-major order, as a promise (TF.js's `data()`); bool tensors give a Uint8Array.
   *
   * @example
   * ```ts
   * const values = await fe.tensor1d([1, 2]).data();
   * values; // Float32Array [1, 2]
   * ```
   */
  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /**
   * The data as nested arrays of the tensor's shape (a number for a scalar).
   *
   * @example
   * ```ts
   * fe.tensor2d([[1, 2], [3, 4]]).arraySync(); // [[1, 2], [3, 4]]
   * ```
   */
  arraySync(): NestedArray {
    const flat = this.dataSync();
    if (this.rank === 0) return flat[0];
    const build = (dim: number, start: number): NestedArray[] => {
      const n = this.shape[dim];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.rank - 1 ? flat[start + i] : build(dim + 1, start + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /**
   * The data as nested arrays of the tensor's shape, as a promise (TF.js's `array()`).
   *
   * @example
   * ```ts
   * await fe.tensor2d([[1, 2], [3, 4]]).array(); // [[1, 2], [3, 4]]
   * ```
   */
  async array(): Promise<NestedArray> {
    return this.arraySync();
  }

  /**
   * Frees the tensor's memory (deferred while autograd still needs it). Disposing twice does
   * nothing. Data shared with reshapes of the tensor is freed with the last of them.
   *
   * @example
   * ```ts
   * const x = fe.tensor1d([1, 2]);
   * x.dispose();
   * x.isDisposed; // true
   * ```
   */
  dispose(): void {
    if (this.disposed) return;
    if (this.tapeRefs > 0) {
      // A gradient computation still needs it; it is freed when that finishes.
      this.disposePending = true;
      return;
    }
    this.disposed = true;
    this.engine.numTensors--;
    if (this.storage !== null && --this.storage.refs > 0) return; // a reshape still reads the data
    this.engine.free(this.ptr, this.size * 4);
    this.engine.numBytes -= this.size * 4;
    this.engine.numDataBuffers--;
  }

  /**
   * The dtype, shape and up to 20 values, as `print` shows them.
   *
   * @example
   * ```ts
   * fe.tensor1d([1, 2]).toString(); // 'Tensor float32 [2] 1.000, 2.000'
   * ```
   */
  toString(): string {
    const data = this.dataSync();
    const shown = Array.from(data.subarray(0, 20), (v: number) =>
      this.dtype === 'bool' ? String(v !== 0) : this.dtype === 'int32' ? String(v) : v.toPrecision(4),
    );
    return `Tensor ${this.dtype} [${this.shape.join(', ')}] ${shown.join(', ')}${data.length > 20 ? ', ...' : ''}`;
  }

  /**
   * Logs the dtype, shape and first 20 values to the console.
   *
   * @example
   * ```ts
   * fe.tensor2d([[1, 2], [3, 4]]).print(); // Tensor float32 [2, 2] 1.000, 2.000, 3.000, 4.000
   * ```
   */
  print(): void {
    console.log(this.toString());
  }
}

/** Allocates an uninitialised tensor on the current engine (or the given one). */
export function emptyTensor(shape: Shape, dtype: DataType = 'float32', eng: Engine = engine()): Tensor {
  const size = sizeOf(shape);
  const ptr = eng.alloc(size * 4);
  return new Tensor([...shape], dtype, eng, ptr);
}

/** Allocates a zero-filled tensor. */
export function zerosTensor(shape: Shape, dtype: DataType = 'float32', eng: Engine = engine()): Tensor {
  const t = emptyTensor(shape, dtype, eng);
  eng.u8.fill(0, t.ptr, t.ptr + t.size * 4);
  return t;
}

/**
 * A tensor of `shape` (the same number of elements) over x's data, without a copy: what
 * reshape, expandDims, squeeze and flatten return. A variable's data is never shared
 * (optimizers and `assign` write into it in place), so a variable gets a copy, which keeps
 * the values it had, as a reshape of a variable does in TF.js.
 */
export function shareData(x: Tensor, shape: Shape): Tensor {
  if (x instanceof Variable) {
    const y = emptyTensor(shape, x.dtype, x.engine);
    x.engine.u8.copyWithin(y.ptr, x.ptr, x.ptr + x.size * 4);
    return y;
  }
  x.storage ??= { refs: 1 };
  return new Tensor([...shape], x.dtype, x.engine, x.ptr, x.storage);
}

/**
 * `t`, checked to be the only tensor over its data, for code that writes into an existing
 * tensor in place: a write into shared data would change the tensor's reshapes too. Every
 * such writer writes into a variable (which never shares, see `shareData`), an optimizer
 * slot, or scratch its own op made, so a shared target is a bug in Ferrite: this throws
 * instead of corrupting data silently. `writer` names the op for the message.
 */
export function writable<T extends Tensor>(t: T, writer: string): T {
  if (t.storage !== null && t.storage.refs > 1) {
    throw new Error(
      `ferrite: internal error: ${writer} would write in place into a ${t.dtype} [${t.shape.join(', ')}] whose data ${t.storage.refs} tensors share (a reshape of it is alive); please report it`,
    );
  }
  return t;
}

const variableRegistry = new Map<string, Variable>();
let nextVariableId = 0;

/**
 * A tensor whose value changes in place (weights); optimizers update it.
 *
 * @example
 * ```ts
 * const w = new fe.Variable(fe.zeros([2]), true, 'w');
 * w.assign(fe.tensor1d([1, 2]));
 * w.print(); // [1, 2]
 * ```
 */
export class Variable extends Tensor {
  /** The variable's name, unique among live variables. */
  readonly name: string;
  /** False keeps optimizers and gradients off this variable. */
  trainable: boolean;

  constructor(initial: Tensor, trainable = true, name?: string) {
    initial.assertAlive('initial value of variable');
    if (name !== undefined && variableRegistry.has(name)) {
      throw new Error(`ferrite: a variable named '${name}' already exists`);
    }
    const eng = initial.engine;
    super(initial.shape, initial.dtype, eng, eng.alloc(initial.size * 4));
    eng.u8.copyWithin(this.ptr, initial.ptr, initial.ptr + initial.size * 4);
    this.kept = true;
    this.trainable = trainable;
    this.name = name ?? `variable${nextVariableId++}`;
    if (variableRegistry.has(this.name)) {
      throw new Error(`ferrite: a variable named '${this.name}' already exists`);
    }
    variableRegistry.set(this.name, this);
  }

  /**
   * Copies `value` (same shape and dtype) into this variable.
   *
   * @example
   * ```ts
   * const w = fe.variable(fe.zeros([2]));
   * w.assign(fe.tensor1d([3, 4]));
   * w.print(); // [3, 4]
   * ```
   */
  assign(value: Tensor): void {
    value.assertAlive('value assigned to variable');
    this.assertAlive(`variable '${this.name}'`);
    if (value.engine !== this.engine)
      throw new Error(
        `ferrite: cannot assign a tensor from the ${value.engine.name} build to variable '${this.name}' on the ${this.engine.name} build`,
      );
    if (
      value.dtype !== this.dtype ||
      value.shape.length !== this.shape.length ||
      value.shape.some((d, i) => d !== this.shape[i])
    ) {
      throw new Error(
        `ferrite: cannot assign ${value.dtype} [${value.shape.join(', ')}] to variable '${this.name}' of ${this.dtype} [${this.shape.join(', ')}]`,
      );
    }
    writable(this, `variable '${this.name}'.assign`);
    this.engine.u8.copyWithin(this.ptr, value.ptr, value.ptr + value.size * 4);
  }

  /**
   * The variable itself, as a tensor (TF.js's `LayerVariable.read()`, for weights made by `addWeight`).
   *
   * @example
   * ```ts
   * const w = fe.variable(fe.ones([2]));
   * w.read().add(1).print(); // [2, 2]
   * ```
   */
  read(): Tensor {
    this.assertAlive(`variable '${this.name}'`);
    return this;
  }

  /**
   * `assign`, under TF.js's `LayerVariable.write` name.
   *
   * @example
   * ```ts
   * const w = fe.variable(fe.ones([2]));
   * w.write(fe.tensor1d([5, 6])).print(); // [5, 6]
   * ```
   */
  write(value: Tensor): this {
    this.assign(value);
    return this;
  }

  /** Frees the variable's memory and releases its name. */
  override dispose(): void {
    if (!this.isDisposed && this.tapeRefs === 0) variableRegistry.delete(this.name);
    super.dispose();
  }
}

/** All live variables, in creation order. */
export function registeredVariables(): Variable[] {
  return [...variableRegistry.values()];
}

/**
 * Makes a trainable variable holding a copy of `initial`, like `tf.variable`.
 *
 * @example
 * ```ts
 * const w = fe.variable(fe.randomNormal([3, 1]), true, 'weights');
 * w.trainable; // true
 * w.name; // 'weights'
 * ```
 */
export function variable(initial: Tensor, trainable = true, name?: string): Variable {
  return new Variable(initial, trainable, name);
}
