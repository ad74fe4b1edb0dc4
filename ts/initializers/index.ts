// Weight initializers, like `tf.initializers`: factory functions (`glorotUniform({seed})`),
// the classes, and resolution of string identifiers ('glorotUniform', 'he_normal', ...).

import { registerClass } from '../layers/serialization.js';
import { Initializer, registerInitializerName } from './initializer.js';
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

export { Initializer, getInitializer, type InitializerIdentifier } from './initializer.js';
export * from './basic.js';
export * from './variance-scaling.js';
export { Orthogonal, orthonormalizeRows, orthonormalizeRowsNaive, type OrthogonalArgs } from './orthogonal.js';

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

const classes = [
  Zeros,
  Ones,
  Constant,
  RandomNormal,
  RandomUniform,
  TruncatedNormal,
  Identity,
  VarianceScaling,
  GlorotUniform,
  GlorotNormal,
  HeNormal,
  HeUniform,
  LeCunNormal,
  LeCunUniform,
  Orthogonal,
];
for (const cls of classes) registerClass(cls);

// String identifiers: every spelling (camelCase, snake_case, class name) maps to one key.
const byName: Record<string, () => Initializer> = {
  zeros,
  zero: zeros,
  ones,
  one: ones,
  randomNormal,
  randomUniform,
  truncatedNormal,
  identity,
  varianceScaling,
  glorotUniform,
  glorotNormal,
  heNormal,
  heUniform,
  leCunNormal,
  leCunUniform,
  orthogonal,
};
for (const [name, make] of Object.entries(byName)) registerInitializerName(name, make);
