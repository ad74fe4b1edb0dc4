// Pooling over [batch, steps, channels] sequences, as Keras's and TF.js's layers:
// MaxPooling1D and AveragePooling1D (a window of poolSize moved by strides, on the 2-D
// pooling kernels with a height of 1), GlobalMaxPooling1D and GlobalAveragePooling1D
// (one value per channel over the steps). No weights.

import type { Tensor } from '../tensor/tensor.js';
import { pool1d } from '../ops/conv1d.js';
import { max, mean } from '../ops/reduce.js';
import { Layer, singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import type { SymbolicShape } from './symbolic.js';
import { toSingle, window1dOutputShape, type Single } from './conv1d.js';
import { checkDataFormat, checkPaddingMode, type DataFormat } from './spatial.js';

/**
 * The arguments of `layers.maxPooling1d`.
 *
 * @example
 * ```ts
 * fe.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' });
 * ```
 */
export interface Pooling1DArgs extends LayerArgs {
  /** Window length; default 2. */
  poolSize?: Single;
  /** Step of the window; default poolSize. */
  strides?: Single | null;
  /** 'valid' (default) or 'same'. */
  padding?: 'valid' | 'same';
}

abstract class Pooling1D extends Layer {
  /** The window length. */
  readonly poolSize: number;
  /** The window's step. */
  readonly strides: number;
  /** 'valid' or 'same'. */
  readonly padding: 'valid' | 'same';
  protected abstract readonly mode: 'max' | 'avg';

  constructor(args: Pooling1DArgs = {}) {
    super(args);
    this.poolSize = toSingle(this.name, 'poolSize', args.poolSize ?? 2);
    this.strides =
      args.strides === undefined || args.strides === null
        ? this.poolSize
        : toSingle(this.name, 'strides', args.strides);
    this.padding = checkPaddingMode(this.name, args.padding ?? 'valid');
    this.inputSpec = [{ ndim: 3 }];
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    this.computeOutputShape(x.shape as SymbolicShape);
    return pool1d(x, this.poolSize, this.strides, this.padding, this.mode);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return window1dOutputShape(this.name, shape, this.poolSize, this.strides, this.padding, 1, shape[2], 'pool window');
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), poolSize: [this.poolSize], padding: this.padding, strides: [this.strides] };
  }
}

/**
 * The maximum of each window of steps.
 *
 * @example
 * ```ts
 * const layer = fe.layers.maxPooling1d({ poolSize: 4 });
 * layer.computeOutputShape([null, 20, 8]); // [null, 5, 8]
 * ```
 */
export class MaxPooling1D extends Pooling1D {
  static override className = 'MaxPooling1D';
  protected readonly mode = 'max';
}
registerClass(MaxPooling1D);

/**
 * The mean of each window of steps (with 'same' padding: of the real steps under it).
 *
 * @example
 * ```ts
 * const layer = fe.layers.averagePooling1d({ poolSize: 4 });
 * layer.computeOutputShape([null, 20, 8]); // [null, 5, 8]
 * ```
 */
export class AveragePooling1D extends Pooling1D {
  static override className = 'AveragePooling1D';
  protected readonly mode = 'avg';
}
registerClass(AveragePooling1D);

/**
 * The arguments of `layers.globalAveragePooling1d`.
 *
 * @example
 * ```ts
 * fe.layers.globalAveragePooling1d({ dataFormat: 'channelsLast' });
 * ```
 */
export interface GlobalPooling1DArgs extends LayerArgs {
  /** Only 'channelsLast' ([batch, steps, channels], the default). */
  dataFormat?: DataFormat;
}

abstract class GlobalPooling1D extends Layer {
  /** Only 'channelsLast' ([batch, steps, channels]). */
  readonly dataFormat: 'channelsLast';

  constructor(args: GlobalPooling1DArgs = {}) {
    super(args);
    this.dataFormat = checkDataFormat(this.name, args.dataFormat);
    this.inputSpec = [{ ndim: 3 }];
  }

  protected abstract pool(x: Tensor): Tensor;

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    if (x.shape[1] === 0) throw new Error(`ferrite: ${this.name}: input [${x.shape.join(', ')}] has no steps to pool`);
    return this.pool(x);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const [n, , c] = inputShape as SymbolicShape;
    return [n, c];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), dataFormat: this.dataFormat };
  }
}

/**
 * The mean of each channel over the steps: [batch, channels].
 *
 * @example
 * ```ts
 * const layer = fe.layers.globalAveragePooling1d();
 * layer.computeOutputShape([null, 20, 8]); // [null, 8]
 * ```
 */
export class GlobalAveragePooling1D extends GlobalPooling1D {
  static override className = 'GlobalAveragePooling1D';
  protected pool(x: Tensor): Tensor {
    return mean(x, 1);
  }
}
registerClass(GlobalAveragePooling1D);

/**
 * The maximum of each channel over the steps: [batch, channels].
 *
 * @example
 * ```ts
 * const layer = fe.layers.globalMaxPooling1d();
 * layer.computeOutputShape([null, 20, 8]); // [null, 8]
 * ```
 */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  static override className = 'GlobalMaxPooling1D';
  protected pool(x: Tensor): Tensor {
    return max(x, 1);
  }
}
registerClass(GlobalMaxPooling1D);
