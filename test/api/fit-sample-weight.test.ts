// model.fit's sampleWeight (Keras's sample_weight): each sample's weight in the loss (the
// weighted per-sample losses averaged over the batch), combined with classWeight, cut with
// validationSplit, and errors naming the option and the shapes.

import { beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';

beforeAll(() => fe.ready());

const N = 8;
const X = Array.from({ length: N * 3 }, (_, i) => Math.sin(i * 1.7));
const Y = Array.from({ length: N }, (_, i) => Math.cos(i * 0.9));

function model(): fe.LayersModel {
  fe.setRandomSeed(11);
  const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [3] })] });
  m.compile({ optimizer: fe.train.sgd(0.1), loss: 'meanSquaredError' });
  return m;
}

/** The kernel and bias after one full-batch epoch (no shuffle) on the rows `rows`. */
async function trainedWeights(rows: number[], args: fe.ModelFitArgs = {}): Promise<number[]> {
  const m = model();
  const x = fe.tensor(
    rows.flatMap((r) => X.slice(3 * r, 3 * r + 3)),
    [rows.length, 3],
  );
  const y = fe.tensor(
    rows.map((r) => Y[r]),
    [rows.length, 1],
  );
  await m.fit(x, y, { epochs: 1, batchSize: rows.length, shuffle: false, verbose: 0, ...args });
  const out = m.getWeights().flatMap((w) => {
    const v = Array.from(w.dataSync());
    w.dispose();
    return v;
  });
  fe.dispose([x, y]);
  m.dispose();
  return out;
}

const all = Array.from({ length: N }, (_, i) => i);

describe('fit sampleWeight', () => {
  it('weights each sample in the batch mean: weight 2 on half and 0 on the rest trains as that half alone', async () => {
    const before = fe.memory().numTensors;
    const w = fe.tensor1d(all.map((i) => (i % 2 === 0 ? 2 : 0)));
    const weighted = await trainedWeights(all, { sampleWeight: w });
    const half = await trainedWeights(all.filter((i) => i % 2 === 0));
    for (let i = 0; i < half.length; i++) expect(weighted[i]).toBeCloseTo(half[i], 6);
    // and differs from unweighted training, so the weights were used
    const plain = await trainedWeights(all);
    expect(Math.max(...plain.map((v, i) => Math.abs(v - weighted[i])))).toBeGreaterThan(1e-3);
    expect(w.isDisposed).toBe(false); // the caller's tensor stays theirs
    w.dispose();
    expect(fe.memory().numTensors).toBe(before);
  });

  it('multiplies classWeight, and drops the held-out weights with validationSplit', async () => {
    fe.setRandomSeed(5);
    const m = fe.sequential({ layers: [fe.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
    m.compile({ optimizer: fe.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
    const init = m.getWeights();
    const x = fe.tensor(X, [N, 3]);
    const labels = fe.tensor1d(
      all.map((i) => i % 2),
      'int32',
    );
    const fitWith = async (args: fe.ModelFitArgs) => {
      m.setWeights(init);
      await m.fit(x, labels, { epochs: 1, batchSize: N, shuffle: false, verbose: 0, validationSplit: 0.25, ...args });
      return m.getWeights().flatMap((t) => {
        const v = Array.from(t.dataSync());
        t.dispose();
        return v;
      });
    };
    // class 1 weighted 3 by classWeight == the same samples weighted 3 by sampleWeight
    const byClass = await fitWith({ classWeight: { 0: 1, 1: 3 } });
    const sw = fe.tensor1d(all.map((i) => (i % 2 === 1 ? 3 : 1)));
    const bySample = await fitWith({ sampleWeight: sw });
    for (let i = 0; i < byClass.length; i++) expect(bySample[i]).toBeCloseTo(byClass[i], 6);
    // both at once multiply: class 1 weight 3 times sample weight 1/3 == unweighted
    const third = fe.tensor1d(all.map((i) => (i % 2 === 1 ? 1 / 3 : 1)));
    const both = await fitWith({ classWeight: { 0: 1, 1: 3 }, sampleWeight: third });
    const plain = await fitWith({});
    for (let i = 0; i < plain.length; i++) expect(both[i]).toBeCloseTo(plain[i], 5);
    fe.dispose([x, labels, sw, third, ...init]);
    m.dispose();
  });

  it('refuses a wrong shape, a negative or NaN weight, and a wrong count, naming the option', async () => {
    const m = model();
    const x = fe.tensor(X, [N, 3]);
    const y = fe.tensor(Y, [N, 1]);
    const before = fe.memory().numTensors;
    const bad: [fe.Tensor | fe.Tensor[], RegExp][] = [
      [fe.ones([N, 1]), /sampleWeight\[0\] must have shape \[8\] \(one weight per sample\), got \[8, 1\]/],
      [fe.ones([N - 1]), /sampleWeight\[0\] must have shape \[8\]/],
      [fe.tensor1d([1, 1, -1, 1, 1, 1, 1, 1]), /sampleWeight\[0\]\[2\] must be finite and >= 0, got -1/],
      [fe.tensor1d([1, NaN, 1, 1, 1, 1, 1, 1]), /sampleWeight\[0\]\[1\] must be finite and >= 0, got NaN/],
      [[fe.ones([N]), fe.ones([N])], /sampleWeight has 2 entries, the model has 1 outputs/],
    ];
    const kernelOf = () => {
      const ws = m.getWeights();
      const v = Array.from(ws[0].dataSync());
      fe.dispose(ws);
      return v;
    };
    const kernelBefore = kernelOf();
    const made = fe.memory().numTensors;
    for (const [sw, message] of bad) {
      await expect(m.fit(x, y, { epochs: 1, verbose: 0, sampleWeight: sw })).rejects.toThrow(message);
    }
    expect(fe.memory().numTensors).toBe(made); // nothing leaked by the refusals
    expect(kernelOf()).toEqual(kernelBefore); // and no weight changed
    fe.dispose(bad.flatMap(([sw]) => (Array.isArray(sw) ? sw : [sw])));
    fe.dispose([x, y]);
    expect(fe.memory().numTensors).toBeLessThan(before);
    m.dispose();
  });
});
