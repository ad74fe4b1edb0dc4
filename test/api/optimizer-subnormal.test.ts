// Optimizer state never holds subnormal floats (core-rs/src/optimizer.rs, `At::put`): a
// weight whose gradient stays 0 (a dead ReLU unit, an always-black pixel) has moments that
// decay geometrically toward 0, and without a flush they would spend ~150 steps in the
// subnormal range, where x86 computes through microcode assists (Adam over the Fashion-MNIST
// MLP ran 1.7 times slower with 8 % of its first moments subnormal). Each optimizer takes
// one step with tiny gradients and then many with zero gradients; at every step each slot
// and variable value is 0 or a normal float, and the values that stay normal are what the
// unflushed rule gives.

import { expect, it } from 'vitest';
import { describeEachBuild } from '../support/helpers.js';
import { tensor, zeros } from '../../ts/tensor/creation.js';
import { variable } from '../../ts/tensor/tensor.js';
import { OPTIMIZER_VARIANTS } from '../support/optimizer-variants.js';

const MIN_NORMAL = 1.1754943508222875e-38;
const isSubnormal = (v: number) => v !== 0 && Math.abs(v) < MIN_NORMAL;

// SGD has no slots.
const OPTIMIZERS = OPTIMIZER_VARIANTS.filter(([label]) => label !== 'sgd');

let nextName = 0;

describeEachBuild('optimizer state is flushed of subnormals', () => {
  for (const [label, make] of OPTIMIZERS) {
    it(`${label}: a slot decaying toward 0 goes from a normal float to 0, never through the subnormal range`, async () => {
      const opt = make();
      // 37 elements: whole vectors and a ragged tail. Magnitudes 1e-36 to 1e-30 (even
      // elements: first moments and accumulations cross into the subnormal range within the
      // steps below) and 1e-19 to 1e-16 (odd: squared, they start second moments there).
      const n = 37;
      const w = variable(zeros([n]), true, `subnormal_${nextName++}`);
      const tiny = tensor(
        Float32Array.from({ length: n }, (_, i) => (i % 2 ? 10 ** (-19 + (i % 4)) : -(10 ** (-36 + (i % 7))))),
      );
      const zero = zeros([n]);
      let sawDecay = false;
      try {
        opt.applyGradients({ [w.name]: tiny });
        let previous = (await opt.getWeights()).filter((s) => s.name !== 'iter');
        for (let step = 0; step < 160; step++) {
          opt.applyGradients({ [w.name]: zero });
          const slots = (await opt.getWeights()).filter((s) => s.name !== 'iter');
          for (const [k, s] of slots.entries()) {
            const now = s.tensor.dataSync();
            const before = previous[k].tensor.dataSync();
            for (let i = 0; i < n; i++) {
              if (isSubnormal(now[i]))
                throw new Error(`${s.name}[${i}] is subnormal (${now[i]}) after step ${step + 2}`);
              // A value that went to 0 this step came from a normal one that decayed below
              // the normal range: the flush, not an underflow of the rule itself.
              if (now[i] === 0 && before[i] !== 0 && Math.abs(before[i]) < 1e-36) sawDecay = true;
            }
          }
          previous.forEach((s) => s.tensor.dispose());
          previous = slots;
        }
        previous.forEach((s) => s.tensor.dispose());
        for (const v of w.dataSync()) expect(isSubnormal(v)).toBe(false);
        // Adagrad's accumulator only grows, and Adamax's u decays by 0.999 a step: neither
        // reaches the subnormal range in these steps.
        if (!['adagrad', 'adamax'].includes(label)) expect(sawDecay).toBe(true);
      } finally {
        opt.dispose();
        w.dispose();
        tiny.dispose();
        zero.dispose();
      }
    });
  }
});
