import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomTensor, rng } from '../support/helpers.js';
import { memory, tensor, zeros } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { input } from '../../ts/layers/index.js';
import { SymbolicTensor } from '../../ts/layers/symbolic.js';
import { LayersModel, model, Sequential, sequential } from '../../ts/models/index.js';
import { getLoss } from '../../ts/losses/resolve.js';
import { train } from '../../ts/optimizers/index.js';
import { mlp } from '../../examples/fashion-mnist-mlp.js';

function summaryOf(m: LayersModel): string[] {
  const lines: string[] = [];
  m.summary(undefined, undefined, (l) => lines.push(l));
  return lines;
}

/** Reference forward of a Dense stack on the JS side: relu hidden layers, softmax output. */
function mlpNaive(x: Float32Array, rows: number, ws: Float32Array[], dims: number[]): Float32Array {
  let h = x;
  for (let l = 0; l < dims.length - 1; l++) {
    const [inD, outD] = [dims[l], dims[l + 1]];
    const k = ws[2 * l];
    const b = ws[2 * l + 1];
    const o = new Float32Array(rows * outD);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < outD; j++) {
        let s = b[j];
        for (let i = 0; i < inD; i++) s += h[r * inD + i] * k[i * outD + j];
        o[r * outD + j] = s;
      }
      if (l < dims.length - 2) for (let j = 0; j < outD; j++) o[r * outD + j] = Math.max(0, o[r * outD + j]);
      else {
        let m = -Infinity;
        for (let j = 0; j < outD; j++) m = Math.max(m, o[r * outD + j]);
        let z = 0;
        for (let j = 0; j < outD; j++) z += Math.exp(o[r * outD + j] - m);
        for (let j = 0; j < outD; j++) o[r * outD + j] = Math.exp(o[r * outD + j] - m) / z;
      }
    }
    h = o;
  }
  return h;
}

describe('model structure', () => {
  it('the Fashion-MNIST MLP and an MLP with dropout have the Keras parameter counts and summary', () => {
    const m = mlp();
    expect(m.countParams()).toBe(101770);
    const lines = summaryOf(m);
    const text = lines.join('\n');
    expect(text).toMatch(new RegExp(`Model: "${m.name}"`));
    expect(text).toMatch(/Layer \(type\)\s+Output Shape\s+Param #/);
    expect(text).toMatch(/flatten_\d+ \(Flatten\)\s+\(None, 784\)\s+0/);
    expect(text).toMatch(/dense_\d+ \(Dense\)\s+\(None, 128\)\s+100,480/);
    expect(text).toMatch(/dense_\d+ \(Dense\)\s+\(None, 10\)\s+1,290/);
    expect(text).toMatch(/Total params: 101,770/);
    expect(text).toMatch(/Trainable params: 101,770/);
    expect(text).toMatch(/Non-trainable params: 0/);
    expect(m.layers.length).toBe(3);
    m.dispose();

    const withDropout = sequential();
    withDropout.add(layers.dense({ units: 512, activation: 'relu', inputShape: [784] }));
    withDropout.add(layers.dropout({ rate: 0.2 }));
    withDropout.add(layers.dense({ units: 10, activation: 'softmax' }));
    expect(withDropout.countParams()).toBe(407050);
    withDropout.layers[0].trainable = false;
    expect(summaryOf(withDropout).join('\n')).toMatch(/Trainable params: 5,130\nNon-trainable params: 401,920/);
    withDropout.dispose();
  });

  it('functional models: shared trunk, two outputs, getLayer, connected-to summary', () => {
    const inp = input({ shape: [4], name: 'features' });
    const trunk = layers.dense({ units: 8, activation: 'relu', name: 'trunk' }).apply(inp);
    const a = layers.dense({ units: 3, activation: 'softmax', name: 'head_a' }).apply(trunk);
    const b = layers.dense({ units: 1, name: 'head_b' }).apply(trunk);
    const m = model({ inputs: inp, outputs: [a, b] });
    expect(m.layers.map((l) => l.name)).toEqual(['features', 'trunk', 'head_a', 'head_b']);
    expect(m.outputNames).toEqual(['head_a', 'head_b']);
    expect(m.getLayer('head_b').name).toBe('head_b');
    expect(m.getLayer(1).name).toBe('trunk');
    expect(() => m.getLayer('nope')).toThrow(/no layer named 'nope'/);
    expect(m.countParams()).toBe(4 * 8 + 8 + 8 * 3 + 3 + 8 + 1);
    const text = summaryOf(m).join('\n');
    expect(text).toMatch(/Connected to/);
    expect(text).toMatch(/head_a \(Dense\)\s+\(None, 3\)\s+27\s+trunk\[0\]\[0\]/);
    const outs = m.predict(randomTensor([5, 4], rng(1))) as Tensor[];
    expect(outs.map((o) => o.shape)).toEqual([
      [5, 3],
      [5, 1],
    ]);
    m.dispose();
  });

  it('getConfig / fromConfig rebuild a functional model with a shared layer', () => {
    const a = input({ shape: [3], name: 'left' });
    const b = input({ shape: [3], name: 'right' });
    const shared = layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
    const ha = shared.apply(a);
    const hb = shared.apply(b);
    const outA = layers.dense({ units: 2, name: 'out_a' }).apply(ha);
    const outB = layers.dropout({ rate: 0.5, name: 'drop' }).apply(hb);
    const m = model({ inputs: [a, b], outputs: [outA, outB] });
    const config = JSON.parse(JSON.stringify(m.getConfig()));
    const shapes = config.layers.find((l: { name: string }) => l.name === 'shared').inboundNodes;
    expect(shapes).toEqual([[['left', 0, 0, {}]], [['right', 0, 0, {}]]]);
    const copy = LayersModel.fromConfig(config);
    expect(copy.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    expect(copy.countParams()).toBe(m.countParams());
    const ws = m.getWeights();
    copy.setWeights(ws);
    const xa = randomTensor([5, 3], rng(3));
    const xb = randomTensor([5, 3], rng(4));
    const p1 = m.predict([xa, xb]) as Tensor[];
    const p2 = copy.predict([xa, xb]) as Tensor[];
    p1.forEach((t, i) => expect(Array.from(p2[i].dataSync())).toEqual(Array.from(t.dataSync())));
    ws.forEach((w) => w.dispose());
    m.dispose();
    copy.dispose();
  });

  it('rejects disconnected graphs, duplicate names and non-input inputs', () => {
    const i1 = input({ shape: [2] });
    const i2 = input({ shape: [2] });
    const out = layers.dense({ units: 1 }).apply(i2);
    expect(() => model({ inputs: i1, outputs: out })).toThrow(/graph disconnected/);
    const h = layers.dense({ units: 2 }).apply(i1);
    expect(() => model({ inputs: h, outputs: out })).toThrow(/model inputs must come from input\(\)/);
    const d1 = layers.dense({ units: 2, name: 'twin' }).apply(i1);
    const d2 = layers.dense({ units: 2, name: 'twin' }).apply(d1);
    expect(() => model({ inputs: i1, outputs: d2 })).toThrow(/two layers are named 'twin'/);
    const s = sequential();
    s.add(layers.dense({ units: 2, inputShape: [2], name: 'x1' }));
    expect(() => s.add(layers.dense({ units: 2, name: 'x1' }))).toThrow(/'x1' is already used/);
  });

  it('Sequential without an input shape is built from the first data it sees', () => {
    const m = sequential({ layers: [layers.dense({ units: 3, activation: 'relu' }), layers.dense({ units: 2 })] });
    expect(m.isGraphBuilt).toBe(false);
    expect(() => m.countParams()).not.toThrow();
    const y = m.predict(randomTensor([4, 5], rng(2))) as Tensor;
    expect(y.shape).toEqual([4, 2]);
    expect(m.isGraphBuilt).toBe(true);
    expect(m.countParams()).toBe(5 * 3 + 3 + 3 * 2 + 2);
    expect(() => m.predict(randomTensor([4, 6], rng(2)))).toThrow(
      /x has shape \[4, 6\], but the model expects \[null, 5\]/,
    );
    m.dispose();
  });

  it('models nest: a Sequential inside a functional model', () => {
    const inner = sequential({
      layers: [layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), layers.dense({ units: 2 })],
    });
    const inp = input({ shape: [3] });
    const out = layers.activation({ activation: 'softmax' }).apply(inner.apply(inp) as SymbolicTensor);
    const outer = model({ inputs: inp, outputs: out });
    expect(outer.countParams()).toBe(inner.countParams());
    const x = randomTensor([6, 3], rng(4));
    const y = outer.predict(x) as Tensor;
    const direct = inner.predict(x) as Tensor;
    const d = direct.dataSync();
    const expected = new Float32Array(12);
    for (let r = 0; r < 6; r++) {
      const z = Math.exp(d[2 * r]) + Math.exp(d[2 * r + 1]);
      expected[2 * r] = Math.exp(d[2 * r]) / z;
      expected[2 * r + 1] = Math.exp(d[2 * r + 1]) / z;
    }
    expectClose(y.dataSync(), expected, 1e-5, 1e-6, 'nested model output');
    outer.trainable = false;
    expect(inner.trainableWeights.length).toBe(0);
    outer.dispose();
  });

  it('getConfig / fromConfig rebuild a Sequential model', () => {
    const m = mlp();
    const config = m.getConfig();
    const copy = Sequential.fromConfig(
      JSON.parse(
        JSON.stringify({
          ...config,
          name: undefined,
          layers: (config.layers as { className: string; config: Record<string, unknown> }[]).map((l) => ({
            ...l,
            config: { ...l.config, name: undefined },
          })),
        }),
      ),
    );
    expect(copy.countParams()).toBe(101770);
    expect(copy.layers.map((l) => l.getClassName())).toEqual(['Flatten', 'Dense', 'Dense']);
    m.dispose();
    copy.dispose();
  });
});

describeEachBuild('model computation', () => {
  it('predict matches a naive forward pass, for any batch size', () => {
    const m = sequential({
      layers: [
        layers.dense({ units: 6, activation: 'relu', inputShape: [5] }),
        layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const x = randomTensor([37, 5], rng(5));
    const ws = m.getWeights();
    const expected = mlpNaive(
      x.dataSync() as Float32Array,
      37,
      ws.map((w) => w.dataSync() as Float32Array),
      [5, 6, 3],
    );
    for (const batchSize of [1, 8, 32, 37, 100]) {
      const y = m.predict(x, { batchSize }) as Tensor;
      expect(y.shape).toEqual([37, 3]);
      expectClose(y.dataSync(), expected, 1e-5, 1e-6, `predict batchSize ${batchSize}`);
      y.dispose();
    }
    const y1 = m.predictOnBatch(x) as Tensor;
    expectClose(y1.dataSync(), expected, 1e-5, 1e-6, 'predictOnBatch');
    // apply() is the same computation.
    expectClose((m.apply(x) as Tensor).dataSync(), expected, 1e-5, 1e-6, 'apply');
    ws.forEach((w) => w.dispose());
    m.dispose();
  });

  it('predict frees every intermediate tensor', () => {
    const m = mlp();
    const x = randomTensor([50, 28, 28], rng(6));
    const before = memory().numTensors;
    const y = m.predict(x, { batchSize: 16 }) as Tensor;
    expect(memory().numTensors).toBe(before + 1);
    y.dispose();
    m.dispose();
    x.dispose();
  });

  it('evaluate agrees with the loss and accuracy computed by hand', () => {
    const m = sequential({
      layers: [
        layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
        layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    expect(m.metricsNames).toEqual(['loss', 'acc']);
    const rand = rng(7);
    const n = 45;
    const x = randomTensor([n, 3], rand);
    const labels = Array.from({ length: n }, () => Math.floor(rand() * 3));
    const y = tensor(
      labels.flatMap((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))),
      [n, 3],
    );
    const p = (m.predict(x) as Tensor).dataSync();
    let loss = 0;
    let correct = 0;
    for (let r = 0; r < n; r++) {
      loss -= Math.log(p[r * 3 + labels[r]]);
      const arg = [0, 1, 2].reduce((best, k) => (p[r * 3 + k] > p[r * 3 + best] ? k : best), 0);
      if (arg === labels[r]) correct++;
    }
    const [l, acc] = m.evaluate(x, y, { batchSize: 8 }) as Tensor[];
    expect(l.shape).toEqual([]);
    expect(l.dataSync()[0]).toBeCloseTo(loss / n, 4);
    expect(acc.dataSync()[0]).toBeCloseTo(correct / n, 5);
    m.dispose();
  });

  it("a small model's loss gradients match finite differences", () => {
    const m = sequential({
      layers: [
        layers.dense({ units: 5, activation: 'tanh', inputShape: [4] }),
        layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const x = randomTensor([6, 4], rng(9));
    const y = tensor([0, 1, 2, 1, 0, 2], [6], 'int32');
    const lossFn = getLoss('sparseCategoricalCrossentropy');
    const ws = m.weights;
    checkGradients(
      () => {
        const l = lossFn(y, m.apply(x) as Tensor);
        return l;
      },
      ws,
      { check: [0, 1, 2, 3] },
    );
    m.dispose();
  });

  it('the fused softmax cross-entropy path gives the same loss and update as the unfused one', async () => {
    for (const [lossName, sparse] of [
      ['categoricalCrossentropy', false],
      ['sparseCategoricalCrossentropy', true],
    ] as const) {
      const make = () =>
        sequential({
          layers: [
            layers.dense({ units: 6, activation: 'relu', inputShape: [4] }),
            layers.dense({ units: 5, activation: 'softmax' }),
          ],
        });
      const fused = make();
      const plain = make();
      const w0 = fused.getWeights();
      plain.setWeights(w0);
      const base = getLoss(lossName);
      // A wrapper is not recognised as the library's loss: the plain path.
      const unfusedLoss = (yt: Tensor, yp: Tensor) => base(yt, yp);
      fused.compile({ optimizer: train.sgd(0.5), loss: lossName, metrics: ['accuracy'] });
      plain.compile({ optimizer: train.sgd(0.5), loss: unfusedLoss, metrics: ['accuracy'] });
      expect(fused.compiled!.outputs()[0].path).toBe(sparse ? 'fusedSparse' : 'fusedCategorical');
      expect(plain.compiled!.outputs()[0].path).toBe('plain');
      const rand = rng(10);
      const x = randomTensor([9, 4], rand);
      const labels = Array.from({ length: 9 }, (_, i) => i % 5);
      const y = sparse
        ? tensor(labels, [9], 'int32')
        : tensor(
            labels.flatMap((c) => [0, 1, 2, 3, 4].map((k) => (k === c ? 1 : 0))),
            [9, 5],
          );
      const [lf, af] = (await fused.trainOnBatch(x, y)) as number[];
      const [lp, ap] = (await plain.trainOnBatch(x, y)) as number[];
      expect(lf).toBeCloseTo(lp, 5);
      expect(af).toBe(ap);
      const wf = fused.getWeights();
      const wp = plain.getWeights();
      wf.forEach((w, i) =>
        expectClose(w.dataSync(), wp[i].dataSync(), 1e-4, 1e-6, `${lossName} weight ${i} after one step`),
      );
      // Predictions stay probabilities.
      const p = (fused.predict(x) as Tensor).dataSync();
      for (let r = 0; r < 9; r++)
        expect(Array.from(p.subarray(r * 5, r * 5 + 5)).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (const t of [...w0, ...wf, ...wp]) t.dispose();
      fused.dispose();
      plain.dispose();
    }
  });

  it('the fused path stays finite where softmax saturates', async () => {
    const m = sequential({
      layers: [
        layers.dense({
          units: 2,
          activation: 'softmax',
          inputShape: [1],
          kernelInitializer: 'zeros',
          biasInitializer: 'zeros',
        }),
      ],
    });
    m.setWeights([tensor([[100, -100]]), tensor([0, 0])]);
    m.compile({ optimizer: train.sgd(0.01), loss: 'sparseCategoricalCrossentropy' });
    // Softmax of logits (100, -100) rounds to (1, 0): label 1 has loss 200 exactly via logits.
    const loss = (await m.trainOnBatch(tensor([[1]]), tensor([1], [1], 'int32'))) as number;
    expect(loss).toBeCloseTo(200, 2);
    m.dispose();
  });

  it('getWeights / setWeights round-trip a model, and dispose frees its variables', () => {
    const before = memory().numTensors;
    const m = mlp();
    expect(memory().numTensors).toBe(before + 4);
    const ws = m.getWeights();
    const copy = mlp();
    copy.setWeights(ws);
    const x = randomTensor([3, 28, 28], rng(12));
    const a = (m.predict(x) as Tensor).dataSync();
    const b = (copy.predict(x) as Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(() => copy.setWeights(ws.slice(1))).toThrow(/setWeights expects 4 tensors/);
    ws.forEach((w) => w.dispose());
    tidy(() => {
      m.dispose();
      copy.dispose();
    });
    x.dispose();
    expect(memory().numTensors).toBe(before + 2 /* predictions */);
    expect(() => m.predict(zeros([1, 28, 28]))).toThrow(/disposed/);
  });
});
