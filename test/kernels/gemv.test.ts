// One-row matrix products (core-rs/src/gemv.rs), which fe_gemm sends to the row-streaming
// kernel: bitwise equal to the naive loop in the same summation order, to the tuned GEMM's
// result for the same row inside a two-row product (so batch-1 inference gives the bits of
// batched inference), and close to a float64 reference; on every build and thread count.

import { expect, it } from 'vitest';
import { describeEachBuild, randomArray, rng, withBuffers } from '../support/helpers.js';
import { engine } from '../../ts/backend/engine.js';
import { expectSameBits } from '../support/same-bits.js';

/** The GEMM's K slice depth (gemm.rs KC), the slices gemv sums in. */
const KC = 256;

interface Case {
  n: number;
  k: number;
  alpha?: number;
  beta?: number;
  /** Extra floats at the end of each row of B. */
  pad?: number;
}

// Ragged widths around the 4-lane vectors and the 1024-column chunks, depths around KC,
// and the P5 shapes (LSTM step 512 -> 2048, Dense 512 -> 10000).
const CASES: Case[] = [
  { n: 1, k: 1 },
  { n: 3, k: 7 },
  { n: 5, k: 256 },
  { n: 1023, k: 257 },
  { n: 1025, k: 513, pad: 3 },
  { n: 2050, k: 9, alpha: -0.5, beta: 2 },
  { n: 37, k: 300, alpha: 2, beta: 1 },
  { n: 2048, k: 512 },
  { n: 10000, k: 512 },
];

describeEachBuild('gemv kernel (one-row GEMM)', () => {
  for (const c of CASES) {
    const { n, k, alpha = 1, beta = 0, pad = 0 } = c;
    it(`${n}x${k} alpha=${alpha} beta=${beta}${pad ? ` pad=${pad}` : ''}`, () => {
      const rand = rng(n * 31 + k);
      const ldb = n + pad;
      const x = randomArray(k, rand);
      const b = randomArray(k * ldb, rand);
      const y0 = randomArray(n, rand);
      const core = engine().core;
      // fe_gemm with one row of C: the gemv path.
      const [, , viaGemm] = withBuffers([x, b, y0.slice()], ([px, pb, py]) =>
        core.fe_gemm(0, 0, 1, n, k, alpha, px, k, pb, ldb, beta, py, n),
      );
      const [, , naive] = withBuffers([x, b, y0.slice()], ([px, pb, py]) =>
        core.fe_gemv_naive(n, k, KC, alpha, px, pb, ldb, beta, py),
      );
      expectSameBits(viaGemm, naive, 'fe_gemm (1 row) vs naive');
      // The same row inside a two-row product runs the tuned GEMM's tiles.
      const x2 = new Float32Array(2 * k);
      x2.set(x);
      x2.set(x, k);
      const c2 = new Float32Array(2 * n);
      c2.set(y0);
      c2.set(y0, n);
      const [, , twoRows] = withBuffers([x2, b, c2], ([px, pb, pc]) =>
        core.fe_gemm(0, 0, 2, n, k, alpha, px, k, pb, ldb, beta, pc, n),
      );
      expectSameBits(viaGemm, twoRows.subarray(0, n), 'one row vs the tuned GEMM');
      // And within float32 rounding of the float64 sum.
      for (let j = 0; j < n; j++) {
        let [s, mag] = [0, 0];
        for (let p = 0; p < k; p++) {
          s += x[p] * b[p * ldb + j];
          mag += Math.abs(x[p] * b[p * ldb + j]);
        }
        const want = alpha * s + (beta === 0 ? 0 : beta * y0[j]);
        const tol = 4e-7 * (k + 2) * (Math.abs(alpha) * mag + Math.abs(beta * y0[j])) + 1e-30;
        if (!(Math.abs(viaGemm[j] - want) <= tol)) expect.fail(`column ${j}: ${viaGemm[j]}, expected ${want}`);
      }
    });
  }

  it('alpha = 0 reads neither x nor B (NaN there stays out); beta = 0 ignores NaN in y', () => {
    const [n, k] = [9, 5];
    const x = new Float32Array(k).fill(NaN);
    const b = new Float32Array(k * n).fill(NaN);
    const y = new Float32Array(n).fill(3);
    const [, , scaled] = withBuffers([x, b, y], ([px, pb, py]) => engine().core.fe_gemv(n, k, KC, 0, px, pb, n, 2, py));
    expect(Array.from(scaled)).toEqual(new Array(n).fill(6));
    const ones = new Float32Array(k).fill(1);
    const bOnes = new Float32Array(k * n).fill(1);
    const [, , fresh] = withBuffers([ones, bOnes, new Float32Array(n).fill(NaN)], ([px, pb, py]) =>
      engine().core.fe_gemv(n, k, KC, 1, px, pb, n, 0, py),
    );
    expect(Array.from(fresh)).toEqual(new Array(n).fill(k));
  });
});
