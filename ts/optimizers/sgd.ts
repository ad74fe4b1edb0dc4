// Plain gradient descent and gradient descent with momentum (TF.js's SGDOptimizer and
// MomentumOptimizer; Keras' SGD without and with momentum).

import type { Tensor, Variable } from '../tensor/tensor.js';
import { checkHyper, Optimizer } from './optimizer.js';
import type { LearningRateSchedule } from './schedules.js';
import type { UpdatePass } from '../backend/core-abi.js';

/**
 * p -= learningRate g.
 *
 * @example
 * ```ts
 * const opt = fe.train.sgd(0.1);
 * opt.getClassName(); // 'SGD'
 * ```
 */
export class SGDOptimizer extends Optimizer {
  static override className = 'SGD';

  constructor(learningRate: number | LearningRateSchedule) {
    super(learningRate);
  }

  protected slotNames(): string[] {
    return [];
  }

  protected update(v: Variable, g: Tensor, _slots: (Tensor | null)[], pass: UpdatePass, backup: number): boolean {
    return !!v.engine.core.fe_sgd_update(v.ptr, g.ptr, v.size, this.stepLearningRate, pass, backup);
  }
}

/**
 * Momentum, as TF.js: accumulation a = momentum a + g, then p -= lr a, or with Nesterov
 * p -= lr (g + momentum a). For a constant learning rate this is exactly Keras'
 * SGD(momentum, nesterov) (whose velocity is -lr a). Slot: `${variable}/momentum`.
 *
 * @example
 * ```ts
 * const opt = fe.train.momentum(0.01, 0.9, true);
 * opt.useNesterov; // true
 * ```
 */
export class MomentumOptimizer extends Optimizer {
  static override className = 'Momentum';
  static override configKeys = ['learningRate', 'momentum', 'useNesterov'];
  /** The momentum factor: a = momentum · a + g. */
  readonly momentum: number;
  /** Nesterov momentum: p -= lr (g + momentum · a). */
  readonly useNesterov: boolean;

  constructor(learningRate: number | LearningRateSchedule, momentum: number, useNesterov = false) {
    super(learningRate);
    checkHyper('Momentum', 'momentum', momentum);
    this.momentum = momentum;
    this.useNesterov = useNesterov;
  }

  protected slotNames(): string[] {
    return ['momentum'];
  }

  protected update(
    v: Variable,
    g: Tensor,
    [accumulation]: (Tensor | null)[],
    pass: UpdatePass,
    backup: number,
  ): boolean {
    return !!v.engine.core.fe_momentum_update(
      v.ptr,
      g.ptr,
      accumulation!.ptr,
      v.size,
      this.stepLearningRate,
      this.momentum,
      this.useNesterov ? 1 : 0,
      pass,
      backup,
    );
  }
}
