// The output mask of a sequence model reaches the loss and the metrics, the Keras 3 way:
// Embedding(maskZero) or Masking -> LSTM(returnSequences) -> Dense / TimeDistributed, the
// loss is sum(loss * sampleWeight * mask) / sum(mask) and metrics count unmasked steps
// only. References are computed here in float64 from the model's own predictions; the
// training checks show that targets at padded steps change nothing, and that padding
// trains to the same weights as the unpadded data. (TF.js's fit ignores output masks, so
// it is no reference here.)

import { describe, expect, it } from 'vitest';
import { expectClose, rng, selectBuild } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { model, sequential, type Sequential } from '../../ts/models/index.js';
import { train } from '../../ts/optimizers/index.js';
import { setRandomSeed } from '../../ts/index.js';
import { expectSameBits } from '../support/same-bits.js';

const [B, T, V, U] = [4, 6, 7, 5];
/** Valid steps of each row; the rest is padding (id 0) after the data. */
const LENGTHS = [6, 3, 1, 4];

/** Ids in 1..V-1 where the row has data, 0 after; targets anywhere (garbage on the padding). */
function paddedBatch(seed: number): { ids: number[]; targets: number[] } {
  const rand = rng(seed);
  const ids: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      ids.push(t < LENGTHS[b] ? 1 + Math.floor(rand() * (V - 1)) : 0);
      targets.push(Math.floor(rand() * V));
    }
  }
  return { ids, targets };
}

/** Same targets on the data steps, new random ones on the padding. */
function otherGarbage(ids: number[], targets: number[], seed: number): number[] {
  const rand = rng(seed);
  return targets.map((y, i) => (ids[i] === 0 ? Math.floor(rand() * V) : y));
}

function languageModel(maskZero: boolean, seed: number): Sequential {
  setRandomSeed(seed);
  return sequential({
    layers: [
      layers.embedding({ inputDim: V, outputDim: 3, maskZero, inputLength: T }),
      layers.lstm({ units: U, returnSequences: true, recurrentActivation: 'sigmoid' }),
      layers.dense({ units: V, activation: 'softmax' }),
    ],
  });
}

/** Mean over unmasked steps of -log p(target), and the accuracy there, in float64. */
function maskedReference(probs: Float32Array, ids: number[], targets: number[]): { loss: number; acc: number } {
  let [sum, correct, valid] = [0, 0, 0];
  for (let s = 0; s < B * T; s++) {
    if (ids[s] === 0) continue;
    const row = probs.subarray(s * V, (s + 1) * V);
    sum -= Math.log(row[targets[s]]);
    correct += row.indexOf(Math.max(...row)) === targets[s] ? 1 : 0;
    valid++;
  }
  return { loss: sum / valid, acc: correct / valid };
}

function scalars(r: Tensor | Tensor[]): number[] {
  const list = Array.isArray(r) ? r : [r];
  const values = list.map((t) => t.dataSync()[0]);
  list.forEach((t) => t.dispose());
  return values;
}

async function weightsAfter(m: Sequential, x: Tensor, y: Tensor, steps: number): Promise<Float32Array[]> {
  m.compile({ optimizer: train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
  for (let i = 0; i < steps; i++) await m.trainOnBatch(x, y);
  return m.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

describe('sequence masks reach the loss and the metrics (Keras semantics)', () => {
  it('evaluate and trainOnBatch: masked mean cross-entropy and accuracy over the unmasked steps only', async () => {
    await selectBuild({ build: 'simd', threads: 1 });
    const m = languageModel(true, 21);
    const { ids, targets } = paddedBatch(1);
    const x = tensor(ids, [B, T]);
    const y = tensor(targets, [B, T]);
    // A few steps first, so that the predictions are far from uniform.
    m.compile({ optimizer: train.adam(0.1), loss: 'sparseCategoricalCrossentropy' });
    for (let i = 0; i < 5; i++) await m.trainOnBatch(x, y);
    m.compile({ optimizer: train.sgd(0), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const p = m.predict(x) as Tensor;
    const probs = p.dataSync() as Float32Array;
    const ref = maskedReference(probs, ids, targets);
    // What an unmasked loss would give is far from the reference: the check can fail.
    const everyStep = maskedReference(probs, new Array<number>(B * T).fill(1), targets);
    expect(Math.abs(everyStep.loss - ref.loss)).toBeGreaterThan(0.05);
    p.dispose();
    const before = memory().numTensors;
    const [loss, acc] = scalars(m.evaluate(x, y, { batchSize: B }));
    expectClose([loss], [ref.loss], 1e-5, 1e-6, 'evaluate loss');
    expectClose([acc], [ref.acc], 0, 1e-7, 'evaluate accuracy');
    // trainOnBatch reports the same loss (sgd(0) leaves the weights as they are).
    const step = (await m.trainOnBatch(x, y)) as number[];
    expectClose(step, [ref.loss, ref.acc], 1e-5, 1e-6, 'trainOnBatch');
    expect(memory().numTensors).toBe(before);
    for (const t of [x, y]) t.dispose();
    m.dispose();
  });

  it('targets on padded steps do not change training: weights after 3 Adam steps are bitwise equal', async () => {
    await selectBuild({ build: 'simd', threads: 1 });
    const { ids, targets } = paddedBatch(2);
    const x = tensor(ids, [B, T]);
    const ya = tensor(targets, [B, T]);
    const yb = tensor(otherGarbage(ids, targets, 9), [B, T]);
    const wa = await weightsAfter(languageModel(true, 22), x, ya, 3);
    const wb = await weightsAfter(languageModel(true, 22), x, yb, 3);
    wa.forEach((w, k) => expectSameBits(wb[k], w, `weight ${k}`));
    // Without the mask, the garbage is trained on.
    const na = await weightsAfter(languageModel(false, 22), x, ya, 3);
    const nb = await weightsAfter(languageModel(false, 22), x, yb, 3);
    expect(Math.max(...na[na.length - 1].map((v, i) => Math.abs(v - nb[nb.length - 1][i])))).toBeGreaterThan(1e-4);
    for (const t of [x, ya, yb]) t.dispose();
  });

  it('padding to a longer length trains to the weights of the unpadded batch', async () => {
    await selectBuild({ build: 'simd', threads: 1 });
    const L = 4;
    const rand = rng(3);
    const data = Array.from({ length: B * L }, () => 1 + Math.floor(rand() * (V - 1)));
    const next = data.map((v) => (v * 3 + 1) % V);
    const pad = (row: number[], fill: () => number): number[] => [...row, ...Array.from({ length: T - L }, fill)];
    const paddedIds: number[] = [];
    const paddedTargets: number[] = [];
    for (let b = 0; b < B; b++) {
      paddedIds.push(...pad(data.slice(b * L, (b + 1) * L), () => 0));
      paddedTargets.push(...pad(next.slice(b * L, (b + 1) * L), () => Math.floor(rand() * V)));
    }
    // Embedding with inputLength T accepts only T steps: both models take [null] steps instead.
    const make = (): Sequential => {
      setRandomSeed(23);
      return sequential({
        layers: [
          layers.embedding({ inputDim: V, outputDim: 3, maskZero: true, inputShape: [null] }),
          layers.lstm({ units: U, returnSequences: true, recurrentActivation: 'sigmoid' }),
          layers.dense({ units: V, activation: 'softmax' }),
        ],
      });
    };
    const [xs, ys, xp, yp] = [
      tensor(data, [B, L]),
      tensor(next, [B, L]),
      tensor(paddedIds, [B, T]),
      tensor(paddedTargets, [B, T]),
    ];
    const short = await weightsAfter(make(), xs, ys, 3);
    const padded = await weightsAfter(make(), xp, yp, 3);
    // Equal up to float rounding: the masked mean divides by valid + 1e-7, and sums run over more (zero) rows.
    short.forEach((w, k) => expectClose(padded[k], w, 1e-4, 1e-5, `weight ${k}`));
    for (const t of [xs, ys, xp, yp]) t.dispose();
  });

  it('Masking -> LSTM -> TimeDistributed(Dense) with MSE (plain path), functional: masked mean of the per-step losses', async () => {
    await selectBuild({ build: 'simd', threads: 1 });
    setRandomSeed(24);
    const F = 2;
    const inp = layers.input({ shape: [T, F] });
    const h = layers.lstm({ units: U, returnSequences: true }).apply(layers.masking().apply(inp)) as never;
    const out = layers.timeDistributed({ layer: layers.dense({ units: F }) }).apply(h) as never;
    const m = model({ inputs: inp, outputs: out });
    m.compile({ optimizer: train.sgd(0), loss: 'meanSquaredError', metrics: ['mae'] });
    const rand = rng(5);
    const xv = new Float32Array(B * T * F);
    const yv = new Float32Array(B * T * F);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let f = 0; f < F; f++) {
          const i = (b * T + t) * F + f;
          xv[i] = t < LENGTHS[b] ? 0.5 + rand() : 0;
          yv[i] = t < LENGTHS[b] ? rand() * 2 - 1 : 100 * rand();
        }
      }
    }
    const x = tensor(xv, [B, T, F]);
    const y = tensor(yv, [B, T, F]);
    const p = (m.predict(x) as Tensor).dataSync();
    let [se, ae, valid] = [0, 0, 0];
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < LENGTHS[b]; t++) {
        for (let f = 0; f < F; f++) {
          const i = (b * T + t) * F + f;
          se += (p[i] - yv[i]) ** 2 / F;
          ae += Math.abs(p[i] - yv[i]) / F;
        }
        valid++;
      }
    }
    const [loss, mae] = scalars(m.evaluate(x, y, { batchSize: B }));
    expectClose([loss, mae], [se / valid, ae / valid], 1e-5, 1e-6, 'loss and mae');
    for (const t of [x, y]) t.dispose();
    m.dispose();
  });

  it('fit with sampleWeight and a mask: sum(loss * weight * mask) / sum(mask), as Keras', async () => {
    await selectBuild({ build: 'simd', threads: 1 });
    const m = languageModel(true, 25);
    m.compile({ optimizer: train.sgd(0), loss: 'sparseCategoricalCrossentropy' });
    const { ids, targets } = paddedBatch(6);
    const [x, y] = [tensor(ids, [B, T]), tensor(targets, [B, T])];
    const sw = [0.5, 2, 0, 1];
    const probs = (m.predict(x) as Tensor).dataSync();
    let [sum, valid] = [0, 0];
    for (let s = 0; s < B * T; s++) {
      if (ids[s] === 0) continue;
      sum -= sw[Math.floor(s / T)] * Math.log(probs[s * V + targets[s]]);
      valid++;
    }
    const w = tensor(sw, [B]);
    const h = await m.fit(x, y, { epochs: 1, batchSize: B, sampleWeight: w, verbose: 0, shuffle: false });
    expectClose(h.history.loss as number[], [sum / valid], 1e-5, 1e-6, 'weighted masked loss');
    for (const t of [x, y, w]) t.dispose();
    m.dispose();
  });

  it('a layer without mask support drops the mask: Conv1D after the LSTM gives the plain mean again', async () => {
    await selectBuild({ build: 'simd', threads: 1 });
    setRandomSeed(26);
    const m = sequential({
      layers: [
        layers.embedding({ inputDim: V, outputDim: 3, maskZero: true, inputLength: T }),
        layers.lstm({ units: U, returnSequences: true }),
        layers.conv1d({ filters: V, kernelSize: 1, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: train.sgd(0), loss: 'sparseCategoricalCrossentropy' });
    const { ids, targets } = paddedBatch(7);
    const [x, y] = [tensor(ids, [B, T]), tensor(targets, [B, T])];
    const probs = (m.predict(x) as Tensor).dataSync();
    let sum = 0;
    for (let s = 0; s < B * T; s++) sum -= Math.log(probs[s * V + targets[s]]);
    const [loss] = scalars(m.evaluate(x, y, { batchSize: B }));
    expectClose([loss], [sum / (B * T)], 1e-5, 1e-6, 'unmasked loss');
    for (const t of [x, y]) t.dispose();
    m.dispose();
  });
});
