// layers.lstm, layers.gru and layers.simpleRNN against TF.js's cpu backend from identical
// weights: weight shapes, the outputs, the losses of three Adam steps and the weights
// after them; returnState, initial states, stateful layers, configs; and training bitwise
// identical on 1 and 2 threads.

import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectClose, randomArray, rng, selectBuild } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import * as layers from '../../ts/layers/index.js';
import { LSTM } from '../../ts/layers/recurrent/lstm.js';
import { sequential } from '../../ts/models/index.js';
import { train } from '../../ts/optimizers/index.js';
import { deserialize } from '../../ts/serialization/registry.js';
import { setRandomSeed } from '../../ts/index.js';
import { expectSameBits } from '../support/same-bits.js';
import { main as textGeneration, textModel } from '../../examples/text-generation.js';

const [B, T, D, U, K] = [4, 5, 3, 6, 4];

/** A recurrent layer kind, as built here and in TF.js from the same arguments. */
interface Kind {
  name: 'lstm' | 'gru' | 'simpleRNN';
  gates: number;
  args: Record<string, unknown>;
}

const KINDS: Kind[] = [
  { name: 'lstm', gates: 4, args: {} },
  { name: 'lstm', gates: 4, args: { recurrentActivation: 'sigmoid' } },
  { name: 'gru', gates: 3, args: {} },
  { name: 'gru', gates: 3, args: { recurrentActivation: 'sigmoid', goBackwards: true } },
  { name: 'simpleRNN', gates: 1, args: {} },
  { name: 'simpleRNN', gates: 1, args: { activation: 'relu', goBackwards: true } },
];

const LR = 0.01;

async function tfjsRun(
  kind: Kind,
  returnSequences: boolean,
  weights: Float32Array[],
  x: Float32Array,
  y: Float32Array,
): Promise<{ out: Float32Array; losses: number[]; weights: Float32Array[] }> {
  await tf.setBackend('cpu');
  const args = { units: U, returnSequences, inputShape: [T, D], ...kind.args } as never;
  const m = tf.sequential({ layers: [tf.layers[kind.name](args), tf.layers.dense({ units: K })] });
  m.setWeights(m.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  const xs = tf.tensor(x, [B, T, D]);
  const ys = tf.tensor(y, returnSequences ? [B, T, K] : [B, K]);
  const out = (m.predict(xs) as tf.Tensor).dataSync() as Float32Array;
  m.compile({ optimizer: tf.train.adam(LR), loss: 'meanSquaredError' });
  const h = await m.fit(xs, ys, { epochs: 3, batchSize: B, shuffle: false, verbose: 0 });
  const after = m.getWeights().map((w) => w.dataSync() as Float32Array);
  m.dispose();
  xs.dispose();
  ys.dispose();
  return { out, losses: h.history.loss as number[], weights: after };
}

describe('recurrent layers: parity with TF.js (cpu) from identical weights', () => {
  for (const kind of KINDS) {
    for (const returnSequences of [false, true]) {
      it(`${kind.name} ${JSON.stringify(kind.args)}, returnSequences ${returnSequences}: outputs, losses and weights over three Adam steps`, async () => {
        await selectBuild({ build: 'simd', threads: 1 });
        const rand = rng(11);
        const x = randomArray(B * T * D, rand);
        const y = randomArray(returnSequences ? B * T * K : B * K, rand);
        const m = sequential({
          layers: [
            layers[kind.name]({ units: U, returnSequences, inputShape: [T, D], ...kind.args }),
            layers.dense({ units: K }),
          ],
        });
        const ws = m.getWeights();
        const G = kind.gates;
        expect(ws.map((w) => w.shape)).toEqual([[D, G * U], [U, G * U], [G * U], [U, K], [K]]);
        const init = ws.map((w) => Float32Array.from(w.dataSync()));
        const ref = await tfjsRun(kind, returnSequences, init, x, y);
        const xs = tensor(x, [B, T, D]);
        const ys = tensor(y, returnSequences ? [B, T, K] : [B, K]);
        const out = m.predict(xs) as ReturnType<typeof tensor>;
        expectClose(out.dataSync(), ref.out, 1e-4, 1e-5, 'output');
        out.dispose();
        m.compile({ optimizer: train.adam(LR), loss: 'meanSquaredError' });
        const h = await m.fit(xs, ys, { epochs: 3, batchSize: B, shuffle: false, verbose: 0 });
        expectClose(h.history.loss as number[], ref.losses, 1e-4, 1e-6, 'losses');
        m.getWeights().forEach((w, i) => expectClose(w.dataSync(), ref.weights[i], 1e-4, 1e-6, `weight ${i}`));
        xs.dispose();
        ys.dispose();
        m.dispose();
      });
    }
  }
});

describe('lstm: layer semantics', () => {
  it('returnState gives [output, h, c]; initialState is used; goBackwards reverses the sequence', () => {
    const l = layers.lstm({ units: 3, returnSequences: true, returnState: true });
    const x = tensor(randomArray(2 * 4 * 2, rng(5)), [2, 4, 2]);
    l.ensureBuilt([2, 4, 2]);
    const before = memory().numTensors;
    const [seq, h, c] = l.apply(x) as unknown as ReturnType<typeof tensor>[];
    expect([seq.shape, h.shape, c.shape]).toEqual([
      [2, 4, 3],
      [2, 3],
      [2, 3],
    ]);
    // The last step of the sequence is the final h.
    const s = seq.dataSync();
    const hv = h.dataSync();
    for (let b = 0; b < 2; b++)
      expect(Array.from(s.slice(b * 12 + 9, b * 12 + 12))).toEqual(Array.from(hv.slice(b * 3, b * 3 + 3)));
    const [seq2, h2, c2] = l.apply(x, { initialState: [h, c] }) as unknown as ReturnType<typeof tensor>[];
    expect(Array.from(h2.dataSync())).not.toEqual(Array.from(hv));
    for (const t of [seq, h, c, seq2, h2, c2]) t.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
    l.dispose();
  });

  it('stateful: the next call starts from the last states; resetStates() zeroes them', () => {
    const l = layers.lstm({ units: 2, stateful: true, batchInputShape: [1, 3, 2] });
    const x = tensor(randomArray(6, rng(9)), [1, 3, 2]);
    const a = l.apply(x) as ReturnType<typeof tensor>;
    const b = l.apply(x) as ReturnType<typeof tensor>;
    expect(Array.from(b.dataSync())).not.toEqual(Array.from(a.dataSync()));
    l.resetStates();
    const c = l.apply(x) as ReturnType<typeof tensor>;
    expect(Array.from(c.dataSync())).toEqual(Array.from(a.dataSync()));
    for (const t of [x, a, b, c]) t.dispose();
    l.dispose();
  });

  it('config round trip; TF.js defaults', () => {
    const l = layers.lstm({ units: 5, unitForgetBias: true });
    const cfg = l.getConfig();
    expect(cfg.recurrentActivation).toBe('hardSigmoid');
    expect(cfg.kernelInitializer).toBe('glorotNormal');
    expect(cfg.recurrentInitializer).toBe('orthogonal');
    const copy = deserialize({ className: 'LSTM', config: { ...cfg, name: 'copy' } }) as LSTM;
    expect(copy.getConfig()).toEqual({ ...cfg, name: 'copy' });
    // unitForgetBias: the forget block of the bias starts at 1.
    const x = tensor(new Float32Array(2 * 3), [1, 2, 3]);
    (l.apply(x) as ReturnType<typeof tensor>).dispose();
    expect(Array.from(l.bias!.dataSync().slice(5, 10))).toEqual([1, 1, 1, 1, 1]);
    x.dispose();
    l.dispose();
    copy.dispose();
  });
});

describe('text generation: Embedding -> LSTM -> Dense softmax with sparse sequence labels', () => {
  it('the example trains on a structured corpus: the loss falls; it generates 50 tokens both ways', async () => {
    await selectBuild({ build: 'simd', threads: 1 });
    setRandomSeed(3);
    const r = await textGeneration({
      ...{ vocab: 50, embedding: 16, units: 32, seqLength: 8, batchSize: 16, batches: 20, epochs: 5 },
      ...{ verbose: 0, learningRate: 0.01 },
    });
    expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0] - 0.2);
    expect(r.greedy.length).toBe(50);
    expect(r.sampled.every((t) => Number.isInteger(t) && t >= 0 && t < 50)).toBe(true);
  });

  it('training is bitwise identical on 1 and 2 threads', async () => {
    const rand = rng(4);
    const ids = Array.from({ length: 128 * 8 }, () => Math.floor(rand() * 50));
    const next = ids.map((v) => (v * 7 + 1) % 50);
    let first: Float32Array[] | undefined;
    for (const threads of [1, 2]) {
      await selectBuild({ build: 'simd-threads', threads });
      setRandomSeed(5);
      const m = textModel(50, 16, 64, 8);
      m.compile({ optimizer: train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
      const x = tensor(ids, [128, 8]);
      const y = tensor(next, [128, 8]);
      await m.fit(x, y, { epochs: 2, batchSize: 128, shuffle: false, verbose: 0 });
      const w = m.getWeights().map((t) => Float32Array.from(t.dataSync()));
      if (first === undefined) first = w;
      else w.forEach((v, k) => expectSameBits(v, first![k], `weight ${k} on 2 threads`));
      for (const t of [x, y]) t.dispose();
      m.dispose();
    }
  });
});
