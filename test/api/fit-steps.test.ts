// model.fit's stepsPerEpoch and validationSteps (Keras's steps_per_epoch / validation_steps
// for array data): how many batches an epoch trains on, which samples they hold, what
// validation sees, and errors naming the option.

import { beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';

beforeAll(() => fe.ready());

/** A model whose loss is the mean of x: the batch's rows are readable from the loss. */
function model(): fe.LayersModel {
  fe.setRandomSeed(3);
  const m = fe.sequential({
    layers: [fe.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'ones' })],
  });
  m.compile({ optimizer: fe.train.sgd(0), loss: 'meanAbsoluteError' });
  return m;
}

/** The batches fit trains on: [size, mean |x - 0|] from each onBatchEnd. */
async function batchesOf(args: fe.ModelFitArgs, n = 10) {
  const m = model();
  const x = fe.tensor(
    Array.from({ length: n }, (_, i) => i + 1),
    [n, 1],
  );
  const y = fe.zeros([n, 1]);
  const seen: { epoch: number; batch: number; size: number; loss: number }[] = [];
  let epoch = -1;
  const before = fe.memory().numTensors;
  const h = await m.fit(x, y, {
    verbose: 0,
    shuffle: false,
    ...args,
    callbacks: {
      onEpochBegin: async (e: number) => void (epoch = e),
      onBatchEnd: async (b: number, logs?: fe.Logs) =>
        void seen.push({ epoch, batch: b, size: logs!.size as number, loss: logs!.loss as number }),
    },
  });
  expect(fe.memory().numTensors).toBe(before);
  fe.dispose([x, y]);
  m.dispose();
  return { seen, h };
}

describe('fit stepsPerEpoch / validationSteps', () => {
  it('an epoch trains on stepsPerEpoch batches; the stream continues across epochs', async () => {
    // 10 samples, batch 4: a pass is batches [1..4], [5..8], [9,10].
    const { seen, h } = await batchesOf({ batchSize: 4, epochs: 3, stepsPerEpoch: 2 });
    expect(seen.map((s) => [s.epoch, s.batch, s.size])).toEqual([
      [0, 0, 4],
      [0, 1, 4],
      [1, 0, 2],
      [1, 1, 4],
      [2, 0, 4],
      [2, 1, 2],
    ]);
    // The mean of each batch's values: the rows are the stream's, in order.
    expect(seen.map((s) => s.loss)).toEqual([2.5, 6.5, 9.5, 2.5, 6.5, 9.5]);
    expect(h.history.loss.length).toBe(3);
    // Epoch loss: the sample-weighted mean of its batches (epoch 1: rows 9, 10, 1..4).
    expect(h.history.loss[1]).toBeCloseTo((9 + 10 + 1 + 2 + 3 + 4) / 6, 5);
  });

  it('more steps than a pass has batches runs on into the next pass', async () => {
    const { seen, h } = await batchesOf({ batchSize: 4, epochs: 1, stepsPerEpoch: 5 });
    expect(seen.map((s) => s.size)).toEqual([4, 4, 2, 4, 4]);
    expect(seen.map((s) => s.loss)).toEqual([2.5, 6.5, 9.5, 2.5, 6.5]);
    expect(h.history.loss[0]).toBeCloseTo((55 + 36) / 18, 5);
  });

  it('with shuffling, each pass holds every sample once', async () => {
    const { seen } = await batchesOf({ batchSize: 5, epochs: 2, stepsPerEpoch: 3, shuffle: true, seed: 7 }, 10);
    // Batch means * size = sums; a pass (2 batches) sums to 55.
    const sums = seen.map((s) => Math.round(s.loss * s.size));
    expect(sums[0] + sums[1]).toBe(55);
    expect(sums[2] + sums[3]).toBe(55);
    expect(sums[4] + sums[5]).toBe(55);
  });

  it('validationSteps evaluates the first batches of the validation data', async () => {
    const m = model();
    const x = fe.tensor([1, 2, 3, 4], [4, 1]);
    const y = fe.zeros([4, 1]);
    const xv = fe.tensor([1, 3, 100, 200], [4, 1]);
    const yv = fe.zeros([4, 1]);
    const before = fe.memory().numTensors;
    const valLoss = async (validationSteps?: number) =>
      (await m.fit(x, y, { verbose: 0, validationData: [xv, yv], validationBatchSize: 1, validationSteps })).history
        .val_loss[0];
    expect(await valLoss()).toBeCloseTo(76, 5);
    expect(await valLoss(2)).toBeCloseTo(2, 5);
    // More steps than batches: all of it.
    expect(await valLoss(9)).toBeCloseTo(76, 5);
    expect(fe.memory().numTensors).toBe(before);
    fe.dispose([x, y, xv, yv]);
    m.dispose();
  });

  it('bad values name the option', async () => {
    const m = model();
    const x = fe.ones([4, 1]);
    for (const bad of [0, -1, 1.5, NaN]) {
      await expect(m.fit(x, x, { verbose: 0, stepsPerEpoch: bad })).rejects.toThrow(
        /stepsPerEpoch must be a positive integer/,
      );
      await expect(m.fit(x, x, { verbose: 0, validationSteps: bad, validationSplit: 0.5 })).rejects.toThrow(
        /validationSteps must be a positive integer/,
      );
    }
    await expect(m.fit(x, x, { verbose: 0, validationSteps: 1 })).rejects.toThrow(
      /validationSteps needs validationData/,
    );
    fe.dispose(x);
    m.dispose();
  });
});
