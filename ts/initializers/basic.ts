// Constant and plain random initializers: zeros, ones, constant, randomNormal,
// randomUniform, truncatedNormal, identity.

import type { DataType, Shape, Tensor } from '../tensor/tensor.js';
import { fill, zeros } from '../tensor/creation.js';
import { randomNormal, randomUniform, truncatedNormal } from '../ops/random.js';
import { registerClass } from '../serialization/registry.js';
import { checkFloatInit, checkInitShape, Initializer } from './initializer.js';

export class Zeros extends Initializer {
  static override className = 'Zeros';
  apply(shape: Shape, dtype: DataType = 'float32'): Tensor {
    checkInitShape('zeros', shape);
    return zeros(shape, dtype);
  }
}

export class Ones extends Initializer {
  static override className = 'Ones';
  apply(shape: Shape, dtype: DataType = 'float32'): Tensor {
    checkInitShape('ones', shape);
    return fill(shape, 1, dtype);
  }
}

/** Arguments of `initializers.constant`. */
export interface ConstantArgs {
  /** The value of every element. */
  value: number;
}

export class Constant extends Initializer {
  static override className = 'Constant';
  /** The value of every element. */
  readonly value: number;
  constructor(args: ConstantArgs) {
    super();
    if (args === undefined || typeof args.value !== 'number') {
      throw new Error(`ferrite: initializers.constant needs {value: number}, got ${JSON.stringify(args)}`);
    }
    this.value = args.value;
  }
  apply(shape: Shape, dtype: DataType = 'float32'): Tensor {
    checkInitShape('constant', shape);
    if (dtype === 'int32' && !Number.isInteger(this.value)) {
      throw new Error(`ferrite: initializers.constant: value ${this.value} is not an integer, but the weight is int32`);
    }
    return fill(shape, this.value, dtype);
  }
  override getConfig(): Record<string, unknown> {
    return { value: this.value };
  }
}

/** Arguments of `initializers.randomNormal`. */
export interface RandomNormalArgs {
  /** Mean of the distribution. Default 0. */
  mean?: number;
  /** Standard deviation. Default 0.05. */
  stddev?: number;
  /** Seed of the draws (default: the global seed of `setRandomSeed`, else random). */
  seed?: number;
}

export class RandomNormal extends Initializer {
  static override className = 'RandomNormal';
  /** Mean of the distribution. */
  readonly mean: number;
  /** Standard deviation. */
  readonly stddev: number;
  /** Seed of the draws, if given. */
  readonly seed?: number;
  /** The name errors use ('randomNormal', or 'truncatedNormal' in the subclass). */
  protected readonly opName: string;
  constructor(args: RandomNormalArgs = {}, opName = 'randomNormal') {
    super();
    this.opName = opName;
    this.mean = args.mean ?? 0;
    this.stddev = args.stddev ?? 0.05;
    this.seed = args.seed;
    checkStddev(opName, this.stddev);
  }
  apply(shape: Shape, dtype?: DataType): Tensor {
    checkInitShape(this.opName, shape);
    checkFloatInit(this.opName, dtype);
    return this.sample(shape);
  }
  protected sample(shape: Shape): Tensor {
    return randomNormal(shape, this.mean, this.stddev, 'float32', this.seed);
  }
  override getConfig(): Record<string, unknown> {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed ?? null };
  }
}

/** Arguments of `initializers.randomUniform`. */
export interface RandomUniformArgs {
  /** Lower bound. Default -0.05. */
  minval?: number;
  /** Upper bound. Default 0.05. */
  maxval?: number;
  /** Seed of the draws (default: the global seed of `setRandomSeed`, else random). */
  seed?: number;
}

export class RandomUniform extends Initializer {
  static override className = 'RandomUniform';
  /** Lower bound. */
  readonly minval: number;
  /** Upper bound. */
  readonly maxval: number;
  /** Seed of the draws, if given. */
  readonly seed?: number;
  constructor(args: RandomUniformArgs = {}) {
    super();
    this.minval = args.minval ?? -0.05;
    this.maxval = args.maxval ?? 0.05;
    this.seed = args.seed;
    if (!(this.maxval >= this.minval)) {
      throw new Error(
        `ferrite: initializers.randomUniform: maxval (${this.maxval}) must be >= minval (${this.minval})`,
      );
    }
  }
  apply(shape: Shape, dtype?: DataType): Tensor {
    checkInitShape('randomUniform', shape);
    checkFloatInit('randomUniform', dtype);
    return randomUniform(shape, this.minval, this.maxval, 'float32', this.seed);
  }
  override getConfig(): Record<string, unknown> {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed ?? null };
  }
}

/** Normal values, redrawn when more than two standard deviations from the mean. */
export class TruncatedNormal extends RandomNormal {
  static override className = 'TruncatedNormal';
  constructor(args: RandomNormalArgs = {}) {
    super(args, 'truncatedNormal');
  }
  protected override sample(shape: Shape): Tensor {
    return truncatedNormal(shape, this.mean, this.stddev, 'float32', this.seed);
  }
}

/** Arguments of `initializers.identity`. */
export interface IdentityArgs {
  /** Multiplies the identity matrix. Default 1. */
  gain?: number;
}

/** `gain` times the identity matrix; only for 2-D square weights (recurrent kernels). */
export class Identity extends Initializer {
  static override className = 'Identity';
  /** Multiplies the identity matrix. */
  readonly gain: number;
  constructor(args: IdentityArgs = {}) {
    super();
    this.gain = args.gain ?? 1;
  }
  apply(shape: Shape, dtype: DataType = 'float32'): Tensor {
    checkInitShape('identity', shape);
    if (shape.length !== 2 || shape[0] !== shape[1]) {
      throw new Error(`ferrite: initializers.identity needs a square 2-D shape, got [${shape.join(', ')}]`);
    }
    const t = zeros(shape, dtype);
    const v = t.view();
    for (let i = 0; i < shape[0]; i++) v[i * shape[0] + i] = this.gain;
    return t;
  }
  override getConfig(): Record<string, unknown> {
    return { gain: this.gain };
  }
}

function checkStddev(name: string, stddev: number): void {
  if (!(stddev >= 0) || !Number.isFinite(stddev)) {
    throw new Error(`ferrite: initializers.${name}: stddev must be a finite number >= 0, got ${stddev}`);
  }
}

for (const cls of [Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, Identity]) registerClass(cls);
