// tf.buffer, tf.util and tf.nextFrame as programs use them: building data element by
// element, checking shapes, shuffling indices, yielding between steps.
import type * as TF from '@tensorflow/tfjs';

export async function run(tf: typeof TF): Promise<unknown> {
  const buf = tf.buffer([3, 4], 'float32');
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) buf.set(r * 10 + c, r, c);
  const t = buf.toTensor();
  tf.util.assert(tf.util.arraysEqual(t.shape, [3, 4]), () => 'unexpected shape');
  const indices = tf.util.createShuffledIndices(10);
  const sortedOk = tf.util.arraysEqual(
    Array.from(indices).sort((x, y) => x - y),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  const arr = [1, 2, 3, 4];
  tf.util.shuffle(arr);
  await tf.nextFrame();
  const rowSums = (t.sum(1) as TF.Tensor1D).arraySync();
  const picked = t
    .gather(tf.tensor1d([2, 0], 'int32'))
    .as1D()
    .arraySync();
  const back = t.bufferSync();
  const ints = tf.tensor1d([7, -7, 9], 'int32').div(tf.tensor1d([2, 2, 4], 'int32'));
  const result = {
    size: tf.util.sizeFromShape([3, 4, 5]),
    flat: tf.util.flatten([[1, [2, 3]], [4]]),
    sortedOk,
    shuffledSum: arr.reduce((s, v) => s + v, 0),
    rowSums,
    picked,
    get23: back.get(2, 3),
    strides: buf.strides,
    ints: Array.from(ints.dataSync()),
    intsDtype: ints.dtype,
  };
  tf.dispose([t, ints]);
  return result;
}
