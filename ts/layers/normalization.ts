// BatchNormalization over the last (channel) axis, as Keras's and TF.js's layer.
//
// Training (`fit`, or a call with {training: true}): normalizes with the batch's own mean
// and variance, then folds them into the moving statistics, Keras's rule
//   moving = moving * momentum + batch * (1 - momentum)
// with the batch's biased variance (what Keras 3 and TF.js use). Inference normalizes
// with the moving statistics. Weights, in Keras's order: gamma [c] and beta [c]
// (trainable), movingMean [c] and movingVariance [c] (non-trainable).
//
// The moving statistics are updated in place, once per call in training mode (one per
// training step), outside the gradient tape: they are data for inference, not part of
// the function being differentiated.

import { writable, type DataType, type Tensor, type Variable } from '../tensor/tensor.js';
import { batchNorm, batchNormTraining } from '../ops/batchnorm.js';
import type { InitializerIdentifier } from '../initializers/initializer.js';
import { Layer, singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { WeightSpec } from './weight-spec.js';
import type { ConstraintIdentifier } from './constraints.js';

/**
 * The arguments of `layers.batchNormalization`.
 *
 * @example
 * ```ts
 * fe.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, center: true, scale: false });
 * ```
 */
export interface BatchNormalizationArgs extends LayerArgs {
  /** The channel axis; only the last (-1, the default, or rank - 1) is supported. */
  axis?: number;
  /** Weight of the old value in the moving averages. Default 0.99. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-3. */
  epsilon?: number;
  /** Learn an offset beta. Default true. */
  center?: boolean;
  /** Learn a scale gamma. Default true. */
  scale?: boolean;
  /** Default 'zeros'. */
  betaInitializer?: InitializerIdentifier;
  /** Default 'ones'. */
  gammaInitializer?: InitializerIdentifier;
  /** Default 'zeros'. */
  movingMeanInitializer?: InitializerIdentifier;
  /** Default 'ones'. */
  movingVarianceInitializer?: InitializerIdentifier;
  /** Penalty on beta added to the training loss. */
  betaRegularizer?: RegularizerIdentifier;
  /** Penalty on gamma added to the training loss. */
  gammaRegularizer?: RegularizerIdentifier;
  /** Applied to beta after each optimizer step. */
  betaConstraint?: ConstraintIdentifier;
  /** Applied to gamma after each optimizer step. */
  gammaConstraint?: ConstraintIdentifier;
}

/** moving = moving * momentum + batch * (1 - momentum), in place; c values, so plain JS. */
function updateMovingAverage(moving: Variable, batch: Tensor, momentum: number): void {
  const m = writable(moving, 'BatchNormalization: moving statistics').view();
  const b = batch.view();
  const decay = 1 - momentum;
  for (let i = 0; i < m.length; i++) m[i] = m[i] * momentum + b[i] * decay;
}

/**
 * The layer `layers.batchNormalization` makes: Batch normalization over the last axis, with moving statistics for inference.
 *
 * @example
 * ```ts
 * const layer = fe.layers.batchNormalization();
 * layer.apply(fe.ones([2, 5, 5, 8]));
 * layer.getWeights().map((w) => w.shape); // [[8], [8], [8], [8]]: gamma, beta, movingMean, movingVariance
 * ```
 */
export class BatchNormalization extends Layer {
  static override className = 'BatchNormalization';
  /** {@inheritDoc BatchNormalizationArgs.axis} */
  readonly axis: number;
  /** {@inheritDoc BatchNormalizationArgs.momentum} */
  readonly momentum: number;
  /** {@inheritDoc BatchNormalizationArgs.epsilon} */
  readonly epsilon: number;
  /** {@inheritDoc BatchNormalizationArgs.center} */
  readonly center: boolean;
  /** {@inheritDoc BatchNormalizationArgs.scale} */
  readonly scale: boolean;
  /**
   * How each weight starts (and the regularizers of gamma and beta).
   *
   * @internal
   */
  readonly weightSpecs: {
    /** How gamma starts, its regularizer and constraint. */
    gamma: WeightSpec;
    /** How beta starts, its regularizer and constraint. */
    beta: WeightSpec;
    /** How the moving mean starts. */
    movingMean: WeightSpec;
    /** How the moving variance starts. */
    movingVariance: WeightSpec;
  };
  /** The learned scale per channel, once built (null without `scale`). */
  gamma: Variable | null = null;
  /** The learned offset per channel, once built (null without `center`). */
  beta: Variable | null = null;
  /** The moving average of the batch means, used at inference (not trained). */
  movingMean: Variable | null = null;
  /** The moving average of the batch variances, used at inference (not trained). */
  movingVariance: Variable | null = null;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis))
      throw new Error(`ferrite: ${this.name}: axis must be an integer, got ${String(args.axis)}`);
    this.momentum = args.momentum ?? 0.99;
    if (!(typeof this.momentum === 'number' && this.momentum >= 0 && this.momentum <= 1)) {
      throw new Error(`ferrite: ${this.name}: momentum must be a number in [0, 1], got ${String(args.momentum)}`);
    }
    this.epsilon = args.epsilon ?? 1e-3;
    if (!(typeof this.epsilon === 'number' && this.epsilon > 0 && Number.isFinite(this.epsilon))) {
      throw new Error(`ferrite: ${this.name}: epsilon must be a positive number, got ${String(args.epsilon)}`);
    }
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.weightSpecs = {
      gamma: new WeightSpec(
        this.name,
        'gamma',
        args.gammaInitializer ?? 'ones',
        args.gammaRegularizer,
        true,
        args.gammaConstraint,
      ),
      beta: new WeightSpec(
        this.name,
        'beta',
        args.betaInitializer ?? 'zeros',
        args.betaRegularizer,
        true,
        args.betaConstraint,
      ),
      movingMean: new WeightSpec(this.name, 'movingMean', args.movingMeanInitializer ?? 'zeros', null, false),
      movingVariance: new WeightSpec(
        this.name,
        'movingVariance',
        args.movingVarianceInitializer ?? 'ones',
        null,
        false,
      ),
    };
    this.inputSpec = [{ minNdim: 2 }];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const rank = shape.length;
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis !== rank - 1) {
      throw new Error(
        `ferrite: ${this.name}: only the last axis (the channels of channels-last data) can be normalized; ` +
          `got axis ${this.axis} for input ${fmtSymbolicShape(shape)}. Transpose the data to put the normalized axis last.`,
      );
    }
    const c = shape[rank - 1];
    if (c === null)
      throw new Error(
        `ferrite: ${this.name}: the normalized axis (the last) of the input must be known, got ${fmtSymbolicShape(shape)}`,
      );
    const specs = this.weightSpecs;
    if (this.scale) this.gamma = specs.gamma.create(this, [c]);
    if (this.center) this.beta = specs.beta.create(this, [c]);
    this.movingMean = specs.movingMean.create(this, [c]);
    this.movingVariance = specs.movingVariance.create(this, [c]);
    this.inputSpec = [{ minNdim: 2, axes: { [-1]: c } }];
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    const offset = this.beta ?? undefined;
    const scale = this.gamma ?? undefined;
    // A frozen layer runs in inference mode even while the model trains (Keras 2.1+), so
    // that fine-tuning does not disturb statistics learnt on the original data. TF.js
    // ignores `trainable` here: a deliberate difference. Within fit, frozen means frozen
    // when the model was compiled (`frozenLayers`), as for the weights.
    const frozen = kwargs.frozenLayers instanceof Set ? kwargs.frozenLayers.has(this) : !this.trainable;
    if (!kwargs.training || frozen) {
      return batchNorm(x, this.movingMean!, this.movingVariance!, offset, scale, this.epsilon);
    }
    const { y, mean, variance } = batchNormTraining(x, offset, scale, this.epsilon);
    updateMovingAverage(this.movingMean!, mean, this.momentum);
    updateMovingAverage(this.movingVariance!, variance, this.momentum);
    mean.dispose(); // the tape keeps them for the backward pass if it needs them
    variance.dispose();
    return y;
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...this.weightSpecs.beta.config(),
      ...this.weightSpecs.gamma.config(),
      ...this.weightSpecs.movingMean.config(),
      ...this.weightSpecs.movingVariance.config(),
    };
  }
}
registerClass(BatchNormalization);
