import { expect, it } from 'vitest';
import { describeEachBuild, expectClose } from '../support/helpers.js';
import { tensor } from '../../ts/tensor/creation.js';
import { memory } from '../../ts/tensor/creation.js';
import * as metrics from '../../ts/metrics/index.js';
import { Accuracy, ClassificationScore, CountingMetric, Mean, MeanMetricWrapper } from '../../ts/metrics/metric.js';
import { getMetric } from '../../ts/metrics/resolve.js';
import type { Tensor } from '../../ts/tensor/tensor.js';

const values = (t: Tensor) => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};
const value = (t: Tensor) => values(t)[0];

// A binary problem of 8 examples. Predicted positive means yPred > 0.5 (0.5 itself is negative):
//   i:      0    1    2    3    4    5     6    7
//   yTrue:  1    0    1    1    0    0     1    0
//   yPred: .9   .2   .4   .7   .6   .55   .8   .5
//   pred:   1    0    0    1    1    1     1    0
//   kind:  TP   TN   FN   TP   FP   FP    TP   TN
// tp = 3, fp = 2, fn = 1, tn = 2: accuracy 5/8, precision 3/5, recall 3/4, F1 = 2·3 / (2·3 + 2 + 1) = 2/3.
const BIN_TRUE = [1, 0, 1, 1, 0, 0, 1, 0];
const BIN_PRED = [0.9, 0.2, 0.4, 0.7, 0.6, 0.55, 0.8, 0.5];

// A 3-class problem of 6 examples; predicted class = argmax of the row:
//   row  true  scores            pred
//   0    0     .7  .2  .1        0  ✓
//   1    1     .1  .3  .6        2  ✗
//   2    2     .2  .2  .6        2  ✓
//   3    2     .5  .3  .2        0  ✗
//   4    1     .1  .8  .1        1  ✓
//   5    0     .3  .3  .4        2  ✗
// accuracy 3/6. Per class (tp, fp, fn):
//   class 0: (1, 1, 1)  P = 1/2  R = 1/2  F1 = 2/(2+1+1) = 1/2
//   class 1: (1, 0, 1)  P = 1    R = 1/2  F1 = 2/(2+0+1) = 2/3
//   class 2: (1, 2, 1)  P = 1/3  R = 1/2  F1 = 2/(2+2+1) = 2/5
// macro P = (1/2 + 1 + 1/3)/3 = 11/18, macro R = 1/2, macro F1 = (1/2 + 2/3 + 2/5)/3 = 47/90.
const MC_TRUE = [0, 1, 2, 2, 1, 0];
const MC_PRED = [
  [0.7, 0.2, 0.1],
  [0.1, 0.3, 0.6],
  [0.2, 0.2, 0.6],
  [0.5, 0.3, 0.2],
  [0.1, 0.8, 0.1],
  [0.3, 0.3, 0.4],
];
const oneHot = (labels: number[], c: number) =>
  labels.map((l) => Array.from({ length: c }, (_, j) => (j === l ? 1 : 0)));

describeEachBuild('metric functions', () => {
  it('binaryAccuracy: one value per example, [n] and [n, 1] alike', () => {
    const yTrue = tensor(BIN_TRUE, [8, 1]);
    const yPred = tensor(BIN_PRED, [8, 1]);
    const acc = metrics.binaryAccuracy(yTrue, yPred);
    expect(acc.shape).toEqual([8]);
    expect(values(acc)).toEqual([1, 1, 0, 1, 0, 0, 1, 1]);
    const flatTrue = tensor(BIN_TRUE);
    expect(values(metrics.binaryAccuracy(flatTrue, yPred))).toEqual([1, 1, 0, 1, 0, 0, 1, 1]);
    // A lower threshold makes 0.5 and 0.4 positive: examples 2 and 7 flip.
    expect(values(metrics.binaryAccuracy(yTrue, yPred, 0.35))).toEqual([1, 1, 1, 1, 0, 0, 1, 0]);
    // Multi-label [2, 4]: the mean over the last axis (row 0: 3 of 4 right, row 1: 2 of 4).
    const ml = metrics.binaryAccuracy(tensor(BIN_TRUE, [2, 4]), tensor(BIN_PRED, [2, 4]));
    expect(ml.shape).toEqual([2]);
    expect(values(ml)).toEqual([0.75, 0.5]);
    for (const t of [yTrue, yPred, flatTrue]) t.dispose();
  });

  it('precision, recall and f1 match the hand-computed counts', () => {
    const yTrue = tensor(BIN_TRUE, [8, 1]);
    const yPred = tensor(BIN_PRED, [8, 1]);
    expectClose([value(metrics.precision(yTrue, yPred))], [3 / 5]);
    expectClose([value(metrics.recall(yTrue, yPred))], [3 / 4]);
    expectClose([value(metrics.f1(yTrue, yPred))], [2 / 3]);
    // Nothing predicted positive: precision is 0 (not NaN), recall 0.
    const none = tensor([0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.4], [8, 1]);
    expect(value(metrics.precision(yTrue, none))).toBe(0);
    expect(value(metrics.recall(yTrue, none))).toBe(0);
    expect(value(metrics.f1(yTrue, none))).toBe(0);
    for (const t of [yTrue, yPred, none]) t.dispose();
  });

  it('categorical and sparse categorical accuracy', () => {
    const yPred = tensor(MC_PRED);
    const sparse = tensor(MC_TRUE, [6], 'int32');
    const sparseCol = tensor(MC_TRUE, [6, 1]);
    const dense = tensor(oneHot(MC_TRUE, 3));
    expect(values(metrics.sparseCategoricalAccuracy(sparse, yPred))).toEqual([1, 0, 1, 0, 1, 0]);
    expect(values(metrics.sparseCategoricalAccuracy(sparseCol, yPred))).toEqual([1, 0, 1, 0, 1, 0]);
    const cat = metrics.categoricalAccuracy(dense, yPred);
    expect(cat.shape).toEqual([6]);
    expect(values(cat)).toEqual([1, 0, 1, 0, 1, 0]);
    // Ties go to the first maximum, as argMax: [0.5, 0.5, 0] predicts class 0.
    const tie = tensor([[0.5, 0.5, 0]]);
    expect(values(metrics.sparseCategoricalAccuracy(tensor([0], [1], 'int32'), tie))).toEqual([1]);
    for (const t of [yPred, sparse, sparseCol, dense, tie]) t.dispose();
  });

  it('macro precision, recall and F1 over the classes present', () => {
    const yPred = tensor(MC_PRED);
    const sparse = tensor(MC_TRUE, [6], 'int32');
    const dense = tensor(oneHot(MC_TRUE, 3));
    for (const yTrue of [sparse, dense]) {
      expectClose([value(metrics.macroPrecision(yTrue, yPred))], [11 / 18]);
      expectClose([value(metrics.macroRecall(yTrue, yPred))], [1 / 2]);
      expectClose([value(metrics.macroF1(yTrue, yPred))], [47 / 90]);
    }
    // A fourth class that is neither a label nor a prediction does not count in the average.
    const wide = tensor(MC_PRED.map((r) => [...r, 0]));
    expectClose([value(metrics.macroPrecision(sparse, wide))], [11 / 18]);
    expectClose([value(metrics.macroF1(sparse, wide))], [47 / 90]);
    for (const t of [yPred, sparse, dense, wide]) t.dispose();
  });

  it('regression metrics: mse and mae per example', () => {
    // Row 0 errors (1, -2): mse 5/2, mae 3/2; row 1 errors (0, 3): mse 9/2, mae 3/2.
    const yTrue = tensor([
      [0, 2],
      [1, 1],
    ]);
    const yPred = tensor([
      [1, 0],
      [1, 4],
    ]);
    expect(values(metrics.meanSquaredError(yTrue, yPred))).toEqual([2.5, 4.5]);
    expect(values(metrics.mae(yTrue, yPred))).toEqual([1.5, 1.5]);
    yTrue.dispose();
    yPred.dispose();
  });

  it('names the metric, the shapes and the bad label in errors', () => {
    const yPred = tensor(MC_PRED);
    const wrong = tensor([1, 2, 3, 4]);
    expect(() => metrics.sparseCategoricalAccuracy(wrong, yPred)).toThrow(
      /sparseCategoricalAccuracy: yTrue \[4\] must hold one class index per row of yPred \[6, 3\]/,
    );
    expect(() => metrics.categoricalAccuracy(tensor(MC_TRUE), yPred)).toThrow(
      /categoricalAccuracy: one-hot yTrue \[6\] must have the shape of yPred \[6, 3\]/,
    );
    expect(() => metrics.sparseCategoricalAccuracy(tensor([0, 1, 3, 0, 1, 0]), yPred)).toThrow(
      /label 3 at index 2 is not a class index in \[0, 3\)/,
    );
    expect(() => metrics.precision(wrong, yPred)).toThrow(
      /precision: yTrue \[4\] and yPred \[6, 3\] must have the same shape/,
    );
    wrong.dispose();
    expect(() => metrics.binaryAccuracy(wrong, yPred)).toThrow(/disposed/);
    yPred.dispose();
  });

  it('leaves no tensor behind besides its result', () => {
    const yPred = tensor(MC_PRED);
    const yTrue = tensor(MC_TRUE, [6], 'int32');
    const before = memory().numTensors;
    metrics.macroF1(yTrue, yPred).dispose();
    metrics.sparseCategoricalAccuracy(yTrue, yPred).dispose();
    const m = getMetric('accuracy', 'sparseCategoricalCrossentropy', [null, 3]);
    m.update(yTrue, yPred);
    expect(memory().numTensors).toBe(before);
    yPred.dispose();
    yTrue.dispose();
  });
});

describeEachBuild('metric objects', () => {
  it('precision and recall over an epoch come from summed counts, not averaged batches', () => {
    // Batch A = examples 0..3: tp 2 (0, 3), fn 1 (2), fp 0, tn 1 -> P 1, R 2/3.
    // Batch B = examples 4..7: tp 1 (6), fp 2 (4, 5), fn 0, tn 1 -> P 1/3, R 1.
    // Epoch: tp 3, fp 2, fn 1 -> P 3/5 (the batch mean would be 2/3), R 3/4 (mean 5/6), F1 2/3.
    const batches = [0, 4].map((s) => [
      tensor(BIN_TRUE.slice(s, s + 4), [4, 1]),
      tensor(BIN_PRED.slice(s, s + 4), [4, 1]),
    ]);
    const p = getMetric('precision', 'binaryCrossentropy', [null, 1]);
    const r = getMetric('recall', 'binaryCrossentropy', [null, 1]);
    const f = getMetric('f1', 'binaryCrossentropy', [null, 1]);
    const acc = getMetric('accuracy', 'binaryCrossentropy', [null, 1]);
    expectClose([p.update(batches[0][0], batches[0][1]), p.update(batches[1][0], batches[1][1])], [1, 1 / 3]);
    expectClose([r.update(batches[0][0], batches[0][1]), r.update(batches[1][0], batches[1][1])], [2 / 3, 1]);
    for (const [t, y] of batches) {
      f.update(t, y);
      acc.update(t, y);
    }
    expectClose([p.result(), r.result(), f.result(), acc.result()], [3 / 5, 3 / 4, 2 / 3, 5 / 8]);
    expect(Array.from((p as CountingMetric).counts())).toEqual([3, 2, 1, 2]); // tp, fp, fn, tn
    p.reset();
    expect(p.result()).toBe(0);
    expectClose([p.update(batches[1][0], batches[1][1]), p.result()], [1 / 3, 1 / 3]);
    for (const b of batches) for (const t of b) t.dispose();
  });

  it('macro scores over an epoch sum per-class counts', () => {
    // Batches of rows 0..2 and 3..5; summed per-class counts are the table above.
    const yTrue = [tensor(MC_TRUE.slice(0, 3), [3], 'int32'), tensor(MC_TRUE.slice(3), [3], 'int32')];
    const yPred = [tensor(MC_PRED.slice(0, 3)), tensor(MC_PRED.slice(3))];
    const ms = ['precision', 'recall', 'f1'].map((n) => getMetric(n, 'sparseCategoricalCrossentropy', [null, 3]));
    for (const m of ms) for (let b = 0; b < 2; b++) m.update(yTrue[b], yPred[b]);
    expectClose(
      ms.map((m) => m.result()),
      [11 / 18, 1 / 2, 47 / 90],
    );
    expect(Array.from((ms[0] as CountingMetric).counts())).toEqual([1, 1, 1, 1, 0, 1, 1, 2, 1]);
    // Counts computed elsewhere merge exactly.
    const other = new ClassificationScore('precision', 'precision', 'macro');
    other.update(yTrue[0], yPred[0]);
    const rest = new ClassificationScore('precision', 'precision', 'macro');
    rest.update(yTrue[1], yPred[1]);
    other.merge(rest.counts());
    expectClose([other.result()], [11 / 18]);
    for (const t of [...yTrue, ...yPred]) t.dispose();
  });

  it("resolves 'accuracy' as Keras does, from the loss and the output shape", () => {
    const kind = (id: string, loss?: unknown, shape?: (number | null)[]) =>
      (getMetric(id, loss, shape) as Accuracy).kind;
    expect(kind('accuracy', 'sparseCategoricalCrossentropy', [null, 10])).toBe('sparseCategorical');
    expect(kind('accuracy', 'sparse_categorical_crossentropy', [null, 10])).toBe('sparseCategorical');
    expect(kind('acc', 'categoricalCrossentropy', [null, 10])).toBe('categorical');
    expect(kind('accuracy', 'binaryCrossentropy', [null, 4])).toBe('binary');
    expect(kind('accuracy', 'meanSquaredError', [null, 1])).toBe('binary');
    expect(kind('accuracy', function sparseCategoricalCrossentropy() {}, [null, 10])).toBe('sparseCategorical');
    expect(kind('accuracy', 'meanSquaredError', [null, 3])).toBe('auto');
    expect(getMetric('acc', 'categoricalCrossentropy').name).toBe('acc');
    // Logged as TF.js logs it.
    expect(getMetric('accuracy').name).toBe('acc');
    expect(kind('binary_accuracy')).toBe('binary');
    expect(kind('sparseCategoricalAccuracy')).toBe('sparseCategorical');
  });

  it("'auto' accuracy reads sparse or one-hot labels from the batch", () => {
    const m = getMetric('accuracy', 'meanSquaredError', [null, 3]);
    const yPred = tensor(MC_PRED);
    const sparse = tensor(MC_TRUE, [6], 'int32');
    const dense = tensor(oneHot(MC_TRUE, 3));
    expect(m.update(sparse, yPred)).toBe(0.5);
    expect(m.update(dense, yPred)).toBe(0.5);
    expect(m.result()).toBe(0.5);
    for (const t of [yPred, sparse, dense]) t.dispose();
  });

  it('resolves precision/recall/f1 to binary or macro and maps the metric functions to counting metrics', () => {
    expect((getMetric('precision', 'binaryCrossentropy', [null, 1]) as ClassificationScore).mode).toBe('binary');
    expect((getMetric('recall', 'sparseCategoricalCrossentropy', [null, 10]) as ClassificationScore).mode).toBe(
      'macro',
    );
    expect((getMetric('f1', undefined, [null, 10]) as ClassificationScore).mode).toBe('macro');
    expect((getMetric('f1_score', 'binaryCrossentropy') as ClassificationScore).score).toBe('f1');
    expect((getMetric('macroRecall') as ClassificationScore).mode).toBe('macro');
    const fromFn = getMetric(metrics.precision, 'binaryCrossentropy', [null, 1]);
    expect(fromFn).toBeInstanceOf(ClassificationScore);
    expect(fromFn.name).toBe('precision');
    expect(getMetric(metrics.sparseCategoricalAccuracy)).toBeInstanceOf(Accuracy);
    const obj = new Accuracy('acc', 'binary');
    expect(getMetric(obj)).toBe(obj);
    expect(() => getMetric('accuracyy')).toThrow(/unknown metric 'accuracyy'. Known: accuracy/);
  });

  it('wraps custom metric functions in a weighted running mean', () => {
    // Per-example |yPred - yTrue|: batch 1 gives [1, 3] (mean 2), batch 2 gives [6] (mean 6);
    // the epoch mean weighs by examples: (1 + 3 + 6) / 3 = 10/3.
    const m = getMetric(function absErr(t: Tensor, p: Tensor) {
      return metrics.mae(t, p);
    });
    expect(m).toBeInstanceOf(MeanMetricWrapper);
    expect(m.name).toBe('absErr');
    const a = [tensor([0, 0]), tensor([1, -3])];
    const b = [tensor([2]), tensor([8])];
    const before = memory().numTensors;
    expect(m.update(a[0], a[1])).toBe(2);
    expect(m.update(b[0], b[1])).toBe(6);
    expect(memory().numTensors).toBe(before);
    expectClose([m.result()], [10 / 3]);
    for (const t of [...a, ...b]) t.dispose();
  });

  it('Mean weighs batch losses by batch size', () => {
    // (2·32 + 4·16) / 48 = 8/3
    const loss = new Mean();
    loss.update(2, 32);
    loss.update(4, 16);
    expectClose([loss.result()], [8 / 3]);
    loss.reset();
    expect(loss.result()).toBe(0);
  });
});
