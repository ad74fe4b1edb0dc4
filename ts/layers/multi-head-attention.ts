// MultiHeadAttention with Keras's semantics, config and weights (TF.js has no attention
// layer). Called on [query, value] or [query, value, key], each [batch, steps, dim]:
//   Q = query · Wq + bq    [batch, T, heads, keyDim]     (Keras's EinsumDense "abc,cde->abde")
//   K = key · Wk + bk      [batch, S, heads, keyDim]
//   V = value · Wv + bv    [batch, S, heads, valueDim]
//   O = softmax(Q Kᵀ / sqrt(keyDim) + mask) V,  output = O · Wo + bo   [batch, T, outputDim]
// Weights in Keras's order and names: query/kernel [dim, heads, keyDim], query/bias
// [heads, keyDim], key/..., value/kernel [dim, heads, valueDim], value/bias, then
// attention_output/kernel [heads, valueDim, outputDim] and attention_output/bias.
//
// The attention itself is the fused kernel (ops/attention.ts), which never keeps the
// [T, S] scores. Two things need them, and take the unfused path (matMul, softmax,
// dropout): dropout on the attention weights while training, and returnAttentionScores.

import type { DataType, Tensor, Variable } from '../tensor/tensor.js';
import { add, cast, expandDims, matMul, mul, reshape, softmax, sub, transpose } from '../ops/index.js';
import { dropout } from '../ops/dropout.js';
import { dotProductAttention, MASKED_SCORE } from '../ops/attention.js';
import { tensor } from '../tensor/creation.js';
import { tidy } from '../tensor/scope.js';
import { Layer, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import { SymbolicTensor, fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { KernelBiasSpec, type KernelBiasArgs } from './weight-spec.js';

/**
 * The arguments of `layers.multiHeadAttention`.
 *
 * @example
 * ```ts
 * fe.layers.multiHeadAttention({ numHeads: 8, keyDim: 64, valueDim: 64, dropout: 0.1, outputShape: 512 });
 * ```
 */
export interface MultiHeadAttentionArgs extends LayerArgs, KernelBiasArgs {
  /** The number of attention heads. */
  numHeads: number;
  /** Size of each head for query and key. */
  keyDim: number;
  /** Size of each head for value; default keyDim. */
  valueDim?: number;
  /** Dropout rate on the attention weights while training. Default 0. */
  dropout?: number;
  /** The output's last dimension; default the query's. */
  outputShape?: number | number[];
  /** Seed of the attention dropout. */
  seed?: number;
}

/**
 * The call's keyword arguments, as Keras's.
 *
 * @example
 * ```ts
 * const x = fe.input({ shape: [16, 64] });
 * const mha = fe.layers.multiHeadAttention({ numHeads: 4, keyDim: 16 });
 * mha.apply([x, x], { useCausalMask: true }); // each step attends to itself and earlier steps
 * ```
 */
export interface MultiHeadAttentionKwargs extends CallKwargs {
  /** [batch, T, S] (or broadcastable): which keys each query may see (true / 1). */
  attentionMask?: Tensor;
  /** Query i sees keys 0..i only. */
  useCausalMask?: boolean;
  /** Also return the attention weights [batch, heads, T, S] (eager calls, and a second output of a symbolic call). */
  returnAttentionScores?: boolean;
}

/** One projection: kernel and optional bias. */
interface Projection {
  kernel: Variable;
  bias: Variable | null;
}

/**
 * The layer `layers.multiHeadAttention` makes: Keras's MultiHeadAttention, applied to [query, value] or [query, value, key] (fused attention kernel).
 *
 * @example
 * ```ts
 * const layer = fe.layers.multiHeadAttention({ numHeads: 2, keyDim: 4 });
 * const x = fe.ones([1, 5, 8]);
 * (layer.apply([x, x]) as fe.Tensor).shape; // [1, 5, 8]
 * layer.countParams(); // 288
 * ```
 */
export class MultiHeadAttention extends Layer {
  static override className = 'MultiHeadAttention';
  /** The number of attention heads. */
  readonly numHeads: number;
  /** {@inheritDoc MultiHeadAttentionArgs.keyDim} */
  readonly keyDim: number;
  /** {@inheritDoc MultiHeadAttentionArgs.valueDim} */
  readonly valueDim: number;
  /** {@inheritDoc MultiHeadAttentionArgs.dropout} */
  readonly dropout: number;
  /** {@inheritDoc MultiHeadAttentionArgs.outputShape} */
  readonly outputShape: number | number[] | null;
  /** {@inheritDoc MultiHeadAttentionArgs.seed} */
  readonly seed: number | undefined;
  /**
   * How the projections' kernels and biases start, and their regularizers and constraints.
   *
   * @internal
   */
  readonly weightSpec: KernelBiasSpec;
  /** The query projection, once built. */
  query: Projection | null = null;
  /** The key projection, once built. */
  key: Projection | null = null;
  /** The value projection, once built. */
  value: Projection | null = null;
  /** The output projection, once built. */
  attentionOutput: Projection | null = null;
  private calls = 0;

  constructor(args: MultiHeadAttentionArgs) {
    if (args === undefined || typeof args !== 'object')
      throw new Error('ferrite: multiHeadAttention: expects an argument object with numHeads and keyDim');
    super(args);
    // Keras's: the query's and value's masks (Embedding maskZero, Masking) join attentionMask.
    this.supportsMasking = true;
    const positive = (v: unknown, what: string): number => {
      if (!Number.isInteger(v) || (v as number) < 1)
        throw new Error(`ferrite: ${this.name}: ${what} must be a positive integer, got ${String(v)}`);
      return v as number;
    };
    this.numHeads = positive(args.numHeads, 'numHeads');
    this.keyDim = positive(args.keyDim, 'keyDim');
    this.valueDim = positive(args.valueDim ?? args.keyDim, 'valueDim');
    this.dropout = args.dropout ?? 0;
    if (!(typeof this.dropout === 'number' && this.dropout >= 0 && this.dropout < 1)) {
      throw new Error(`ferrite: ${this.name}: dropout must be a number in [0, 1), got ${String(args.dropout)}`);
    }
    this.outputShape = args.outputShape ?? null;
    if (this.outputShape !== null) {
      const dims = Array.isArray(this.outputShape) ? this.outputShape : [this.outputShape];
      if (dims.length !== 1) {
        throw new Error(
          `ferrite: ${this.name}: outputShape must be one dimension, got ${JSON.stringify(args.outputShape)}`,
        );
      }
      positive(dims[0], 'outputShape');
    }
    this.seed = args.seed ?? undefined;
    this.weightSpec = new KernelBiasSpec(this.name, args);
    this.acceptsMultipleInputs = true;
    this.inputSpec = [{ ndim: 3 }];
  }

  private get outputDim(): number | null {
    if (this.outputShape === null) return null;
    return Array.isArray(this.outputShape) ? this.outputShape[0] : this.outputShape;
  }

  /** [query, value, key] shapes from what apply() got. */
  private shapesOf(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape[] {
    const list = Array.isArray(inputShape[0]) ? (inputShape as SymbolicShape[]) : null;
    if (list === null || list.length < 2 || list.length > 3) {
      throw new Error(
        `ferrite: ${this.name}: call it on [query, value] or [query, value, key], each [batch, steps, dim]; got ${
          list === null ? fmtSymbolicShape(inputShape as SymbolicShape) : `${list.length} inputs`
        }`,
      );
    }
    return [list[0], list[1], list[2] ?? list[1]];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const [q, v, k] = this.shapesOf(inputShape);
    const dim = (s: SymbolicShape, what: string): number => {
      const d = s[s.length - 1];
      if (d === null)
        throw new Error(
          `ferrite: ${this.name}: the last dimension of ${what} must be known, got ${fmtSymbolicShape(s)}`,
        );
      return d;
    };
    const [qd, vd, kd] = [dim(q, 'query'), dim(v, 'value'), dim(k, 'key')];
    const [n, dk, dv] = [this.numHeads, this.keyDim, this.valueDim];
    const make = (name: string, kernelShape: number[], biasShape: number[]): Projection => ({
      kernel: this.addWeight(
        `${name}/kernel`,
        kernelShape,
        'float32',
        this.weightSpec.kernel.initializer,
        this.weightSpec.kernel.regularizer,
      ),
      bias: this.weightSpec.useBias
        ? this.addWeight(
            `${name}/bias`,
            biasShape,
            'float32',
            this.weightSpec.bias.initializer,
            this.weightSpec.bias.regularizer,
          )
        : null,
    });
    this.query = make('query', [qd, n, dk], [n, dk]);
    this.key = make('key', [kd, n, dk], [n, dk]);
    this.value = make('value', [vd, n, dv], [n, dv]);
    const out = this.outputDim ?? qd;
    this.attentionOutput = make('attention_output', [n, dv, out], [out]);
    this.inputSpec = [
      { ndim: 3, axes: { [-1]: qd } },
      { ndim: 3, axes: { [-1]: vd } },
      { ndim: 3, axes: { [-1]: kd } },
    ];
    this.built = true;
  }

  /** x [batch, steps, in] times a kernel [in, ...out] plus bias: [batch, steps, ...out]. */
  private project(x: Tensor, p: Projection, outDims: number[]): Tensor {
    const [b, t, d] = x.shape;
    const width = outDims.reduce((a, c) => a * c, 1);
    let y = matMul(reshape(x, [b * t, d]), reshape(p.kernel, [d, width]));
    if (p.bias) y = add(y, reshape(p.bias, [width]));
    return reshape(y, [b, t, ...outDims]);
  }

  call(inputs: Tensor | Tensor[], kwargs: MultiHeadAttentionKwargs): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const [query, value, key] = [list[0], list[1], list[2] ?? list[1]];
    const [n, dk, dv] = [this.numHeads, this.keyDim, this.valueDim];
    const q = this.project(query, this.query!, [n, dk]);
    const k = this.project(key, this.key!, [n, dk]);
    const v = this.project(value, this.value!, [n, dv]);
    const given = this.combinedMask(kwargs, list.length, query.shape[1], value.shape[1]);
    const mask = given ? this.maskOf(given, query, value) : undefined;
    // Folded into a mask combined from the inputs' masks (see combinedMask), else the kernel's.
    const causal = kwargs.useCausalMask === true && (given === undefined || given === kwargs.attentionMask);
    const dropping = kwargs.training === true && this.dropout > 0;
    let o: Tensor;
    let scores: Tensor | null = null;
    if (dropping || kwargs.returnAttentionScores) {
      [o, scores] = this.unfused(q, k, v, mask, causal, dropping);
    } else {
      o = dotProductAttention(q, k, v, { mask, isCausal: causal });
    }
    const [b, t] = query.shape;
    const out = this.outputDim ?? query.shape[2];
    const p = this.attentionOutput!;
    let y = matMul(reshape(o, [b * t, n * dv]), reshape(p.kernel, [n * dv, out]));
    if (p.bias) y = add(y, p.bias);
    y = reshape(y, [b, t, out]);
    // A mask combined here from the inputs' masks (the tape keeps what it still needs).
    if (given && given !== kwargs.attentionMask) given.dispose();
    return kwargs.returnAttentionScores ? [y, scores!] : y;
  }

  /**
   * Keras's attention mask: `attentionMask` and the inputs' own masks (kwargs.mask, e.g. from
   * Embedding with maskZero), combined with a logical and: query i sees key j where the
   * query's mask keeps i and the value's (and key's) keeps j. [batch, T, S] float (1 / 0),
   * or the given attentionMask itself when no input carries a mask; undefined: no mask.
   * With input masks the causal mask joins here too, as in Keras, so that a fully masked
   * row (a padded query) attends uniformly over every key as there (the kernel's causal
   * mask would shorten the row instead).
   */
  private combinedMask(kwargs: MultiHeadAttentionKwargs, inputs: number, t: number, s: number): Tensor | undefined {
    const raw = kwargs.mask;
    const masks = (Array.isArray(raw) ? raw : [raw]) as (Tensor | null | undefined)[];
    const [qMask, vMask] = [masks[0], masks[1]];
    const kMask = inputs > 2 ? masks[2] : undefined;
    if (!qMask && !vMask && !kMask) return kwargs.attentionMask;
    return tidy(() => {
      const parts: Tensor[] = [];
      if (qMask) parts.push(expandDims(cast(qMask, 'float32'), 2)); // [B, T, 1]
      for (const m of [vMask, kMask]) if (m) parts.push(expandDims(cast(m, 'float32'), 1)); // [B, 1, S]
      if (kwargs.attentionMask) parts.push(cast(kwargs.attentionMask, 'float32'));
      if (kwargs.useCausalMask === true) {
        const lower = Float32Array.from({ length: t * s }, (_, k) => (k % s <= Math.floor(k / s) ? 1 : 0));
        parts.push(tensor(lower, [1, t, s]));
      }
      // At least one input mask: the product is a tensor made here, never an argument.
      return parts.length === 1 ? mul(parts[0], 1) : parts.reduce((a, c) => mul(a, c));
    });
  }

  /** Keras's: the output is masked where the query is. */
  override computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | (Tensor | null)[] | null): Tensor | null {
    return (Array.isArray(mask) ? mask[0] : mask) ?? null;
  }

  /** The attention mask as [batch, 1, T, S] (broadcast over heads), checked against the inputs. */
  private maskOf(mask: Tensor, query: Tensor, value: Tensor): Tensor {
    const [b, t, s] = [query.shape[0], query.shape[1], value.shape[1]];
    const ok = mask.rank === 3 && [b, t, s].every((d, i) => mask.shape[i] === d || mask.shape[i] === 1);
    if (!ok) {
      throw new Error(
        `ferrite: ${this.name}: attentionMask must be [batch, queries, keys] = [${b}, ${t}, ${s}] (or broadcastable), got [${mask.shape.join(', ')}]`,
      );
    }
    return expandDims(mask, 1);
  }

  /** softmax(Q Kᵀ scale + mask), dropout, · V with the [batch, heads, T, S] weights kept: [O, weights]. */
  private unfused(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | undefined,
    causal: boolean,
    dropping: boolean,
  ): [Tensor, Tensor] {
    const [b, t, n, dk] = q.shape;
    const s = k.shape[1];
    const dv = v.shape[3];
    const heads = (x: Tensor) => transpose(x, [0, 2, 1, 3]); // [b, steps, n, d] -> [b, n, steps, d]
    let logits = matMul(heads(q), heads(k), false, true);
    logits = mul(logits, 1 / Math.sqrt(dk));
    if (mask) logits = add(logits, mul(sub(cast(mask, 'float32'), 1), -MASKED_SCORE));
    if (causal) {
      const tri = Float32Array.from({ length: t * s }, (_, i) => (i % s > Math.floor(i / s) ? MASKED_SCORE : 0));
      logits = add(logits, tensor(tri, [t, s]));
    }
    const weights = softmax(logits);
    const seed = this.seed === undefined ? undefined : this.seed + this.calls++;
    const used = dropping ? dropout(weights, this.dropout, undefined, seed) : weights;
    const o = transpose(matMul(used, heads(v)), [0, 2, 1, 3]);
    return [reshape(o, [b, t, n, dv]), weights];
  }

  /** Set while a symbolic call asks for the scores: computeOutputShape then gives two outputs. */
  private symbolicScores = false;

  /**
   * As Layer's, and in a symbolic (functional) call with `returnAttentionScores` the node
   * gets a second output, the weights [batch, heads, T, S], as in Keras.
   */
  override apply(inputs: SymbolicTensor, kwargs?: CallKwargs): SymbolicTensor;
  override apply(inputs: Tensor, kwargs?: CallKwargs): Tensor;
  override apply(inputs: SymbolicTensor[], kwargs?: CallKwargs): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor[], kwargs?: CallKwargs): Tensor | Tensor[];
  override apply(
    inputs: Tensor | SymbolicTensor | Tensor[] | SymbolicTensor[],
    kwargs?: CallKwargs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  override apply(
    inputs: Tensor | SymbolicTensor | Tensor[] | SymbolicTensor[],
    kwargs: CallKwargs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    const list = Array.isArray(inputs) ? (inputs as unknown[]) : [inputs];
    this.symbolicScores = kwargs.returnAttentionScores === true && list.some((t) => t instanceof SymbolicTensor);
    try {
      return super.apply(inputs, kwargs);
    } finally {
      this.symbolicScores = false;
    }
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const [q, v] = this.shapesOf(inputShape);
    const out = [...q.slice(0, -1), this.outputDim ?? q[q.length - 1]];
    return this.symbolicScores ? [out, [q[0], this.numHeads, q[1], v[1]]] : out;
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropout,
      outputShape: this.outputShape,
      seed: this.seed ?? null,
      ...this.weightSpec.config(),
    };
  }
}
registerClass(MultiHeadAttention);
