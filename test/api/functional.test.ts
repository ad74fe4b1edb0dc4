// The functional API for multi-input / multi-output models, feature extraction, nested
// models and freezing: data as arrays or by name, per-output losses, lossWeights and
// metrics with TF.js's log names, getLayer / layer.output, trainable at compile.

import { describe, expect, it } from 'vitest';
import { expectClose, randomTensor, rng } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { input } from '../../ts/layers/index.js';
import { SymbolicTensor } from '../../ts/layers/symbolic.js';
import { LayersModel, model, sequential } from '../../ts/models/index.js';
import { train } from '../../ts/optimizers/index.js';
import { compileArgsFromSpec, compileSpecFromModel } from '../../ts/worker/compile-spec.js';

const values = (ws: Tensor[]): number[][] => ws.map((w) => Array.from(w.dataSync()));

/** Two inputs (a: 3 features, b: 2), a shared trunk, a 3-class head 'cls' and a regression head 'reg'. */
function twoByTwo(): LayersModel {
  const a = input({ shape: [3], name: 'in_a' });
  const b = input({ shape: [2], name: 'in_b' });
  const joined = layers.concatenate([a, b]);
  const h = layers.dense({ units: 8, activation: 'tanh' }).apply(joined) as SymbolicTensor;
  const cls = layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h) as SymbolicTensor;
  const reg = layers.dense({ units: 1, name: 'reg' }).apply(h) as SymbolicTensor;
  return model({ inputs: [a, b], outputs: [cls, reg] });
}

function twoByTwoData(n: number, seed = 2): { xa: Tensor; xb: Tensor; yc: Tensor; yr: Tensor } {
  const rand = rng(seed);
  const xa = randomTensor([n, 3], rand);
  const xb = randomTensor([n, 2], rand);
  const a = xa.dataSync();
  const b = xb.dataSync();
  const labels = Array.from({ length: n }, (_, i) => (a[3 * i] + b[2 * i] > 0 ? 1 : a[3 * i + 1] > 0 ? 2 : 0));
  const yc = tensor(labels, [n], 'int32');
  const yr = tensor(
    Array.from({ length: n }, (_, i) => a[3 * i + 2] - b[2 * i + 1]),
    [n, 1],
  );
  return { xa, xb, yc, yr };
}

/** dense(relu) -> batchNormalization -> dense(activation): a small model with non-trainable BN statistics. */
function denseBnDense(name: string, inputs: number, hidden: number, units: number, activation: 'relu' | 'sigmoid') {
  return sequential({
    name,
    layers: [
      layers.dense({ units: hidden, activation: 'relu', inputShape: [inputs] }),
      layers.batchNormalization(),
      layers.dense({ units, activation }),
    ],
  });
}

describe('multi-input, multi-output models', () => {
  it('fit / evaluate / predict / trainOnBatch take arrays or name-keyed maps, with TF.js’s log names', async () => {
    const m1 = twoByTwo();
    const m2 = twoByTwo();
    m2.setWeights(m1.getWeights());
    const { xa, xb, yc, yr } = twoByTwoData(40);
    for (const m of [m1, m2])
      m.compile({
        optimizer: train.sgd(0.1),
        loss: { cls: 'sparseCategoricalCrossentropy', reg: 'meanSquaredError' },
        metrics: { cls: ['accuracy'], reg: ['mse'] },
      });
    expect(m1.metricsNames).toEqual(['loss', 'cls_loss', 'reg_loss', 'cls_acc', 'reg_mse']);
    expect(m1.inputNames).toEqual(['in_a', 'in_b']);
    expect(m1.outputNames).toEqual(['cls', 'reg']);
    const args = { epochs: 2, batchSize: 8, shuffle: false, validationSplit: 0.25, verbose: 0 as const };
    const h1 = await m1.fit([xa, xb], [yc, yr], args);
    const h2 = await m2.fit({ in_b: xb, in_a: xa }, { reg: yr, cls: yc }, args);
    expect(Object.keys(h1.history).sort()).toEqual(
      ['loss', 'cls_loss', 'reg_loss', 'cls_acc', 'reg_mse'].flatMap((k) => [k, `val_${k}`]).sort(),
    );
    expect(h2.history).toEqual(h1.history);
    expect(values(m2.getWeights())).toEqual(values(m1.getWeights()));
    // The total is the sum of the per-output losses (no regularizers, weights 1).
    expect(h1.history.loss[1]).toBeCloseTo(h1.history.cls_loss[1] + h1.history.reg_loss[1], 4);

    const ev1 = m1.evaluate([xa, xb], [yc, yr]) as Tensor[];
    const ev2 = m1.evaluate({ in_a: xa, in_b: xb }, { cls: yc, reg: yr }) as Tensor[];
    expect(ev1.map((t) => t.dataSync()[0])).toEqual(ev2.map((t) => t.dataSync()[0]));
    const p1 = m1.predict([xa, xb]) as Tensor[];
    const p2 = m1.predict({ in_a: xa, in_b: xb }) as Tensor[];
    expect(p1.map((t) => t.shape)).toEqual([
      [40, 3],
      [40, 1],
    ]);
    expect(values(p2)).toEqual(values(p1));
    const r = (await m1.trainOnBatch({ in_a: xa, in_b: xb }, [yc, yr])) as number[];
    expect(r.length).toBe(5);

    expect(() => m1.predict({ in_a: xa })).toThrow(/predict: x has no tensor for input 'in_b'/);
    expect(() => m1.predict({ in_a: xa, in_b: xb, in_c: xb })).toThrow(
      /x names input 'in_c', but the model's inputs are in_a, in_b/,
    );
    expect(() => m1.evaluate([xa, xb], { cls: yc, regg: yr })).toThrow(/y names output 'regg'/);
    [...ev1, ...ev2, ...p1, ...p2, xa, xb, yc, yr].forEach((t) => t.dispose());
    m1.dispose();
    m2.dispose();
  });

  it('lossWeights weight the training loss (Keras’s rule); logged per-output losses stay unweighted', async () => {
    const m = twoByTwo();
    const { xa, xb, yc, yr } = twoByTwoData(16);
    m.compile({ optimizer: train.sgd(0), loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'] });
    const [plain, c, r] = (await m.trainOnBatch([xa, xb], [yc, yr])) as number[];
    expect(plain).toBeCloseTo(c + r, 5);
    m.compile({
      optimizer: train.sgd(0),
      loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'],
      lossWeights: { reg: 0.25 },
    });
    const [weighted, c2, r2] = (await m.trainOnBatch([xa, xb], [yc, yr])) as number[];
    expect([c2, r2]).toEqual([c, r]);
    expect(weighted).toBeCloseTo(c + 0.25 * r, 5);
    const ev = m.evaluate([xa, xb], [yc, yr]) as Tensor[];
    expect(ev[0].dataSync()[0]).toBeCloseTo(c + 0.25 * r, 5);

    // A weight of 0 leaves the regression head untouched by the update.
    m.compile({
      optimizer: train.sgd(0.5),
      loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'],
      lossWeights: [1, 0],
    });
    const regHead = values(m.getLayer('reg').getWeights());
    const clsHead = values(m.getLayer('cls').getWeights());
    await m.trainOnBatch([xa, xb], [yc, yr]);
    expect(values(m.getLayer('reg').getWeights())).toEqual(regHead);
    expect(values(m.getLayer('cls').getWeights())).not.toEqual(clsHead);

    expect(() => m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', lossWeights: [1] })).toThrow(
      /lossWeights has 1 entries for 2 outputs/,
    );
    expect(() => m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', lossWeights: { nope: 1 } })).toThrow(
      /lossWeights names output 'nope'/,
    );
    expect(() => m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', lossWeights: [1, NaN] })).toThrow(
      /lossWeights for output 'reg' must be a finite number/,
    );
    // A worker gets the weights with the rest of the compile settings.
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', lossWeights: { reg: 3 } });
    const spec = compileSpecFromModel(m)!;
    expect(spec.lossWeights).toEqual([1, 3]);
    expect(compileArgsFromSpec(spec).lossWeights).toEqual([1, 3]);
    [...ev, xa, xb, yc, yr].forEach((t) => t.dispose());
    m.dispose();
  });
});

describe('feature extraction and nested models', () => {
  it('a model from an inner layer’s output shares the weights (getLayer by name and index, layer.output)', () => {
    const base = sequential({
      layers: [
        layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1], name: 'conv1' }),
        layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', name: 'conv2' }),
        layers.flatten(),
        layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    expect(base.getLayer(1)).toBe(base.getLayer('conv2'));
    expect(() => base.getLayer('conv9')).toThrow(/no layer named 'conv9'/);
    expect(() => base.getLayer(7)).toThrow(/index 7 is out of range \(the model has 4 layers\)/);
    const features = model({ inputs: base.inputs, outputs: base.getLayer('conv2').output });
    expect(features.outputs[0].shape).toEqual([null, 4, 4, 6]);
    expect(features.weights.map((w) => w.id)).toEqual(base.weights.slice(0, 4).map((w) => w.id));
    const x = randomTensor([2, 8, 8, 1], rng(3));
    const f = features.predict(x) as Tensor;
    const conv1 = base.getLayer('conv1').apply(x) as Tensor;
    const direct = base.getLayer('conv2').apply(conv1) as Tensor;
    expectClose(f.dataSync(), direct.dataSync());
    // A layer applied twice has no single output.
    const shared = layers.dense({ units: 2, name: 'twice' });
    shared.apply(input({ shape: [2] }));
    shared.apply(input({ shape: [2] }));
    expect(() => shared.output).toThrow(/twice: output: the layer was applied 2 times/);
    expect(() => layers.dense({ units: 1, name: 'never' }).output).toThrow(/never: output: .*not been applied/);
    [x, f, conv1, direct].forEach((t) => t.dispose());
    base.dispose();
  });

  it('a frozen nested model keeps its weights bitwise through fit; summary counts them as non-trainable', async () => {
    const base = denseBnDense('base', 4, 6, 5, 'relu');
    // Run the base once in training mode so that its BatchNormalization statistics are not the initial ones.
    const warm = randomTensor([16, 4], rng(8));
    (base.apply(warm, { training: true }) as Tensor).dispose();
    base.trainable = false;
    const inp = input({ shape: [4] });
    const out = layers
      .dense({ units: 2, activation: 'softmax', name: 'head' })
      .apply(base.apply(inp) as SymbolicTensor);
    const m = model({ inputs: inp, outputs: out as SymbolicTensor });
    const lines: string[] = [];
    m.summary(undefined, undefined, (l) => lines.push(l));
    // base: 4*6+6 + BN 4*6 + 6*5+5 = 89 frozen; head: 5*2+2 = 12.
    expect(lines.join('\n')).toMatch(/Total params: 101\nTrainable params: 12\nNon-trainable params: 89/);
    m.compile({ optimizer: train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
    const before = values(base.getWeights());
    const head = values(m.getLayer('head').getWeights());
    const x = randomTensor([24, 4], rng(9));
    const y = tensor(
      Array.from({ length: 24 }, (_, i) => i % 2),
      [24],
      'int32',
    );
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    expect(values(base.getWeights()), 'frozen weights and BN moving statistics').toEqual(before);
    expect(values(m.getLayer('head').getWeights())).not.toEqual(head);
    [warm, x, y].forEach((t) => t.dispose());
    m.dispose();
  });

  it('an inner layer unfrozen under a frozen outer model stays frozen (Keras, TF.js); unfreezing the outer model frees all', async () => {
    const base = denseBnDense('outer', 4, 6, 5, 'relu');
    base.trainable = false;
    const inner = base.layers[0];
    inner.trainable = true;
    expect(inner.trainableWeights.length, 'the layer alone says trainable').toBe(2);
    expect(base.trainableWeights, 'the frozen model trains none of its weights').toEqual([]);
    expect(base.nonTrainableWeights.length).toBe(base.weights.length);
    const inp = input({ shape: [4] });
    const out = layers.dense({ units: 2, activation: 'softmax', name: 'top' }).apply(base.apply(inp) as SymbolicTensor);
    const m = model({ inputs: inp, outputs: out as SymbolicTensor });
    const lines: string[] = [];
    m.summary(undefined, undefined, (l) => lines.push(l));
    expect(lines.join('\n')).toMatch(/Trainable params: 12\nNon-trainable params: 89/);
    m.compile({ optimizer: train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
    const before = values(base.getWeights());
    const x = randomTensor([16, 4], rng(3));
    const y = tensor(
      Array.from({ length: 16 }, (_, i) => i % 2),
      [16],
      'int32',
    );
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(values(base.getWeights()), 'inner dense and BN statistics unchanged').toEqual(before);
    base.trainable = true;
    expect(base.trainableWeights.length).toBe(6);
    m.compile({ optimizer: train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(values(base.getWeights())[0]).not.toEqual(before[0]);
    [x, y].forEach((t) => t.dispose());
    m.dispose();
  });

  it('trainable changes take effect at compile: the Keras-classic GAN freezes the discriminator in the combined model', async () => {
    const disc = denseBnDense('disc', 3, 4, 1, 'sigmoid');
    disc.compile({ optimizer: train.sgd(0.1), loss: 'binaryCrossentropy' });
    disc.trainable = false;
    const gen = sequential({ name: 'gen', layers: [layers.dense({ units: 3, inputShape: [2] })] });
    const z = input({ shape: [2] });
    const combined = model({ inputs: z, outputs: disc.apply(gen.apply(z) as SymbolicTensor) as SymbolicTensor });
    combined.compile({ optimizer: train.sgd(0.1), loss: 'binaryCrossentropy' });

    const noise = randomTensor([8, 2], rng(4));
    const ones = tensor(new Float32Array(8).fill(1), [8, 1]);
    const d0 = values(disc.getWeights());
    const g0 = values(gen.getWeights());
    await combined.trainOnBatch(noise, ones);
    expect(values(disc.getWeights()), 'discriminator (and its BN statistics) fixed in the combined model').toEqual(d0);
    expect(values(gen.getWeights())).not.toEqual(g0);

    // The discriminator's own compile saw it trainable: it still learns (BN statistics too).
    const real = randomTensor([8, 3], rng(5));
    await disc.trainOnBatch(real, ones);
    const d1 = values(disc.getWeights());
    expect(d1[0]).not.toEqual(d0[0]);
    expect(d1[4], 'moving mean updated').not.toEqual(d0[4]);

    // Unfreezing without recompiling changes nothing in the combined model; recompiling does.
    disc.trainable = true;
    await combined.trainOnBatch(noise, ones);
    expect(values(disc.getWeights())).toEqual(d1);
    combined.compile({ optimizer: train.sgd(0.1), loss: 'binaryCrossentropy' });
    await combined.trainOnBatch(noise, ones);
    expect(values(disc.getWeights())[0]).not.toEqual(d1[0]);
    [noise, ones, real].forEach((t) => t.dispose());
    combined.dispose();
  });

  it('getConfig / fromConfig rebuild a two-input model with a merge layer', () => {
    const m = twoByTwo();
    const copy = LayersModel.fromConfig(JSON.parse(JSON.stringify(m.getConfig())));
    copy.setWeights(m.getWeights());
    expect(copy.layers.map((l) => l.getClassName())).toEqual(m.layers.map((l) => l.getClassName()));
    const { xa, xb, yc, yr } = twoByTwoData(5);
    const [p, q] = [copy.predict([xa, xb]) as Tensor[], m.predict([xa, xb]) as Tensor[]];
    expect(values(p)).toEqual(values(q));
    [...p, ...q, xa, xb, yc, yr].forEach((t) => t.dispose());
    m.dispose();
    copy.dispose();
  });

  it('frees every tensor of a multi-input fit', async () => {
    const m = twoByTwo();
    m.compile({ optimizer: 'adam', loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], lossWeights: [1, 2] });
    const { xa, xb, yc, yr } = twoByTwoData(20);
    await m.fit({ in_a: xa, in_b: xb }, [yc, yr], { epochs: 1, batchSize: 8, verbose: 0 });
    const before = memory().numTensors;
    await m.fit({ in_a: xa, in_b: xb }, [yc, yr], { epochs: 1, batchSize: 8, verbose: 0 });
    expect(memory().numTensors).toBe(before);
    [xa, xb, yc, yr].forEach((t) => t.dispose());
    m.dispose();
  });
});
