import { expect, it } from 'vitest';
import { describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import { emptyTensor, variable, type Tensor, type Variable } from '../../ts/tensor/tensor.js';
import { record } from '../../ts/autograd/tape.js';
import { meanSquaredError } from '../../ts/losses/regression.js';
import {
  AdamOptimizer,
  getOptimizer,
  MomentumOptimizer,
  Optimizer,
  optimizerFromConfig,
  RMSPropOptimizer,
  SGDOptimizer,
  train,
} from '../../ts/optimizers/index.js';

// ---- float64 reference update rules (one step for a whole array) -----------------------

interface RefState {
  p: number[];
  slots: Record<string, number[]>;
  t: number;
}
type RefRule = (s: RefState, g: number[]) => void;
const slot = (s: RefState, name: string) => (s.slots[name] ??= s.p.map(() => 0));

const sgdRef =
  (lr: number): RefRule =>
  (s, g) => {
    s.p = s.p.map((p, i) => p - lr * g[i]);
  };
const momentumRef =
  (lr: number, m: number, nesterov: boolean): RefRule =>
  (s, g) => {
    const a = slot(s, 'momentum');
    g.forEach((gi, i) => {
      a[i] = m * a[i] + gi;
      s.p[i] -= lr * (nesterov ? gi + m * a[i] : a[i]);
    });
  };
const adamRef =
  (lr: number, b1: number, b2: number, eps: number): RefRule =>
  (s, g) => {
    const m = slot(s, 'm');
    const v = slot(s, 'v');
    s.t++;
    // TF.js's form: the bias corrections divide m and v, epsilon is added after.
    g.forEach((gi, i) => {
      m[i] += (gi - m[i]) * (1 - b1);
      v[i] += (gi * gi - v[i]) * (1 - b2);
      s.p[i] -= (lr * m[i]) / (1 - b1 ** s.t) / (Math.sqrt(v[i] / (1 - b2 ** s.t)) + eps);
    });
  };
const rmspropRef =
  (lr: number, rho: number, momentum: number, eps: number, centered: boolean): RefRule =>
  (s, g) => {
    const ms = slot(s, 'rms');
    g.forEach((gi, i) => {
      ms[i] = rho * ms[i] + (1 - rho) * gi * gi;
      let denom = ms[i] + eps;
      if (centered) {
        const mg = slot(s, 'mg');
        mg[i] = rho * mg[i] + (1 - rho) * gi;
        denom = ms[i] - mg[i] * mg[i] + eps;
      }
      const inc = (lr * gi) / Math.sqrt(denom);
      if (momentum > 0) {
        const mom = slot(s, 'momentum');
        mom[i] = momentum * mom[i] + inc;
        s.p[i] -= mom[i];
      } else {
        s.p[i] -= inc;
      }
    });
  };

let nextName = 0;
const uniqueName = (base: string) => `${base}_${nextName++}`;

describeEachBuild('optimizers', () => {
  const configs: { name: string; make: () => Optimizer; ref: () => RefRule; slots: string[] }[] = [
    { name: 'sgd', make: () => train.sgd(0.1), ref: () => sgdRef(0.1), slots: [] },
    {
      name: 'momentum',
      make: () => train.momentum(0.05, 0.9),
      ref: () => momentumRef(0.05, 0.9, false),
      slots: ['momentum'],
    },
    {
      name: 'momentum (Nesterov)',
      make: () => train.momentum(0.05, 0.8, true),
      ref: () => momentumRef(0.05, 0.8, true),
      slots: ['momentum'],
    },
    { name: 'adam', make: () => train.adam(0.01), ref: () => adamRef(0.01, 0.9, 0.999, 1e-7), slots: ['m', 'v'] },
    {
      name: 'adam (betas, epsilon)',
      make: () => train.adam(0.02, 0.8, 0.95, 1e-3),
      ref: () => adamRef(0.02, 0.8, 0.95, 1e-3),
      slots: ['m', 'v'],
    },
    {
      name: 'rmsprop',
      make: () => train.rmsprop(0.01),
      ref: () => rmspropRef(0.01, 0.9, 0, 1e-7, false),
      slots: ['rms'],
    },
    {
      name: 'rmsprop (momentum)',
      make: () => train.rmsprop(0.01, 0.8, 0.5),
      ref: () => rmspropRef(0.01, 0.8, 0.5, 1e-7, false),
      slots: ['rms', 'momentum'],
    },
    {
      name: 'rmsprop (centered)',
      make: () => train.rmsprop(0.01, 0.9, 0, 1e-6, true),
      ref: () => rmspropRef(0.01, 0.9, 0, 1e-6, true),
      slots: ['rms', 'mg'],
    },
    {
      name: 'rmsprop (centered, momentum)',
      make: () => train.rmsprop(0.005, 0.85, 0.9, 1e-7, true),
      ref: () => rmspropRef(0.005, 0.85, 0.9, 1e-7, true),
      slots: ['rms', 'momentum', 'mg'],
    },
  ];

  for (const c of configs) {
    it(`${c.name}: six steps match the reference update rule on odd sizes`, async () => {
      const opt = c.make();
      const sizes = [1, 7, 33];
      const rand = rng(sizes.length + c.name.length);
      const vars = sizes.map((n) => variable(tensor(randomArray(n, rand)), true, uniqueName('w')));
      const refs: RefState[] = vars.map((v) => ({ p: Array.from(v.dataSync()), slots: {}, t: 0 }));
      const rules = vars.map(() => c.ref());
      for (let step = 0; step < 6; step++) {
        tidy(() => {
          const gs = sizes.map((n) => randomArray(n, rand, -2, 2));
          const grads: Record<string, Tensor> = {};
          vars.forEach((v, k) => (grads[v.name] = tensor(gs[k])));
          opt.applyGradients(grads);
          refs.forEach((r, k) => rules[k](r, Array.from(gs[k])));
        });
      }
      expect(opt.iterations).toBe(6);
      vars.forEach((v, k) => expectClose(v.dataSync(), refs[k].p, 2e-5, 2e-6, `${c.name} variable of ${sizes[k]}`));
      // The slots are the reference's, under TF.js's names.
      const weights = await opt.getWeights();
      expect(weights[0].name).toBe('iter');
      expect(Array.from(weights[0].tensor.dataSync())).toEqual([6]);
      expect(
        weights
          .slice(1)
          .map((w) => w.name)
          .sort(),
      ).toEqual(vars.flatMap((v) => c.slots.map((s) => `${v.name}/${s}`)).sort());
      for (const w of weights.slice(1)) {
        const [varName, s] = [w.name.slice(0, w.name.lastIndexOf('/')), w.name.slice(w.name.lastIndexOf('/') + 1)];
        const k = vars.findIndex((v) => v.name === varName);
        expectClose(w.tensor.dataSync(), refs[k].slots[s], 2e-5, 2e-6, w.name);
      }
      weights.forEach((w) => w.tensor.dispose());
      opt.dispose();
      vars.forEach((v) => v.dispose());
    });
  }

  it('Adam minimises a small quadratic', () => {
    const target = tensor([[3, -2, 0.5, 7, -4]]);
    const x = variable(tensor([[0, 0, 0, 0, 0]]), true, uniqueName('x'));
    const opt = train.adam(0.1);
    let last = Infinity;
    for (let i = 0; i < 400; i++) {
      const cost = opt.minimize(() => meanSquaredError(target, x), true)!;
      last = cost.dataSync()[0];
      cost.dispose();
    }
    expect(last).toBeLessThan(1e-4);
    expectClose(x.dataSync(), [3, -2, 0.5, 7, -4], 0, 1e-2);
    opt.dispose();
    x.dispose();
    target.dispose();
  });

  it('gradient descent on a linear regression reaches the least-squares fit', () => {
    // y = 2 + 3 x exactly; L = mean((θ0 + θ1 x - y)²); Δθ = -α ∇L.
    const xs = [0, 1, 2, 3, 4];
    const ys = tensor([xs.map((v) => 2 + 3 * v)]);
    const theta = variable(tensor([0, 0]), true, uniqueName('theta'));
    const opt = train.sgd(0.05);
    for (let i = 0; i < 2000; i++) opt.minimize(() => meanSquaredError(ys, linearPrediction(theta, xs)));
    expectClose(theta.dataSync(), [2, 3], 0, 1e-3);
    opt.dispose();
    theta.dispose();
    ys.dispose();
  });

  it('minimize: returns the cost when asked, restricts to varList, counts iterations', () => {
    const a = variable(tensor([[1, 1]]), true, uniqueName('a'));
    const b = variable(tensor([[1, 1]]), true, uniqueName('b'));
    const target = tensor([[0, 0]]);
    const opt = train.sgd(0.5);
    const f = () => meanSquaredError(target, a);
    expect(opt.minimize(f)).toBeNull();
    const before = memory().numTensors;
    const cost = opt.minimize(f, true, [a])!;
    // After one step of 0.5 · d/da mean(a²) = 0.5 · a: a = 0.5; the cost was evaluated before it: mean(0.5²) = 0.25.
    expectClose(cost.dataSync(), [0.25], 1e-6);
    cost.dispose();
    expect(memory().numTensors).toBe(before);
    expectClose(a.dataSync(), [0.25, 0.25], 1e-6);
    expect(Array.from(b.dataSync())).toEqual([1, 1]);
    expect(opt.iterations).toBe(2);
    // A non-trainable variable is left alone by minimize.
    a.trainable = false;
    opt.minimize(() => meanSquaredError(target, b));
    expectClose(a.dataSync(), [0.25, 0.25], 1e-6);
    expect(() => opt.minimize(() => meanSquaredError(target, a))).toThrow(
      /SGD.minimize: the loss does not depend on any trainable variable/,
    );
    expect(memory().numTensors).toBe(before + 0);
    [a, b, target].forEach((t) => t.dispose());
  });

  it('the learning rate can be changed between steps', () => {
    const w = variable(tensor([1]), true, uniqueName('w'));
    const opt = new SGDOptimizer(0.1);
    tidy(() => opt.applyGradients({ [w.name]: tensor([1]) }));
    opt.learningRate = 0.5;
    tidy(() => opt.applyGradients([{ name: w.name, tensor: tensor([1]) }]));
    opt.setLearningRate(0);
    tidy(() => opt.applyGradients({ [w.name]: tensor([1]) }));
    expectClose(w.dataSync(), [1 - 0.1 - 0.5], 1e-6);
    expect(opt.getConfig()).toEqual({ learningRate: 0 });
    w.dispose();
  });

  it('getWeights / setWeights carry the state: a restored optimizer continues identically', async () => {
    for (const make of [
      () => train.adam(0.05),
      () => train.rmsprop(0.01, 0.9, 0.5, 1e-7, true),
      () => train.momentum(0.1, 0.9, true),
    ]) {
      const w = variable(tensor(randomArray(9, rng(3)), [3, 3]), true, uniqueName('w'));
      const step = (opt: Optimizer, seed: number) =>
        tidy(() => opt.applyGradients({ [w.name]: tensor(randomArray(9, rng(seed)), [3, 3]) }));
      const a = make();
      for (let s = 0; s < 3; s++) step(a, s);
      const saved = await a.getWeights();
      const values = w.dataSync();
      step(a, 9);
      const continued = w.dataSync();
      // Rewind the variable; a fresh optimizer given the saved state takes the same step.
      tidy(() => w.assign(tensor(values, [3, 3])));
      const b = make();
      await b.setWeights(saved);
      expect(b.iterations).toBe(3);
      step(b, 9);
      expect(Array.from(w.dataSync())).toEqual(Array.from(continued));
      // Without the state, the step differs.
      tidy(() => w.assign(tensor(values, [3, 3])));
      const c = make();
      step(c, 9);
      expect(Array.from(w.dataSync())).not.toEqual(Array.from(continued));
      saved.forEach((t) => t.tensor.dispose());
      [a, b, c].forEach((o) => o.dispose());
      w.dispose();
    }
  });

  it('setWeights rejects unknown slots and mis-shaped state', async () => {
    const w = variable(tensor([1, 2]), true, uniqueName('w'));
    const opt = train.adam();
    const t = tensor([1, 2, 3]);
    await expect(opt.setWeights([{ name: `${w.name}/q`, tensor: t }])).rejects.toThrow(
      /Adam.setWeights: unexpected weight '.*\/q': expected 'iter' or '<variable>\/<slot>' with slot m or v/,
    );
    await expect(opt.setWeights([{ name: `${w.name}/m`, tensor: t }])).rejects.toThrow(
      /Adam.setWeights: '.*\/m' has shape \[3\], variable '.*' has \[2\]/,
    );
    t.dispose();
    opt.dispose();
    w.dispose();
  });

  it('slots live in wasm memory and are freed: on dispose, and when their variable is disposed', () => {
    const before = memory().numTensors;
    const w = tidy(() => variable(tensor([1, 2, 3]), true, uniqueName('w')));
    const u = tidy(() => variable(tensor([1, 2]), true, uniqueName('u')));
    const opt = train.rmsprop(0.01, 0.9, 0.9, 1e-7, true);
    tidy(() => opt.applyGradients({ [w.name]: tensor([1, 1, 1]), [u.name]: tensor([1, 1]) }));
    expect(opt.numSlotTensors).toBe(6);
    expect(memory().numTensors).toBe(before + 2 + 6);
    u.dispose();
    tidy(() => opt.applyGradients({ [w.name]: tensor([1, 1, 1]) }));
    expect(opt.numSlotTensors).toBe(3);
    opt.dispose();
    expect(memory().numTensors).toBe(before + 1);
    expect(() => opt.applyGradients({})).toThrow(/RMSProp.applyGradients: the optimizer is disposed/);
    w.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('rejects unknown variables and mis-shaped gradients without touching any variable', () => {
    const w = variable(tensor([1, 2]), true, uniqueName('w'));
    const opt = train.adam();
    tidy(() => {
      expect(() => opt.applyGradients({ [w.name]: tensor([1, 1]), nope: tensor([1]) })).toThrow(
        /Adam.applyGradients: no variable named 'nope' is registered/,
      );
      expect(() => opt.applyGradients({ [w.name]: tensor([1, 1, 1]) })).toThrow(
        new RegExp(`Adam.applyGradients: the gradient for '${w.name}' has shape \\[3\\], the variable \\[2\\]`),
      );
    });
    expect(Array.from(w.dataSync())).toEqual([1, 2]);
    expect(opt.iterations).toBe(0);
    opt.dispose();
    w.dispose();
  });

  it('getOptimizer resolves Keras names with Keras defaults; bad names and hyper-parameters are clear errors', () => {
    const sgd = getOptimizer('sgd');
    expect(sgd).toBeInstanceOf(SGDOptimizer);
    expect(sgd.getConfig()).toEqual({ learningRate: 0.01 });
    expect(getOptimizer('Adam').getConfig()).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(getOptimizer('RMSProp').getConfig()).toEqual({
      learningRate: 0.001,
      decay: 0.9,
      momentum: 0,
      epsilon: 1e-7,
      centered: false,
    });
    const own = train.momentum(0.1, 0.9);
    expect(getOptimizer(own)).toBe(own);
    expect(own.getClassName()).toBe('Momentum');
    const copy = optimizerFromConfig(own.getClassName(), own.getConfig());
    expect(copy).toBeInstanceOf(MomentumOptimizer);
    expect(copy.getConfig()).toEqual({ learningRate: 0.1, momentum: 0.9, useNesterov: false });
    expect(optimizerFromConfig('Adam', new AdamOptimizer(0.3).getConfig()).learningRate).toBe(0.3);
    expect(optimizerFromConfig('RMSProp', new RMSPropOptimizer(0.2).getConfig())).toBeInstanceOf(RMSPropOptimizer);
    expect(() => getOptimizer('adamw')).toThrow(
      /getOptimizer: unknown optimizer "adamw"; valid names are sgd, adam, rmsprop/,
    );
    expect(() => train.sgd(NaN)).toThrow(/SGD: learningRate must be a number >= 0, got NaN/);
    expect(() => train.adam(0.1, 1)).toThrow(/Adam: beta1 must be a number in \[0, 1\), got 1/);
    expect(() => train.momentum(0.1, -1)).toThrow(/Momentum: momentum must be a number >= 0/);
    expect(() => (new SGDOptimizer(0.1).learningRate = -1)).toThrow(/learningRate must be a number >= 0/);
  });
});

/**
 * θ0 + θ1 x for fixed xs, as a tensor op recorded on the tape with its own backward:
 * the tests of this file stay independent of the arithmetic ops.
 */
function linearPrediction(theta: Variable, xs: number[]): Tensor {
  const y = emptyTensor([1, xs.length]);
  const [t0, t1] = theta.dataSync();
  y.view().set(xs.map((x) => t0 + t1 * x));
  record('LinearPrediction', [theta], y, (dy) => {
    const d = dy.dataSync();
    let g0 = 0;
    let g1 = 0;
    xs.forEach((x, i) => {
      g0 += d[i];
      g1 += d[i] * x;
    });
    return [tensor([g0, g1])];
  });
  return y;
}
