// fitDataset from a generator, as TF.js's "tf.data" guide writes it: tf.data.generator
// for features, tf.data.array for oneHot (int32) labels, zip, batch, then
// model.fitDataset with metrics ['accuracy'] and evaluate on int32 inputs (TF.js casts
// them to the float32 model input).
import type * as TF from '@tensorflow/tfjs';

export async function run(tf: typeof TF): Promise<unknown> {
  const n = 48;
  const point = (i: number): number[] => [Math.sin(i * 1.3) * 2, Math.cos(i * 0.7) * 2];
  const label = (i: number): number => (point(i)[0] + point(i)[1] > 0 ? 1 : 0);

  function* features() {
    for (let i = 0; i < n; i++) yield tf.tensor1d(point(i));
  }
  const labels = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => label(i)),
        'int32',
      ),
      2,
    ),
  );
  const xs = tf.data.generator(features);
  const rows = labels.unstack();
  const ys = tf.data.array(rows);
  const ds = tf.data.zip({ xs, ys }).batch(8);

  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 4, inputShape: [2], activation: 'tanh', kernelInitializer: 'ones' }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: 'zeros' }));
  // A fixed start so both libraries train from the same weights.
  tf.tidy(() =>
    model.layers[0].setWeights([tf.tensor2d([0.5, -0.3, 0.2, 0.1, 0.4, 0.6, -0.2, 0.3], [2, 4]), tf.zeros([4])]),
  );
  const optimizer = tf.train.sgd(0.3);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const epochs: number[] = [];
  const history = await model.fitDataset(ds, {
    epochs: 4,
    verbose: 0,
    callbacks: { onEpochEnd: async (epoch) => void epochs.push(epoch) },
  });

  const xInt = tf.tensor2d([2, 1, -2, -1, 1, 1], [3, 2], 'int32');
  const yInt = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 0, 1], 'int32'), 2));
  const evaluated = model.evaluate(xInt, yInt) as TF.Scalar[];
  const result = {
    epochs,
    loss: history.history.loss,
    acc: history.history.acc,
    evaluated: evaluated.map((t) => t.dataSync()[0]),
    predicted: tf.tidy(() => (model.predict(xInt) as TF.Tensor).arraySync()),
    labelsDtype: labels.dtype,
  };
  tf.dispose([labels, ...rows, xInt, yInt, ...evaluated]);
  model.dispose();
  optimizer.dispose(); // the model disposes only an optimizer it made from a name
  return result;
}
