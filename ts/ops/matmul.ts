// matMul: C = op(A) · op(B) (op = identity or transpose), batched over leading dimensions
// with broadcasting, as in TF.js; and its backward, written as GEMM calls on the
// tensors as stored (the core's GEMM reads either operand transposed at full speed, so
// no transpose is ever copied).

import type { Engine } from '../backend/engine.js';
import { record } from '../autograd/tape.js';
import { emptyTensor, zerosTensor, type Shape, type Tensor } from '../tensor/tensor.js';
import { contiguousStrides } from './strided-space.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/**
 * The matrix product of the last two dimensions of `a` and `b`, optionally transposing
 * either first: a is [..., M, K] (or [..., K, M] with `transposeA`), b is [..., K, N]
 * (or [..., N, K] with `transposeB`), the result is [..., M, N]. Leading (batch)
 * dimensions broadcast against each other as in NumPy: they must match or be 1, and the
 * shorter shape is padded with ones on the left (so a rank-2 operand is shared by every
 * batch of a rank-3 one).
 *
 * @example
 * ```ts
 * const a = fe.tensor2d([[1, 2], [3, 4]]);
 * const b = fe.tensor2d([[5], [6]]);
 * fe.matMul(a, b).print(); // [[17], [39]]
 * ```
 */
export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  const eng = checkInputs('matMul', a, b);
  checkFloat('matMul', a, 'a');
  checkFloat('matMul', b, 'b');
  const g = matMulGeometry(a.shape, b.shape, transposeA, transposeB);
  const c = emptyTensor(g.outShape, 'float32', eng);
  // C[t] = op(A[a_t]) op(B[b_t])
  gemmBatches(
    eng,
    transposeA,
    transposeB,
    g.m,
    g.n,
    g.k,
    at(a, g.aOffsets),
    g.lda,
    at(b, g.bOffsets),
    g.ldb,
    at(c, g.cOffsets),
    g.n,
  );
  record('MatMul', [a, b], c, (dy, needed) => matMulBackward(eng, g, a, b, dy, transposeA, transposeB, needed));
  return c;
}

/**
 * dA and dB for C = op(A) op(B), each one GEMM per batch on the stored tensors:
 *   NN: dA = dC Bᵀ     dB = Aᵀ dC          NT: dA = dC B      dB = dCᵀ A
 *   TN: dA = B dCᵀ     dB = A dC           TT: dA = Bᵀ dCᵀ    dB = dCᵀ Aᵀ
 * Where an operand was broadcast over batches, its gradient is the sum over them: the
 * products for one gradient matrix accumulate into it (in batch order). A gradient the
 * tape does not need (the dX of a first layer) is not computed.
 */
function matMulBackward(
  eng: Engine,
  g: Geometry,
  a: Tensor,
  b: Tensor,
  dy: Tensor,
  transposeA: boolean,
  transposeB: boolean,
  needed: readonly boolean[] = [true, true],
): (Tensor | null)[] {
  const { m, n, k, lda, ldb } = g;
  const empty = g.cOffsets.length === 0;
  const dC = at(dy, g.cOffsets);
  let da: Tensor | null = null;
  let db: Tensor | null = null;
  if (needed[0]) {
    da = empty ? zerosTensor(a.shape, 'float32', eng) : emptyTensor(a.shape, 'float32', eng);
    const B = at(b, g.bOffsets);
    const dA = at(da, g.aOffsets);
    if (!transposeA) {
      // dA is (M, K): dC (M, N) times op(B)ᵀ, i.e. B read with the opposite transpose.
      gemmBatches(eng, false, !transposeB, m, k, n, dC, n, B, ldb, dA, lda);
    } else {
      // dA is (K, M) = op(B) dCᵀ.
      gemmBatches(eng, transposeB, true, k, m, n, B, ldb, dC, n, dA, lda);
    }
  }
  if (needed[1]) {
    db = empty ? zerosTensor(b.shape, 'float32', eng) : emptyTensor(b.shape, 'float32', eng);
    const A = at(a, g.aOffsets);
    const dB = at(db, g.bOffsets);
    if (!transposeB) {
      // dB is (K, N) = op(A)ᵀ dC.
      gemmBatches(eng, !transposeA, false, k, n, m, A, lda, dC, n, dB, ldb);
    } else {
      // dB is (N, K) = dCᵀ op(A).
      gemmBatches(eng, true, transposeA, n, k, m, dC, n, A, lda, dB, ldb);
    }
  }
  return [da, db];
}

interface Geometry {
  outShape: number[];
  m: number;
  n: number;
  k: number;
  /** Row strides of a and b as stored. */
  lda: number;
  ldb: number;
  /** For each output batch t, the element offset of the matrix of a, b and c it uses. */
  aOffsets: number[];
  bOffsets: number[];
  cOffsets: number[];
}

function matMulGeometry(aShape: Shape, bShape: Shape, transposeA: boolean, transposeB: boolean): Geometry {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) {
    throw new Error(
      `ferrite: matMul: both inputs must have rank 2 or more, got ${fmtShape(aShape)} and ${fmtShape(bShape)}`,
    );
  }
  const [a0, a1] = [aShape[ra - 2], aShape[ra - 1]];
  const [b0, b1] = [bShape[rb - 2], bShape[rb - 1]];
  const m = transposeA ? a1 : a0;
  const kA = transposeA ? a0 : a1;
  const kB = transposeB ? b1 : b0;
  const n = transposeB ? b0 : b1;
  if (kA !== kB) {
    const flags = transposeA || transposeB ? `; transposeA=${transposeA}, transposeB=${transposeB}` : '';
    throw new Error(
      `ferrite: matMul: inner dimensions of ${fmtShape(aShape)} and ${fmtShape(bShape)} do not match (${kA} vs ${kB}${flags})`,
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batchShape: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aBatch[aBatch.length - rank + i] ?? 1;
    const db = bBatch[bBatch.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `ferrite: matMul: batch dimensions of ${fmtShape(aShape)} and ${fmtShape(bShape)} do not broadcast ` +
          `(${fmtShape(aBatch)} vs ${fmtShape(bBatch)}: each must match or be 1)`,
      );
    }
    batchShape.push(da === 1 ? db : da);
  }
  return {
    outShape: [...batchShape, m, n],
    m,
    n,
    k: kA,
    lda: a1,
    ldb: b1,
    aOffsets: batchOffsets(batchShape, aBatch, a0 * a1),
    bOffsets: batchOffsets(batchShape, bBatch, b0 * b1),
    cOffsets: batchOffsets(batchShape, batchShape, m * n),
  };
}

/** Element offset of the operand matrix used by each output batch (row-major order). */
function batchOffsets(outBatch: number[], own: number[], matrixSize: number): number[] {
  const total = outBatch.reduce((x, y) => x * y, 1);
  const pad = outBatch.length - own.length;
  const ownStrides = contiguousStrides(own);
  const offsets = new Array<number>(total);
  const idx = new Array<number>(outBatch.length).fill(0);
  for (let t = 0; t < total; t++) {
    let o = 0;
    for (let d = pad; d < outBatch.length; d++) {
      if (own[d - pad] !== 1) o += idx[d] * ownStrides[d - pad];
    }
    offsets[t] = o * matrixSize;
    for (let d = outBatch.length - 1; d >= 0; d--) {
      if (++idx[d] < outBatch[d]) break;
      idx[d] = 0;
    }
  }
  return offsets;
}

/** A tensor's matrices as the batch loop sees them: byte pointer and per-batch element offsets. */
interface Batched {
  ptr: number;
  offsets: number[];
}

function at(t: Tensor, offsets: number[]): Batched {
  return { ptr: t.ptr, offsets };
}

/** The common stride of offsets in arithmetic progression (0 when all equal), else -1. */
function progression(offsets: number[]): number {
  if (offsets.length < 2) return 0;
  const d = offsets[1] - offsets[0];
  if (d < 0) return -1;
  for (let t = 2; t < offsets.length; t++) if (offsets[t] - offsets[t - 1] !== d) return -1;
  return d;
}

/**
 * For t in batch order: C[t] = op(A[t]) op(B[t]), where products that land on a matrix
 * of C already written in this call add to it (the sum over broadcast batches of a
 * gradient). Shapes as in the core's fe_gemm: op(A) is (m, k), op(B) is (k, n), C is
 * (m, n) with row stride ldc. Uniform strides become one batched call.
 */
function gemmBatches(
  eng: Engine,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  A: Batched,
  lda: number,
  B: Batched,
  ldb: number,
  C: Batched,
  ldc: number,
): void {
  const batch = C.offsets.length;
  if (batch === 0 || m === 0 || n === 0) return;
  const ta = transA ? 1 : 0;
  const tb = transB ? 1 : 0;
  const sa = progression(A.offsets);
  const sb = progression(B.offsets);
  const sc = progression(C.offsets);
  const core = eng.core;
  const a0 = A.ptr + 4 * A.offsets[0];
  const b0 = B.ptr + 4 * B.offsets[0];
  const c0 = C.ptr + 4 * C.offsets[0];
  if (batch === 1) {
    core.fe_gemm(ta, tb, m, n, k, 1, a0, lda, b0, ldb, 0, c0, ldc);
  } else if (!transA && sa === m * lda && sb === 0 && sc === m * ldc) {
    // Stacked A times a shared B (a Dense layer on a sequence): one GEMM with batch * m rows.
    core.fe_gemm(ta, tb, batch * m, n, k, 1, a0, lda, b0, ldb, 0, c0, ldc);
  } else if (transA && !transB && sc === 0 && sa === k * lda && sb === k * ldb) {
    // Sum over batches of A_tᵀ B_t with both stacked along k (that layer's weight
    // gradient): one GEMM with batch * k deep.
    core.fe_gemm(ta, tb, m, n, batch * k, 1, a0, lda, b0, ldb, 0, c0, ldc);
  } else if (sa >= 0 && sb >= 0 && sc >= 0) {
    // sc = 0 makes the core sum every product into one C (a broadcast operand's gradient).
    core.fe_gemm_batched(ta, tb, batch, m, n, k, 1, a0, lda, sa, b0, ldb, sb, 0, c0, ldc, sc);
  } else {
    const written = new Set<number>();
    for (let t = 0; t < batch; t++) {
      const beta = written.has(C.offsets[t]) ? 1 : 0;
      written.add(C.offsets[t]);
      core.fe_gemm(
        ta,
        tb,
        m,
        n,
        k,
        1,
        A.ptr + 4 * A.offsets[t],
        lda,
        B.ptr + 4 * B.offsets[t],
        ldb,
        beta,
        C.ptr + 4 * C.offsets[t],
        ldc,
      );
    }
  }
}
