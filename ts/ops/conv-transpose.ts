// conv2dTranspose, as TF.js's `tf.conv2dTranspose`: the adjoint of conv2d, which is
// conv2d's input gradient. y = conv2DBackpropInput(outputShape, x, filter): x plays the
// convolution's output gradient, y its input. Its own gradients are conv2d's other two
// products: dx = conv2d(dy, filter) and dfilter = conv2DBackpropFilter(dy, x).
//
// Kernels: core-rs/src/conv.rs (the convolution's input and filter gradients and its
// forward, with their naive references in conv/naive.rs); no kernel of its own.

import { record } from '../autograd/tape.js';
import { ConvActivation } from '../backend/core-abi.js';
import { emptyTensor, type Shape, type Tensor } from '../tensor/tensor.js';
import { geometryParams, windowGeometry, windowOutputShape, type Padding, type Size2D } from './conv.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/**
 * Transposed 2-D convolution ("deconvolution"), as TF.js's `tf.conv2dTranspose`: x is
 * [batch, height, width, inDepth] (or rank 3), filter is [filterHeight, filterWidth,
 * outDepth, inDepth], outputShape is [batch, outHeight, outWidth, outDepth] (or rank 3),
 * the shape of the convolution input that `x` would be the output of with these strides
 * and padding. Differentiable with respect to x and filter.
 *
 * @example
 * ```ts
 * const x = fe.ones([1, 4, 4, 8]);
 * const filter = fe.ones([3, 3, 2, 8]); // [height, width, outDepth, inDepth]
 * fe.conv2dTranspose(x, filter, [1, 8, 8, 2], 2, 'same').shape; // [1, 8, 8, 2]
 * ```
 */
export function conv2dTranspose(x: Tensor, filter: Tensor, outputShape: Shape, strides: Size2D, pad: Padding): Tensor {
  const op = 'conv2dTranspose';
  const eng = checkInputs(op, x, filter);
  checkFloat(op, x, 'x');
  checkFloat(op, filter, 'filter');
  if (x.rank !== 4 && x.rank !== 3) {
    throw new Error(
      `ferrite: ${op}: x must have rank 4 [batch, height, width, inDepth] (or rank 3 for one image), got ${fmtShape(x.shape)}`,
    );
  }
  if (filter.rank !== 4) {
    throw new Error(
      `ferrite: ${op}: filter must have rank 4 [filterHeight, filterWidth, outDepth, inDepth], got ${fmtShape(filter.shape)}`,
    );
  }
  if (!Array.isArray(outputShape) || outputShape.length !== x.rank) {
    throw new Error(
      `ferrite: ${op}: outputShape must have x's rank ${x.rank}, got ${JSON.stringify(outputShape)} (x ${fmtShape(x.shape)})`,
    );
  }
  const out = [...outputShape];
  if (out.length === 4 && out[0] !== x.shape[0]) {
    throw new Error(`ferrite: ${op}: outputShape ${fmtShape(out)} must have x's batch size ${x.shape[0]}`);
  }
  const [kh, kw, outDepth, inDepth] = filter.shape;
  if (x.shape[x.rank - 1] !== inDepth) {
    throw new Error(
      `ferrite: ${op}: x depth ${x.shape[x.rank - 1]} does not match the filter's inDepth ${inDepth} (the last dimension; x ${fmtShape(x.shape)}, filter ${fmtShape(filter.shape)})`,
    );
  }
  if (out[out.length - 1] !== outDepth) {
    throw new Error(
      `ferrite: ${op}: outputShape depth ${out[out.length - 1]} does not match the filter's outDepth ${outDepth} (dimension 2; filter ${fmtShape(filter.shape)})`,
    );
  }
  // The geometry of the convolution whose input is y and whose output is x.
  const g = windowGeometry(op, out, [kh, kw], inDepth, strides, pad);
  const convOut = windowOutputShape(g, out);
  if (convOut.some((d, i) => d !== x.shape[i])) {
    throw new Error(
      `ferrite: ${op}: x ${fmtShape(x.shape)} is not what a ${kh}x${kw} convolution with strides ${JSON.stringify(strides)} and pad ${JSON.stringify(pad)} ` +
        `makes of outputShape ${fmtShape(out)} (that would be ${fmtShape(convOut)})`,
    );
  }
  const y = emptyTensor(out, 'float32', eng);
  eng.core.fe_conv2d_backward_input(geometryParams(eng, g), x.ptr, filter.ptr, y.ptr);
  record('Conv2DTranspose', [x, filter], y, (dy: Tensor, needs?: readonly boolean[]) => {
    let dx: Tensor | null = null;
    let df: Tensor | null = null;
    if (needs?.[0] ?? true) {
      dx = emptyTensor(x.shape, 'float32', eng);
      eng.core.fe_conv2d_forward(geometryParams(eng, g), dy.ptr, filter.ptr, 0, ConvActivation.ACT_LINEAR, dx.ptr);
    }
    if (needs?.[1] ?? true) {
      df = emptyTensor(filter.shape, 'float32', eng);
      eng.core.fe_conv2d_backward_filter(geometryParams(eng, g), dy.ptr, x.ptr, df.ptr);
    }
    return [dx, df];
  });
  return y;
}
