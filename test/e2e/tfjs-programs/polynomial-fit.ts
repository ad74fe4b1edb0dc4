// The core-API curve fit of TF.js's "fitting a curve to synthetic data" example:
// variables, tensor methods and optimizer.minimize.
import type * as TF from '@tensorflow/tfjs';

export function run(tf: typeof TF): number[] {
  const a = tf.variable(tf.scalar(0.1));
  const b = tf.variable(tf.scalar(0.2));
  const c = tf.variable(tf.scalar(-0.3));
  const d = tf.variable(tf.scalar(0.4));
  const xsArr = Array.from({ length: 40 }, (_, i) => -1 + (2 * i) / 39);
  const xs = tf.tensor1d(xsArr);
  const ys = tf.tensor1d(xsArr.map((x) => -0.8 * x ** 3 + 0.5 * x ** 2 + 0.3 * x - 0.2));

  const predict = (x: TF.Tensor): TF.Tensor =>
    tf.tidy(() =>
      a
        .mul(x.pow(tf.scalar(3, 'int32')))
        .add(b.mul(x.square()))
        .add(c.mul(x))
        .add(d),
    );
  const loss = (pred: TF.Tensor, labels: TF.Tensor): TF.Scalar => pred.sub(labels).square().mean();

  const optimizer = tf.train.sgd(0.5);
  for (let i = 0; i < 200; i++) optimizer.minimize(() => loss(predict(xs), ys));
  const out = [a, b, c, d].map((v) => v.dataSync()[0]);
  tf.dispose([a, b, c, d, xs, ys]);
  return out;
}
