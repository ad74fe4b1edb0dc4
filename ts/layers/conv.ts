// Conv2D: y = activation(conv2d(x, kernel) + bias) over NHWC images, as Keras's and
// TF.js's `conv2d` layer. kernel is [kernelHeight, kernelWidth, inChannels, filters],
// bias is [filters]. One fused kernel call computes the convolution, the bias and a
// relu (forward and backward); other activations run after it.

import type { DataType, Tensor, Variable } from '../tensor/tensor.js';
import { fusedConv2d } from '../ops/conv.js';
import { getActivationName, type ActivationFn } from '../ops/activations.js';
import { singleFloat32, type CallKwargs, type LayerConfig } from './layer.js';
import type { Activation } from './activations.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { KernelBiasSpec, type KernelBiasArgs } from './weight-spec.js';
import { Window2DLayer, windowOutputShape, type Window2DArgs } from './spatial.js';

/**
 * The activation runs after the bias; 'relu' runs inside the convolution kernel.
 *
 * @example
 * ```ts
 * fe.layers.conv2d({ filters: 64, kernelSize: [3, 3], strides: 1, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal' });
 * ```
 */
export interface Conv2DArgs extends Window2DArgs, KernelBiasArgs {
  /** Number of output channels. */
  filters: number;
}

/** Activations the convolution kernel applies itself (no extra pass over the output). */
const FUSED_ACTIVATIONS = new Set(['linear', 'relu']);

/**
 * What a convolution layer hands the fused kernel as its activation: the name for the
 * library's own relu/linear (applied inside the kernel; never a user function of that
 * name), else the function (applied after it).
 */
export function kernelActivation(activation: Activation): string | ActivationFn {
  const builtin = getActivationName(activation.apply);
  return builtin !== undefined && FUSED_ACTIVATIONS.has(builtin) ? builtin : activation.apply;
}

/**
 * The layer `layers.conv2d` makes: 2-D convolution over NHWC images: activation(conv2d(x, kernel) + bias).
 *
 * @example
 * ```ts
 * const layer = fe.layers.conv2d({ filters: 8, kernelSize: 3 });
 * layer.apply(fe.ones([1, 28, 28, 1]));
 * layer.getWeights().map((w) => w.shape); // [[3, 3, 1, 8], [8]]
 * ```
 */
export class Conv2D extends Window2DLayer {
  static override className = 'Conv2D';
  /** {@inheritDoc Conv2DArgs.filters} */
  readonly filters: number;
  /**
   * How the kernel and the bias start, and their regularizers.
   *
   * @internal
   */
  readonly weightSpec: KernelBiasSpec;
  /** The kernel [kernelHeight, kernelWidth, inChannels, filters], once built. */
  kernel: Variable | null = null;
  /** The bias [filters], once built (null without useBias). */
  bias: Variable | null = null;

  constructor(args: Conv2DArgs) {
    if (args === undefined || typeof args !== 'object')
      throw new Error('ferrite: conv2d: expects an argument object with filters and kernelSize');
    super(args);
    if (!Number.isInteger(args.filters) || args.filters < 1) {
      throw new Error(`ferrite: ${this.name}: filters must be a positive integer, got ${String(args.filters)}`);
    }
    this.filters = args.filters;
    this.weightSpec = new KernelBiasSpec(this.name, args);
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const channels = shape[3];
    if (channels === null || channels === undefined) {
      throw new Error(
        `ferrite: ${this.name}: the channel dimension (the last) of the input must be known, got ${fmtSymbolicShape(shape)}`,
      );
    }
    ({ kernel: this.kernel, bias: this.bias } = this.weightSpec.create(this, this.kernelShape(channels), this.filters));
    this.inputSpec = [{ ndim: 4, axes: { [-1]: channels } }];
    this.built = true;
  }

  /** [kernelHeight, kernelWidth, inChannels, filters] (Conv2DTranspose swaps the last two). */
  protected kernelShape(channels: number): number[] {
    return [...this.kernelSize, channels, this.filters];
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    // Checked here too (not only by the op) so that the error names the layer.
    this.computeOutputShape(x.shape as SymbolicShape);
    return fusedConv2d({
      x,
      filter: this.kernel!,
      strides: this.strides,
      pad: this.padding,
      dilations: this.dilationRate,
      bias: this.bias ?? undefined,
      activation: kernelActivation(this.activation),
    });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return windowOutputShape(
      this.name,
      inputShape as SymbolicShape,
      this.kernelSize,
      this.strides,
      this.padding,
      this.dilationRate,
      this.filters,
      'kernel',
    );
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...this.windowConfig(),
      ...this.weightSpec.config(),
    };
  }
}
registerClass(Conv2D);
