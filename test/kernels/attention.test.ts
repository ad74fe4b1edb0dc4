import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, randomTensor, rng } from '../support/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { engine } from '../../ts/backend/engine.js';
import { grads } from '../../ts/autograd/tape.js';
import { tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import {
  MASKED_SCORE,
  dotProductAttention,
  dotProductAttentionNaive,
  type DotProductAttentionOptions,
} from '../../ts/ops/attention.js';

/** [batch, queries, keys, heads, keyDim, valueDim] */
type Dims = [number, number, number, number, number, number];

/** The float64 reference straight from the definition; mask and bias given as [b, t, s] arrays (broadcast over heads). */
function reference(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  [b, t, s, n, dk, dv]: Dims,
  o: { scale: number; causal?: boolean; bias?: Float32Array; mask?: Uint8Array },
): Float64Array {
  const out = new Float64Array(b * t * n * dv);
  for (let bi = 0; bi < b; bi++)
    for (let h = 0; h < n; h++)
      for (let i = 0; i < t; i++) {
        const w: number[] = [];
        for (let j = 0; j < s; j++) {
          if (o.causal && j > i) {
            w.push(-Infinity);
            continue;
          }
          let dot = 0;
          for (let c = 0; c < dk; c++) dot += q[((bi * t + i) * n + h) * dk + c] * k[((bi * s + j) * n + h) * dk + c];
          const m = (bi * t + i) * s + j;
          // A masked score is MASKED_SCORE itself: the float32 sum -1e9 + x is -1e9 for |x| < 32.
          w.push(o.mask && !o.mask[m] ? MASKED_SCORE : o.scale * dot + (o.bias ? o.bias[m] : 0));
        }
        const max = Math.max(...w);
        const e = w.map((x) => Math.exp(x - max));
        const sum = e.reduce((a, c) => a + c, 0);
        for (let c = 0; c < dv; c++) {
          let acc = 0;
          for (let j = 0; j < s; j++) acc += e[j] * v[((bi * s + j) * n + h) * dv + c];
          out[((bi * t + i) * n + h) * dv + c] = acc / sum;
        }
      }
  return out;
}

interface Case {
  name: string;
  dims: Dims;
  causal?: boolean;
  bias?: boolean;
  mask?: boolean;
}

const CASES: Case[] = [
  { name: 'no mask, T != S, keyDim != valueDim', dims: [2, 5, 7, 3, 4, 6] },
  { name: 'causal, square', dims: [2, 9, 9, 2, 8, 8], causal: true },
  { name: 'causal, more queries than keys', dims: [1, 6, 4, 2, 3, 5], causal: true },
  { name: 'additive bias', dims: [2, 4, 6, 2, 5, 3], bias: true },
  { name: 'boolean mask and causal', dims: [2, 7, 7, 2, 4, 4], mask: true, causal: true },
  { name: 'two row blocks (T 70) with a mask', dims: [1, 70, 33, 2, 9, 7], mask: true },
];

/** The case's tensors: q, k, v and the options (mask/bias [b, 1, t, s], broadcast over heads). */
function make(c: Case, seed: number, fullyMasked = false) {
  const [b, t, s, n, dk, dv] = c.dims;
  const rand = rng(seed);
  const qa = randomArray(b * t * n * dk, rand, -1.5, 1.5);
  const ka = randomArray(b * s * n * dk, rand, -1.5, 1.5);
  const va = randomArray(b * s * n * dv, rand);
  const biasA = c.bias ? randomArray(b * t * s, rand, -2, 2) : undefined;
  const maskA = c.mask ? Uint8Array.from({ length: b * t * s }, () => (rand() < 0.7 ? 1 : 0)) : undefined;
  // Query 2 of batch 0 sees nothing: uniform weights, as Keras's. (Its gradient is the exact
  // one of softmax(scores - 1e9), which float32 finite differences cannot see: forward only.)
  if (maskA && fullyMasked) maskA.fill(0, 2 * s, 3 * s);
  const tensors = () => {
    const opts: DotProductAttentionOptions = { isCausal: c.causal };
    if (biasA) opts.bias = tensor(biasA, [b, 1, t, s]);
    if (maskA)
      opts.mask = tensor(
        Array.from(maskA, (m) => m === 1),
        [b, 1, t, s],
        'bool',
      );
    return {
      q: tensor(qa, [b, t, n, dk]),
      k: tensor(ka, [b, s, n, dk]),
      v: tensor(va, [b, s, n, dv]),
      opts,
    };
  };
  const want = reference(qa, ka, va, c.dims, { scale: 1 / Math.sqrt(dk), causal: c.causal, bias: biasA, mask: maskA });
  return { tensors, want };
}

describeEachBuild('dotProductAttention', () => {
  for (const c of CASES) {
    it(`forward matches the float64 references: ${c.name}`, () => {
      const { tensors, want } = make(c, 11, true);
      tidy(() => {
        const { q, k, v, opts } = tensors();
        const got = dotProductAttention(q, k, v, opts);
        expect(got.shape).toEqual([c.dims[0], c.dims[1], c.dims[3], c.dims[5]]);
        expectClose(got.dataSync(), want, 2e-5, 2e-6, 'output vs JS float64');
        const [naive] = dotProductAttentionNaive(engine(), q, k, v, opts);
        expectClose(naive.dataSync(), want, 1e-6, 1e-7, 'the Rust f64 reference vs JS float64');
      });
    });

    it(`gradients match finite differences: ${c.name}`, () => {
      const { tensors } = make(c, 12);
      tidy(() => {
        const { q, k, v, opts } = tensors();
        checkGradients((a, b2, d) => dotProductAttention(a, b2, d, opts), [q, k, v], { eps: 3e-3, maxPerInput: 16 });
      });
    });
  }

  it('gives the bias a gradient: finite differences, full and broadcast biases, with a mask', () => {
    const dims: Dims = [2, 4, 5, 2, 3, 3];
    const [b, t, s, n, dk, dv] = dims;
    const rand = rng(21);
    tidy(() => {
      const q = randomTensor([b, t, n, dk], rand);
      const k = randomTensor([b, s, n, dk], rand);
      const v = randomTensor([b, s, n, dv], rand);
      const mask = tensor(
        Array.from({ length: t * s }, () => rand() < 0.7),
        [t, s],
        'bool',
      );
      // [b, n, t, s] whole, [t, s] (shared by batch and heads), [n, 1, s] (per head and key).
      for (const shape of [
        [b, n, t, s],
        [t, s],
        [n, 1, s],
      ]) {
        const bias = randomTensor(shape, rand, -1, 1);
        checkGradients((x, y, z, w) => dotProductAttention(x, y, z, { bias: w }), [q, k, v, bias], {
          eps: 3e-3,
          maxPerInput: 16,
        });
        checkGradients((w) => dotProductAttention(q, k, v, { bias: w, mask, isCausal: true }), [bias], { eps: 3e-3 });
      }
    });
  });

  it('a fully masked query row attends uniformly and sends no gradient to query, key or bias', () => {
    const dims: Dims = [1, 3, 4, 1, 2, 2];
    const [b, t, s, n, dk, dv] = dims;
    const rand = rng(22);
    tidy(() => {
      const [q, k, v] = [
        randomTensor([b, t, n, dk], rand),
        randomTensor([b, s, n, dk], rand),
        randomTensor([b, s, n, dv], rand),
      ];
      const bias = randomTensor([t, s], rand);
      // Row 1 sees no key; rows 0 and 2 see keys 0 and 1 only.
      const mask = tensor([1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0], [t, s], 'bool');
      const dy = randomTensor([b, t, n, dv], rand);
      const f = (x: Tensor, y: Tensor, z: Tensor, w: Tensor) => dotProductAttention(x, y, z, { bias: w, mask });
      const [dq, dkey, dval, dbias] = grads(f)([q, k, v, bias], dy).map((g) => g.dataSync());
      const vs = v.dataSync();
      const o = f(q, k, v, bias).dataSync();
      for (let c = 0; c < dv; c++) expect(o[dv + c]).toBeCloseTo((vs[c] + vs[2 + c] + vs[4 + c] + vs[6 + c]) / 4, 5);
      // Where-based masking: the masked row's scores are constants.
      expect(Array.from(dq.subarray(dk, 2 * dk))).toEqual([0, 0]);
      expect(Array.from(dbias.subarray(s, 2 * s))).toEqual([0, 0, 0, 0]);
      // Masked keys of the other rows get none either, but for the weight the kernel's exp
      // gives them (about 1.2e-38, not 0: math.rs's exp_nonpos); keys 2 and 3 are seen by row 1 only.
      for (const i of [2, 3, 10, 11]) expect(Math.abs(dbias[i])).toBeLessThan(1e-30);
      for (const g of dkey.subarray(2 * dk)) expect(Math.abs(g)).toBeLessThan(1e-30);
      // dv still gets row 1's uniform weights: keys 2 and 3 get dy[row 1] / 4.
      const d = dy.dataSync();
      for (const j of [2, 3]) for (let c = 0; c < dv; c++) expect(dval[j * dv + c]).toBeCloseTo(d[dv + c] / 4, 6);
      // The rows that see keys match finite differences.
      checkGradients((x, w) => dotProductAttention(x, k, v, { bias: w, mask }), [q, bias], { eps: 3e-3 });
    });
  });

  it('takes a scale; a mask broadcast over batch and queries; leaks nothing', () => {
    const rand = rng(3);
    const dims: Dims = [2, 3, 5, 2, 4, 4];
    const [b, t, s, n, dk, dv] = dims;
    const qa = randomArray(b * t * n * dk, rand);
    const ka = randomArray(b * s * n * dk, rand);
    const va = randomArray(b * s * n * dv, rand);
    const keys = [true, true, false, true, false];
    const maskFull = Uint8Array.from({ length: b * t * s }, (_, i) => (keys[i % s] ? 1 : 0));
    const want = reference(qa, ka, va, dims, { scale: 0.3, mask: maskFull });
    tidy(() => {
      const got = dotProductAttention(tensor(qa, [b, t, n, dk]), tensor(ka, [b, s, n, dk]), tensor(va, [b, s, n, dv]), {
        scale: 0.3,
        mask: tensor(keys, [s], 'bool'),
      });
      expectClose(got.dataSync(), want, 2e-5, 2e-6, 'output');
    });
    expectNoLeaks(() =>
      tidy(() => {
        const [q, k] = [randomTensor([b, t, n, dk], rand), randomTensor([b, s, n, dk], rand)];
        const val = randomTensor([b, s, n, dv], rand);
        const mask = tensor(keys, [s], 'bool');
        dotProductAttention(q, k, val, { mask, isCausal: true });
        grads((x, y, z) => dotProductAttention(x, y, z, { mask }))([q, k, val], randomTensor([b, t, n, dv], rand));
      }),
    );
  });

  it('rejects shapes that do not match, naming the op and the shapes', () => {
    tidy(() => {
      const q = randomTensor([2, 3, 2, 4], rng(1));
      const k = randomTensor([2, 5, 2, 3], rng(2));
      const v = randomTensor([2, 5, 2, 4], rng(3));
      expect(() => dotProductAttention(q, k, v)).toThrow(
        /dotProductAttention: .*query \[2, 3, 2, 4\], key \[2, 5, 2, 3\]/,
      );
      expect(() => dotProductAttention(randomTensor([3, 2, 4], rng(1)), k, v)).toThrow(/query must have rank 4/);
      const k2 = randomTensor([2, 5, 2, 4], rng(2));
      expect(() => dotProductAttention(q, k2, v, { bias: randomTensor([2, 3, 4], rng(4)) })).toThrow(
        /bias of shape \[2, 3, 4\] does not broadcast to \[batch, heads, queries, keys\] = \[2, 2, 3, 5\]/,
      );
    });
  });
});

describe('dotProductAttention: the same bits on 1, 2 and 3 threads', () => {
  it('forward and gradients, causal with a mask, two row blocks, 48 heads to share', async () => {
    // Large enough that the heads are split over 3 threads (MIN_WORK_PER_THREAD in attention.rs:
    // 2^21 multiply-adds, 15 of these heads, per thread).
    const c: Case = { name: 'threads', dims: [12, 70, 64, 4, 16, 16], mask: true, causal: true };
    const { tensors } = make(c, 5);
    await expectSameBitsOn(THREAD_COUNTS, () => {
      const { q, k, v, opts } = tensors();
      const f = (a: Tensor, b: Tensor, d: Tensor) => dotProductAttention(a, b, d, opts);
      const dy = randomTensor([c.dims[0], c.dims[1], c.dims[3], c.dims[5]], rng(9));
      const [dq, dk, dv] = grads(f)([q, k, v], dy);
      const out = { o: f(q, k, v), dq, dk, dv };
      return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.dataSync() as Float32Array]));
    });
  });
});
