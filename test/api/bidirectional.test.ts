// layers.bidirectional against TF.js's cpu backend from identical weights (outputs, the
// losses of three Adam steps and the weights after them, with each merge mode, masks and
// returnState), TF.js's weight names, configs, save/load, and errors.

import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectClose, randomArray, rng, selectBuild } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { model, sequential } from '../../ts/models/index.js';
import { train } from '../../ts/optimizers/index.js';
import { deserialize } from '../../ts/serialization/registry.js';
import { setRandomSeed } from '../../ts/index.js';
import { toArtifacts } from '../support/io-models.js';
import { loadLayersModel } from '../../ts/models/load.js';
import { namedWeights } from '../../ts/models/save.js';
import * as io from '../../ts/io/index.js';
import type { Bidirectional } from '../../ts/layers/recurrent/bidirectional.js';

const [B, T, D, U, K, V] = [3, 5, 4, 3, 2, 7];

interface Case {
  title: string;
  rnn: 'lstm' | 'gru' | 'simpleRNN';
  rnnArgs: Record<string, unknown>;
  mergeMode?: 'concat' | 'sum' | 'mul' | 'ave';
  /** Embedding(maskZero) ids with padding instead of float inputs. */
  masked?: boolean;
}

const CASES: Case[] = [
  { title: 'lstm concat, last output', rnn: 'lstm', rnnArgs: {} },
  { title: 'gru sum, sequences', rnn: 'gru', rnnArgs: { returnSequences: true }, mergeMode: 'sum' },
  { title: 'simpleRNN mul, sequences', rnn: 'simpleRNN', rnnArgs: { returnSequences: true }, mergeMode: 'mul' },
  { title: 'lstm ave, sigmoid gates', rnn: 'lstm', rnnArgs: { recurrentActivation: 'sigmoid' }, mergeMode: 'ave' },
  { title: 'gru concat, masked sequences', rnn: 'gru', rnnArgs: { returnSequences: true }, masked: true },
  { title: 'lstm concat, masked last output', rnn: 'lstm', rnnArgs: {}, masked: true },
];

/** Padded ids: rows padded before, after, and not at all. */
const IDS = [0, 0, 3, 5, 2, 4, 1, 6, 0, 0, 2, 2, 5, 1, 3];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function layerList(lib: any, c: Case): unknown[] {
  const first = c.masked ? [lib.layers.embedding({ inputDim: V, outputDim: D, maskZero: true, inputLength: T })] : [];
  const rnn = lib.layers[c.rnn]({ units: U, ...c.rnnArgs });
  const seq = c.rnnArgs.returnSequences === true;
  return [
    ...first,
    lib.layers.bidirectional({ layer: rnn, mergeMode: c.mergeMode, ...(c.masked ? {} : { inputShape: [T, D] }) }),
    seq ? lib.layers.timeDistributed({ layer: lib.layers.dense({ units: K }) }) : lib.layers.dense({ units: K }),
  ];
}

function data(c: Case): { x: Float32Array; xShape: number[]; y: Float32Array; yShape: number[] } {
  const rand = rng(21);
  const seq = c.rnnArgs.returnSequences === true;
  const yShape = seq ? [B, T, K] : [B, K];
  const y = randomArray(
    yShape.reduce((a, b) => a * b),
    rand,
  );
  if (c.masked) return { x: Float32Array.from(IDS), xShape: [B, T], y, yShape };
  return { x: randomArray(B * T * D, rand), xShape: [B, T, D], y, yShape };
}

describe('bidirectional: parity with TF.js (cpu) from identical weights', () => {
  for (const c of CASES) {
    it(`${c.title}: outputs, losses and weights over three Adam steps`, async () => {
      await selectBuild({ build: 'simd', threads: 1 });
      setRandomSeed(3);
      const { x, xShape, y, yShape } = data(c);
      const m = sequential({ layers: layerList({ layers }, c) as never });
      const init = m.getWeights().map((w) => Float32Array.from(w.dataSync()));

      await tf.setBackend('cpu');
      const r = tf.sequential({ layers: layerList(tf, c) as tf.layers.Layer[] });
      expect(m.getWeights().map((w) => w.shape)).toEqual(r.getWeights().map((w) => w.shape));
      r.setWeights(r.getWeights().map((w, i) => tf.tensor(init[i], w.shape)));
      const [rx, ry] = [tf.tensor(x, xShape), tf.tensor(y, yShape)];
      const refOut = (r.predict(rx) as tf.Tensor).dataSync();
      // TF.js's fit leaves output masks out; Keras (and Ferrite) average a masked sequence
      // output's loss over its unmasked steps: the reference gets that as a custom loss.
      const maskedSeq = c.masked === true && c.rnnArgs.returnSequences === true;
      const valid = IDS.filter((v) => v !== 0).length;
      const stepWeights = tf.tensor(
        IDS.map((v) => (v !== 0 ? (B * T) / valid : 0)),
        [B, T],
      );
      const kerasMaskedMse = (yt: tf.Tensor, yp: tf.Tensor): tf.Tensor =>
        tf.mul(tf.mean(tf.squaredDifference(yt, yp), -1), stepWeights);
      r.compile({ optimizer: tf.train.adam(0.01), loss: maskedSeq ? kerasMaskedMse : 'meanSquaredError' });
      const rh = await r.fit(rx, ry, { epochs: 3, batchSize: B, shuffle: false, verbose: 0 });
      stepWeights.dispose();
      const refWeights = r.getWeights().map((w) => w.dataSync());

      const [fx, fy] = [tensor(x, xShape), tensor(y, yShape)];
      const out = m.predict(fx) as Tensor;
      expectClose(out.dataSync(), refOut, 1e-4, 1e-5, 'output');
      out.dispose();
      m.compile({ optimizer: train.adam(0.01), loss: 'meanSquaredError' });
      const h = await m.fit(fx, fy, { epochs: 3, batchSize: B, shuffle: false, verbose: 0 });
      expectClose(h.history.loss as number[], rh.history.loss as number[], 1e-4, 1e-6, 'losses');
      m.getWeights().forEach((w, i) => expectClose(w.dataSync(), refWeights[i], 1e-4, 1e-6, `weight ${i}`));
      for (const t of [fx, fy]) t.dispose();
      m.dispose();
      r.dispose();
      tf.dispose([rx, ry]);
    });
  }

  it('returnState and mergeMode null (functional): [forward, backward, forward states, backward states]', async () => {
    await selectBuild({ build: 'simd', threads: 1 });
    setRandomSeed(4);
    const x = randomArray(B * T * D, rng(2));
    const rnnArgs = { units: U, returnSequences: true, returnState: true };
    const fl = layers.bidirectional({ layer: layers.lstm(rnnArgs), mergeMode: null });
    const fin = layers.input({ shape: [T, D] });
    const fm = model({ inputs: fin, outputs: fl.apply(fin) as never });
    const rl = tf.layers.bidirectional({ layer: tf.layers.lstm(rnnArgs) as never, mergeMode: null as never });
    const rin = tf.input({ shape: [T, D] });
    const rm = tf.model({ inputs: rin, outputs: rl.apply(rin) as tf.SymbolicTensor[] });
    expect(fm.outputs.map((o) => o.shape)).toEqual(rm.outputs.map((o) => o.shape));
    rm.setWeights(fm.getWeights().map((w) => tf.tensor(w.dataSync(), [...w.shape])));
    const fx = tensor(x, [B, T, D]);
    const before = memory().numTensors;
    const outs = fm.predict(fx) as Tensor[];
    const refs = rm.predict(tf.tensor(x, [B, T, D])) as tf.Tensor[];
    expect(outs.length).toBe(6);
    outs.forEach((o, i) => expectClose(o.dataSync(), refs[i].dataSync(), 1e-5, 1e-6, `output ${i}`));
    for (const o of outs) o.dispose();
    expect(memory().numTensors).toBe(before);
    fx.dispose();
    fm.dispose();
    rm.dispose();
  });
});

describe('bidirectional: names, configs, save/load, states and errors', () => {
  it("weights are named as TF.js's: <bidirectional>/forward_<layer>/kernel, then backward_", () => {
    const l = layers.bidirectional({ layer: layers.gru({ units: 2, name: 'g' }), name: 'bi' });
    l.ensureBuilt([null, 3, 2]);
    expect(l.forwardLayer.name).toBe('forward_g');
    expect(l.backwardLayer.name).toBe('backward_g');
    expect(l.layerWeights.map((w) => `${l.name}/${w.shortName}`)).toEqual([
      'bi/forward_g/kernel',
      'bi/forward_g/recurrent_kernel',
      'bi/forward_g/bias',
      'bi/backward_g/kernel',
      'bi/backward_g/recurrent_kernel',
      'bi/backward_g/bias',
    ]);
    l.dispose();
  });

  it('config round trip, with TF.js keys; save to memory and loadLayersModel', async () => {
    setRandomSeed(5);
    const l = layers.bidirectional({ layer: layers.lstm({ units: 2, returnSequences: true }), mergeMode: 'ave' });
    const cfg = l.getConfig();
    expect(cfg.mergeMode).toBe('ave');
    expect((cfg.layer as { className: string }).className).toBe('LSTM');
    const copy = deserialize({ className: 'Bidirectional', config: JSON.parse(JSON.stringify({ ...cfg, name: 'c' })) });
    expect((copy as Bidirectional).getConfig()).toEqual({ ...cfg, name: 'c' });
    (copy as Bidirectional).dispose();

    const m = sequential({
      layers: [layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputShape: [4] }), l],
    });
    const x = tensor([1, 2, 3, 0, 0, 5, 4, 1], [2, 4]);
    const a = m.predict(x) as Tensor;
    const loaded = await loadLayersModel(io.fromMemory(await toArtifacts(m)));
    expect(namedWeights(loaded).map((w) => w.name)).toEqual(namedWeights(m).map((w) => w.name));
    expect(loaded.layers[1].getConfig()).toEqual(m.layers[1].getConfig());
    const b = loaded.predict(x) as Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    for (const t of [a, b, x]) t.dispose();
    m.dispose();
    loaded.dispose();
  });

  it("Keras's backwardLayer is used for the backward direction and saved in the config", () => {
    setRandomSeed(6);
    const l = layers.bidirectional({
      layer: layers.simpleRNN({ units: 2 }),
      backwardLayer: layers.simpleRNN({ units: 3, goBackwards: true, name: 'back' }),
    });
    const x = tensor(randomArray(2 * 4 * 3, rng(3)), [2, 4, 3]);
    const y = l.apply(x) as Tensor;
    expect(y.shape).toEqual([2, 5]);
    expect(l.backwardLayer.name).toBe('backward_back');
    const copy = deserialize({ className: 'Bidirectional', config: { ...l.getConfig(), name: 'c2' } }) as Bidirectional;
    expect(copy.getConfig()).toEqual({ ...l.getConfig(), name: 'c2' });
    for (const t of [x, y]) t.dispose();
    copy.dispose();
    l.dispose();
  });

  it('stateful: resetStates() resets both directions; initialState splits forward then backward', () => {
    const l = layers.bidirectional({ layer: layers.gru({ units: 2, stateful: true, batchInputShape: [1, 3, 2] }) });
    const x = tensor(randomArray(6, rng(9)), [1, 3, 2]);
    const a = l.apply(x) as Tensor;
    const b = l.apply(x) as Tensor;
    expect(Array.from(b.dataSync())).not.toEqual(Array.from(a.dataSync()));
    l.resetStates();
    const c = l.apply(x) as Tensor;
    expect(Array.from(c.dataSync())).toEqual(Array.from(a.dataSync()));
    const s = tensor(new Float32Array(2).fill(0.5), [1, 2]);
    const d = l.apply(x, { initialState: [s, s] }) as Tensor;
    expect(d.shape).toEqual([1, 4]);
    for (const t of [x, a, b, c, s, d]) t.dispose();
    l.dispose();
  });

  it('errors name the layer and what was expected', () => {
    expect(() => layers.bidirectional({ layer: layers.dense({ units: 2 }) as never })).toThrow(
      /bidirectional: layer must be a recurrent layer .* got Dense/,
    );
    expect(() =>
      layers.bidirectional({ layer: layers.lstm({ units: 2 }), mergeMode: 'max' as never, name: 'bm' }),
    ).toThrow(/bm: mergeMode must be one of 'concat', 'sum', 'mul', 'ave' or null, got "max"/);
    expect(() =>
      layers.bidirectional({ layer: layers.lstm({ units: 2 }), backwardLayer: layers.lstm({ units: 2 }), name: 'bb' }),
    ).toThrow(/bb: backwardLayer must have the opposite goBackwards of layer/);
    const l = layers.bidirectional({ layer: layers.lstm({ units: 2 }), name: 'b3' });
    const x = tensor(new Float32Array(8), [2, 4]);
    expect(() => l.apply(x)).toThrow(/b3: expected input of rank 3, got \[2, 4\]/);
    const x3 = tensor(new Float32Array(8), [1, 4, 2]);
    const s = tensor([[0, 0]]);
    expect(() => l.apply(x3, { initialState: [s] })).toThrow(
      /b3: initialState must hold the forward states then the backward states/,
    );
    for (const t of [x, x3, s]) t.dispose();
    l.dispose();
  });
});
