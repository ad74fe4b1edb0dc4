// reshape, expandDims, squeeze and flatten share their input's data (a view, as in TF.js):
// the pointer is the same, memory() counts the block once, disposing either side keeps the
// other, variables never share (reshape of a variable copies), and gradients through views
// that meet are right.

import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { checkGradients, describeEachBuild, randomTensor, rng } from '../support/helpers.js';
import { memory, tensor, tensor1d, tensor2d, zeros } from '../../ts/tensor/creation.js';
import { keep, tidy } from '../../ts/tensor/scope.js';
import { variable, writable, type Tensor } from '../../ts/tensor/tensor.js';
import { expandDims, reshape, squeeze } from '../../ts/ops/shape.js';
import { add, mul } from '../../ts/ops/arithmetic.js';
import { sum } from '../../ts/ops/reduce.js';
import { grad } from '../../ts/autograd/tape.js';
import { denseForward } from '../../ts/ops/dense.js';
import { lstmSequence } from '../../ts/ops/recurrent.js';
import { layers, sequential, train } from '../../ts/index.js';
import { ConvActivation, RnnActivation } from '../../ts/backend/core-abi.js';

/** The counts memory() gives, less those before. */
function memoryDelta(before: ReturnType<typeof memory>): { tensors: number; bytes: number; buffers: number } {
  const now = memory();
  return {
    tensors: now.numTensors - before.numTensors,
    bytes: now.numBytes - before.numBytes,
    buffers: now.numDataBuffers - before.numDataBuffers,
  };
}

describeEachBuild('reshape is a view', () => {
  it("reshape, expandDims, squeeze, flatten and the chained methods return the input's pointer, not a copy", () => {
    const x = tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const views: Tensor[] = [
      reshape(x, [3, 2]),
      reshape(x, [-1]),
      expandDims(x, 1),
      squeeze(expandDims(x, 0)),
      x.flatten(),
      x.reshape([6, 1]),
      x.as1D(),
    ];
    for (const v of views) {
      expect(v.ptr).toBe(x.ptr);
      expect(Array.from(v.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    }
    expect(views.map((v) => v.shape)).toEqual([[3, 2], [6], [2, 1, 3], [2, 3], [6], [6, 1], [6]]);
    for (const v of views) v.dispose();
    x.dispose();
  });

  it('memory() counts two tensors and one buffer; disposing either side first keeps the other; double dispose is harmless', () => {
    for (const first of ['input', 'view'] as const) {
      const before = memory();
      const x = tensor1d([1, 2, 3, 4]);
      const y = reshape(x, [2, 2]);
      expect(memoryDelta(before)).toEqual({ tensors: 2, bytes: 16, buffers: 1 });
      const [gone, kept] = first === 'input' ? [x, y] : [y, x];
      gone.dispose();
      gone.dispose();
      expect(gone.isDisposed).toBe(true);
      expect(kept.isDisposed).toBe(false);
      expect(Array.from(kept.dataSync())).toEqual([1, 2, 3, 4]);
      expect(memoryDelta(before)).toEqual({ tensors: 1, bytes: 16, buffers: 1 });
      // The block is still held: a new tensor gets other memory.
      const other = tensor1d([9, 9, 9, 9]);
      expect(Array.from(kept.dataSync())).toEqual([1, 2, 3, 4]);
      other.dispose();
      kept.dispose();
      kept.dispose();
      expect(memoryDelta(before)).toEqual({ tensors: 0, bytes: 0, buffers: 0 });
      expect(memory().numBytesInWasmHeap).toBe(before.numBytesInWasmHeap);
    }
  });

  it('a chain of views shares one buffer, freed with the last of them in any order', () => {
    const before = memory();
    const x = zeros([2, 3, 4]);
    const a = reshape(x, [6, 4]);
    const b = expandDims(a, 0);
    const c = squeeze(b);
    const d = c.reshape([4, 6]);
    const chain = [x, a, b, c, d];
    expect(new Set(chain.map((t) => t.ptr)).size).toBe(1);
    expect(memoryDelta(before)).toEqual({ tensors: 5, bytes: 96, buffers: 1 });
    for (const t of [b, x, d, a]) t.dispose();
    expect(memoryDelta(before)).toEqual({ tensors: 1, bytes: 96, buffers: 1 });
    expect(Array.from(c.dataSync())).toEqual(new Array(24).fill(0));
    c.dispose();
    expect(memoryDelta(before)).toEqual({ tensors: 0, bytes: 0, buffers: 0 });
    expect(memory().numBytesInWasmHeap).toBe(before.numBytesInWasmHeap);
  });

  it('tidy returning a view disposes its input and keeps the data alive; keep does too', () => {
    const before = memory();
    const returned = tidy(() => reshape(tensor1d([1, 2, 3, 4, 5, 6]), [3, 2]));
    let kept!: Tensor;
    tidy(() => {
      kept = keep(expandDims(tensor1d([7, 8]), 0));
    });
    expect(memoryDelta(before)).toEqual({ tensors: 2, bytes: 32, buffers: 2 });
    // Allocate over any freed memory: the views must still read their own values.
    const filler = [tensor1d([0, 0, 0, 0, 0, 0]), tensor1d([0, 0])];
    expect(returned.arraySync()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(kept.arraySync()).toEqual([[7, 8]]);
    for (const t of [...filler, returned, kept]) t.dispose();
    expect(memoryDelta(before)).toEqual({ tensors: 0, bytes: 0, buffers: 0 });
    expect(memory().numBytesInWasmHeap).toBe(before.numBytesInWasmHeap);
  });

  it('a view of a float32 and of an int32 tensor keeps the dtype', () => {
    const i = tensor([1, 2, 3, 4], [4], 'int32');
    const v = reshape(i, [2, 2]);
    expect(v.dtype).toBe('int32');
    expect(v.arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    i.dispose();
    v.dispose();
  });
});

describe('no write goes through shared data', () => {
  it("reshape of a variable copies, and assign leaves it unchanged, as in TF.js's cpu backend", async () => {
    const tf = (await import('@tensorflow/tfjs')) as typeof TF;
    await tf.setBackend('cpu');
    const w = variable(tensor2d([[1, 2, 3, 4]]));
    const r = reshape(w, [2, 2]);
    expect(r.ptr).not.toBe(w.ptr);
    w.assign(tensor2d([[5, 6, 7, 8]]));
    const tw = tf.variable(tf.tensor2d([[1, 2, 3, 4]]));
    const tr = tf.reshape(tw, [2, 2]);
    tw.assign(tf.tensor2d([[5, 6, 7, 8]]));
    expect(r.arraySync()).toEqual(tr.arraySync());
    expect(r.arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(w.arraySync()).toEqual([[5, 6, 7, 8]]);
    tf.dispose([tw, tr]);
    r.dispose();
    w.dispose();
  });

  it('an optimizer step does not change a reshape of a weight taken before it', () => {
    const w = variable(tensor1d([1, -2, 3, -4]));
    const before = reshape(w, [2, 2]);
    const opt = train.sgd(0.5);
    opt.minimize(() => sum(mul(w, w))); // w -= 0.5 * 2w: all zeros
    expect(Array.from(w.dataSync())).toEqual([0, 0, 0, 0]);
    expect(before.arraySync()).toEqual([
      [1, -2],
      [3, -4],
    ]);
    opt.dispose();
    before.dispose();
    w.dispose();
  });

  it('BatchNormalization updates its moving statistics while a reshape of them is alive', () => {
    const layer = layers.batchNormalization({ momentum: 0.5 });
    layer.apply(zeros([2, 2]));
    const moving = layer.weights[2];
    const seen = reshape(moving, [2, 1]);
    expect(seen.ptr).not.toBe(moving.ptr);
    tidy(() =>
      layer.apply(
        tensor2d([
          [2, 4],
          [2, 4],
        ]),
        { training: true },
      ),
    );
    expect(Array.from(layer.weights[2].dataSync())).toEqual([1, 2]);
    expect(Array.from(seen.dataSync())).toEqual([0, 0]);
    seen.dispose();
    layer.dispose();
  });

  it('assign, the optimizers and BatchNormalization check their target first: a variable faked as shared is refused, unchanged', () => {
    const w = variable(tensor1d([1, 2]));
    w.storage = { refs: 2 }; // what a reshape would make if variables shared their data
    expect(() => w.assign(tensor1d([3, 4]))).toThrow(/internal error: variable '.+'\.assign would write in place/);
    const g = tensor1d([1, 1]);
    const opt = train.sgd(0.1);
    expect(() => opt.applyGradients({ [w.name]: g })).toThrow(
      /internal error: \w+\.applyGradients would write in place into a float32 \[2\] whose data 2 tensors share/,
    );
    expect(Array.from(w.dataSync())).toEqual([1, 2]);
    w.storage = null;
    const layer = layers.batchNormalization();
    layer.apply(zeros([2, 2]));
    const moving = layer.weights[2];
    moving.storage = { refs: 2 };
    expect(() =>
      tidy(() =>
        layer.apply(
          tensor2d([
            [2, 4],
            [2, 4],
          ]),
          { training: true },
        ),
      ),
    ).toThrow(/internal error: BatchNormalization: moving statistics would write in place/);
    expect(Array.from(moving.dataSync())).toEqual([0, 0]);
    moving.storage = null;
    for (const t of [w, g, opt, layer]) t.dispose();
  });

  it('writable refuses a tensor whose data a view shares, naming the writer and the shape', () => {
    const x = zeros([2, 3]);
    expect(writable(x, 'test writer')).toBe(x);
    const v = reshape(x, [6]);
    expect(() => writable(x, 'test writer')).toThrow(
      /internal error: test writer would write in place into a float32 \[2, 3\] whose data 2 tensors share/,
    );
    v.dispose();
    expect(writable(x, 'test writer')).toBe(x);
    x.dispose();
  });
});

describeEachBuild('gradients through views', () => {
  it('meet exactly: d/dx Σ (x + reshape(x) + squeeze(expandDims(x))) = 3', () => {
    const x = tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const g = grad((t) => sum(add(add(t, reshape(reshape(t, [4]), [2, 2])), squeeze(expandDims(t, 2)))))(x);
    expect(Array.from(g.dataSync())).toEqual([3, 3, 3, 3]);
    g.dispose();
    x.dispose();
  });

  it('match finite differences where views of one input meet in a product', () => {
    const x = randomTensor([3, 4], rng(3));
    checkGradients((t) => mul(reshape(t, [4, 3]), reshape(expandDims(t, 0), [4, 3])), [x]);
    checkGradients((t) => add(t.flatten(), mul(t, t).reshape([12])), [x]);
    x.dispose();
  });

  it('match finite differences through Dense and LSTM fed by reshapes', () => {
    const rand = rng(11);
    const [b, t, h, u] = [2, 3, 4, 5];
    const kernel = randomTensor([h, h], rand);
    const bias = randomTensor([h], rand);
    const w = {
      kernel: randomTensor([h, 4 * u], rand, -0.5, 0.5),
      recurrentKernel: randomTensor([u, 4 * u], rand, -0.5, 0.5),
      bias: randomTensor([4 * u], rand, -0.5, 0.5),
    };
    const [h0, c0] = [zeros([b, u]), zeros([b, u])];
    const opts = { activation: RnnActivation.TANH, recurrentActivation: RnnActivation.SIGMOID, goBackwards: false };
    const f = (x: Tensor): Tensor => {
      const rows = denseForward(reshape(x, [b * t, h]), kernel, bias, ConvActivation.ACT_RELU);
      const [y] = lstmSequence(reshape(rows, [b, t, h]), w, [h0, c0], null, opts);
      return add(y, expandDims(squeeze(y.reshape([b, t, u, 1]), 3), 0).reshape([b, t, u]));
    };
    const x = randomTensor([b, t, h], rand);
    checkGradients(f, [x, kernel, bias], { check: [0, 1, 2] });
    for (const v of [x, kernel, bias, w.kernel, w.recurrentKernel, w.bias, h0, c0]) v.dispose();
  });
});

describe('no storage leaks after fit', () => {
  it('a model that reshapes (Flatten, Dense over sequences, LSTM) frees every buffer it made', async () => {
    const m = sequential({
      layers: [
        layers.reshape({ targetShape: [3, 4], inputShape: [12] }),
        layers.lstm({ units: 5, returnSequences: true }),
        layers.dense({ units: 4, activation: 'relu' }),
        layers.flatten(),
        layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const x = randomTensor([8, 12], rng(5));
    const y = tensor1d([0, 1, 0, 1, 1, 0, 1, 0]);
    await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, seed: 1 });
    const before = memory();
    await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, seed: 2 });
    expect(memoryDelta(before)).toEqual({ tensors: 0, bytes: 0, buffers: 0 });
    expect(memory().numBytesInWasmHeap).toBe(before.numBytesInWasmHeap);
    m.dispose();
    x.dispose();
    y.dispose();
  });
});
