import { describe, expect, it, vi } from 'vitest';
import { describeEachBuild, randomTensor, rng } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { input } from '../../ts/layers/index.js';
import { model, sequential, type Sequential } from '../../ts/models/index.js';
import { train } from '../../ts/optimizers/index.js';
import type { ProgressSink } from '../../ts/training/index.js';
import { l2 } from '../../ts/regularizers/index.js';

/** Two interleaved spirals (one turn each), `n` points per class, labels 0 / 1. */
function spirals(n: number, seed: number): { x: Tensor; y: Tensor; labels: number[] } {
  const rand = rng(seed);
  const xs: number[] = [];
  const labels: number[] = [];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < n; i++) {
      const t = 0.15 + (0.85 * i) / n;
      const angle = 2 * Math.PI * t + c * Math.PI;
      xs.push(t * Math.cos(angle) * 2 + (rand() - 0.5) * 0.05, t * Math.sin(angle) * 2 + (rand() - 0.5) * 0.05);
      labels.push(c);
    }
  }
  return { x: tensor(xs, [2 * n, 2]), y: tensor(labels, [2 * n], 'int32'), labels };
}

function accuracyOf(m: Sequential, x: Tensor, labels: number[]): number {
  const p = (m.predict(x) as Tensor).dataSync();
  const classes = p.length / labels.length;
  let correct = 0;
  labels.forEach((c, r) => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (p[r * classes + k] > p[r * classes + best]) best = k;
    if (classes === 1) best = p[r] > 0.5 ? 1 : 0;
    if (best === c) correct++;
  });
  return correct / labels.length;
}

function silentSink(): ProgressSink & { lines: string[]; raw: string } {
  const sink = {
    lines: [] as string[],
    raw: '',
    isTTY: false,
    write(t: string) {
      sink.raw += t;
    },
    writeLine(l: string) {
      sink.lines.push(l);
    },
  };
  return sink;
}

describeEachBuild('fit converges', () => {
  it('a small MLP separates two spirals (> 95 % accuracy)', async () => {
    const { x, y, labels } = spirals(100, 1);
    const m = sequential({
      layers: [
        layers.dense({ units: 32, activation: 'tanh', inputShape: [2] }),
        layers.dense({ units: 32, activation: 'tanh' }),
        layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const history = await m.fit(x, y, { epochs: 120, batchSize: 20, verbose: 0 });
    expect(history.history.loss.length).toBe(120);
    expect(history.history.loss[119]).toBeLessThan(history.history.loss[0]);
    expect(history.history.acc[119]).toBeGreaterThan(0.95);
    expect(accuracyOf(m, x, labels)).toBeGreaterThan(0.95);
    m.dispose();
  });

  it('XOR with a sigmoid output and binary cross-entropy', async () => {
    const x = tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const y = tensor([[0], [1], [1], [0]]);
    const m = sequential({
      layers: [
        layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }),
        layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    m.compile({ optimizer: train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await m.fit(x, y, { epochs: 300, batchSize: 4, verbose: 0 });
    expect(h.history.acc.at(-1)).toBe(1);
    expect(h.history.loss.at(-1)).toBeLessThan(0.1);
    const p = (m.predict(x) as Tensor).dataSync();
    expect(Array.from(p, (v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    m.dispose();
  });
});

describeEachBuild('fit behaviour', () => {
  function smallModel(): Sequential {
    return sequential({
      layers: [
        layers.dense({ units: 8, activation: 'relu', inputShape: [3] }),
        layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
  }
  function data(n: number, seed = 3): { x: Tensor; y: Tensor } {
    const rand = rng(seed);
    const x = randomTensor([n, 3], rand);
    const labels = Array.from({ length: n }, () => Math.floor(rand() * 3));
    return { x, y: tensor(labels, [n], 'int32') };
  }

  it('the epoch loss is the sample-weighted mean over batches (equal to evaluate when nothing moves)', async () => {
    const m = smallModel();
    m.compile({ optimizer: train.sgd(0), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const { x, y } = data(53);
    const h = await m.fit(x, y, { epochs: 2, batchSize: 10, verbose: 0 });
    const [l, a] = (m.evaluate(x, y, { batchSize: 53 }) as Tensor[]).map((t) => t.dataSync()[0]);
    expect(h.history.loss[0]).toBeCloseTo(l, 5);
    expect(h.history.loss[1]).toBeCloseTo(l, 5);
    expect(h.history.acc[0]).toBeCloseTo(a, 5);
    m.dispose();
  });

  it('validationSplit holds out the last samples and logs val_ values; validationData too', async () => {
    const m = smallModel();
    m.compile({ optimizer: train.sgd(0), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const { x, y } = data(40);
    const h = await m.fit(x, y, { epochs: 1, batchSize: 8, validationSplit: 0.25, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    const { sliceRows } = await import('../../ts/training/evaluate.js');
    const lastX = sliceRows(x, 30, 10);
    const lastY = sliceRows(y, 30, 10);
    const firstX = sliceRows(x, 0, 30);
    const firstY = sliceRows(y, 0, 30);
    const [vl] = (m.evaluate(lastX, lastY) as Tensor[]).map((t) => t.dataSync()[0]);
    const [tl] = (m.evaluate(firstX, firstY) as Tensor[]).map((t) => t.dataSync()[0]);
    expect(h.history.val_loss[0]).toBeCloseTo(vl, 5);
    expect(h.history.loss[0]).toBeCloseTo(tl, 5);
    const v = data(12, 9);
    const h2 = await m.fit(x, y, { epochs: 2, batchSize: 8, validationData: [v.x, v.y], verbose: 0 });
    expect(h2.history.val_loss.length).toBe(2);
    expect(h2.history.val_acc.length).toBe(2);
    await expect(m.fit(x, y, { validationSplit: 1.5 })).rejects.toThrow(/validationSplit must be in \[0, 1\)/);
    m.dispose();
  });

  it('leaves no tensors behind', async () => {
    const { x, y } = data(50);
    const v = data(10, 4);
    const before = memory().numTensors;
    const m = smallModel();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    // The first fit creates the optimizer's state (Adam's moments); after that, nothing grows.
    await m.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    const warm = memory().numTensors;
    await m.fit(x, y, { epochs: 2, batchSize: 16, validationData: [v.x, v.y], verbose: 0 });
    await m.fit(x, y, { epochs: 1, batchSize: 16, validationSplit: 0.2, classWeight: { 0: 2 }, verbose: 0 });
    (m.evaluate(x, y) as Tensor[]).forEach((t) => t.dispose());
    (m.predict(x) as Tensor).dispose();
    expect(memory().numTensors).toBe(warm);
    // The model owns the optimizer it made from a name: dispose frees its state too.
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('trainable = false freezes a layer exactly while the others learn', async () => {
    const m = smallModel();
    // Frozen before compile: trainable changes take effect at compile (Keras's and TF.js's rule).
    m.layers[0].trainable = false;
    m.compile({ optimizer: train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    const frozen = m.layers[0].getWeights().map((w) => Array.from(w.dataSync()));
    const other = m.layers[1].getWeights().map((w) => Array.from(w.dataSync()));
    const { x, y } = data(30);
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    expect(m.layers[0].getWeights().map((w) => Array.from(w.dataSync()))).toEqual(frozen);
    expect(m.layers[1].getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(other);
    m.dispose();
  });

  it('shuffle: false is deterministic; trainOnBatch returns loss and metrics', async () => {
    const a = smallModel();
    const b = smallModel();
    b.setWeights(a.getWeights());
    for (const m of [a, b])
      m.compile({ optimizer: train.sgd(0.1), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const { x, y } = data(25);
    await a.fit(x, y, { epochs: 2, batchSize: 7, shuffle: false, verbose: 0 });
    await b.fit(x, y, { epochs: 2, batchSize: 7, shuffle: false, verbose: 0 });
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wa).toEqual(wb);
    const r = (await a.trainOnBatch(x, y)) as number[];
    expect(r.length).toBe(2);
    expect(r[1]).toBeGreaterThanOrEqual(0);
    expect(r[1]).toBeLessThanOrEqual(1);
    a.dispose();
    b.dispose();
  });

  it('classWeight weights each sample by its class', async () => {
    const m = smallModel();
    m.compile({ optimizer: train.sgd(0), loss: 'sparseCategoricalCrossentropy' });
    const { x, y } = data(30);
    const labels = Array.from(y.dataSync());
    const p = (m.predict(x) as Tensor).dataSync();
    let expected = 0;
    labels.forEach((c, r) => (expected += (c === 0 ? 3 : c === 1 ? 0 : 1) * -Math.log(p[r * 3 + c])));
    const h = await m.fit(x, y, { epochs: 1, batchSize: 30, classWeight: { 0: 3, 1: 0 }, verbose: 0 });
    expect(h.history.loss[0]).toBeCloseTo(expected / 30, 4);
    m.dispose();
  });

  it('regularizers add their penalty to the loss', async () => {
    const m = sequential({
      layers: [layers.dense({ units: 2, inputShape: [2], activation: 'softmax', kernelInitializer: 'ones' })],
    });
    const r = sequential({
      layers: [
        layers.dense({
          units: 2,
          inputShape: [2],
          activation: 'softmax',
          kernelInitializer: 'ones',
          kernelRegularizer: l2({ l2: 0.25 }),
        }),
      ],
    });
    for (const mm of [m, r]) mm.compile({ optimizer: train.sgd(0), loss: 'sparseCategoricalCrossentropy' });
    const x = tensor([[1, 2]]);
    const y = tensor([1], [1], 'int32');
    const base = (await m.trainOnBatch(x, y)) as number;
    const withPenalty = (await r.trainOnBatch(x, y)) as number;
    expect(withPenalty - base).toBeCloseTo(0.25 * 4, 5);
    m.dispose();
    r.dispose();
  });

  it('multi-output functional models train with one loss per output', async () => {
    const inp = input({ shape: [3] });
    const h = layers.dense({ units: 6, activation: 'relu' }).apply(inp);
    const a = layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h);
    const b = layers.dense({ units: 1, name: 'reg' }).apply(h);
    const m = model({ inputs: inp, outputs: [a, b] });
    m.compile({
      optimizer: 'adam',
      loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'],
      metrics: { cls: ['accuracy'] },
    });
    expect(m.metricsNames).toEqual(['loss', 'cls_loss', 'reg_loss', 'cls_acc']);
    const { x, y } = data(20);
    const target = randomTensor([20, 1], rng(2));
    const hist = await m.fit(x, [y, target], { epochs: 2, batchSize: 8, verbose: 0 });
    expect(hist.history.loss[1]).toBeCloseTo(hist.history.cls_loss[1] + hist.history.reg_loss[1], 4);
    const ev = m.evaluate(x, [y, target]) as Tensor[];
    expect(ev.length).toBe(4);
    m.dispose();
  });

  it('a Sequential model without input shape trains (built from x)', async () => {
    const m = sequential({
      layers: [
        layers.dense({ units: 4, activation: 'relu' }),
        layers.dropout({ rate: 0.3 }),
        layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy', metrics: ['acc'] });
    expect(m.metricsNames).toEqual(['loss', 'acc']);
    const { x, y } = data(20);
    const h = await m.fit(x, y, { epochs: 1, batchSize: 5, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['acc', 'loss']);
    m.dispose();
  });
});

describeEachBuild('fit errors', () => {
  function compiled(): Sequential {
    const m = sequential({ layers: [layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    return m;
  }
  const x = () => randomTensor([10, 4], rng(1));
  const labels = (n = 10) =>
    tensor(
      Array.from({ length: n }, (_, i) => i % 3),
      [n],
      'int32',
    );

  it('uncompiled model, mismatched sample counts, wrong shapes', async () => {
    const raw = sequential({ layers: [layers.dense({ units: 3, inputShape: [4] })] });
    await expect(raw.fit(x(), labels())).rejects.toThrow(/not compiled; call model.compile/);
    expect(() => raw.evaluate(x(), labels())).toThrow(/not compiled/);
    const m = compiled();
    await expect(m.fit(x(), labels(9))).rejects.toThrow(/x has 10 samples but y has 9/);
    await expect(m.fit(randomTensor([10, 5], rng(1)), labels())).rejects.toThrow(
      /x has shape \[10, 5\], but the model expects \[null, 4\]/,
    );
    await expect(m.fit([x(), x()], labels())).rejects.toThrow(/the model has 1 input\(s\), but x holds 2/);
    await expect(m.fit([[1, 2, 3, 4]] as never, labels(1))).rejects.toThrow(/x must be a Tensor, got a nested array/);
    await expect(m.fit(x(), tensor([[1, 0, 0]], [1, 3]))).rejects.toThrow(/x has 10 samples but y has 1/);
    const oneHotY = tensor(
      Array.from({ length: 30 }, (_, i) => (i % 4 === 0 ? 1 : 0)),
      [10, 3],
    );
    await expect(m.fit(x(), oneHotY)).rejects.toThrow(/looks one-hot: use 'categoricalCrossentropy'/);
    const cat = sequential({ layers: [layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
    cat.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await expect(cat.fit(x(), labels())).rejects.toThrow(/use 'sparseCategoricalCrossentropy'/);
    await expect(m.fit(x(), labels(), { batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
    raw.dispose();
    m.dispose();
    cat.dispose();
  });

  it('NaN in x, labels out of range, a diverging loss', async () => {
    const m = compiled();
    const bad = x();
    bad.view()[17] = NaN;
    await expect(m.fit(bad, labels())).rejects.toThrow(/x contains NaN \(first at sample 4, flat index 17\)/);
    await expect(m.fit(x(), tensor([0, 1, 2, 3, 0, 1, 2, 0, 1, 2], [10], 'int32'), { verbose: 0 })).rejects.toThrow(
      /y holds label 3 at sample 3, but the output has 3 classes/,
    );
    await expect(m.fit(x(), tensor([0, 1, 2, 1.5, 0, 1, 2, 0, 1, 2], [10]), { verbose: 0 })).rejects.toThrow(
      /label 1.5 at sample 3/,
    );
    const huge = randomTensor([10, 4], rng(2), 1e19, 1e20);
    const lin = sequential({ layers: [layers.dense({ units: 1, inputShape: [4] })] });
    lin.compile({ optimizer: train.sgd(1e10), loss: 'meanSquaredError' });
    await expect(lin.fit(huge, randomTensor([10, 1], rng(3)), { epochs: 3, verbose: 0 })).rejects.toThrow(
      /the loss became (NaN|Infinity) at epoch 1, batch 1 of 1/,
    );
    expect(lin.isTraining).toBe(false);
    m.dispose();
    lin.dispose();
  });

  it('refuses a second fit while one is running', async () => {
    const m = compiled();
    const first = m.fit(x(), labels(), { epochs: 3, verbose: 0, yieldEvery: 'batch' });
    await expect(m.fit(x(), labels(), { verbose: 0 })).rejects.toThrow(/already training/);
    await first;
    m.dispose();
  });
});

describe('progress output', () => {
  it('non-TTY: the epoch header and one final Keras-style line per epoch', async () => {
    const m = sequential({ layers: [layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const sink = silentSink();
    const x = randomTensor([64, 4], rng(1));
    const y = tensor(
      Array.from({ length: 64 }, (_, i) => i % 3),
      [64],
      'int32',
    );
    await m.fit(x, y, { epochs: 2, batchSize: 16, validationSplit: 0.25, progressSink: sink });
    expect(sink.raw).toBe('');
    expect(sink.lines.length).toBe(4);
    expect(sink.lines[0]).toBe('Epoch 1/2');
    expect(sink.lines[1]).toMatch(
      /^3\/3 \[==============================\] - \d+s \d+(us|ms|s)\/step - loss: \d\.\d{4} - acc: \d\.\d{4} - val_loss: \d\.\d{4} - val_acc: \d\.\d{4}$/,
    );
    expect(sink.lines[2]).toBe('Epoch 2/2');
    const evalSink = silentSink();
    m.evaluate(x, y, { batchSize: 32, verbose: 2, progressSink: evalSink });
    expect(evalSink.lines).toHaveLength(1);
    expect(evalSink.lines[0]).toMatch(/^2\/2 - \d+s - \d+(us|ms|s)\/step - loss: \d\.\d{4} - acc: \d\.\d{4}$/);
    m.dispose();
  });

  it('TTY: a live bar redrawn with \\r, finished with a newline; verbose 0 prints nothing', async () => {
    const m = sequential({ layers: [layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const x = randomTensor([40, 4], rng(1));
    const y = tensor(
      Array.from({ length: 40 }, (_, i) => i % 3),
      [40],
      'int32',
    );
    const sink = { ...silentSink(), isTTY: true };
    const lines: string[] = [];
    sink.writeLine = (l: string) => void lines.push(l);
    let raw = '';
    sink.write = (t: string) => void (raw += t);
    await m.fit(x, y, { epochs: 1, batchSize: 4, progressSink: sink });
    expect(lines).toEqual(['Epoch 1/1']);
    expect(raw).toMatch(
      /\r10\/10 \[==============================\] - \d+s \d+(us|ms|s)\/step - loss: \d\.\d{4}\s*\n$/,
    );
    const spy = vi.spyOn(process.stdout, 'write');
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    m.dispose();
  });
});
