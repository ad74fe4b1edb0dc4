// The Dense layer's fused op (ts/ops/dense.ts): act(x W + b) in one tape entry, against a
// float64 reference and the unfused ops (matMul, add, relu), with gradients against finite
// differences and against the unfused ops' gradients, bitwise the same for any thread count.

import { expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomTensor, rng, scoped } from '../support/helpers.js';
import { ConvActivation } from '../../ts/backend/core-abi.js';
import { denseForward, fusedDenseActivation } from '../../ts/ops/dense.js';
import { add, matMul, relu } from '../../ts/ops/index.js';
import { grads } from '../../ts/autograd/tape.js';
import { setThreadsCount } from '../../ts/backend/engine.js';
import { getActivation } from '../../ts/ops/activations.js';
import { tensor } from '../../ts/tensor/creation.js';
import * as fe from '../../ts/index.js';
import type { Tensor } from '../../ts/tensor/tensor.js';

const { ACT_LINEAR, ACT_RELU } = ConvActivation;

/** act(x W + b) in float64: x (rows, k), w (k, units), b (units) or null. */
function naive(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array | null,
  rows: number,
  k: number,
  units: number,
  act: number,
) {
  const y = new Float64Array(rows * units);
  for (let r = 0; r < rows; r++)
    for (let u = 0; u < units; u++) {
      let s = b ? b[u] : 0;
      for (let j = 0; j < k; j++) s += x[r * k + j] * w[j * units + u];
      y[r * units + u] = act === ACT_RELU ? Math.max(s, 0) : s;
    }
  return y;
}

const unfused = (act: number) => (x: Tensor, w: Tensor, b?: Tensor) => {
  const z = b ? add(matMul(x, w), b) : matMul(x, w);
  return act === ACT_RELU ? relu(z) : z;
};

describeEachBuild('fused Dense op', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [5, 7, 3],
    [32, 50, 17], // ragged vectors
    [64, 33, 128],
  ];

  it('forward matches a float64 reference, and the unfused ops bit for bit', () =>
    scoped(() => {
      const rand = rng(1);
      for (const [rows, k, units] of shapes)
        for (const act of [ACT_LINEAR, ACT_RELU])
          for (const withBias of [true, false]) {
            const x = randomTensor([rows, k], rand);
            const w = randomTensor([k, units], rand);
            const b = withBias ? randomTensor([units], rand) : null;
            const y = denseForward(x, w, b, act);
            const what = `${rows}x${k}x${units} act ${act} bias ${withBias}`;
            expectClose(
              y.dataSync(),
              naive(
                x.dataSync() as Float32Array,
                w.dataSync() as Float32Array,
                b ? (b.dataSync() as Float32Array) : null,
                rows,
                k,
                units,
                act,
              ),
              1e-5,
              1e-5,
              what,
            );
            const ref = b ? unfused(act)(x, w, b) : unfused(act)(x, w);
            expect(Array.from(y.dataSync()), what).toEqual(Array.from(ref.dataSync()));
          }
    }));

  it('gradients match finite differences and the unfused ops’ gradients', () =>
    scoped(() => {
      const rand = rng(2);
      for (const [rows, k, units] of shapes.slice(0, 3))
        for (const act of [ACT_LINEAR, ACT_RELU]) {
          const x = randomTensor([rows, k], rand);
          const w = randomTensor([k, units], rand);
          const b = randomTensor([units], rand);
          // Finite differences cross relu's kink on large sums; the unfused gradients below cover those.
          if (act === ACT_LINEAR || rows * units <= 16)
            checkGradients((xx, ww, bb) => denseForward(xx, ww, bb, act), [x, w, b], { eps: 1e-2 });
          const dy = randomTensor([rows, units], rand);
          const g1 = grads((xx: Tensor, ww: Tensor, bb: Tensor) => denseForward(xx, ww, bb, act))([x, w, b], dy);
          const g2 = grads((xx: Tensor, ww: Tensor, bb: Tensor) => unfused(act)(xx, ww, bb))([x, w, b], dy);
          g1.forEach((g, i) =>
            expectClose(g.dataSync(), g2[i].dataSync(), 1e-5, 1e-6, `input ${i}, ${rows}x${k}x${units} act ${act}`),
          );
          const g3 = grads((xx: Tensor, ww: Tensor) => denseForward(xx, ww, null, act))([x, w], dy);
          const g4 = grads((xx: Tensor, ww: Tensor) => unfused(act)(xx, ww))([x, w], dy);
          g3.forEach((g, i) => expectClose(g.dataSync(), g4[i].dataSync(), 1e-5, 1e-6, `no bias, input ${i}`));
        }
    }));

  it('only linear and the built-in relu are fused; a custom function named relu is not', () => {
    expect(fusedDenseActivation(getActivation('relu'))).toBe(ACT_RELU);
    expect(fusedDenseActivation(getActivation('linear'))).toBe(ACT_LINEAR);
    expect(fusedDenseActivation(getActivation('tanh'))).toBeUndefined();
    const relu2 = function relu(x: Tensor) {
      return fe.mul(x, 2);
    };
    expect(fusedDenseActivation(relu2)).toBeUndefined();
  });

  it('refuses mismatched shapes with a message naming them', () =>
    scoped(() => {
      const rand = rng(3);
      expect(() => denseForward(randomTensor([2, 3], rand), randomTensor([4, 5], rand), null, ACT_LINEAR)).toThrow(
        /dense: expected x \[rows, k\], kernel \[k, units\] and bias \[units\], got \[2, 3\], \[4, 5\]/,
      );
      expect(() =>
        denseForward(randomTensor([2, 3], rand), randomTensor([3, 5], rand), randomTensor([4], rand), ACT_RELU),
      ).toThrow(/and \[4\]/);
    }));
});

it('a Dense MLP trains bitwise the same on 1, 2 and 3 threads (threaded build), and layers keep their results', async () => {
  const results: number[][] = [];
  for (const threads of [1, 2, 3]) {
    setThreadsCount(threads);
    await fe.setBackend('simd-threads');
    fe.setRandomSeed(5);
    const rand = rng(9);
    const n = 256;
    const x = tensor(
      Float32Array.from({ length: n * 40 }, () => rand() * 2 - 1),
      [n, 40],
    );
    const y = tensor(
      Int32Array.from({ length: n }, (_, i) => i % 3),
      [n],
      'int32',
    );
    const m = fe.sequential({
      layers: [
        fe.layers.dense({ units: 300, activation: 'relu', inputShape: [40] }),
        fe.layers.dense({ units: 64 }),
        fe.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: fe.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 128, shuffle: false, verbose: 0 });
    results.push([...h.history.loss, ...m.getWeights().flatMap((w) => Array.from(w.dataSync().slice(0, 50)))]);
    expect(h.history.loss[2]).toBeLessThan(h.history.loss[0]);
    m.dispose();
    x.dispose();
    y.dispose();
  }
  expect(results[1]).toEqual(results[0]);
  expect(results[2]).toEqual(results[0]);
  setThreadsCount(2);
});
