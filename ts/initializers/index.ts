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

export const zeros = (): Initializer => new Zeros();
export const ones = (): Initializer => new Ones();
export const constant = (args: ConstantArgs): Initializer => new Constant(args);
export const randomNormal = (args: RandomNormalArgs = {}): Initializer => new RandomNormal(args);
export const randomUniform = (args: RandomUniformArgs = {}): Initializer => new RandomUniform(args);
export const truncatedNormal = (args: RandomNormalArgs = {}): Initializer => new TruncatedNormal(args);
export const identity = (args: IdentityArgs = {}): Initializer => new Identity(args);
export const varianceScaling = (args: VarianceScalingArgs = {}): Initializer => new VarianceScaling(args);
export const glorotUniform = (args: SeedOnlyArgs = {}): Initializer => new GlorotUniform(args);
export const glorotNormal = (args: SeedOnlyArgs = {}): Initializer => new GlorotNormal(args);
export const heNormal = (args: SeedOnlyArgs = {}): Initializer => new HeNormal(args);
export const heUniform = (args: SeedOnlyArgs = {}): Initializer => new HeUniform(args);
export const leCunNormal = (args: SeedOnlyArgs = {}): Initializer => new LeCunNormal(args);
export const leCunUniform = (args: SeedOnlyArgs = {}): Initializer => new LeCunUniform(args);
export const orthogonal = (args: OrthogonalArgs = {}): Initializer => new Orthogonal(args);
