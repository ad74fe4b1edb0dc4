// Keras's ReduceLROnPlateau, LearningRateScheduler and CSVLogger on a small fit.

import { expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fe from '../../ts/index.js';
import { describeEachBuild } from '../support/helpers.js';

/** A one-weight model, compiled with `opt`, fit for `epochs` with `callbacks`. */
async function fitWith(opt: fe.Optimizer, epochs: number, callbacks: unknown[]) {
  const model = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: opt, loss: 'meanSquaredError' });
  const xs = fe.tensor2d([[1], [2]]);
  const ys = fe.tensor2d([[2], [4]]);
  const h = await model.fit(xs, ys, { epochs, verbose: 0, callbacks: callbacks as never });
  [xs, ys].forEach((t) => t.dispose());
  model.dispose();
  return h;
}

describeEachBuild('learning-rate callbacks and csvLogger', () => {
  it('reduceLROnPlateau multiplies the rate by factor after patience epochs without improvement', async () => {
    // A rate so small the loss stays flat: every epoch after the first is a plateau.
    const opt = fe.train.sgd(1e-12);
    await fitWith(opt, 5, [fe.callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2 })]);
    // Epoch 0 sets the best; epochs 1-2 wait, 2 reduces; 3-4 wait, 4 reduces.
    expect(opt.learningRate).toBeCloseTo(1e-12 * 0.25, 20);
    const floor = fe.train.sgd(1e-12);
    await fitWith(floor, 6, [fe.callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 1, minLr: 5e-13 })]);
    expect(floor.learningRate).toBe(5e-13);
    opt.dispose();
    floor.dispose();
    expect(() => fe.callbacks.reduceLROnPlateau({ factor: 1 })).toThrow(/factor must be in \[0, 1\)/);
  });

  it('learningRateScheduler sets the rate from (epoch, lr) at each epoch start', async () => {
    const opt = fe.train.sgd(0.01);
    const seen: [number, number][] = [];
    const h = await fitWith(opt, 3, [
      fe.callbacks.learningRateScheduler((epoch, lr) => {
        seen.push([epoch, lr]);
        return lr / 2;
      }),
    ]);
    expect(seen).toEqual([
      [0, 0.01],
      [1, 0.005],
      [2, 0.0025],
    ]);
    expect(opt.learningRate).toBe(0.00125);
    expect(h.history.loss.length).toBe(3);
    await expect(fitWith(fe.train.sgd(0.1), 1, [fe.callbacks.learningRateScheduler(() => NaN)])).rejects.toThrow(
      /learningRateScheduler: the schedule returned NaN for epoch 0/,
    );
    opt.dispose();
  });

  it('csvLogger writes a header and one row per epoch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrite-csv-'));
    const file = join(dir, 'log.csv');
    try {
      await fitWith(fe.train.sgd(0.01), 2, [fe.callbacks.csvLogger(file)]);
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('epoch,loss');
      expect(lines.length).toBe(3);
      expect(lines[1]).toMatch(/^0,\d+(\.\d+)?(e-?\d+)?$/);
      await fitWith(fe.train.sgd(0.01), 1, [fe.callbacks.csvLogger(file, { append: true, separator: ';' })]);
      expect(readFileSync(file, 'utf8').trim().split('\n').length).toBe(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
