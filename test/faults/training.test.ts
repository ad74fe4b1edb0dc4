// Faults in training: a step whose loss or gradients are not finite changes no weight,
// fit stops on it with the last finite weights (and runs onTrainEnd), or stops quietly with
// terminateOnNaN; NaN input is refused by every entry point; compile during fit and calls
// on a disposed model are refused; fit's seed fixes the shuffle and the dropout masks; an
// optimizer made from a name is disposed with its model, one passed in is not.

import { describe, expect, it } from 'vitest';
import { memory, tensor, zeros } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { sequential, type Sequential } from '../../ts/models/index.js';
import { AdamOptimizer, train, type Optimizer } from '../../ts/optimizers/index.js';
import { callbacks, NonFiniteStepError, TerminateOnNaN } from '../../ts/training/index.js';
import { abs, mean, sqrt, sub } from '../../ts/ops/index.js';
import { randomUniform, setRandomSeed } from '../../ts/ops/random.js';
import { randomTensor, rng } from '../support/helpers.js';

function weightsOf(m: Sequential): Float32Array[] {
  return m.weights.map((w) => w.dataSync().slice() as Float32Array);
}

/** A 4 -> 3 -> 1 regression model (linear: huge inputs give huge outputs, whatever the weights). */
function regression(lr = 0.01): Sequential {
  const m = sequential({
    layers: [layers.dense({ units: 3, inputShape: [4], kernelInitializer: 'ones' }), layers.dense({ units: 1 })],
  });
  m.compile({ optimizer: train.sgd(lr), loss: 'meanSquaredError' });
  return m;
}

function data(n = 8): { x: Tensor; y: Tensor } {
  const r = rng(1);
  return { x: randomTensor([n, 4], r), y: randomTensor([n, 1], r) };
}

describe('a non-finite step changes no weight', () => {
  it('trainOnBatch refuses NaN in x, naming x and the sample, and changes nothing', async () => {
    const m = regression();
    const { x, y } = data();
    x.view()[4 * 5 + 2] = NaN;
    const before = weightsOf(m);
    const tensors = memory().numTensors;
    await expect(m.trainOnBatch(x, y)).rejects.toThrow(
      /trainOnBatch: x contains NaN \(first at sample 5, flat index 22\)/,
    );
    expect(weightsOf(m)).toEqual(before);
    expect(memory().numTensors).toBe(tensors);
    m.dispose();
    x.dispose();
    y.dispose();
  });

  it('trainOnBatch refuses a step whose loss overflows, keeping the last finite weights', async () => {
    const m = regression(1e30); // the first step throws the weights far out; the second step's loss overflows
    const { x, y } = data();
    await m.trainOnBatch(x, y);
    const after1 = weightsOf(m);
    expect(after1.every((w) => w.every(Number.isFinite))).toBe(true);
    const tensors = memory().numTensors;
    const err = await m.trainOnBatch(x, y).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteStepError);
    expect(String(err)).toMatch(
      /sequential_\d+: trainOnBatch: the loss is (Infinity|NaN); the step was refused and no weight changed/,
    );
    expect(weightsOf(m)).toEqual(after1);
    expect(m.optimizer!.iterations).toBe(1);
    expect(memory().numTensors).toBe(tensors);
    m.dispose();
    x.dispose();
    y.dispose();
  });

  it('trainOnBatch refuses a step whose gradient is NaN while the loss is finite, naming the weight', async () => {
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
    // sqrt(|y - p|) at y = p: loss 0, gradient (1 / 2sqrt(0)) * sign(0) = Infinity * 0 = NaN.
    m.compile({ optimizer: 'sgd', loss: (yTrue: Tensor, yPred: Tensor) => mean(sqrt(abs(sub(yTrue, yPred))), -1) });
    const x = tensor([1, 2, 3, 4], [2, 2]);
    const y = zeros([2, 1]);
    const before = weightsOf(m);
    const err = (await m.trainOnBatch(x, y).catch((e: unknown) => e)) as NonFiniteStepError;
    expect(err).toBeInstanceOf(NonFiniteStepError);
    expect(err.what).toMatch(/^gradient of dense_\d+\/(kernel|bias)$/);
    expect(err.message).toMatch(/the gradient of dense_\d+\/(kernel|bias) is NaN; the step was refused/);
    expect(weightsOf(m)).toEqual(before);
    m.dispose();
    x.dispose();
    y.dispose();
  });
});

describe('a step whose updated weights or optimizer slots would not be finite changes nothing', () => {
  /** Dense(1) from zeros on x = [[1e10, 1]], y = [[1]]: loss 1 and gradients ~1e10, all finite. */
  function overflowing(optimizer: Optimizer): { m: Sequential; x: Tensor; y: Tensor } {
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
    m.compile({ optimizer, loss: 'meanSquaredError' });
    return { m, x: tensor([1e10, 1], [1, 2]), y: tensor([1], [1, 1]) };
  }

  it.each([
    // lr 1e30 x gradient 2e10 overflows the kernel.
    ['SGD (the weight overflows)', () => train.sgd(1e30), /^update of dense_\d+\/kernel$/],
    // g² = 4e40 overflows Adam's second moment; the weight itself would stay finite (m / sqrt(Infinity) = 0).
    ['Adam (a slot overflows)', () => train.adam(0.1), /^update of dense_\d+\/kernel$/],
  ] as const)(
    'trainOnBatch with %s: refused naming the weight, weights, slots and iterations unchanged',
    async (_n, make, what) => {
      const opt = make();
      const { m, x, y } = overflowing(opt);
      if (opt instanceof AdamOptimizer) x.view()[0] = 1e20;
      const before = weightsOf(m);
      const tensors = memory().numTensors;
      const err = (await m.trainOnBatch(x, y).catch((e: unknown) => e)) as NonFiniteStepError;
      expect(err).toBeInstanceOf(NonFiniteStepError);
      expect(err.what).toMatch(what);
      expect(err.message).toMatch(
        /sequential_\d+: trainOnBatch: the update would make dense_\d+\/kernel or its optimizer state NaN or Infinity; the step was refused and no weight changed/,
      );
      expect(weightsOf(m)).toEqual(before);
      expect(opt.iterations).toBe(0);
      expect(memory().numTensors, 'no slot made for the refused step stays').toBe(tensors);
      const state = await opt.getWeights();
      expect(state.map((w) => w.name)).toEqual(['iter']);
      state.forEach((w) => w.tensor.dispose());
      m.dispose();
      opt.dispose();
      [x, y].forEach((t) => t.dispose());
    },
  );

  it('fit stops on it with the last finite weights', async () => {
    const opt = train.sgd(1e30);
    const { m, x, y } = overflowing(opt);
    const before = weightsOf(m);
    await expect(m.fit(x, y, { epochs: 2, verbose: 0 })).rejects.toThrow(
      /fit: the update of dense_\d+\/kernel would become NaN or Infinity at epoch 1, batch 1 of 1; training stopped with the weights of the last finite step/,
    );
    expect(weightsOf(m)).toEqual(before);
    m.dispose();
    opt.dispose();
    [x, y].forEach((t) => t.dispose());
  });
});

describe('fit stops on a non-finite step', () => {
  it('rejects naming epoch and batch, keeps the last finite weights, and runs onTrainEnd', async () => {
    const m = regression(1e30);
    const { x, y } = data(8);
    let trainEnded = 0;
    const snapshots: Float32Array[][] = [];
    const tensors = memory().numTensors;
    await expect(
      m.fit(x, y, {
        batchSize: 2,
        epochs: 3,
        shuffle: false,
        verbose: 0,
        callbacks: { onBatchEnd: () => void snapshots.push(weightsOf(m)), onTrainEnd: () => void trainEnded++ },
      }),
    ).rejects.toThrow(
      /fit: the loss became (Infinity|NaN) at epoch 1, batch 2 of 4; training stopped with the weights of the last finite step/,
    );
    expect(trainEnded).toBe(1);
    expect(snapshots.length).toBe(1);
    expect(weightsOf(m)).toEqual(snapshots[0]);
    expect(m.isTraining).toBe(false);
    expect(memory().numTensors).toBe(tensors);
    m.dispose();
    x.dispose();
    y.dispose();
  });

  it('with callbacks.terminateOnNaN() stops quietly: History of what was done, onTrainEnd ran', async () => {
    const m = regression(1e30);
    const { x, y } = data(8);
    let trainEnded = 0;
    const stopper = callbacks.terminateOnNaN();
    expect(stopper).toBeInstanceOf(TerminateOnNaN);
    const h = await m.fit(x, y, {
      batchSize: 2,
      epochs: 3,
      shuffle: false,
      verbose: 0,
      callbacks: [stopper, { onTrainEnd: () => void trainEnded++ }],
    });
    expect(stopper.stopped).toMatchObject({ epoch: 0, batch: 1, what: 'loss' });
    expect(h.epoch).toEqual([0]);
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
    expect(trainEnded).toBe(1);
    expect(weightsOf(m).every((w) => w.every(Number.isFinite))).toBe(true);
    m.dispose();
    x.dispose();
    y.dispose();
  });

  it('an infinite validation loss stops fit with an error naming it', async () => {
    const m = regression();
    const { x, y } = data(8);
    const xVal = tensor(new Float32Array(8).fill(1e30), [2, 4]);
    const yVal = zeros([2, 1]);
    const before = memory().numTensors;
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, validationData: [xVal, yVal] })).rejects.toThrow(
      /fit: the validation loss became (Infinity|NaN) at epoch 1/,
    );
    expect(memory().numTensors).toBe(before);
    m.dispose();
    for (const t of [x, y, xVal, yVal]) t.dispose();
  });
});

describe('NaN input is refused by evaluate and predict, as by fit', () => {
  it('evaluate and predict name x and where the NaN is, and leak nothing', () => {
    const m = regression();
    const { x, y } = data(4);
    x.view()[9] = Infinity;
    const before = memory().numTensors;
    expect(() => m.evaluate(x, y)).toThrow(/evaluate: x contains Infinity \(first at sample 2, flat index 9\)/);
    expect(() => m.predict(x)).toThrow(/predict: x contains Infinity \(first at sample 2, flat index 9\)/);
    y.view()[3] = NaN;
    x.view()[9] = 0;
    expect(() => m.evaluate(x, y)).toThrow(/evaluate: y contains NaN \(first at sample 3/);
    expect(memory().numTensors).toBe(before);
    m.dispose();
    x.dispose();
    y.dispose();
  });
});

describe('misuse of the model during and after training', () => {
  it('compile and trainOnBatch during a running fit are refused; the fit finishes', async () => {
    const m = regression();
    const { x, y } = data(8);
    const running = m.fit(x, y, { epochs: 2, verbose: 0, yieldEvery: 'batch', batchSize: 2 });
    expect(() => m.compile({ optimizer: 'adam', loss: 'meanSquaredError' })).toThrow(
      /sequential_\d+: compile: the model is training \(await the running fit, then compile\)/,
    );
    await expect(m.trainOnBatch(x, y)).rejects.toThrow(/trainOnBatch: the model is training/);
    const h = await running;
    expect(h.epoch).toEqual([0, 1]);
    m.dispose();
    x.dispose();
    y.dispose();
  });

  it('fit, evaluate, predict and trainOnBatch on a disposed model say it is disposed', async () => {
    const m = regression();
    const { x, y } = data(4);
    m.dispose();
    await expect(m.fit(x, y)).rejects.toThrow(/sequential_\d+ is disposed; fit cannot run on it/);
    await expect(m.trainOnBatch(x, y)).rejects.toThrow(/is disposed; trainOnBatch cannot run on it/);
    expect(() => m.evaluate(x, y)).toThrow(/is disposed; evaluate cannot run on it/);
    expect(() => m.predict(x)).toThrow(/is disposed; predict cannot run on it/);
    x.dispose();
    y.dispose();
  });
});

describe("fit's seed", () => {
  function dropoutModel(): Sequential {
    setRandomSeed(1); // same initial weights
    const m = sequential({
      layers: [
        layers.dense({ units: 16, inputShape: [4], activation: 'relu' }),
        layers.dropout({ rate: 0.5 }),
        layers.dense({ units: 1 }),
      ],
    });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    return m;
  }

  it('fixes shuffle order and dropout masks, and leaves the global stream where it was', async () => {
    const { x, y } = data(16);
    const run = async (seed: number) => {
      const m = dropoutModel();
      setRandomSeed(99);
      await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, seed });
      const draw = randomUniform([3]);
      const out = { weights: weightsOf(m), next: Array.from(draw.dataSync()) };
      draw.dispose();
      m.dispose();
      return out;
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b.weights).toEqual(a.weights);
    expect(c.weights).not.toEqual(a.weights);
    setRandomSeed(99);
    const fresh = randomUniform([3]);
    expect(a.next).toEqual(Array.from(fresh.dataSync())); // fit's draws did not move the global stream
    fresh.dispose();
    x.dispose();
    y.dispose();
  });

  it('rejects a seed that is not an integer or a string', async () => {
    const m = regression();
    const { x, y } = data(4);
    await expect(m.fit(x, y, { seed: 1.5, verbose: 0 })).rejects.toThrow(
      /fit: seed must be an integer or a string, got 1.5/,
    );
    m.dispose();
    x.dispose();
    y.dispose();
  });
});

describe('who disposes the optimizer', () => {
  it('an optimizer compile made from a name goes with the model; one passed in stays with its owner', async () => {
    const { x, y } = data(4);
    const before = memory().numTensors;
    const byName = regression();
    byName.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await byName.fit(x, y, { verbose: 0 });
    byName.dispose();
    expect(memory().numTensors).toBe(before);

    const opt = train.adam(0.01);
    const own = regression();
    own.compile({ optimizer: opt, loss: 'meanSquaredError' });
    await own.fit(x, y, { verbose: 0 });
    own.dispose();
    expect(memory().numTensors).toBeGreaterThan(before); // Adam's slots live on with the optimizer
    opt.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
    y.dispose();
  });
});
