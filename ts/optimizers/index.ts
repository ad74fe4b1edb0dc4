// Optimizers: TF.js's `train` factory functions and classes, and `getOptimizer` for the
// Keras/TF.js names that `model.compile` accepts.

import { Optimizer, type OptimizerConfig } from './optimizer.js';
import { MomentumOptimizer, SGDOptimizer } from './sgd.js';
import { AdamOptimizer } from './adam.js';
import { RMSPropOptimizer } from './rmsprop.js';

export { Optimizer, type NamedTensor, type NamedTensorMap, type OptimizerConfig } from './optimizer.js';
export { MomentumOptimizer, SGDOptimizer } from './sgd.js';
export { AdamOptimizer } from './adam.js';
export { RMSPropOptimizer } from './rmsprop.js';

/** Keras' default epsilon (and TF.js's on its float32 backends). */
const EPSILON = 1e-7;

/** Factories with TF.js's names and argument order (`tf.train.adam(0.001)`). */
export const train = {
  sgd: (learningRate: number): SGDOptimizer => new SGDOptimizer(learningRate),
  momentum: (learningRate: number, momentum: number, useNesterov = false): MomentumOptimizer =>
    new MomentumOptimizer(learningRate, momentum, useNesterov),
  adam: (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null): AdamOptimizer =>
    new AdamOptimizer(learningRate, beta1, beta2, epsilon ?? EPSILON),
  rmsprop: (
    learningRate: number,
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
};

/**
 * A new optimizer for a Keras/TF.js name ('sgd', 'adam', 'rmsprop'; any case), with
 * Keras' default hyper-parameters (sgd: learning rate 0.01; adam and rmsprop: 0.001).
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
  RMSPropOptimizer,
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
