// The tape's ownership rules and tidy's reach, beyond what each op's gradient tests cover.

import { describe, expect, it } from 'vitest';
import { grad, grads, valueAndGrad } from '../../ts/autograd/tape.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import { mul, add, sum, unstack } from '../../ts/ops/index.js';
import { layers, sequential, train } from '../../ts/index.js';
import type { Tensor } from '../../ts/tensor/tensor.js';

describe('autograd ownership', () => {
  it('a function that returns its own input: the caller keeps the input, gets its own value', () => {
    const x = tensor([1, 2, 3]);
    const dy = tensor([1, 1, 1]);
    // d(x)/dx against dy is dy itself.
    const g = grad((t) => t)(x, dy);
    expect(x.isDisposed).toBe(false);
    expect(Array.from(g.dataSync())).toEqual([1, 1, 1]);
    const { value, grad: g2 } = valueAndGrad((t) => t)(x, dy);
    expect(value).not.toBe(x);
    value.dispose();
    expect(x.isDisposed).toBe(false);
    for (const t of [x, dy, g, g2]) t.dispose();
  });

  it('a missing gradient is an error that leaks nothing', () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    const before = memory().numTensors;
    // f ignores b: d f / d b does not exist.
    expect(() => grads((p: Tensor) => mul(p, p))([a, b], tensor([1, 1]))).toThrow(/does not depend on input 1/);
    // the dy passed in above is the one tensor left
    expect(memory().numTensors).toBe(before + 1);
    a.dispose();
    b.dispose();
  });
});

describe('tidy', () => {
  it('keeps tensors returned at any depth and inside class instances', () => {
    class Box {
      constructor(readonly t: Tensor) {}
    }
    const deep = tidy(() => {
      let v: unknown = add(tensor([1]), 1);
      for (let i = 0; i < 12; i++) v = [v];
      return v as Tensor[];
    });
    let inner: unknown = deep;
    while (Array.isArray(inner)) inner = inner[0];
    expect((inner as Tensor).isDisposed).toBe(false);
    const box = tidy(() => new Box(add(tensor([2]), 1)) as unknown as Tensor);
    expect((box as unknown as Box).t.isDisposed).toBe(false);
    expect(Array.from((box as unknown as Box).t.dataSync())).toEqual([3]);
    (inner as Tensor).dispose();
    (box as unknown as Box).t.dispose();
  });
});

describe('model checks', () => {
  it('setWeights checks every value before changing any weight', () => {
    const model = sequential({ layers: [layers.dense({ units: 2, inputShape: [3] })] });
    const [kernel] = model.getWeights();
    const before = kernel.dataSync();
    const ones = tensor(new Float32Array(6).fill(1), [3, 2]);
    const intBias = tensor([1, 2], [2], 'int32');
    expect(() => model.setWeights([ones, intBias])).toThrow(/is float32, got int32/);
    const [after] = model.getWeights();
    expect(Array.from(after.dataSync())).toEqual(Array.from(before));
    model.dispose();
  });

  it('NaN in validation labels is a clear error before training', async () => {
    const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    const optimizer = train.sgd(0.1);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const y = tensor([[1], [2]]);
    const yv = tensor([[NaN], [2]]);
    await expect(model.fit(x, y, { epochs: 1, verbose: 0, validationData: [x, yv] })).rejects.toThrow(/NaN|finite/i);
    model.dispose();
    optimizer.dispose();
  });
});

describe('fit that ends by an error', () => {
  it('releases what callbacks hold (EarlyStopping best weights)', async () => {
    const { callbacks } = await import('../../ts/training/index.js');
    const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
    const optimizer = train.sgd(0.01);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    const y = tensor([[1], [2], [3], [4]]);
    const before = memory().numTensors;
    const failing = {
      onEpochEnd: (epoch: number) => {
        if (epoch === 1) throw new Error('hook failed');
      },
    };
    const es = callbacks.earlyStopping({ monitor: 'loss', patience: 5, restoreBestWeights: true });
    await expect(model.fit(x, y, { epochs: 4, verbose: 0, callbacks: [es, failing] })).rejects.toThrow(/hook failed/);
    expect(memory().numTensors).toBe(before);
    model.dispose();
    optimizer.dispose();
  });
});

describe('ops with several outputs', () => {
  it('unstack: one record; only the pieces used get a gradient, the rest count as zero', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    const before = memory().numTensors;
    // Only pieces 0 and 2 reach the result: piece 1's rows of dx are zero.
    const g = grad((t) => {
      const [a, , c] = unstack(t);
      return sum(add(mul(a, a), c));
    })(x);
    expect(Array.from(g.dataSync())).toEqual([2, 4, 0, 0, 1, 1]);
    g.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
  });

  it('a result that uses no piece of a multi-output op never runs its backward', () => {
    const x = tensor([1, 2, 3, 4], [2, 2]);
    const g = grad((t) => {
      unstack(t);
      return sum(mul(t, t));
    })(x);
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6, 8]);
    g.dispose();
    x.dispose();
  });
});
