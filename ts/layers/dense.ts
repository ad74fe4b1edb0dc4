// Dense: y = activation(x W + b) on the last axis of an input of any rank >= 2.
// kernel W is [inputDim, units], bias b is [units].

import type { DataType, Tensor, Variable } from '../tensor/tensor.js';
import { matMul } from '../ops/matmul.js';
import { add, reshape } from '../ops/index.js';
import type { InitializerIdentifier } from '../initializers/initializer.js';
import { Layer, single, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { resolveActivation, type Activation, type ActivationIdentifier } from './activations.js';
import { getRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers/regularizer.js';
import { registerClass, type SerializedObject } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import type { SplitActivation } from './split-activation.js';

export interface DenseArgs extends LayerArgs {
  /** Size of the output's last dimension. */
  units: number;
  /** Applied to x W + b; default linear. */
  activation?: ActivationIdentifier;
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerIdentifier;
  /** Default 'zeros'. */
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  /** Shorthand for inputShape: [inputDim]. */
  inputDim?: number;
}

export class Dense extends Layer implements SplitActivation {
  static override className = 'Dense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerIdentifier;
  readonly biasInitializer: InitializerIdentifier;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;
  private inputDim = -1;

  constructor(args: DenseArgs) {
    if (args === undefined || typeof args !== 'object')
      throw new Error('ferrite: dense: expects an argument object with units');
    const base: LayerArgs = { ...args };
    if (args.inputDim !== undefined && args.inputShape === undefined && args.batchInputShape === undefined)
      base.inputShape = [args.inputDim];
    super(base);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new Error(`ferrite: ${this.name}: units must be a positive integer, got ${String(args.units)}`);
    }
    this.units = args.units;
    this.activation = resolveActivation(args.activation, this.name);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${this.name}: kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${this.name}: biasRegularizer`);
    this.inputSpec = [{ minNdim: 2 }];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const inputDim = shape[shape.length - 1];
    if (inputDim === null || inputDim === undefined) {
      throw new Error(
        `ferrite: ${this.name}: the last dimension of the input must be known, got ${fmtSymbolicShape(shape)}`,
      );
    }
    this.inputDim = inputDim;
    this.kernel = this.addWeight(
      'kernel',
      [inputDim, this.units],
      'float32',
      this.kernelInitializer,
      this.kernelRegularizer,
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.units], 'float32', this.biasInitializer, this.biasRegularizer);
    this.inputSpec = [{ minNdim: 2, axes: { [-1]: inputDim } }];
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor {
    return this.activation.apply(this.callPreActivation(inputs, kwargs));
  }

  get activationName(): string {
    return this.activation.name;
  }

  /** x W + b without the activation: the logits when the activation is softmax. */
  callPreActivation(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = single(this.name, inputs);
    if (x.dtype !== 'float32')
      throw new Error(`ferrite: ${this.name}: expected float32 input, got ${x.dtype} [${x.shape.join(', ')}]`);
    const kernel = this.kernel!;
    if (x.rank === 2) {
      const y = matMul(x, kernel);
      return this.bias ? add(y, this.bias) : y;
    }
    // Any rank: fold the leading axes into rows, multiply, unfold.
    const rows = x.size / this.inputDim;
    let y = matMul(reshape(x, [rows, this.inputDim]), kernel);
    if (this.bias) y = add(y, this.bias);
    return reshape(y, [...x.shape.slice(0, -1), this.units]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return [...shape.slice(0, -1), this.units];
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: serializeInit(this.kernelInitializer),
      biasInitializer: serializeInit(this.biasInitializer),
      kernelRegularizer: this.kernelRegularizer?.serialize() ?? null,
      biasRegularizer: this.biasRegularizer?.serialize() ?? null,
    };
  }
}
registerClass(Dense);

/** Initializer identifiers in configs: strings stay strings, instances become {className, config}. */
export function serializeInit(id: InitializerIdentifier): string | SerializedObject {
  return typeof id === 'string' ? id : 'serialize' in id ? id.serialize() : id;
}
