// The 1-D sequence layers (conv1d, poolings, repeatVector, permute, timeDistributed,
// masking): values and gradients against TF.js's cpu backend from identical weights,
// gradients against finite differences on every build, getConfig round-trips.

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as fe from '../../ts/index.js';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { deserialize } from '../../ts/serialization/registry.js';
import type { Layer } from '../../ts/layers/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** sum(y * r) for a fixed random r: every output element gets its own weight in the gradient. */
function weightedSumFe(y: fe.Tensor, r: Float32Array): fe.Tensor {
  return fe.sum(fe.mul(y, fe.tensor(r, y.shape)));
}

/**
 * Runs the same layer in Ferrite and TF.js (weights copied from Ferrite's) on x, and
 * compares outputs and gradients of sum(y * r) with respect to x and every weight.
 */
function compareWithTfjs(feLayer: Layer, tfLayer: tf.layers.Layer, xShape: number[], gradients = true): void {
  const seed = 1;
  const rand = rng(seed);
  const xData = randomArray(
    xShape.reduce((a, b) => a * b, 1),
    rand,
  );
  const x = fe.tensor(xData, xShape);
  const y = feLayer.apply(x) as fe.Tensor;
  const r = randomArray(y.size, rand);
  const tx = tf.tensor(xData, xShape);
  tfLayer.apply(tx); // builds it
  tfLayer.setWeights(feLayer.getWeights().map((w) => tf.tensor(w.dataSync(), [...w.shape])));
  const ty = tfLayer.apply(tx) as tf.Tensor;
  expect(y.shape).toEqual([...ty.shape]);
  expectClose(y.dataSync(), ty.dataSync(), 1e-5, 1e-5, 'output');
  if (!gradients) return;

  const tr = tf.tensor(r, ty.shape);
  const tfLoss = (xx: tf.Tensor) => tf.sum(tf.mul(tfLayer.apply(xx) as tf.Tensor, tr)) as tf.Scalar;
  const tdx = tf.grad(tfLoss)(tx);
  const feDx = fe.grad((xx) => weightedSumFe(feLayer.apply(xx) as fe.Tensor, r))(x);
  expectClose(feDx.dataSync(), tdx.dataSync(), 1e-4, 1e-5, 'dx');
  if (feLayer.weights.length > 0) {
    const tg = tf.variableGrads(
      () => tfLoss(tx),
      tfLayer.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const fg = fe.variableGrads(() => weightedSumFe(feLayer.apply(x) as fe.Tensor, r), feLayer.weights);
    const tfGrads = Object.values(tg.grads);
    feLayer.weights.forEach((w, i) =>
      expectClose(fg.grads[w.name].dataSync(), tfGrads[i].dataSync(), 1e-4, 1e-4, w.name),
    );
  }
}

function roundTrip(layer: Layer): Layer {
  const copy = deserialize<Layer>(
    JSON.parse(JSON.stringify({ className: layer.getClassName(), config: layer.getConfig() })),
  );
  expect(copy.getConfig()).toEqual({ ...layer.getConfig(), name: copy.name });
  return copy;
}

describe('sequence layers against TF.js (cpu)', () => {
  it('conv1d: valid, same, strides, dilation, relu', () => {
    for (const [args, shape] of [
      [{ filters: 4, kernelSize: 3 }, [2, 9, 3]],
      [{ filters: 5, kernelSize: 2, padding: 'same', strides: 2, activation: 'relu' }, [3, 7, 2]],
      [{ filters: 2, kernelSize: 4, padding: 'same', useBias: false }, [2, 5, 1]],
    ] as [fe.layers.Conv1DArgs, number[]][]) {
      compareWithTfjs(fe.layers.conv1d(args), tf.layers.conv1d(args as never), shape);
    }
    // TF.js has no gradient for dilated convolutions: outputs only (finite differences check the gradient below).
    const dilated = { filters: 3, kernelSize: 3, dilationRate: 2, activation: 'tanh' } as const;
    compareWithTfjs(fe.layers.conv1d(dilated), tf.layers.conv1d(dilated), [1, 11, 4], false);
  });

  it('maxPooling1d and averagePooling1d, valid and same', () => {
    for (const args of [{}, { poolSize: 3, strides: 2, padding: 'same' as const }, { poolSize: 2, strides: 1 }]) {
      compareWithTfjs(fe.layers.maxPooling1d(args), tf.layers.maxPooling1d(args), [2, 7, 3]);
      // With 'same' padding TF.js's forward averages the real steps under a window but its
      // gradient divides by the whole window (so it is not the forward's gradient):
      // outputs only there; finite differences check ours below.
      const same = args.padding === 'same';
      compareWithTfjs(fe.layers.averagePooling1d(args), tf.layers.averagePooling1d(args), [2, 7, 3], !same);
    }
  });

  it('globalAveragePooling1d and globalMaxPooling1d', () => {
    compareWithTfjs(fe.layers.globalAveragePooling1d(), tf.layers.globalAveragePooling1d(), [3, 5, 4]);
    compareWithTfjs(fe.layers.globalMaxPooling1d(), tf.layers.globalMaxPooling1d(), [3, 5, 4]);
  });

  it('timeDistributed(dense), repeatVector, permute', () => {
    compareWithTfjs(
      fe.layers.timeDistributed({ layer: fe.layers.dense({ units: 3, activation: 'tanh' }) }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'tanh' }) }),
      [2, 4, 5],
    );
    compareWithTfjs(fe.layers.repeatVector({ n: 3 }), tf.layers.repeatVector({ n: 3 }), [2, 4]);
    compareWithTfjs(fe.layers.permute({ dims: [2, 1] }), tf.layers.permute({ dims: [2, 1] }), [2, 3, 4]);
    compareWithTfjs(fe.layers.permute({ dims: [3, 1, 2] }), tf.layers.permute({ dims: [3, 1, 2] }), [2, 3, 4, 2]);
  });

  it('masking: zeroes the masked steps and gives their mask', () => {
    const x = [
      [
        [0, 0],
        [1, 0],
        [0, 0],
      ],
      [
        [2, 2],
        [2, 2],
        [3, 2],
      ],
    ];
    const m = fe.layers.masking({ maskValue: 2 });
    const y = m.apply(fe.tensor(x)) as fe.Tensor;
    const ty = tf.layers.masking({ maskValue: 2 }).apply(tf.tensor(x)) as tf.Tensor;
    expect(y.arraySync()).toEqual(ty.arraySync());
    const mask = m.computeMask(fe.tensor(x)) as fe.Tensor;
    expect(mask.dtype).toBe('float32');
    expect(mask.arraySync()).toEqual([
      [1, 1, 1],
      [0, 0, 1],
    ]);
    expect(fe.layers.flatten().computeMask(fe.tensor(x))).toBe(null);
    expect(() => fe.layers.flatten().computeMask(fe.tensor(x), mask)).toThrow(/does not support masking/);
    // Dense passes a mask on, as TF.js's (supportsMasking).
    expect(fe.layers.dense({ units: 2 }).computeMask(fe.tensor(x), mask)).toBe(mask);
  });
});

describeEachBuild('sequence layers', () => {
  it('conv1d (causal, strided) gradients match finite differences', () => {
    const rand = rng(3);
    const layer = fe.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'causal', strides: 2, activation: 'sigmoid' });
    const x = fe.tensor(randomArray(2 * 7 * 2, rand), [2, 7, 2]);
    const y = layer.apply(x) as fe.Tensor;
    expect(y.shape).toEqual([2, 4, 3]);
    // Causal: the first output sees only step 0 (the two zero steps before it are padding).
    const k = layer.getWeights()[0].arraySync() as number[][][];
    const b = layer.getWeights()[1].dataSync();
    const xs = x.arraySync() as number[][][];
    const z0 = b[0] + k[2][0][0] * xs[0][0][0] + k[2][1][0] * xs[0][0][1];
    expect((y.arraySync() as number[][][])[0][0][0]).toBeCloseTo(1 / (1 + Math.exp(-z0)), 5);
    checkGradients(
      (xx, kk, bb) => fe.sigmoid(fe.add(fe.conv1d(xx, kk, 2, 'causal'), bb)),
      [x, layer.weights[0], layer.weights[1]],
    );
  });

  it('pooling and timeDistributed gradients match finite differences', () => {
    const rand = rng(4);
    const x = fe.tensor(randomArray(2 * 6 * 3, rand), [2, 6, 3]);
    const avg = fe.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' });
    checkGradients((xx) => avg.apply(xx) as fe.Tensor, [x]);
    const gavg = fe.layers.globalAveragePooling1d();
    checkGradients((xx) => gavg.apply(xx) as fe.Tensor, [x]);
    const td = fe.layers.timeDistributed({ layer: fe.layers.dense({ units: 2, activation: 'tanh' }) });
    checkGradients((xx) => td.apply(xx) as fe.Tensor, [x]);
    const dilated = fe.layers.conv1d({ filters: 2, kernelSize: 2, dilationRate: 3 });
    checkGradients((xx) => dilated.apply(xx) as fe.Tensor, [x]);
  });
});

describe('sequence layers: configs, shapes, errors', () => {
  it('round-trip through getConfig and keep their output shapes symbolically', () => {
    const layers: Layer[] = [
      fe.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'causal', dilationRate: 2 }),
      fe.layers.maxPooling1d({ poolSize: 3 }),
      fe.layers.averagePooling1d({ strides: 1, padding: 'same' }),
      fe.layers.globalMaxPooling1d(),
      fe.layers.globalAveragePooling1d(),
      fe.layers.permute({ dims: [2, 1] }),
      fe.layers.timeDistributed({ layer: fe.layers.dense({ units: 6 }) }),
      fe.layers.masking({ maskValue: -1 }),
    ];
    const expected = [
      [null, 10, 4],
      [null, 3, 8],
      [null, 10, 8],
      [null, 8],
      [null, 8],
      [null, 8, 10],
      [null, 10, 6],
      [null, 10, 8],
    ];
    layers.forEach((l, i) => {
      const out = l.apply(fe.input({ shape: [10, 8] })) as fe.SymbolicTensor;
      expect(out.shape).toEqual(expected[i]);
      roundTrip(l);
    });
    const rv = fe.layers.repeatVector({ n: 5 });
    expect((rv.apply(fe.input({ shape: [3] })) as fe.SymbolicTensor).shape).toEqual([null, 5, 3]);
    roundTrip(rv);
  });

  it('a timeDistributed layer owns the wrapped weights and trains in a model', async () => {
    const model = fe.sequential({
      layers: [
        fe.layers.conv1d({ inputShape: [8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        fe.layers.timeDistributed({ layer: fe.layers.dense({ units: 1 }) }),
      ],
    });
    expect(model.getWeights().map((w) => w.shape)).toEqual([[3, 2, 4], [4], [4, 1], [1]]);
    model.compile({ optimizer: fe.train.adam(0.02), loss: 'meanSquaredError' });
    const rand = rng(9);
    const xs = fe.tensor(randomArray(32 * 8 * 2, rand), [32, 8, 2]);
    const ys = fe.sum(xs, 2, true); // the sum of each step's two channels
    const h = await model.fit(xs, ys, { epochs: 40, batchSize: 8, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss[loss.length - 1]).toBeLessThan(loss[0] / 5);
  });

  it('reject bad arguments and inputs with errors naming the layer', () => {
    expect(() => fe.layers.conv1d({ filters: 2, kernelSize: 0 })).toThrow(
      /conv1d.*kernelSize must be a positive integer/,
    );
    expect(() => fe.layers.conv1d({ filters: 2, kernelSize: 2, padding: 'full' as never })).toThrow(
      /padding must be 'valid', 'same' or 'causal'/,
    );
    expect(() => fe.layers.conv1d({ filters: 2, kernelSize: 2 }).apply(fe.zeros([2, 3]))).toThrow(/rank 3/);
    expect(() => fe.layers.conv1d({ filters: 2, kernelSize: 5 }).apply(fe.zeros([1, 3, 2]))).toThrow(
      /kernel \(5 along a dimension of size 3\) does not fit/,
    );
    expect(() => fe.layers.permute({ dims: [1, 1] })).toThrow(/dims must be a permutation of 1..2/);
    expect(() => fe.layers.repeatVector({ n: 0 })).toThrow(/n must be a positive integer/);
    expect(() => fe.layers.timeDistributed({ layer: fe.layers.dense({ units: 1 }) }).apply(fe.zeros([2, 3]))).toThrow(
      /rank >= 3/,
    );
    expect(() => fe.conv1d(fe.zeros([1, 4, 2]), fe.zeros([2, 3, 1]), 1, 'valid')).toThrow(/2 channels but filter/);
  });
});
