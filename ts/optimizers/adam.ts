// Adam (Kingma & Ba) as TF.js computes it:
//   t = iterations (1 on the first step)
//   m += (g - m)(1 - beta1);  v += (g² - v)(1 - beta2)
//   p -= lr · (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
// The kernel takes Keras's form, p -= alpha · m / (sqrt(v) + eps'), which is the same with
// alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t) and eps' = epsilon sqrt(1 - beta2^t).
// (Keras passes epsilon itself as eps': its effective epsilon is 1/sqrt(1 - beta2^t),
// ~32x at t = 1, larger, which changes the first steps of every weight whose gradient is
// within a few epsilons of 0 by a good part of lr.)
// Slots: `${variable}/m`, `${variable}/v`.

import type { Tensor, Variable } from '../tensor/tensor.js';
import { checkHyper, Optimizer } from './optimizer.js';

export class AdamOptimizer extends Optimizer {
  static override className = 'Adam';
  static override configKeys = ['learningRate', 'beta1', 'beta2', 'epsilon'];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) {
    super(learningRate);
    checkHyper('Adam', 'beta1', beta1, 0, 1, true);
    checkHyper('Adam', 'beta2', beta2, 0, 1, true);
    checkHyper('Adam', 'epsilon', epsilon);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  protected slotNames(): string[] {
    return ['m', 'v'];
  }

  protected update(v: Variable, g: Tensor, [m, s]: (Tensor | null)[]): void {
    const t = this.iterations;
    // In double precision: beta2^t for large t and the ratio lose nothing here.
    const c2 = Math.sqrt(1 - this.beta2 ** t);
    const alpha = (this.learningRate * c2) / (1 - this.beta1 ** t);
    const eps = this.epsilon * c2;
    v.engine.core.fe_adam_update(v.ptr, g.ptr, m!.ptr, s!.ptr, v.size, alpha, this.beta1, this.beta2, eps);
  }
}
