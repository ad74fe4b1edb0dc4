// Conv1D: y = activation(conv1d(x, kernel) + bias) over [batch, steps, channels]
// sequences, as Keras's and TF.js's `conv1d` layer. kernel is [kernelSize, inChannels,
// filters], bias is [filters]. Runs the 2-D convolution kernels on a height of 1
// (ts/ops/conv1d.ts): bias and relu fused, forward and backward.

import type { DataType, Tensor, Variable } from '../tensor/tensor.js';
import { fusedConv1d } from '../ops/conv1d.js';
import { kernelActivation } from './conv.js';
import { Layer, singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { resolveActivation, type Activation, type ActivationIdentifier } from './activations.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { KernelBiasSpec, type KernelBiasArgs } from './weight-spec.js';
import { checkDataFormat, windowOutputShape, type DataFormat } from './spatial.js';

/**
 * One positive integer, or a list holding one (TF.js accepts both for 1-D layers).
 *
 * @example
 * ```ts
 * fe.layers.conv1d({ filters: 8, kernelSize: [5], strides: 2 }); // a number or a one-element array
 * ```
 */
export type Single = number | [number];

/** The integer of a `Single` argument; throws naming the layer and the argument. */
export function toSingle(layer: string, what: string, v: unknown): number {
  const x = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (!Number.isInteger(x) || (x as number) < 1)
    throw new Error(`ferrite: ${layer}: ${what} must be a positive integer (or [integer]), got ${JSON.stringify(v)}`);
  return x as number;
}

/** [batch, outSteps, channels] for a window over [batch, steps, ...] (errors name the layer). */
export function window1dOutputShape(
  layer: string,
  shape: SymbolicShape,
  window: number,
  stride: number,
  padding: 'valid' | 'same' | 'causal',
  dilation: number,
  channels: number | null,
  what: string,
): SymbolicShape {
  if (shape.length !== 3)
    throw new Error(
      `ferrite: ${layer}: expected input of rank 3 [batch, steps, channels], got ${fmtSymbolicShape(shape)}`,
    );
  const [n, steps] = shape;
  if (padding === 'causal') return [n, steps === null ? null : Math.ceil(steps / stride), channels];
  const [, , w] = windowOutputShape(
    layer,
    [n, 1, steps, null],
    [1, window],
    [1, stride],
    padding,
    [1, dilation],
    null,
    what,
  );
  return [n, w, channels];
}

/**
 * The arguments of `layers.conv1d`.
 *
 * @example
 * ```ts
 * fe.layers.conv1d({ filters: 32, kernelSize: 3, strides: 1, padding: 'causal', dilationRate: 2, activation: 'relu' });
 * ```
 */
export interface Conv1DArgs extends LayerArgs, KernelBiasArgs {
  /** Number of output channels. */
  filters: number;
  /** Window length. */
  kernelSize: Single;
  /** Default 1. */
  strides?: Single;
  /** 'valid' (default), 'same' (ceil(steps / stride)), or Keras's 'causal' (zeros on the left: step t sees steps <= t). */
  padding?: 'valid' | 'same' | 'causal';
  /** Only 'channelsLast' ([batch, steps, channels], the default). */
  dataFormat?: DataFormat;
  /** Spacing between the kernel's taps; default 1. */
  dilationRate?: Single;
  /** Applied after the bias; default linear. 'relu' runs inside the convolution kernel. */
  activation?: ActivationIdentifier;
}

/**
 * The layer `layers.conv1d` makes: 1-D convolution over sequences: activation(conv1d(x, kernel) + bias); padding 'valid', 'same' or 'causal'.
 *
 * @example
 * ```ts
 * const layer = fe.layers.conv1d({ filters: 16, kernelSize: 5 });
 * layer.apply(fe.ones([2, 20, 8]));
 * layer.getWeights().map((w) => w.shape); // [[5, 8, 16], [16]]
 * ```
 */
export class Conv1D extends Layer {
  static override className = 'Conv1D';
  /** {@inheritDoc Conv1DArgs.filters} */
  readonly filters: number;
  /** {@inheritDoc Conv1DArgs.kernelSize} */
  readonly kernelSize: number;
  /** {@inheritDoc Conv1DArgs.strides} */
  readonly strides: number;
  /** {@inheritDoc Conv1DArgs.padding} */
  readonly padding: 'valid' | 'same' | 'causal';
  /** {@inheritDoc Conv1DArgs.dataFormat} */
  readonly dataFormat: 'channelsLast';
  /** {@inheritDoc Conv1DArgs.dilationRate} */
  readonly dilationRate: number;
  /** {@inheritDoc Conv1DArgs.activation} */
  readonly activation: Activation;
  /**
   * How the kernel and the bias start, and their regularizers and constraints.
   *
   * @internal
   */
  readonly weightSpec: KernelBiasSpec;
  /** The kernel [kernelSize, inChannels, filters], once built. */
  kernel: Variable | null = null;
  /** The bias [filters], once built (null without useBias). */
  bias: Variable | null = null;

  constructor(args: Conv1DArgs) {
    if (args === undefined || typeof args !== 'object')
      throw new Error('ferrite: conv1d: expects an argument object with filters and kernelSize');
    super(args);
    if (!Number.isInteger(args.filters) || args.filters < 1)
      throw new Error(`ferrite: ${this.name}: filters must be a positive integer, got ${String(args.filters)}`);
    this.filters = args.filters;
    this.kernelSize = toSingle(this.name, 'kernelSize', args.kernelSize);
    this.strides = toSingle(this.name, 'strides', args.strides ?? 1);
    const padding = args.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same' && padding !== 'causal')
      throw new Error(
        `ferrite: ${this.name}: padding must be 'valid', 'same' or 'causal', got ${JSON.stringify(padding)}`,
      );
    this.padding = padding;
    this.dataFormat = checkDataFormat(this.name, args.dataFormat);
    this.dilationRate = toSingle(this.name, 'dilationRate', args.dilationRate ?? 1);
    this.activation = resolveActivation(args.activation, this.name);
    this.weightSpec = new KernelBiasSpec(this.name, args);
    this.inputSpec = [{ ndim: 3 }];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const channels = shape[2];
    if (channels === null || channels === undefined)
      throw new Error(
        `ferrite: ${this.name}: the channel dimension (the last) of the input must be known, got ${fmtSymbolicShape(shape)}`,
      );
    ({ kernel: this.kernel, bias: this.bias } = this.weightSpec.create(
      this,
      [this.kernelSize, channels, this.filters],
      this.filters,
    ));
    this.inputSpec = [{ ndim: 3, axes: { [-1]: channels } }];
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    this.computeOutputShape(x.shape as SymbolicShape); // errors that name the layer
    return fusedConv1d({
      x,
      filter: this.kernel!,
      stride: this.strides,
      pad: this.padding,
      dilation: this.dilationRate,
      bias: this.bias ?? undefined,
      activation: kernelActivation(this.activation),
    });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return window1dOutputShape(
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
      kernelSize: [this.kernelSize],
      strides: [this.strides],
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: [this.dilationRate],
      activation: this.activation.name,
      ...this.weightSpec.config(),
    };
  }
}
registerClass(Conv1D);
