// MultiHeadAttention's implicit masks, as Keras: the query's and value's own masks (here from
// Embedding with maskZero, flowing through a functional model) combine by a logical and with
// attentionMask and the causal mask. Checked against the same layers called eagerly with the
// explicit [batch, T, S] mask that Keras builds from them.

import { beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { checkGradients, expectClose, randomTensor, rng } from '../support/helpers.js';

beforeAll(async () => {
  await fe.ready();
});

const [B, T, VOCAB, D] = [3, 6, 12, 8];
// Padding (id 0) at the ends of rows, and one row that is all padding.
const IDS = [
  [4, 7, 1, 9, 0, 0],
  [3, 3, 5, 2, 8, 11],
  [0, 0, 0, 0, 0, 0],
];

/** Keras's mask: query i sees key j when both are not padding (and j <= i when causal). */
function explicitMask(causal: boolean): fe.Tensor {
  const m: boolean[] = [];
  for (let b = 0; b < B; b++)
    for (let i = 0; i < T; i++)
      for (let j = 0; j < T; j++) m.push(IDS[b][i] !== 0 && IDS[b][j] !== 0 && (!causal || j <= i));
  return fe.tensor(m, [B, T, T], 'bool');
}

describe('layers.multiHeadAttention: implicit masks', () => {
  for (const causal of [false, true]) {
    it(`Embedding(maskZero)'s mask joins the attention mask in a functional model (causal ${causal})`, () => {
      fe.setRandomSeed(5);
      const before = fe.memory().numTensors;
      const embedding = fe.layers.embedding({ inputDim: VOCAB, outputDim: D, maskZero: true });
      const mha = fe.layers.multiHeadAttention({ numHeads: 2, keyDim: 4 });
      const ids = fe.input({ shape: [T] });
      const e = embedding.apply(ids) as fe.SymbolicTensor;
      const y = mha.apply([e, e], { useCausalMask: causal }) as fe.SymbolicTensor;
      const model = fe.model({ inputs: ids, outputs: y });
      fe.tidy(() => {
        const idsT = fe.tensor(IDS.flat(), [B, T]);
        const implicit = model.predict(idsT) as fe.Tensor;
        // The same layers eagerly: no mask flows, so it is given explicitly.
        const x = embedding.apply(idsT) as fe.Tensor;
        const mask = explicitMask(causal);
        const explicit = mha.apply([x, x], { attentionMask: mask }) as fe.Tensor;
        expectClose(implicit.dataSync(), explicit.dataSync(), 1e-5, 1e-6, 'implicit vs explicit mask');
        // Without the padding mask the padded keys would be attended: the masks matter here.
        const unmasked = mha.apply([x, x], { useCausalMask: causal }) as fe.Tensor;
        const diff = implicit.sub(unmasked).abs().max().dataSync()[0];
        expect(diff).toBeGreaterThan(1e-3);
        // The eager call with the inputs' masks in kwargs.mask, and an attentionMask on top.
        const qMask = fe.tensor(
          IDS.flat().map((v) => (v !== 0 ? 1 : 0)),
          [B, T],
        );
        const both = mha.apply([x, x], {
          mask: [qMask, qMask],
          attentionMask: explicitMask(causal),
        }) as fe.Tensor;
        expectClose(both.dataSync(), explicit.dataSync(), 1e-5, 1e-6, 'kwargs.mask and attentionMask');
      });
      model.dispose();
      expect(fe.memory().numTensors).toBe(before);
    });
  }

  it('gradients through the masked, causal layer match finite differences', () => {
    fe.setRandomSeed(2);
    const mha = fe.layers.multiHeadAttention({ numHeads: 2, keyDim: 3 });
    fe.tidy(() => {
      const x = randomTensor([2, 4, 5], rng(4));
      const qm = fe.tensor([1, 1, 0, 1, 1, 1, 1, 0], [2, 4]);
      checkGradients((a) => mha.apply([a, a], { mask: [qm, qm], useCausalMask: true }) as fe.Tensor, [x]);
    });
    mha.dispose();
  });

  it("the output carries the query's mask (Keras's compute_mask)", () => {
    const mha = fe.layers.multiHeadAttention({ numHeads: 1, keyDim: 2 });
    fe.tidy(() => {
      const qm = fe.tensor([1, 0, 1], [1, 3]);
      const vm = fe.tensor([1, 1, 0], [1, 3]);
      expect(mha.computeMask([], [qm, vm])).toBe(qm);
      expect(mha.computeMask([], null)).toBeNull();
    });
    mha.dispose();
  });
});

describe('layers.multiHeadAttention: returnAttentionScores in a functional model', () => {
  it('the node has a second output, the weights [batch, heads, T, S], equal to the eager call', () => {
    fe.setRandomSeed(8);
    const mha = fe.layers.multiHeadAttention({ numHeads: 2, keyDim: 3 });
    const [q, v] = [fe.input({ shape: [4, 5] }), fe.input({ shape: [6, 5] })];
    const outs = mha.apply([q, v], { returnAttentionScores: true, useCausalMask: true }) as fe.SymbolicTensor[];
    expect(outs.map((o) => o.shape)).toEqual([
      [null, 4, 5],
      [null, 2, 4, 6],
    ]);
    const model = fe.model({ inputs: [q, v], outputs: outs });
    fe.tidy(() => {
      const [qa, va] = [randomTensor([2, 4, 5], rng(1)), randomTensor([2, 6, 5], rng(2))];
      const [y, scores] = model.predict([qa, va]) as fe.Tensor[];
      const [ye, se] = mha.apply([qa, va], { returnAttentionScores: true, useCausalMask: true }) as fe.Tensor[];
      expectClose(y.dataSync(), ye.dataSync(), 0, 0, 'output');
      expectClose(scores.dataSync(), se.dataSync(), 0, 0, 'scores');
      // Each query's weights sum to 1 over the keys.
      const sums = scores.sum(-1).dataSync();
      expectClose(sums, new Float64Array(sums.length).fill(1), 1e-5, 1e-6, 'rows of the weights');
    });
    model.dispose();
  });
});
