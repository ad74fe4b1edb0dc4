// topk and multinomial (core-rs/src/sampling.rs) on every build: against the naive
// kernels and TF.js's cpu backend (topk, ties included), the draws' frequencies against
// their probabilities, bitwise the same on 1, 2 and 3 threads; and `sample`.

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as fe from '../../ts/index.js';
import { engine } from '../../ts/backend/engine.js';
import { emptyTensor } from '../../ts/tensor/tensor.js';
import { describeEachBuild, randomArray, rng } from '../support/helpers.js';
import { isThreadedBuild } from '../../ts/backend/wasm-files.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function naiveTopk(x: fe.Tensor, k: number): { values: Float32Array; indices: Int32Array } {
  const eng = engine();
  const n = x.shape[x.rank - 1];
  const shape = [...x.shape.slice(0, -1), k];
  const v = emptyTensor(shape, 'float32', eng);
  const i = emptyTensor(shape, 'int32', eng);
  eng.core.fe_topk_naive(x.ptr, v.ptr, i.ptr, x.size / n, n, k);
  const out = { values: v.dataSync() as Float32Array, indices: i.dataSync() as Int32Array };
  v.dispose();
  i.dispose();
  return out;
}

describeEachBuild('topk', () => {
  it('matches the naive kernel and TF.js, ties by smaller index', () => {
    const rand = rng(1);
    for (const [shape, k] of [
      [[7], 3],
      [[5, 33], 5],
      [[2, 3, 17], 17],
      [[4, 1000], 1],
      [[3, 9], 0],
    ] as [number[], number][]) {
      // Values on a coarse grid so that rows hold many ties.
      const data = randomArray(
        shape.reduce((a, b) => a * b, 1),
        rand,
      ).map((v) => Math.round(v * 4) / 4);
      const x = fe.tensor(data, shape);
      const { values, indices } = fe.topk(x, k);
      expect(values.shape).toEqual([...shape.slice(0, -1), k]);
      expect(indices.dtype).toBe('int32');
      const ref = naiveTopk(x, k);
      expect(Array.from(values.dataSync())).toEqual(Array.from(ref.values));
      expect(Array.from(indices.dataSync())).toEqual(Array.from(ref.indices));
      const t = tf.topk(tf.tensor(data, shape), k);
      expect(Array.from(indices.dataSync())).toEqual(Array.from(t.indices.dataSync()));
      expect(Array.from(values.dataSync())).toEqual(Array.from(t.values.dataSync()));
      fe.dispose([x, values, indices]);
    }
  });

  it('ranks NaN first and rejects a bad k', () => {
    const x = fe.tensor([1, Number.NaN, 3, -Infinity]);
    const { values, indices } = fe.topk(x, 2);
    expect(Array.from(indices.dataSync())).toEqual([1, 2]);
    expect(Number.isNaN(values.dataSync()[0])).toBe(true);
    expect(() => fe.topk(x, 5)).toThrow(/topk: k must be an integer in \[0, 4\]/);
    expect(() => fe.topk(fe.scalar(1))).toThrow(/rank >= 1/);
  });
});

describeEachBuild('multinomial', () => {
  it('matches the naive kernel bit for bit, and its frequencies the probabilities', () => {
    const probs = [0.1, 0.6, 0, 0.3];
    const p = fe.tensor([probs, [0.25, 0.25, 0.25, 0.25]]);
    const draws = fe.multinomial(p, 20000, 5, true);
    expect(draws.shape).toEqual([2, 20000]);
    expect(draws.dtype).toBe('int32');
    const eng = engine();
    const ref = emptyTensor([2, 20000], 'int32', eng);
    eng.core.fe_multinomial(p.ptr, ref.ptr, 2, 4, 20000, 5, 0, 0, 0, 1); // the naive reference
    expect(
      Buffer.from((draws.dataSync() as Int32Array).buffer).equals(Buffer.from((ref.dataSync() as Int32Array).buffer)),
    ).toBe(true);
    const d = draws.dataSync();
    for (let row = 0; row < 2; row++) {
      const counts = [0, 0, 0, 0];
      for (let s = 0; s < 20000; s++) counts[d[row * 20000 + s]]++;
      const want = row === 0 ? probs : [0.25, 0.25, 0.25, 0.25];
      counts.forEach((c, k) => expect(Math.abs(c / 20000 - want[k])).toBeLessThan(0.015));
    }
    expect(d.slice(0, 20000).includes(2)).toBe(false); // probability 0 is never drawn
    fe.dispose([p, draws, ref]);
  });

  it('takes logits through a softmax; a seed fixes the draw; the global stream moves on', () => {
    const logits = fe.tensor([Math.log(0.2), Math.log(0.8)]);
    const a = fe.multinomial(logits, 4000, 11);
    const b = fe.multinomial(logits, 4000, 11);
    expect(a.shape).toEqual([4000]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const ones = Array.from(a.dataSync()).filter((v) => v === 1).length / 4000;
    expect(Math.abs(ones - 0.8)).toBeLessThan(0.03);
    const c = fe.multinomial(logits, 64);
    const d = fe.multinomial(logits, 64);
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(d.dataSync()));
    fe.dispose([logits, a, b, c, d]);
  });

  it('rejects bad input with clear errors, leaking nothing', () => {
    const before = fe.memory().numTensors;
    const x = fe.tensor([[0.5, Number.NaN]]);
    expect(() => fe.multinomial(x, 3)).toThrow(/multinomial: logits of row 0 holds NaN/);
    expect(() => fe.multinomial(fe.tensor([[0.5, -0.1]]), 3, 1, true)).toThrow(/non-negative probabilities/);
    expect(() => fe.multinomial(fe.tensor([1]), 3)).toThrow(/at least 2 classes/);
    expect(() => fe.multinomial(x, 0)).toThrow(/numSamples must be a positive integer/);
    expect(() => fe.multinomial(fe.zeros([1, 2, 3]), 1)).toThrow(/\[classes\] or \[batch, classes\]/);
    fe.dispose(x);
    expect(fe.memory().numTensors).toBe(before + 3); // the three argument tensors made inline above
  });
});

describe('topk and multinomial on 1, 2 and 3 threads', () => {
  it('give the same bits', async () => {
    const rand = rng(3);
    const data = randomArray(64 * 300, rand);
    await expectSameBitsOn(THREAD_COUNTS, () => {
      const x = fe.tensor(data, [64, 300]);
      const { values, indices } = fe.topk(x, 7);
      const draws = fe.multinomial(x, 50, 9);
      return {
        values: values.dataSync() as Float32Array,
        indices: new Float32Array((indices.dataSync() as Int32Array).buffer.slice(0)),
        draws: new Float32Array((draws.dataSync() as Int32Array).buffer.slice(0)),
      };
    });
  });
});

describeEachBuild('sample', (build) => {
  it('is greedy at temperature 0, keeps to the top k, and sharpens with low temperature', () => {
    const p = fe.tensor([
      [0.1, 0.5, 0.15, 0.25],
      [0.7, 0.1, 0.1, 0.1],
    ]);
    const greedy = fe.sample(p, { temperature: 0 });
    expect(greedy.shape).toEqual([2]);
    expect(Array.from(greedy.dataSync())).toEqual([1, 0]);
    const seen = new Set<number>();
    let cold = 0;
    for (let seed = 0; seed < 300; seed++) {
      const s = fe.sample(p, { topK: 2, seed });
      seen.add(s.dataSync()[0]);
      const t = fe.sample(p, { temperature: 0.2, seed });
      if (t.dataSync()[0] === 1) cold++;
      fe.dispose([s, t]);
    }
    expect([...seen].sort()).toEqual([1, 3]); // only the two most likely classes
    // At temperature 0.2, p ~ p^5 normalized: class 1 has 0.5^5 / (0.5^5 + 0.25^5 + ...) ~ 0.97.
    expect(cold / 300).toBeGreaterThan(0.93);
    const one = fe.sample(fe.tensor([0, 0, 5, 0]), { fromLogits: true, temperature: 0.01 });
    expect(one.shape).toEqual([]);
    expect(one.dataSync()[0]).toBe(2);
    expect(() => fe.sample(p, { topK: 9 })).toThrow(/sample: topK must be an integer in \[1, 4\]/);
    expect(() => fe.sample(p, { temperature: -1 })).toThrow(/temperature must be a finite number >= 0/);
    fe.dispose([p, greedy, one]);
  });

  // Each row puts all its mass on one class, so the draw is certain; the rows are longer than
  // the whole wasm memory, so every tensor `sample` allocates for them grows it (the
  // single-thread builds then detach every view taken before: a stale view read no
  // probabilities and drew from all-zero logits, or wrote its picks nowhere). The threaded
  // builds' shared memory keeps its views, and their engine, shared by the thread counts,
  // would grow by 5x per run.
  function certainRows(rows: number, n: number): { p: fe.Tensor; want: number[] } {
    const want = Array.from({ length: rows }, (_, r) => (r * 7919 + 3) % n);
    const p = fe.zeros([rows, n]);
    const v = p.view();
    want.forEach((c, r) => (v[r * n + c] = 1));
    return { p, want };
  }

  it.skipIf(isThreadedBuild(build))(
    'draws from rows larger than the memory (no top-k cut: its logits grow the memory)',
    () => {
      const rows = 2;
      const { p, want } = certainRows(rows, Math.ceil(fe.memory().wasmMemoryBytes / (4 * rows)) + 1024);
      const s = fe.sample(p, { seed: 5 });
      expect(Array.from(s.dataSync())).toEqual(want);
      fe.dispose([p, s]);
    },
  );

  it.skipIf(isThreadedBuild(build))(
    'draws from rows larger than the memory with a top-k cut (its values and logits grow the memory)',
    () => {
      const rows = 2;
      const n = Math.ceil(fe.memory().wasmMemoryBytes / (4 * rows)) + 1024;
      const { p, want } = certainRows(rows, n);
      const k = n - 1;
      const s = fe.sample(p, { topK: k, seed: 5 });
      expect(Array.from(s.dataSync())).toEqual(want);
      fe.dispose([p, s]);
    },
  );
});
