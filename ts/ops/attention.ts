// Scaled dot-product attention as Keras 3's `ops.dot_product_attention`, one fused kernel
// per direction (core-rs/src/attention.rs): the forward keeps only the output and each
// query row's log-sum-exp, the backward recomputes the scores, so no [T, S] tensor per
// head outlives the call.

import { isRecording, record } from '../autograd/tape.js';
import type { Engine } from '../backend/engine.js';
import { writeParams } from '../backend/param-block.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { add, mul, sub } from './arithmetic.js';
import { sumToShape } from './reduce.js';
import { cast } from './unary.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/**
 * What a masked-out key adds to its score: Keras's masked softmax uses this large negative
 * number (not -Infinity), so a query whose every key is masked attends uniformly instead
 * of producing NaN.
 */
export const MASKED_SCORE = -1e9;

/** Options of `dotProductAttention`. */
export interface DotProductAttentionOptions {
  /**
   * Added to the scores; broadcastable (NumPy's rule) to [batch, heads, queries, keys].
   * Differentiable: its gradient is the scores' summed over its broadcast axes (0 where
   * the mask hides a key, as in Keras's where-based masking).
   */
  bias?: Tensor;
  /** Which keys each query may see (true / nonzero), broadcastable to [batch, heads, queries, keys]. */
  mask?: Tensor;
  /** Multiplies Q Kᵀ; default 1 / sqrt(keyDim). */
  scale?: number;
  /** Query i sees keys 0..i only (Keras's causal mask). */
  isCausal?: boolean;
}

/**
 * softmax(scale · Q Kᵀ + bias, masked) · V per head, as Keras 3's `ops.dot_product_attention`:
 * query [batch, queries, heads, keyDim], key [batch, keys, heads, keyDim], value
 * [batch, keys, heads, valueDim] give [batch, queries, heads, valueDim]. Differentiable
 * with respect to query, key, value and bias. A query row whose every key is masked
 * attends uniformly (Keras's -1e9 masking) and sends no gradient to query, key or bias.
 *
 * @example
 * ```ts
 * const q = fe.randomNormal([1, 5, 2, 8]); // [batch, queries, heads, keyDim]
 * const kv = fe.randomNormal([1, 7, 2, 8]); // [batch, keys, heads, keyDim]
 * fe.dotProductAttention(q, kv, kv).shape; // [1, 5, 2, 8]
 * fe.dotProductAttention(q, q, q, { isCausal: true }).shape; // [1, 5, 2, 8]
 * ```
 */
export function dotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  options: DotProductAttentionOptions = {},
): Tensor {
  const op = 'dotProductAttention';
  const eng = checkInputs(op, query, key, value, ...[options.bias, options.mask].filter((t) => t !== undefined));
  const dims = checkShapes(op, query, key, value);
  const [b, t, s, n, dk, dv] = dims;
  const scale = options.scale ?? 1 / Math.sqrt(dk);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) {
    throw new Error(`ferrite: ${op}: scale must be a finite number, got ${String(options.scale)}`);
  }
  const bias = combinedBias(op, options.bias, options.mask);
  const causal = options.isCausal === true;
  try {
    const strides = bias ? biasStrides(op, bias, [b, n, t, s]) : [0, 0, 0, 0];
    const params = () => writeParams(eng, [b, t, s, n, dk, dv, causal ? 1 : 0, ...strides], 11);
    const biasPtr = bias ? bias.ptr : 0;
    const o = emptyTensor([b, t, n, dv], 'float32', eng);
    const lse = emptyTensor([b, n, t], 'float32', eng);
    eng.core.fe_attention_forward(0, query.ptr, key.ptr, value.ptr, biasPtr, scale, params(), o.ptr, lse.ptr);
    // The given bias is an input (its gradient is dS summed to its shape); a mask is not.
    const inputs = options.bias ? [query, key, value, options.bias] : [query, key, value];
    record(
      'DotProductAttention',
      inputs,
      o,
      (dy, needed) => {
        const grads: (Tensor | null)[] = [query, key, value].map((x) => emptyTensor(x.shape, 'float32', eng));
        const [dq, dkey, dval] = grads as Tensor[];
        const ds = needed[3] ? emptyTensor([b, n, t, s], 'float32', eng) : undefined;
        eng.core.fe_attention_backward(
          query.ptr,
          key.ptr,
          value.ptr,
          biasPtr,
          scale,
          params(),
          o.ptr,
          lse.ptr,
          dy.ptr,
          dq.ptr,
          dkey.ptr,
          dval.ptr,
          ds ? ds.ptr : 0,
        );
        if (options.bias) grads.push(ds ? biasGradient(ds, options.bias.shape) : null);
        return grads;
      },
      bias ? [lse, bias] : [lse],
    );
    // Recording, the tape holds lse until its sweep; otherwise nothing reads it again.
    if (!isRecording()) lse.dispose();
    return o;
  } finally {
    // A bias made here from the mask: the tape holds it while it needs it.
    if (bias && bias !== options.bias) bias.dispose();
  }
}

/** dS [batch, heads, queries, keys] summed down to the bias's shape (ds is freed). */
function biasGradient(ds: Tensor, shape: readonly number[]): Tensor {
  const g = sumToShape(ds, shape);
  if (g !== ds) ds.dispose();
  return g;
}

/** [batch, queries, keys, heads, keyDim, valueDim], or an error naming what does not match. */
function checkShapes(op: string, q: Tensor, k: Tensor, v: Tensor): number[] {
  for (const [name, x] of [
    ['query', q],
    ['key', k],
    ['value', v],
  ] as const) {
    checkFloat(op, x, name);
    if (x.rank !== 4) {
      throw new Error(`ferrite: ${op}: ${name} must have rank 4 [batch, steps, heads, dim], got ${fmtShape(x.shape)}`);
    }
  }
  const [b, t, n, dk] = q.shape;
  const [kb, s, kn, kdk] = k.shape;
  const [vb, vs, vn, dv] = v.shape;
  if (kb !== b || vb !== b || kn !== n || vn !== n || kdk !== dk || vs !== s) {
    throw new Error(
      `ferrite: ${op}: expected query [batch, queries, heads, keyDim], key [batch, keys, heads, keyDim] and ` +
        `value [batch, keys, heads, valueDim] with the same batch, heads, keys and keyDim; got query ` +
        `${fmtShape(q.shape)}, key ${fmtShape(k.shape)}, value ${fmtShape(v.shape)}`,
    );
  }
  return [b, t, s, n, dk, dv];
}

/** The bias the kernel adds: the given one, the mask as 0 / MASKED_SCORE, or their sum (a new float32 tensor or `bias`). */
function combinedBias(op: string, bias: Tensor | undefined, mask: Tensor | undefined): Tensor | undefined {
  if (bias) checkFloat(op, bias, 'bias');
  if (!mask) return bias;
  const ones = mask.dtype === 'float32' ? mask : cast(mask, 'float32');
  const shifted = sub(ones, 1);
  if (ones !== mask) ones.dispose();
  const maskBias = mul(shifted, -MASKED_SCORE);
  shifted.dispose();
  if (!bias) return maskBias;
  const sum = add(bias, maskBias);
  maskBias.dispose();
  return sum;
}

/** Element strides of `bias` broadcast to `full` = [batch, heads, queries, keys] (0 where broadcast). */
function biasStrides(op: string, bias: Tensor, full: number[]): number[] {
  if (bias.rank > 4) {
    throw new Error(`ferrite: ${op}: the mask or bias must have rank <= 4, got ${fmtShape(bias.shape)}`);
  }
  const shape = [...new Array<number>(4 - bias.rank).fill(1), ...bias.shape];
  const strides = new Array<number>(4).fill(0);
  let step = 1;
  for (let d = 3; d >= 0; d--) {
    if (shape[d] !== 1 && shape[d] !== full[d]) {
      throw new Error(
        `ferrite: ${op}: a mask or bias of shape ${fmtShape(bias.shape)} does not broadcast to ` +
          `[batch, heads, queries, keys] = ${fmtShape(full)}`,
      );
    }
    strides[d] = shape[d] === 1 ? 0 : step;
    step *= shape[d];
  }
  return strides;
}

/** The f64 reference of the forward (tests): [output, lse]. */
export function dotProductAttentionNaive(
  eng: Engine,
  query: Tensor,
  key: Tensor,
  value: Tensor,
  options: DotProductAttentionOptions = {},
): [Tensor, Tensor] {
  const [b, t, s, n, dk, dv] = checkShapes('dotProductAttentionNaive', query, key, value);
  const scale = options.scale ?? 1 / Math.sqrt(dk);
  const bias = combinedBias('dotProductAttentionNaive', options.bias, options.mask);
  const strides = bias ? biasStrides('dotProductAttentionNaive', bias, [b, n, t, s]) : [0, 0, 0, 0];
  const o = emptyTensor([b, t, n, dv], 'float32', eng);
  const lse = emptyTensor([b, n, t], 'float32', eng);
  const params = writeParams(eng, [b, t, s, n, dk, dv, options.isCausal ? 1 : 0, ...strides], 11);
  eng.core.fe_attention_forward(1, query.ptr, key.ptr, value.ptr, bias ? bias.ptr : 0, scale, params, o.ptr, lse.ptr);
  if (bias && bias !== options.bias) bias.dispose();
  return [o, lse];
}
