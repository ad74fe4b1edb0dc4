// Adagrad and Adadelta as TF.js (the numeric oracle of their tests):
//   Adagrad: acc += g²; p -= lr g / sqrt(acc + epsilon), acc starting at
//     initialAccumulatorValue. Slot: `${variable}/accumulator`.
//   Adadelta: u = sqrt(au + epsilon) / sqrt(ag + epsilon) g with the ag of the previous
//     step (Keras uses the updated one, which only changes the first steps);
//     ag = rho ag + (1 - rho) g²; au = rho au + (1 - rho) u²; p -= lr u.
//     Slots: `${variable}/accum_grad`, `${variable}/accum_var`.

import type { Tensor, Variable } from '../tensor/tensor.js';
import { checkHyper, Optimizer } from './optimizer.js';
import type { LearningRateSchedule } from './schedules.js';
import type { UpdatePass } from '../backend/core-abi.js';

/** TF.js's epsilon on its float32 backends (Adagrad's is not configurable there). */
const EPSILON = 1e-7;

/**
 * Adagrad as TF.js (`train.adagrad`): each weight's rate divided by the root of its summed
 * squared gradients.
 *
 * @example
 * ```ts
 * fe.train.adagrad(0.1).getClassName(); // 'Adagrad'
 * ```
 */
export class AdagradOptimizer extends Optimizer {
  static override className = 'Adagrad';
  static override configKeys = ['learningRate', 'initialAccumulatorValue'];
  /** The starting value of each weight's sum of squared gradients. */
  readonly initialAccumulatorValue: number;

  constructor(learningRate: number | LearningRateSchedule, initialAccumulatorValue = 0.1) {
    super(learningRate);
    checkHyper('Adagrad', 'initialAccumulatorValue', initialAccumulatorValue);
    this.initialAccumulatorValue = initialAccumulatorValue;
  }

  protected slotNames(): string[] {
    return ['accumulator'];
  }

  protected override initialSlot(v: Variable, k: number): Tensor {
    const t = super.initialSlot(v, k);
    t.view().fill(this.initialAccumulatorValue);
    return t;
  }

  protected update(v: Variable, g: Tensor, [acc]: (Tensor | null)[], pass: UpdatePass, backup: number): boolean {
    return !!v.engine.core.fe_adagrad_update(
      v.ptr,
      g.ptr,
      acc!.ptr,
      v.size,
      this.stepLearningRate,
      EPSILON,
      pass,
      backup,
    );
  }
}

/**
 * Adadelta as TF.js (`train.adadelta`).
 *
 * @example
 * ```ts
 * fe.train.adadelta(1, 0.95).getClassName(); // 'Adadelta'
 * ```
 */
export class AdadeltaOptimizer extends Optimizer {
  static override className = 'Adadelta';
  static override configKeys = ['learningRate', 'rho', 'epsilon'];
  /** Decay rate of the running averages of squared gradients and updates. */
  readonly rho: number;
  /** Added inside the square roots for stability. */
  readonly epsilon: number;

  constructor(learningRate: number | LearningRateSchedule = 0.001, rho = 0.95, epsilon = EPSILON) {
    super(learningRate);
    checkHyper('Adadelta', 'rho', rho, 0, 1);
    checkHyper('Adadelta', 'epsilon', epsilon);
    this.rho = rho;
    this.epsilon = epsilon;
  }

  protected slotNames(): string[] {
    return ['accum_grad', 'accum_var'];
  }

  protected update(v: Variable, g: Tensor, [ag, au]: (Tensor | null)[], pass: UpdatePass, backup: number): boolean {
    return !!v.engine.core.fe_adadelta_update(
      v.ptr,
      g.ptr,
      ag!.ptr,
      au!.ptr,
      v.size,
      this.stepLearningRate,
      this.rho,
      this.epsilon,
      pass,
      backup,
    );
  }
}
