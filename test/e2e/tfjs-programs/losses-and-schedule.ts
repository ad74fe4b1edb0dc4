// The core API's losses and metrics on hand-made data, comparison ops with where to
// clip outliers, and a core-API training loop whose learning rate decays by hand
// (TF.js's optimizers take a number: programs call setLearningRate as they go).
import type * as TF from '@tensorflow/tfjs';

export function run(tf: typeof TF): unknown {
  const out: Record<string, unknown> = {};
  tf.tidy(() => {
    // Comparison ops and where: replace outliers by the median-ish value 0.
    const raw = tf.tensor1d([0.2, 9, -0.4, 1.1, -12, 0.7]);
    const ok = raw.abs().lessEqual(5);
    const clean = tf.where(ok, raw, tf.zerosLike(raw));
    out.clean = clean.arraySync();
    out.okCount = ok.sum().dataSync()[0];
    out.okDtype = ok.dtype;

    // tf.losses: reduced losses called as (labels, predictions, weights?, reduction?).
    const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3).toFloat();
    const logits = tf.tensor2d([2, 0.5, -1, 0.1, 0.2, 3, -0.5, 1.5, 0.3, 0, 0, 0.4], [4, 3]);
    const probs = tf.softmax(logits);
    const w = tf.tensor1d([1, 0.5, 2, 1]);
    out.softmaxCE = tf.losses.softmaxCrossEntropy(labels, logits).dataSync()[0];
    out.softmaxCESmoothed = tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0.1).dataSync()[0];
    out.mse = tf.losses.meanSquaredError(labels, probs).dataSync()[0];
    out.huberWeighted = tf.losses.huberLoss(labels, probs, w.expandDims(1), 0.5).dataSync()[0];
    out.absSum = tf.losses.absoluteDifference(labels, probs, undefined, tf.Reduction.SUM).dataSync()[0];
    out.logLoss = tf.losses.logLoss(labels, probs).dataSync()[0];
    out.hinge = tf.losses.hingeLoss(labels, logits).dataSync()[0];
    out.cosine = tf.losses.cosineDistance(labels, probs, 1).dataSync()[0];

    // tf.metrics: per-sample values.
    out.catAcc = tf.metrics.categoricalAccuracy(labels, probs).arraySync();
    out.catCE = tf.metrics.categoricalCrossentropy(labels, probs).arraySync();
    out.precision = tf.metrics.precision(tf.tensor1d([1, 0, 1, 1]), tf.tensor1d([1, 1, 0, 1])).dataSync()[0];
    out.argMaxMatch = tf.equal(probs.argMax(-1), labels.argMax(-1)).toFloat().mean().dataSync()[0];
  });

  // A core-API loop: logistic regression with momentum and a learning rate halved every 10 steps.
  const xs = tf.tensor2d(Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(i * 1.7)]));
  const ys = tf.tensor2d(Array.from({ length: 20 }, (_, i) => [Math.sin(i) - Math.cos(i * 1.7) > 0 ? 1 : 0]));
  const wv = tf.tidy(() => tf.variable(tf.zeros([2, 1])));
  const bv = tf.tidy(() => tf.variable(tf.scalar(0)));
  const optimizer = tf.train.sgd(0.8);
  const losses: number[] = [];
  for (let step = 0; step < 30; step++) {
    if (step > 0 && step % 10 === 0) optimizer.setLearningRate(0.8 / 2 ** (step / 10));
    const cost = optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(ys, xs.matMul(wv).add(bv)) as TF.Scalar, true)!;
    if (step % 5 === 0) losses.push(cost.dataSync()[0]);
    cost.dispose();
  }
  out.losses = losses;
  out.weights = [...wv.dataSync(), bv.dataSync()[0]];
  tf.dispose([xs, ys, wv, bv]);
  optimizer.dispose();
  return out;
}
