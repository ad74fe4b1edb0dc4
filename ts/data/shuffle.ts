// Reproducible shuffling and train/test splitting of tensors along their first axis.

import { checkInputs } from '../ops/util.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';

/** mulberry32: a small seeded PRNG with uniform output in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random permutation of 0..n-1 (Fisher-Yates); seeded when `seed` is given. */
export function permutation(n: number, seed?: number): Int32Array {
  const rand = seed === undefined ? Math.random : seededRandom(seed);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** New tensor made of rows `order[from .. from + count)` of `t` (rows along axis 0). */
function takeRows(t: Tensor, order: Int32Array, from: number, count: number): Tensor {
  const rowBytes = (t.size / t.shape[0]) * 4;
  const out = emptyTensor([count, ...t.shape.slice(1)], t.dtype, t.engine);
  const u8 = t.engine.u8; // after the allocation, which may have grown memory
  for (let i = 0; i < count; i++) {
    const src = t.ptr + order[from + i] * rowBytes;
    u8.copyWithin(out.ptr + i * rowBytes, src, src + rowBytes);
  }
  return out;
}

function checkRows(op: string, tensors: Tensor[]): number {
  if (tensors.length === 0) throw new Error(`ferrite: ${op}: needs at least one tensor`);
  checkInputs(op, ...tensors);
  const n = tensors[0].shape[0];
  tensors.forEach((t, i) => {
    if (t.rank === 0) throw new Error(`ferrite: ${op}: tensor ${i} is a scalar; rows are taken along axis 0`);
    if (t.shape[0] !== n) {
      throw new Error(
        `ferrite: ${op}: all tensors need the same number of rows: tensor 0 has ${n} ([${tensors[0].shape.join(', ')}]), tensor ${i} has ${t.shape[0]} ([${t.shape.join(', ')}])`,
      );
    }
  });
  return n;
}

/**
 * Shuffles several tensors along axis 0 with one permutation (inputs and labels stay
 * paired), like sklearn's `shuffle(x, y)`. Returns new tensors; the inputs are unchanged.
 *
 * @example
 * ```ts
 * const x = fe.tensor2d([[1], [2], [3]]);
 * const y = fe.tensor1d([1, 2, 3]);
 * const [xs, ys] = fe.shuffle([x, y], { seed: 1 }); // the same order for both
 * fe.equal(xs.reshape([3]), ys).all().print(); // true: rows still paired
 * ```
 */
export function shuffle(tensors: Tensor[], opts: { seed?: number } = {}): Tensor[] {
  const n = checkRows('shuffle', tensors);
  const order = permutation(n, opts.seed);
  return tensors.map((t) => takeRows(t, order, 0, n));
}

/**
 * Options of `trainTestSplit`.
 *
 * @example
 * ```ts
 * const x = fe.randomNormal([10, 3]);
 * const { train, test } = fe.trainTestSplit(x, fe.range(0, 10), { testSize: 0.2, seed: 7 });
 * test.x.shape; // [2, 3]
 * ```
 */
export interface TrainTestSplitOptions {
  /** Fraction (0 < f < 1) or number of samples that go to the test split. Default 0.25, as sklearn. */
  testSize?: number;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle (default: unseeded, Math.random). */
  seed?: number;
}

/**
 * Splits inputs and labels into train and test parts along axis 0, like sklearn's
 * `train_test_split`. Returns new tensors.
 *
 * @example
 * ```ts
 * const x = fe.randomNormal([100, 4]);
 * const y = fe.randomUniform([100], 0, 3, 'int32');
 * const { train, test } = fe.trainTestSplit(x, y, { testSize: 25, seed: 0 });
 * [train.x.shape[0], test.y.shape[0]]; // [75, 25]
 * ```
 */
export function trainTestSplit(
  x: Tensor,
  y: Tensor,
  opts: TrainTestSplitOptions = {},
): {
  /** The training part: inputs `x` and labels `y`. */
  train: {
    /** Inputs. */
    x: Tensor;
    /** Labels. */
    y: Tensor;
  };
  /** The test part: inputs `x` and labels `y`. */
  test: {
    /** Inputs. */
    x: Tensor;
    /** Labels. */
    y: Tensor;
  };
} {
  const { testSize = 0.25, shuffle: doShuffle = true, seed } = opts;
  const n = checkRows('trainTestSplit', [x, y]);
  const nTest = testSize > 0 && testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!Number.isInteger(nTest) || nTest < 0 || nTest > n) {
    throw new Error(
      `ferrite: trainTestSplit: testSize must be a fraction in (0, 1) or a count in [0, ${n}], got ${testSize}`,
    );
  }
  let order: Int32Array;
  if (doShuffle) order = permutation(n, seed);
  else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const nTrain = n - nTest;
  return {
    train: { x: takeRows(x, order, 0, nTrain), y: takeRows(y, order, 0, nTrain) },
    test: { x: takeRows(x, order, nTrain, nTest), y: takeRows(y, order, nTrain, nTest) },
  };
}
