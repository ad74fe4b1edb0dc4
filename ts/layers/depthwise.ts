// DepthwiseConv2D and SeparableConv2D, as TF.js's layers: a depthwise kernel
// [kh, kw, inChannels, depthMultiplier] (weight 'depthwise_kernel'), for SeparableConv2D a
// pointwise kernel [1, 1, inChannels * depthMultiplier, filters] ('pointwise_kernel'),
// then the bias and the activation. Kernels: core-rs/src/depthwise.rs and conv2d.

import type { Tensor, Variable } from '../tensor/tensor.js';
import { depthwiseConv2d, separableConv2d } from '../ops/depthwise.js';
import { biasActivation } from './conv-transpose.js';
import { singleFloat32, type CallKwargs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { WeightSpec } from './weight-spec.js';
import { Window2DLayer, windowOutputShape, type Window2DArgs } from './spatial.js';
import type { InitializerIdentifier } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';

/**
 * The arguments of `layers.depthwiseConv2d` (TF.js's DepthwiseConv2DLayerArgs).
 *
 * @example
 * ```ts
 * fe.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 1, padding: 'same', useBias: false, depthwiseInitializer: 'heNormal' });
 * ```
 */
export interface DepthwiseConv2DArgs extends Window2DArgs {
  /** Filters per input channel; default 1. */
  depthMultiplier?: number;
  /** Add a bias per output channel. Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  depthwiseInitializer?: InitializerIdentifier;
  /** Penalty on the depthwise kernel added to the training loss. */
  depthwiseRegularizer?: RegularizerIdentifier;
  /** Default 'zeros'. */
  biasInitializer?: InitializerIdentifier;
  /** Penalty on the bias added to the training loss. */
  biasRegularizer?: RegularizerIdentifier;
}

/**
 * The layer `layers.depthwiseConv2d` makes: each input channel convolved with its own depthMultiplier filters (kernel [kh, kw, inChannels, depthMultiplier]).
 *
 * @example
 * ```ts
 * const layer = fe.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 });
 * layer.apply(fe.ones([1, 8, 8, 3]));
 * layer.getWeights().map((w) => w.shape); // [[3, 3, 3, 2], [6]]
 * ```
 */
export class DepthwiseConv2D extends Window2DLayer {
  static override className = 'DepthwiseConv2D';
  /** {@inheritDoc DepthwiseConv2DArgs.depthMultiplier} */
  readonly depthMultiplier: number;
  /** Whether the layer adds a bias. */
  readonly useBias: boolean;
  /**
   * How the depthwise kernel starts, and its regularizer.
   *
   * @internal
   */
  readonly depthwiseSpec: WeightSpec;
  /**
   * How the bias starts, and its regularizer.
   *
   * @internal
   */
  readonly biasSpec: WeightSpec;
  /** The depthwise kernel [kernelHeight, kernelWidth, inChannels, depthMultiplier], once built. */
  depthwiseKernel: Variable | null = null;
  /** The bias, once built (null without useBias). */
  bias: Variable | null = null;

  constructor(args: DepthwiseConv2DArgs) {
    super(args ?? ({} as DepthwiseConv2DArgs));
    const m = args.depthMultiplier ?? 1;
    if (!Number.isInteger(m) || m < 1)
      throw new Error(`ferrite: ${this.name}: depthMultiplier must be a positive integer, got ${String(m)}`);
    this.depthMultiplier = m;
    this.useBias = args.useBias ?? true;
    this.depthwiseSpec = new WeightSpec(
      this.name,
      'depthwise',
      args.depthwiseInitializer ?? 'glorotUniform',
      args.depthwiseRegularizer,
    );
    this.biasSpec = new WeightSpec(this.name, 'bias', args.biasInitializer ?? 'zeros', args.biasRegularizer);
  }

  /** The input's channel count, checked known. */
  protected channels(shape: SymbolicShape): number {
    const c = shape[3];
    if (c === null || c === undefined) {
      throw new Error(
        `ferrite: ${this.name}: the channel dimension (the last) of the input must be known, got ${fmtSymbolicShape(shape)}`,
      );
    }
    return c;
  }

  /** Output channels of the bias. */
  protected outChannels(channels: number): number {
    return channels * this.depthMultiplier;
  }

  protected buildKernels(channels: number): void {
    const [kh, kw] = this.kernelSize;
    this.depthwiseKernel = this.addWeight(
      'depthwise_kernel',
      [kh, kw, channels, this.depthMultiplier],
      'float32',
      this.depthwiseSpec.initializer,
      this.depthwiseSpec.regularizer,
    );
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const channels = this.channels(inputShape as SymbolicShape);
    this.buildKernels(channels);
    if (this.useBias) this.bias = this.biasSpec.create(this, [this.outChannels(channels)]);
    this.inputSpec = [{ ndim: 4, axes: { [-1]: channels } }];
    this.built = true;
  }

  protected convolve(x: Tensor): Tensor {
    return depthwiseConv2d(x, this.depthwiseKernel!, this.strides, this.padding, 'NHWC', this.dilationRate);
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    this.computeOutputShape(x.shape as SymbolicShape);
    return biasActivation(this.convolve(x), this.bias, this.activation);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const c = shape[3];
    const out = c === null || c === undefined ? null : this.outChannels(c);
    return windowOutputShape(
      this.name,
      shape,
      this.kernelSize,
      this.strides,
      this.padding,
      this.dilationRate,
      out,
      'kernel',
    );
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      ...this.windowConfig(),
      useBias: this.useBias,
      depthMultiplier: this.depthMultiplier,
      ...this.depthwiseSpec.config(),
      ...this.biasSpec.config(),
    };
  }
}
registerClass(DepthwiseConv2D);

/**
 * The arguments of `layers.separableConv2d` (TF.js's SeparableConvLayerArgs).
 *
 * @example
 * ```ts
 * fe.layers.separableConv2d({ filters: 32, kernelSize: 3, depthMultiplier: 2, padding: 'same', pointwiseInitializer: 'heNormal' });
 * ```
 */
export interface SeparableConv2DArgs extends DepthwiseConv2DArgs {
  /** Output channels of the pointwise (1x1) convolution. */
  filters: number;
  /** Default 'glorotUniform'. */
  pointwiseInitializer?: InitializerIdentifier;
  /** Penalty on the pointwise kernel added to the training loss. */
  pointwiseRegularizer?: RegularizerIdentifier;
}

/**
 * The layer `layers.separableConv2d` makes: depthwiseConv2d then a 1x1 convolution to `filters` channels.
 *
 * @example
 * ```ts
 * const layer = fe.layers.separableConv2d({ filters: 16, kernelSize: 3 });
 * layer.apply(fe.ones([1, 8, 8, 3]));
 * layer.getWeights().map((w) => w.shape); // [[3, 3, 3, 1], [1, 1, 3, 16], [16]]: depthwise, pointwise, bias
 * ```
 */
export class SeparableConv2D extends DepthwiseConv2D {
  static override className = 'SeparableConv2D';
  /** {@inheritDoc SeparableConv2DArgs.filters} */
  readonly filters: number;
  /**
   * How the pointwise kernel starts, and its regularizer.
   *
   * @internal
   */
  readonly pointwiseSpec: WeightSpec;
  /** The pointwise kernel [1, 1, inChannels · depthMultiplier, filters], once built. */
  pointwiseKernel: Variable | null = null;

  constructor(args: SeparableConv2DArgs) {
    super(args);
    if (!Number.isInteger(args.filters) || args.filters < 1)
      throw new Error(`ferrite: ${this.name}: filters must be a positive integer, got ${String(args.filters)}`);
    this.filters = args.filters;
    this.pointwiseSpec = new WeightSpec(
      this.name,
      'pointwise',
      args.pointwiseInitializer ?? 'glorotUniform',
      args.pointwiseRegularizer,
    );
  }

  protected override outChannels(_channels: number): number {
    return this.filters;
  }

  protected override buildKernels(channels: number): void {
    super.buildKernels(channels);
    this.pointwiseKernel = this.addWeight(
      'pointwise_kernel',
      [1, 1, channels * this.depthMultiplier, this.filters],
      'float32',
      this.pointwiseSpec.initializer,
      this.pointwiseSpec.regularizer,
    );
  }

  protected override convolve(x: Tensor): Tensor {
    return separableConv2d(
      x,
      this.depthwiseKernel!,
      this.pointwiseKernel!,
      this.strides,
      this.padding,
      this.dilationRate,
    );
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), filters: this.filters, ...this.pointwiseSpec.config() };
  }
}
registerClass(SeparableConv2D);
