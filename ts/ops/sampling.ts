// Sampling along the last axis, with TF.js's names: `topk` (the k largest values and
// their indices) and `multinomial` (draws from categorical distributions), both Rust
// kernels threaded over rows (core-rs/src/sampling.rs); and `sample`, what text
// generation needs: one draw per row with a temperature and an optional top-k cut.
// None is differentiable (indices have no gradient).

import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { nextStream } from './random.js';
import { softmax } from './softmax.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/**
 * The k largest entries of each row of x (along the last axis), as TF.js's `tf.topk`:
 * values (float32) and indices (int32), of shape [...x.shape without the last, k].
 * Largest first; equal values by smaller index first, as TF.js orders them. `sorted`
 * false is accepted for TF.js compatibility: the result is sorted either way (TF.js
 * leaves the order unspecified then). NaN ranks above every number.
 *
 * @example
 * ```ts
 * const { values, indices } = fe.topk(fe.tensor1d([1, 4, 2, 5]), 2);
 * values.print(); // [5, 4]
 * indices.print(); // [3, 1]
 * ```
 */
export function topk(
  x: Tensor,
  k = 1,
  sorted = true,
): {
  /** The k largest entries of each last-axis row. */
  values: Tensor;
  /** int32: their indices in the row. */
  indices: Tensor;
} {
  const eng = checkInputs('topk', x);
  checkFloat('topk', x, 'x');
  if (typeof sorted !== 'boolean') throw new Error(`ferrite: topk: sorted must be a boolean, got ${String(sorted)}`);
  if (x.rank < 1) throw new Error(`ferrite: topk: x must have rank >= 1, got a scalar`);
  const n = x.shape[x.rank - 1];
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new Error(
      `ferrite: topk: k must be an integer in [0, ${n}] (the last dimension of ${fmtShape(x.shape)}), got ${k}`,
    );
  const outShape = [...x.shape.slice(0, -1), k];
  const values = emptyTensor(outShape, 'float32', eng);
  const indices = emptyTensor(outShape, 'int32', eng);
  const rows = n === 0 ? 0 : x.size / n;
  if (k > 0 && rows > 0) eng.core.fe_topk(x.ptr, values.ptr, indices.ptr, rows, n, k);
  return { values, indices };
}

/** Throws naming `op` when a row of probabilities holds a NaN or a negative value. */
function checkProbabilities(op: string, probs: Tensor, what: string): void {
  const v = probs.view();
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] >= 0)) {
      const n = probs.shape[probs.rank - 1];
      throw new Error(
        `ferrite: ${op}: ${what} of row ${Math.floor(i / n)} holds ${v[i]} at class ${i % n}; expected finite ${what === 'logits' ? 'logits' : 'non-negative probabilities'}`,
      );
    }
  }
}

/**
 * Draws `numSamples` classes per row, as TF.js's `tf.multinomial`: logits is [classes]
 * or [batch, classes] (unnormalized log-probabilities, or probabilities with `normalized`
 * true); the result is int32 [numSamples] or [batch, numSamples]. With a `seed` the draw
 * is a pure function of (seed, input), else it takes the next stream of the global random
 * sequence (see setRandomSeed). With `normalized`, the last class takes whatever mass the
 * others leave, as in TF.js.
 *
 * @example
 * ```ts
 * const logits = fe.tensor2d([[0, 0, 10], [10, 0, 0]]);
 * fe.multinomial(logits, 3, 7).print(); // almost surely [[2, 2, 2], [0, 0, 0]]
 * ```
 */
export function multinomial(logits: Tensor, numSamples: number, seed?: number, normalized = false): Tensor {
  const op = 'multinomial';
  const eng = checkInputs(op, logits);
  checkFloat(op, logits, 'logits');
  if (logits.rank !== 1 && logits.rank !== 2)
    throw new Error(`ferrite: ${op}: logits must be [classes] or [batch, classes], got ${fmtShape(logits.shape)}`);
  const n = logits.shape[logits.rank - 1];
  if (n < 2) throw new Error(`ferrite: ${op}: needs at least 2 classes, got ${fmtShape(logits.shape)}`);
  if (!Number.isInteger(numSamples) || numSamples < 1)
    throw new Error(`ferrite: ${op}: numSamples must be a positive integer, got ${String(numSamples)}`);
  const rows = logits.rank === 1 ? 1 : logits.shape[0];
  const stream = nextStream(op, seed);
  const out = emptyTensor(logits.rank === 1 ? [numSamples] : [rows, numSamples], 'int32', eng);
  return disposeOnError(out, () => {
    const probs = normalized ? logits : softmax(logits);
    checkProbabilities(op, probs, normalized ? 'probabilities' : 'logits');
    eng.core.fe_multinomial(probs.ptr, out.ptr, rows, n, numSamples, ...stream, 0);
  });
}

/** Options of `sample`. */
export interface SampleOptions {
  /**
   * Divides the log-probabilities before drawing: below 1 sharpens the distribution, above
   * 1 flattens it; 0 always takes the most likely class (greedy). Default 1.
   */
  temperature?: number;
  /** Draw only among the topK most likely classes of each row (default: all). */
  topK?: number;
  /** True when `distribution` holds logits; default false: probabilities (a softmax layer's output). */
  fromLogits?: boolean;
  /** A fixed seed (else the global random stream). */
  seed?: number;
}

/**
 * One class per row of `distribution` ([classes] or [batch, classes]) drawn with a
 * temperature and an optional top-k cut, for text generation: int32 of shape [] or
 * [batch]. Probabilities p become logits log p (0 becomes -inf, never drawn).
 *
 * @example
 * ```ts
 * const probs = fe.tensor2d([[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]); // a softmax's output
 * fe.sample(probs, { temperature: 0.8, topK: 2, seed: 1 }).shape; // [2]: one class per row
 * fe.sample(probs, { temperature: 0 }).print(); // [2, 0]: greedy
 * ```
 */
export function sample(distribution: Tensor, opts: SampleOptions = {}): Tensor {
  const op = 'sample';
  const eng = checkInputs(op, distribution);
  checkFloat(op, distribution, 'distribution');
  if (distribution.rank !== 1 && distribution.rank !== 2)
    throw new Error(
      `ferrite: ${op}: distribution must be [classes] or [batch, classes], got ${fmtShape(distribution.shape)}`,
    );
  const { temperature = 1, fromLogits = false, seed } = opts;
  const n = distribution.shape[distribution.rank - 1];
  const topK = opts.topK ?? n;
  if (typeof temperature !== 'number' || !(temperature >= 0) || !Number.isFinite(temperature))
    throw new Error(`ferrite: ${op}: temperature must be a finite number >= 0, got ${String(temperature)}`);
  if (!Number.isInteger(topK) || topK < 1 || topK > n)
    throw new Error(`ferrite: ${op}: topK must be an integer in [1, ${n}], got ${String(opts.topK)}`);
  const rows = distribution.rank === 1 ? 1 : distribution.shape[0];
  const chosen = emptyTensor(distribution.rank === 1 ? [] : [rows], 'int32', eng);
  return disposeOnError(chosen, () => {
    // The candidates of each row, best first: all classes, or the topK best.
    const k = temperature === 0 ? 1 : topK;
    if (k === n && n > 1) {
      // No cut: every class is a candidate, so no ranking is needed (a sort of all 10,000
      // classes per generated token would cost more than the draw).
      const logits = emptyTensor([rows, n], 'float32', eng);
      // Views are taken after each allocation (and multinomial's): growing the memory
      // detaches the views taken before it in the single-thread builds.
      const v = distribution.view() as Float32Array;
      const z = logits.view();
      for (let i = 0; i < v.length; i++) {
        if (!fromLogits && !(v[i] >= 0))
          throw new Error(
            `ferrite: ${op}: probabilities of row ${Math.floor(i / n)} hold ${v[i]}; expected values >= 0`,
          );
        z[i] = (fromLogits ? v[i] : Math.log(v[i])) / temperature;
      }
      const picks = multinomial(logits, 1, seed).view();
      const chosenIds = chosen.view();
      for (let r = 0; r < rows; r++) chosenIds[r] = picks[r];
      return;
    }
    const { values, indices } = topk(distribution, k);
    if (k === 1) {
      const [candidates, out] = [indices.view(), chosen.view()];
      for (let r = 0; r < rows; r++) out[r] = candidates[r];
      return;
    }
    const logits = emptyTensor([rows, k], 'float32', eng);
    const v = values.view() as Float32Array;
    const z = logits.view();
    for (let i = 0; i < v.length; i++) {
      if (!fromLogits && !(v[i] >= 0))
        throw new Error(`ferrite: ${op}: probabilities of row ${Math.floor(i / k)} hold ${v[i]}; expected values >= 0`);
      z[i] = (fromLogits ? v[i] : Math.log(v[i])) / temperature;
    }
    const picks = multinomial(logits, 1, seed).view();
    const [candidates, out] = [indices.view(), chosen.view()];
    for (let r = 0; r < rows; r++) out[r] = candidates[r * k + picks[r]];
  });
}

/** Runs `fill` (in a tidy scope) to compute `out`; frees `out` if it throws. */
function disposeOnError(out: Tensor, fill: () => void): Tensor {
  try {
    tidy(fill);
  } catch (e) {
    out.dispose();
    throw e;
  }
  return out;
}
