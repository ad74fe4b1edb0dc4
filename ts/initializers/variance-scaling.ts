// Variance scaling and its named cases (Glorot, He, LeCun), as Keras defines them:
// values with variance scale / n, n the fan-in, the fan-out or their mean.

import type { DataType, Shape, Tensor } from '../tensor/tensor.js';
import { randomNormal, randomUniform, truncatedNormal } from '../ops/random.js';
import { registerClass } from '../serialization/registry.js';
import { checkFloatInit, checkInitShape, Initializer } from './initializer.js';

/**
 * What the variance is scaled by: the fan-in, the fan-out, or their mean.
 *
 * @example
 * ```ts
 * fe.initializers.varianceScaling({ mode: 'fanAvg', distribution: 'uniform' }); // Glorot uniform
 * ```
 */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
/**
 * The distribution drawn from ('normal' is the truncated normal, as in TF.js and Keras 2).
 *
 * @example
 * ```ts
 * fe.initializers.varianceScaling({ scale: 2, distribution: 'untruncatedNormal' }).apply([100, 10]);
 * ```
 */
export type VarianceScalingDistribution = 'normal' | 'truncatedNormal' | 'untruncatedNormal' | 'uniform';

/**
 * Fan-in and fan-out of a weight, Keras's convention: a dense kernel is [in, out]; a
 * convolution kernel [...spatial, in, out] multiplies both by the receptive field size.
 */
export function computeFans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i];
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** Arguments of `initializers.varianceScaling` (Keras's VarianceScaling). */
export interface VarianceScalingArgs {
  /** Multiplies the variance. Default 1. */
  scale?: number;
  /** The variance is scale / n, n the fan-in (default), the fan-out or their mean. */
  mode?: FanMode;
  /** Default 'normal' (truncated). */
  distribution?: VarianceScalingDistribution;
  /** Seed of the draws (default: the global seed of `setRandomSeed`, else random). */
  seed?: number;
}

/** Std of a standard normal truncated to [-2, 2]: truncated draws are rescaled by 1 / this. */
const TRUNCATED_STD = 0.8796256610342398;

export class VarianceScaling extends Initializer {
  static override className = 'VarianceScaling';
  /** Multiplies the variance. */
  readonly scale: number;
  /** What the variance is scaled by. */
  readonly mode: FanMode;
  /** The distribution drawn from. */
  readonly distribution: VarianceScalingDistribution;
  /** Seed of the draws, if given. */
  readonly seed?: number;

  constructor(args: VarianceScalingArgs = {}) {
    super();
    this.scale = args.scale ?? 1;
    this.mode = args.mode ?? 'fanIn';
    // TF.js says 'normal' for the truncated normal, as Keras 2 did.
    this.distribution = args.distribution ?? 'normal';
    this.seed = args.seed;
    if (!(this.scale > 0))
      throw new Error(`ferrite: initializers.varianceScaling: scale must be > 0, got ${this.scale}`);
    if (!['fanIn', 'fanOut', 'fanAvg'].includes(this.mode)) {
      throw new Error(
        `ferrite: initializers.varianceScaling: mode must be 'fanIn', 'fanOut' or 'fanAvg', got '${this.mode}'`,
      );
    }
    if (!['normal', 'truncatedNormal', 'untruncatedNormal', 'uniform'].includes(this.distribution)) {
      throw new Error(
        `ferrite: initializers.varianceScaling: distribution must be 'normal', 'truncatedNormal', 'untruncatedNormal' or 'uniform', got '${this.distribution}'`,
      );
    }
  }

  /** The variance the values are drawn with for this shape. */
  varianceFor(shape: Shape): number {
    const { fanIn, fanOut } = computeFans(shape);
    const n = this.mode === 'fanIn' ? fanIn : this.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    return this.scale / Math.max(1, n);
  }

  apply(shape: Shape, dtype?: DataType): Tensor {
    const name = this.getClassName();
    checkInitShape(name, shape);
    checkFloatInit(name, dtype);
    const variance = this.varianceFor(shape);
    switch (this.distribution) {
      case 'normal':
      case 'truncatedNormal':
        return truncatedNormal(shape, 0, Math.sqrt(variance) / TRUNCATED_STD, 'float32', this.seed);
      case 'untruncatedNormal':
        return randomNormal(shape, 0, Math.sqrt(variance), 'float32', this.seed);
      case 'uniform': {
        const limit = Math.sqrt(3 * variance);
        return randomUniform(shape, -limit, limit, 'float32', this.seed);
      }
    }
  }

  override getConfig(): Record<string, unknown> {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed ?? null };
  }
}

/** Arguments of the named variance-scaling initializers (glorotUniform, heNormal, ...): only a seed. */
export interface SeedOnlyArgs {
  /** Seed of the draws (default: the global seed of `setRandomSeed`, else random). */
  seed?: number;
}

/** Builds a named variance-scaling preset whose config is just the seed. */
function preset(className: string, scale: number, mode: FanMode, distribution: VarianceScalingDistribution) {
  return class extends VarianceScaling {
    static override className = className;
    constructor(args: SeedOnlyArgs = {}) {
      super({ scale, mode, distribution, seed: args.seed });
    }
    override getConfig(): Record<string, unknown> {
      return { seed: this.seed ?? null };
    }
  };
}

/** Uniform in ±sqrt(6 / (fanIn + fanOut)): the default for kernels. */
export const GlorotUniform = preset('GlorotUniform', 1, 'fanAvg', 'uniform');
/** Truncated normal with std sqrt(2 / (fanIn + fanOut)). */
export const GlorotNormal = preset('GlorotNormal', 1, 'fanAvg', 'normal');
/** Truncated normal with std sqrt(2 / fanIn): for ReLU layers. */
export const HeNormal = preset('HeNormal', 2, 'fanIn', 'normal');
/** Uniform in ±sqrt(6 / fanIn). */
export const HeUniform = preset('HeUniform', 2, 'fanIn', 'uniform');
/** Truncated normal with std sqrt(1 / fanIn): for SELU layers. */
export const LeCunNormal = preset('LeCunNormal', 1, 'fanIn', 'normal');
/** Uniform in ±sqrt(3 / fanIn). */
export const LeCunUniform = preset('LeCunUniform', 1, 'fanIn', 'uniform');

for (const cls of [VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform, LeCunNormal, LeCunUniform])
  registerClass(cls);
