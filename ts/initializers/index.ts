// Weight initializers, like `tf.initializers`: `initializers.heNormal({seed: 1})` as a
// layer's kernelInitializer (layers also take the names: 'heNormal', 'he_normal').

import type { Initializer } from './initializer.js';
import {
  Constant,
  Identity,
  Ones,
  RandomNormal,
  RandomUniform,
  TruncatedNormal,
  Zeros,
  type ConstantArgs,
  type IdentityArgs,
  type RandomNormalArgs,
  type RandomUniformArgs,
} from './basic.js';
import {
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LeCunNormal,
  LeCunUniform,
  VarianceScaling,
  type SeedOnlyArgs,
  type VarianceScalingArgs,
} from './variance-scaling.js';
import { Orthogonal, type OrthogonalArgs } from './orthogonal.js';

export type { Initializer, InitializerIdentifier } from './initializer.js';
export type { ConstantArgs, IdentityArgs, RandomNormalArgs, RandomUniformArgs } from './basic.js';
export type { FanMode, SeedOnlyArgs, VarianceScalingArgs, VarianceScalingDistribution } from './variance-scaling.js';
export type { OrthogonalArgs } from './orthogonal.js';

/**
 * All zeros (the default bias initializer).
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 4, biasInitializer: fe.initializers.zeros() });
 * fe.initializers.zeros().apply([2]).print(); // [0, 0]
 * ```
 */
export const zeros = (): Initializer => new Zeros();
/**
 * All ones (the default gamma of batch and layer normalization).
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 4, kernelInitializer: fe.initializers.ones() });
 * fe.initializers.ones().apply([2]).print(); // [1, 1]
 * ```
 */
export const ones = (): Initializer => new Ones();
/**
 * Every value `args.value`.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 4, biasInitializer: fe.initializers.constant({ value: 0.1 }) });
 * fe.initializers.constant({ value: 0.1 }).apply([2]).print(); // [0.1, 0.1]
 * ```
 */
export const constant = (args: ConstantArgs): Initializer => new Constant(args);
/**
 * Normal values with `mean` (default 0) and `stddev` (default 0.05), as TF.js.
 *
 * @example
 * ```ts
 * const init = fe.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: 1 });
 * init.apply([2, 3]).shape; // [2, 3]: the same values on every call with seed 1
 * ```
 */
export const randomNormal = (args: RandomNormalArgs = {}): Initializer => new RandomNormal(args);
/**
 * Uniform values in [`minval`, `maxval`) (default [-0.05, 0.05)), as TF.js.
 *
 * @example
 * ```ts
 * fe.initializers.randomUniform({ minval: -0.1, maxval: 0.1 }).apply([3]); // values in [-0.1, 0.1)
 * ```
 */
export const randomUniform = (args: RandomUniformArgs = {}): Initializer => new RandomUniform(args);
/**
 * Normal values with `mean` and `stddev` (default 0, 0.05), redrawn when more than two
 * standard deviations from the mean, as TF.js.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 8, kernelInitializer: fe.initializers.truncatedNormal({ stddev: 0.01 }) });
 * ```
 */
export const truncatedNormal = (args: RandomNormalArgs = {}): Initializer => new TruncatedNormal(args);
/**
 * The identity matrix times `gain` (default 1), for square 2-D weights only.
 *
 * @example
 * ```ts
 * const layer = fe.layers.dense({ units: 2, inputShape: [2], kernelInitializer: fe.initializers.identity() });
 * fe.sequential({ layers: [layer] });
 * layer.getWeights()[0].print(); // [[1, 0], [0, 1]]
 * ```
 */
export const identity = (args: IdentityArgs = {}): Initializer => new Identity(args);
/**
 * Values scaled to the layer's fan: variance `scale / n` with n the fan in, fan out or their
 * average (`mode`), drawn from a truncated normal, an untruncated normal or a uniform
 * `distribution`, as TF.js (Keras's VarianceScaling).
 *
 * @example
 * ```ts
 * const init = fe.initializers.varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' });
 * fe.layers.conv2d({ filters: 16, kernelSize: 3, kernelInitializer: init }); // He-normal by hand
 * ```
 */
export const varianceScaling = (args: VarianceScalingArgs = {}): Initializer => new VarianceScaling(args);
/**
 * Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)); the default
 * kernel initializer of Dense and Conv layers.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 10, kernelInitializer: fe.initializers.glorotUniform({ seed: 1 }) });
 * ```
 */
export const glorotUniform = (args: SeedOnlyArgs = {}): Initializer => new GlorotUniform(args);
/**
 * Glorot (Xavier) normal: truncated normal whose stddev is sqrt(2 / (fanIn + fanOut)).
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 10, kernelInitializer: fe.initializers.glorotNormal({ seed: 1 }) });
 * ```
 */
export const glorotNormal = (args: SeedOnlyArgs = {}): Initializer => new GlorotNormal(args);
/**
 * He normal: truncated normal whose stddev is sqrt(2 / fanIn), for ReLU layers.
 *
 * @example
 * ```ts
 * fe.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: fe.initializers.heNormal() });
 * ```
 */
export const heNormal = (args: SeedOnlyArgs = {}): Initializer => new HeNormal(args);
/**
 * He uniform: U(-l, l) with l = sqrt(6 / fanIn), for ReLU layers.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 64, activation: 'relu', kernelInitializer: fe.initializers.heUniform({ seed: 1 }) });
 * ```
 */
export const heUniform = (args: SeedOnlyArgs = {}): Initializer => new HeUniform(args);
/**
 * LeCun normal: truncated normal whose stddev is sqrt(1 / fanIn) (for SELU networks).
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 64, activation: 'selu', kernelInitializer: fe.initializers.leCunNormal() });
 * ```
 */
export const leCunNormal = (args: SeedOnlyArgs = {}): Initializer => new LeCunNormal(args);
/**
 * LeCun uniform: U(-l, l) with l = sqrt(3 / fanIn).
 *
 * @example
 * ```ts
 * fe.initializers.leCunUniform().apply([4, 4]).shape; // [4, 4], values in ±sqrt(3 / 4)
 * ```
 */
export const leCunUniform = (args: SeedOnlyArgs = {}): Initializer => new LeCunUniform(args);
/**
 * A random orthogonal matrix (times `gain`, default 1), from the QR decomposition of a
 * normal matrix; the default recurrent kernel initializer of LSTM and GRU.
 *
 * @example
 * ```ts
 * const q = fe.initializers.orthogonal({ gain: 1, seed: 1 }).apply([3, 3]);
 * fe.matMul(q, q, true).print(); // the identity, within rounding: orthonormal columns
 * ```
 */
export const orthogonal = (args: OrthogonalArgs = {}): Initializer => new Orthogonal(args);
