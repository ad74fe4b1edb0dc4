// The orthogonal initializer (Saxe et al. 2014), the default for recurrent kernels.
//
// Keras draws a normal matrix and takes Q of its QR decomposition, fixing signs so that
// R has a positive diagonal. Gram-Schmidt produces exactly that Q (its R has a positive
// diagonal by construction), so we orthonormalise the rows of a random [small, large]
// matrix, which has the same distribution. TF.js runs a QR that takes 40 s for the
// 512 x 2048 kernel of an LSTM; here nearly all the work is GEMM in wasm:
//
// - Rows are handled in blocks of 64. Each block is projected off each finished block
//   in turn with two GEMMs (block modified Gram-Schmidt). A second pass ("twice is
//   enough", Kahan and Parlett) is run only when the first removed most of a row, which
//   is when rounding could leave it not quite orthogonal.
// - Within the block, CholeskyQR twice: G = P Pᵀ by GEMM, a 64 x 64 Cholesky in float64,
//   P <- L⁻¹ P by GEMM. If the block is too ill-conditioned for that (a pivot vanishes),
//   modified Gram-Schmidt in float64 does the block instead.

import type { DataType, Shape, Tensor } from '../tensor/tensor.js';
import { emptyTensor, sizeOf, writable } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { tensor } from '../tensor/creation.js';
import { matMul } from '../ops/matmul.js';
import { sub } from '../ops/index.js';
import { randomNormal } from '../ops/random.js';
import { registerClass } from '../serialization/registry.js';
import { checkFloatInit, checkInitShape, Initializer } from './initializer.js';

/** Rows handled together: the GEMMs are [BLOCK, m] x [m, BLOCK] and [BLOCK, BLOCK] x [BLOCK, m]. */
const BLOCK = 64;
/** A row that keeps less than this fraction of its norm after projection is projected again. */
const REORTHOGONALIZE_BELOW = Math.SQRT1_2;

/**
 * Reference: modified Gram-Schmidt, in place, on the `n` rows of length `m` of `a`
 * (row-major, n <= m). Rows of (numerically) zero norm are replaced by zeros.
 */
export function orthonormalizeRowsNaive(a: Float64Array | Float32Array, n: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * m;
    for (let j = 0; j < i; j++) {
      const rj = j * m;
      let dot = 0;
      for (let c = 0; c < m; c++) dot += a[ri + c] * a[rj + c];
      for (let c = 0; c < m; c++) a[ri + c] -= dot * a[rj + c];
    }
    let ss = 0;
    for (let c = 0; c < m; c++) ss += a[ri + c] * a[ri + c];
    const inv = ss > 1e-30 ? 1 / Math.sqrt(ss) : 0;
    for (let c = 0; c < m; c++) a[ri + c] *= inv;
  }
}

/** A copy of rows [start, start + count) of a ([n, m]): one memcpy, no kernel call. */
function rows(a: Tensor, start: number, count: number): Tensor {
  const m = a.shape[1];
  const out = emptyTensor([count, m], 'float32', a.engine);
  const from = a.ptr + start * m * 4;
  a.engine.u8.copyWithin(out.ptr, from, from + count * m * 4);
  return out;
}

/** Squared norms of the rows of p ([rows, m]). */
function rowNormsSquared(p: Tensor): Float64Array {
  const [rows, m] = p.shape;
  const v = p.view();
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = r * m; c < (r + 1) * m; c++) s += v[c] * v[c];
    out[r] = s;
  }
  return out;
}

/**
 * L⁻¹ for the Cholesky factor L of the Gram matrix g ([b, b], symmetric), in float64,
 * as a float32 [b, b] tensor; null when a pivot is not clearly positive (rank loss).
 */
function inverseCholesky(g: Tensor): Tensor | null {
  const b = g.shape[0];
  const G = Float64Array.from(g.view());
  const L = new Float64Array(b * b);
  for (let j = 0; j < b; j++) {
    let d = G[j * b + j];
    for (let k = 0; k < j; k++) d -= L[j * b + k] * L[j * b + k];
    if (!(d > 1e-5 * G[j * b + j])) return null;
    const ljj = Math.sqrt(d);
    L[j * b + j] = ljj;
    for (let i = j + 1; i < b; i++) {
      let s = G[i * b + j];
      for (let k = 0; k < j; k++) s -= L[i * b + k] * L[j * b + k];
      L[i * b + j] = s / ljj;
    }
  }
  // Forward substitution, one column of the inverse at a time.
  const inv = new Float32Array(b * b);
  const col = new Float64Array(b);
  for (let c = 0; c < b; c++) {
    for (let i = 0; i < b; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= L[i * b + k] * col[k];
      col[i] = i < c ? 0 : s / L[i * b + i];
    }
    for (let i = 0; i < b; i++) inv[i * b + c] = col[i];
  }
  return tensor(inv, [b, b]);
}

/** Orthonormal rows spanning p's ([b, m]) by CholeskyQR twice, or null if p is too ill-conditioned. */
function cholQR2(p: Tensor): Tensor | null {
  let q = p;
  for (let pass = 0; pass < 2; pass++) {
    const linv = inverseCholesky(matMul(q, q, false, true));
    if (linv === null) return null;
    q = matMul(linv, q);
  }
  return q;
}

/**
 * Orthonormalises the rows of `a` ([n, m] float32, n <= m) in place; the result is the
 * Q of Gram-Schmidt (rows of a zero-norm remainder become zero). Finished blocks are
 * kept as tensors of their own, so no pass ever copies the growing Q.
 */
export function orthonormalizeRows(a: Tensor): void {
  const [n, m] = a.shape;
  if (a.rank !== 2 || n > m)
    throw new Error(`ferrite: orthonormalizeRows: need [n, m] with n <= m, got [${a.shape.join(', ')}]`);
  const blocks: Tensor[] = [];
  try {
    for (let k = 0; k < n; k += BLOCK) {
      const bs = Math.min(BLOCK, n - k);
      const q = tidy(() => {
        let p = rows(a, k, bs); // [bs, m]
        for (let pass = 0; pass < 2 && blocks.length > 0; pass++) {
          const before = rowNormsSquared(p);
          for (const qi of blocks) p = sub(p, matMul(matMul(p, qi, false, true), qi)); // P -= (P Qiᵀ) Qi
          const after = rowNormsSquared(p);
          if (before.every((b0, i) => after[i] >= REORTHOGONALIZE_BELOW * REORTHOGONALIZE_BELOW * b0)) break;
        }
        const done = cholQR2(p);
        if (done !== null) return done;
        const block = Float64Array.from(p.view());
        orthonormalizeRowsNaive(block, bs, m);
        return tensor(Float32Array.from(block), [bs, m]);
      });
      blocks.push(q);
    }
    writable(a, 'orthonormalizeRows');
    const u8 = a.engine.u8;
    blocks.forEach((q, j) => u8.copyWithin(a.ptr + j * BLOCK * m * 4, q.ptr, q.ptr + q.size * 4));
  } finally {
    for (const q of blocks) q.dispose();
  }
}

/** Arguments of `initializers.orthogonal`. */
export interface OrthogonalArgs {
  /** Multiplies the orthogonal matrix. Default 1. */
  gain?: number;
  /** Seed of the draws (default: the global seed of `setRandomSeed`, else random). */
  seed?: number;
}

/**
 * A (semi-)orthogonal matrix: for a shape [...rest, cols] with rows = prod(rest), the
 * rows are orthonormal when rows <= cols, the columns otherwise.
 */
export class Orthogonal extends Initializer {
  static override className = 'Orthogonal';
  readonly gain: number;
  readonly seed?: number;

  constructor(args: OrthogonalArgs = {}) {
    super();
    this.gain = args.gain ?? 1;
    this.seed = args.seed;
  }

  apply(shape: Shape, dtype?: DataType): Tensor {
    checkInitShape('orthogonal', shape);
    checkFloatInit('orthogonal', dtype);
    if (shape.length < 2) {
      throw new Error(`ferrite: initializers.orthogonal needs a shape of rank >= 2, got [${shape.join(', ')}]`);
    }
    const cols = shape[shape.length - 1];
    const rows = sizeOf(shape) / Math.max(cols, 1);
    const small = Math.min(rows, cols);
    const large = Math.max(rows, cols);
    const a = randomNormal([small, large], 0, 1, 'float32', this.seed);
    try {
      if (small > 0) orthonormalizeRows(a);
      const out = emptyTensor(shape, 'float32', a.engine);
      const src = a.view();
      const dst = out.view();
      const g = this.gain;
      if (rows <= cols) {
        for (let i = 0; i < src.length; i++) dst[i] = src[i] * g;
      } else {
        // a is [cols, rows]: transpose into [rows, cols].
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[r * cols + c] = src[c * rows + r] * g;
      }
      return out;
    } finally {
      a.dispose();
    }
  }

  override getConfig(): Record<string, unknown> {
    return { gain: this.gain, seed: this.seed ?? null };
  }
}
registerClass(Orthogonal);
