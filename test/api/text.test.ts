// Keras's text preprocessing: Tokenizer and pad_sequences, checked against the examples
// and unit tests Keras documents (keras.preprocessing.text / .sequence), written out here.

import { describe, expect, it } from 'vitest';
import { Tokenizer, padSequences, textToWordSequence } from '../../ts/data/index.js';
import { memory } from '../../ts/tensor/creation.js';

describe('textToWordSequence', () => {
  it('lower-cases, drops punctuation and splits on spaces', () => {
    expect(textToWordSequence('This is a sample sentence.')).toEqual(['this', 'is', 'a', 'sample', 'sentence']);
  });
  it('takes a multi-character split (Keras test_text_to_word_sequence_multichar_split)', () => {
    expect(textToWordSequence('hello!stop?world!', { split: 'stop' })).toEqual(['hello', 'world']);
  });
  it('keeps non-ASCII letters (Keras test_text_to_word_sequence_unicode)', () => {
    expect(textToWordSequence('ali! veli? kırk dokuz elli')).toEqual(['ali', 'veli', 'kırk', 'dokuz', 'elli']);
  });
  it('honours filters and lower', () => {
    expect(textToWordSequence('A-b, C', { filters: ',', lower: false })).toEqual(['A-b', 'C']);
  });
});

describe('Tokenizer', () => {
  it('ranks words by count, ties by first occurrence, from index 1', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['The cat sat on the mat.', 'The dog ate my homework.']);
    expect(Object.fromEntries(t.wordIndex)).toEqual({
      the: 1,
      cat: 2,
      sat: 3,
      on: 4,
      mat: 5,
      dog: 6,
      ate: 7,
      my: 8,
      homework: 9,
    });
    expect(t.wordCounts.get('the')).toBe(3);
    expect(t.wordDocs.get('the')).toBe(2);
    expect(t.documentCount).toBe(2);
    expect(t.textsToSequences(['the mat ate the unknown cat'])).toEqual([[1, 5, 7, 1, 2]]);
  });

  it('drops unknown words, or marks them with the OOV token (Keras test_tokenizer_oov_flag)', () => {
    const plain = new Tokenizer();
    plain.fitOnTexts(['This text has only known words']);
    expect(plain.textsToSequences(['This text has some unknown words'])[0]).toHaveLength(4);
    const oov = new Tokenizer({ oovToken: '<unk>' });
    oov.fitOnTexts(['This text has only known words']);
    expect(oov.wordIndex.get('<unk>')).toBe(1);
    expect(oov.textsToSequences(['This text has some unknown words'])).toEqual([[2, 3, 4, 1, 1, 7]]);
  });

  it('keeps indices below numWords, with and without OOV (Keras test_sequences_to_texts_with_num_words_and_oov_token)', () => {
    const t = new Tokenizer({ numWords: 3, oovToken: '<unk>' });
    t.fitOnTexts(['This text has only known words this text']);
    const seq = t.textsToSequences(['This text has some unknown words']);
    expect(seq).toEqual([[2, 1, 1, 1, 1, 1]]);
    expect(t.sequencesToTexts(seq)).toEqual(['this <unk> <unk> <unk> <unk> <unk>']);
    // wordIndex keeps every word; numWords only filters conversions.
    expect(t.wordIndex.size).toBe(7);
    const noOov = new Tokenizer({ numWords: 3 });
    noOov.fitOnTexts(['This text has only known words this text']);
    expect(noOov.textsToSequences(['this text has words'])).toEqual([[1, 2]]);
    expect(noOov.sequencesToTexts([[1, 2, 3, 99]])).toEqual(['this text']);
  });

  it('tokenizes characters with charLevel, and takes pre-split token lists', () => {
    const t = new Tokenizer({ charLevel: true });
    t.fitOnTexts(['abba', 'Cab']);
    // b: 3, a: 3 (a first seen), c: 1; spaces and punctuation are tokens too at character level.
    expect([...t.wordIndex]).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(t.textsToSequences(['cab!'])).toEqual([[3, 1, 2]]);
    const lists = new Tokenizer();
    lists.fitOnTexts([['Hello', 'world.'], ['world.']]);
    expect(Object.fromEntries(lists.wordIndex)).toEqual({ 'world.': 1, hello: 2 });
  });

  it('round-trips through getConfig and JSON', () => {
    const t = new Tokenizer({ numWords: 5, oovToken: 'OOV', lower: false });
    t.fitOnTexts(['a b b C', 'C C d']);
    const u = Tokenizer.fromConfig(JSON.parse(JSON.stringify(t.getConfig())));
    expect(u.textsToSequences(['C b a z d'])).toEqual(t.textsToSequences(['C b a z d']));
    expect(u.getConfig()).toEqual(t.getConfig());
  });

  it('rejects bad options and inputs with clear errors', () => {
    expect(() => new Tokenizer({ numWords: -1 })).toThrow(/Tokenizer: numWords must be a non-negative integer/);
    expect(() => new Tokenizer().fitOnTexts('abc' as never)).toThrow(/fitOnTexts: texts must be an array/);
    expect(() => new Tokenizer().fitOnTexts([3 as never])).toThrow(/each text must be a string/);
  });
});

describe('padSequences', () => {
  const sequence = [[1], [2, 3], [4, 5, 6]];
  const rows = (opts: Parameters<typeof padSequences>[1]) => {
    const t = padSequences(sequence, opts);
    const out = { shape: t.shape, dtype: t.dtype, values: t.arraySync() };
    t.dispose();
    return out;
  };

  it("pads and truncates at the start by default (Keras's documented examples)", () => {
    const before = memory().numTensors;
    expect(rows({})).toEqual({
      shape: [3, 3],
      dtype: 'int32',
      values: [
        [0, 0, 1],
        [0, 2, 3],
        [4, 5, 6],
      ],
    });
    expect(rows({ value: -1 }).values).toEqual([
      [-1, -1, 1],
      [-1, 2, 3],
      [4, 5, 6],
    ]);
    expect(rows({ padding: 'post' }).values).toEqual([
      [1, 0, 0],
      [2, 3, 0],
      [4, 5, 6],
    ]);
    expect(rows({ maxlen: 2 }).values).toEqual([
      [0, 1],
      [2, 3],
      [5, 6],
    ]);
    expect(memory().numTensors).toBe(before);
  });

  it("truncates at the end with truncating 'post', and casts as NumPy does", () => {
    expect(rows({ maxlen: 2, truncating: 'post', padding: 'post' }).values).toEqual([
      [1, 0],
      [2, 3],
      [4, 5],
    ]);
    const f = rows({ dtype: 'float32', value: 0.5, maxlen: 4 });
    expect(f.dtype).toBe('float32');
    expect(f.values).toEqual([
      [0.5, 0.5, 0.5, 1],
      [0.5, 0.5, 2, 3],
      [0.5, 4, 5, 6],
    ]);
    // A fractional value in an int32 result truncates toward zero (np.full(..., 1.7, 'int32') is 1).
    expect((rows({ value: 1.7, maxlen: 2 }).values as number[][])[0]).toEqual([1, 1]);
    const empty = padSequences([[], [7]]);
    expect(empty.arraySync()).toEqual([[0], [7]]);
    empty.dispose();
  });

  it('rejects bad options with clear errors', () => {
    expect(() => padSequences(sequence, { padding: 'middle' as never })).toThrow(/padSequences: padding must be/);
    expect(() => padSequences(sequence, { truncating: 'x' as never })).toThrow(/padSequences: truncating must be/);
    expect(() => padSequences(sequence, { maxlen: -2 })).toThrow(/maxlen must be a non-negative integer/);
    expect(() => padSequences([[1, Number.NaN]])).toThrow(/sequence 0 holds NaN/);
  });
});
