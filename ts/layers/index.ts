// Layers, like `tf.layers`: factory functions (`dense({units: 10})`) and the classes.

import { Dense, type DenseArgs } from './dense.js';
import { Flatten } from './flatten.js';
import { Reshape, type ReshapeArgs } from './reshape.js';
import { Dropout, type DropoutArgs } from './dropout.js';
import { Activation, type ActivationLayerArgs } from './activation_layer.js';
import type { LayerArgs } from './layer.js';

export { Layer, type LayerArgs, type CallKwargs, type InputSpec, type LayerConfig, type LayerWeight } from './layer.js';
export { SymbolicTensor, Node, type SymbolicShape } from './symbolic.js';
export { InputLayer, input, type InputArgs, type InputLayerArgs } from './input_layer.js';
export { Dense, type DenseArgs } from './dense.js';
export { Flatten } from './flatten.js';
export { Reshape, type ReshapeArgs } from './reshape.js';
export { Dropout, type DropoutArgs } from './dropout.js';
export { Activation, type ActivationLayerArgs } from './activation_layer.js';
export { hasSplitActivation, type SplitActivation } from './split_activation.js';
export { resolveActivation, type ActivationIdentifier } from './activations.js';
export { registerClass, getRegisteredClass, deserialize, type SerializedObject, type SerializableClass } from './serialization.js';

/** Densely connected layer: activation(x W + b). */
export const dense = (args: DenseArgs): Dense => new Dense(args);
/** Flattens each sample to one dimension. */
export const flatten = (args: LayerArgs = {}): Flatten => new Flatten(args);
/** Reshapes each sample to `targetShape`. */
export const reshape = (args: ReshapeArgs): Reshape => new Reshape(args);
/** Randomly zeroes a fraction `rate` of the inputs while training. */
export const dropout = (args: DropoutArgs): Dropout => new Dropout(args);
/** Applies an activation function. */
export const activation = (args: ActivationLayerArgs): Activation => new Activation(args);
