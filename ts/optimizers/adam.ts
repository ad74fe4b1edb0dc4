// Adam (Kingma & Ba) as TF.js computes it:
//   t = iterations (1 on the first step)
//   m += (g - m)(1 - beta1);  v += (g² - v)(1 - beta2)
//   p -= lr · (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
// The kernel takes Keras's form, p -= alpha · m / (sqrt(v) + eps'), which is the same with
// alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t) and eps' = epsilon sqrt(1 - beta2^t).
// (Keras passes epsilon itself as eps': its effective epsilon is 1/sqrt(1 - beta2^t),
// ~32x at t = 1, larger, which changes the first steps of every weight whose gradient is
// within a few epsilons of 0 by a good part of lr.)
// `amsgrad` and AdamW exist in Keras only, so they follow Keras's form (eps' = epsilon):
// `amsgrad` divides by the running maximum vhat of v instead of v; AdamW (decoupled
// weight decay) first shrinks p: p -= lr · weightDecay · p.
// Slots: `${variable}/m`, `${variable}/v`, and `${variable}/vhat` with amsgrad.

import type { Tensor, Variable } from '../tensor/tensor.js';
import { checkHyper, Optimizer, type OptimizerConfig } from './optimizer.js';
import type { LearningRateSchedule } from './schedules.js';
import type { UpdatePass } from '../backend/core-abi.js';

/**
 * Adam, as TF.js computes it (`train.adam`); with `amsgrad`, Keras's AMSGrad variant. Slots:
 * `${variable}/m`, `${variable}/v` (and `${variable}/vhat` with amsgrad).
 *
 * @example
 * ```ts
 * const opt = fe.train.adam(0.01);
 * opt instanceof fe.Optimizer; // true
 * opt.getClassName(); // 'Adam'
 * ```
 */
export class AdamOptimizer extends Optimizer {
  static override className = 'Adam';
  static override configKeys = ['learningRate', 'beta1', 'beta2', 'epsilon', 'amsgrad'];
  /** Decay rate of the first-moment (mean) estimate. */
  readonly beta1: number;
  /** Decay rate of the second-moment (uncentered variance) estimate. */
  readonly beta2: number;
  /** Added to the denominator for stability. */
  readonly epsilon: number;
  /** Keras's AMSGrad variant: use the maximum of past second moments. */
  readonly amsgrad: boolean;

  constructor(
    learningRate: number | LearningRateSchedule = 0.001,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon = 1e-7,
    amsgrad = false,
  ) {
    super(learningRate);
    const cls = this.getClassName();
    checkHyper(cls, 'beta1', beta1, 0, 1, true);
    checkHyper(cls, 'beta2', beta2, 0, 1, true);
    checkHyper(cls, 'epsilon', epsilon);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.amsgrad = Boolean(amsgrad);
  }

  protected slotNames(): string[] {
    return ['m', 'v', 'vhat'];
  }

  protected override slotUsed(k: number): boolean {
    return k < 2 || this.amsgrad;
  }

  /** TF.js's Adam config (which TF.js reads back), with `amsgrad` only when it is on. */
  override getConfig(): OptimizerConfig {
    const config = super.getConfig();
    if (!this.amsgrad) delete config.amsgrad;
    return config;
  }

  /** The decoupled weight decay per unit of learning rate (AdamW's; 0 for Adam). */
  protected decayRate(): number {
    return 0;
  }

  protected update(v: Variable, g: Tensor, [m, s, vhat]: (Tensor | null)[], pass: UpdatePass, backup: number): boolean {
    const t = this.iterations;
    const lr = this.stepLearningRate;
    // In double precision: beta2^t for large t and the ratio lose nothing here.
    const c2 = Math.sqrt(1 - this.beta2 ** t);
    const alpha = (lr * c2) / (1 - this.beta1 ** t);
    // TF.js's epsilon for TF.js's Adam; Keras's for the Keras-only variants (see above).
    const kerasForm = this.amsgrad || this.decayRate() !== 0;
    const eps = kerasForm ? this.epsilon : this.epsilon * c2;
    const c = v.engine.core;
    return !!c.fe_adam_update(
      v.ptr,
      g.ptr,
      m!.ptr,
      s!.ptr,
      vhat ? vhat.ptr : 0,
      v.size,
      alpha,
      this.beta1,
      this.beta2,
      eps,
      lr * this.decayRate(),
      pass,
      backup,
    );
  }
}

/**
 * Adam with Keras's decoupled weight decay: p -= lr · weightDecay · p before each Adam step.
 *
 * @example
 * ```ts
 * const opt = fe.train.adamw(0.001, 0.01);
 * opt.weightDecay; // 0.01
 * ```
 */
export class AdamWOptimizer extends AdamOptimizer {
  static override className = 'AdamW';
  static override configKeys = ['learningRate', 'weightDecay', 'beta1', 'beta2', 'epsilon', 'amsgrad'];
  /** The decoupled weight decay: p -= lr · weightDecay · p before each Adam step. */
  readonly weightDecay: number;

  constructor(
    learningRate: number | LearningRateSchedule = 0.001,
    weightDecay = 0.004,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon = 1e-7,
    amsgrad = false,
  ) {
    super(learningRate, beta1, beta2, epsilon, amsgrad);
    checkHyper('AdamW', 'weightDecay', weightDecay);
    this.weightDecay = weightDecay;
  }

  protected override decayRate(): number {
    return this.weightDecay;
  }
}
