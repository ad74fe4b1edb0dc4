// The convolutional layers: conv2d, the poolings, batchNormalization, zeroPadding2d
// (and the pad op under it). Output shapes and parameter counts against Keras's for
// the network of the CIFAR-10 and MNIST CNN programs, forward values against naive
// references, gradients,
// the moving statistics of batch normalization under fit, configs, and errors.

import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, randomTensor, rng } from '../support/helpers.js';
import { tensor, memory } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { variableGrads } from '../../ts/autograd/tape.js';
import { add, conv2d as conv2dOp, maxPool, avgPool, mul, pad, relu, sum } from '../../ts/ops/index.js';
import * as layers from '../../ts/layers/index.js';
import { input, type Layer, type SymbolicShape } from '../../ts/layers/index.js';
import { BatchNormalization } from '../../ts/layers/normalization.js';
import { Conv2D } from '../../ts/layers/conv.js';
import { deserialize } from '../../ts/serialization/registry.js';
import { sequential, Sequential } from '../../ts/models/index.js';
import { cnn } from '../../examples/cifar10-cnn.js';
import { train } from '../../ts/optimizers/index.js';

/** Output shape and parameter count of each layer, applied in order to a symbolic input. */
function shapesAndParams(inputShape: number[], stack: Layer[]): { shapes: SymbolicShape[]; params: number[] } {
  let t = input({ shape: inputShape });
  const shapes: SymbolicShape[] = [];
  for (const l of stack) {
    t = l.apply(t);
    shapes.push(t.shape);
  }
  return { shapes, params: stack.map((l) => l.countParams()) };
}

describe('conv layers: output shapes and parameter counts equal Keras', () => {
  // Keras's figures for the CNN of examples/cifar10-cnn.ts and examples/mnist-cnn.ts.
  const programs: { name: string; input: [number, number, number]; shapes: SymbolicShape[]; params: number[] }[] = [
    {
      name: 'CIFAR-10 CNN on 32x32x3',
      input: [32, 32, 3],
      shapes: [
        [null, 30, 30, 32],
        [null, 15, 15, 32],
        [null, 13, 13, 64],
        [null, 6, 6, 64],
        [null, 4, 4, 64],
        [null, 1024],
        [null, 64],
        [null, 10],
      ],
      params: [896, 0, 18496, 0, 36928, 0, 65600, 650],
    },
    {
      name: 'MNIST CNN on 28x28x1',
      input: [28, 28, 1],
      shapes: [
        [null, 26, 26, 32],
        [null, 13, 13, 32],
        [null, 11, 11, 64],
        [null, 5, 5, 64],
        [null, 3, 3, 64],
        [null, 576],
        [null, 64],
        [null, 10],
      ],
      params: [320, 0, 18496, 0, 36928, 0, 36928, 650],
    },
  ];
  for (const program of programs) {
    const total = program.params.reduce((a, b) => a + b);
    it(`${program.name} (total ${total.toLocaleString('en-US')})`, () => {
      const model = cnn(program.input);
      expect(shapesAndParams(program.input, model.layers)).toEqual({ shapes: program.shapes, params: program.params });
      expect(model.countParams()).toBe(total);
      const lines: string[] = [];
      model.summary(undefined, undefined, (l) => lines.push(l));
      expect(lines).toContain(`Total params: ${total.toLocaleString('en-US')}`);
      expect(lines).toContain(`Trainable params: ${total.toLocaleString('en-US')}`);
      const firstConv = new RegExp(
        `^conv2d_\\d+ \\(Conv2D\\)\\s+\\(None, ${program.shapes[0].slice(1).join(', ')}\\)\\s+${program.params[0]}$`,
      );
      expect(lines.some((l) => firstConv.test(l))).toBe(true);
      model.dispose();
    });
  }

  it("computes Keras's shapes for strides, 'same' padding, dilation and the other layers", () => {
    const cases: [Layer, number[], SymbolicShape][] = [
      [layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), [7, 9, 2], [null, 4, 5, 4]],
      [layers.conv2d({ filters: 4, kernelSize: [3, 1], strides: [2, 1] }), [7, 9, 2], [null, 3, 9, 4]],
      [layers.conv2d({ filters: 5, kernelSize: 3, dilationRate: 2 }), [9, 8, 2], [null, 5, 4, 5]],
      [layers.conv2d({ filters: 3, kernelSize: 1 }), [1, 1, 6], [null, 1, 1, 3]],
      [layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), [7, 8, 3], [null, 4, 4, 3]],
      [layers.maxPooling2d({}), [7, 7, 3], [null, 3, 3, 3]],
      [layers.averagePooling2d({ poolSize: [2, 3] }), [6, 9, 2], [null, 3, 3, 2]],
      [layers.globalAveragePooling2d(), [5, 6, 7], [null, 7]],
      [layers.globalMaxPooling2d({ keepDims: true }), [5, 6, 7], [null, 1, 1, 7]],
      [layers.zeroPadding2d(), [5, 6, 7], [null, 7, 8, 7]],
      [
        layers.zeroPadding2d({
          padding: [
            [1, 2],
            [0, 3],
          ],
        }),
        [5, 6, 7],
        [null, 8, 9, 7],
      ],
      [layers.batchNormalization(), [5, 6, 7], [null, 5, 6, 7]],
    ];
    for (const [layer, inShape, expected] of cases) {
      expect(layer.apply(input({ shape: inShape })).shape, layer.name).toEqual(expected);
      layer.dispose();
    }
    // Unknown spatial sizes stay unknown.
    const conv = layers.conv2d({ filters: 2, kernelSize: 3 });
    expect(conv.apply(input({ shape: [null, null, 3] })).shape).toEqual([null, null, null, 2]);
    expect(conv.countParams()).toBe(3 * 3 * 3 * 2 + 2);
    conv.dispose();
    // Batch normalization: gamma, beta (trainable) and the moving statistics (not).
    const bn = layers.batchNormalization({ inputShape: [4, 4, 8] });
    bn.apply(input({ shape: [4, 4, 8] }));
    expect(bn.weights.map((w) => w.name)).toEqual([
      `${bn.name}/gamma`,
      `${bn.name}/beta`,
      `${bn.name}/moving_mean`,
      `${bn.name}/moving_variance`,
    ]);
    expect(bn.trainableWeights).toHaveLength(2);
    expect(bn.countParams()).toBe(32);
    bn.dispose();
  });
});

/** Naive NHWC convolution (TF's 'same' / 'valid'), float64: y[n, oh, ow, co]. */
function naiveConv(
  x: ArrayLike<number>,
  [n, h, w, c]: number[],
  f: ArrayLike<number>,
  [kh, kw, , co]: number[],
  [sh, sw]: number[],
  padding: 'valid' | 'same',
  [dh, dw]: number[],
): { y: Float64Array; shape: number[] } {
  const effH = (kh - 1) * dh + 1;
  const effW = (kw - 1) * dw + 1;
  const oh = padding === 'same' ? Math.ceil(h / sh) : Math.floor((h - effH) / sh) + 1;
  const ow = padding === 'same' ? Math.ceil(w / sw) : Math.floor((w - effW) / sw) + 1;
  const pt = padding === 'same' ? Math.floor(Math.max((oh - 1) * sh + effH - h, 0) / 2) : 0;
  const pl = padding === 'same' ? Math.floor(Math.max((ow - 1) * sw + effW - w, 0) / 2) : 0;
  const y = new Float64Array(n * oh * ow * co);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < co; o++) {
          let s = 0;
          for (let p = 0; p < kh; p++)
            for (let q = 0; q < kw; q++) {
              const r = i * sh + p * dh - pt;
              const col = j * sw + q * dw - pl;
              if (r < 0 || r >= h || col < 0 || col >= w) continue;
              for (let k = 0; k < c; k++) s += x[((b * h + r) * w + col) * c + k] * f[((p * kw + q) * c + k) * co + o];
            }
          y[((b * oh + i) * ow + j) * co + o] = s;
        }
  return { y, shape: [n, oh, ow, co] };
}

describeEachBuild('conv2d layer', () => {
  const configs: { name: string; x: number[]; args: layers.Conv2DArgs }[] = [
    {
      name: '3x3 valid relu (MNIST CNN layer 1 shape, batch 2)',
      x: [2, 9, 9, 1],
      args: { filters: 5, kernelSize: 3, activation: 'relu' },
    },
    {
      name: "3x3 stride 2 'same' relu, odd sizes",
      x: [3, 7, 6, 3],
      args: { filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
    },
    { name: '2x3 dilated 2, linear', x: [1, 8, 9, 2], args: { filters: 3, kernelSize: [2, 3], dilationRate: 2 } },
    { name: '1x1 tanh (not fused), batch 1', x: [1, 5, 5, 7], args: { filters: 2, kernelSize: 1, activation: 'tanh' } },
    {
      name: 'no bias, sigmoid',
      x: [2, 6, 5, 3],
      args: { filters: 3, kernelSize: 3, useBias: false, activation: 'sigmoid', padding: 'same' },
    },
  ];
  const acts: Record<string, (v: number) => number> = {
    relu: (v) => Math.max(0, v),
    linear: (v) => v,
    tanh: Math.tanh,
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  };

  for (const cfg of configs) {
    it(`forward equals a naive convolution + bias + activation: ${cfg.name}`, () => {
      const rand = rng(cfg.x.reduce((a, b) => a * 31 + b, 7));
      const layer = new Conv2D({ ...cfg.args, biasInitializer: 'randomNormal' });
      const x = randomTensor(cfg.x, rand);
      const y = layer.apply(x) as Tensor;
      const kernel = layer.kernel!.dataSync();
      const bias = layer.bias?.dataSync();
      const strides = layer.strides;
      const { y: ref, shape } = naiveConv(
        x.dataSync(),
        cfg.x,
        kernel,
        layer.kernel!.shape as number[],
        strides,
        layer.padding,
        layer.dilationRate,
      );
      expect(y.shape).toEqual(shape);
      const act = acts[(cfg.args.activation as string | undefined) ?? 'linear'];
      const expected = ref.map((v, i) => act(v + (bias ? bias[i % layer.filters] : 0)));
      expectClose(y.dataSync(), expected, 1e-4, 1e-5, 'conv2d layer');
      x.dispose();
      y.dispose();
      layer.dispose();
    });
  }

  it('gives the same value and weight gradients as conv2d op + bias + relu', () => {
    const rand = rng(5);
    const layer = new Conv2D({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      biasInitializer: 'randomNormal',
    });
    const x = randomTensor([2, 6, 7, 3], rand);
    layer.apply(x).dispose(); // builds the layer
    const r = randomTensor([2, 6, 7, 4], rand);
    const viaLayer = variableGrads(() => sum(mul(layer.apply(x) as Tensor, r)), [layer.kernel!, layer.bias!]);
    const viaOps = variableGrads(
      () => sum(mul(relu(add(conv2dOp(x, layer.kernel!, 1, 'same'), layer.bias!)), r)),
      [layer.kernel!, layer.bias!],
    );
    expectClose(viaLayer.value.dataSync(), viaOps.value.dataSync(), 1e-5, 1e-5, 'value');
    for (const name of [layer.kernel!.name, layer.bias!.name]) {
      expect(viaLayer.grads[name], name).toBeDefined();
      expectClose(viaLayer.grads[name].dataSync(), viaOps.grads[name].dataSync(), 1e-4, 1e-5, `gradient of ${name}`);
    }
    for (const t of [
      x,
      r,
      viaLayer.value,
      viaOps.value,
      ...Object.values(viaLayer.grads),
      ...Object.values(viaOps.grads),
    ])
      t.dispose();
    layer.dispose();
  });

  it('the gradient with respect to its input matches finite differences', () => {
    const rand = rng(9);
    const layer = new Conv2D({ filters: 3, kernelSize: 2, strides: [1, 2], activation: 'tanh' });
    const x = randomTensor([2, 5, 6, 2], rand);
    checkGradients((t) => layer.apply(t) as Tensor, [x]);
    x.dispose();
    layer.dispose();
  });
});

describeEachBuild('pooling layers', () => {
  it('maxPooling2d and averagePooling2d equal the ops, windows of negatives included', () => {
    const rand = rng(3);
    const x = randomTensor([2, 7, 5, 3], rand, -3, -1); // all negative: padding must never win
    const cases: [Layer, (t: Tensor) => Tensor][] = [
      [layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), (t) => maxPool(t, 3, 2, 'same')],
      [layers.maxPooling2d(), (t) => maxPool(t, 2, 2, 'valid')],
      [
        layers.averagePooling2d({ poolSize: [2, 3], strides: 1, padding: 'same' }),
        (t) => avgPool(t, [2, 3], 1, 'same'),
      ],
    ];
    for (const [layer, op] of cases) {
      const got = layer.apply(x) as Tensor;
      const want = op(x);
      expect(got.shape).toEqual(want.shape);
      expectClose(got.dataSync(), want.dataSync(), 0, 0, layer.name);
      expect(Math.max(...got.dataSync())).toBeLessThan(-1 + 1e-6);
      got.dispose();
      want.dispose();
    }
    x.dispose();
  });

  it('global poolings reduce each channel over height and width', () => {
    const rand = rng(4);
    const [n, h, w, c] = [2, 3, 5, 4];
    const data = randomArray(n * h * w * c, rand, -2, 1);
    const x = tensor(data, [n, h, w, c]);
    const avg = layers.globalAveragePooling2d().apply(x) as Tensor;
    const max = layers.globalMaxPooling2d().apply(x) as Tensor;
    const refAvg = new Float64Array(n * c);
    const refMax = new Float64Array(n * c).fill(-Infinity);
    for (let b = 0; b < n; b++)
      for (let p = 0; p < h * w; p++)
        for (let k = 0; k < c; k++) {
          const v = data[(b * h * w + p) * c + k];
          refAvg[b * c + k] += v / (h * w);
          refMax[b * c + k] = Math.max(refMax[b * c + k], v);
        }
    expect(avg.shape).toEqual([n, c]);
    expectClose(avg.dataSync(), refAvg, 1e-5, 1e-6, 'globalAveragePooling2d');
    expectClose(max.dataSync(), refMax, 0, 0, 'globalMaxPooling2d');
    for (const t of [x, avg, max]) t.dispose();
  });
});

describeEachBuild('zeroPadding2d and pad', () => {
  it('surrounds each image with zeros, asymmetric padding included', () => {
    const [n, h, w, c] = [2, 3, 2, 2];
    const data = Float32Array.from({ length: n * h * w * c }, (_, i) => i + 1);
    const x = tensor(data, [n, h, w, c]);
    const y = layers
      .zeroPadding2d({
        padding: [
          [1, 2],
          [0, 3],
        ],
      })
      .apply(x) as Tensor;
    expect(y.shape).toEqual([n, h + 3, w + 3, c]);
    const out = y.dataSync();
    const [H, W] = [h + 3, w + 3];
    for (let b = 0; b < n; b++)
      for (let i = 0; i < H; i++)
        for (let j = 0; j < W; j++)
          for (let k = 0; k < c; k++) {
            const inside = i >= 1 && i < 1 + h && j < w;
            const want = inside ? data[((b * h + (i - 1)) * w + j) * c + k] : 0;
            expect(out[((b * H + i) * W + j) * c + k]).toBe(want);
          }
    x.dispose();
    y.dispose();
  });

  it('pad: any rank, a constant, int32, and a gradient that is the interior of dy', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = pad(
      x,
      [
        [1, 0],
        [0, 2],
      ],
      -1,
    );
    expect(y.arraySync()).toEqual([
      [-1, -1, -1, -1, -1],
      [1, 2, 3, -1, -1],
      [4, 5, 6, -1, -1],
    ]);
    const xi = tensor([7, 8], [2], 'int32');
    const yi = pad(xi, [[2, 1]]);
    expect(yi.dtype).toBe('int32');
    expect(Array.from(yi.dataSync())).toEqual([0, 0, 7, 8, 0]);
    const rand = rng(2);
    const x4 = randomTensor([2, 3, 4, 3], rand);
    checkGradients((t) => layers.zeroPadding2d({ padding: [2, 1] }).apply(t) as Tensor, [x4]);
    expect(() => pad(x, [[1, 1]])).toThrow(
      /pad: paddings must hold one \[before, after\] pair .* per axis of x \[2, 3\] \(2 pairs\)/,
    );
    expect(() =>
      pad(x, [
        [1, 1],
        [-1, 0],
      ]),
    ).toThrow(/non-negative integers/);
    for (const t of [x, y, xi, yi, x4]) t.dispose();
  });
});

/** Per-channel mean and biased variance of [rows, c] data (float64). */
function channelStats(data: ArrayLike<number>, c: number): { mean: number[]; variance: number[] } {
  const rows = data.length / c;
  const mean = new Array<number>(c).fill(0);
  const variance = new Array<number>(c).fill(0);
  for (let i = 0; i < rows; i++) for (let k = 0; k < c; k++) mean[k] += data[i * c + k] / rows;
  for (let i = 0; i < rows; i++) for (let k = 0; k < c; k++) variance[k] += (data[i * c + k] - mean[k]) ** 2 / rows;
  return { mean, variance };
}

describeEachBuild('batchNormalization layer', () => {
  it('training mode normalizes each channel with the batch statistics and moves the moving ones by the momentum rule', () => {
    const rand = rng(12);
    const c = 3;
    // Channels with different offsets and spreads.
    const data = Float32Array.from(
      { length: 4 * 3 * 5 * c },
      (_, i) => (i % c) * 5 - 2 + (1 + (i % c)) * (2 * rand() - 1),
    );
    const x = tensor(data, [4, 3, 5, c]);
    const bn = new BatchNormalization({ momentum: 0.9, epsilon: 1e-3 });
    const y = bn.apply(x, { training: true }) as Tensor;
    const batch = channelStats(data, c);
    const out = channelStats(y.dataSync(), c);
    for (let k = 0; k < c; k++) {
      expect(Math.abs(out.mean[k])).toBeLessThan(1e-5);
      // Var of the normalized data is var / (var + eps).
      expect(out.variance[k]).toBeCloseTo(batch.variance[k] / (batch.variance[k] + 1e-3), 4);
    }
    // moving = moving * momentum + batch * (1 - momentum), from 0 and 1.
    expectClose(
      bn.movingMean!.dataSync(),
      batch.mean.map((m) => 0 * 0.9 + m * 0.1),
      1e-5,
      1e-6,
      'moving mean',
    );
    expectClose(
      bn.movingVariance!.dataSync(),
      batch.variance.map((v) => 1 * 0.9 + v * 0.1),
      1e-5,
      1e-6,
      'moving variance',
    );

    // A second call moves them again from there.
    const mean1 = Array.from(bn.movingMean!.dataSync());
    bn.apply(x, { training: true }).dispose();
    expectClose(
      bn.movingMean!.dataSync(),
      mean1.map((m, k) => m * 0.9 + batch.mean[k] * 0.1),
      1e-5,
      1e-6,
      'moving mean, step 2',
    );

    // Inference uses the moving statistics, with gamma and beta.
    const gamma = [1.5, -0.5, 2];
    const beta = [0.1, 0.2, -0.3];
    const mm = [0.5, 1, -1];
    const mv = [2, 0.5, 4];
    bn.setWeights([tensor(gamma), tensor(beta), tensor(mm), tensor(mv)]);
    const inf = bn.apply(x) as Tensor;
    const expected = Array.from(data, (v, i) => {
      const k = i % c;
      return ((v - mm[k]) / Math.sqrt(mv[k] + 1e-3)) * gamma[k] + beta[k];
    });
    expectClose(inf.dataSync(), expected, 1e-5, 1e-5, 'inference');
    // ...and leaves them alone.
    expectClose(bn.movingMean!.dataSync(), mm, 0, 0, 'moving mean after inference');
    for (const t of [x, y, inf]) t.dispose();
    bn.dispose();
  });

  it('gradients flow to the input, gamma and beta (not to the moving statistics)', () => {
    const rand = rng(21);
    const bn = new BatchNormalization({ gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal' });
    const x = randomTensor([3, 2, 2, 4], rand, -2, 2);
    checkGradients((t) => bn.apply(t, { training: true }) as Tensor, [x], { eps: 1e-2, rtol: 3e-2, atol: 3e-3 });
    const r = randomTensor([3, 2, 2, 4], rand);
    const { value, grads } = variableGrads(() => sum(mul(bn.apply(x, { training: true }) as Tensor, r)));
    expect(Object.keys(grads).sort()).toEqual([`${bn.name}/beta`, `${bn.name}/gamma`]);
    // d/dbeta of sum(y * r) is the sum of r over each channel.
    const rSum = channelStats(r.dataSync(), 4).mean.map((m) => m * 12);
    expectClose(grads[`${bn.name}/beta`].dataSync(), rSum, 1e-4, 1e-5, 'dbeta');
    for (const t of [x, r, value, ...Object.values(grads)]) t.dispose();
    bn.dispose();
  });

  it('fit updates the moving statistics once per step; a frozen layer keeps them', async () => {
    // BN first, so the statistics it sees are the data's own: replayable here.
    const rand = rng(33);
    const [n, f, batch] = [24, 3, 8];
    const data = Float32Array.from({ length: n * f }, (_, i) => 3 * (i % f) + 2 * rand());
    const labels = Float32Array.from({ length: n }, () => rand());
    const x = tensor(data, [n, f]);
    const y = tensor(labels, [n, 1]);
    const momentum = 0.6;
    const bn = layers.batchNormalization({ momentum, inputShape: [f] });
    const model = sequential({ layers: [bn, layers.dense({ units: 1 })] });
    const optimizer = train.sgd(0.01);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 2, batchSize: batch, shuffle: false, verbose: 0 });
    const mean = new Array<number>(f).fill(0);
    const variance = new Array<number>(f).fill(1);
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let b = 0; b < n / batch; b++) {
        const s = channelStats(data.subarray(b * batch * f, (b + 1) * batch * f), f);
        for (let k = 0; k < f; k++) {
          mean[k] = mean[k] * momentum + s.mean[k] * (1 - momentum);
          variance[k] = variance[k] * momentum + s.variance[k] * (1 - momentum);
        }
      }
    }
    expectClose(bn.getWeights()[2].dataSync(), mean, 1e-4, 1e-5, 'moving mean after 6 steps');
    expectClose(bn.getWeights()[3].dataSync(), variance, 1e-4, 1e-5, 'moving variance after 6 steps');

    // Frozen (trainable = false): runs in inference mode during fit, statistics untouched.
    bn.trainable = false;
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const before = (bn as BatchNormalization).movingMean!.dataSync();
    await model.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0 });
    expectClose((bn as BatchNormalization).movingMean!.dataSync(), before, 0, 0, 'moving mean of a frozen layer');
    for (const t of [x, y]) t.dispose();
    model.dispose();
    optimizer.dispose();
  });
});

describe('conv layers: configs and errors', () => {
  it('getConfig round-trips through deserialize for every layer', () => {
    const made: Layer[] = [
      layers.conv2d({
        filters: 8,
        kernelSize: [3, 5],
        strides: 2,
        padding: 'same',
        dilationRate: 1,
        activation: 'relu',
        useBias: false,
        kernelInitializer: 'heNormal',
      }),
      layers.maxPooling2d({ poolSize: 3, strides: [1, 2], padding: 'same' }),
      layers.averagePooling2d({ poolSize: [2, 2] }),
      layers.globalAveragePooling2d({ keepDims: true }),
      layers.globalMaxPooling2d(),
      layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, center: false, gammaInitializer: 'zeros' }),
      layers.zeroPadding2d({
        padding: [
          [1, 2],
          [3, 4],
        ],
      }),
    ];
    for (const l of made) {
      const config = l.getConfig();
      const copy = deserialize<Layer>({ className: l.getClassName(), config: { ...config, name: undefined } });
      expect(copy.getClassName()).toBe(l.getClassName());
      expect({ ...copy.getConfig(), name: 'x' }).toEqual({ ...config, name: 'x' });
      copy.dispose();
      l.dispose();
    }
    const conv = layers.conv2d({ filters: 2, kernelSize: 3 });
    expect(conv.getConfig()).toMatchObject({
      filters: 2,
      kernelSize: [3, 3],
      strides: [1, 1],
      padding: 'valid',
      dataFormat: 'channelsLast',
      dilationRate: [1, 1],
      activation: 'linear',
      useBias: true,
    });
    conv.dispose();
  });

  it('a Sequential CNN rebuilds from its config with the same shapes and parameter count', () => {
    const model = sequential({
      layers: [
        layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.conv2d({ filters: 16, kernelSize: [3, 2], strides: 2, padding: 'same', dilationRate: 1 }),
        layers.batchNormalization(),
        layers.globalAveragePooling2d(),
        layers.dense({ units: 3 }),
      ],
    });
    const copy = Sequential.fromConfig(JSON.parse(JSON.stringify({ ...model.getConfig(), name: 'copy' })));
    expect(copy.countParams()).toBe(model.countParams());
    expect(copy.outputs[0].shape).toEqual([null, 3]);
    model.dispose();
    copy.dispose();
  });

  it('errors name the layer and what it expected', () => {
    const conv = layers.conv2d({ filters: 2, kernelSize: 3 });
    const x2 = tensor(new Float32Array(32 * 784), [32, 784]);
    expect(() => conv.apply(x2)).toThrow(
      new RegExp(
        `^ferrite: ${conv.name}: expected input of rank 4 \\[batch, height, width, channels\\], got \\[32, 784\\]$`,
      ),
    );
    const tiny = tensor(new Float32Array(2 * 2 * 2 * 1), [2, 2, 2, 1]);
    expect(() => conv.apply(tiny)).toThrow(
      new RegExp(
        `^ferrite: ${conv.name}: the kernel \\(3 along a dimension of size 2\\) does not fit in the input \\[2, 2, 2, 1\\] with padding 'valid'`,
      ),
    );
    expect(() => layers.maxPooling2d().apply(input({ shape: [28, 28] }))).toThrow(
      /max_pooling2d_\d+: expected input of rank 4 \[batch, height, width, channels\], got \[null, 28, 28\]/,
    );
    expect(() => layers.conv2d({ filters: 0, kernelSize: 3 })).toThrow(
      /conv2d_\d+: filters must be a positive integer, got 0/,
    );
    expect(() => layers.conv2d({ filters: 1, kernelSize: [3, 0] })).toThrow(
      /kernelSize must be a positive integer or a pair/,
    );
    expect(() => layers.conv2d({ filters: 1, kernelSize: 3, padding: 'causal' as 'same' })).toThrow(
      /padding must be 'valid' or 'same', got "causal"/,
    );
    expect(() => layers.conv2d({ filters: 1, kernelSize: 3, dataFormat: 'channelsFirst' })).toThrow(
      /channelsFirst.*not supported/,
    );
    expect(() => layers.batchNormalization({ axis: 1 }).apply(input({ shape: [3, 8, 8] }))).toThrow(
      /batch_normalization_\d+: only the last axis .* got axis 1 for input \[null, 3, 8, 8\]/,
    );
    expect(() => layers.batchNormalization({ momentum: 2 })).toThrow(/momentum must be a number in \[0, 1\]/);
    expect(() => layers.zeroPadding2d({ padding: -1 })).toThrow(/padding must be a non-negative integer/);
    // The channel count is fixed once built.
    const built = layers.conv2d({ filters: 2, kernelSize: 1, inputShape: [4, 4, 3] });
    const wrong = tensor(new Float32Array(4 * 4 * 2), [1, 4, 4, 2]);
    expect(() => built.apply(wrong)).toThrow(/conv2d_\d+: expected input with last dimension 3, got \[1, 4, 4, 2\]/);
    for (const t of [x2, tiny, wrong]) t.dispose();
    conv.dispose();
    built.dispose();
  });

  it('a training step of a CNN leaves no tensor behind', async () => {
    const rand = rng(8);
    const model = sequential({
      layers: [
        layers.zeroPadding2d({ padding: 1, inputShape: [6, 6, 2] }),
        layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }),
        layers.batchNormalization(),
        layers.maxPooling2d(),
        layers.globalAveragePooling2d(),
        layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = randomTensor([10, 6, 6, 2], rand);
    const y = tensor(
      Int32Array.from({ length: 10 }, (_, i) => i % 2),
      [10],
      'int32',
    );
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 }); // creates the optimizer state
    const before = memory().numTensors;
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    tidy(() => {
      model.predict(x);
    });
    expect(memory().numTensors).toBe(before);
    x.dispose();
    y.dispose();
    model.dispose();
  });
});

describe('summary of a CNN', () => {
  it('widens the first column instead of cutting long layer names', () => {
    const model = sequential({
      layers: [
        layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [8, 8, 1] }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.globalAveragePooling2d({}),
      ],
    });
    const lines: string[] = [];
    model.summary(undefined, undefined, (l: string) => lines.push(l));
    const pool = lines.find((l) => l.includes('(MaxPooling2D)'));
    expect(pool, lines.join('\n')).toMatch(/^max_pooling2d_\d+ \(MaxPooling2D\) +\(None, 3, 3, 4\) +0$/);
    expect(lines.some((l) => /global_average_pooling2d_\d+ \(GlobalAveragePooling2D\) +\(None, 4\)/.test(l))).toBe(
      true,
    );
    model.dispose();
  });
});
