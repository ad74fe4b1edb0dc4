// examples/text-generation.ts (P5): a short seeded run on the Brown Corpus at vocabulary
// 10,000, whose loss starts at ln 10000 and falls below 7 within its first batches; the
// files it writes; and stateful generation (one LSTM step per token) against the model
// run on the whole text so far.

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBuild, expectClose } from '../support/helpers.js';
import { layers, sequential, setRandomSeed, softmax, tensor, type Tensor } from '../../ts/index.js';
import {
  generate,
  generateStateful,
  main,
  statefulCopy,
  syntheticCorpus,
  textModel,
} from '../../examples/text-generation.js';

const out = mkdtempSync(join(tmpdir(), 'text-generation-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('examples/text-generation on the Brown Corpus', () => {
  it('vocabulary 10,000: the loss starts at ln 10000 and falls below 7 within 40 batches; it writes its SVGs and text', async () => {
    await selectBuild({ build: 'simd-threads', threads: 2 });
    setRandomSeed(11);
    const r = await main({
      ...{ vocab: 10000, embedding: 64, units: 128, seqLength: 32, batchSize: 32, batches: 40, epochs: 1 },
      ...{ verbose: 0, learningRate: 0.01, generateCount: 20, outDir: out },
    });
    expect(r.batchLosses.length).toBe(40);
    expect(Math.abs(r.batchLosses[0] - Math.log(10000))).toBeLessThan(0.1);
    const shown = r.batchLosses.map((l) => l.toFixed(2)).join(' ');
    expect(Math.min(...r.batchLosses.slice(-5)), `batch losses ${shown}`).toBeLessThan(7);
    expect(r.greedy.length).toBe(20);
    expect(r.sampled.every((t) => Number.isInteger(t) && t >= 0 && t < 10000)).toBe(true);
    expect(r.greedyText.split(' ').length).toBe(20);
    for (const f of ['loss.svg', 'generated-ids.svg']) expect(readFileSync(join(out, f), 'utf8')).toMatch(/<svg[^>]*>/);
    expect(existsSync(join(out, 'generated.txt'))).toBe(true);
  }, 300_000);
});

describe('stateful generation', () => {
  it('each step gives the distribution of the model run on the whole prefix; the first token matches the re-feed loop', async () => {
    await selectBuild({ build: 'simd', threads: 1 });
    setRandomSeed(12);
    const [V, E, U, L] = [40, 8, 16, 6];
    const m = textModel(V, E, U, L);
    m.build([null, L]);
    const copy = statefulCopy(m);
    // The same weights over any number of steps, state reset per call: the reference.
    const full = sequential({
      layers: [
        layers.embedding({ inputDim: V, outputDim: E, inputShape: [null] }),
        layers.lstm({ units: U, recurrentActivation: 'sigmoid' }),
        layers.dense({ units: V, activation: 'softmax' }),
      ],
    });
    full.setWeights(m.getWeights());
    const seed = Array.from(syntheticCorpus(L, V, 3));
    const greedy = generateStateful(copy, seed, 8, null);
    const text = [...seed];
    (copy.layers[1] as unknown as { resetStates(): void }).resetStates();
    let input = tensor([seed]);
    for (let i = 0; i < 8; i++) {
      const logits = copy.predict(input) as Tensor;
      const step = softmax(logits);
      logits.dispose();
      const x = tensor([text]);
      const ref = full.predict(x) as Tensor;
      expectClose(step.dataSync(), ref.dataSync(), 1e-5, 1e-7, `step ${i}`);
      const next = greedy[i];
      expect(next).toBe(ref.dataSync().indexOf(Math.max(...ref.dataSync())));
      text.push(next);
      for (const t of [step, x, ref, input]) t.dispose();
      input = tensor([[next]]);
    }
    input.dispose();
    expect(generate(m, seed, 1, null)[0]).toBe(greedy[0]);
    for (const model of [m, copy, full]) model.dispose();
  });
});
