// Memory faults: wasm memory never shrinks, so freed blocks must be reused (the core's
// allocator keeps segregated free lists), and a request beyond the limit must fail
// clearly, leaving every live tensor as it was. After fit on each reference program's
// model (which reshape: Flatten, Dense over sequences, attention heads), no tensor, byte
// or buffer is left behind.

import { describe, expect, it } from 'vitest';
import { memory, oneHot, tensor, zeros } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import type { LayersModel } from '../../ts/index.js';
import { randomTensor, rng } from '../support/helpers.js';
import { mlp } from '../../examples/fashion-mnist-mlp.js';
import { cnn } from '../../examples/cifar10-cnn.js';
import { mlpWithDropout } from '../../examples/mnist-mlp.js';
import { textModel } from '../../examples/text-generation.js';
import { gptModel } from '../../examples/gpt.js';
import { discriminator as dcganDiscriminator, generator as dcganGenerator } from '../../examples/dcgan.js';

describe('wasm memory', () => {
  it('a freed large tensor’s memory serves the next tensor of its size (memory does not grow again)', () => {
    const bytes = 48 * 2 ** 20;
    const a = zeros([bytes / 4]);
    a.dispose();
    const peak = memory().wasmMemoryBytes;
    for (let i = 0; i < 5; i++) zeros([bytes / 4 - 1000 * i]).dispose(); // same size class
    expect(memory().wasmMemoryBytes).toBe(peak);
  });

  it('an allocation beyond the limit throws naming the size, the limit and setMaxMemory; nothing leaks', () => {
    const keep = tensor([1, 2, 3], [3]);
    const before = memory();
    expect(() => zeros([2 ** 31])).toThrow(/out of wasm memory allocating \d+ bytes .*setMaxMemory\(\)/);
    const after = memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytesInWasmHeap).toBe(before.numBytesInWasmHeap);
    expect(Array.from(keep.dataSync())).toEqual([1, 2, 3]);
    keep.dispose();
  });
});

/** Each reference program's model at a small size, compiled, with a batch of its data and labels. */
function programs(): { name: string; model: LayersModel; x: Tensor; y: Tensor }[] {
  const rand = rng(9);
  const ids = (shape: number[], vocab: number): Tensor =>
    tensor(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(rand() * vocab)),
      shape,
    );
  const classes = (n: number, k: number): Tensor => oneHot(ids([n], k).cast('int32'), k).cast('float32');
  const make = (name: string, model: LayersModel, loss: string, x: Tensor, y: Tensor) => {
    model.compile({ optimizer: name === 'P4 MNIST MLP' ? 'rmsprop' : 'adam', loss });
    return { name, model, x, y };
  };
  const discriminator = dcganDiscriminator(4);
  return [
    make('P1 Fashion-MNIST MLP', mlp(), 'sparseCategoricalCrossentropy', randomTensor([4, 28, 28], rand), ids([4], 10)),
    make('P2/P3 CNN', cnn([28, 28, 1]), 'categoricalCrossentropy', randomTensor([4, 28, 28, 1], rand), classes(4, 10)),
    make('P4 MNIST MLP', mlpWithDropout(), 'categoricalCrossentropy', randomTensor([4, 784], rand), classes(4, 10)),
    make(
      'P5 text generation',
      textModel(50, 8, 16, 6),
      'sparseCategoricalCrossentropy',
      ids([4, 6], 50),
      ids([4, 6], 50),
    ),
    make('GPT', gptModel(50, 16, 2, 1, 8), 'sparseCategoricalCrossentropy', ids([4, 8], 50), ids([4, 8], 50)),
    make(
      'DCGAN discriminator',
      discriminator,
      'binaryCrossentropy',
      randomTensor([4, 28, 28, 1], rand),
      ids([4, 1], 2),
    ),
    make(
      'DCGAN generator',
      dcganGenerator(8, 4),
      'meanSquaredError',
      randomTensor([4, 8], rand),
      randomTensor([4, 28, 28, 1], rand),
    ),
  ];
}

describe('no tensor, byte or buffer leaks after fit on the reference programs (reshapes share data)', () => {
  it.each(programs())('$name', async ({ model, x, y }) => {
    await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0, seed: 1 });
    const before = memory();
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, seed: 2 });
    tidy(() => void model.predict(x));
    const after = memory();
    expect(after.numTensors, 'live tensors').toBe(before.numTensors);
    expect(after.numBytes, 'bytes of the live tensors').toBe(before.numBytes);
    expect(after.numDataBuffers, 'buffers of the live tensors').toBe(before.numDataBuffers);
    expect(after.numBytesInWasmHeap, 'bytes in the wasm heap').toBe(before.numBytesInWasmHeap);
    model.dispose();
    x.dispose();
    y.dispose();
  });
});
