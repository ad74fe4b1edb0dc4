// What the 2-D image layers (conv2d, pooling, zeroPadding2d) share: NHWC input checks
// that name the layer and the expected layout, argument pairs ([height, width]), and
// the output size of a sliding window on shapes whose dimensions may be unknown (null).

import { Layer, type LayerArgs, type LayerConfig } from './layer.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { resolveActivation, type Activation, type ActivationIdentifier } from './activations.js';

/**
 * Keras's data formats; only channels-last (NHWC, the TF.js and Keras default) is supported.
 *
 * @example
 * ```ts
 * fe.layers.maxPooling2d({ poolSize: 2, dataFormat: 'channelsLast' }); // NHWC, the only layout of most kernels here
 * ```
 */
export type DataFormat = 'channelsLast' | 'channelsFirst';

/**
 * One value for both spatial dimensions, or [height, width].
 *
 * @example
 * ```ts
 * fe.layers.conv2d({ filters: 8, kernelSize: [5, 3], strides: 2 }); // [height, width], or one number for both
 * ```
 */
export type Pair = number | [number, number];

/** [height, width] from one number or a pair, each an integer >= `min`. */
export function toPair(layer: string, what: string, v: unknown, min = 1): [number, number] {
  const pair = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : null;
  if (pair === null || !pair.every((d) => Number.isInteger(d) && d >= min)) {
    const kind = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new Error(
      `ferrite: ${layer}: ${what} must be ${kind} or a pair [height, width] of them, got ${JSON.stringify(v)}`,
    );
  }
  return [pair[0], pair[1]];
}

export function checkPaddingMode(layer: string, padding: unknown): 'valid' | 'same' {
  if (padding !== 'valid' && padding !== 'same') {
    throw new Error(`ferrite: ${layer}: padding must be 'valid' or 'same', got ${JSON.stringify(padding)}`);
  }
  return padding;
}

export function checkDataFormat(layer: string, dataFormat: unknown): 'channelsLast' {
  if (dataFormat === undefined || dataFormat === 'channelsLast') return 'channelsLast';
  if (dataFormat === 'channelsFirst') {
    throw new Error(
      `ferrite: ${layer}: dataFormat 'channelsFirst' (NCHW) is not supported; transpose the input to channels-last [batch, height, width, channels]`,
    );
  }
  throw new Error(`ferrite: ${layer}: dataFormat must be 'channelsLast', got ${JSON.stringify(dataFormat)}`);
}

/**
 * Output length of a window sliding along one dimension of size `size` (null when
 * unknown), as TF computes it: 'valid' fits whole (dilated) windows, 'same' gives
 * ceil(size / stride). Throws naming the layer when a 'valid' window does not fit.
 */
function windowLength(
  layer: string,
  inputShape: SymbolicShape,
  size: number | null,
  window: number,
  dilation: number,
  stride: number,
  padding: 'valid' | 'same',
  what: string,
): number | null {
  if (size === null) return null;
  if (padding === 'same') return Math.ceil(size / stride);
  const eff = (window - 1) * dilation + 1;
  if (size < eff) {
    throw new Error(
      `ferrite: ${layer}: the ${what} (${eff} along a dimension of size ${size}) does not fit in the input ${fmtSymbolicShape(inputShape)} ` +
        `with padding 'valid'; use padding 'same' or a smaller ${what}`,
    );
  }
  return Math.floor((size - eff) / stride) + 1;
}

/** [batch, outHeight, outWidth, channels] for a window over an NHWC input shape. */
export function windowOutputShape(
  layer: string,
  inputShape: SymbolicShape,
  window: [number, number],
  strides: [number, number],
  padding: 'valid' | 'same',
  dilation: [number, number],
  channels: number | null,
  what: string,
): SymbolicShape {
  const [n, h, w] = inputShape;
  return [
    n,
    windowLength(layer, inputShape, h, window[0], dilation[0], strides[0], padding, what),
    windowLength(layer, inputShape, w, window[1], dilation[1], strides[1], padding, what),
    channels,
  ];
}

/**
 * A layer on NHWC images: its input must have rank 4, and the error says which layout
 * was expected (`ferrite: conv2d_1: expected input of rank 4 [batch, height, width,
 * channels], got [32, 784]`).
 */
export abstract class Spatial2DLayer extends Layer {
  /** {@inheritDoc layers.Conv2DArgs.dataFormat} */
  readonly dataFormat: 'channelsLast';

  constructor(args: LayerArgs & { dataFormat?: DataFormat }) {
    super(args);
    this.dataFormat = checkDataFormat(this.name, args.dataFormat);
    this.inputSpec = [{ ndim: 4 }];
  }

  override assertInputCompatible(shapes: SymbolicShape[], single: boolean): void {
    for (const s of shapes) {
      if (s.length !== 4) {
        throw new Error(
          `ferrite: ${this.name}: expected input of rank 4 [batch, height, width, channels], got ${fmtSymbolicShape(s)}`,
        );
      }
    }
    super.assertInputCompatible(shapes, single);
  }
}

/** The options every 2-D convolution layer shares (Conv2D, DepthwiseConv2D and their kin). */
export interface Window2DArgs extends LayerArgs {
  /** Window size: one number or [height, width]. */
  kernelSize: Pair;
  /** Default 1. */
  strides?: Pair;
  /** 'valid' (default): no padding; 'same': output size ceil(input / stride). */
  padding?: 'valid' | 'same';
  /** Only 'channelsLast' (NHWC, the default). */
  dataFormat?: DataFormat;
  /** Spacing between the kernel's taps; default 1. May be combined with strides. */
  dilationRate?: Pair;
  /** Applied after the bias; default linear. */
  activation?: ActivationIdentifier;
}

/** A 2-D convolution layer: its window, padding and activation, checked and serialized once. */
export abstract class Window2DLayer extends Spatial2DLayer {
  /** {@inheritDoc layers.Conv2DArgs.kernelSize} */
  readonly kernelSize: [number, number];
  /** {@inheritDoc layers.Conv2DArgs.strides} */
  readonly strides: [number, number];
  /** {@inheritDoc layers.Conv2DArgs.padding} */
  readonly padding: 'valid' | 'same';
  /** {@inheritDoc layers.Conv2DArgs.dilationRate} */
  readonly dilationRate: [number, number];
  /** {@inheritDoc layers.Conv2DArgs.activation} */
  readonly activation: Activation;

  constructor(args: Window2DArgs) {
    super(args);
    this.kernelSize = toPair(this.name, 'kernelSize', args.kernelSize);
    this.strides = toPair(this.name, 'strides', args.strides ?? 1);
    this.padding = checkPaddingMode(this.name, args.padding ?? 'valid');
    this.dilationRate = toPair(this.name, 'dilationRate', args.dilationRate ?? 1);
    this.activation = resolveActivation(args.activation, this.name);
  }

  /** The window's and the activation's entries of getConfig. */
  protected windowConfig(): LayerConfig {
    return {
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: [...this.dilationRate],
      activation: this.activation.name,
    };
  }
}
