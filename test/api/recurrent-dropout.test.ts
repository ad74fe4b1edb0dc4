// Dropout of the recurrent layers and cells. Input dropout (Keras 3 semantics): one mask
// per batch row, the same at every step, only while training, following setRandomSeed.
// Recurrent dropout (TF.js's semantics, in the fused kernels): one [batch, units] mask of
// h_prev per sequence; the fused layers equal rnn(cell) (ordinary ops) under the same seed,
// forward and gradients; the mask is the same at every step and drops `rate` of the units;
// batch means equal TF.js's (cpu) in training (masks are random, so parity is statistical);
// inference ignores it. Gradients for a fixed mask: test/kernels/recurrent.test.ts.

import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectClose, randomArray, rng } from '../support/helpers.js';
import { memory, scalar, tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { variableGrads } from '../../ts/autograd/tape.js';
import { add, mul, sum } from '../../ts/ops/index.js';
import type { Layer } from '../../ts/layers/layer.js';
import type { RNNCell } from '../../ts/layers/recurrent/cells.js';
import * as layers from '../../ts/layers/index.js';
import { sequential } from '../../ts/models/index.js';
import { train } from '../../ts/optimizers/index.js';
import { setRandomSeed } from '../../ts/index.js';

const [B, T, U] = [4, 6, 5];

/** SimpleRNN whose step output is its input: linear, identity kernel, no recurrence. */
function identityRNN(dropout: number): ReturnType<typeof layers.simpleRNN> {
  const l = layers.simpleRNN({ units: U, activation: 'linear', returnSequences: true, dropout });
  l.ensureBuilt([null, T, U]);
  const eye = new Float32Array(U * U);
  for (let i = 0; i < U; i++) eye[i * U + i] = 1;
  const w = [tensor(eye, [U, U]), tensor(new Float32Array(U * U), [U, U]), tensor(new Float32Array(U), [U])];
  l.setWeights(w);
  for (const t of w) t.dispose();
  return l;
}

describe('recurrent layers: dropout', () => {
  it('one mask per batch row, fixed across time steps, scaled by 1 / (1 - rate); none at inference', () => {
    const l = identityRNN(0.4);
    const x = tensor(new Float32Array(B * T * U).fill(1), [B, T, U]);
    const before = memory().numTensors;
    setRandomSeed(1);
    const y = l.apply(x, { training: true }) as Tensor;
    const v = y.dataSync();
    let dropped = 0;
    for (let b = 0; b < B; b++)
      for (let j = 0; j < U; j++) {
        const first = v[b * T * U + j];
        expect([0, 1 / 0.6].some((e) => Math.abs(first - e) < 1e-6)).toBe(true);
        if (first === 0) dropped++;
        for (let t = 1; t < T; t++) expect(v[b * T * U + t * U + j]).toBe(first);
      }
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(B * U);
    // The same seed gives the same masks.
    setRandomSeed(1);
    const y2 = l.apply(x, { training: true }) as Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(v));
    const inference = l.apply(x) as Tensor;
    expect(Array.from(inference.dataSync())).toEqual(new Array(B * T * U).fill(1));
    for (const t of [y, y2, inference]) t.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
    l.dispose();
  });

  const MODELS: [string, (rates: { dropout: number; recurrentDropout: number }) => Layer][] = [
    ...(['lstm', 'gru', 'simpleRNN'] as const).map(
      (kind): [string, (r: { dropout: number; recurrentDropout: number }) => Layer] => [
        kind,
        (r) => layers[kind]({ units: 8, ...r, inputShape: [T, 3] }),
      ],
    ),
    [
      'rnn(lstmCell)',
      (r: { dropout: number; recurrentDropout: number }) =>
        layers.rnn({ cell: layers.lstmCell({ units: 8, ...r }), inputShape: [T, 3] }),
    ],
  ];
  for (const [kind, rnn] of MODELS) {
    it(`${kind}: a model with dropout and recurrentDropout trains (the loss falls), predicts as without them, leaks nothing`, async () => {
      setRandomSeed(2);
      const make = (dropout: number) =>
        sequential({ layers: [rnn({ dropout, recurrentDropout: dropout }), layers.dense({ units: 1 })] });
      const m = make(0.3);
      const plain = make(0);
      plain.setWeights(m.getWeights());
      const x = tensor(randomArray(32 * T * 3, rng(4)), [32, T, 3]);
      const y = x.sum(1).sum(1, true);
      const [a, b] = [m.predict(x), plain.predict(x)] as Tensor[];
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      m.compile({ optimizer: train.adam(0.02), loss: 'meanSquaredError' });
      // The loss without dropout (evaluate), before and after: the training loss itself is noisy.
      const evaluate = (): number => {
        const e = m.evaluate(x, y) as Tensor;
        const v = e.dataSync()[0];
        e.dispose();
        return v;
      };
      const start = evaluate();
      await m.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 });
      const before = memory().numTensors;
      const h = await m.fit(x, y, { epochs: 30, batchSize: 32, verbose: 0 });
      expect(memory().numTensors).toBe(before);
      expect((h.history.loss as number[]).every(Number.isFinite)).toBe(true);
      expect(evaluate()).toBeLessThan(0.9 * start);
      for (const t of [a, b, x, y]) t.dispose();
      m.dispose();
      plain.dispose();
    });
  }

  it('errors: dropout and recurrentDropout outside [0, 1), for layers and cells', () => {
    expect(() => layers.lstm({ units: 2, dropout: 1, name: 'ld' })).toThrow(
      /ld: dropout must be a number in \[0, 1\), got 1/,
    );
    expect(() => layers.gru({ units: 2, recurrentDropout: -0.2, name: 'gd' })).toThrow(
      /gd: recurrentDropout must be a number in \[0, 1\), got -0.2/,
    );
    expect(() => layers.lstmCell({ units: 2, recurrentDropout: 1.5, name: 'cd' })).toThrow(
      /cd: recurrentDropout must be a number in \[0, 1\), got 1.5/,
    );
    expect(() => layers.simpleRNNCell({ units: 2, dropout: '0.1' as never, name: 'sd' })).toThrow(
      /sd: dropout must be a number in \[0, 1\), got 0.1/,
    );
  });
});

/** A fused layer and the rnn(cell) with the same options, for the comparisons below. */
interface Pair {
  title: string;
  fused: (a: Record<string, unknown>) => Layer;
  cell: (a: Record<string, unknown>) => RNNCell;
}

const PAIRS: Pair[] = [
  { title: 'lstm', fused: (a) => layers.lstm(a as never), cell: (a) => layers.lstmCell(a as never) },
  { title: 'gru', fused: (a) => layers.gru(a as never), cell: (a) => layers.gruCell(a as never) },
  {
    title: 'gru (resetAfter)',
    fused: (a) => layers.gru({ ...a, resetAfter: true } as never),
    cell: (a) => layers.gruCell({ ...a, resetAfter: true } as never),
  },
  { title: 'simpleRNN', fused: (a) => layers.simpleRNN(a as never), cell: (a) => layers.simpleRNNCell(a as never) },
];

describe('recurrent layers: recurrentDropout', () => {
  for (const pair of PAIRS) {
    it(`${pair.title}: the fused layer equals rnn(cell) under the same seed (outputs, final states, gradients)`, () => {
      setRandomSeed(9);
      const opts = { units: 5, dropout: 0.25, recurrentDropout: 0.4, recurrentActivation: 'sigmoid' };
      const simple = pair.title === 'simpleRNN';
      const args = simple ? { units: 5, dropout: 0.25, recurrentDropout: 0.4 } : opts;
      const fused = pair.fused({ ...args, returnSequences: true, returnState: true, goBackwards: true });
      const loop = layers.rnn({ cell: pair.cell(args), returnSequences: true, returnState: true, goBackwards: true });
      const x = tensor(randomArray(3 * 4 * 2, rng(11)), [3, 4, 2]);
      fused.ensureBuilt([3, 4, 2]);
      loop.ensureBuilt([3, 4, 2]);
      fused.setWeights(loop.getWeights());
      const before = memory().numTensors;
      // The gradient of a weighted sum of every output, under the same masks.
      const run = (l: Layer) => {
        setRandomSeed(21);
        const vars = l.trainableWeights;
        const { value, grads } = variableGrads(() => {
          const outs = l.apply(x, { training: true }) as unknown as Tensor[];
          const total = outs.map((o, i) => sum(mul(o, scalar(i + 1))));
          return total.reduce((p, q) => add(p, q));
        }, vars);
        const result = {
          value: value.dataSync()[0],
          grads: vars.map((v) => Float32Array.from(grads[v.name].dataSync())),
        };
        value.dispose();
        for (const g of Object.values(grads)) g.dispose();
        return result;
      };
      // Reseeded before each apply: the second draws the same masks as the first.
      const runOuts = (l: Layer) => {
        setRandomSeed(21);
        const outs = l.apply(x, { training: true }) as unknown as Tensor[];
        const v = outs.map((t) => Float32Array.from(t.dataSync()));
        for (const t of outs) t.dispose();
        return v;
      };
      const [a, b] = [runOuts(fused), runOuts(loop)];
      a.forEach((v, i) => expectClose(v, b[i], 1e-5, 1e-6, `output ${i}`));
      const [ga, gb] = [run(fused), run(loop)];
      expectClose([ga.value], [gb.value], 1e-5, 1e-6, 'loss');
      ga.grads.forEach((g, i) => expectClose(g, gb.grads[i], 1e-4, 1e-5, `gradient ${i}`));
      // Training draws masks: the outputs differ from inference's.
      const inference = (fused.apply(x) as unknown as Tensor[]).map((t) => {
        const v = Float32Array.from(t.dataSync());
        t.dispose();
        return v;
      });
      expect(Array.from(inference[0])).not.toEqual(Array.from(a[0]));
      expect(memory().numTensors).toBe(before);
      x.dispose();
      fused.dispose();
      loop.dispose();
    });
  }

  it('one mask per sequence, the same at every step, dropping about `rate` of the units; expected value unchanged', () => {
    // A linear SimpleRNN with identity kernels and x = 1 at the first step only:
    // h1 = 1, h2 = m h1 = m, h3 = m h2 = m^2 for the row's mask m in {0, 1 / (1 - rate)}.
    const [rows, units, rate] = [2000, 4, 0.3];
    const l = layers.simpleRNN({ units, activation: 'linear', returnSequences: true, recurrentDropout: rate });
    l.ensureBuilt([null, 3, units]);
    const eye = new Float32Array(units * units);
    for (let i = 0; i < units; i++) eye[i * units + i] = 1;
    const w = [tensor(eye, [units, units]), tensor(eye, [units, units]), tensor(new Float32Array(units), [units])];
    l.setWeights(w);
    const xv = new Float32Array(rows * 3 * units);
    for (let r = 0; r < rows; r++) for (let j = 0; j < units; j++) xv[r * 3 * units + j] = 1;
    const x = tensor(xv, [rows, 3, units]);
    setRandomSeed(3);
    const y = l.apply(x, { training: true }) as Tensor;
    const v = y.dataSync();
    const keep = 1 / (1 - rate);
    let dropped = 0;
    let mean = 0;
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < units; j++) {
        const [h1, h2, h3] = [0, 1, 2].map((t) => v[r * 3 * units + t * units + j]);
        expect(h1).toBe(1);
        expect([0, keep].some((e) => Math.abs(h2 - e) < 1e-6)).toBe(true);
        // The same mask at step 3: m^2.
        expect(h3).toBeCloseTo(h2 * h2, 5);
        if (h2 === 0) dropped++;
        mean += h2;
      }
    const n = rows * units;
    mean /= n;
    // Binomial: 5 standard deviations.
    expect(Math.abs(dropped / n - rate)).toBeLessThan(5 * Math.sqrt((rate * (1 - rate)) / n));
    expect(Math.abs(mean - 1)).toBeLessThan(5 * keep * Math.sqrt((rate * (1 - rate)) / n));
    const inference = l.apply(x) as Tensor;
    const iv = inference.dataSync();
    for (let r = 0; r < rows; r += 97)
      expect(Array.from(iv.slice(r * 3 * units, (r + 1) * 3 * units))).toEqual(new Array(3 * units).fill(1));
    for (const t of [y, inference, x, ...w]) t.dispose();
    l.dispose();
  });

  for (const name of ['lstm', 'gru', 'simpleRNN'] as const) {
    it(`${name}: batch means in training equal TF.js's (cpu) from identical weights; inference ignores it`, async () => {
      const [rows, time, feat, units, rate] = [1500, 4, 3, 4, 0.4];
      setRandomSeed(13);
      const args = { units, recurrentDropout: rate, returnSequences: true, inputShape: [time, feat] };
      const ours = sequential({ layers: [layers[name](args as never)] });
      const plain = sequential({ layers: [layers[name]({ ...args, recurrentDropout: 0 } as never)] });
      plain.setWeights(ours.getWeights());
      await tf.setBackend('cpu');
      const ref = tf.sequential({ layers: [tf.layers[name](args as never)] });
      ref.setWeights(ours.getWeights().map((w) => tf.tensor(w.dataSync(), [...w.shape])));
      // Every row the same sequence: the rows differ only by their masks.
      const one = randomArray(time * feat, rng(17), -1.5, 1.5);
      const xv = new Float32Array(rows * time * feat);
      for (let r = 0; r < rows; r++) xv.set(one, r * time * feat);
      const x = tensor(xv, [rows, time, feat]);
      const rx = tf.tensor(xv, [rows, time, feat]);
      const y = ours.layers[0].apply(x, { training: true }) as Tensor;
      const ry = ref.layers[0].apply(rx, { training: true }) as tf.Tensor;
      const stats = (v: ArrayLike<number>) => {
        const k = time * units;
        const mean = new Float64Array(k);
        const sq = new Float64Array(k);
        for (let r = 0; r < rows; r++)
          for (let i = 0; i < k; i++) {
            mean[i] += v[r * k + i] / rows;
            sq[i] += v[r * k + i] ** 2 / rows;
          }
        return { mean, sd: Array.from(mean, (m, i) => Math.sqrt(Math.max(sq[i] - m * m, 0))) };
      };
      const [a, b] = [stats(y.dataSync()), stats(ry.dataSync())];
      for (let i = 0; i < a.mean.length; i++) {
        const se = Math.sqrt((a.sd[i] ** 2 + b.sd[i] ** 2) / rows);
        expect(Math.abs(a.mean[i] - b.mean[i])).toBeLessThan(5 * se + 1e-4);
      }
      // The masks act from the second step on (h0 = 0): the rows spread there.
      expect(Math.max(...a.sd.slice(units))).toBeGreaterThan(1e-3);
      expect(Math.max(...a.sd.slice(0, units))).toBeLessThan(1e-6);
      const [p, q] = [ours.predict(x), plain.predict(x)] as Tensor[];
      expect(Array.from(p.dataSync())).toEqual(Array.from(q.dataSync()));
      for (const t of [x, y, p, q]) t.dispose();
      tf.dispose([rx, ry]);
      ours.dispose();
      plain.dispose();
      ref.dispose();
    });
  }
});
