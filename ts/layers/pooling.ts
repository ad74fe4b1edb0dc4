// Pooling over NHWC images, as Keras's and TF.js's layers: MaxPooling2D and
// AveragePooling2D (a window of poolSize moved by strides), GlobalMaxPooling2D and
// GlobalAveragePooling2D (one value per channel). No weights.

import type { Tensor } from '../tensor/tensor.js';
import { avgPool, globalAvgPool, globalMaxPool, maxPool } from '../ops/pool.js';
import { singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import type { SymbolicShape } from './symbolic.js';
import { Spatial2DLayer, checkPaddingMode, toPair, windowOutputShape, type DataFormat, type Pair } from './spatial.js';

/**
 * The arguments of `layers.averagePooling2d`.
 *
 * @example
 * ```ts
 * fe.layers.averagePooling2d({ poolSize: [3, 3], strides: [2, 2], padding: 'same' });
 * ```
 */
export interface Pooling2DArgs extends LayerArgs {
  /** Window size: one number or [height, width]. Default 2. */
  poolSize?: Pair;
  /** Step of the window; default poolSize (non-overlapping windows). */
  strides?: Pair | null;
  /** 'valid' (default) or 'same' (output size ceil(input / stride)). */
  padding?: 'valid' | 'same';
  /** Only 'channelsLast' (NHWC, the default). */
  dataFormat?: DataFormat;
}

/** The windowed poolings: same arguments, output shape and config; `pool` differs. */
abstract class Pooling2D extends Spatial2DLayer {
  /** The window [height, width]. */
  readonly poolSize: [number, number];
  /** The window's step [height, width]. */
  readonly strides: [number, number];
  /** 'valid' or 'same'. */
  readonly padding: 'valid' | 'same';

  constructor(args: Pooling2DArgs = {}) {
    super(args);
    this.poolSize = toPair(this.name, 'poolSize', args.poolSize ?? 2);
    this.strides =
      args.strides === undefined || args.strides === null ? this.poolSize : toPair(this.name, 'strides', args.strides);
    this.padding = checkPaddingMode(this.name, args.padding ?? 'valid');
  }

  protected abstract pool(x: Tensor): Tensor;

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    this.computeOutputShape(x.shape as SymbolicShape); // errors that name the layer
    return this.pool(x);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return windowOutputShape(
      this.name,
      shape,
      this.poolSize,
      this.strides,
      this.padding,
      [1, 1],
      shape[3],
      'pool window',
    );
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      poolSize: [...this.poolSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: this.dataFormat,
    };
  }
}

/**
 * The maximum of each window. A window of negative values gives its (negative) maximum.
 *
 * @example
 * ```ts
 * const layer = fe.layers.maxPooling2d({ poolSize: 2, strides: 2 });
 * layer.computeOutputShape([null, 28, 28, 8]); // [null, 14, 14, 8]
 * ```
 */
export class MaxPooling2D extends Pooling2D {
  static override className = 'MaxPooling2D';
  protected pool(x: Tensor): Tensor {
    return maxPool(x, this.poolSize, this.strides, this.padding);
  }
}
registerClass(MaxPooling2D);

/**
 * The mean of each window (with 'same' padding: of the real pixels under it, as TF).
 *
 * @example
 * ```ts
 * const layer = fe.layers.averagePooling2d({ poolSize: 2 });
 * layer.computeOutputShape([null, 28, 28, 8]); // [null, 14, 14, 8]
 * ```
 */
export class AveragePooling2D extends Pooling2D {
  static override className = 'AveragePooling2D';
  protected pool(x: Tensor): Tensor {
    return avgPool(x, this.poolSize, this.strides, this.padding);
  }
}
registerClass(AveragePooling2D);

/**
 * The arguments of `layers.globalMaxPooling2d`.
 *
 * @example
 * ```ts
 * fe.layers.globalMaxPooling2d({ keepDims: true }); // [batch, 1, 1, channels]
 * ```
 */
export interface GlobalPooling2DArgs extends LayerArgs {
  /** Only 'channelsLast' (NHWC, the default). */
  dataFormat?: DataFormat;
  /** Keep the spatial dimensions as 1s: [batch, 1, 1, channels]. Default false: [batch, channels]. */
  keepDims?: boolean;
}

abstract class GlobalPooling2D extends Spatial2DLayer {
  /** {@inheritDoc layers.GlobalPooling2DArgs.keepDims} */
  readonly keepDims: boolean;

  constructor(args: GlobalPooling2DArgs = {}) {
    super(args);
    this.keepDims = args.keepDims ?? false;
  }

  protected abstract pool(x: Tensor): Tensor;

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    return this.pool(x);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const [n, , , c] = inputShape as SymbolicShape;
    return this.keepDims ? [n, 1, 1, c] : [n, c];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), dataFormat: this.dataFormat, keepDims: this.keepDims };
  }
}

/**
 * The mean of each channel over height and width.
 *
 * @example
 * ```ts
 * const layer = fe.layers.globalAveragePooling2d();
 * layer.computeOutputShape([null, 7, 7, 64]); // [null, 64]
 * ```
 */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  static override className = 'GlobalAveragePooling2D';
  protected pool(x: Tensor): Tensor {
    return globalAvgPool(x, this.keepDims);
  }
}
registerClass(GlobalAveragePooling2D);

/**
 * The maximum of each channel over height and width.
 *
 * @example
 * ```ts
 * const layer = fe.layers.globalMaxPooling2d();
 * layer.computeOutputShape([null, 7, 7, 64]); // [null, 64]
 * ```
 */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  static override className = 'GlobalMaxPooling2D';
  protected pool(x: Tensor): Tensor {
    return globalMaxPool(x, this.keepDims);
  }
}
registerClass(GlobalMaxPooling2D);
