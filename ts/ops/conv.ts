// 2-D convolution ops (TF.js names and signatures, NHWC): conv2d, fusedConv2d (bias and
// activation fused into the kernel), their gradients, and the window geometry that
// pooling shares.
//
// Kernels: core-rs/src/conv.rs (im2col + the tuned GEMM, chunked so the patch matrix
// stays in cache; see its header for the method and bench/conv.ts for the numbers).

import { record } from '../autograd/tape.js';
import { ConvActivation } from '../backend/core-abi.js';
import type { Engine } from '../backend/engine.js';
import { writeParams } from '../backend/param-block.js';
import { emptyTensor, type Shape, type Tensor } from '../tensor/tensor.js';
import { getActivation, type ActivationFn } from './activations.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/**
 * 'valid': no padding; 'same': TF's padding so that out = ceil(in / stride).
 *
 * @example
 * ```ts
 * const x = fe.ones([1, 5, 5, 1]);
 * fe.maxPool(x, 3, 1, 'valid').shape; // [1, 3, 3, 1]
 * fe.maxPool(x, 3, 1, 'same').shape; // [1, 5, 5, 1]
 * ```
 */
export type PaddingMode = 'valid' | 'same';
/**
 * Explicit NHWC padding, as TF.js: [[0, 0], [top, bottom], [left, right], [0, 0]].
 *
 * @example
 * ```ts
 * const x = fe.ones([1, 5, 5, 1]);
 * const filter = fe.ones([3, 3, 1, 1]);
 * fe.conv2d(x, filter, 1, [[0, 0], [1, 1], [0, 0], [0, 0]]).shape; // [1, 5, 3, 1]
 * ```
 */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
/** A padding mode, a number of zeros on every side, or explicit padding. */
export type Padding = PaddingMode | number | ExplicitPadding;
/** One value for both spatial dimensions, or [height, width]. */
export type Size2D = number | [number, number];

/**
 * Where a 2-D sliding window (convolution or pooling) reads, for NHWC input: names as
 * TF.js's Conv2DInfo. Output pixel (oh, ow) with tap (i, j) reads input pixel
 * (oh * strideHeight + i * dilationHeight - padTop, ow * strideWidth + j * dilationWidth - padLeft).
 */
export interface WindowGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  filterHeight: number;
  filterWidth: number;
  outChannels: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outHeight: number;
  outWidth: number;
}

function positiveIntPair(op: string, what: string, v: Size2D): [number, number] {
  const pair: [number, number] =
    typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : [NaN, NaN];
  if (!pair.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`ferrite: ${op}: ${what} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
  }
  return pair;
}

function fmtPad(pad: Padding): string {
  return typeof pad === 'string' ? `'${pad}'` : JSON.stringify(pad);
}

/** [before, after] padding along one dimension, and the output size. */
function resolvePad(
  pad: Padding,
  dim: 0 | 1,
  size: number,
  effFilter: number,
  stride: number,
): { before: number; after: number; out: number } {
  if (pad === 'same') {
    // TF: out = ceil(in / s); the total padding is split with the extra cell at the end.
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + effFilter - size, 0);
    return { before: Math.floor(total / 2), after: total - Math.floor(total / 2), out };
  }
  let before = 0;
  let after = 0;
  if (typeof pad === 'number') {
    before = after = pad;
  } else if (pad !== 'valid') {
    [before, after] = pad[dim + 1];
  }
  const span = size + before + after - effFilter;
  return { before, after, out: span < 0 ? 0 : Math.floor(span / stride) + 1 };
}

function checkPadding(op: string, pad: Padding): void {
  if (pad === 'valid' || pad === 'same') return;
  if (typeof pad === 'number') {
    if (Number.isInteger(pad) && pad >= 0) return;
  } else if (
    Array.isArray(pad) &&
    pad.length === 4 &&
    pad.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0)) &&
    pad[0][0] === 0 &&
    pad[0][1] === 0 &&
    pad[3][0] === 0 &&
    pad[3][1] === 0
  ) {
    return;
  }
  throw new Error(
    `ferrite: ${op}: pad must be 'valid', 'same', a non-negative integer, or [[0, 0], [top, bottom], [left, right], [0, 0]] ` +
      `(no padding on the batch and channel dimensions), got ${fmtPad(pad)}`,
  );
}

/**
 * Resolves the geometry of a 2-D window over an NHWC input of shape `xShape` (rank 4, or
 * rank 3 for a single image): padding, output size, and checks that the (dilated) window
 * fits. `op` names the operation in error messages. Layers use it for their output shapes.
 */
export function windowGeometry(
  op: string,
  xShape: Shape,
  filterSize: Size2D,
  outChannels: number,
  strides: Size2D,
  pad: Padding,
  dilations: Size2D = 1,
): WindowGeometry {
  if (xShape.length !== 4 && xShape.length !== 3) {
    throw new Error(
      `ferrite: ${op}: x must have rank 4 [batch, height, width, channels] (or rank 3 for one image), got ${fmtShape(xShape)}`,
    );
  }
  const [n, h, w, c] = xShape.length === 4 ? xShape : [1, ...xShape];
  const [kh, kw] = positiveIntPair(op, 'filter size', filterSize);
  const [sh, sw] = positiveIntPair(op, 'strides', strides);
  const [dh, dw] = positiveIntPair(op, 'dilations', dilations);
  checkPadding(op, pad);
  const effH = (kh - 1) * dh + 1;
  const effW = (kw - 1) * dw + 1;
  const ph = resolvePad(pad, 0, h, effH, sh);
  const pw = resolvePad(pad, 1, w, effW, sw);
  if (pad !== 'same' && (h + ph.before + ph.after < effH || w + pw.before + pw.after < effW)) {
    const dil = dh > 1 || dw > 1 ? ` (${kh}x${kw} dilated by ${dh}x${dw})` : '';
    throw new Error(
      `ferrite: ${op}: the ${effH}x${effW} window${dil} does not fit in the ${h + ph.before + ph.after}x${w + pw.before + pw.after} ` +
        `padded input (x ${fmtShape(xShape)}, pad ${fmtPad(pad)}); use pad 'same' or a smaller window`,
    );
  }
  return {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    filterHeight: kh,
    filterWidth: kw,
    outChannels,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    padTop: ph.before,
    padBottom: ph.after,
    padLeft: pw.before,
    padRight: pw.after,
    outHeight: ph.out,
    outWidth: pw.out,
  };
}

/** The output shape for input `xShape`: rank 4, or rank 3 when x is a single image. */
export function windowOutputShape(g: WindowGeometry, xShape: Shape): number[] {
  const s = [g.outHeight, g.outWidth, g.outChannels];
  return xShape.length === 4 ? [g.batchSize, ...s] : s;
}

/** Writes the geometry block `conv::Geometry::read` takes; returns its byte pointer. */
export function geometryParams(eng: Engine, g: WindowGeometry): number {
  const words = [
    g.batchSize,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.filterHeight,
    g.filterWidth,
    g.outChannels,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padLeft,
    g.outHeight,
    g.outWidth,
  ];
  return writeParams(eng, words, words.length);
}

/**
 * Checks x and filter and resolves the convolution's geometry. A depthwise filter is
 * [filterHeight, filterWidth, inChannels, channelMultiplier], with inChannels *
 * channelMultiplier output channels.
 */
export function convGeometry(
  op: string,
  x: Tensor,
  filter: Tensor,
  strides: Size2D,
  pad: Padding,
  dataFormat: string,
  dilations: Size2D,
  depthwise = false,
): WindowGeometry {
  checkFloat(op, x, 'x');
  checkFloat(op, filter, 'filter');
  if (dataFormat !== 'NHWC') {
    throw new Error(
      `ferrite: ${op}: only dataFormat 'NHWC' is supported (got '${dataFormat}'); transpose NCHW input to NHWC first`,
    );
  }
  if (filter.rank !== 4) {
    throw new Error(
      `ferrite: ${op}: filter must have rank 4 [filterHeight, filterWidth, ${depthwise ? 'inChannels, channelMultiplier' : 'inDepth, outDepth'}], got ${fmtShape(filter.shape)}`,
    );
  }
  if (x.rank !== 4 && x.rank !== 3) {
    throw new Error(
      `ferrite: ${op}: x must have rank 4 [batch, height, width, channels] (or rank 3 for one image), got ${fmtShape(x.shape)}`,
    );
  }
  const [kh, kw, fin, fout] = filter.shape;
  const cin = x.shape[x.rank - 1];
  if (cin !== fin) {
    throw new Error(
      `ferrite: ${op}: input depth ${cin} does not match filter input depth ${fin} (x ${fmtShape(x.shape)}, filter ${fmtShape(filter.shape)})`,
    );
  }
  if (kh === 0 || kw === 0) throw new Error(`ferrite: ${op}: filter ${fmtShape(filter.shape)} has an empty window`);
  return windowGeometry(op, x.shape, [kh, kw], depthwise ? fin * fout : fout, strides, pad, dilations);
}

/** The activations the fused kernel applies itself. */
const NATIVE_ACTIVATIONS = new Map<string, ConvActivation>([
  ['linear', ConvActivation.ACT_LINEAR],
  ['relu', ConvActivation.ACT_RELU],
]);

/**
 * Runs the fused kernel y = act(conv2d(x, filter) + bias) for act 'linear' or 'relu' and
 * records its backward (inputs x, filter and bias when given).
 *
 * The backward takes an optional second argument, which inputs need a gradient (as a tape
 * may pass it): the input gradient of a network's first convolution (whose x is data) is
 * then never computed. Without it every gradient is computed.
 */
function convForward(
  recordName: string,
  eng: Engine,
  g: WindowGeometry,
  x: Tensor,
  filter: Tensor,
  bias: Tensor | undefined,
  act: ConvActivation,
): Tensor {
  const y = emptyTensor(windowOutputShape(g, x.shape), 'float32', eng);
  eng.core.fe_conv2d_forward(geometryParams(eng, g), x.ptr, filter.ptr, bias ? bias.ptr : 0, act, y.ptr);
  const inputs = bias ? [x, filter, bias] : [x, filter];
  record(recordName, inputs, y, (dy: Tensor, needs?: readonly boolean[]) => {
    const [needDx, needDf, needDb] = [0, 1, 2].map((k) => needs?.[k] ?? true);
    // dz: the gradient at the convolution's output, before bias and activation.
    let dz = dy;
    let db: Tensor | null = null;
    if (act !== ConvActivation.ACT_LINEAR) dz = emptyTensor(dy.shape, 'float32', eng);
    if (bias && needDb) db = emptyTensor(bias.shape, 'float32', eng);
    if (act !== ConvActivation.ACT_LINEAR || db) {
      const rows = g.batchSize * g.outHeight * g.outWidth;
      eng.core.fe_conv2d_bias_act_backward(act, y.ptr, dy.ptr, dz.ptr, db ? db.ptr : 0, rows, g.outChannels);
    }
    let dx: Tensor | null = null;
    let df: Tensor | null = null;
    if (needDx) {
      dx = emptyTensor(x.shape, 'float32', eng);
      eng.core.fe_conv2d_backward_input(geometryParams(eng, g), dz.ptr, filter.ptr, dx.ptr);
    }
    if (needDf) {
      df = emptyTensor(filter.shape, 'float32', eng);
      eng.core.fe_conv2d_backward_filter(geometryParams(eng, g), x.ptr, dz.ptr, df.ptr);
    }
    if (dz !== dy) dz.dispose();
    return bias ? [dx, df, db] : [dx, df];
  });
  return y;
}

/**
 * 2-D convolution, as TF.js's `tf.conv2d`: x is [batch, height, width, inChannels] (or
 * [height, width, inChannels]), filter is [filterHeight, filterWidth, inChannels,
 * outChannels]; the result is [batch, outHeight, outWidth, outChannels] (rank 3 for rank-3
 * x). `strides` and `dilations` are one number or [height, width]; `pad` is 'valid', 'same'
 * (exactly TF's: out = ceil(in / stride), the odd cell of padding at the bottom/right), a
 * number of zeros on each side, or [[0, 0], [top, bottom], [left, right], [0, 0]].
 * Strides and dilations above 1 may be combined. Differentiable with respect to x and filter.
 *
 * @example
 * ```ts
 * const x = fe.randomNormal([1, 28, 28, 1]);
 * const filter = fe.randomNormal([3, 3, 1, 8]);
 * fe.conv2d(x, filter, 1, 'same').shape; // [1, 28, 28, 8]
 * ```
 */
export function conv2d(
  x: Tensor,
  filter: Tensor,
  strides: Size2D,
  pad: Padding,
  dataFormat: 'NHWC' = 'NHWC',
  dilations: Size2D = 1,
): Tensor {
  const eng = checkInputs('conv2d', x, filter);
  const g = convGeometry('conv2d', x, filter, strides, pad, dataFormat, dilations);
  return convForward('Conv2D', eng, g, x, filter, undefined, ConvActivation.ACT_LINEAR);
}

/**
 * The arguments of `fusedConv2d` (TF.js's `tf.fused.conv2d`): conv2d's, plus a bias and an activation applied in the same kernel.
 */
export interface FusedConv2DArgs {
  /** The input, NHWC [batch, height, width, inChannels]. */
  x: Tensor;
  /** The filter [filterHeight, filterWidth, inChannels, outChannels]. */
  filter: Tensor;
  /** The step of the filter: one number or [height, width]. */
  strides: Size2D;
  /** 'valid', 'same', a number of zeros on every side, or explicit [[0, 0], [top, bottom], [left, right], [0, 0]]. */
  pad: Padding;
  /** Only 'NHWC'. */
  dataFormat?: 'NHWC';
  /** The filter's dilation: one number or [height, width]. Default 1. */
  dilations?: Size2D;
  /** [outChannels], added over the channel axis. */
  bias?: Tensor;
  /**
   * Applied after the bias: an identifier of `getActivation` ('relu', 'sigmoid', ...) or a
   * function. 'linear' and 'relu' run inside the convolution kernel; others run after it.
   */
  activation?: string | ActivationFn;
}

/**
 * act(conv2d(x, filter) + bias), as TF.js's `tf.fused.conv2d`: one pass over the output
 * instead of three, forward and backward. Differentiable with respect to x, filter and bias.
 *
 * @example
 * ```ts
 * const x = fe.randomNormal([1, 28, 28, 1]);
 * const filter = fe.randomNormal([3, 3, 1, 8]);
 * const y = fe.fusedConv2d({ x, filter, strides: 1, pad: 'same', bias: fe.zeros([8]), activation: 'relu' });
 * y.shape; // [1, 28, 28, 8]
 * ```
 */
export function fusedConv2d({
  x,
  filter,
  strides,
  pad,
  dataFormat = 'NHWC',
  dilations = 1,
  bias,
  activation = 'linear',
}: FusedConv2DArgs): Tensor {
  const eng = bias ? checkInputs('fusedConv2d', x, filter, bias) : checkInputs('fusedConv2d', x, filter);
  const g = convGeometry('fusedConv2d', x, filter, strides, pad, dataFormat, dilations);
  if (bias) {
    checkFloat('fusedConv2d', bias, 'bias');
    if (bias.rank !== 1 || bias.shape[0] !== g.outChannels) {
      throw new Error(
        `ferrite: fusedConv2d: bias must have shape [${g.outChannels}] (the filter's output depth), got ${fmtShape(bias.shape)} (filter ${fmtShape(filter.shape)})`,
      );
    }
  }
  const native = typeof activation === 'string' ? NATIVE_ACTIVATIONS.get(activation.toLowerCase()) : undefined;
  if (native !== undefined) return convForward('FusedConv2D', eng, g, x, filter, bias, native);
  const act = getActivation(activation);
  const z = convForward('FusedConv2D', eng, g, x, filter, bias, ConvActivation.ACT_LINEAR);
  const y = act(z);
  if (y !== z) z.dispose();
  return y;
}

/**
 * The gradient of conv2d with respect to x: a transposed convolution of dy, as TF.js's
 * `conv2DBackpropInput`. xShape is x's shape; dy is [batch, outHeight, outWidth,
 * outChannels] for that geometry. Not differentiable (used by backward passes).
 */
export function conv2dBackpropInput(
  xShape: Shape,
  dy: Tensor,
  filter: Tensor,
  strides: Size2D,
  pad: Padding,
  dilations: Size2D = 1,
): Tensor {
  const eng = checkInputs('conv2dBackpropInput', dy, filter);
  checkFloat('conv2dBackpropInput', filter, 'filter');
  const g = backpropGeometry('conv2dBackpropInput', xShape, dy, filter.shape, strides, pad, dilations);
  const dx = emptyTensor(xShape, 'float32', eng);
  eng.core.fe_conv2d_backward_input(geometryParams(eng, g), dy.ptr, filter.ptr, dx.ptr);
  return dx;
}

/**
 * The gradient of conv2d with respect to the filter, as TF.js's `conv2DBackpropFilter`:
 * x is the convolution's input, dy its output gradient. Not differentiable.
 */
export function conv2dBackpropFilter(
  x: Tensor,
  dy: Tensor,
  filterShape: Shape,
  strides: Size2D,
  pad: Padding,
  dilations: Size2D = 1,
): Tensor {
  const eng = checkInputs('conv2dBackpropFilter', x, dy);
  checkFloat('conv2dBackpropFilter', x, 'x');
  const g = backpropGeometry('conv2dBackpropFilter', x.shape, dy, filterShape, strides, pad, dilations);
  const df = emptyTensor(filterShape, 'float32', eng);
  eng.core.fe_conv2d_backward_filter(geometryParams(eng, g), x.ptr, dy.ptr, df.ptr);
  return df;
}

function backpropGeometry(
  op: string,
  xShape: Shape,
  dy: Tensor,
  filterShape: Shape,
  strides: Size2D,
  pad: Padding,
  dilations: Size2D,
): WindowGeometry {
  checkFloat(op, dy, 'dy');
  if (filterShape.length !== 4)
    throw new Error(`ferrite: ${op}: filter shape must have rank 4, got ${fmtShape(filterShape)}`);
  if (xShape.length !== 4 && xShape.length !== 3)
    throw new Error(`ferrite: ${op}: x shape must have rank 4 or 3, got ${fmtShape(xShape)}`);
  if (xShape[xShape.length - 1] !== filterShape[2]) {
    throw new Error(
      `ferrite: ${op}: input depth ${xShape[xShape.length - 1]} does not match filter input depth ${filterShape[2]} (x ${fmtShape(xShape)}, filter ${fmtShape(filterShape)})`,
    );
  }
  const g = windowGeometry(op, xShape, [filterShape[0], filterShape[1]], filterShape[3], strides, pad, dilations);
  const expected = windowOutputShape(g, xShape);
  if (dy.shape.length !== expected.length || dy.shape.some((d, i) => d !== expected[i])) {
    throw new Error(
      `ferrite: ${op}: dy has shape ${fmtShape(dy.shape)}, expected ${fmtShape(expected)} for x ${fmtShape(xShape)} and filter ${fmtShape(filterShape)}`,
    );
  }
  return g;
}
