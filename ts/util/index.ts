// `tf.util`: the small helpers TF.js programs call (assert, shuffle, createShuffledIndices,
// now, sizeFromShape, arraysEqual, flatten, ...), with TF.js's signatures and behaviour.
// Randomness comes from Math.random, as in TF.js (seed Ferrite's own ops with setRandomSeed).

/** An array or typed array: anything with a length and numeric indices. @inline */
type Indexable = { length: number; [i: number]: unknown };

/**
 * Throws `new Error(msg())` unless `expr` holds (the message is built only on failure).
 *
 * @example
 * ```ts
 * fe.util.assert(2 > 1, () => 'never shown');
 * try { fe.util.assert(false, () => 'shape mismatch'); } catch (e) { console.log((e as Error).message); } // shape mismatch
 * ```
 */
export function assert(expr: boolean, msg: () => string): void {
  if (!expr) throw new Error(typeof msg === 'string' ? msg : msg());
}

/**
 * Shuffles `array` in place (Fisher-Yates).
 *
 * @example
 * ```ts
 * const a = [1, 2, 3, 4, 5];
 * fe.util.shuffle(a); // a is now in random order
 * ```
 */
export function shuffle(array: Indexable): void {
  for (let i = array.length - 1; i > 0; i--) swap(array, i, Math.floor(Math.random() * (i + 1)));
}

/**
 * Shuffles `array` and `array2` in place with one permutation; they must have the same length.
 *
 * @example
 * ```ts
 * const xs = [1, 2, 3];
 * const ys = ['a', 'b', 'c'];
 * fe.util.shuffleCombo(xs, ys); // the same permutation for both: pairs stay together
 * ```
 */
export function shuffleCombo(array: Indexable, array2: Indexable): void {
  if (array.length !== array2.length) {
    throw new Error(
      `ferrite: util.shuffleCombo: the arrays must have the same length, got ${array.length} and ${array2.length}`,
    );
  }
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    swap(array, i, j);
    swap(array2, i, j);
  }
}

/**
 * 0..n-1 in random order, as a Uint32Array.
 *
 * @example
 * ```ts
 * fe.util.createShuffledIndices(4); // Uint32Array holding 0, 1, 2, 3 in random order
 * ```
 */
export function createShuffledIndices(n: number): Uint32Array {
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  shuffle(indices);
  return indices;
}

/**
 * Swaps two entries of an array in place.
 *
 * @example
 * ```ts
 * const a = [1, 2, 3];
 * fe.util.swap(a, 0, 2);
 * a; // [3, 2, 1]
 * ```
 */
export function swap(array: Indexable, left: number, right: number): void {
  const t = array[left];
  array[left] = array[right];
  array[right] = t;
}

/**
 * Milliseconds, with sub-millisecond precision (performance.now).
 *
 * @example
 * ```ts
 * const start = fe.util.now();
 * fe.matMul(fe.ones([64, 64]), fe.ones([64, 64]));
 * const ms = fe.util.now() - start; // elapsed milliseconds
 * ```
 */
export function now(): number {
  return performance.now();
}

/**
 * The number of elements of a tensor of `shape` (1 for a scalar).
 *
 * @example
 * ```ts
 * fe.util.sizeFromShape([2, 3, 4]); // 24
 * ```
 */
export function sizeFromShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Element strides of a row-major tensor of `shape`, without the last axis's 1 (TF.js's form).
 *
 * @example
 * ```ts
 * fe.util.computeStrides([2, 3, 4]); // [12, 4]
 * ```
 */
export function computeStrides(shape: readonly number[]): number[] {
  const strides: number[] = [];
  for (let i = shape.length - 2, s = 1; i >= 0; i--) strides.unshift((s *= shape[i + 1]));
  return strides;
}

/**
 * True when two arrays (or typed arrays) hold the same values in the same order.
 *
 * @example
 * ```ts
 * fe.util.arraysEqual([1, 2], new Float32Array([1, 2])); // true
 * ```
 */
export function arraysEqual(n1: ArrayLike<unknown>, n2: ArrayLike<unknown>): boolean {
  if (n1 === n2) return true;
  if (n1 == null || n2 == null || n1.length !== n2.length) return false;
  for (let i = 0; i < n1.length; i++) if (n1[i] !== n2[i]) return false;
  return true;
}

/**
 * True for a Float32Array, Int32Array, Uint8Array or Uint8ClampedArray (TF.js's util.isTypedArray).
 *
 * @example
 * ```ts
 * fe.util.isTypedArray(new Float32Array(2)); // true
 * fe.util.isTypedArray([1, 2]); // false
 * ```
 */
export function isTypedArray(a: unknown): a is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray {
  return (
    a instanceof Float32Array || a instanceof Int32Array || a instanceof Uint8Array || a instanceof Uint8ClampedArray
  );
}

/**
 * The leaves of nested arrays in order, appended to `result`; typed arrays are spread
 * unless `skipTypedArray` (then kept as leaves), as TF.js.
 *
 * @example
 * ```ts
 * fe.util.flatten([[1, 2], [3, [4]]]); // [1, 2, 3, 4]
 * ```
 */
export function flatten<T>(arr: unknown, result: T[] = [], skipTypedArray = false): T[] {
  if (Array.isArray(arr) || (isTypedArray(arr) && !skipTypedArray)) {
    for (let i = 0; i < (arr as ArrayLike<unknown>).length; i++) {
      flatten((arr as ArrayLike<unknown>)[i], result, skipTypedArray);
    }
  } else {
    result.push(arr as T);
  }
  return result;
}

/**
 * `x` limited to [min, max].
 *
 * @example
 * ```ts
 * fe.util.clamp(0, 1.5, 1); // 1
 * ```
 */
export function clamp(min: number, x: number, max: number): number {
  return Math.max(min, Math.min(x, max));
}

/**
 * The sum of an array's numbers.
 *
 * @example
 * ```ts
 * fe.util.sum([1, 2, 3]); // 6
 * ```
 */
export function sum(arr: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < arr.length; i++) s += arr[i];
  return s;
}

/**
 * A uniform random number in [a, b).
 *
 * @example
 * ```ts
 * fe.util.randUniform(-1, 1); // a number in [-1, 1)
 * ```
 */
export function randUniform(a: number, b: number): number {
  return Math.random() * (b - a) + a;
}

/**
 * The squared Euclidean distance between two arrays of the same length.
 *
 * @example
 * ```ts
 * fe.util.distSquared([0, 0], [3, 4]); // 25
 * ```
 */
export function distSquared(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

/**
 * `val` itself if even, else `val + 1`.
 *
 * @example
 * ```ts
 * fe.util.nearestLargerEven(5); // 6
 * ```
 */
export function nearestLargerEven(val: number): number {
  return val % 2 === 0 ? val : val + 1;
}

/**
 * `a` padded with spaces on the right to `size` characters.
 *
 * @example
 * ```ts
 * fe.util.rightPad('ab', 4); // 'ab  '
 * ```
 */
export function rightPad(a: string, size: number): string {
  return size <= a.length ? a : a + ' '.repeat(size - a.length);
}

/**
 * True for a string primitive or String object.
 *
 * @example
 * ```ts
 * fe.util.isString('a'); // true
 * ```
 */
export const isString = (value: unknown): value is string => typeof value === 'string' || value instanceof String;
/**
 * True for a number primitive.
 *
 * @example
 * ```ts
 * fe.util.isNumber(NaN); // true
 * ```
 */
export const isNumber = (value: unknown): value is number => typeof value === 'number';
/**
 * True for a boolean primitive.
 *
 * @example
 * ```ts
 * fe.util.isBoolean(false); // true
 * ```
 */
export const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
/**
 * True for a function.
 *
 * @example
 * ```ts
 * fe.util.isFunction(fe.tensor); // true
 * ```
 */
export const isFunction = (f: unknown): f is (...args: never[]) => unknown => typeof f === 'function';

/**
 * UTF-8 bytes of a string (TF.js's encodeString; only utf-8).
 *
 * @example
 * ```ts
 * fe.util.encodeString('hé'); // Uint8Array [104, 195, 169]
 * ```
 */
export function encodeString(s: string, encoding = 'utf-8'): Uint8Array {
  if (encoding.toLowerCase().replace('-', '') !== 'utf8')
    throw new Error(`ferrite: util.encodeString: only utf-8 is supported, got '${encoding}'`);
  return new TextEncoder().encode(s);
}

/**
 * The string of UTF-8 bytes (TF.js's decodeString; only utf-8).
 *
 * @example
 * ```ts
 * fe.util.decodeString(new Uint8Array([104, 195, 169])); // 'hé'
 * ```
 */
export function decodeString(bytes: Uint8Array, encoding = 'utf-8'): string {
  return new TextDecoder(encoding).decode(bytes);
}

/**
 * A flat array as nested arrays of `shape` (`toNestedArray([2, 2], [1, 2, 3, 4])` is [[1, 2], [3, 4]]).
 *
 * @example
 * ```ts
 * fe.util.toNestedArray([2, 2], [1, 2, 3, 4]); // [[1, 2], [3, 4]]
 * ```
 */
export function toNestedArray(shape: readonly number[], a: ArrayLike<number>): unknown {
  if (shape.length === 0) return a[0];
  const size = sizeFromShape(shape);
  if (size !== a.length)
    throw new Error(`ferrite: util.toNestedArray: shape [${shape.join(', ')}] needs ${size} values, got ${a.length}`);
  const build = (dim: number, offset: number): unknown[] => {
    const n = shape[dim];
    const stride = sizeFromShape(shape.slice(dim + 1));
    const out: unknown[] = [];
    for (let i = 0; i < n; i++)
      out.push(dim === shape.length - 1 ? a[offset + i] : build(dim + 1, offset + i * stride));
    return out;
  };
  return build(0, 0);
}
