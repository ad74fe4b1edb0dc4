// layers.rnn over simpleRNNCell, lstmCell, gruCell and stackedRNNCells: parity with TF.js's
// cpu backend from identical weights (outputs, three Adam steps), agreement with the fused
// layers (also with masks), returnState, stateful, configs, names and errors.

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
import { namedWeights } from '../../ts/models/save.js';
import type { RNN } from '../../ts/layers/recurrent/rnn.js';

const [B, T, D, K] = [3, 4, 3, 2];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;
const CASES: [string, (lib: Lib) => unknown, Record<string, unknown>][] = [
  ['lstmCell', (lib) => lib.layers.lstmCell({ units: 3 }), {}],
  [
    'gruCell, sigmoid gates, goBackwards',
    (lib) => lib.layers.gruCell({ units: 3, recurrentActivation: 'sigmoid' }),
    { goBackwards: true },
  ],
  [
    'simpleRNNCell, sequences',
    (lib) => lib.layers.simpleRNNCell({ units: 2, activation: 'relu' }),
    { returnSequences: true },
  ],
  ['[lstmCell, gruCell] stacked', (lib) => [lib.layers.lstmCell({ units: 2 }), lib.layers.gruCell({ units: 3 })], {}],
];

describe('rnn(cell): parity with TF.js (cpu) from identical weights', () => {
  for (const [title, cell, args] of CASES) {
    it(`${title}: outputs, losses and weights over three Adam steps`, async () => {
      await selectBuild({ build: 'simd', threads: 1 });
      setRandomSeed(5);
      const seq = args.returnSequences === true;
      const head = (lib: Lib) =>
        seq ? lib.layers.timeDistributed({ layer: lib.layers.dense({ units: K }) }) : lib.layers.dense({ units: K });
      const m = sequential({
        layers: [layers.rnn({ cell: cell({ layers }) as never, inputShape: [T, D], ...args }), head({ layers })],
      });
      await tf.setBackend('cpu');
      const r = tf.sequential({
        layers: [tf.layers.rnn({ cell: cell(tf) as never, inputShape: [T, D], ...args }), head(tf)],
      });
      expect(m.getWeights().map((w) => w.shape)).toEqual(r.getWeights().map((w) => w.shape));
      r.setWeights(m.getWeights().map((w) => tf.tensor(w.dataSync(), [...w.shape])));
      const rand = rng(8);
      const x = randomArray(B * T * D, rand);
      const yShape = seq ? [B, T, K] : [B, K];
      const y = randomArray(
        yShape.reduce((a, b) => a * b),
        rand,
      );
      const [rx, ry] = [tf.tensor(x, [B, T, D]), tf.tensor(y, yShape)];
      const refOut = (r.predict(rx) as tf.Tensor).dataSync();
      r.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      const rh = await r.fit(rx, ry, { epochs: 3, batchSize: B, shuffle: false, verbose: 0 });
      const [fx, fy] = [tensor(x, [B, T, D]), tensor(y, yShape)];
      const out = m.predict(fx) as Tensor;
      expectClose(out.dataSync(), refOut, 1e-5, 1e-6, 'output');
      m.compile({ optimizer: train.adam(0.01), loss: 'meanSquaredError' });
      const h = await m.fit(fx, fy, { epochs: 3, batchSize: B, shuffle: false, verbose: 0 });
      expectClose(h.history.loss as number[], rh.history.loss as number[], 1e-4, 1e-6, 'losses');
      const ref = r.getWeights();
      m.getWeights().forEach((w, i) => expectClose(w.dataSync(), ref[i].dataSync(), 1e-4, 1e-6, `weight ${i}`));
      for (const t of [out, fx, fy]) t.dispose();
      m.dispose();
      r.dispose();
      tf.dispose([rx, ry]);
    });
  }
});

describe("stackedRNNCells: the order of the states is TF.js's", () => {
  it('returnState and initialState: [last cell states, ..., first cell states], equal to TF.js (cpu) from identical weights', async () => {
    await selectBuild({ build: 'simd', threads: 1 });
    setRandomSeed(12);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const make = (lib: Lib): any =>
      lib.layers.rnn({
        cell: [lib.layers.lstmCell({ units: 2 }), lib.layers.gruCell({ units: 3 })],
        returnState: true,
        returnSequences: true,
      });
    const ours = make({ layers }) as RNN;
    await tf.setBackend('cpu');
    const ref = make(tf);
    const xv = randomArray(B * T * D, rng(3));
    const [x, rx] = [tensor(xv, [B, T, D]), tf.tensor(xv, [B, T, D])];
    // TF.js builds on its first call.
    ours.ensureBuilt([B, T, D]);
    tf.dispose(ref.apply(rx) as tf.Tensor[]);
    expect(ours.getWeights().map((w) => w.shape)).toEqual(ref.getWeights().map((w: tf.Tensor) => w.shape));
    ref.setWeights(ours.getWeights().map((w) => tf.tensor(w.dataSync(), [...w.shape])));
    const before = memory().numTensors;
    const a = ours.apply(x) as unknown as Tensor[];
    const b = ref.apply(rx) as tf.Tensor[];
    // [sequence, gru h, lstm h, lstm c]
    expect(a.map((t) => t.shape)).toEqual([
      [B, T, 3],
      [B, 3],
      [B, 2],
      [B, 2],
    ]);
    expect(a.map((t) => t.shape)).toEqual(b.map((t) => t.shape));
    a.forEach((t, i) => expectClose(t.dataSync(), b[i].dataSync(), 1e-5, 1e-6, `output ${i}`));
    // The final states, fed back as initial states in that order, continue the sequence.
    const a2 = ours.apply(x, { initialState: a.slice(1) }) as unknown as Tensor[];
    const b2 = ref.apply(rx, { initialState: b.slice(1) }) as tf.Tensor[];
    a2.forEach((t, i) => expectClose(t.dataSync(), b2[i].dataSync(), 1e-5, 1e-6, `continued output ${i}`));
    for (const t of [...a, ...a2]) t.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
    tf.dispose([rx, ...b, ...b2]);
    ours.dispose();
    ref.dispose();
  });
});

describe('cells: the layers options', () => {
  it("lstmCell unitForgetBias starts the forget gate's bias at 1 (as TF.js); gruCell resetAfter has the [2, 3 units] bias", async () => {
    const lc = layers.lstmCell({ units: 3, unitForgetBias: true, name: 'ufb' });
    lc.ensureBuilt([null, 2]);
    await tf.setBackend('cpu');
    const rc = tf.layers.lstmCell({ units: 3, unitForgetBias: true });
    rc.build([null, 2]);
    expect(Array.from(lc.bias!.dataSync())).toEqual(Array.from(rc.getWeights()[2].dataSync()));
    expect(Array.from(lc.bias!.dataSync())).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(lc.getConfig().unitForgetBias).toBe(true);
    const gc = layers.gruCell({ units: 3, resetAfter: true, biasInitializer: 'ones' });
    gc.ensureBuilt([null, 2]);
    expect(gc.bias!.shape).toEqual([2, 9]);
    const copy = deserialize({ className: 'GRUCell', config: { ...gc.getConfig(), name: 'gc2' } }) as typeof gc;
    expect(copy.resetAfter).toBe(true);
    for (const c of [lc, gc, copy]) c.dispose();
  });
});

describe('rnn(cell): semantics', () => {
  it('agrees with the fused lstm layer, with masks and returnState; no leaks', () => {
    setRandomSeed(6);
    const inp = layers.input({ shape: [null] });
    const emb = layers.embedding({ inputDim: 6, outputDim: D, maskZero: true });
    const e = emb.apply(inp) as never;
    const loop = layers.rnn({ cell: layers.lstmCell({ units: 3 }), returnSequences: true, returnState: true });
    const fused = layers.lstm({ units: 3, returnSequences: true, returnState: true });
    const a = model({ inputs: inp, outputs: loop.apply(e) as never });
    const b = model({ inputs: inp, outputs: fused.apply(e) as never });
    fused.setWeights(loop.getWeights());
    const ids = tensor([1, 2, 0, 0, 3, 4, 5, 1], [2, 4]);
    const before = memory().numTensors;
    const [ya, yb] = [a.predict(ids), b.predict(ids)] as Tensor[][];
    expect(ya.length).toBe(3);
    ya.forEach((t, i) => expectClose(t.dataSync(), yb[i].dataSync(), 1e-5, 1e-6, `output ${i}`));
    for (const t of [...ya, ...yb]) t.dispose();
    expect(memory().numTensors).toBe(before);
    ids.dispose();
    a.dispose();
  });

  it('stateful carries states; resetStates zeroes them; weights named as TF.js', () => {
    const l = layers.rnn({
      cell: [layers.simpleRNNCell({ units: 2 }), layers.gruCell({ units: 2 })],
      stateful: true,
      batchInputShape: [1, 3, 2],
      name: 'r',
    }) as RNN;
    const m = sequential({ layers: [l] });
    expect(namedWeights(m).map((w) => w.name)).toEqual([
      'r/RNNCell_0/kernel',
      'r/RNNCell_0/recurrent_kernel',
      'r/RNNCell_0/bias',
      'r/RNNCell_1/kernel',
      'r/RNNCell_1/recurrent_kernel',
      'r/RNNCell_1/bias',
    ]);
    const x = tensor(randomArray(6, rng(1)), [1, 3, 2]);
    const [p, q] = [l.apply(x) as Tensor, l.apply(x) as Tensor];
    expect(Array.from(q.dataSync())).not.toEqual(Array.from(p.dataSync()));
    l.resetStates();
    const s = l.apply(x) as Tensor;
    expect(Array.from(s.dataSync())).toEqual(Array.from(p.dataSync()));
    for (const t of [x, p, q, s]) t.dispose();
    m.dispose();
  });

  it('config round trip (cells and stacked cells)', () => {
    const l = layers.rnn({
      cell: [layers.lstmCell({ units: 2 }), layers.simpleRNNCell({ units: 3 })],
      goBackwards: true,
    });
    const cfg = JSON.parse(JSON.stringify(l.getConfig()));
    const copy = deserialize({ className: 'RNN', config: { ...cfg, name: 'copy_rnn' } }) as RNN;
    expect(copy.getConfig()).toEqual({ ...l.getConfig(), name: 'copy_rnn' });
    expect((cfg.cell as { className: string }).className).toBe('StackedRNNCells');
    copy.dispose();
    l.dispose();
  });

  it('errors name the layer and the shapes', () => {
    expect(() => layers.rnn({ cell: layers.dense({ units: 2 }) as never, name: 'rr' })).toThrow(
      /rr: cell must be an RNN cell .* got Dense/,
    );
    const l = layers.rnn({ cell: layers.lstmCell({ units: 2 }), name: 'r2' });
    const x = tensor(new Float32Array(12), [2, 3, 2]);
    const s = tensor(new Float32Array(6), [2, 3]);
    expect(() => l.apply(x, { initialState: [s, s] })).toThrow(
      /r2: initialState\[0\] must have shape \[2, 2\], got \[2, 3\]/,
    );
    expect(() => layers.lstmCell({ units: 0, name: 'c0' })).toThrow(/c0: units must be a positive integer, got 0/);
    for (const t of [x, s]) t.dispose();
    l.dispose();
  });
});
