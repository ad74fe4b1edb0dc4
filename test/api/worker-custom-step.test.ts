// Custom training in the background worker: trainer.trainOnBatch, and step modules
// (trainer.loadStep / trainer.step) for loops fit does not run: a GAN's two models trained
// in turn, a TF.js-style optimizer.minimize loop. Each is checked against the same
// training run on this thread (same seed, same initial weights), and every failure rejects
// with a message naming what failed.

import { afterEach, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import type { Trainer } from '../../ts/worker/index.js';
import { expectClose, rng } from '../support/helpers.js';

interface GanLosses {
  dLoss: number;
  gLoss: number;
}
/** The GAN step module, imported here too to run the same training on this thread. */
const ganStep = (await import(new URL('./worker-steps/gan-step.mjs', import.meta.url).href)) as {
  setup(ctx: object): unknown;
  step(ctx: object, inputs: { real: fe.Tensor }): Promise<GanLosses>;
};

const STEPS = new URL('./worker-steps/', import.meta.url);
const trainers: Trainer[] = [];
afterEach(() => {
  for (const t of trainers.splice(0)) t.terminate();
});
async function create(...args: Parameters<typeof fe.worker.create>): Promise<Trainer> {
  const t = await fe.worker.create(...args);
  trainers.push(t);
  return t;
}

/** n samples of y = x . wTrue + bTrue (no noise), x uniform in [-1, 1]. */
function regression(n: number, wTrue: number[], bTrue: number, seed: number) {
  const rand = rng(seed);
  const x = new Float32Array(n * wTrue.length);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = bTrue;
    for (let j = 0; j < wTrue.length; j++) s += wTrue[j] * (x[i * wTrue.length + j] = rand() * 2 - 1);
    y[i] = s;
  }
  return { x, y };
}

function classifier(): fe.Sequential {
  fe.setRandomSeed(7);
  const model = fe.sequential({
    layers: [
      fe.layers.dense({ units: 16, activation: 'tanh', inputShape: [3] }),
      fe.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: fe.train.adam(0.05), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

describe('trainer.trainOnBatch', () => {
  it('gives the losses and metrics model.trainOnBatch gives on this thread, batch after batch, and the loss falls', async () => {
    await fe.ready();
    const { x, y } = regression(64, [1, -2, 0.5], 0, 3);
    const labels = Int32Array.from(y, (v) => (v > 0 ? 1 : 0));
    const here = classifier();
    const trainer = await create(here); // a copy: the same initial weights and compile settings
    const xt = fe.tensor2d(x, [64, 3]);
    const yt = fe.tensor1d(labels, 'int32');
    const worker: number[][] = [];
    const local: number[][] = [];
    for (let i = 0; i < 30; i++) {
      worker.push((await trainer.trainOnBatch(xt, yt)) as number[]);
      local.push((await here.trainOnBatch(xt, yt)) as number[]);
    }
    expect(worker[0]).toHaveLength(2); // [loss, accuracy]
    expectClose(worker.flat(), local.flat(), 1e-4);
    expect(worker[29][0]).toBeLessThan(worker[0][0] / 3);
    expect(worker[29][1]).toBeGreaterThan(0.9);
    fe.dispose([xt, yt]);
    here.dispose();
  });

  it('takes typed arrays and resident data, and refuses bad shapes before sending anything', async () => {
    const trainer = await create(classifier());
    const x = new Float32Array(8 * 3).fill(0.5);
    const y = new Int32Array(8).fill(1);
    const held = await trainer.putData({ data: x.slice(), shape: [8, 3] });
    const loss = (await trainer.trainOnBatch(held, { data: y.slice(), shape: [8] })) as number[];
    expect(Number.isFinite(loss[0])).toBe(true);
    const bad = { data: new Float32Array(8 * 4), shape: [8, 4] };
    await expect(trainer.trainOnBatch(bad, { data: y, shape: [8] })).rejects.toThrow(
      /trainOnBatch: x has shape \[8, 4\], but the model expects \[null, 3\]/,
    );
    expect(bad.data.length).toBe(32); // not transferred
  });

  it('refuses an uncompiled model, saying how to compile it', async () => {
    const model = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
    const trainer = await create(model);
    await expect(
      trainer.trainOnBatch({ data: new Float32Array(2), shape: [1, 2] }, { data: new Float32Array(1), shape: [1, 1] }),
    ).rejects.toThrow(/trainOnBatch: the model is not compiled; pass \{compile/);
  });
});

describe('step modules (trainer.loadStep, trainer.step)', () => {
  it('a GAN (generator and discriminator, one combined step) trains in the worker exactly as on this thread', async () => {
    await fe.ready();
    const latent = 4;
    fe.setRandomSeed(11);
    const g = fe.sequential({
      layers: [fe.layers.dense({ units: 8, activation: 'relu', inputShape: [latent] }), fe.layers.dense({ units: 2 })],
    });
    const d = fe.sequential({
      layers: [
        fe.layers.dense({ units: 8, activation: 'relu', inputShape: [2] }),
        fe.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    // Real samples: points near (2, -1).
    const rand = rng(5);
    const real = Float32Array.from({ length: 32 * 2 }, (_, i) => (i % 2 === 0 ? 2 : -1) + 0.3 * (rand() - 0.5));
    const options = { latent, seed: 21 };

    const trainer = await create(g, { models: { d } });
    await trainer.loadStep(new URL('gan-step.mjs', STEPS), options);
    const held = await trainer.putData({ data: real.slice(), shape: [32, 2] });
    const inWorker: GanLosses[] = [];
    for (let i = 0; i < 15; i++) inWorker.push((await trainer.step({ real: held })) as GanLosses);

    // The same module on this thread, from the same weights and seed.
    const ctx = { fe, model: g, models: { d }, options, state: undefined as unknown };
    ctx.state = ganStep.setup(ctx);
    const realT = fe.tensor2d(real, [32, 2]);
    const here: GanLosses[] = [];
    for (let i = 0; i < 15; i++) here.push(await ganStep.step(ctx, { real: realT }));

    expect(inWorker.every((l) => Number.isFinite(l.dLoss) && Number.isFinite(l.gLoss))).toBe(true);
    expectClose(
      inWorker.flatMap((l) => [l.dLoss, l.gLoss]),
      here.flatMap((l) => [l.dLoss, l.gLoss]),
      1e-4,
    );
    // The generator in the worker (the trainer's model) is the one the step trained.
    const gWorker = await trainer.getWeights();
    expectClose(
      gWorker.map((w) => Array.from(w.dataSync())).flat(),
      g
        .getWeights()
        .map((w) => Array.from(w.dataSync()))
        .flat(),
      1e-4,
    );
    fe.dispose([...gWorker, realT]);
  });

  it('an optimizer.minimize loop on the module own variables finds the true weights; returned Variables come back as Tensors', async () => {
    const trainer = await create(fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [3] })] }));
    await trainer.loadStep(new URL('regression-step.mjs', STEPS).pathname, { features: 3, learningRate: 0.3 });
    const { x, y } = regression(128, [2, -1, 0.5], 0.3, 9);
    const xs = await trainer.putData({ data: x, shape: [128, 3] });
    const ys = await trainer.putData({ data: y, shape: [128, 1] });
    let last: { loss: number; w: fe.Tensor; b: fe.Tensor } | undefined;
    const losses: number[] = [];
    for (let i = 0; i < 300; i++) {
      if (last) fe.dispose([last.w, last.b]);
      last = (await trainer.step({ x: xs, y: ys })) as { loss: number; w: fe.Tensor; b: fe.Tensor };
      losses.push(last.loss);
    }
    expect(last!.w).toBeInstanceOf(fe.Tensor);
    expectClose(Array.from(last!.w.dataSync()), [2, -1, 0.5], 1e-2);
    expectClose(Array.from(last!.b.dataSync()), [0.3], 1e-2);
    expect(losses[299]).toBeLessThan(1e-4);
    fe.dispose([last!.w, last!.b]);
  });

  it('rejects with a clear error: no module, no step export, a step that throws or returns a function, step before loadStep', async () => {
    const model = () => fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
    const trainer = await create(model());
    await expect(trainer.step({})).rejects.toThrow(/step: no step module loaded; call trainer.loadStep\(url\) first/);
    await expect(trainer.loadStep(new URL('missing-step.mjs', STEPS))).rejects.toThrow(
      /loadStep: cannot import the step module .*missing-step\.mjs/,
    );
    await expect(trainer.loadStep(new URL('no-step.mjs', STEPS))).rejects.toThrow(
      /no-step\.mjs exports no step function \(expected `export function step\(ctx, inputs, args\)`\)/,
    );
    await trainer.loadStep(new URL('faulty-step.mjs', STEPS));
    await expect(trainer.step({}, { fail: 'throw' })).rejects.toThrow(
      /step \(.*faulty-step\.mjs\) failed: the discriminator exploded/,
    );
    await expect(trainer.step({}, { fail: 'function' })).rejects.toThrow(/returned a function at result\.callback/);
    // The worker goes on after a failed step.
    expect(await trainer.step({})).toEqual({ ok: true });
    await expect(create(model(), { models: [model()] as never })).rejects.toThrow(
      /models must be an object of models by name/,
    );
  });
});
