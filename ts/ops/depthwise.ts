// depthwiseConv2d and separableConv2d, as TF.js's (NHWC): each input channel convolved
// with its own `channelMultiplier` filters, then (separable) a 1x1 convolution mixing the
// channels. Differentiable. Kernels: core-rs/src/depthwise.rs (the pointwise half is conv2d).

import { record } from '../autograd/tape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { conv2d, convGeometry, geometryParams, windowOutputShape, type Padding, type Size2D } from './conv.js';
import { checkInputs, fmtShape } from './util.js';

/**
 * Depthwise 2-D convolution, as TF.js's `tf.depthwiseConv2d`: x is [batch, height, width,
 * inChannels] (or rank 3), filter is [filterHeight, filterWidth, inChannels,
 * channelMultiplier]; the result has inChannels * channelMultiplier channels, output
 * channel c * channelMultiplier + q being input channel c convolved with filter[:, :, c, q].
 *
 * @example
 * ```ts
 * const x = fe.ones([1, 8, 8, 3]);
 * const filter = fe.ones([3, 3, 3, 2]); // [height, width, inChannels, multiplier]
 * fe.depthwiseConv2d(x, filter, 1, 'same').shape; // [1, 8, 8, 6]
 * ```
 */
export function depthwiseConv2d(
  x: Tensor,
  filter: Tensor,
  strides: Size2D,
  pad: Padding,
  dataFormat: 'NHWC' = 'NHWC',
  dilations: Size2D = 1,
): Tensor {
  const op = 'depthwiseConv2d';
  const eng = checkInputs(op, x, filter);
  const g = convGeometry(op, x, filter, strides, pad, dataFormat, dilations, true);
  const y = emptyTensor(windowOutputShape(g, x.shape), 'float32', eng);
  if (y.size === 0) return y;
  eng.core.fe_depthwise_conv2d_forward(geometryParams(eng, g), x.ptr, filter.ptr, y.ptr);
  record('DepthwiseConv2dNative', [x, filter], y, (dy: Tensor, needs?: readonly boolean[]) => {
    let dx: Tensor | null = null;
    let df: Tensor | null = null;
    if (needs?.[0] ?? true) {
      dx = emptyTensor(x.shape, 'float32', eng);
      eng.core.fe_depthwise_conv2d_backward_input(geometryParams(eng, g), dy.ptr, filter.ptr, dx.ptr);
    }
    if (needs?.[1] ?? true) {
      df = emptyTensor(filter.shape, 'float32', eng);
      eng.core.fe_depthwise_conv2d_backward_filter(geometryParams(eng, g), x.ptr, dy.ptr, df.ptr);
    }
    return [dx, df];
  });
  return y;
}

/**
 * Separable 2-D convolution, as TF.js's `tf.separableConv2d`: depthwiseConv2d(x,
 * depthwiseFilter) then a 1x1 conv2d with pointwiseFilter [1, 1, inChannels *
 * channelMultiplier, outChannels].
 *
 * @example
 * ```ts
 * const x = fe.ones([1, 8, 8, 3]);
 * const depthwise = fe.ones([3, 3, 3, 2]);
 * const pointwise = fe.ones([1, 1, 6, 16]);
 * fe.separableConv2d(x, depthwise, pointwise, 1, 'same').shape; // [1, 8, 8, 16]
 * ```
 */
export function separableConv2d(
  x: Tensor,
  depthwiseFilter: Tensor,
  pointwiseFilter: Tensor,
  strides: Size2D,
  pad: Padding,
  dilation: Size2D = 1,
  dataFormat: 'NHWC' = 'NHWC',
): Tensor {
  const op = 'separableConv2d';
  checkInputs(op, x, depthwiseFilter, pointwiseFilter);
  const inner = depthwiseFilter.rank === 4 ? depthwiseFilter.shape[2] * depthwiseFilter.shape[3] : NaN;
  if (
    pointwiseFilter.rank !== 4 ||
    pointwiseFilter.shape[0] !== 1 ||
    pointwiseFilter.shape[1] !== 1 ||
    pointwiseFilter.shape[2] !== inner
  ) {
    throw new Error(
      `ferrite: ${op}: pointwiseFilter must be [1, 1, ${inner}, outChannels] (inChannels * channelMultiplier of depthwiseFilter ${fmtShape(depthwiseFilter.shape)}), got ${fmtShape(pointwiseFilter.shape)}`,
    );
  }
  const d = depthwiseConv2d(x, depthwiseFilter, strides, pad, dataFormat, dilation);
  const y = conv2d(d, pointwiseFilter, 1, 'valid');
  d.dispose();
  return y;
}
