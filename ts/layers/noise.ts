// Regularizing noise, active only while training (inference passes the input through):
// GaussianNoise (adds N(0, stddev²)), GaussianDropout (multiplies by N(1, rate / (1 - rate))),
// as TF.js's noise layers, and SpatialDropout1D / SpatialDropout2D (Keras's), which drop
// whole channels: one keep-or-drop draw per (sample, channel), shared over the steps or
// pixels, so that neighbouring, correlated activations are not dropped one by one.

import type { Tensor } from '../tensor/tensor.js';
import { add, mul } from '../ops/arithmetic.js';
import { randomNormal } from '../ops/random.js';
import { Layer, singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { Dropout, type DropoutArgs } from './dropout.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { checkDataFormat, type DataFormat } from './spatial.js';

/**
 * The arguments of `layers.gaussianNoise`.
 *
 * @example
 * ```ts
 * fe.layers.gaussianNoise({ stddev: 0.05 });
 * ```
 */
export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the added noise. */
  stddev: number;
}

/**
 * The layer `layers.gaussianNoise` makes: adds N(0, stddev²) noise while training.
 *
 * @example
 * ```ts
 * const layer = fe.layers.gaussianNoise({ stddev: 0.1 });
 * layer.apply(fe.ones([2, 2])); // unchanged outside fit
 * ```
 */
export class GaussianNoise extends Layer {
  static override className = 'GaussianNoise';
  /** {@inheritDoc GaussianNoiseArgs.stddev} */
  readonly stddev: number;

  constructor(args: GaussianNoiseArgs) {
    super(args);
    if (typeof args?.stddev !== 'number' || !(args.stddev >= 0) || !Number.isFinite(args.stddev)) {
      throw new Error(`ferrite: ${this.name}: stddev must be a finite number >= 0, got ${String(args?.stddev)}`);
    }
    this.stddev = args.stddev;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    if (!kwargs.training || this.stddev === 0) return x;
    const noise = randomNormal(x.shape, 0, this.stddev);
    const y = add(x, noise);
    noise.dispose();
    return y;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), stddev: this.stddev };
  }
}
registerClass(GaussianNoise);

/**
 * The arguments of `layers.gaussianDropout`.
 *
 * @example
 * ```ts
 * fe.layers.gaussianDropout({ rate: 0.3 });
 * ```
 */
export interface GaussianDropoutArgs extends LayerArgs {
  /** The equivalent dropout rate, in [0, 1): the noise is N(1, rate / (1 - rate)). */
  rate: number;
}

/**
 * The layer `layers.gaussianDropout` makes: multiplies by N(1, rate / (1 - rate)) noise while training.
 *
 * @example
 * ```ts
 * const layer = fe.layers.gaussianDropout({ rate: 0.1 });
 * layer.apply(fe.ones([2, 2])); // unchanged outside fit
 * ```
 */
export class GaussianDropout extends Layer {
  static override className = 'GaussianDropout';
  /** {@inheritDoc GaussianDropoutArgs.rate} */
  readonly rate: number;

  constructor(args: GaussianDropoutArgs) {
    super(args);
    if (typeof args?.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) {
      throw new Error(`ferrite: ${this.name}: rate must be a number in [0, 1), got ${String(args?.rate)}`);
    }
    this.rate = args.rate;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    if (!kwargs.training || this.rate === 0) return x;
    const noise = randomNormal(x.shape, 1, Math.sqrt(this.rate / (1 - this.rate)));
    const y = mul(x, noise);
    noise.dispose();
    return y;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), rate: this.rate };
  }
}
registerClass(GaussianDropout);

type SpatialDropoutArgs = Omit<DropoutArgs, 'noiseShape'>;

/**
 * Dropout of whole channels of [batch, steps, channels].
 *
 * @example
 * ```ts
 * const layer = fe.layers.spatialDropout1d({ rate: 0.2 });
 * layer.apply(fe.ones([2, 5, 3])); // unchanged outside fit
 * ```
 */
export class SpatialDropout1D extends Dropout {
  static override className = 'SpatialDropout1D';

  constructor(args: SpatialDropoutArgs) {
    super({ ...args, noiseShape: [null, 1, null] });
    this.inputSpec = [{ ndim: 3 }];
  }

  override assertInputCompatible(shapes: SymbolicShape[], single: boolean): void {
    if (shapes.some((s) => s.length !== 3))
      throw new Error(
        `ferrite: ${this.name}: expected input of rank 3 [batch, steps, channels], got ${shapes.map(fmtSymbolicShape).join(', ')}`,
      );
    super.assertInputCompatible(shapes, single);
  }

  override getConfig(): LayerConfig {
    const { noiseShape: _, ...config } = super.getConfig();
    return config;
  }
}
registerClass(SpatialDropout1D);

/**
 * Dropout of whole channels of NHWC images.
 *
 * @example
 * ```ts
 * const layer = fe.layers.spatialDropout2d({ rate: 0.2 });
 * layer.apply(fe.ones([1, 4, 4, 3])); // unchanged outside fit
 * ```
 */
export class SpatialDropout2D extends Dropout {
  static override className = 'SpatialDropout2D';
  /** Only 'channelsLast' (NHWC). */
  readonly dataFormat: 'channelsLast';

  constructor(args: SpatialDropoutArgs & { dataFormat?: DataFormat }) {
    super({ ...args, noiseShape: [null, 1, 1, null] });
    this.dataFormat = checkDataFormat(this.name, args.dataFormat);
    this.inputSpec = [{ ndim: 4 }];
  }

  override assertInputCompatible(shapes: SymbolicShape[], single: boolean): void {
    if (shapes.some((s) => s.length !== 4))
      throw new Error(
        `ferrite: ${this.name}: expected input of rank 4 [batch, height, width, channels], got ${shapes.map(fmtSymbolicShape).join(', ')}`,
      );
    super.assertInputCompatible(shapes, single);
  }

  override getConfig(): LayerConfig {
    const { noiseShape: _, ...config } = super.getConfig();
    return { ...config, dataFormat: this.dataFormat };
  }
}
registerClass(SpatialDropout2D);
