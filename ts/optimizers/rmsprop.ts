// RMSprop as Keras (and TF.js, whose `decay` is Keras' `rho`):
//   ms = rho ms + (1 - rho) g²
//   centered: mg = rho mg + (1 - rho) g, denominator ms - mg² + epsilon; else ms + epsilon
//   inc = lr g / sqrt(denominator)
//   momentum > 0: mom = momentum mom + inc, p -= mom; else p -= inc
// Slots: `${variable}/rms`, `${variable}/momentum` (momentum > 0), `${variable}/mg` (centered).

import type { Tensor, Variable } from '../tensor/tensor.js';
import { checkHyper, Optimizer } from './optimizer.js';
import type { LearningRateSchedule } from './schedules.js';
import type { UpdatePass } from '../backend/core-abi.js';

/**
 * RMSprop as Keras and TF.js compute it (`train.rmsprop`), with optional momentum and the
 * centered form.
 *
 * @example
 * ```ts
 * const opt = fe.train.rmsprop(0.001, 0.9, 0.5);
 * opt.getConfig(); // { learningRate: 0.001, decay: 0.9, momentum: 0.5, epsilon: 1e-7, centered: false }
 * ```
 */
export class RMSPropOptimizer extends Optimizer {
  static override className = 'RMSProp';
  static override configKeys = ['learningRate', 'decay', 'momentum', 'epsilon', 'centered'];
  /** Decay rate of the mean square of gradients (Keras's rho). */
  readonly decay: number;
  /** Momentum applied to the updates (0: none). */
  readonly momentum: number;
  /** Added to the denominator for stability. */
  readonly epsilon: number;
  /** Divide by an estimate of the gradient's variance (mean square minus squared mean) instead of the mean square. */
  readonly centered: boolean;

  constructor(
    learningRate: number | LearningRateSchedule = 0.001,
    decay = 0.9,
    momentum = 0,
    epsilon = 1e-7,
    centered = false,
  ) {
    super(learningRate);
    checkHyper('RMSProp', 'decay (rho)', decay, 0, 1);
    checkHyper('RMSProp', 'momentum', momentum);
    checkHyper('RMSProp', 'epsilon', epsilon);
    this.decay = decay;
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.centered = centered;
  }

  protected slotNames(): string[] {
    return ['rms', 'momentum', 'mg'];
  }

  protected override slotUsed(k: number): boolean {
    return k === 0 || (k === 1 && this.momentum > 0) || (k === 2 && this.centered);
  }

  protected update(
    v: Variable,
    g: Tensor,
    [ms, mom, mg]: (Tensor | null)[],
    pass: UpdatePass,
    backup: number,
  ): boolean {
    return !!v.engine.core.fe_rmsprop_update(
      v.ptr,
      g.ptr,
      ms!.ptr,
      mg ? mg.ptr : 0,
      mom ? mom.ptr : 0,
      v.size,
      this.stepLearningRate,
      this.decay,
      this.momentum,
      this.epsilon,
      pass,
      backup,
    );
  }
}
