// applyGradientsIfFinite's one-pass update (core-rs/src/optimizer.rs: COMMIT saving the old
// values, RESTORE copying them back): a step whose update is not finite anywhere, in any of
// several variables, leaves every variable, slot and the iteration count as they were; an
// accepted step gives the bits of the checking-pass path (`setUndoBudget(0)`) and of
// applyGradients, for every optimizer, on every build; the backup is freed either way.

import { afterEach, expect, it } from 'vitest';
import { describeEachBuild, randomArray, rng } from '../support/helpers.js';
import { engine } from '../../ts/backend/engine.js';
import { tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import { variable, type Tensor, type Variable } from '../../ts/tensor/tensor.js';
import { train, type Optimizer } from '../../ts/optimizers/index.js';
import { OPTIMIZER_VARIANTS as OPTIMIZERS } from '../support/optimizer-variants.js';
import { setUndoBudget } from '../../ts/optimizers/optimizer.js';

let nextName = 0;
const uniqueName = (base: string) => `undo_${base}_${nextName++}`;

/** Sizes with a ragged last vector, a single element, and a size split over threads with lower grains. */
const SIZES = [33, 1, 7, 1003];

/** The values of every variable and of every optimizer slot, and the iteration count. */
async function snapshot(opt: Optimizer, vars: Variable[]): Promise<{ vars: number[][]; slots: [string, number[]][] }> {
  const weights = await opt.getWeights();
  const slots = weights.map((w): [string, number[]] => [w.name, Array.from(w.tensor.dataSync())]);
  weights.forEach((w) => w.tensor.dispose());
  return { vars: vars.map((v) => Array.from(v.dataSync())), slots };
}

function makeVars(rand: () => number): Variable[] {
  return SIZES.map((n) => variable(tensor(randomArray(n, rand)), true, uniqueName('w')));
}

function gradients(vars: Variable[], rand: () => number): Record<string, Tensor> {
  return Object.fromEntries(vars.map((v) => [v.name, tensor(randomArray(v.size, rand, -2, 2))]));
}

// The default budget, read back by setting it (each test that changes it restores it too).
const defaultBudget = setUndoBudget(0);
setUndoBudget(defaultBudget);
afterEach(() => {
  setUndoBudget(defaultBudget);
});

describeEachBuild('one-pass optimizer update with undo', () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: accepted steps give the checking-pass path's and applyGradients' bits`, async () => {
      const [one, two, plain] = [make(), make(), make()];
      const rand = rng(name.length);
      const init = SIZES.map((n) => randomArray(n, rand));
      const sets = [0, 1, 2].map(() => init.map((a) => variable(tensor(a), true, uniqueName('w'))));
      for (let step = 0; step < 4; step++) {
        tidy(() => {
          const gs = SIZES.map((n) => randomArray(n, rand, -2, 2));
          const grads = (vars: Variable[]) => Object.fromEntries(vars.map((v, k) => [v.name, tensor(gs[k])]));
          expect(one.applyGradientsIfFinite(grads(sets[0]))).toBeNull();
          const previous = setUndoBudget(0);
          try {
            expect(two.applyGradientsIfFinite(grads(sets[1]))).toBeNull();
          } finally {
            setUndoBudget(previous);
          }
          plain.applyGradients(grads(sets[2]));
        });
      }
      const [a, b, c] = await Promise.all([snapshot(one, sets[0]), snapshot(two, sets[1]), snapshot(plain, sets[2])]);
      expect(a.vars).toEqual(b.vars);
      expect(a.vars).toEqual(c.vars);
      // The slots hold the same values under their variables' (different) names.
      const values = (s: typeof a) => s.slots.map(([, v]) => v);
      expect(values(a)).toEqual(values(b));
      expect(values(a)).toEqual(values(c));
      expect(a.vars.flat().every(Number.isFinite)).toBe(true);
      [one, two, plain].forEach((o) => o.dispose());
      sets.flat().forEach((v) => v.dispose());
    });

    it(`${name}: a step that is not finite in any variable changes no variable, slot or count, and frees its backup`, async () => {
      const opt = make();
      const rand = rng(100 + name.length);
      const vars = makeVars(rand);
      // Two accepted steps first, so that the slots hold values worth keeping.
      for (let step = 0; step < 2; step++) {
        tidy(() => {
          expect(opt.applyGradientsIfFinite(gradients(vars, rand))).toBeNull();
        });
      }
      const heap = engine().heapBytes();
      // A NaN gradient (optimizers.test.ts and adam-check.test.ts cover overflows) in the first
      // variable updated, in a middle one and in the last one (every earlier variable was then
      // already written and must be restored), at a full vector's first lane and in a ragged tail.
      for (const [which, k] of [
        [0, 0],
        [2, 6],
        [3, 1002],
        [3, 500],
      ] as const) {
        const target = vars[which];
        const before = await snapshot(opt, vars);
        tidy(() => {
          const grads = gradients(vars, rand);
          const g = grads[target.name].dataSync().slice();
          g[k] = NaN;
          grads[target.name] = tensor(g);
          expect(opt.applyGradientsIfFinite(grads), `variable ${which}, element ${k}`).toBe(target.name);
        });
        expect(await snapshot(opt, vars)).toEqual(before);
        expect(opt.iterations).toBe(2);
        expect(engine().heapBytes()).toBe(heap);
      }
      opt.dispose();
      vars.forEach((v) => v.dispose());
    });
  }

  it('a refused first step frees the slots it made; with clipnorm the undone step is the clipped one', async () => {
    const opt = train.adam(0.01);
    opt.clipnorm = 1;
    const rand = rng(7);
    const vars = makeVars(rand);
    const before = vars.map((v) => Array.from(v.dataSync()));
    tidy(() => {
      const grads = gradients(vars, rand);
      grads[vars[3].name] = tensor(Float32Array.from({ length: vars[3].size }, (_, i) => (i === 9 ? NaN : 1)));
      expect(opt.applyGradientsIfFinite(grads)).toBe(vars[3].name);
    });
    expect(vars.map((v) => Array.from(v.dataSync()))).toEqual(before);
    expect(opt.numSlotTensors).toBe(0);
    expect(opt.iterations).toBe(0);
    // The same optimizer then steps normally, as a fresh one does.
    const fresh = train.adam(0.01);
    fresh.clipnorm = 1;
    const twins = before.map((a) => variable(tensor(a), true, uniqueName('twin')));
    tidy(() => {
      const gs = vars.map((v) => randomArray(v.size, rand, -2, 2));
      expect(opt.applyGradientsIfFinite(Object.fromEntries(vars.map((v, k) => [v.name, tensor(gs[k])])))).toBeNull();
      fresh.applyGradients(Object.fromEntries(twins.map((v, k) => [v.name, tensor(gs[k])])));
    });
    expect(vars.map((v) => Array.from(v.dataSync()))).toEqual(twins.map((v) => Array.from(v.dataSync())));
    [opt, fresh].forEach((o) => o.dispose());
    [...vars, ...twins].forEach((v) => v.dispose());
  });
});
