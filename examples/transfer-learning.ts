// Transfer learning on Fashion-MNIST, as Keras's guide does it:
//   1. train a small CNN on classes 0-4 (T-shirt, trouser, pullover, dress, coat);
//   2. save its convolutional base (model.json + weights.bin), load it, freeze it, put a new head on it
//      and train the head on only 1,000 images of classes 5-9 (sandal, shirt, sneaker,
//      bag, ankle boot);
//   3. compare with the same network trained from scratch on those 1,000 images;
//   4. unfreeze the top convolutional block and fine-tune at a lower learning rate.
// The features learnt on five classes carry over to five others: with 1,000 images the
// transferred network beats the one trained from scratch.
//
//   npx tsx examples/transfer-learning.ts [--epochs N] [--path DIR]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  gather,
  input,
  loadLayersModel,
  layers,
  model,
  reshape,
  Sequential,
  sequential,
  tensor,
  tidy,
  train,
  type Optimizer,
  type LayersModel,
  type SymbolicTensor,
  type Tensor,
} from '../ts/index.js';
import { argValue, isMain, numberArg, runAsCommand, type TrainingOptions } from './program.js';
import { loadData } from './fashion-mnist-mlp.js';

export interface TransferLearningOptions extends TrainingOptions {
  /** Directory of the Fashion-MNIST files (default /usr/share/datasets/fashion-mnist). */
  path?: string;
  /** Images of classes 0-4 to pretrain on (default all, about 30,000). */
  pretrainSize?: number;
  /** Images of classes 5-9 to fine-tune on. Default 1,000. */
  fineTuneSize?: number;
  /** Test images of classes 5-9 to measure on (default all 5,000). */
  testSize?: number;
  /** Epochs on the 1,000 images, for the head and for the network from scratch (half as many to fine-tune). Default 4. */
  fineTuneEpochs?: number;
  /** Where to save the pretrained base (file:// format). Default: a temporary directory, removed afterwards. */
  saveDir?: string;
}

export interface TransferLearningResult {
  /** Accuracy on classes 0-4 (test images) after pretraining. */
  pretrainAccuracy: number;
  /** Classes 5-9: new head on the frozen pretrained base. */
  transferAccuracy: number;
  /** Classes 5-9: the same network trained from scratch on the same images. */
  scratchAccuracy: number;
  /** Classes 5-9: after unfreezing the top block at a lower learning rate. */
  fineTunedAccuracy: number;
}

/** The convolutional base: two blocks of conv + max-pool, then flatten. */
function convBase(): Sequential {
  return sequential({
    name: 'conv_base',
    layers: [
      layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], name: 'block1_conv' }),
      layers.maxPooling2d({ name: 'block1_pool' }),
      layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', name: 'block2_conv' }),
      layers.maxPooling2d({ name: 'block2_pool' }),
      layers.flatten({ name: 'flatten' }),
    ],
  });
}

/** A classifier over 5 classes: the base, then a dense head. */
function withHead(base: Sequential, prefix: string): LayersModel {
  const images = input({ shape: [28, 28, 1] });
  const features = base.apply(images) as SymbolicTensor;
  const hidden = layers.dense({ units: 64, activation: 'relu', name: `${prefix}_fc` }).apply(features);
  const probs = layers.dense({ units: 5, activation: 'softmax', name: `${prefix}_out` }).apply(hidden);
  return model({ inputs: images, outputs: probs as SymbolicTensor, name: prefix });
}

/** The images of `classes` (at most `limit`), as [n, 28, 28, 1], labelled 0..classes.length-1. */
function subset(x: Tensor, y: Tensor, classes: number[], limit: number): { x: Tensor; y: Tensor } {
  const labels = y.dataSync();
  const rows: number[] = [];
  const relabelled: number[] = [];
  for (let i = 0; i < labels.length && rows.length < limit; i++) {
    const k = classes.indexOf(labels[i]);
    if (k >= 0) {
      rows.push(i);
      relabelled.push(k);
    }
  }
  return tidy(() => ({
    x: reshape(gather(x, tensor(rows, [rows.length], 'int32')), [rows.length, 28, 28, 1]),
    y: tensor(relabelled, [rows.length], 'int32'),
  }));
}

function accuracyOf(m: LayersModel, data: { x: Tensor; y: Tensor }): number {
  const [loss, acc] = m.evaluate(data.x, data.y, { batchSize: 256 }) as Tensor[];
  const value = acc.dataSync()[0];
  loss.dispose();
  acc.dispose();
  return value;
}

export async function main(opts: TransferLearningOptions = {}): Promise<TransferLearningResult> {
  const { epochs = 2, batchSize = 32, verbose = 0, fineTuneSize = 1000, fineTuneEpochs = 4 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const { data } = await loadData({ path: opts.path }, log);
  const first = [0, 1, 2, 3, 4];
  const second = [5, 6, 7, 8, 9];
  const all = Number.MAX_SAFE_INTEGER;
  const pretrainData = subset(data.train.x, data.train.y, first, opts.pretrainSize ?? all);
  const pretrainTest = subset(data.test.x, data.test.y, first, opts.testSize ?? all);
  const fineTuneData = subset(data.train.x, data.train.y, second, fineTuneSize);
  const test = subset(data.test.x, data.test.y, second, opts.testSize ?? all);
  for (const t of [data.train.x, data.train.y, data.test.x, data.test.y]) t.dispose();
  const optimizers: Optimizer[] = [];
  const compile = (m: LayersModel, learningRate: number): void => {
    optimizers.push(train.adam(learningRate));
    m.compile({ optimizer: optimizers.at(-1)!, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  };

  // 1. Pretrain on classes 0-4.
  const pretrainBase = convBase();
  const pretrained = withHead(pretrainBase, 'pretrain');
  compile(pretrained, 1e-3);
  log(`Pretraining on ${pretrainData.x.shape[0]} images of classes 0-4 ...`);
  await pretrained.fit(pretrainData.x, pretrainData.y, { epochs, batchSize, verbose });
  const pretrainAccuracy = accuracyOf(pretrained, pretrainTest);
  log(`  test accuracy on classes 0-4: ${pretrainAccuracy.toFixed(4)}`);

  // 2. Save the base as TF.js would (model.json + weights.bin), then load it back: in real
  //    use the pretrained model comes from another run, another machine or TF.js itself.
  const saveDir = opts.saveDir ?? (await mkdtemp(join(tmpdir(), 'ferrite-transfer-')));
  await pretrainBase.save(`file://${saveDir}`);
  pretrained.dispose();
  log(`  saved the convolutional base to ${saveDir}`);
  const base = (await loadLayersModel(`file://${join(saveDir, 'model.json')}`)) as Sequential;
  const baseConfig = base.getConfig();
  if (opts.saveDir === undefined) await rm(saveDir, { recursive: true, force: true });

  //    Freeze it and train a new head on 1,000 images of classes 5-9.
  base.trainable = false;
  const transfer = withHead(base, 'transfer');
  compile(transfer, 1e-3); // trainable changes take effect at compile
  if (verbose !== 0) transfer.summary(undefined, undefined, log);
  log(`New head on the frozen base, ${fineTuneData.x.shape[0]} images of classes 5-9 ...`);
  await transfer.fit(fineTuneData.x, fineTuneData.y, { epochs: fineTuneEpochs, batchSize, verbose });
  const transferAccuracy = accuracyOf(transfer, test);
  log(`  test accuracy on classes 5-9: ${transferAccuracy.toFixed(4)}`);

  // 3. The same network from scratch on the same images.
  const scratch = withHead(Sequential.fromConfig(baseConfig), 'scratch');
  compile(scratch, 1e-3);
  await scratch.fit(fineTuneData.x, fineTuneData.y, { epochs: fineTuneEpochs, batchSize, verbose });
  const scratchAccuracy = accuracyOf(scratch, test);
  log(`From scratch on the same images: ${scratchAccuracy.toFixed(4)}`);
  scratch.dispose();

  // 4. Unfreeze the top block (block2_conv) and fine-tune at a tenth of the learning rate.
  base.trainable = true;
  for (const l of base.layers) if (!l.name.startsWith('block2')) l.trainable = false;
  compile(transfer, 1e-4);
  await transfer.fit(fineTuneData.x, fineTuneData.y, {
    epochs: Math.max(1, Math.ceil(fineTuneEpochs / 2)),
    batchSize,
    verbose,
  });
  const fineTunedAccuracy = accuracyOf(transfer, test);
  log(`After fine-tuning the top block: ${fineTunedAccuracy.toFixed(4)}`);

  transfer.dispose();
  for (const d of [pretrainData, pretrainTest, fineTuneData, test]) {
    d.x.dispose();
    d.y.dispose();
  }
  for (const o of optimizers) o.dispose();
  return { pretrainAccuracy, transferAccuracy, scratchAccuracy, fineTunedAccuracy };
}

if (isMain(import.meta.url)) runAsCommand(() => main({ epochs: numberArg('epochs'), path: argValue('path') }));
