// LayerNormalization, as TF.js's layer: each sample normalized over `axis` (default the
// last), then scaled by gamma and shifted by beta (shaped as the normalized axes). The
// normalized axes must be the trailing ones (the Transformer case); the fused kernel
// (ops/layer-norm.ts) takes them as one row per sample position. Weights, in TF.js's
// order: gamma, beta.

import type { DataType, Tensor, Variable } from '../tensor/tensor.js';
import { layerNorm } from '../ops/layer-norm.js';
import type { InitializerIdentifier } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';
import { Layer, singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { WeightSpec } from './weight-spec.js';

/**
 * The arguments of `layers.layerNormalization`.
 *
 * @example
 * ```ts
 * fe.layers.layerNormalization({ axis: -1, epsilon: 1e-6, center: true, scale: true });
 * ```
 */
export interface LayerNormalizationArgs extends LayerArgs {
  /** The normalized axis or axes (trailing ones). Default -1. */
  axis?: number | number[];
  /** Added to the variance. Default 1e-3. */
  epsilon?: number;
  /** Learn an offset beta. Default true. */
  center?: boolean;
  /** Learn a scale gamma. Default true. */
  scale?: boolean;
  /** Default 'zeros'. */
  betaInitializer?: InitializerIdentifier;
  /** Default 'ones'. */
  gammaInitializer?: InitializerIdentifier;
  /** Penalty on beta added to the training loss. */
  betaRegularizer?: RegularizerIdentifier;
  /** Penalty on gamma added to the training loss. */
  gammaRegularizer?: RegularizerIdentifier;
}

/**
 * The layer `layers.layerNormalization` makes: normalizes each sample over its last axis (or trailing `axis` list), then gamma · x + beta (TF.js's).
 *
 * @example
 * ```ts
 * const layer = fe.layers.layerNormalization();
 * layer.apply(fe.ones([2, 5, 16]));
 * layer.getWeights().map((w) => w.shape); // [[16], [16]]: gamma, beta
 * ```
 */
export class LayerNormalization extends Layer {
  static override className = 'LayerNormalization';
  /** {@inheritDoc LayerNormalizationArgs.axis} */
  readonly axis: number | number[];
  /** {@inheritDoc LayerNormalizationArgs.epsilon} */
  readonly epsilon: number;
  /** {@inheritDoc LayerNormalizationArgs.center} */
  readonly center: boolean;
  /** {@inheritDoc LayerNormalizationArgs.scale} */
  readonly scale: boolean;
  /**
   * How gamma and beta start, and their regularizers.
   *
   * @internal
   */
  readonly weightSpecs: {
    /** How gamma starts, and its regularizer. */
    gamma: WeightSpec;
    /** How beta starts, and its regularizer. */
    beta: WeightSpec;
  };
  /** The learned scale over the normalized axes, once built (null without `scale`). */
  gamma: Variable | null = null;
  /** The learned offset over the normalized axes, once built (null without `center`). */
  beta: Variable | null = null;
  /** How many trailing axes are normalized (known once built). */
  private axes = 1;

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    const list = Array.isArray(this.axis) ? this.axis : [this.axis];
    if (list.length === 0 || !list.every((a) => Number.isInteger(a))) {
      throw new Error(
        `ferrite: ${this.name}: axis must be an integer or a list of them, got ${JSON.stringify(args.axis)}`,
      );
    }
    this.epsilon = args.epsilon ?? 1e-3;
    if (!(typeof this.epsilon === 'number' && this.epsilon >= 0 && Number.isFinite(this.epsilon))) {
      throw new Error(`ferrite: ${this.name}: epsilon must be a non-negative number, got ${String(args.epsilon)}`);
    }
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.weightSpecs = {
      gamma: new WeightSpec(this.name, 'gamma', args.gammaInitializer ?? 'ones', args.gammaRegularizer),
      beta: new WeightSpec(this.name, 'beta', args.betaInitializer ?? 'zeros', args.betaRegularizer),
    };
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const rank = shape.length;
    const list = (Array.isArray(this.axis) ? this.axis : [this.axis]).map((a) => (a < 0 ? a + rank : a));
    const sorted = [...new Set(list)].sort((a, b) => a - b);
    const trailing = sorted.every((a, i) => a === rank - sorted.length + i) && sorted[0] >= 1;
    if (!trailing || sorted.length !== list.length) {
      throw new Error(
        `ferrite: ${this.name}: axis ${JSON.stringify(this.axis)} must name distinct trailing axes (not the batch axis) ` +
          `of the input ${fmtSymbolicShape(shape)}, such as -1`,
      );
    }
    const paramShape = shape.slice(rank - sorted.length);
    if (paramShape.some((d) => d === null)) {
      throw new Error(
        `ferrite: ${this.name}: the normalized axes of the input must be known, got ${fmtSymbolicShape(shape)}`,
      );
    }
    this.axes = sorted.length;
    const p = paramShape as number[];
    if (this.scale) this.gamma = this.weightSpecs.gamma.create(this, p);
    if (this.center) this.beta = this.weightSpecs.beta.create(this, p);
    this.inputSpec = [{ ndim: rank, axes: Object.fromEntries(sorted.map((a, i) => [a, p[i]])) }];
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    return layerNorm(x, {
      axes: this.axes,
      gamma: this.gamma ?? undefined,
      beta: this.beta ?? undefined,
      epsilon: this.epsilon,
    });
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      axis: this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...this.weightSpecs.beta.config(),
      ...this.weightSpecs.gamma.config(),
    };
  }
}
registerClass(LayerNormalization);
