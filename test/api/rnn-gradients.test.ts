// Gradients of the recurrent wrappers against finite differences, on the scalar, SIMD and
// threaded builds: rnn(cell) over each cell (both GRU forms) and stackedRNNCells, and
// bidirectional in every merge mode; with masks, goBackwards, returnState (every output
// reaches the result), batch 1 and odd sizes, and dropout + recurrentDropout while
// training (a fixed mask: the seed is reset before each evaluation). Then bitwise identity
// of such gradients on 1 and 2 threads.

import { describe, it } from 'vitest';
import { checkGradients, describeEachBuild, randomTensor, rng, selectBuild } from '../support/helpers.js';
import { expectSameBits } from '../support/same-bits.js';
import { tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { variableGrads } from '../../ts/autograd/tape.js';
import { concat, reshape, sum } from '../../ts/ops/index.js';
import * as layers from '../../ts/layers/index.js';
import type { Layer } from '../../ts/layers/layer.js';
import { setRandomSeed } from '../../ts/index.js';

interface Case {
  title: string;
  make: () => Layer;
  batch: number;
  time: number;
  input: number;
  /** Mask out some steps (kwargs.mask [batch, time]). */
  masked?: boolean;
  /** Apply with training: true, the dropout masks fixed by this seed. */
  seed?: number;
}

const gated = { recurrentActivation: 'sigmoid' };
const dropouts = { dropout: 0.3, recurrentDropout: 0.4 };

const CASES: Case[] = [
  {
    title: 'rnn(simpleRNNCell), batch 1, odd sizes, sequences',
    make: () => layers.rnn({ cell: layers.simpleRNNCell({ units: 5 }), returnSequences: true }),
    batch: 1,
    time: 3,
    input: 3,
  },
  {
    title: 'rnn(lstmCell), masked, goBackwards, returnState',
    make: () => layers.rnn({ cell: layers.lstmCell({ units: 3, ...gated }), goBackwards: true, returnState: true }),
    batch: 3,
    time: 4,
    input: 2,
    masked: true,
  },
  {
    title: 'rnn(gruCell), masked sequences',
    make: () => layers.rnn({ cell: layers.gruCell({ units: 3, ...gated }), returnSequences: true }),
    batch: 2,
    time: 4,
    input: 3,
    masked: true,
  },
  {
    title: 'rnn(gruCell resetAfter), returnState, goBackwards',
    make: () =>
      layers.rnn({
        cell: layers.gruCell({ units: 3, resetAfter: true, ...gated }),
        returnState: true,
        goBackwards: true,
      }),
    batch: 3,
    time: 3,
    input: 2,
  },
  {
    title: 'rnn(stackedRNNCells [lstmCell, gruCell]), masked, returnState',
    make: () =>
      layers.rnn({
        cell: layers.stackedRNNCells({
          cells: [layers.lstmCell({ units: 3, ...gated }), layers.gruCell({ units: 2, ...gated })],
        }),
        returnState: true,
        returnSequences: true,
      }),
    batch: 2,
    time: 3,
    input: 3,
    masked: true,
  },
  ...(['lstmCell', 'gruCell', 'simpleRNNCell'] as const).map((cell): Case => ({
    title: `rnn(${cell}) with dropout and recurrentDropout (fixed masks), returnState`,
    make: () =>
      layers.rnn({
        cell: layers[cell]({ units: 4, ...(cell === 'simpleRNNCell' ? {} : gated), ...dropouts } as never),
        returnSequences: true,
        returnState: true,
      }),
    batch: 3,
    time: 3,
    input: 3,
    seed: 5,
  })),
  ...(['concat', 'sum', 'mul', 'ave', null] as const).map((mergeMode): Case => ({
    title: `bidirectional(lstm) mergeMode ${String(mergeMode)}, masked sequences`,
    make: () =>
      layers.bidirectional({
        layer: layers.lstm({ units: 3, returnSequences: true, ...gated }),
        mergeMode,
      }),
    batch: 2,
    time: 4,
    input: 3,
    masked: true,
  })),
  {
    title: 'bidirectional(gru) returnState, batch 1',
    make: () =>
      layers.bidirectional({ layer: layers.gru({ units: 3, returnState: true, ...gated }), mergeMode: 'concat' }),
    batch: 1,
    time: 3,
    input: 2,
  },
  {
    title: 'bidirectional(simpleRNN) with recurrentDropout (fixed masks), sum',
    make: () =>
      layers.bidirectional({
        layer: layers.simpleRNN({ units: 4, returnSequences: true, ...dropouts }),
        mergeMode: 'sum',
      }),
    batch: 3,
    time: 3,
    input: 3,
    seed: 8,
  },
  {
    title: 'bidirectional(rnn(gruCell)) ave, recurrentDropout (fixed masks)',
    make: () =>
      layers.bidirectional({
        layer: layers.rnn({ cell: layers.gruCell({ units: 3, ...gated, ...dropouts }), returnSequences: true }),
        mergeMode: 'ave',
      }),
    batch: 2,
    time: 3,
    input: 2,
    seed: 6,
  },
];

/** Every output of the layer, flattened into one vector (so each reaches the result). */
function flatOutputs(out: Tensor | Tensor[]): Tensor {
  const list = Array.isArray(out) ? out : [out];
  const flat = list.map((t) => reshape(t, [-1]));
  const y = concat(flat, 0);
  for (const t of [...list, ...flat]) t.dispose();
  return y;
}

function setup(c: Case, seed: number): { layer: Layer; x: Tensor; mask: Tensor | null; run: (x: Tensor) => Tensor } {
  const layer = c.make();
  const x = randomTensor([c.batch, c.time, c.input], rng(seed));
  layer.ensureBuilt([c.batch, c.time, c.input]);
  // Weights of a moderate scale, so the gates stay off their flat ends.
  const rand = rng(seed + 1);
  const w = layer.getWeights().map((t) => randomTensor([...t.shape], rand, -0.6, 0.6));
  layer.setWeights(w);
  for (const t of w) t.dispose();
  // Each row skips different steps (the first, a middle one, the last, ...).
  const m = Array.from({ length: c.batch * c.time }, (_, i) =>
    ((i % c.time) + Math.floor(i / c.time)) % 3 === 2 ? 0 : 1,
  );
  const mask = c.masked ? tensor(m, [c.batch, c.time]) : null;
  const run = (xi: Tensor): Tensor => {
    if (c.seed !== undefined) setRandomSeed(c.seed);
    return flatOutputs(layer.apply(xi, { training: c.seed !== undefined, ...(mask ? { mask } : {}) }) as Tensor);
  };
  return { layer, x, mask, run };
}

describeEachBuild('recurrent wrappers: gradients against finite differences', () => {
  for (const c of CASES) {
    it(c.title, () => {
      const { layer, x, mask, run } = setup(c, 31);
      // The weights are read by the layer itself; checkGradients perturbs them in place.
      checkGradients((xi) => run(xi), [x, ...layer.trainableWeights], { eps: 1e-2, rtol: 3e-2, atol: 3e-3 });
      x.dispose();
      mask?.dispose();
      layer.dispose();
    });
  }
});

describe('recurrent wrappers on threads', () => {
  it('gradients are bitwise identical on 1 and 2 threads (with masks and recurrent dropout)', async () => {
    const picked = CASES.filter((c) => c.masked || c.seed !== undefined);
    let first: Float32Array[] | undefined;
    for (const threads of [1, 2]) {
      await selectBuild({ build: 'simd-threads', threads });
      const all: Float32Array[] = [];
      for (const c of picked) {
        const { layer, x, mask, run } = setup({ ...c, batch: 17 }, 41);
        const vars = layer.trainableWeights;
        const { value, grads } = variableGrads(() => {
          const y = run(x);
          const s = sum(y);
          y.dispose();
          return s;
        }, vars);
        all.push(Float32Array.from(value.dataSync()));
        for (const v of vars) all.push(Float32Array.from(grads[v.name].dataSync()));
        for (const t of [value, ...Object.values(grads), x]) t.dispose();
        mask?.dispose();
        layer.dispose();
      }
      if (first === undefined) first = all;
      else all.forEach((v, k) => expectSameBits(v, first![k], `result ${k} on 2 threads`));
    }
  });
});
