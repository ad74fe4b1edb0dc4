// Optimizers: TF.js's `train` factory functions and classes, and `getOptimizer` for the
// Keras/TF.js names that `model.compile` accepts.

import { Optimizer, type OptimizerConfig } from './optimizer.js';
import { MomentumOptimizer, SGDOptimizer } from './sgd.js';
import { AdamOptimizer, AdamWOptimizer } from './adam.js';
import { RMSPropOptimizer } from './rmsprop.js';
import { AdadeltaOptimizer, AdagradOptimizer } from './adagrad.js';
import { AdamaxOptimizer } from './adamax.js';
import type { LearningRateSchedule } from './schedules.js';

export { Optimizer, type NamedTensor, type NamedTensorMap, type OptimizerConfig } from './optimizer.js';
export { MomentumOptimizer, SGDOptimizer } from './sgd.js';
export { AdamOptimizer, AdamWOptimizer } from './adam.js';
export { RMSPropOptimizer } from './rmsprop.js';
export { AdadeltaOptimizer, AdagradOptimizer } from './adagrad.js';
export { AdamaxOptimizer } from './adamax.js';
export {
  LearningRateSchedule,
  ExponentialDecay,
  InverseTimeDecay,
  PiecewiseConstantDecay,
  PolynomialDecay,
  CosineDecay,
  schedules,
  scheduleFromConfig,
} from './schedules.js';

/** Keras' default epsilon (and TF.js's on its float32 backends). */
const EPSILON = 1e-7;

/** A learning rate: a constant, or a schedule of the step (`schedules.*`). @inline */
type Rate = number | LearningRateSchedule;

/**
 * Factories with TF.js's names and argument order (`tf.train.adam(0.001)`); `amsgrad`
 * and `adamw` are Keras's (TF.js has neither). Every learning rate may be a schedule.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * m.compile({ optimizer: fe.train.adam(0.01), loss: 'meanSquaredError' });
 * const sgd = fe.train.sgd(0.1);
 * const momentum = fe.train.momentum(0.01, 0.9, true);
 * const rmsprop = fe.train.rmsprop(0.001);
 * const adamw = fe.train.adamw(0.001, 0.01);
 * ```
 */
export const train = {
  /**
   * Plain gradient descent: p -= learningRate · g (TF.js's `tf.train.sgd`).
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
   * m.compile({ optimizer: fe.train.sgd(0.1), loss: 'meanSquaredError' });
   * ```
   */
  sgd: (learningRate: Rate): SGDOptimizer => new SGDOptimizer(learningRate),
  /** Gradient descent with momentum, optionally Nesterov's (TF.js's `tf.train.momentum`). */
  momentum: (learningRate: Rate, momentum: number, useNesterov = false): MomentumOptimizer =>
    new MomentumOptimizer(learningRate, momentum, useNesterov),
  /**
   * Adam (TF.js's `tf.train.adam`; defaults 0.001, 0.9, 0.999, epsilon 1e-7); `amsgrad` is Keras's variant.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
   * m.compile({ optimizer: fe.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
   * ```
   */
  adam: (learningRate: Rate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null, amsgrad = false) =>
    new AdamOptimizer(learningRate, beta1, beta2, epsilon ?? EPSILON, amsgrad),
  /** Adam with Keras's decoupled weight decay (default 0.004): p -= lr · weightDecay · p before each Adam step. */
  adamw: (
    learningRate: Rate = 0.001,
    weightDecay = 0.004,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon: number | null = null,
    amsgrad = false,
  ): AdamWOptimizer => new AdamWOptimizer(learningRate, weightDecay, beta1, beta2, epsilon ?? EPSILON, amsgrad),
  /** Adamax, Adam's infinity-norm variant (TF.js's `tf.train.adamax`; default rate 0.002). */
  adamax: (learningRate: Rate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null, decay = 0) =>
    new AdamaxOptimizer(learningRate, beta1, beta2, epsilon ?? EPSILON, decay),
  /** Adagrad: each weight's rate divided by the root of its summed squared gradients (TF.js's `tf.train.adagrad`). */
  adagrad: (learningRate: Rate, initialAccumulatorValue = 0.1): AdagradOptimizer =>
    new AdagradOptimizer(learningRate, initialAccumulatorValue),
  /** Adadelta (TF.js's `tf.train.adadelta`; defaults 0.001, rho 0.95). */
  adadelta: (learningRate: Rate = 0.001, rho = 0.95, epsilon: number | null = null): AdadeltaOptimizer =>
    new AdadeltaOptimizer(learningRate, rho, epsilon ?? EPSILON),
  /**
   * RMSprop (TF.js's `tf.train.rmsprop`): `decay` is Keras's rho (default 0.9); optional momentum and centered form.
   */
  rmsprop: (
    learningRate: Rate,
    decay = 0.9,
    momentum = 0,
    epsilon: number | null = null,
    centered = false,
  ): RMSPropOptimizer => new RMSPropOptimizer(learningRate, decay, momentum, epsilon ?? EPSILON, centered),
};

/** Keras' defaults for the names `compile` accepts. */
const BY_NAME: Record<string, () => Optimizer> = {
  sgd: () => new SGDOptimizer(0.01),
  adam: () => new AdamOptimizer(0.001, 0.9, 0.999, EPSILON),
  rmsprop: () => new RMSPropOptimizer(0.001, 0.9, 0, EPSILON, false),
  adamw: () => new AdamWOptimizer(0.001, 0.004, 0.9, 0.999, EPSILON),
  adamax: () => new AdamaxOptimizer(0.001, 0.9, 0.999, EPSILON),
  adagrad: () => new AdagradOptimizer(0.001, 0.1),
  adadelta: () => new AdadeltaOptimizer(0.001, 0.95, EPSILON),
};

/**
 * A new optimizer for a Keras/TF.js name ('sgd', 'adam', 'rmsprop', 'adamw',
 * 'adamax', 'adagrad', 'adadelta'; any case), with Keras' default hyper-parameters
 * (sgd: learning rate 0.01; the others: 0.001).
 * An Optimizer is returned as it is.
 */
export function getOptimizer(identifier: string | Optimizer): Optimizer {
  if (identifier instanceof Optimizer) return identifier;
  const make = typeof identifier === 'string' ? BY_NAME[identifier.toLowerCase()] : undefined;
  if (!make) {
    throw new Error(
      `ferrite: getOptimizer: unknown optimizer ${JSON.stringify(identifier)}; valid names are ${Object.keys(BY_NAME).join(', ')}`,
    );
  }
  return make();
}

const CLASSES: { className: string; fromConfig(config: OptimizerConfig): Optimizer }[] = [
  SGDOptimizer,
  MomentumOptimizer,
  AdamOptimizer,
  AdamWOptimizer,
  RMSPropOptimizer,
  AdamaxOptimizer,
  AdagradOptimizer,
  AdadeltaOptimizer,
];

/** An optimizer from `{className, config}` (as `getClassName()` and `getConfig()` give). */
export function optimizerFromConfig(className: string, config: OptimizerConfig): Optimizer {
  const cls = CLASSES.find((c) => c.className === className);
  if (cls === undefined) {
    throw new Error(
      `ferrite: optimizerFromConfig: unknown optimizer class '${className}'; valid: ${CLASSES.map((c) => c.className).join(', ')}`,
    );
  }
  return cls.fromConfig(config);
}
