// PositionEmbedding, as Keras-NLP's (keras_hub.layers.PositionEmbedding): a learned vector
// per position, `embeddings` [sequenceLength, featureDim]. Called on the token embeddings
// [batch, steps, featureDim], it returns the first `steps` position vectors broadcast to
// that shape; the model adds the two, as Keras users write:
//   x = add([tokenEmbedding(ids), positionEmbedding(tokenEmbedding(ids))])

import type { DataType, Tensor, Variable } from '../tensor/tensor.js';
import { broadcastTo, slice } from '../ops/shape.js';
import type { InitializerIdentifier } from '../initializers/initializer.js';
import { Layer, singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { WeightSpec } from './weight-spec.js';

/**
 * The arguments of `layers.positionEmbedding`.
 *
 * @example
 * ```ts
 * fe.layers.positionEmbedding({ sequenceLength: 128, initializer: 'glorotUniform' });
 * ```
 */
export interface PositionEmbeddingArgs extends LayerArgs {
  /** The most positions an input may have. */
  sequenceLength: number;
  /** Default 'glorotUniform' (Keras-NLP's). */
  initializer?: InitializerIdentifier;
}

/**
 * The layer `layers.positionEmbedding` makes: a learned vector per position (Keras-NLP's PositionEmbedding), broadcast to the input's shape.
 *
 * @example
 * ```ts
 * const layer = fe.layers.positionEmbedding({ sequenceLength: 32 });
 * layer.apply(fe.ones([2, 10, 16]));
 * layer.getWeights().map((w) => w.shape); // [[32, 16]]
 * ```
 */
export class PositionEmbedding extends Layer {
  static override className = 'PositionEmbedding';
  /** {@inheritDoc PositionEmbeddingArgs.sequenceLength} */
  readonly sequenceLength: number;
  /**
   * How the embeddings start, and their regularizer.
   *
   * @internal
   */
  readonly spec: WeightSpec;
  /** The table [sequenceLength, features], once built. */
  embeddings: Variable | null = null;

  constructor(args: PositionEmbeddingArgs) {
    if (args === undefined || typeof args !== 'object')
      throw new Error('ferrite: positionEmbedding: expects an argument object with sequenceLength');
    super(args);
    if (!Number.isInteger(args.sequenceLength) || args.sequenceLength < 1) {
      throw new Error(
        `ferrite: ${this.name}: sequenceLength must be a positive integer, got ${String(args.sequenceLength)}`,
      );
    }
    this.sequenceLength = args.sequenceLength;
    this.spec = new WeightSpec(this.name, 'embeddings', args.initializer ?? 'glorotUniform', null);
    this.inputSpec = [{ minNdim: 2 }];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const d = shape[shape.length - 1];
    if (d === null) {
      throw new Error(`ferrite: ${this.name}: the feature dimension must be known, got ${fmtSymbolicShape(shape)}`);
    }
    this.embeddings = this.spec.create(this, [this.sequenceLength, d]);
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    const steps = x.shape[x.rank - 2];
    if (steps > this.sequenceLength) {
      throw new Error(
        `ferrite: ${this.name}: the input has ${steps} positions (shape [${x.shape.join(', ')}]), more than sequenceLength ${this.sequenceLength}`,
      );
    }
    const d = x.shape[x.rank - 1];
    return broadcastTo(slice(this.embeddings!, [0, 0], [steps, d]), x.shape);
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      sequenceLength: this.sequenceLength,
      initializer: this.spec.config().embeddingsInitializer,
    };
  }
}
registerClass(PositionEmbedding);
