// UpSampling2D and Cropping2D: the image-size layers of a generator, as Keras's and TF.js's.
// UpSampling2D repeats ('nearest') or blends ('bilinear') pixels by integer factors
// (kernel: core-rs/src/upsample.rs); Cropping2D removes rows and columns at the edges.
// No weights.

import type { Tensor } from '../tensor/tensor.js';
import { upSampling2d, type Interpolation } from '../ops/upsample.js';
import { slice } from '../ops/shape.js';
import { singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { Spatial2DLayer, toPair, type DataFormat } from './spatial.js';

/**
 * The arguments of `layers.upSampling2d`.
 *
 * @example
 * ```ts
 * fe.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' });
 * ```
 */
export interface UpSampling2DArgs extends LayerArgs {
  /** Factors for rows and columns; default [2, 2]. */
  size?: number | [number, number];
  /** Only 'channelsLast' (NHWC, the default). */
  dataFormat?: DataFormat;
  /** 'nearest' (default) or 'bilinear'. */
  interpolation?: Interpolation;
}

/**
 * The layer `layers.upSampling2d` makes: enlarges NHWC images by integer factors (default [2, 2]), 'nearest' or 'bilinear'.
 *
 * @example
 * ```ts
 * const layer = fe.layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear' });
 * layer.computeOutputShape([null, 7, 7, 3]); // [null, 14, 21, 3]
 * ```
 */
export class UpSampling2D extends Spatial2DLayer {
  static override className = 'UpSampling2D';
  /** {@inheritDoc UpSampling2DArgs.size} */
  readonly size: [number, number];
  /** {@inheritDoc UpSampling2DArgs.interpolation} */
  readonly interpolation: Interpolation;

  constructor(args: UpSampling2DArgs = {}) {
    super(args);
    this.size = toPair(this.name, 'size', args.size ?? [2, 2]);
    const interpolation = args.interpolation ?? 'nearest';
    if (interpolation !== 'nearest' && interpolation !== 'bilinear') {
      throw new Error(
        `ferrite: ${this.name}: interpolation must be 'nearest' or 'bilinear', got ${JSON.stringify(interpolation)}`,
      );
    }
    this.interpolation = interpolation;
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    return upSampling2d(singleFloat32(this.name, inputs), this.size, this.interpolation);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const [n, h, w, c] = inputShape as SymbolicShape;
    return [n, h === null ? null : h * this.size[0], w === null ? null : w * this.size[1], c];
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      size: [...this.size],
      dataFormat: this.dataFormat,
      interpolation: this.interpolation,
    };
  }
}
registerClass(UpSampling2D);

/**
 * The arguments of `layers.cropping2D`.
 *
 * @example
 * ```ts
 * fe.layers.cropping2D({ cropping: [[1, 0], [2, 2]] }); // 1 row off the top, 2 columns off each side
 * ```
 */
export interface Cropping2DArgs extends LayerArgs {
  /**
   * n: n rows/columns off every side; [h, w]: h rows off the top and bottom, w columns off
   * the left and right; [[top, bottom], [left, right]]: each side on its own.
   */
  cropping: number | [number, number] | [[number, number], [number, number]];
  /** Only 'channelsLast' (NHWC, the default). */
  dataFormat?: DataFormat;
}

/**
 * The layer `layers.cropping2D` makes: removes rows and columns at the edges of NHWC images.
 *
 * @example
 * ```ts
 * const layer = fe.layers.cropping2D({ cropping: [[1, 1], [2, 2]] });
 * layer.computeOutputShape([null, 28, 28, 3]); // [null, 26, 24, 3]
 * ```
 */
export class Cropping2D extends Spatial2DLayer {
  static override className = 'Cropping2D';
  /** [[top, bottom], [left, right]]. */
  readonly cropping: [[number, number], [number, number]];

  constructor(args: Cropping2DArgs) {
    super(args ?? {});
    const c = args?.cropping;
    if (Array.isArray(c) && c.length === 2 && Array.isArray(c[0]) && Array.isArray(c[1])) {
      this.cropping = [
        toPair(this.name, 'cropping (top, bottom)', c[0], 0),
        toPair(this.name, 'cropping (left, right)', c[1], 0),
      ];
    } else {
      const [h, w] = toPair(this.name, 'cropping', c, 0);
      this.cropping = [
        [h, h],
        [w, w],
      ];
    }
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    const [, h, w] = this.computeOutputShape(x.shape as SymbolicShape) as number[];
    const [[top], [left]] = this.cropping;
    return slice(x, [0, top, left, 0], [x.shape[0], h, w, x.shape[3]]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const [n, h, w, c] = shape;
    const [[top, bottom], [left, right]] = this.cropping;
    const crop = (size: number | null, a: number, b: number): number | null => {
      if (size === null) return null;
      if (a + b >= size) {
        throw new Error(
          `ferrite: ${this.name}: cropping ${JSON.stringify(this.cropping)} leaves nothing of input ${fmtSymbolicShape(shape)}`,
        );
      }
      return size - a - b;
    };
    return [n, crop(h, top, bottom), crop(w, left, right), c];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), cropping: this.cropping.map((p) => [...p]), dataFormat: this.dataFormat };
  }
}
registerClass(Cropping2D);
