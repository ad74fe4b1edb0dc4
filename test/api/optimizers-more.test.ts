// Adagrad, Adadelta, Adamax (against TF.js cpu), AMSGrad and AdamW (against Keras's
// rule written out in float64), gradient clipping and learning-rate schedules.

import { expect, it } from 'vitest';
import { describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import { variable } from '../../ts/tensor/tensor.js';
import {
  AdamWOptimizer,
  CosineDecay,
  ExponentialDecay,
  getOptimizer,
  InverseTimeDecay,
  Optimizer,
  optimizerFromConfig,
  PiecewiseConstantDecay,
  PolynomialDecay,
  schedules,
  train,
} from '../../ts/optimizers/index.js';

let nextName = 0;
const uniqueName = (base: string) => `${base}_more_${nextName++}`;

/** Runs `steps` updates of `opt` on variables of `sizes` with seeded gradients; returns values and named slots. */
async function runFerrite(opt: Optimizer, sizes: number[], steps: number, seed: number) {
  const rand = rng(seed);
  const inits = sizes.map((n) => randomArray(n, rand));
  const grads = Array.from({ length: steps }, () => sizes.map((n) => randomArray(n, rand, -2, 2)));
  const vars = inits.map((x) => variable(tensor(x), true, uniqueName('w')));
  for (const gs of grads) {
    tidy(() => opt.applyGradients(Object.fromEntries(vars.map((v, k) => [v.name, tensor(gs[k])]))));
  }
  const weights = await opt.getWeights();
  const slots = weights.slice(1).map((w) => ({
    name: w.name.replace(/^.*\//, `${vars.findIndex((v) => w.name.startsWith(`${v.name}/`))}/`),
    values: Array.from(w.tensor.dataSync()),
  }));
  const values = vars.map((v) => Array.from(v.dataSync()));
  weights.forEach((w) => w.tensor.dispose());
  vars.forEach((v) => v.dispose());
  opt.dispose();
  return { inits, grads, values, slots };
}

type Rule = (p: number[], g: number[], s: Record<string, number[]>, t: number) => void;

/** The float64 reference: `rule` applied step by step (t = 1 on the first step). */
function runReference(inits: Float32Array[], grads: Float32Array[][], rule: Rule) {
  return inits.map((x, k) => {
    const p = Array.from(x);
    const slots: Record<string, number[]> = {};
    grads.forEach((gs, t) => rule(p, Array.from(gs[k]), slots, t + 1));
    return { p, slots };
  });
}
const slot = (s: Record<string, number[]>, name: string, n: number) => (s[name] ??= new Array<number>(n).fill(0));

/** Keras's Adam with amsgrad and decoupled weight decay (AdamW), one step. */
const kerasAdam =
  (lr: number, b1: number, b2: number, eps: number, amsgrad: boolean, wd = 0): Rule =>
  (p, g, s, t) => {
    const [m, v, vh] = ['m', 'v', 'vhat'].map((k) => slot(s, k, p.length));
    const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    g.forEach((gi, i) => {
      p[i] -= p[i] * wd * lr;
      m[i] += (gi - m[i]) * (1 - b1);
      v[i] += (gi * gi - v[i]) * (1 - b2);
      vh[i] = Math.max(vh[i], v[i]);
      p[i] -= (alpha * m[i]) / (Math.sqrt(amsgrad ? vh[i] : v[i]) + eps);
    });
  };

describeEachBuild('optimizers: adagrad, adadelta, adamax, amsgrad, adamw', () => {
  const sizes = [1, 7, 33];
  const tfjsCases: {
    name: string;
    ours: () => Optimizer;
    theirs: (tf: Awaited<ReturnType<typeof tfjsCpu>>) => import('@tensorflow/tfjs').Optimizer;
    slots: string[];
  }[] = [
    {
      name: 'adagrad',
      ours: () => train.adagrad(0.1, 0.2),
      theirs: (tf) => tf.train.adagrad(0.1, 0.2),
      slots: ['accumulator'],
    },
    {
      name: 'adadelta',
      ours: () => train.adadelta(0.5, 0.9, 1e-6),
      theirs: (tf) => tf.train.adadelta(0.5, 0.9, 1e-6),
      slots: ['accum_grad', 'accum_var'],
    },
    {
      name: 'adamax',
      ours: () => train.adamax(0.02, 0.8, 0.95, 1e-7, 0.1),
      theirs: (tf) => tf.train.adamax(0.02, 0.8, 0.95, 1e-7, 0.1),
      slots: ['m', 'v'],
    },
  ];

  for (const c of tfjsCases) {
    it(`${c.name}: five steps agree with TF.js cpu, values and named slots`, async () => {
      const tf = await tfjsCpu();
      const ours = await runFerrite(c.ours(), sizes, 5, 11);
      const opt = c.theirs(tf);
      const vars = ours.inits.map((x, k) => tf.variable(tf.tensor1d(x), true, `tfjs_${c.name}_${k}_${nextName++}`));
      for (const gs of ours.grads) {
        tf.tidy(() => opt.applyGradients(Object.fromEntries(vars.map((v, k) => [v.name, tf.tensor1d(gs[k])]))));
      }
      vars.forEach((v, k) => expectClose(ours.values[k], v.dataSync(), 2e-5, 2e-6, `${c.name} variable ${k}`));
      // TF.js's Adamax cannot save its state (getWeights throws): its slots are checked by name only.
      const theirs = c.name === 'adamax' ? [] : await opt.getWeights();
      for (const w of theirs.slice(1)) {
        const k = vars.findIndex((v) => w.name.startsWith(`${v.name}/`));
        const name = `${k}/${w.name.slice(w.name.lastIndexOf('/') + 1)}`;
        const mine = ours.slots.find((s) => s.name === name);
        expect(mine, name).toBeDefined();
        expectClose(mine!.values, w.tensor.dataSync(), 2e-5, 2e-6, name);
      }
      expect(ours.slots.map((s) => s.name).sort()).toEqual(
        sizes.flatMap((_, k) => c.slots.map((s) => `${k}/${s}`)).sort(),
      );
      opt.dispose();
      vars.forEach((v) => v.dispose());
    });
  }

  const kerasCases: { name: string; ours: () => Optimizer; rule: Rule; slots: string[] }[] = [
    {
      name: 'adam (amsgrad)',
      ours: () => train.adam(0.05, 0.9, 0.99, 1e-7, true),
      rule: kerasAdam(0.05, 0.9, 0.99, 1e-7, true),
      slots: ['m', 'v', 'vhat'],
    },
    {
      name: 'adamw',
      ours: () => train.adamw(0.05, 0.1),
      rule: kerasAdam(0.05, 0.9, 0.999, 1e-7, false, 0.1),
      slots: ['m', 'v'],
    },
    {
      name: 'adamw (amsgrad)',
      ours: () => new AdamWOptimizer(0.02, 0.3, 0.8, 0.9, 1e-6, true),
      rule: kerasAdam(0.02, 0.8, 0.9, 1e-6, true, 0.3),
      slots: ['m', 'v', 'vhat'],
    },
  ];
  for (const c of kerasCases) {
    it(`${c.name}: five steps follow Keras's rule (float64 reference)`, async () => {
      const ours = await runFerrite(c.ours(), sizes, 5, 5);
      const ref = runReference(ours.inits, ours.grads, c.rule);
      ref.forEach((r, k) => expectClose(ours.values[k], r.p, 2e-5, 2e-6, `${c.name} variable ${k}`));
      for (const s of ours.slots) {
        const [k, name] = s.name.split('/');
        expectClose(s.values, ref[Number(k)].slots[name], 2e-5, 2e-6, s.name);
      }
      expect(ours.slots.map((s) => s.name).sort()).toEqual(
        sizes.flatMap((_, k) => c.slots.map((s) => `${k}/${s}`)).sort(),
      );
    });
  }

  it('a weight above the threading grain updates as the reference (amsgrad, adamax)', async () => {
    const n = (1 << 18) + 37;
    const ours = await runFerrite(train.adam(0.01, 0.9, 0.999, 1e-7, true), [n], 3, 2);
    const ref = runReference(ours.inits, ours.grads, kerasAdam(0.01, 0.9, 0.999, 1e-7, true));
    expectClose(ours.values[0], ref[0].p, 2e-5, 2e-6, 'amsgrad, large');
    const mx = await runFerrite(train.adamax(0.01), [n], 2, 3);
    // Adamax written out: m = b1 m + (1 - b1) g, u = max(b2 u, |g|), p -= lr / (1 - b1^t) m / (u + eps).
    const mref = runReference(mx.inits, mx.grads, (p, g, s, t) => {
      const [m, u] = ['m', 'u'].map((k) => slot(s, k, p.length));
      g.forEach((gi, i) => {
        m[i] = 0.9 * m[i] + 0.1 * gi;
        u[i] = Math.max(0.999 * u[i], Math.abs(gi));
        p[i] -= ((0.01 / (1 - 0.9 ** t)) * m[i]) / (u[i] + 1e-7);
      });
    });
    expectClose(mx.values[0], mref[0].p, 2e-5, 2e-6, 'adamax, large');
  });

  it('state round-trips: a restored optimizer continues identically', async () => {
    for (const make of [
      () => train.adagrad(0.1),
      () => train.adadelta(1),
      () => train.adam(0.05, 0.9, 0.99, 1e-7, true),
    ]) {
      const w = variable(tensor(randomArray(6, rng(3)), [2, 3]), true, uniqueName('w'));
      const step = (opt: Optimizer, seed: number) =>
        tidy(() => opt.applyGradients({ [w.name]: tensor(randomArray(6, rng(seed)), [2, 3]) }));
      const a = make();
      for (let s = 0; s < 3; s++) step(a, s);
      const saved = await a.getWeights();
      const values = w.dataSync();
      step(a, 9);
      const continued = Array.from(w.dataSync());
      tidy(() => w.assign(tensor(values, [2, 3])));
      const b = make();
      await b.setWeights(saved);
      step(b, 9);
      expect(Array.from(w.dataSync())).toEqual(continued);
      saved.forEach((t) => t.tensor.dispose());
      [a, b].forEach((o) => o.dispose());
      w.dispose();
    }
  });
});

describeEachBuild('gradient clipping (Keras clipnorm, globalClipnorm, clipvalue)', () => {
  /** One SGD(1) step on two variables with gradients ga, gb: the variables start at 0, so they end at -clipped. */
  function clippedStep(set: (o: Optimizer) => void, ga: number[], gb: number[]): number[][] {
    const a = variable(tensor(ga.map(() => 0)), true, uniqueName('a'));
    const b = variable(tensor(gb.map(() => 0)), true, uniqueName('b'));
    const opt = train.sgd(1);
    set(opt);
    const before = memory().numTensors;
    const g = { [a.name]: tensor(ga), [b.name]: tensor(gb) };
    opt.applyGradients(g);
    // The caller's gradients are untouched and no temporary survives.
    expect(Array.from(g[a.name].dataSync())).toEqual(ga.map(Math.fround));
    Object.values(g).forEach((t) => t.dispose());
    expect(memory().numTensors).toBe(before);
    const out = [a, b].map((v) => Array.from(v.dataSync()).map((x) => -x));
    [a, b].forEach((v) => v.dispose());
    return out;
  }

  it('clipnorm rescales each gradient to norm <= clipnorm; a smaller one is unchanged', () => {
    // |ga| = 5, |gb| = 1.
    const [a, b] = clippedStep((o) => (o.clipnorm = 2), [3, 4], [0.6, 0.8]);
    expectClose(a, [1.2, 1.6], 1e-6);
    expectClose(b, [0.6, 0.8], 1e-6);
  });

  it('globalClipnorm rescales all gradients by one factor', () => {
    // Global norm sqrt(25 + 144) = 13.
    const [a, b] = clippedStep((o) => (o.globalClipnorm = 1.3), [3, 4], [12]);
    expectClose(a, [0.3, 0.4], 1e-6);
    expectClose(b, [1.2], 1e-6);
  });

  it('clipvalue clips each element', () => {
    const [a, b] = clippedStep((o) => (o.clipvalue = 0.5), [3, -0.2], [-7]);
    expectClose(a, [0.5, -0.2], 1e-6);
    expectClose(b, [-0.5], 1e-6);
  });

  it('options are validated, exclusive as in Keras, and saved in the config', () => {
    const opt = train.adam(0.01);
    opt.clipnorm = 1;
    expect(() => (opt.globalClipnorm = 2)).toThrow(/Adam: only one of clipnorm and globalClipnorm can be set/);
    expect(() => (opt.clipvalue = -1)).toThrow(/Adam: clipvalue must be a number >= 1e-300, got -1/);
    opt.clipvalue = 3;
    const copy = optimizerFromConfig('Adam', opt.getConfig());
    expect(copy.clipnorm).toBe(1);
    expect(copy.clipvalue).toBe(3);
    expect(copy.globalClipnorm).toBeNull();
    expect(copy.getConfig()).toEqual({
      learningRate: 0.01,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      clipnorm: 1,
      clipvalue: 3,
    });
  });
});

describeEachBuild('learning-rate schedules (Keras)', () => {
  it('each schedule gives Keras’s formula at a few steps', () => {
    const exp = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(exp.at(0)).toBeCloseTo(0.1, 12);
    expect(exp.at(5)).toBeCloseTo(0.1 * 0.5 ** 0.5, 12);
    const stairs = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect(stairs.at(19)).toBeCloseTo(0.05, 12);
    const inv = new InverseTimeDecay({ initialLearningRate: 1, decaySteps: 4, decayRate: 0.5 });
    expect(inv.at(6)).toBeCloseTo(1 / (1 + 0.5 * 1.5), 12);
    const pw = new PiecewiseConstantDecay({ boundaries: [2, 5], values: [1, 0.5, 0.1] });
    expect([0, 2, 3, 5, 6, 100].map((s) => pw.at(s))).toEqual([1, 1, 0.5, 0.5, 0.1, 0.1]);
    const poly = new PolynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0.1, power: 2 });
    expect(poly.at(5)).toBeCloseTo(0.9 * 0.25 + 0.1, 12);
    expect(poly.at(50)).toBeCloseTo(0.1, 12);
    const cyc = new PolynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0, cycle: true });
    expect(cyc.at(15)).toBeCloseTo(1 - 15 / 20, 12);
    const cos = new CosineDecay({ initialLearningRate: 1, decaySteps: 10, alpha: 0.1 });
    expect(cos.at(5)).toBeCloseTo(0.9 * 0.5 + 0.1, 12);
    expect(cos.at(20)).toBeCloseTo(0.1, 12);
    const warm = new CosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4 });
    expect(warm.at(1)).toBeCloseTo(0.25, 12);
    expect(warm.at(4 + 5)).toBeCloseTo(0.5, 12);
    expect(() => new PiecewiseConstantDecay({ boundaries: [1], values: [1] })).toThrow(
      /PiecewiseConstantDecay: values must have one more entry than boundaries, got 1 values and 1 boundaries/,
    );
  });

  it('an optimizer with a schedule uses its value at step 0, 1, ... (SGD step sizes)', () => {
    const w = variable(tensor([0]), true, uniqueName('w'));
    const opt = train.sgd(schedules.piecewiseConstantDecay({ boundaries: [0, 1], values: [1, 0.5, 0.25] }));
    const seen: number[] = [];
    let last = 0;
    for (let s = 0; s < 4; s++) {
      expect(opt.learningRate).toBe([1, 0.5, 0.25, 0.25][s]);
      tidy(() => opt.applyGradients({ [w.name]: tensor([-1]) }));
      const now = w.dataSync()[0];
      seen.push(now - last);
      last = now;
    }
    expect(seen).toEqual([1, 0.5, 0.25, 0.25]);
    w.dispose();
    opt.dispose();
  });

  it('schedules serialise with the optimizer (Keras {className, config}) and come back', () => {
    const sched = schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 100 });
    const opt = train.adamw(sched, 0.01);
    const config = opt.getConfig();
    expect(config.learningRate).toEqual({
      className: 'CosineDecay',
      config: { initialLearningRate: 0.1, decaySteps: 100, alpha: 0, warmupTarget: null, warmupSteps: 0 },
    });
    const copy = optimizerFromConfig('AdamW', config);
    expect(copy.learningRateSchedule).toBeInstanceOf(CosineDecay);
    expect(copy.learningRateSchedule!.at(50)).toBeCloseTo(0.05, 12);
    // Keras's snake_case form, as converted by the model loader, also loads.
    const keras = optimizerFromConfig('Adam', {
      learningRate: {
        class_name: 'ExponentialDecay',
        config: { initialLearningRate: 1, decaySteps: 1, decayRate: 0.5 },
      },
    } as never);
    expect(keras.learningRateSchedule!.at(2)).toBe(0.25);
    // Setting a number replaces the schedule.
    copy.learningRate = 0.3;
    expect(copy.learningRateSchedule).toBeNull();
    expect(copy.getConfig().learningRate).toBe(0.3);
  });

  it('compile names: the new optimizers with Keras defaults', () => {
    expect(getOptimizer('adamw').getConfig()).toEqual({
      learningRate: 0.001,
      weightDecay: 0.004,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
    });
    expect(train.adam(0.1, 0.9, 0.999, 1e-7, true).getConfig().amsgrad).toBe(true);
    expect(getOptimizer('Adagrad').getClassName()).toBe('Adagrad');
    expect(getOptimizer('adadelta').getConfig()).toEqual({ learningRate: 0.001, rho: 0.95, epsilon: 1e-7 });
    expect(getOptimizer('adamax').getClassName()).toBe('Adamax');
  });
});
