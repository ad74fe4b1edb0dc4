// The dropout of the recurrent layers and cells, shared by both: the checks of the
// `dropout` / `recurrentDropout` options and the per-sequence masks. A sequence draws its
// masks once, while training, and uses the same ones at every step (Keras and TF.js):
// the input mask multiplies x, the recurrent mask h_prev. TF.js draws 4 masks (LSTM) or
// 3 (GRU) of each kind but only ever uses the first, so one of each is its semantics.
// The layers' fused kernels take the recurrent mask as an operand; the cells multiply.

import type { Tensor } from '../../tensor/tensor.js';
import { mul } from '../../ops/arithmetic.js';
import { dropoutMask } from '../../ops/dropout.js';
import { keep } from '../../tensor/scope.js';

/** A dropout rate option checked: a number in [0, 1) (default 0), or an error naming the layer. */
export function checkDropoutRate(layer: string, option: 'dropout' | 'recurrentDropout', value: unknown): number {
  const rate = value ?? 0;
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
    throw new Error(`ferrite: ${layer}: ${option} must be a number in [0, 1), got ${String(value)}`);
  return rate;
}

/**
 * The recurrent dropout mask of one sequence: [batch, units] of 0 or 1 / (1 - rate) while
 * training with a rate above 0, else null (inference is unchanged). Follows `setRandomSeed`.
 */
export function recurrentDropoutMask(training: boolean, rate: number, batch: number, units: number): Tensor | null {
  return training && rate > 0 ? dropoutMask([batch, units], rate) : null;
}

/**
 * A cell's masks for the sequence it is stepping through: drawn at the first training step
 * (input mask first, then recurrent, as TF.js and the layers draw them), reused until
 * `reset()`, which `rnn` calls before and after each sequence.
 */
export class SequenceDropout {
  private input: Tensor | null = null;
  private recurrent: Tensor | null = null;

  constructor(
    readonly dropout: number,
    readonly recurrentDropout: number,
  ) {}

  /** [x * input mask, h_prev * recurrent mask] (each unchanged when not training or its rate is 0). */
  apply(x: Tensor, h: Tensor, training: boolean): [Tensor, Tensor] {
    if (!training) return [x, h];
    // Kept: the masks outlive the tidy scope of the step that draws them.
    if (this.dropout > 0) this.input ??= keep(dropoutMask(x.shape, this.dropout));
    if (this.recurrentDropout > 0) this.recurrent ??= keep(dropoutMask(h.shape, this.recurrentDropout));
    return [this.input ? mul(x, this.input) : x, this.recurrent ? mul(h, this.recurrent) : h];
  }

  /** Forgets the masks: the next sequence draws its own. */
  reset(): void {
    this.input?.dispose();
    this.recurrent?.dispose();
    this.input = null;
    this.recurrent = null;
  }
}
