// Adamax as TF.js (Kingma & Ba's infinity-norm variant of Adam):
//   m = beta1 m + (1 - beta1) g;  u = max(beta2 u, |g|)
//   p -= lr_t / (1 - beta1^t) · m / (u + epsilon),  lr_t = lr / (1 + decay (t - 1))
// with t = 1 on the first step. Slots: `${variable}/m`, `${variable}/v` (u, TF.js's name).

import type { Tensor, Variable } from '../tensor/tensor.js';
import { checkHyper, Optimizer } from './optimizer.js';
import type { LearningRateSchedule } from './schedules.js';
import type { UpdatePass } from '../backend/core-abi.js';

/**
 * Adamax as TF.js (`train.adamax`): Adam's infinity-norm variant.
 *
 * @example
 * ```ts
 * fe.train.adamax(0.002).getClassName(); // 'Adamax'
 * ```
 */
export class AdamaxOptimizer extends Optimizer {
  static override className = 'Adamax';
  static override configKeys = ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay'];
  /** Decay rate of the first-moment estimate. */
  readonly beta1: number;
  /** Decay rate of the infinity norm: u = max(beta2 · u, |g|). */
  readonly beta2: number;
  /** Added to the denominator for stability. */
  readonly epsilon: number;
  /** Learning-rate decay per step: lr_t = lr / (1 + decay (t - 1)). */
  readonly decay: number;

  constructor(
    learningRate: number | LearningRateSchedule = 0.002,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon = 1e-7,
    decay = 0,
  ) {
    super(learningRate);
    checkHyper('Adamax', 'beta1', beta1, 0, 1, true);
    checkHyper('Adamax', 'beta2', beta2, 0, 1);
    checkHyper('Adamax', 'epsilon', epsilon);
    checkHyper('Adamax', 'decay', decay);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.decay = decay;
  }

  protected slotNames(): string[] {
    return ['m', 'v'];
  }

  protected update(v: Variable, g: Tensor, [m, u]: (Tensor | null)[], pass: UpdatePass, backup: number): boolean {
    const t = this.iterations;
    const alpha = this.stepLearningRate / (1 + this.decay * (t - 1)) / (1 - this.beta1 ** t);
    const c = v.engine.core;
    return !!c.fe_adamax_update(
      v.ptr,
      g.ptr,
      m!.ptr,
      u!.ptr,
      v.size,
      alpha,
      this.beta1,
      this.beta2,
      this.epsilon,
      pass,
      backup,
    );
  }
}
