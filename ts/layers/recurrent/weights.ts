// The weights every recurrent layer and cell owns, made the same way by both: kernel
// [inputDim, G units], recurrent_kernel [units, G units] and an optional bias whose shape
// and initializer the kind chooses (the resetAfter GRU's [2, 3 units]; the LSTM's
// unitForgetBias), with TF.js's default initializers.

import type { Variable } from '../../tensor/tensor.js';
import type { Layer } from '../layer.js';
import { WeightSpec } from '../weight-spec.js';
import type { ConstraintIdentifier } from '../constraints.js';
import type { Initializer, InitializerIdentifier } from '../../initializers/initializer.js';
import type { RegularizerIdentifier } from '../../regularizers/regularizer.js';

/** The weight options of a recurrent layer or cell (TF.js's names). */
export interface RecurrentWeightArgs {
  /** Default 'glorotNormal' (TF.js). */
  kernelInitializer?: InitializerIdentifier;
  /** Default 'orthogonal'. */
  recurrentInitializer?: InitializerIdentifier;
  /** Default 'zeros'. */
  biasInitializer?: InitializerIdentifier;
  /** Penalty on the input kernel added to the training loss. */
  kernelRegularizer?: RegularizerIdentifier;
  /** Penalty on the recurrent kernel added to the training loss. */
  recurrentRegularizer?: RegularizerIdentifier;
  /** Penalty on the bias added to the training loss. */
  biasRegularizer?: RegularizerIdentifier;
  /** Applied to the input kernel after each optimizer step. */
  kernelConstraint?: ConstraintIdentifier;
  /** Applied to the recurrent kernel after each optimizer step. */
  recurrentConstraint?: ConstraintIdentifier;
  /** Applied to the bias after each optimizer step. */
  biasConstraint?: ConstraintIdentifier;
}

/** The three weights' specs, as resolved from the arguments. */
export interface RecurrentWeightSpecs {
  kernel: WeightSpec;
  recurrent: WeightSpec;
  bias: WeightSpec;
}

/**
 * The specs from a layer's or cell's arguments: TF.js's defaults 'glorotNormal',
 * 'orthogonal' and 'zeros'.
 *
 * For example `recurrentWeightSpecs('lstm_1', { recurrentInitializer: 'glorotUniform' })`.
 */
export function recurrentWeightSpecs(layer: string, args: RecurrentWeightArgs): RecurrentWeightSpecs {
  const spec = (key: 'kernel' | 'recurrent' | 'bias', fallback: InitializerIdentifier): WeightSpec =>
    new WeightSpec(
      layer,
      key,
      args[`${key}Initializer`] ?? fallback,
      args[`${key}Regularizer`],
      true,
      args[`${key}Constraint`],
    );
  return {
    kernel: spec('kernel', 'glorotNormal'),
    recurrent: spec('recurrent', 'orthogonal'),
    bias: spec('bias', 'zeros'),
  };
}

/**
 * Adds kernel [inputDim, gateUnits], recurrent_kernel [units, gateUnits] and, when `bias`
 * is given, a bias of its shape and initializer to `layer` (from its build()).
 *
 * For example `addRecurrentWeights(this, specs, 3, 8, 32, { shape: [32], initializer: 'zeros' })` in an LSTM's build().
 */
export function addRecurrentWeights(
  layer: Layer,
  specs: RecurrentWeightSpecs,
  inputDim: number,
  units: number,
  gateUnits: number,
  bias: { shape: number[]; initializer: InitializerIdentifier | Initializer } | null,
): { kernel: Variable; recurrentKernel: Variable; bias: Variable | null } {
  const { recurrent: r, bias: b } = specs;
  return {
    kernel: specs.kernel.create(layer, [inputDim, gateUnits]),
    recurrentKernel: layer.addWeight(
      'recurrent_kernel',
      [units, gateUnits],
      'float32',
      r.initializer,
      r.regularizer,
      true,
      r.constraint,
    ),
    bias: bias
      ? layer.addWeight('bias', bias.shape, 'float32', bias.initializer, b.regularizer, true, b.constraint)
      : null,
  };
}
