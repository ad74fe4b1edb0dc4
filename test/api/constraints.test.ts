// Weight constraints (TF.js's formulas, names and configs), applied after each step of
// fit, and activity regularizers added to the training loss.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { describeEachBuild, expectClose } from '../support/helpers.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

const W = [
  [3, -0.1, 0.2],
  [4, 0.3, -0.5],
];

describeEachBuild('constraints', () => {
  it('maxNorm, minMaxNorm, nonNeg, unitNorm match TF.js cpu (default and other axes)', () => {
    const cases: [string, (c: typeof fe.constraints | typeof tf.constraints) => { apply(w: never): unknown }][] = [
      ['maxNorm', (c) => c.maxNorm({ maxValue: 2 })],
      ['maxNorm axis 1', (c) => c.maxNorm({ maxValue: 0.5, axis: 1 })],
      ['minMaxNorm', (c) => c.minMaxNorm({ minValue: 0.6, maxValue: 1.5, rate: 0.7 })],
      ['nonNeg', (c) => c.nonNeg()],
      ['unitNorm', (c) => c.unitNorm({})],
      ['unitNorm axis 1', (c) => c.unitNorm({ axis: 1 })],
    ];
    const before = fe.memory().numTensors;
    for (const [name, make] of cases) {
      const w = fe.tensor2d(W);
      const ours = make(fe.constraints).apply(w as never) as fe.Tensor;
      const theirs = tf.tidy(() => (make(tf.constraints).apply(tf.tensor2d(W) as never) as TF.Tensor).dataSync());
      expectClose(ours.dataSync(), theirs, 1e-6, 1e-7, name);
      ours.dispose();
      w.dispose();
    }
    expect(fe.memory().numTensors).toBe(before);
  });

  it('a Dense kernelConstraint holds after every step of fit; configs serialise as TF.js', async () => {
    fe.setRandomSeed(1);
    const model = fe.sequential({
      layers: [
        fe.layers.dense({
          units: 2,
          inputShape: [3],
          kernelConstraint: fe.constraints.maxNorm({ maxValue: 0.5 }),
          biasConstraint: 'nonNeg',
        }),
      ],
    });
    model.compile({ optimizer: fe.train.sgd(0.5), loss: 'meanSquaredError' });
    const xs = fe.tensor2d([
      [1, 2, 3],
      [-1, 0, 2],
    ]);
    const ys = fe.tensor2d([
      [10, -10],
      [5, -5],
    ]);
    await model.fit(xs, ys, { epochs: 3, verbose: 0 });
    const [kernel, bias] = model.getWeights();
    const k = kernel.arraySync() as number[][];
    for (let j = 0; j < 2; j++) expect(Math.hypot(k[0][j], k[1][j], k[2][j])).toBeLessThanOrEqual(0.5 + 1e-6);
    for (const b of bias.dataSync()) expect(b).toBeGreaterThanOrEqual(0);
    const config = model.layers[0].getConfig();
    expect(config.kernelConstraint).toEqual({ className: 'MaxNorm', config: { maxValue: 0.5, axis: 0 } });
    expect(config.biasConstraint).toEqual({ className: 'NonNeg', config: {} });
    const copy = fe.layers.dense(config as never);
    expect(copy.getConfig().kernelConstraint).toEqual(config.kernelConstraint);
    [kernel, bias, xs, ys].forEach((t) => t.dispose());
    model.dispose();
    expect(() => fe.layers.dense({ units: 1, kernelConstraint: 'maxiNorm' })).toThrow(
      /unknown .*kernelConstraint 'maxiNorm' \(known: maxNorm, minMaxNorm, nonNeg, unitNorm\)/,
    );
  });

  it('activityRegularizer adds its penalty on the layer output to the training loss', async () => {
    const run = async (activityRegularizer?: fe.regularizers.Regularizer) => {
      const model = fe.sequential({
        layers: [fe.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', activityRegularizer })],
      });
      model.compile({ optimizer: fe.train.sgd(0), loss: 'meanSquaredError' });
      const xs = fe.tensor2d([
        [1, 2],
        [3, -1],
      ]);
      const ys = fe.tensor2d([[0], [0]]);
      const h = await model.fit(xs, ys, { epochs: 1, verbose: 0, batchSize: 2 });
      [xs, ys].forEach((t) => t.dispose());
      model.dispose();
      return (h.history.loss as number[])[0];
    };
    // Outputs 3 and 2: mse = (9 + 4) / 2 = 6.5; l2 activity penalty 0.1 · (9 + 4) = 1.3.
    expect(await run()).toBeCloseTo(6.5, 5);
    expect(await run(fe.regularizers.l2({ l2: 0.1 }))).toBeCloseTo(6.5 + 1.3, 5);
  });
});
