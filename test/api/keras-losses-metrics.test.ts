// The Layers losses compile finds by name (hinge, KLD, poisson, logcosh, ...) against
// TF.js cpu's Layers losses (through a TF.js model's evaluate), their gradients against
// finite differences, Keras's cross-entropy options, and the ranking metrics (AUC,
// top-k, R²) against Keras's documented values.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { getLoss } from '../../ts/losses/resolve.js';
import { getMetric } from '../../ts/metrics/resolve.js';
import { checkGradients, describeEachBuild, expectClose } from '../support/helpers.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

// Rows chosen to reach every branch: margins on both sides of 1, zeros clipped, negatives.
const Y_TRUE = [
  [1, -1, 1, 0],
  [0.2, 0.3, 0.5, 0],
  [-1, 1, 0.25, 2],
];
const Y_PRED = [
  [0.8, 0.3, -0.4, 0.1],
  [0.1, 0.6, 0.2, 0.1],
  [0.5, 2.5, 0.3, 1.5],
];
// Probability-like rows for KLD, Poisson and MSLE (TF.js clips them the same way).
const P_TRUE = [
  [0.2, 0.3, 0.5, 0],
  [1, 0, 0, 0],
  [0.1, 0.1, 0.4, 0.4],
];
const P_PRED = [
  [0.25, 0.25, 0.4, 0.1],
  [0.7, 0.1, 0.1, 0.1],
  [0.05, 0.3, 0.3, 0.35],
];

const NAMES: [string, number[][], number[][]][] = [
  ['hinge', Y_TRUE, Y_PRED],
  ['squaredHinge', Y_TRUE, Y_PRED],
  ['categoricalHinge', P_TRUE, Y_PRED],
  ['kullbackLeiblerDivergence', P_TRUE, P_PRED],
  ['poisson', P_TRUE, P_PRED],
  ['logcosh', Y_TRUE, Y_PRED],
  ['cosineProximity', Y_TRUE, Y_PRED],
  // Targets without zeros: a zero target divides by 1e-7, and float32 sums of 1e7 hide finite differences.
  ['meanAbsolutePercentageError', Y_PRED, Y_TRUE],
  ['meanSquaredLogarithmicError', P_TRUE, P_PRED],
];

/** TF.js's Layers loss `name` on each row: an identity model compiled with it, evaluated row by row. */
function tfjsPerSample(name: string, yTrue: number[][], yPred: number[][]): number[] {
  const model = tf.sequential({ layers: [tf.layers.activation({ activation: 'linear', inputShape: [4] })] });
  model.compile({ optimizer: 'sgd', loss: name });
  const out = yPred.map((row, i) =>
    tf.tidy(() => (model.evaluate(tf.tensor2d([row]), tf.tensor2d([yTrue[i]])) as TF.Scalar).dataSync()[0]),
  );
  model.dispose();
  return out;
}

describeEachBuild('Layers losses by name', () => {
  for (const [name, yTrue, yPred] of NAMES) {
    it(`${name}: per-sample values match TF.js cpu, gradients match finite differences`, () => {
      const before = fe.memory().numTensors;
      const f = getLoss(name);
      const t = fe.tensor2d(yTrue);
      const p = fe.tensor2d(yPred);
      const out = f(t, p);
      expect(out.shape).toEqual([3]);
      expectClose(out.dataSync(), tfjsPerSample(name, yTrue, yPred), 1e-5, 1e-6, name);
      out.dispose();
      t.dispose();
      p.dispose();
      expect(fe.memory().numTensors).toBe(before);
      fe.tidy(() => checkGradients((x) => f(fe.tensor2d(yTrue), x), [fe.tensor2d(yPred)]));
    });
  }

  it('aliases resolve as in TF.js and Keras (kld, KLD, mape, msle, snake_case)', () => {
    expect(getLoss('kld')).toBe(getLoss('kullbackLeiblerDivergence'));
    expect(getLoss('KLD')).toBe(getLoss('kullback_leibler_divergence'));
    expect(getLoss('mape')).toBe(getLoss('MAPE'));
    expect(getLoss('msle')).toBe(getLoss('mean_squared_logarithmic_error'));
    expect(getLoss('squared_hinge')).toBe(getLoss('squaredHinge'));
    expect(getLoss('log_cosh')).toBe(getLoss('logcosh'));
  });

  it('mismatched shapes are a clear error naming the loss', () => {
    const t = fe.tensor2d([[1, 2]]);
    const p = fe.tensor2d([[1, 2, 3]]);
    expect(() => getLoss('hinge')(t, p)).toThrow(/hinge: yTrue has shape \[1, 2\] and yPred \[1, 3\]; they must match/);
    t.dispose();
    p.dispose();
  });
});

describeEachBuild('Keras cross-entropy options (fromLogits, labelSmoothing)', () => {
  const labels = [
    [0, 1, 0],
    [1, 0, 0],
  ];
  const logits = [
    [0.5, 2, -1],
    [1.5, -0.5, 0.2],
  ];
  const softmaxRows = logits.map((r) => {
    const e = r.map(Math.exp);
    const s = e.reduce((a, b) => a + b);
    return e.map((v) => v / s);
  });

  it('CategoricalCrossentropy: fromLogits equals the loss of the softmax; smoothing mixes in 1/C', () => {
    const t = fe.tensor2d(labels);
    const z = fe.tensor2d(logits);
    const fromLogits = fe.losses.CategoricalCrossentropy({ fromLogits: true });
    // Written out: -Σ t ln softmax(z).
    const plain = labels.map((row, i) => -row.reduce((s, ti, j) => s + ti * Math.log(softmaxRows[i][j]), 0));
    expectClose(fromLogits(t, z).dataSync(), plain, 1e-5);
    const s = 0.3;
    const smooth = fe.losses.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: s });
    const smoothed = labels.map(
      (row, i) => -row.reduce((acc, ti, j) => acc + (ti * (1 - s) + s / 3) * Math.log(softmaxRows[i][j]), 0),
    );
    expectClose(smooth(t, z).dataSync(), smoothed, 1e-5);
    // Without options it is the plain loss itself (so compile can still fuse it).
    expect(fe.losses.CategoricalCrossentropy()).toBe(getLoss('categoricalCrossentropy'));
    checkGradients((x) => smooth(t, x), [z]);
    t.dispose();
    z.dispose();
  });

  it('BinaryCrossentropy: smoothing moves labels toward 1/2; SparseCategoricalCrossentropy fromLogits', () => {
    const t = fe.tensor2d([[1, 0, 1]]);
    const z = fe.tensor2d([[0.3, -1.2, 2]]);
    const s = 0.2;
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const want =
      [1, 0, 1].reduce((acc, ti, j) => {
        const y = ti * (1 - s) + s / 2;
        const q = sig([0.3, -1.2, 2][j]);
        return acc - (y * Math.log(q) + (1 - y) * Math.log(1 - q));
      }, 0) / 3;
    expectClose(fe.losses.BinaryCrossentropy({ fromLogits: true, labelSmoothing: s })(t, z).dataSync(), [want], 1e-5);
    const idx = fe.tensor1d([1, 0], 'int32');
    const zz = fe.tensor2d(logits);
    const sparse = fe.losses.SparseCategoricalCrossentropy({ fromLogits: true })(idx, zz);
    expectClose(sparse.dataSync(), [-Math.log(softmaxRows[0][1]), -Math.log(softmaxRows[1][0])], 1e-5);
    expect(() => fe.losses.CategoricalCrossentropy({ labelSmoothing: 2 })).toThrow(
      /CategoricalCrossentropy: labelSmoothing must be a number in \[0, 1\], got 2/,
    );
    expect(() => fe.losses.SparseCategoricalCrossentropy({ labelSmoothing: 0.1 } as never)).toThrow(
      /SparseCategoricalCrossentropy: unknown option 'labelSmoothing'; valid: fromLogits/,
    );
    [t, z, idx, zz, sparse].forEach((x) => x.dispose());
  });

  it('a model trains with a fromLogits loss object and with a custom loss function', async () => {
    for (const loss of [
      fe.losses.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
      (yTrue: fe.Tensor, yPred: fe.Tensor) => fe.mean(fe.square(fe.sub(yTrue, fe.softmax(yPred))), -1),
    ]) {
      fe.setRandomSeed(3);
      const model = fe.sequential({ layers: [fe.layers.dense({ units: 3, inputShape: [2] })] });
      model.compile({ optimizer: fe.train.adam(0.05), loss, metrics: ['categoricalAccuracy'] });
      const xs = fe.tensor2d([
        [1, 0],
        [0, 1],
        [-1, -1],
      ]);
      const ys = fe.tensor2d([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]);
      const h = await model.fit(xs, ys, { epochs: 60, verbose: 0 });
      const losses = h.history.loss as number[];
      expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 2);
      expect((h.history.categoricalAccuracy as number[]).at(-1)).toBe(1);
      [xs, ys].forEach((x) => x.dispose());
      model.dispose();
    }
  });
});

describeEachBuild('ranking and regression metrics', () => {
  it("AUC: Keras's documented example (3 thresholds: 0.75) and a separable batch (1)", () => {
    const m = new fe.metrics.AUC('auc', 3);
    m.update(fe.tensor1d([0, 0, 1, 1]), fe.tensor1d([0, 0.5, 0.3, 0.9]));
    expect(m.result()).toBeCloseTo(0.75, 6);
    const perfect = fe.metrics.auc(fe.tensor1d([0, 1, 0, 1]), fe.tensor1d([0.1, 0.8, 0.3, 0.95]));
    expect(perfect.dataSync()[0]).toBeCloseTo(1, 6);
    // With 200 thresholds the interpolated area is close to the exact ROC AUC (Mann-Whitney):
    // pairs (pos, neg) ranked correctly: 3 of 4 here.
    const m2 = getMetric('auc');
    m2.update(fe.tensor1d([1, 0, 1, 0]), fe.tensor1d([0.9, 0.6, 0.4, 0.2]));
    expect(m2.result()).toBeCloseTo(0.75, 2);
  });

  it("top-k accuracy: Keras's documented examples (k = 1: 0.5), ties count as in", () => {
    const pred = fe.tensor2d([
      [0.1, 0.9, 0.8],
      [0.05, 0.95, 0],
    ]);
    const onehot = fe.tensor2d([
      [0, 0, 1],
      [0, 1, 0],
    ]);
    expect(Array.from(fe.metrics.topKCategoricalAccuracy(onehot, pred, 1).dataSync())).toEqual([0, 1]);
    expect(Array.from(fe.metrics.topKCategoricalAccuracy(onehot, pred, 2).dataSync())).toEqual([1, 1]);
    const idx = fe.tensor1d([2, 1]);
    expect(Array.from(fe.metrics.sparseTopKCategoricalAccuracy(idx, pred, 1).dataSync())).toEqual([0, 1]);
    const m = new fe.metrics.TopKAccuracy('top1', 'sparse', 1);
    m.update(idx, pred);
    expect(m.result()).toBe(0.5);
    const tied = fe.tensor2d([[0.5, 0.5, 0.1]]);
    expect(Array.from(fe.metrics.sparseTopKCategoricalAccuracy(fe.tensor1d([1]), tied, 1).dataSync())).toEqual([1]);
    expect(() => fe.metrics.topKCategoricalAccuracy(onehot, pred, 0)).toThrow(/k must be a positive integer, got 0/);
  });

  it("r2Score: Keras's documented example (0.5714) matches TF.js, and aggregates over batches exactly", () => {
    const t = [[1], [4], [3]];
    const p = [[2], [4], [4]];
    const ours = fe.metrics.r2Score(fe.tensor2d(t), fe.tensor2d(p)).dataSync()[0];
    expect(ours).toBeCloseTo(0.57142854, 5);
    expect(ours).toBeCloseTo(tf.metrics.r2Score(tf.tensor2d(t), tf.tensor2d(p)).dataSync()[0], 5);
    const m = getMetric('r2Score');
    m.update(fe.tensor2d([[1], [4]]), fe.tensor2d([[2], [4]]));
    m.update(fe.tensor2d([[3]]), fe.tensor2d([[4]]));
    expect(m.result()).toBeCloseTo(0.57142854, 6);
  });

  it('per-sample metrics TF.js has in tf.metrics agree with it', () => {
    const ours = fe.metrics.cosineProximity(fe.tensor2d(Y_TRUE), fe.tensor2d(Y_PRED));
    const theirs = tf.metrics.cosineProximity(tf.tensor2d(Y_TRUE), tf.tensor2d(Y_PRED));
    expectClose(ours.dataSync(), theirs.dataSync(), 1e-5);
    const mape = fe.metrics.MAPE(fe.tensor2d(Y_TRUE), fe.tensor2d(Y_PRED));
    expectClose(mape.dataSync(), tf.metrics.MAPE(tf.tensor2d(Y_TRUE), tf.tensor2d(Y_PRED)).dataSync(), 1e-5);
  });

  it('compile logs metrics under the names given, custom functions under theirs', async () => {
    const model = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1], activation: 'sigmoid' })] });
    function meanPrediction(_t: fe.Tensor, p: fe.Tensor) {
      return fe.mean(p, -1);
    }
    model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['auc', 'mape', meanPrediction] });
    const h = await model.fit(fe.tensor2d([[0], [1], [2], [3]]), fe.tensor2d([[0], [0], [1], [1]]), {
      epochs: 1,
      verbose: 0,
    });
    expect(Object.keys(h.history).sort()).toEqual(['auc', 'loss', 'mape', 'meanPrediction']);
    model.dispose();
  });
});
