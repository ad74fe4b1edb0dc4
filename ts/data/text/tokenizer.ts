// A word (or character) tokenizer with Keras's `Tokenizer` semantics
// (keras.preprocessing.text): words are counted in order of first appearance and ranked by
// count with a stable sort, so ties keep first-occurrence order; index 0 is never used
// (padSequences pads with it); the out-of-vocabulary token, when given, takes index 1.
// `numWords` keeps only indices below it when converting, as Keras does (so at most
// numWords - 1 words), while `wordIndex` keeps every word seen.

/** Keras's default `filters`: punctuation, tab and newline. */
export const DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/**
 * Options of `textToWordSequence` (Keras's text_to_word_sequence).
 *
 * @example
 * ```ts
 * fe.textToWordSequence('Hello, World!'); // ['hello', 'world']
 * fe.textToWordSequence('a-b c', { filters: '', split: '-', lower: false }); // ['a', 'b c']
 * ```
 */
export interface TextToWordSequenceOptions {
  /** Characters replaced by `split` before splitting (default: punctuation, tab, newline). */
  filters?: string;
  /** Lower-case the text first (default true). */
  lower?: boolean;
  /** The separator (default ' '). Empty pieces are dropped. */
  split?: string;
}

/**
 * Keras's `text_to_word_sequence`: lower-case, turn every filter character into `split`, split, drop empty words.
 *
 * @example
 * ```ts
 * fe.textToWordSequence('The cat, the hat.'); // ['the', 'cat', 'the', 'hat']
 * ```
 */
export function textToWordSequence(text: string, opts: TextToWordSequenceOptions = {}): string[] {
  if (typeof text !== 'string') throw new Error(`ferrite: textToWordSequence: expected a string, got ${typeof text}`);
  const filters = new Set(Array.from(opts.filters ?? DEFAULT_FILTERS));
  const split = opts.split ?? ' ';
  if (typeof split !== 'string' || split.length === 0)
    throw new Error(`ferrite: textToWordSequence: split must be a non-empty string, got ${JSON.stringify(split)}`);
  const lowered = (opts.lower ?? true) ? text.toLowerCase() : text;
  let replaced = '';
  for (const ch of lowered) replaced += filters.has(ch) ? split : ch;
  return replaced.split(split).filter((w) => w.length > 0);
}

/** Options of `new Tokenizer(...)` (Keras's Tokenizer). */
export interface TokenizerArgs extends TextToWordSequenceOptions {
  /** Keep only the numWords - 1 most frequent words when converting (default: all). */
  numWords?: number | null;
  /** Every character is a token (default false: words). */
  charLevel?: boolean;
  /** Stands for words not in the vocabulary (index 1); without it such words are dropped. */
  oovToken?: string | null;
}

/**
 * A text: a string, or a list of tokens already split (used as is, only lower-cased), as Keras accepts.
 *
 * @example
 * ```ts
 * const tok = new fe.Tokenizer();
 * tok.fitOnTexts(['a string', ['already', 'split']]); // strings or token lists
 * tok.wordIndex.size; // 4
 * ```
 */
export type TokenizerText = string | readonly string[];

/**
 * Keras's text Tokenizer: `fitOnTexts` builds a vocabulary ranked by frequency,
 * `textsToSequences` maps texts to word indices (1-based; 0 is padding).
 *
 * @example
 * ```ts
 * const tok = new fe.Tokenizer({ numWords: 100, oovToken: '<unk>' });
 * tok.fitOnTexts(['the cat sat', 'the dog sat']);
 * tok.textsToSequences(['the cat ran']); // [[2, 4, 1]]: 'ran' is out of vocabulary
 * ```
 */
export class Tokenizer {
  /** {@inheritDoc TokenizerArgs.numWords} */
  readonly numWords: number | null;
  /** {@inheritDoc TextToWordSequenceOptions.filters} */
  readonly filters: string;
  /** {@inheritDoc TextToWordSequenceOptions.lower} */
  readonly lower: boolean;
  /** {@inheritDoc TextToWordSequenceOptions.split} */
  readonly split: string;
  /** {@inheritDoc TokenizerArgs.charLevel} */
  readonly charLevel: boolean;
  /** {@inheritDoc TokenizerArgs.oovToken} */
  readonly oovToken: string | null;
  /** How often each token was seen, in order of first appearance. */
  readonly wordCounts = new Map<string, number>();
  /** In how many texts each token appears. */
  readonly wordDocs = new Map<string, number>();
  /** Token -> index (1 = most frequent, or the OOV token when given). */
  wordIndex = new Map<string, number>();
  /** Index -> token. */
  indexWord = new Map<number, string>();
  /** Texts seen by fitOnTexts. */
  documentCount = 0;

  constructor(args: TokenizerArgs = {}) {
    if (args === null || typeof args !== 'object') throw new Error('ferrite: Tokenizer: expects an options object');
    const numWords = args.numWords ?? null;
    if (numWords !== null && (!Number.isInteger(numWords) || numWords < 0))
      throw new Error(`ferrite: Tokenizer: numWords must be a non-negative integer or null, got ${String(numWords)}`);
    this.numWords = numWords;
    this.filters = args.filters ?? DEFAULT_FILTERS;
    this.lower = args.lower ?? true;
    this.split = args.split ?? ' ';
    if (typeof this.split !== 'string' || this.split.length === 0)
      throw new Error(`ferrite: Tokenizer: split must be a non-empty string, got ${JSON.stringify(args.split)}`);
    this.charLevel = args.charLevel ?? false;
    this.oovToken = args.oovToken ?? null;
  }

  /** The tokens of one text, as Keras splits it. */
  private tokens(text: TokenizerText, what: string): string[] {
    if (Array.isArray(text)) return text.map((t) => (this.lower ? String(t).toLowerCase() : String(t)));
    if (typeof text !== 'string')
      throw new Error(
        `ferrite: Tokenizer.${what}: each text must be a string or an array of tokens, got ${typeof text}`,
      );
    if (this.charLevel) return Array.from(this.lower ? text.toLowerCase() : text);
    return textToWordSequence(text, { filters: this.filters, lower: this.lower, split: this.split });
  }

  /**
   * Counts the tokens of `texts` and (re)builds wordIndex: most frequent first, ties in order of first appearance.
   *
   * @example
   * ```ts
   * const tok = new fe.Tokenizer();
   * tok.fitOnTexts(['b a b', 'c b']);
   * [...tok.wordIndex]; // [['b', 1], ['a', 2], ['c', 3]]: by frequency, ties by first appearance
   * ```
   */
  fitOnTexts(texts: readonly TokenizerText[]): void {
    checkList('fitOnTexts', texts, 'texts');
    for (const text of texts) {
      this.documentCount++;
      const seq = this.tokens(text, 'fitOnTexts');
      for (const w of seq) this.wordCounts.set(w, (this.wordCounts.get(w) ?? 0) + 1);
      for (const w of new Set(seq)) this.wordDocs.set(w, (this.wordDocs.get(w) ?? 0) + 1);
    }
    // Array.prototype.sort is stable, as Python's sort: equal counts keep first-appearance order.
    const ranked = [...this.wordCounts.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
    const vocabulary = this.oovToken === null ? ranked : [this.oovToken, ...ranked];
    this.wordIndex = new Map();
    vocabulary.forEach((w, i) => this.wordIndex.set(w, i + 1));
    this.indexWord = new Map();
    for (const [w, i] of this.wordIndex) this.indexWord.set(i, w);
  }

  /**
   * Each text as a list of indices; words outside the kept vocabulary become the OOV index or are dropped.
   *
   * @example
   * ```ts
   * const tok = new fe.Tokenizer();
   * tok.fitOnTexts(['hello world']);
   * tok.textsToSequences(['world hello world']); // [[2, 1, 2]]
   * ```
   */
  textsToSequences(texts: readonly TokenizerText[]): number[][] {
    checkList('textsToSequences', texts, 'texts');
    const oov = this.oovIndex();
    return texts.map((text) => {
      const out: number[] = [];
      for (const w of this.tokens(text, 'textsToSequences')) {
        const i = this.wordIndex.get(w);
        if (i !== undefined && !this.beyondNumWords(i)) out.push(i);
        else if (oov !== undefined) out.push(oov);
      }
      return out;
    });
  }

  /**
   * Each sequence of indices back to text, tokens joined by spaces (unknown indices become the OOV token or are dropped).
   *
   * @example
   * ```ts
   * const tok = new fe.Tokenizer();
   * tok.fitOnTexts(['hello world']);
   * tok.sequencesToTexts([[2, 1]]); // ['world hello']
   * ```
   */
  sequencesToTexts(sequences: readonly (readonly number[] | Int32Array)[]): string[] {
    checkList('sequencesToTexts', sequences, 'sequences');
    const oov = this.oovIndex();
    return sequences.map((seq) => {
      const words: string[] = [];
      for (const i of seq) {
        const w = this.indexWord.get(i);
        if (w !== undefined && !this.beyondNumWords(i)) words.push(w);
        else if (oov !== undefined) words.push(this.indexWord.get(oov)!);
      }
      return words.join(' ');
    });
  }

  /**
   * Keras's settings and counts (its `get_config`), JSON-serializable.
   *
   * @example
   * ```ts
   * const tok = new fe.Tokenizer({ numWords: 50 });
   * tok.fitOnTexts(['a b']);
   * const json = JSON.stringify(tok.getConfig()); // save it beside the model
   * ```
   */
  getConfig(): Record<string, unknown> {
    return {
      numWords: this.numWords,
      filters: this.filters,
      lower: this.lower,
      split: this.split,
      charLevel: this.charLevel,
      oovToken: this.oovToken,
      documentCount: this.documentCount,
      wordCounts: Object.fromEntries(this.wordCounts),
      wordDocs: Object.fromEntries(this.wordDocs),
      wordIndex: Object.fromEntries(this.wordIndex),
    };
  }

  /**
   * A tokenizer with the settings and counts of `config` (from getConfig, possibly through JSON).
   *
   * @example
   * ```ts
   * const tok = new fe.Tokenizer();
   * tok.fitOnTexts(['a b b']);
   * const again = fe.Tokenizer.fromConfig(JSON.parse(JSON.stringify(tok.getConfig())));
   * again.textsToSequences(['b a']); // [[1, 2]]
   * ```
   */
  static fromConfig(config: Record<string, unknown>): Tokenizer {
    const t = new Tokenizer(config as TokenizerArgs);
    t.documentCount = Number(config.documentCount ?? 0);
    for (const [w, c] of Object.entries((config.wordCounts ?? {}) as Record<string, number>)) t.wordCounts.set(w, c);
    for (const [w, c] of Object.entries((config.wordDocs ?? {}) as Record<string, number>)) t.wordDocs.set(w, c);
    for (const [w, i] of Object.entries((config.wordIndex ?? {}) as Record<string, number>)) {
      t.wordIndex.set(w, i);
      t.indexWord.set(i, w);
    }
    return t;
  }

  private oovIndex(): number | undefined {
    return this.oovToken === null ? undefined : this.wordIndex.get(this.oovToken);
  }

  /** Keras's `if num_words and i >= num_words`: numWords 0 or null keeps everything. */
  private beyondNumWords(i: number): boolean {
    return this.numWords !== null && this.numWords !== 0 && i >= this.numWords;
  }
}

function checkList(method: string, xs: unknown, what: string): void {
  if (!Array.isArray(xs)) throw new Error(`ferrite: Tokenizer.${method}: ${what} must be an array, got ${typeof xs}`);
}
