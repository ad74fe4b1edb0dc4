// TensorFlow.js on its cpu backend: the numeric oracle of parity tests.

import type * as TF from '@tensorflow/tfjs';

let loaded: Promise<typeof TF> | undefined;

/** `@tensorflow/tfjs` with the cpu backend selected (loaded once). */
export function tfjsCpu(): Promise<typeof TF> {
  loaded ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  })();
  return loaded;
}
