// The fused LSTM kernel: forward against the naive per-step reference, gradients of
// every input against finite differences (masking, goBackwards, final states only,
// batch 1, odd sizes), on every build.

import { expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomTensor, rng } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { lstmSequence, rnnActivationCode, type LstmOptions } from '../../ts/ops/recurrent.js';
import { add, expandDims } from '../../ts/ops/index.js';

interface Case {
  name: string;
  batch: number;
  time: number;
  input: number;
  units: number;
  goBackwards?: boolean;
  masked?: boolean;
  activation?: string;
  recurrentActivation?: string;
}

const CASES: Case[] = [
  { name: 'odd sizes', batch: 3, time: 5, input: 7, units: 5 },
  { name: 'batch 1, goBackwards', batch: 1, time: 4, input: 3, units: 6, goBackwards: true },
  { name: 'masked steps', batch: 3, time: 5, input: 4, units: 3, masked: true },
  {
    name: 'sigmoid gates, linear cell',
    batch: 2,
    time: 3,
    input: 5,
    units: 4,
    recurrentActivation: 'sigmoid',
    activation: 'linear',
  },
];

function setup(c: Case, seed: number): { inputs: Tensor[]; mask: Tensor | null; opts: LstmOptions } {
  const rand = rng(seed);
  const inputs = [
    randomTensor([c.batch, c.time, c.input], rand),
    randomTensor([c.input, 4 * c.units], rand, -0.6, 0.6),
    randomTensor([c.units, 4 * c.units], rand, -0.6, 0.6),
    randomTensor([4 * c.units], rand, -0.3, 0.3),
    randomTensor([c.batch, c.units], rand, -0.5, 0.5),
    randomTensor([c.batch, c.units], rand, -0.5, 0.5),
  ];
  const m = Array.from({ length: c.batch * c.time }, (_, i) => (i % 3 === 1 ? 0 : 1));
  const mask = c.masked ? tensor(m, [c.batch, c.time]) : null;
  const opts: LstmOptions = {
    activation: rnnActivationCode(c.activation ?? 'tanh', 'test'),
    recurrentActivation: rnnActivationCode(c.recurrentActivation ?? 'hardSigmoid', 'test'),
    goBackwards: c.goBackwards ?? false,
  };
  return { inputs, mask, opts };
}

describeEachBuild('lstm kernel', () => {
  for (const c of CASES) {
    it(`${c.name}: forward equals the naive reference`, () => {
      const { inputs, mask, opts } = setup(c, 1);
      const [x, w, r, b, h0, c0] = inputs;
      const before = memory().numTensors;
      const fused = lstmSequence(x, w, r, b, h0, c0, mask, opts);
      const naive = lstmSequence(x, w, r, b, h0, c0, mask, { ...opts, naive: true });
      fused.forEach((t, k) => expectClose(t.dataSync(), naive[k].dataSync(), 1e-5, 1e-6, `output ${k}`));
      for (const t of [...fused, ...naive]) t.dispose();
      expect(memory().numTensors).toBe(before);
      for (const t of [...inputs, ...(mask ? [mask] : [])]) t.dispose();
    });

    it(`${c.name}: gradients of x, kernels, bias and initial states against finite differences`, () => {
      const { inputs, mask, opts } = setup(c, 2);
      // The sequence, and the final h and c, all reach the result.
      checkGradients(
        (x, w, r, b, h0, c0) => {
          const [y, h, cc] = lstmSequence(x, w, r, b, h0, c0, mask, opts);
          const s = add(add(y, expandDims(h, 1)), expandDims(cc, 1));
          for (const t of [y, h, cc]) t.dispose();
          return s;
        },
        inputs,
        { eps: 1e-2, rtol: 3e-2, atol: 3e-3 },
      );
      // Only the last h: the sequence and c get no gradient (null, not zeros).
      checkGradients((x, w, r, b, h0, c0) => {
        const [y, h, cc] = lstmSequence(x, w, r, b, h0, c0, mask, opts);
        y.dispose();
        cc.dispose();
        return h;
      }, inputs);
      for (const t of [...inputs, ...(mask ? [mask] : [])]) t.dispose();
    });
  }
});
