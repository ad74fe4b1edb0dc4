// Random tensors (TF.js names) from the counter-based generator in core-rs/src/random.rs.
//
// Element i of a draw depends only on (seed, stream, i), so results do not depend on
// how the kernel splits its work over threads.
//
// Seeds:
// - With an explicit `seed`, a draw is a pure function of (seed, shape): the same seed
//   gives the same values on every call, as in TF.js.
// - Without one, draws come from the global stream: each draw takes the next stream
//   number under the global seed. `setRandomSeed(s)` sets the seed and rewinds the
//   stream, so a whole program (weight initialisation, dropout masks, shuffling that
//   uses these ops) replays exactly. Until it is called, the global seed is taken from
//   Math.random() once at startup, so unseeded runs differ, as in Keras.

import { engine } from '../backend/engine.js';
import { checkShape, emptyTensor, type DataType, type Shape, type Tensor } from '../tensor/tensor.js';
import { fmtShape, named } from './util.js';

/** Key words, stream number and tag of one draw, as the kernels take them. */
export type StreamArgs = [key0: number, key1: number, stream: number, tag: number];

const TWO_32 = 2 ** 32;

let globalKey: [number, number] = [(Math.random() * TWO_32) >>> 0, (Math.random() * TWO_32) >>> 0];
let globalStream = 0;

/** The 64-bit key of a seed: an integer (|seed| < 2^53) or a string (as TF.js allows). */
function seedWords(op: string, seed: number | string): [number, number] {
  if (typeof seed === 'string') {
    // FNV-1a over the UTF-16 code units, twice with different offsets: two 32-bit words.
    let a = 0x811c9dc5;
    let b = 0x6c62272e;
    for (let i = 0; i < seed.length; i++) {
      a = Math.imul(a ^ seed.charCodeAt(i), 0x01000193) >>> 0;
      b = Math.imul(b ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    }
    return [a, b];
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new Error(`ferrite: ${op}: seed must be an integer of magnitude below 2^53 or a string, got ${String(seed)}`);
  }
  // The low word, and the high word modulo 2^32 (so negative seeds are distinct keys).
  return [seed >>> 0, Math.floor(seed / TWO_32) >>> 0];
}

/**
 * Seeds the global random stream and rewinds it: every later draw without an explicit
 * seed (randomUniform, randomNormal, truncatedNormal, dropout, initializers) replays
 * the same sequence. Like `tf.random.set_seed` / `keras.utils.set_random_seed`.
 *
 * @example
 * ```ts
 * fe.setRandomSeed(42);
 * const a = fe.randomNormal([3]);
 * fe.setRandomSeed(42);
 * fe.randomNormal([3]).equal(a).all().print(); // true: the same draw again
 * ```
 */
export function setRandomSeed(seed: number | string): void {
  globalKey = seedWords('setRandomSeed', seed);
  globalStream = 0;
}

/** The global stream's position: its key and next stream number. */
export interface RandomState {
  readonly key: readonly [number, number];
  readonly stream: number;
}

/** Where the global stream is now (to put it back with `restoreRandomState`). */
export function randomState(): RandomState {
  return { key: [globalKey[0], globalKey[1]], stream: globalStream };
}

/** Puts the global stream back where `randomState()` found it. */
export function restoreRandomState(state: RandomState): void {
  globalKey = [state.key[0], state.key[1]];
  globalStream = state.stream;
}

/**
 * The counters for one draw: fixed by `seed` when given, else the next stream of the
 * global sequence. Ops that draw random numbers (dropout) call this once per draw.
 */
export function nextStream(op: string, seed?: number | string | null): StreamArgs {
  if (seed !== undefined && seed !== null) {
    const [k0, k1] = seedWords(op, seed);
    return [k0, k1, 0, 0];
  }
  const stream = globalStream;
  globalStream = (globalStream + 1) >>> 0;
  return [globalKey[0], globalKey[1], stream, 1];
}

function checkFinite(op: string, name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`ferrite: ${op}: ${name} must be a finite number, got ${String(v)}`);
}

function checkDtype(op: string, dtype: DataType, allowed: DataType[]): void {
  if (!allowed.includes(dtype))
    throw new Error(`ferrite: ${op}: dtype must be ${allowed.join(' or ')}, got '${String(dtype)}'`);
}

/**
 * Uniform values in [minval, maxval); for int32 (integer bounds), integers uniformly in [minval, maxval).
 *
 * @example
 * ```ts
 * fe.randomUniform([2, 3], -1, 1).shape; // [2, 3], values in [-1, 1)
 * fe.randomUniform([4], 0, 10, 'int32').dtype; // 'int32', integers in [0, 10)
 * ```
 */
export function randomUniform(
  shape: Shape,
  minval = 0,
  maxval = 1,
  dtype: DataType = 'float32',
  seed?: number | string,
): Tensor {
  const op = 'randomUniform';
  checkShape(shape);
  checkFinite(op, 'minval', minval);
  checkFinite(op, 'maxval', maxval);
  checkDtype(op, dtype, ['float32', 'int32']);
  if (maxval < minval)
    throw new Error(`ferrite: ${op}: maxval (${maxval}) must be >= minval (${minval}) for shape ${fmtShape(shape)}`);
  if (dtype === 'int32') {
    const int32 = (v: number) => Number.isInteger(v) && v >= -(2 ** 31) && v <= 2 ** 31;
    if (!int32(minval) || !int32(maxval) || maxval === minval || maxval - minval > 0xffffffff) {
      throw new Error(
        `ferrite: ${op}: int32 draws need integer bounds with minval < maxval (within int32), got [${minval}, ${maxval})`,
      );
    }
  }
  const s = nextStream(op, seed);
  const eng = engine();
  const out = emptyTensor(shape, dtype, eng);
  if (dtype === 'float32') {
    eng.core.fe_random_uniform(out.ptr, out.size, ...s, Math.fround(minval), Math.fround(maxval));
  } else {
    eng.core.fe_random_uniform_int(out.ptr, out.size, ...s, minval, maxval - minval);
  }
  return out;
}

/** randomNormal and truncatedNormal: `shape` drawn from a normal distribution of `mean` and `stdDev`. @inline */
type NormalSampler = (shape: Shape, mean?: number, stdDev?: number, dtype?: DataType, seed?: number | string) => Tensor;

function normalSampler(op: 'randomNormal' | 'truncatedNormal'): NormalSampler {
  return named(op, (shape, mean = 0, stdDev = 1, dtype = 'float32', seed) => {
    checkShape(shape);
    checkFinite(op, 'mean', mean);
    checkFinite(op, 'stdDev', stdDev);
    checkDtype(op, dtype, ['float32']);
    if (stdDev < 0) throw new Error(`ferrite: ${op}: stdDev must be >= 0, got ${stdDev}`);
    const s = nextStream(op, seed);
    const eng = engine();
    const out = emptyTensor(shape, 'float32', eng);
    const draw = op === 'randomNormal' ? eng.core.fe_random_normal : eng.core.fe_random_truncated_normal;
    draw(out.ptr, out.size, ...s, mean, stdDev);
    return out;
  });
}

/**
 * Normal values with the given mean and standard deviation (Box-Muller over Philox).
 *
 * @example
 * ```ts
 * const x = fe.randomNormal([1000], 5, 2);
 * fe.moments(x).mean.print(); // about 5
 * ```
 */
export const randomNormal = normalSampler('randomNormal');

/**
 * Normal values redrawn until within 2 standard deviations of the mean, as TF's
 * truncated_normal: the result lies in (mean - 2 stdDev, mean + 2 stdDev) and its
 * standard deviation is about 0.88 stdDev.
 *
 * @example
 * ```ts
 * const x = fe.truncatedNormal([1000], 0, 1);
 * fe.max(fe.abs(x)).print(); // below 2
 * ```
 */
export const truncatedNormal = normalSampler('truncatedNormal');
