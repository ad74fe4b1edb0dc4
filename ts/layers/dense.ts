// Dense: y = activation(x W + b) on the last axis of an input of any rank >= 2.
// kernel W is [inputDim, units], bias b is [units].

import type { DataType, Tensor, Variable } from '../tensor/tensor.js';
import { reshape } from '../ops/index.js';
import { Layer, singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { resolveActivation, type Activation, type ActivationIdentifier } from './activations.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import type { SplitActivation } from './split-activation.js';
import { KernelBiasSpec, type KernelBiasArgs } from './weight-spec.js';
import { denseForward, fusedDenseActivation } from '../ops/dense.js';
import { ConvActivation } from '../backend/core-abi.js';

/**
 * The arguments of `layers.dense`.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 10, activation: 'softmax', inputShape: [784], kernelRegularizer: fe.regularizers.l2({ l2: 1e-4 }) });
 * ```
 */
export interface DenseArgs extends LayerArgs, KernelBiasArgs {
  /** Size of the output's last dimension. */
  units: number;
  /** Applied to x W + b; default linear. */
  activation?: ActivationIdentifier;
  /** Shorthand for inputShape: [inputDim]. */
  inputDim?: number;
}

/**
 * The layer `layers.dense` makes: densely connected layer: activation(x W + b).
 *
 * @example
 * ```ts
 * const layer = fe.layers.dense({ units: 3 });
 * layer.apply(fe.ones([2, 4]));
 * layer.getWeights().map((w) => w.shape); // [[4, 3], [3]]
 * ```
 */
export class Dense extends Layer implements SplitActivation {
  static override className = 'Dense';
  /** {@inheritDoc DenseArgs.units} */
  readonly units: number;
  /** {@inheritDoc DenseArgs.activation} */
  readonly activation: Activation;
  /**
   * How the kernel and the bias start, and their regularizers.
   *
   * @internal
   */
  readonly weightSpec: KernelBiasSpec;
  /** The kernel [inputDim, units], once built. */
  kernel: Variable | null = null;
  /** The bias [units], once built (null without useBias). */
  bias: Variable | null = null;
  private inputDim = -1;

  constructor(args: DenseArgs) {
    if (args === undefined || typeof args !== 'object')
      throw new Error('ferrite: dense: expects an argument object with units');
    const base: LayerArgs = { ...args };
    if (args.inputDim !== undefined && args.inputShape === undefined && args.batchInputShape === undefined)
      base.inputShape = [args.inputDim];
    super(base);
    // Passes a sequence mask on, as TF.js's.
    this.supportsMasking = true;
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new Error(`ferrite: ${this.name}: units must be a positive integer, got ${String(args.units)}`);
    }
    this.units = args.units;
    this.activation = resolveActivation(args.activation, this.name);
    this.weightSpec = new KernelBiasSpec(this.name, args);
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
    ({ kernel: this.kernel, bias: this.bias } = this.weightSpec.create(this, [inputDim, this.units], this.units));
    this.inputSpec = [{ minNdim: 2, axes: { [-1]: inputDim } }];
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor {
    // linear and relu run inside the fused kernel; other activations after it.
    const act = fusedDenseActivation(this.activation.apply);
    if (act !== undefined) return this.dense(singleFloat32(this.name, inputs), act);
    return this.activation.apply(this.callPreActivation(inputs, kwargs));
  }

  /** @internal */
  get activationName(): string {
    return this.activation.name;
  }

  /**
   * x W + b without the activation: the logits when the activation is softmax.
   *
   * @internal
   */
  callPreActivation(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    return this.dense(singleFloat32(this.name, inputs), ConvActivation.ACT_LINEAR);
  }

  /** act(x W + b) by the fused op, on the last axis of x of any rank >= 2. */
  private dense(x: Tensor, act: ConvActivation): Tensor {
    const kernel = this.kernel!;
    if (x.rank === 2) return denseForward(x, kernel, this.bias, act);
    // Any rank: fold the leading axes into rows, multiply, unfold.
    const rows = x.size / this.inputDim;
    const y = denseForward(reshape(x, [rows, this.inputDim]), kernel, this.bias, act);
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
      ...this.weightSpec.config(),
    };
  }
}
registerClass(Dense);
