// The fused LSTM, GRU (both forms) and SimpleRNN kernels: forward against the naive
// per-step reference, gradients of every input against finite differences (masking,
// goBackwards, final states only, batch 1, odd sizes, a fixed recurrent dropout mask), on
// every build; bitwise identical on 1 and 2 threads.

import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomTensor, rng, selectBuild } from '../support/helpers.js';
import { expectSameBits } from '../support/same-bits.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import { variable, type Tensor } from '../../ts/tensor/tensor.js';
import { variableGrads } from '../../ts/autograd/tape.js';
import {
  gruSequence,
  lstmSequence,
  rnnActivationCode,
  simpleRNNSequence,
  type RnnOptions,
  type RnnWeights,
} from '../../ts/ops/recurrent.js';
import { add, expandDims, sum } from '../../ts/ops/index.js';

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
  /** A fixed recurrent dropout mask [batch, units] (rate 0.4: entries 0 or 1 / 0.6). */
  recurrentDropout?: boolean;
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
  {
    name: 'recurrent dropout, masked steps, goBackwards',
    batch: 3,
    time: 5,
    input: 4,
    units: 5,
    masked: true,
    goBackwards: true,
    recurrentDropout: true,
  },
  { name: 'recurrent dropout, batch 1', batch: 1, time: 4, input: 3, units: 6, recurrentDropout: true },
];

/** A recurrent dropout mask of `rate`: 0 or 1 / (1 - rate), at least one of each. */
function recurrentMask(batch: number, units: number, rate: number, seed: number): Tensor {
  const rand = rng(seed);
  const v = Array.from({ length: batch * units }, (_, i) => (i === 0 ? 0 : i === 1 ? 1 : rand() < rate ? 0 : 1));
  return tensor(
    v.map((k) => k / (1 - rate)),
    [batch, units],
  );
}

/** One cell through the common signature: parameters in, [y, ...final states] out. */
interface CellKind {
  name: string;
  gates: number;
  biasShape: (u: number) => number[];
  states: number;
  run: (p: Tensor[], mask: Tensor | null, opts: RnnOptions) => Tensor[];
}

const weights = (kernel: Tensor, recurrentKernel: Tensor, bias: Tensor): RnnWeights => ({
  kernel,
  recurrentKernel,
  bias,
});

const CELLS: CellKind[] = [
  {
    name: 'lstm',
    gates: 4,
    biasShape: (u) => [4 * u],
    states: 2,
    run: ([x, w, r, b, h0, c0], mask, opts) => lstmSequence(x, weights(w, r, b), [h0, c0], mask, opts),
  },
  {
    name: 'gru',
    gates: 3,
    biasShape: (u) => [3 * u],
    states: 1,
    run: ([x, w, r, b, h0], mask, opts) => gruSequence(x, weights(w, r, b), h0, mask, { ...opts, resetAfter: false }),
  },
  {
    name: 'gru (resetAfter)',
    gates: 3,
    biasShape: (u) => [2, 3 * u],
    states: 1,
    run: ([x, w, r, b, h0], mask, opts) => gruSequence(x, weights(w, r, b), h0, mask, { ...opts, resetAfter: true }),
  },
  {
    name: 'simpleRNN',
    gates: 1,
    biasShape: (u) => [u],
    states: 1,
    run: ([x, w, r, b, h0], mask, opts) => simpleRNNSequence(x, weights(w, r, b), h0, mask, opts),
  },
];

function setup(cell: CellKind, c: Case, seed: number): { inputs: Tensor[]; mask: Tensor | null; opts: RnnOptions } {
  const recurrent = c.recurrentDropout ? recurrentMask(c.batch, c.units, 0.4, seed + 100) : null;
  const rand = rng(seed);
  const G = cell.gates;
  const inputs = [
    randomTensor([c.batch, c.time, c.input], rand),
    randomTensor([c.input, G * c.units], rand, -0.6, 0.6),
    randomTensor([c.units, G * c.units], rand, -0.6, 0.6),
    randomTensor(cell.biasShape(c.units), rand, -0.3, 0.3),
    ...Array.from({ length: cell.states }, () => randomTensor([c.batch, c.units], rand, -0.5, 0.5)),
  ];
  const m = Array.from({ length: c.batch * c.time }, (_, i) => (i % 3 === 1 ? 0 : 1));
  const mask = c.masked ? tensor(m, [c.batch, c.time]) : null;
  const opts: RnnOptions = {
    activation: rnnActivationCode(c.activation ?? 'tanh', 'test'),
    recurrentActivation: rnnActivationCode(c.recurrentActivation ?? 'hardSigmoid', 'test'),
    goBackwards: c.goBackwards ?? false,
    recurrentMask: recurrent,
  };
  return { inputs, mask, opts };
}

function disposeAll(inputs: Tensor[], mask: Tensor | null, opts: RnnOptions): void {
  for (const t of [...inputs, mask, opts.recurrentMask]) t?.dispose();
}

for (const cell of CELLS) {
  describeEachBuild(`${cell.name} kernel`, () => {
    for (const c of CASES) {
      it(`${c.name}: forward equals the naive reference`, () => {
        const { inputs, mask, opts } = setup(cell, c, 1);
        const before = memory().numTensors;
        const fused = cell.run(inputs, mask, opts);
        const naive = cell.run(inputs, mask, { ...opts, naive: true });
        expect(fused.length).toBe(1 + cell.states);
        fused.forEach((t, k) => expectClose(t.dataSync(), naive[k].dataSync(), 1e-5, 1e-6, `output ${k}`));
        for (const t of [...fused, ...naive]) t.dispose();
        expect(memory().numTensors).toBe(before);
        disposeAll(inputs, mask, opts);
      });

      it(`${c.name}: gradients of x, kernels, bias and initial states against finite differences`, () => {
        const { inputs, mask, opts } = setup(cell, c, 2);
        // The sequence and every final state reach the result.
        checkGradients(
          (...p) => {
            const [y, ...states] = cell.run(p, mask, opts);
            let s = y;
            for (const st of states) {
              const e = expandDims(st, 1);
              const next = add(s, e);
              for (const t of [e, st, ...(s === y ? [] : [s])]) t.dispose();
              s = next;
            }
            y.dispose();
            return s;
          },
          inputs,
          { eps: 1e-2, rtol: 3e-2, atol: 3e-3 },
        );
        // Only the last h: the sequence (and c) get no gradient (null, not zeros).
        checkGradients((...p) => {
          const [y, h, ...rest] = cell.run(p, mask, opts);
          for (const t of [y, ...rest]) t.dispose();
          return h;
        }, inputs);
        disposeAll(inputs, mask, opts);
      });
    }
  });
}

describe('recurrent kernels on threads', () => {
  it('forward and backward are bitwise identical on 1 and 2 threads', async () => {
    // Units large enough that every cell splits its per-step rows over the two threads
    // (a share holds ~4096 / (gates units) rows).
    const c: Case = { name: 'threads', batch: 17, time: 4, input: 5, units: 300, masked: true };
    let first: Float32Array[] | undefined;
    for (const threads of [1, 2]) {
      await selectBuild({ build: 'simd-threads', threads });
      const all: Float32Array[] = [];
      for (const [cell, recurrentDropout] of CELLS.flatMap((k) => [[k, false] as const, [k, true] as const])) {
        const { inputs, mask, opts } = setup(cell, { ...c, recurrentDropout }, 3);
        const vars = inputs.map((t) => variable(t));
        const { value, grads } = variableGrads(() => {
          const out = cell.run(vars, mask, opts);
          const s = sum(out[0]);
          for (const t of out) t.dispose();
          return s;
        }, vars);
        all.push(Float32Array.from(value.dataSync()));
        for (const v of vars) all.push(Float32Array.from(grads[v.name].dataSync()));
        for (const t of [value, ...Object.values(grads), ...vars]) t.dispose();
        disposeAll(inputs, mask, opts);
      }
      if (first === undefined) first = all;
      else all.forEach((v, k) => expectSameBits(v, first![k], `result ${k} on 2 threads`));
    }
  });
});
