// The Embedding layer over gather: forward rows, the scatter-add gradient against its
// naive reference and finite differences, bitwise the same on any thread count, and
// the error for an id outside the vocabulary.

import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, randomArray, rng } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import { emptyTensor } from '../../ts/tensor/tensor.js';
import { engine } from '../../ts/backend/engine.js';
import * as layers from '../../ts/layers/index.js';
import { Embedding } from '../../ts/layers/embedding.js';
import { deserialize } from '../../ts/serialization/registry.js';

describeEachBuild('embedding', () => {
  it('forward gathers rows; the scatter-add equals its naive reference bit for bit', () => {
    const layer = layers.embedding({ inputDim: 50, outputDim: 12 });
    const rand = rng(3);
    // Repeated ids (sums in dx) and ids 0 and 49 (the ends of the table).
    const idsArr = Array.from({ length: 4 * 9 }, (_, i) => (i % 7 === 0 ? 49 : Math.floor(rand() * 50) % 10));
    const ids = tensor(idsArr, [4, 9]);
    const y = layer.apply(ids);
    expect(y.shape).toEqual([4, 9, 12]);
    const table = layer.getWeights()[0].dataSync();
    const out = y.dataSync();
    idsArr.forEach((id, i) => {
      expect(Array.from(out.subarray(i * 12, i * 12 + 12))).toEqual(Array.from(table.subarray(id * 12, id * 12 + 12)));
    });
    const eng = engine();
    const dy = tensor(randomArray(idsArr.length * 12, rand), [idsArr.length, 12]);
    const idx = tensor(idsArr, [idsArr.length], 'int32');
    const [a, b] = [emptyTensor([50, 12], 'float32', eng), emptyTensor([50, 12], 'float32', eng)];
    eng.core.fe_gather_backward(dy.ptr, idx.ptr, a.ptr, 1, 50, 12, idsArr.length);
    eng.core.fe_gather_backward_naive(dy.ptr, idx.ptr, b.ptr, 1, 50, 12, idsArr.length);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    for (const t of [ids, y, dy, idx, a, b]) t.dispose();
    layer.dispose();
  });

  it('gradient of the table against finite differences', () => {
    const layer = new Embedding({ inputDim: 7, outputDim: 5 });
    const ids = tensor([1, 3, 3, 0, 6, 1], [2, 3]);
    layer.apply(ids).dispose();
    const table = layer.embeddings!;
    checkGradients(
      (w) => {
        const saved = layer.embeddings;
        layer.embeddings = w as typeof saved;
        try {
          return layer.apply(ids);
        } finally {
          layer.embeddings = saved;
        }
      },
      [table],
    );
    ids.dispose();
    layer.dispose();
  });
});

describe('embedding: layer semantics', () => {
  it('an id outside [0, inputDim) names the layer, the id and inputDim, and leaks nothing', () => {
    const layer = layers.embedding({ inputDim: 10, outputDim: 4, name: 'emb' });
    const ids = tensor([[1, 2, 10]]);
    layer.apply(tensor([[1]])).dispose();
    const before = memory().numTensors;
    expect(() => layer.apply(ids)).toThrow(/emb: id 10 at position 2 .*outside \[0, 10\)/);
    expect(memory().numTensors).toBe(before);
    ids.dispose();
    layer.dispose();
  });

  it('TF.js weight name and shape, input shape from inputLength, config round trip', () => {
    const layer = layers.embedding({ inputDim: 100, outputDim: 8, inputLength: 32, maskZero: true });
    expect(layer.batchInputShape).toEqual([null, 32]);
    expect(layer.computeOutputShape([null, 32])).toEqual([null, 32, 8]);
    const ids = tensor([Array.from({ length: 32 }, (_, i) => i)]);
    layer.apply(ids).dispose();
    ids.dispose();
    expect(layer.layerWeights[0].shortName).toBe('embeddings');
    expect(layer.embeddings!.shape).toEqual([100, 8]);
    const config = layer.getConfig();
    const copy = deserialize({ className: 'Embedding', config: { ...config, name: 'copy' } }) as Embedding;
    expect(copy.getConfig()).toEqual({ ...config, name: 'copy' });
    layer.dispose();
    copy.dispose();
  });
});
