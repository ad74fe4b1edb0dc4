// A GAN on a 1-D Gaussian, N(4, 1.25²), trained the two ways TF.js users write one:
// (1) Keras-classic: the discriminator compiled on its own, then frozen inside a combined
//     model generator -> discriminator that is compiled after it, both trained with
//     trainOnBatch; (2) a custom step: L_D = -[log D(x) + log(1 - D(G(z)))] and
//     L_G = -log D(G(z)) through variableGrads and optimizer.applyGradients on each
//     model's trainableWeights. Either way the generator must learn the mean and the spread.

import { describe, expect, it } from 'vitest';
import { memory, ones, zeros } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { input } from '../../ts/layers/index.js';
import { model, sequential, type Sequential } from '../../ts/models/index.js';
import { train } from '../../ts/optimizers/index.js';
import { variableGrads } from '../../ts/autograd/tape.js';
import { concat } from '../../ts/ops/shape.js';
import { randomNormal, setRandomSeed } from '../../ts/ops/random.js';
import { add, sub } from '../../ts/ops/arithmetic.js';
import { log, neg } from '../../ts/ops/unary.js';
import { mean } from '../../ts/ops/reduce.js';

const MEAN = 4;
const STD = 1.25;
const LATENT = 4;
const BATCH = 64;
const STEPS = 600;

function generator(): Sequential {
  return sequential({
    layers: [
      layers.dense({ inputShape: [LATENT], units: 16, activation: 'relu' }),
      layers.dense({ units: 16, activation: 'relu' }),
      layers.dense({ units: 1 }),
    ],
  });
}

function discriminator(): Sequential {
  return sequential({
    layers: [
      layers.dense({ inputShape: [1], units: 32, activation: 'relu' }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
}

const real = (): Tensor => randomNormal([BATCH, 1], MEAN, STD);
const noise = (n = BATCH): Tensor => randomNormal([n, LATENT]);

/** Mean and standard deviation of 4000 generated samples. */
function moments(g: Sequential): { mean: number; std: number } {
  const out = tidy(() => g.predict(noise(4000)) as Tensor);
  const v = Array.from(out.dataSync() as Float32Array);
  out.dispose();
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  return { mean: m, std: s };
}

describe('a GAN learns N(4, 1.25²)', () => {
  it('Keras-classic: discriminator frozen inside the combined model, trainOnBatch', async () => {
    setRandomSeed(7);
    const before = memory().numTensors;
    const g = generator();
    const d = discriminator();
    // Optimizer objects belong to the caller (TF.js's rule): disposed at the end.
    const [dOpt, gOpt] = [train.adam(0.005, 0.5), train.adam(0.005, 0.5)];
    d.compile({ optimizer: dOpt, loss: 'binaryCrossentropy' });
    // Frozen after its own compile: the combined model trains only the generator.
    d.trainable = false;
    const z = input({ shape: [LATENT] });
    const gan = model({ inputs: z, outputs: d.apply(g.apply(z)) as never });
    gan.compile({ optimizer: gOpt, loss: 'binaryCrossentropy' });
    const labels = tidy(() => concat([ones([BATCH, 1]), zeros([BATCH, 1])]));
    const target = ones([BATCH, 1]);
    const dBefore = d.weights.map((w) => w.dataSync().slice());
    for (let step = 0; step < STEPS; step++) {
      const [x, zs] = tidy(() => [concat([real(), g.predict(noise()) as Tensor]), noise()]);
      await d.trainOnBatch(x, labels);
      // The combined step must leave D's weights alone.
      const dNow = step === 0 ? d.weights.map((w) => w.dataSync().slice()) : null;
      await gan.trainOnBatch(zs, target);
      if (dNow) {
        const after = d.weights.map((w) => w.dataSync().slice());
        after.forEach((w, i) => expect(w).toEqual(dNow[i]));
        expect(after.some((w, i) => w.some((v, k) => v !== dBefore[i][k]))).toBe(true);
      }
      x.dispose();
      zs.dispose();
    }
    const { mean: m, std: s } = moments(g);
    expect(Math.abs(m - MEAN)).toBeLessThan(0.3);
    expect(Math.abs(s - STD)).toBeLessThan(0.35);
    labels.dispose();
    target.dispose();
    dOpt.dispose();
    gOpt.dispose();
    gan.dispose();
    g.dispose();
    d.dispose();
    expect(memory().numTensors).toBe(before);
  }, 60_000);

  it('custom step: variableGrads on trainableWeights and applyGradients', () => {
    setRandomSeed(11);
    const before = memory().numTensors;
    const g = generator();
    const d = discriminator();
    // Built on first apply: make the weights exist before listing them.
    tidy(() => {
      d.apply(g.apply(noise(1)));
    });
    const dOpt = train.adam(0.005, 0.5);
    const gOpt = train.adam(0.005, 0.5);
    const eps = 1e-7;
    for (let step = 0; step < STEPS; step++) {
      tidy(() => {
        const x = real();
        const z = noise();
        // L_D = -[log D(x) + log(1 - D(G(z)))]
        const dStep = variableGrads(
          () => {
            const fake = g.apply(z, { training: true }) as Tensor;
            const pReal = d.apply(x, { training: true }) as Tensor;
            const pFake = d.apply(fake, { training: true }) as Tensor;
            return neg(mean(add(log(add(pReal, eps)), log(add(sub(1, pFake), eps)))));
          },
          d.trainableWeights.map((w) => w.read()) as never,
        );
        dOpt.applyGradients(dStep.grads);
        // L_G = -log D(G(z))
        const gStep = variableGrads(
          () => {
            const pFake = d.apply(g.apply(noise(), { training: true }) as Tensor, { training: true }) as Tensor;
            return neg(mean(log(add(pFake, eps))));
          },
          g.trainableWeights.map((w) => w.read()) as never,
        );
        // Only the generator's weights got gradients.
        if (step === 0) expect(Object.keys(gStep.grads).sort()).toEqual(g.trainableWeights.map((w) => w.name).sort());
        gOpt.applyGradients(gStep.grads);
      });
    }
    const { mean: m, std: s } = moments(g);
    expect(Math.abs(m - MEAN)).toBeLessThan(0.3);
    expect(Math.abs(s - STD)).toBeLessThan(0.35);
    dOpt.dispose();
    gOpt.dispose();
    g.dispose();
    d.dispose();
    expect(memory().numTensors).toBe(before);
  }, 60_000);
});
