// Conv2DTranspose: y = activation(conv2dTranspose(x, kernel) + bias), as Keras's and TF.js's
// `conv2dTranspose` layer (the generator's upsampling convolution in a DCGAN). kernel is
// [kernelHeight, kernelWidth, filters, inChannels] (output channels before input channels,
// the convolution's layout read backwards), bias is [filters]. The output size per
// dimension is TF.js's deconvLength: size * stride, plus max(kernel - stride, 0) with
// padding 'valid'. Dilation is not supported (as in TF.js).

import type { Tensor, Variable } from '../tensor/tensor.js';
import type { Activation } from './activations.js';
import { conv2dTranspose } from '../ops/conv-transpose.js';
import { add } from '../ops/arithmetic.js';
import { singleFloat32, type CallKwargs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import type { SymbolicShape } from './symbolic.js';
import { Conv2D, type Conv2DArgs } from './conv.js';

/**
 * The arguments of `layers.conv2dTranspose`: those of conv2d (`filters` are the output channels).
 *
 * @example
 * ```ts
 * fe.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' });
 * ```
 */
export type Conv2DTransposeArgs = Conv2DArgs;

/** activation(y + bias) (bias null: none), freeing the intermediates: the tail of a convolution layer. */
export function biasActivation(y: Tensor, bias: Variable | null, activation: Activation): Tensor {
  const z = bias ? add(y, bias) : y;
  if (z !== y) y.dispose();
  const a = activation.apply(z);
  if (a !== z) z.dispose();
  return a;
}

/**
 * The layer `layers.conv2dTranspose` makes: transposed 2-D convolution (kernel [kh, kw, filters, inChannels]): out = in * stride (+ max(k - stride, 0) for 'valid').
 *
 * @example
 * ```ts
 * const layer = fe.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' });
 * layer.apply(fe.ones([1, 7, 7, 16]));
 * layer.getWeights().map((w) => w.shape); // [[3, 3, 8, 16], [8]]: kernel is [kh, kw, filters, inChannels]
 * ```
 */
export class Conv2DTranspose extends Conv2D {
  static override className = 'Conv2DTranspose';

  constructor(args: Conv2DTransposeArgs) {
    super(args);
    if (this.dilationRate[0] !== 1 || this.dilationRate[1] !== 1) {
      throw new Error(
        `ferrite: ${this.name}: dilationRate must be 1 (a transposed convolution with dilation is not supported), got ${JSON.stringify(args.dilationRate)}`,
      );
    }
  }

  protected override kernelShape(channels: number): number[] {
    return [...this.kernelSize, this.filters, channels];
  }

  override call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    const out = this.computeOutputShape(x.shape as SymbolicShape) as number[];
    return biasActivation(
      conv2dTranspose(x, this.kernel!, out, this.strides, this.padding),
      this.bias,
      this.activation,
    );
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const [n, h, w] = inputShape as SymbolicShape;
    const length = (size: number | null | undefined, k: number, s: number): number | null =>
      size === null || size === undefined ? null : size * s + (this.padding === 'valid' ? Math.max(k - s, 0) : 0);
    return [
      n,
      length(h, this.kernelSize[0], this.strides[0]),
      length(w, this.kernelSize[1], this.strides[1]),
      this.filters,
    ];
  }

  override getConfig(): LayerConfig {
    // As TF.js: no dilationRate in a transposed convolution's config.
    const { dilationRate: _, ...config } = super.getConfig();
    return config;
  }
}
registerClass(Conv2DTranspose);
