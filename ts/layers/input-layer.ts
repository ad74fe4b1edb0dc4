// The entry point of a functional model: `input({shape})` makes an InputLayer and
// returns its symbolic output, which other layers are applied to.

import type { DataType, Tensor } from '../tensor/tensor.js';
import { Layer, checkSymbolicShape, type CallKwargs, type LayerConfig } from './layer.js';
import { Node, SymbolicTensor, type SymbolicShape } from './symbolic.js';
import { registerClass } from '../serialization/registry.js';

export interface InputLayerArgs {
  /** Shape without the batch dimension. */
  inputShape?: SymbolicShape;
  /** Shape with the batch dimension (`null` = any). */
  batchInputShape?: SymbolicShape;
  batchSize?: number;
  dtype?: DataType;
  name?: string;
}

/**
 * The layer behind each model input (made by `input`, or by the first layer's inputShape in a Sequential model).
 *
 * @example
 * ```ts
 * const x = fe.input({ shape: [28, 28, 1] }); // made by an InputLayer
 * x.shape; // [null, 28, 28, 1]
 * ```
 */
export class InputLayer extends Layer {
  static override className = 'InputLayer';

  constructor(args: InputLayerArgs) {
    if (args.inputShape === undefined && args.batchInputShape === undefined) {
      throw new Error('ferrite: input: give a shape (without the batch dimension) or a batchShape');
    }
    if (args.inputShape !== undefined && args.batchInputShape !== undefined) {
      throw new Error('ferrite: input: give shape or batchShape, not both');
    }
    super({
      name: args.name,
      inputShape: args.inputShape,
      batchInputShape: args.batchInputShape,
      batchSize: args.batchSize,
      dtype: args.dtype,
    });
    if (this.dtype !== 'float32' && this.dtype !== 'int32')
      throw new Error(`ferrite: ${this.name}: dtype must be float32 or int32, got ${this.dtype}`);
    this.built = true;
    const node = new Node(this, [], true, {}, 1);
    node.outputs.push(new SymbolicTensor(this.dtype, [...this.batchInputShape!], node, 0));
    this.inboundNodes.push(node);
  }

  /** The symbolic tensor this layer feeds into the graph. */
  override get output(): SymbolicTensor {
    return this.inboundNodes[0].outputs[0];
  }

  protected override namePrefix(): string {
    return 'input';
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor | Tensor[] {
    return inputs;
  }

  override getConfig(): LayerConfig {
    return { batchInputShape: [...this.batchInputShape!], dtype: this.dtype, name: this.name };
  }

  static override fromConfig(config: LayerConfig): InputLayer {
    return new InputLayer(config as InputLayerArgs);
  }
}
registerClass(InputLayer);

/**
 * The arguments of `input` (TF.js's InputConfig): the shape of one sample, or of a batch.
 *
 * @example
 * ```ts
 * const x = fe.input({ shape: [784] });
 * const y = fe.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as fe.SymbolicTensor;
 * const model = fe.model({ inputs: x, outputs: y });
 * ```
 */
export interface InputArgs {
  /** Shape of one sample (without the batch dimension); `null` for any size. */
  shape?: SymbolicShape;
  /** Shape including the batch dimension. */
  batchShape?: SymbolicShape;
  /** With `shape`: a fixed batch size. */
  batchSize?: number;
  /** The input's dtype (default 'float32'). */
  dtype?: DataType;
  /** The input layer's name (generated when omitted). */
  name?: string;
}

/**
 * A symbolic input for the functional API, like `tf.input({shape: [784]})`.
 *
 * @example
 * ```ts
 * const x = fe.input({ shape: [784] });
 * const y = fe.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as fe.SymbolicTensor;
 * const model = fe.model({ inputs: x, outputs: y });
 * model.outputs[0].shape; // [null, 10]
 * ```
 */
export function input(args: InputArgs): SymbolicTensor {
  if (args === undefined || typeof args !== 'object')
    throw new Error('ferrite: input: expects {shape} or {batchShape}');
  if (args.shape !== undefined) checkSymbolicShape('input', args.shape, 'shape');
  return new InputLayer({
    inputShape: args.shape,
    batchInputShape: args.batchShape,
    batchSize: args.batchSize,
    dtype: args.dtype,
    name: args.name,
  }).output;
}
