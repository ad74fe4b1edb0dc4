// What an output's mask does to its loss and metrics, the Keras 3 way. A model whose
// sequence output carries a mask (Embedding with maskZero or a Masking layer upstream,
// passed on by the recurrent layer with returnSequences and by Dense / TimeDistributed)
// trains only on the unmasked steps: Keras multiplies the mask into the sample weights and
// rescales it by total / valid, so that its 'sum over batch size' reduction becomes the
// mean over the valid steps (keras/src/losses/loss.py, apply_mask). Metrics count the
// unmasked steps only. TF.js's training loop leaves output masks out (a TODO in its
// training.ts), so there Keras is the reference.

import { Tensor } from '../tensor/tensor.js';
import { gather, mul, reshape, sum } from '../ops/index.js';
import { cast } from '../ops/unary.js';

/** Keras's backend.epsilon(): keeps an all-padding batch at loss 0 instead of NaN. */
const EPSILON = 1e-7;

/** Whether `shape` begins with `prefix`. */
function startsWith(shape: readonly number[], prefix: readonly number[]): boolean {
  return prefix.length <= shape.length && prefix.every((d, i) => shape[i] === d);
}

/** The mask as float32 (a layer may give another dtype). */
function asFloat(mask: Tensor): Tensor {
  return mask.dtype === 'float32' ? mask : cast(mask, 'float32');
}

/**
 * The loss of one output over the valid steps of its mask: `perSample` ([batch, steps,
 * ...], already times the sample weights) summed where the mask ([batch, steps], 1 data,
 * 0 padding) is 1, divided by the number of valid entries (+ 1e-7). A scalar. `what`
 * names the output in errors.
 */
export function maskedMeanLoss(perSample: Tensor, mask: Tensor, what: string): Tensor {
  if (!startsWith(perSample.shape, mask.shape)) {
    throw new Error(
      `ferrite: ${what}: its mask has shape [${mask.shape.join(', ')}] but its per-sample loss has shape ` +
        `[${perSample.shape.join(', ')}]; expected the loss's shape to begin with the mask's`,
    );
  }
  const m = asFloat(mask);
  const mv = m.view();
  let valid = 0;
  for (let i = 0; i < mv.length; i++) valid += mv[i];
  const extra = perSample.size / Math.max(1, m.size);
  const broadcast =
    perSample.rank > m.rank ? reshape(m, [...m.shape, ...perSample.shape.slice(m.rank).map(() => 1)]) : m;
  return mul(sum(mul(perSample, broadcast)), 1 / ((valid + EPSILON) * extra));
}

/**
 * Targets and predictions of the valid steps only, for the metrics: both reshaped from
 * [batch, steps, ...] to [batch * steps, ...] and cut to the rows where the mask is not 0.
 * Returns them unchanged when the mask does not fit their leading axes (a metric then
 * sees every step, as without a mask), and null when every step is masked.
 */
export function unmaskedSteps(yTrue: Tensor, pred: Tensor, mask: Tensor): { yTrue: Tensor; pred: Tensor } | null {
  if (mask.rank < 2 || !startsWith(pred.shape, mask.shape) || !startsWith(yTrue.shape, mask.shape))
    return { yTrue, pred };
  const mv = asFloat(mask).view();
  const rows: number[] = [];
  for (let i = 0; i < mv.length; i++) if (mv[i] !== 0) rows.push(i);
  if (rows.length === 0) return null;
  if (rows.length === mv.length) return { yTrue, pred };
  const flat = (t: Tensor): Tensor => reshape(t, [mask.size, ...t.shape.slice(mask.rank)]);
  const idx = Int32Array.from(rows);
  return { yTrue: gather(flat(yTrue), idx), pred: gather(flat(pred), idx) };
}

/** The distinct masks of a list (a layer may pass one mask on to several outputs). */
export function distinctMasks(masks: readonly (Tensor | null)[]): Tensor[] {
  return [...new Set(masks.filter((m): m is Tensor => m instanceof Tensor))];
}
