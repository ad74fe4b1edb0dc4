// Bad input to the public entry points: layer constructors, ops, and the model's fit,
// evaluate, predict and trainOnBatch. Each case asserts that the error names the layer,
// op or argument and what was expected, that no tensor leaked and that no weight changed.

import { describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';

/** Asserts `run` throws `message` and leaves the live tensor count as it was. */
function refuses(run: () => unknown, message: RegExp): void {
  const before = fe.memory().numTensors;
  expect(run).toThrow(message);
  expect(fe.memory().numTensors).toBe(before);
}

describe('layer constructors', () => {
  it.each([
    ['dense without units', () => fe.layers.dense({} as never), /dense_\d+: units must be a positive integer/],
    ['dense with units 0', () => fe.layers.dense({ units: 0 }), /dense_\d+: units must be a positive integer, got 0/],
    ['dense with an unknown activation', () => fe.layers.dense({ units: 2, activation: 'swishy' as never }), /swishy/],
    [
      'dropout with rate 1',
      () => fe.layers.dropout({ rate: 1 }),
      /dropout_\d+: rate must be a number in \[0, 1\), got 1/,
    ],
    [
      'dropout with a non-integer seed',
      () => fe.layers.dropout({ rate: 0.5, seed: 0.5 }),
      /dropout_\d+: seed must be an integer or null, got 0.5/,
    ],
    [
      'conv2d with filters -1',
      () => fe.layers.conv2d({ filters: -1, kernelSize: 3 }),
      /conv2d_\d+: filters must be a positive integer/,
    ],
    ['conv2d without kernelSize', () => fe.layers.conv2d({ filters: 2 } as never), /conv2d_\d+: kernelSize/],
    ['maxPooling2d with poolSize 0', () => fe.layers.maxPooling2d({ poolSize: 0 }), /max_pooling2d_\d+: poolSize/],
    ['reshape with two -1s', () => fe.layers.reshape({ targetShape: [-1, -1] }), /reshape_\d+: targetShape/],
    [
      'a bad inputShape',
      () => fe.layers.dense({ units: 2, inputShape: [-3] }),
      /dense_\d+: inputShape must be an array of non-negative integers or null, got \[-3\]/,
    ],
  ])('%s', (_name, make, message) => refuses(make, message));
});

describe('ops', () => {
  const a = () => fe.tensor(new Float32Array(6), [2, 3]);
  it.each([
    [
      'matMul with mismatched inner dimensions',
      () => fe.matMul(a(), a()),
      /matMul: inner dimensions of \[2, 3\] and \[2, 3\] do not match \(3 vs 2\)/,
    ],
    ['add of shapes that do not broadcast', () => fe.add(a(), fe.zeros([4])), /add: .*\[2, 3\].*\[4\]/],
    ['reshape to another size', () => fe.reshape(a(), [4, 2]), /reshape: .*\[2, 3\].*\[4, 2\]/],
    [
      'gather with an index out of range',
      () => fe.gather(a(), fe.tensor([0, 5], [2], 'int32')),
      /gather: .*5.*\[0, 2\)|gather: index 5/,
    ],
    [
      'conv2d on a rank-2 input',
      () => fe.conv2d(a(), fe.zeros([1, 1, 3, 1]), 1, 'valid'),
      /conv2d: .*rank 4|conv2d: x must be/,
    ],
    ['softmax of int32', () => fe.softmax(fe.tensor([1, 2], [2], 'int32')), /softmax: .*float32, got int32/],
    ['slice past the end', () => fe.slice(a(), [0, 2], [2, 2]), /slice: .*\[2, 3\]/],
    [
      'concat of mismatched shapes',
      () => fe.concat([a(), fe.zeros([2, 2, 1])], 1),
      /concat: .*rank|concat: .*\[2, 3\]/,
    ],
  ])('%s', (_name, run, message) => {
    const before = fe.memory().numTensors;
    expect(() => fe.tidy(run as () => fe.Tensor)).toThrow(message);
    expect(fe.memory().numTensors).toBe(before);
  });
});

describe("the model's entry points", () => {
  function setup() {
    const m = fe.sequential({
      layers: [
        fe.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }),
        fe.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const weights = () => m.weights.map((w) => Array.from(w.dataSync()));
    return { m, weights, before: weights() };
  }

  it.each([
    [
      'fit with x of the wrong shape',
      'fit',
      [4, 5],
      [4],
      /fit: x has shape \[4, 5\], but the model expects \[null, 3\]/,
    ],
    [
      'fit with a label out of range',
      'fit',
      [4, 3],
      'label7',
      /fit: y holds label 7 at sample 0, but the output has 2 classes/,
    ],
    ['fit with different sample counts', 'fit', [4, 3], [3], /fit: .*4.*3/],
    [
      'trainOnBatch with x of the wrong shape',
      'trainOnBatch',
      [4, 2],
      [4],
      /trainOnBatch: x has shape \[4, 2\], but the model expects \[null, 3\]/,
    ],
    ['evaluate with x of the wrong shape', 'evaluate', [4, 2], [4], /evaluate: x has shape \[4, 2\]/],
    ['predict with x of the wrong shape', 'predict', [4, 2], null, /predict: x has shape \[4, 2\]/],
  ] as const)('%s', async (_name, op, xShape, yShape, message) => {
    const { m, weights, before } = setup();
    const x = fe.zeros([...xShape]);
    const y =
      yShape === null
        ? null
        : yShape === 'label7'
          ? fe.tensor([7, 0, 1, 0], [4], 'int32')
          : fe.zeros([...yShape], 'int32');
    const tensors = fe.memory().numTensors;
    const call = async () => {
      if (op === 'fit') return m.fit(x, y!, { verbose: 0 });
      if (op === 'trainOnBatch') return m.trainOnBatch(x, y!);
      if (op === 'evaluate') return m.evaluate(x, y!);
      return m.predict(x);
    };
    await expect(call()).rejects.toThrow(message);
    expect(fe.memory().numTensors).toBe(tensors);
    expect(weights()).toEqual(before);
    m.dispose();
    x.dispose();
    y?.dispose();
  });

  it('fit refuses bad options by name before any work', async () => {
    const { m, weights, before } = setup();
    const x = fe.zeros([4, 3]);
    const y = fe.zeros([4], 'int32');
    for (const [opts, message] of [
      [{ batchSize: 0 }, /fit: batchSize must be a positive integer, got 0/],
      [{ epochs: -1 }, /fit: epochs must be an integer >= 0, got -1/],
      [{ validationSplit: 1 }, /fit: validationSplit must be in \[0, 1\), got 1/],
      [{ seed: Number.NaN }, /fit: seed must be an integer or a string, got NaN/],
    ] as const) {
      await expect(m.fit(x, y, { verbose: 0, ...opts })).rejects.toThrow(message);
    }
    expect(weights()).toEqual(before);
    m.dispose();
    x.dispose();
    y.dispose();
  });
});
