// The layers a DCGAN needs against TensorFlow.js (cpu backend): the same model in both
// libraries, TF.js's initial weights copied into Ferrite's, then the outputs and three
// Adam steps (trainOnBatch) must agree to 1e-4. Also: the layers' shapes and errors, and
// a generator/discriminator pair saved and loaded.

import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import * as fe from '../../ts/index.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import { expectClose, randomArray, rng } from '../support/helpers.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

type Lib = typeof fe | typeof TF;
type AnyLayer = fe.layers.Layer | TF.layers.Layer;

/** Layer builders, each called with the library's `layers` namespace and the input shape. */
const CASES: [string, number[], (l: Lib['layers'], inputShape: number[]) => AnyLayer][] = [
  [
    'conv2dTranspose 4x4 stride 2 same',
    [3, 3, 2],
    (l, s) =>
      l.conv2dTranspose({ inputShape: s, filters: 3, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }),
  ],
  [
    'conv2dTranspose 3x3 stride 2 valid, no bias',
    [3, 2, 2],
    (l, s) =>
      l.conv2dTranspose({ inputShape: s, filters: 2, kernelSize: 3, strides: 2, padding: 'valid', useBias: false }),
  ],
  ['upSampling2d nearest', [3, 2, 2], (l, s) => l.upSampling2d({ inputShape: s, size: [2, 3] })],
  [
    'upSampling2d bilinear',
    [3, 3, 2],
    (l, s) => l.upSampling2d({ inputShape: s, size: [2, 2], interpolation: 'bilinear' }),
  ],
  ['leakyReLU', [6], (l, s) => l.leakyReLU({ inputShape: s, alpha: 0.2 })],
  ['leakyReLU default alpha', [6], (l, s) => l.leakyReLU({ inputShape: s })],
  ['prelu', [6], (l, s) => l.prelu({ inputShape: s, alphaInitializer: tfOrFeConstant(l, 0.25) })],
  ['prelu shared over the pixels', [2, 2, 3], (l, s) => l.prelu({ inputShape: s, sharedAxes: [1, 2] })],
  ['reLU maxValue', [6], (l, s) => l.reLU({ inputShape: s, maxValue: 0.3 })],
  // TF.js's ELU layer refuses any alpha but 1.
  ['elu', [6], (l, s) => l.elu({ inputShape: s })],
  ['thresholdedReLU', [6], (l, s) => l.thresholdedReLU({ inputShape: s, theta: 0.2 })],
  ['softmax', [6], (l, s) => l.softmax({ inputShape: s })],
  [
    'depthwiseConv2d multiplier 2',
    [5, 5, 3],
    (l, s) =>
      l.depthwiseConv2d({ inputShape: s, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }),
  ],
  [
    'separableConv2d stride 2',
    [6, 6, 3],
    (l, s) => l.separableConv2d({ inputShape: s, filters: 4, kernelSize: 3, depthMultiplier: 2, strides: 2 }),
  ],
  [
    'cropping2D',
    [4, 5, 2],
    (l, s) =>
      l.cropping2D({
        inputShape: s,
        cropping: [
          [1, 0],
          [2, 1],
        ],
      }),
  ],
];

function tfOrFeConstant(l: Lib['layers'], value: number): never {
  return (
    l === (fe.layers as unknown) ? fe.initializers.constant({ value }) : tf.initializers.constant({ value })
  ) as never;
}

/** The layer, then a Dense head over its flattened output (so every case has weights to train). */
function build(lib: Lib, layer: (l: Lib['layers'], s: number[]) => AnyLayer, inputShape: number[]) {
  const m = (lib.sequential as (a: object) => TF.Sequential)({});
  m.add(layer(lib.layers, inputShape) as TF.layers.Layer);
  if (inputShape.length > 1) m.add(lib.layers.flatten({}) as TF.layers.Layer);
  m.add(lib.layers.dense({ units: 2, kernelInitializer: 'glorotUniform' }) as TF.layers.Layer);
  // Epsilon 1e-10 in both: Ferrite puts epsilon where Keras does, TF.js after the bias
  // corrections, which at the default 1e-7 moves the first steps of weights whose gradient
  // is near epsilon by up to 3e-4 (the gradients themselves agree; an SGD run shows it).
  m.compile({ optimizer: lib.train.adam(0.01, 0.9, 0.999, 1e-10) as TF.Optimizer, loss: 'meanSquaredError' });
  return m;
}

describe('DCGAN layers: parity with TensorFlow.js (cpu)', () => {
  for (const [name, inputShape, layer] of CASES) {
    it(`${name}: outputs and three Adam steps agree to 1e-4`, async () => {
      const before = fe.memory().numTensors;
      const rand = rng(17);
      const batch = 4;
      const xs = randomArray(batch * inputShape.reduce((a, b) => a * b, 1), rand);
      const ys = randomArray(batch * 2, rand);
      const tm = build(tf, layer, inputShape);
      const fm = build(fe, layer, inputShape) as unknown as fe.Sequential;
      const init = tm.getWeights().map((w) => fe.tensor(w.dataSync() as Float32Array, w.shape));
      fm.setWeights(init);
      fe.dispose(init);
      const [tx, ty] = [tf.tensor(xs, [batch, ...inputShape]), tf.tensor(ys, [batch, 2])];
      const [fx, fy] = [fe.tensor(xs, [batch, ...inputShape]), fe.tensor(ys, [batch, 2])];
      const tOut = tm.predict(tx) as TF.Tensor;
      const fOut = fm.predict(fx) as fe.Tensor;
      expectClose(fOut.dataSync() as Float32Array, tOut.dataSync() as Float32Array, 1e-4, 1e-4, 'predictions');
      for (let step = 0; step < 3; step++) {
        await tm.trainOnBatch(tx, ty);
        await fm.trainOnBatch(fx, fy);
      }
      const tw = tm.getWeights();
      const fw = fm.getWeights();
      expect(fw.map((w) => w.shape)).toEqual(tw.map((w) => w.shape));
      fw.forEach((w, i) =>
        expectClose(w.dataSync() as Float32Array, tw[i].dataSync() as Float32Array, 1e-4, 1e-4, `weight ${i}`),
      );
      // (TF.js's getWeights returns the variables themselves: not disposed here.)
      fe.dispose([...fw, fOut, fx, fy]);
      tf.dispose([tOut, tx, ty]);
      fm.optimizer?.dispose();
      fm.dispose();
      tm.dispose();
      expect(fe.memory().numTensors).toBe(before);
    });
  }
});

describe('DCGAN layers: shapes, configs and errors', () => {
  it('conv2dTranspose output sizes follow TF.js (deconvLength)', () => {
    const shapeOf = (args: fe.layers.Conv2DTransposeArgs, s: number[]) =>
      fe.sequential({ layers: [fe.layers.conv2dTranspose({ ...args, inputShape: s })] }).outputs[0].shape;
    expect(shapeOf({ filters: 4, kernelSize: 5, strides: 2, padding: 'same' }, [7, 7, 8])).toEqual([null, 14, 14, 4]);
    expect(shapeOf({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid' }, [7, 5, 8])).toEqual([null, 15, 11, 4]);
    expect(shapeOf({ filters: 4, kernelSize: 1, strides: 3, padding: 'valid' }, [2, 2, 8])).toEqual([null, 6, 6, 4]);
  });

  it('rejects bad options and inputs naming the layer', () => {
    expect(() => fe.layers.conv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2 })).toThrow(
      /dilationRate must be 1/,
    );
    expect(() => fe.layers.upSampling2d({ interpolation: 'cubic' as never })).toThrow(
      /interpolation must be 'nearest' or 'bilinear'/,
    );
    expect(() => fe.layers.gaussianNoise({ stddev: -1 })).toThrow(/stddev must be a finite number >= 0/);
    expect(() => fe.sequential({ layers: [fe.layers.cropping2D({ inputShape: [2, 2, 1], cropping: 1 })] })).toThrow(
      /cropping \[\[1,1\],\[1,1\]\] leaves nothing of input \[null, 2, 2, 1\]/,
    );
    expect(() => fe.sequential({ layers: [fe.layers.upSampling2d({ inputShape: [4, 2] })] })).toThrow(
      /expected input of rank 4 \[batch, height, width, channels\]/,
    );
    expect(() => fe.sequential({ layers: [fe.layers.spatialDropout2d({ rate: 0.5, inputShape: [4, 2] })] })).toThrow(
      /expected input of rank 4/,
    );
  });

  it('noise layers act only while training; spatial dropout drops whole channels', () => {
    fe.setRandomSeed(5);
    const x = fe.ones([2, 3, 3, 4]);
    for (const l of [
      fe.layers.gaussianNoise({ stddev: 0.5 }),
      fe.layers.gaussianDropout({ rate: 0.3 }),
      fe.layers.spatialDropout2d({ rate: 0.5 }),
    ]) {
      // At inference the input itself comes back.
      expect(l.apply(x)).toBe(x);
    }
    const y = fe.layers.spatialDropout2d({ rate: 0.5 }).apply(x, { training: true }) as fe.Tensor;
    const v = y.dataSync();
    // Each (sample, channel) is all 0 or all 2 over the 3x3 pixels.
    for (let b = 0; b < 2; b++)
      for (let c = 0; c < 4; c++) {
        const vals = new Set<number>();
        for (let p = 0; p < 9; p++) vals.add(v[(b * 9 + p) * 4 + c]);
        expect(vals.size).toBe(1);
        expect([0, 2]).toContain([...vals][0]);
      }
    const n = fe.layers.gaussianNoise({ stddev: 0.5 }).apply(x, { training: true }) as fe.Tensor;
    expect(n.dataSync().some((e) => e !== 1)).toBe(true);
    fe.dispose([x, y, n]);
  });

  it('a DCGAN generator and discriminator save and load with the same predictions', async () => {
    const g = fe.sequential({
      layers: [
        fe.layers.dense({ inputShape: [8], units: 3 * 3 * 8, useBias: false }),
        fe.layers.batchNormalization(),
        fe.layers.leakyReLU({ alpha: 0.2 }),
        fe.layers.reshape({ targetShape: [3, 3, 8] }),
        fe.layers.conv2dTranspose({ filters: 4, kernelSize: 4, strides: 2, padding: 'same' }),
        fe.layers.prelu({ sharedAxes: [1, 2] }),
        fe.layers.upSampling2d({ interpolation: 'bilinear' }),
        fe.layers.cropping2D({ cropping: 1 }),
        fe.layers.conv2dTranspose({ filters: 1, kernelSize: 3, padding: 'same', activation: 'tanh' }),
      ],
    });
    expect(g.outputs[0].shape).toEqual([null, 10, 10, 1]);
    const z = fe.randomNormal([2, 8], 0, 1, 'float32', 3);
    const before = g.predict(z) as fe.Tensor;
    let saved: fe.io.ModelArtifacts | undefined;
    await g.save(
      fe.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await fe.loadLayersModel(fe.io.fromMemory(saved!));
    const after = loaded.predict(z) as fe.Tensor;
    expect(after.dataSync()).toEqual(before.dataSync());
    fe.dispose([z, before, after]);
    g.dispose();
    loaded.dispose();
  });
});
