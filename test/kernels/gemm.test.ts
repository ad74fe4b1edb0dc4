// The tuned GEMM (core-rs/src/gemm.rs) against a float64 reference on both builds, and
// the matMul op: forward, batching with broadcast, gradients, errors.

import { expect, it } from 'vitest';
import {
  checkGradients,
  describeEachBuild,
  expectClose,
  randomArray,
  randomTensor,
  rng,
  withBuffers,
} from '../support/helpers.js';
import { engine, getBackend, setBackendSync } from '../../ts/backend/engine.js';
import { isRelaxedBuild } from '../../ts/backend/wasm-files.js';
import { grad } from '../../ts/autograd/tape.js';
import { matMul } from '../../ts/ops/matmul.js';
import { tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';

interface GemmCase {
  ta: boolean;
  tb: boolean;
  m: number;
  n: number;
  k: number;
  alpha?: number;
  beta?: number;
  /** Extra elements at the end of each stored row of A, B and C. */
  pad?: number;
}

/** Stored matrices for a case: A is (m, k) or (k, m), B is (k, n) or (n, k), C is (m, n), rows padded. */
function makeCase(c: GemmCase, rand: () => number) {
  const pad = c.pad ?? 0;
  const [aRows, aCols] = c.ta ? [c.k, c.m] : [c.m, c.k];
  const [bRows, bCols] = c.tb ? [c.n, c.k] : [c.k, c.n];
  const lda = aCols + pad;
  const ldb = bCols + pad;
  const ldc = c.n + pad;
  return {
    lda,
    ldb,
    ldc,
    a: randomArray(aRows * lda, rand),
    b: randomArray(bRows * ldb, rand),
    c: randomArray(c.m * ldc, rand),
  };
}

/** C = alpha op(A) op(B) + beta C in float64, with the magnitude sum |alpha| Σ|a b| + |beta c| per element. */
function referenceGemm(c: GemmCase, d: ReturnType<typeof makeCase>): { value: Float64Array; scale: Float64Array } {
  const { alpha = 1, beta = 0 } = c;
  const value = Float64Array.from(d.c);
  const scale = new Float64Array(d.c.length);
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let s = 0;
      let mag = 0;
      for (let p = 0; p < c.k; p++) {
        const x = c.ta ? d.a[p * d.lda + i] : d.a[i * d.lda + p];
        const y = c.tb ? d.b[j * d.ldb + p] : d.b[p * d.ldb + j];
        s += x * y;
        mag += Math.abs(x * y);
      }
      const o = i * d.ldc + j;
      const prior = beta === 0 ? 0 : beta * d.c[o];
      value[o] = alpha * s + prior;
      scale[o] = Math.abs(alpha) * mag + Math.abs(prior);
    }
  }
  return { value, scale };
}

function runGemm(
  kernel: 'fe_gemm' | 'fe_gemm_naive',
  c: GemmCase,
  d: ReturnType<typeof makeCase>,
  cInit: Float32Array = d.c,
): Float32Array {
  const { alpha = 1, beta = 0 } = c;
  return withBuffers([d.a, d.b, cInit], ([a, b, cc]) => {
    engine().core[kernel](+c.ta, +c.tb, c.m, c.n, c.k, alpha, a, d.lda, b, d.ldb, beta, cc, d.ldc);
  })[2];
}

/**
 * Asserts `got` (fe_gemm on the current build) equals, bit for bit, the product on the
 * single-threaded reference: the scalar build, or simd-relaxed for the relaxed builds (they
 * fuse each multiply-add).
 */
function expectSameBits(got: Float32Array, c: GemmCase, d: ReturnType<typeof makeCase>): void {
  const build = getBackend();
  const referenceBuild = isRelaxedBuild(build) ? 'simd-relaxed' : 'scalar';
  setBackendSync(referenceBuild);
  let reference: Float32Array;
  try {
    reference = runGemm('fe_gemm', c, d);
  } finally {
    setBackendSync(build);
  }
  const differs = got.findIndex((x, i) => !Object.is(x, reference[i]));
  expect(differs, `${name(c)}: first element that differs from the ${referenceBuild} build`).toBe(-1);
}

/** Asserts the GEMM result against the reference: within float32 rounding of the sum, and padding untouched. */
function expectGemm(got: Float32Array, c: GemmCase, d: ReturnType<typeof makeCase>, what: string): void {
  const { value, scale } = referenceGemm(c, d);
  for (let o = 0; o < got.length; o++) {
    const inMatrix = o % d.ldc < c.n;
    const ok = inMatrix
      ? Math.abs(got[o] - value[o]) <= 4e-7 * (c.k + 2) * scale[o] + 1e-30
      : Object.is(got[o], d.c[o]);
    if (!ok) {
      expect.fail(
        `${what}: element ${o} (row ${Math.floor(o / d.ldc)}, col ${o % d.ldc}) is ${got[o]}, expected ` +
          `${inMatrix ? value[o] : `${d.c[o]} (padding must stay untouched)`}`,
      );
    }
  }
}

const name = (c: GemmCase) =>
  `${c.ta ? 'T' : 'N'}${c.tb ? 'T' : 'N'} ${c.m}x${c.n}x${c.k}` +
  (c.alpha !== undefined ? ` alpha=${c.alpha} beta=${c.beta}` : '') +
  (c.pad ? ` pad=${c.pad}` : '');

const MODES: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

// 1s, primes, sizes around the tile (4x8), the blocking (KC = 256, MC = 128, NC = 2048)
// and the small-shape paths (a plain B read in place for M <= 8, or M <= 32 when a K
// slice of it is small; op(A) read in place for N <= 32; both at once), B packed a few
// panels at a time when the rows fit one MC block (M <= 128) and a whole block otherwise,
// with source rows copied 32 floats at a time and ragged remainders (97 = 3 runs + 1 column).
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 5],
  [4, 8, 16],
  [3, 7, 2],
  [5, 9, 300],
  [33, 17, 65],
  [31, 45, 257],
  [32, 128, 96],
  [130, 257, 9],
  [129, 33, 513],
  [300, 31, 270],
  [200, 300, 150],
  [1, 2050, 3],
  [64, 97, 520],
  [140, 97, 300],
];

describeEachBuild('gemm kernel', () => {
  for (const [ta, tb] of MODES) {
    it(`matches the reference on odd shapes, ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'}`, () => {
      const rand = rng(11 + 2 * +ta + +tb);
      for (const [m, n, k] of SHAPES) {
        const c = { ta, tb, m, n, k };
        const d = makeCase(c, rand);
        expectGemm(runGemm('fe_gemm', c, d), c, d, name(c));
      }
    });
  }

  it('applies alpha and beta, and leaves row padding alone', () => {
    const rand = rng(5);
    for (const [ta, tb] of MODES) {
      for (const [m, n, k] of [
        [7, 13, 11],
        [37, 41, 300],
        [2, 50, 9],
      ]) {
        for (const [alpha, beta] of [
          [1, 1],
          [0.5, -2],
          [-3, 0],
        ]) {
          const c = { ta, tb, m, n, k, alpha, beta, pad: 3 };
          const d = makeCase(c, rand);
          expectGemm(runGemm('fe_gemm', c, d), c, d, name(c));
        }
      }
    }
  });

  it('beta = 0 ignores NaN in C; K = 0 and alpha = 0 give beta * C', () => {
    const rand = rng(6);
    for (const [ta, tb] of MODES) {
      const c = { ta, tb, m: 9, n: 21, k: 17 };
      const d = makeCase(c, rand);
      const got = runGemm('fe_gemm', c, d, new Float32Array(d.c.length).fill(NaN));
      expectGemm(got, c, d, `${name(c)} over NaN`);
    }
    const empty = { ta: false, tb: false, m: 3, n: 5, k: 0, alpha: 1, beta: 0.5 };
    const d = makeCase(empty, rand);
    expectClose(
      runGemm('fe_gemm', empty, d),
      d.c.map((x) => 0.5 * x),
      0,
      0,
      'K = 0',
    );
    const zeroAlpha = { ta: false, tb: true, m: 4, n: 6, k: 5, alpha: 0, beta: 0 };
    const z = makeCase(zeroAlpha, rand);
    z.a[0] = NaN;
    expectClose(runGemm('fe_gemm', zeroAlpha, z), new Float32Array(24), 0, 0, 'alpha = 0');
  });

  it('the naive oracle agrees with the reference', () => {
    const rand = rng(7);
    for (const [ta, tb] of MODES) {
      const c = { ta, tb, m: 13, n: 10, k: 29, alpha: 1.5, beta: 0.25, pad: 2 };
      const d = makeCase(c, rand);
      expectGemm(runGemm('fe_gemm_naive', c, d), c, d, `naive ${name(c)}`);
    }
  });

  it('computes each element the same way whatever the shape around it (packing, tiles, direct reads)', () => {
    // 20 rows read B in place; 100 rows pack it; 20 columns read A in place. The shared
    // elements must be bitwise equal: results never depend on how the work is cut.
    const rand = rng(8);
    for (const [ta, tb] of MODES) {
      const big = { ta, tb, m: 100, n: 90, k: 300 };
      const d = makeCase(big, rand);
      const full = runGemm('fe_gemm', big, d);
      // The top-left 20 x 20 block as its own problem, same leading dimensions.
      const small = { ta, tb, m: 20, n: 20, k: 300 };
      const part = runGemm('fe_gemm', small, { ...d });
      for (let i = 0; i < 20; i++) {
        for (let j = 0; j < 20; j++) {
          if (!Object.is(part[i * d.ldc + j], full[i * d.ldc + j])) {
            expect.fail(
              `${name(small)} inside ${name(big)}: element (${i}, ${j}) differs: ${part[i * d.ldc + j]} vs ${full[i * d.ldc + j]}`,
            );
          }
        }
      }
    }
  });

  it('gives bitwise the same result as the scalar build, whatever the build and thread count', () => {
    // Every element is the same sequence of f32 operations on every build, and the work
    // split over threads never changes it. The relaxed builds fuse each multiply-add, so
    // they are compared with the single-threaded relaxed build instead of the scalar one.
    const rand = rng(10);
    for (const [ta, tb] of MODES) {
      const c = { ta, tb, m: 150, n: 170, k: 260, alpha: 1.5, beta: 0.5 };
      const d = makeCase(c, rand);
      const here = runGemm('fe_gemm', c, d);
      expectSameBits(here, c, d);
    }
  });

  it('splits large products over threads with the same bits as one thread: ragged edges, beta, two column blocks', () => {
    // Shapes every thread count splits, giving each of 2 or 3 threads more than one 128-row
    // block of A (each thread then packs whole KC x NC blocks of op(B)). 600 x 70 x 300:
    // ragged tiles and two K slices; 400 x 2061 x 260: two 2048-column blocks of B, a ragged
    // last panel.
    const rand = rng(12);
    for (const [ta, tb] of MODES) {
      for (const [m, n, k] of [
        [600, 70, 300],
        [400, 2061, 260],
      ]) {
        const c = { ta, tb, m, n, k, alpha: 1.5, beta: 0.5, pad: 3 };
        const d = makeCase(c, rand);
        const here = runGemm('fe_gemm', c, d);
        if (m * n * k < 2e7) expectGemm(here, c, d, name(c));
        expectSameBits(here, c, d);
      }
    }
  });

  it('batched: strides, broadcast operands (stride 0), and summing into one C (stride_c = 0)', () => {
    const rand = rng(9);
    for (const [ta, tb] of MODES) {
      const [m, n, k, batch] = [6, 19, 35, 3];
      const c = { ta, tb, m, n, k };
      const parts = Array.from({ length: batch }, () => makeCase(c, rand));
      const { lda, ldb, ldc } = parts[0];
      const sa = parts[0].a.length;
      const sb = parts[0].b.length;
      const sc = parts[0].c.length;
      const cat = (xs: Float32Array[]) => Float32Array.from(xs.flatMap((x) => Array.from(x)));
      const A = cat(parts.map((p) => p.a));
      const B = cat(parts.map((p) => p.b));
      const C = cat(parts.map((p) => p.c));
      const batched = (
        strideA: number,
        strideB: number,
        strideC: number,
        alpha: number,
        beta: number,
        cInit: Float32Array,
      ) =>
        withBuffers([A, B, cInit], ([a, b, cc]) => {
          engine().core.fe_gemm_batched(
            +ta,
            +tb,
            batch,
            m,
            n,
            k,
            alpha,
            a,
            lda,
            strideA,
            b,
            ldb,
            strideB,
            beta,
            cc,
            ldc,
            strideC,
          );
        })[2];

      // Independent products, A broadcast from batch 0.
      const out = batched(0, sb, sc, 2, 0.5, C);
      for (let t = 0; t < batch; t++) {
        const d = { ...parts[t], a: parts[0].a };
        expectGemm(
          out.subarray(t * sc, (t + 1) * sc),
          { ...c, alpha: 2, beta: 0.5 },
          d,
          `batched ${name(c)} product ${t}`,
        );
      }

      // Sum over the batch into one C: alpha * Σ_t op(A_t) op(B_t) + beta * C.
      const sum = batched(sa, sb, 0, 1, 1, parts[0].c);
      const expected = Float64Array.from(parts[0].c);
      let scale = 0;
      for (let t = 0; t < batch; t++) {
        const r = referenceGemm(c, parts[t]);
        r.value.forEach((v, o) => (expected[o] += v));
        scale = Math.max(scale, ...r.scale);
      }
      expectClose(sum, expected, 0, 1e-6 * batch * (k + 2) * (scale + 1), `batched ${name(c)} summed into one C`);
    }
  });
});

/** op(A) op(B) of nested arrays, in float64. */
function refMatMul(a: number[][], b: number[][], ta: boolean, tb: boolean): number[][] {
  const A = ta ? a[0].map((_, j) => a.map((row) => row[j])) : a;
  const B = tb ? b[0].map((_, j) => b.map((row) => row[j])) : b;
  return A.map((row) => B[0].map((_, j) => row.reduce((s, x, p) => s + x * B[p][j], 0)));
}

function randomMatrix(rows: number, cols: number, rand: () => number): number[][] {
  return Array.from({ length: rows }, () => Array.from(randomArray(cols, rand)));
}

describeEachBuild('matMul', () => {
  it('multiplies rank-2 tensors in all four transpose modes', () => {
    const rand = rng(21);
    for (const [ta, tb] of MODES) {
      const [m, n, k] = [7, 5, 9];
      const a = randomMatrix(ta ? k : m, ta ? m : k, rand);
      const b = randomMatrix(tb ? n : k, tb ? k : n, rand);
      const y = matMul(tensor(a), tensor(b), ta, tb);
      expect(y.shape).toEqual([m, n]);
      expectClose(y.dataSync(), refMatMul(a, b, ta, tb).flat(), 1e-5, 1e-5, `matMul ${ta} ${tb}`);
    }
    expect(
      matMul(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([
          [5, 6],
          [7, 8],
        ]),
      ).arraySync(),
    ).toEqual([
      [19, 22],
      [43, 50],
    ]);
  });

  it('batches rank-3 tensors and broadcasts batch dimensions of 1 and missing ones', () => {
    const rand = rng(22);
    const cases: [number[], number[], boolean, boolean][] = [
      [[3, 4, 5], [3, 5, 2], false, false],
      [[3, 5, 4], [1, 5, 2], true, false],
      [[1, 4, 5], [3, 2, 5], false, true],
      [[3, 4, 5], [5, 2], false, false],
      [[4, 5], [3, 5, 6], false, false],
      [[2, 1, 4, 3], [3, 3, 2], false, false],
    ];
    for (const [as, bs, ta, tb] of cases) {
      const a = randomTensor(as, rand);
      const b = randomTensor(bs, rand);
      const y = matMul(a, b, ta, tb);
      const batchA = as.slice(0, -2);
      const batchB = bs.slice(0, -2);
      const rank = Math.max(batchA.length, batchB.length);
      const pa = [...Array(rank - batchA.length).fill(1), ...batchA];
      const pb = [...Array(rank - batchB.length).fill(1), ...batchB];
      const outBatch = pa.map((d, i) => Math.max(d, pb[i]));
      const m = ta ? as[as.length - 1] : as[as.length - 2];
      const n = tb ? bs[bs.length - 2] : bs[bs.length - 1];
      expect(y.shape).toEqual([...outBatch, m, n]);
      // Expected: loop over output batch indices, pick each operand's matrix.
      const matrixOf = (t: Tensor, padded: number[], idx: number[]): number[][] => {
        const [r, c] = t.shape.slice(-2);
        let flat = 0;
        padded.forEach((d, i) => (flat = flat * d + (d === 1 ? 0 : idx[i])));
        const data = t.dataSync();
        return Array.from({ length: r }, (_, i) =>
          Array.from(data.subarray(flat * r * c + i * c, flat * r * c + (i + 1) * c)),
        );
      };
      const expected: number[] = [];
      const total = outBatch.reduce((x, z) => x * z, 1);
      for (let t = 0; t < total; t++) {
        const idx: number[] = [];
        let rest = t;
        for (let i = rank - 1; i >= 0; i--) {
          idx[i] = rest % outBatch[i];
          rest = Math.floor(rest / outBatch[i]);
        }
        expected.push(...refMatMul(matrixOf(a, pa, idx), matrixOf(b, pb, idx), ta, tb).flat());
      }
      expectClose(y.dataSync(), expected, 1e-5, 1e-5, `matMul [${as}] x [${bs}] ${ta} ${tb}`);
    }
  });

  it('handles empty dimensions', () => {
    expect(matMul(tensor(new Float32Array(0), [0, 3]), tensor(new Float32Array(6), [3, 2])).shape).toEqual([0, 2]);
    const y = matMul(tensor(new Float32Array(0), [2, 0]), tensor(new Float32Array(0), [0, 3]));
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  for (const [ta, tb] of MODES) {
    it(`gradients match finite differences, rank 2, transposeA=${ta} transposeB=${tb}`, () => {
      const rand = rng(30 + 2 * +ta + +tb);
      const [m, n, k] = [5, 6, 7];
      const a = randomTensor(ta ? [k, m] : [m, k], rand);
      const b = randomTensor(tb ? [n, k] : [k, n], rand);
      checkGradients((x, y) => matMul(x, y, ta, tb), [a, b], { maxPerInput: 40 });
    });
  }

  it('gradients of batched products sum over broadcast batches', () => {
    const rand = rng(40);
    const cases: [number[], number[], boolean, boolean][] = [
      [[3, 4, 5], [3, 5, 2], false, false],
      [[3, 5, 4], [1, 2, 5], true, true],
      [[1, 4, 5], [3, 5, 2], false, false],
      [[3, 4, 5], [5, 2], false, false],
      [[3, 5, 4], [3, 5, 2], true, false],
      [[2, 1, 4, 3], [3, 2, 3], false, true],
    ];
    for (const [as, bs, ta, tb] of cases) {
      checkGradients((x, y) => matMul(x, y, ta, tb), [randomTensor(as, rand), randomTensor(bs, rand)], {
        maxPerInput: 30,
      });
    }
  });

  it('computes the gradient of one operand alone (the other one not needed)', () => {
    // y = x · w with dy given: dx = dy · wᵀ when only x is a source, dw = xᵀ · dy when only w is.
    const rand = rng(41);
    const x = randomMatrix(6, 5, rand);
    const w = randomMatrix(5, 3, rand);
    const dy = randomMatrix(6, 3, rand);
    const [tx, tw, tdy] = [tensor(x), tensor(w), tensor(dy)];
    const wT = w[0].map((_, j) => w.map((row) => row[j]));
    const xT = x[0].map((_, j) => x.map((row) => row[j]));
    expectClose(
      grad((v) => matMul(v, tw))(tx, tdy).dataSync(),
      refMatMul(dy, wT, false, false).flat(),
      1e-5,
      1e-5,
      'dx',
    );
    expectClose(
      grad((v) => matMul(tx, v))(tw, tdy).dataSync(),
      refMatMul(xT, dy, false, false).flat(),
      1e-5,
      1e-5,
      'dw',
    );
  });

  it('rejects mismatched shapes, ranks and dtypes with clear errors', () => {
    const a = tensor(new Float32Array(32 * 784), [32, 784]);
    const b = tensor(new Float32Array(128 * 10), [128, 10]);
    expect(() => matMul(a, b)).toThrow(
      'ferrite: matMul: inner dimensions of [32, 784] and [128, 10] do not match (784 vs 128)',
    );
    expect(() => matMul(a, b, false, true)).toThrow(
      /inner dimensions of \[32, 784\] and \[128, 10\] do not match \(784 vs 10; transposeA=false, transposeB=true\)/,
    );
    expect(() => matMul(tensor([1, 2, 3]), b)).toThrow(
      'ferrite: matMul: both inputs must have rank 2 or more, got [3] and [128, 10]',
    );
    expect(() => matMul(tensor(new Float32Array(24), [2, 3, 4]), tensor(new Float32Array(60), [3, 4, 5]))).toThrow(
      'ferrite: matMul: batch dimensions of [2, 3, 4] and [3, 4, 5] do not broadcast ([2] vs [3]: each must match or be 1)',
    );
    expect(() => matMul(tensor([[1, 2]], [1, 2], 'int32'), tensor([[1], [2]]))).toThrow(
      /ferrite: matMul: a must be float32, got int32 \[1, 2\]/,
    );
  });
});
