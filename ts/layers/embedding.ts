// Embedding: integer ids [batch, ...] -> rows of a trained table, [batch, ..., outputDim].
// The table `embeddings` is [inputDim, outputDim]; the forward is a gather along axis 0
// and the gradient a deterministic scatter-add (core-rs/src/gather.rs).

import { emptyTensor, type DataType, type Tensor, type Variable } from '../tensor/tensor.js';
import { gather } from '../ops/gather.js';
import { cast } from '../ops/unary.js';
import { Layer, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import type { SymbolicShape } from './symbolic.js';
import { WeightSpec } from './weight-spec.js';
import type { ConstraintIdentifier } from './constraints.js';
import type { InitializerIdentifier } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';

/**
 * The arguments of `layers.embedding`.
 *
 * @example
 * ```ts
 * fe.layers.embedding({ inputDim: 10000, outputDim: 128, maskZero: true, inputLength: 32, embeddingsInitializer: 'randomNormal' });
 * ```
 */
export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: ids lie in [0, inputDim). */
  inputDim: number;
  /** Size of each embedding vector. */
  outputDim: number;
  /** Length of the input sequences when fixed (gives the first layer its input shape). */
  inputLength?: number | number[];
  /** Id 0 is padding: the output's mask (computeMask) is 0 there, and recurrent layers downstream skip those steps. */
  maskZero?: boolean;
  /** Default 'randomUniform' (TF.js: uniform in [-0.05, 0.05]). */
  embeddingsInitializer?: InitializerIdentifier;
  /** Penalty on the table added to the training loss. */
  embeddingsRegularizer?: RegularizerIdentifier;
  /** Applied to the table after each optimizer step. */
  embeddingsConstraint?: ConstraintIdentifier;
}

/**
 * The layer `layers.embedding` makes: integer ids -> rows of a trained [inputDim, outputDim] table.
 *
 * @example
 * ```ts
 * const layer = fe.layers.embedding({ inputDim: 100, outputDim: 8 });
 * layer.apply(fe.ones([2, 5]));
 * layer.getWeights().map((w) => w.shape); // [[100, 8]]
 * ```
 */
export class Embedding extends Layer {
  static override className = 'Embedding';
  /** {@inheritDoc EmbeddingArgs.inputDim} */
  readonly inputDim: number;
  /** {@inheritDoc EmbeddingArgs.outputDim} */
  readonly outputDim: number;
  /** {@inheritDoc EmbeddingArgs.inputLength} */
  readonly inputLength: number | number[] | undefined;
  /** {@inheritDoc EmbeddingArgs.maskZero} */
  readonly maskZero: boolean;
  private readonly spec: WeightSpec;
  /** The table [inputDim, outputDim], once built. */
  embeddings: Variable | null = null;

  constructor(args: EmbeddingArgs) {
    if (args === undefined || typeof args !== 'object')
      throw new Error('ferrite: embedding: expects an argument object with inputDim and outputDim');
    const base: LayerArgs = { ...args };
    if (base.inputShape === undefined && base.batchInputShape === undefined) {
      const len = args.inputLength;
      base.inputShape = len === undefined ? [null] : Array.isArray(len) ? len : [len];
    }
    super(base);
    for (const key of ['inputDim', 'outputDim'] as const) {
      if (!Number.isInteger(args[key]) || args[key] < 1)
        throw new Error(`ferrite: ${this.name}: ${key} must be a positive integer, got ${String(args[key])}`);
    }
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.inputLength = args.inputLength;
    this.maskZero = args.maskZero ?? false;
    this.spec = new WeightSpec(
      this.name,
      'embeddings',
      args.embeddingsInitializer ?? 'randomUniform',
      args.embeddingsRegularizer,
      true,
      args.embeddingsConstraint,
    );
  }

  override build(_inputShape: SymbolicShape | SymbolicShape[]): void {
    this.embeddings = this.spec.create(this, [this.inputDim, this.outputDim]);
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    // Ids arrive as float32 from fit's batches; TF.js casts them the same way.
    const ids = x.dtype === 'int32' ? x : cast(x, 'int32');
    try {
      return gather(this.embeddings!, ids, 0);
    } catch (e) {
      const bad = firstOutOfRange(ids, this.inputDim);
      if (bad === null) throw e;
      throw new Error(
        `ferrite: ${this.name}: id ${bad.id} at position ${bad.at} of input [${x.shape.join(', ')}] ` +
          `is outside [0, ${this.inputDim}) (inputDim ${this.inputDim})`,
      );
    } finally {
      if (ids !== x) ids.dispose();
    }
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return [...(inputShape as SymbolicShape), this.outputDim];
  }

  /** With maskZero: [batch, steps] of 1 where the id is not 0 (TF.js's computeMask). */
  override computeMask(inputs: Tensor | Tensor[], _mask?: Tensor | (Tensor | null)[] | null): Tensor | null {
    if (!this.maskZero) return null;
    const ids = Array.isArray(inputs) ? inputs[0] : inputs;
    const m = emptyTensor(ids.shape, 'float32', ids.engine);
    const [src, dst] = [ids.view(), m.view()];
    for (let i = 0; i < dst.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
    return m;
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      inputLength: this.inputLength ?? null,
      maskZero: this.maskZero,
      ...this.spec.config(),
    };
  }
}
registerClass(Embedding);

function firstOutOfRange(ids: Tensor, n: number): { id: number; at: number } | null {
  const v = ids.dataSync();
  for (let i = 0; i < v.length; i++) if (v[i] < 0 || v[i] >= n) return { id: v[i], at: i };
  return null;
}
