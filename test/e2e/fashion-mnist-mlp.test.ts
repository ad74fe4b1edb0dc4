// The Fashion-MNIST MLP program (examples/fashion-mnist-mlp.ts) end to end on the real
// data: one epoch of the 60,000 training images must reach the accuracy Keras reaches
// after one epoch.

import { describe, expect, it } from 'vitest';
import { main as fashionMnistMlp } from '../../examples/fashion-mnist-mlp.js';
import { fashionMnistOrWarn } from '../support/datasets.js';
import { oneEpochOnFashionMnist } from '../support/programs.js';

const present = fashionMnistOrWarn('test/e2e/fashion-mnist-mlp.test.ts');

describe.skipIf(!present)('Fashion-MNIST MLP (examples/fashion-mnist-mlp.ts)', () => {
  it('reaches >= 0.83 test accuracy after one epoch and leaves no tensor behind', async () => {
    // Keras reaches 0.84-0.86 after one epoch (0.88 after five).
    const r = await oneEpochOnFashionMnist(fashionMnistMlp);
    expect(r.history.history.loss[0]).toBeLessThan(0.6);
    expect(r.history.history.acc[0]).toBeGreaterThan(0.78);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.83);
    expect(r.testLoss).toBeLessThan(0.5);
  });
});
