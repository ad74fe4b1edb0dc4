// Input dropout of the recurrent layers (Keras 3 semantics): one mask per batch row, the
// same at every step, only while training, following setRandomSeed; recurrentDropout is
// refused with a clear error until the kernels have it.

import { describe, expect, it } from 'vitest';
import { randomArray, rng } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { sequential } from '../../ts/models/index.js';
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

  for (const kind of ['lstm', 'gru', 'simpleRNN'] as const) {
    it(`${kind}: a model with dropout trains (the loss falls) and predicts as without it`, async () => {
      setRandomSeed(2);
      const make = (dropout: number) =>
        sequential({
          layers: [layers[kind]({ units: 8, dropout, inputShape: [T, 3] }), layers.dense({ units: 1 })],
        });
      const m = make(0.3);
      const plain = make(0);
      plain.setWeights(m.getWeights());
      const x = tensor(randomArray(32 * T * 3, rng(4)), [32, T, 3]);
      const y = x.sum(1).sum(1, true);
      const [a, b] = [m.predict(x), plain.predict(x)] as Tensor[];
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const h = await m.fit(x, y, { epochs: 15, batchSize: 32, verbose: 0 });
      const loss = h.history.loss as number[];
      expect(loss.every(Number.isFinite)).toBe(true);
      expect(loss[loss.length - 1]).toBeLessThan(loss[0]);
      for (const t of [a, b, x, y]) t.dispose();
      m.dispose();
      plain.dispose();
    });
  }

  it('errors: dropout outside [0, 1); recurrentDropout not supported yet', () => {
    expect(() => layers.lstm({ units: 2, dropout: 1, name: 'ld' })).toThrow(
      /ld: dropout must be a number in \[0, 1\), got 1/,
    );
    expect(() => layers.gru({ units: 2, recurrentDropout: 0.2, name: 'gd' })).toThrow(
      /gd: recurrentDropout is not supported yet \(got 0.2\)/,
    );
  });
});
