// Next-word prediction with an LSTM, the Keras program
//
//   model = keras.Sequential([Embedding(10000, 256, input_length=32),
//                             LSTM(512, return_sequences=True),
//                             Dense(10000, activation='softmax')])
//   model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')
//   model.fit(x, y, batch_size=64, epochs=...)
//
// where x holds windows of 32 token ids and y the same windows shifted by one token. After
// training it generates 50 tokens from a seed window, greedily (argmax) and by sampling
// with a temperature. Keras's LSTM gates use 'sigmoid' (TF.js defaults to 'hardSigmoid'),
// so the layer sets it.
//
//   npx tsx examples/text-generation.ts [--epochs N] [--batches N] [--vocab N] [--units N]
//
// The corpus is a token-id Int32Array from `corpus()`, swappable: until a Brown Corpus
// loader exists this is a synthetic corpus with structure (a noisy order-2 Markov chain),
// so that the loss has something to learn.

import { layers, sequential, tensor, train, type Sequential, type Tensor } from '../ts/index.js';
import { isMain, numberArg, runAsCommand, type TrainingOptions } from './program.js';

export interface TextGenerationOptions extends TrainingOptions {
  vocab?: number;
  embedding?: number;
  units?: number;
  seqLength?: number;
  /** Batches per epoch (the windows trained on are batches * batchSize). */
  batches?: number;
  /** Token ids to train on (default: the synthetic corpus). */
  tokens?: Int32Array;
  temperature?: number;
  /** Adam's learning rate (default 1e-3, Keras's). */
  learningRate?: number;
}

export interface TextGenerationResult {
  losses: number[];
  greedy: number[];
  sampled: number[];
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

/** Windows of `len` ids and their next-token targets, `count` of them from random offsets. */
function windows(tokens: Int32Array, len: number, count: number, seed: number): { x: Tensor; y: Tensor } {
  const xs = new Int32Array(count * len);
  const ys = new Int32Array(count * len);
  let s = seed;
  for (let w = 0; w < count; w++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const at = s % (tokens.length - len - 1);
    xs.set(tokens.subarray(at, at + len), w * len);
    ys.set(tokens.subarray(at + 1, at + len + 1), w * len);
  }
  return { x: tensor(xs, [count, len], 'float32'), y: tensor(ys, [count, len], 'float32') };
}

/** Index of the next token from the last step's probabilities: argmax, or a sample at `temperature`. */
export function pickNext(probs: Float32Array, temperature: number | null, rand: () => number): number {
  if (temperature === null) return probs.indexOf(Math.max(...probs));
  // p^(1/T), renormalised; a small sampler until a multinomial op is available.
  const w = Array.from(probs, (p) => Math.pow(Math.max(p, 1e-12), 1 / temperature));
  let r = rand() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) {
    r -= w[i];
    if (r <= 0) return i;
  }
  return w.length - 1;
}

/** `count` tokens continuing `seed` (seqLength ids), one forward pass per token. */
export function generate(
  model: Sequential,
  seed: number[],
  count: number,
  temperature: number | null,
  rand: () => number,
): number[] {
  const window = [...seed];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = tensor([window], undefined, 'float32');
    const y = model.predict(x) as Tensor;
    const [, len, vocab] = y.shape;
    const probs = y.dataSync().slice((len - 1) * vocab, len * vocab) as Float32Array;
    x.dispose();
    y.dispose();
    const next = pickNext(probs, temperature, rand);
    out.push(next);
    window.shift();
    window.push(next);
  }
  return out;
}

export async function main(opts: TextGenerationOptions = {}): Promise<TextGenerationResult> {
  const { vocab = 10000, embedding = 256, units = 512, seqLength = 32, batchSize = 64, epochs = 1 } = opts;
  const { batches = 50, verbose = 1, temperature = 0.8, learningRate = 1e-3 } = opts;
  const tokens = opts.tokens ?? syntheticCorpus(200_000, vocab);
  const model = textModel(vocab, embedding, units, seqLength);
  model.compile({ optimizer: train.adam(learningRate), loss: 'sparseCategoricalCrossentropy' });
  const { x, y } = windows(tokens, seqLength, batches * batchSize, 7);
  const history = await model.fit(x, y, { epochs, batchSize, verbose, shuffle: true });
  x.dispose();
  y.dispose();
  const seed = Array.from(tokens.subarray(0, seqLength));
  let s = 42;
  const rand = (): number => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296;
  const greedy = generate(model, seed, 50, null, rand);
  const sampled = generate(model, seed, 50, temperature, rand);
  if (verbose !== 0) {
    console.log(`\nargmax:            ${greedy.join(' ')}`);
    console.log(`temperature ${temperature}: ${sampled.join(' ')}`);
  }
  model.dispose();
  return { losses: history.history.loss as number[], greedy, sampled };
}

if (isMain(import.meta.url)) {
  runAsCommand(() =>
    main({
      epochs: numberArg('epochs'),
      batches: numberArg('batches'),
      vocab: numberArg('vocab'),
      units: numberArg('units'),
    }),
  );
}
