import { describe, expect, it } from 'vitest';
import { randomTensor, rng } from '../support/helpers.js';
import { tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { sequential, type Sequential } from '../../ts/models/index.js';
import { train } from '../../ts/optimizers/index.js';
import {
  BaseCallback,
  callbacks,
  CustomCallback,
  EarlyStopping,
  fmtBar,
  fmtEta,
  fmtStepTime,
  fmtValue,
  type Logs,
} from '../../ts/training/index.js';

function setup(n = 20, lr = 0.1): { m: Sequential; x: Tensor; y: Tensor } {
  const m = sequential({
    layers: [
      layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
      layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: train.sgd(lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = randomTensor([n, 3], rng(1));
  const y = tensor(
    Array.from({ length: n }, (_, i) => i % 2),
    [n],
    'int32',
  );
  return { m, x, y };
}

describe('callbacks', () => {
  it('fire in order with the right counts and logs', async () => {
    const { m, x, y } = setup(20);
    const events: string[] = [];
    const batchLogs: Logs[] = [];
    const epochLogs: Logs[] = [];
    await m.fit(x, y, {
      epochs: 2,
      batchSize: 8,
      verbose: 0,
      validationSplit: 0.2,
      callbacks: {
        onTrainBegin: () => void events.push('trainBegin'),
        onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
        onBatchBegin: (b) => void events.push(`batchBegin ${b}`),
        onBatchEnd: (b, logs) => {
          events.push(`batchEnd ${b}`);
          batchLogs.push({ ...logs });
        },
        onEpochEnd: (e, logs) => {
          events.push(`epochEnd ${e}`);
          epochLogs.push({ ...logs });
        },
        onTrainEnd: () => void events.push('trainEnd'),
      },
    });
    // 16 training samples in batches of 8: 2 batches per epoch.
    expect(events).toEqual([
      'trainBegin',
      'epochBegin 0',
      'batchBegin 0',
      'batchEnd 0',
      'batchBegin 1',
      'batchEnd 1',
      'epochEnd 0',
      'epochBegin 1',
      'batchBegin 0',
      'batchEnd 0',
      'batchBegin 1',
      'batchEnd 1',
      'epochEnd 1',
      'trainEnd',
    ]);
    expect(Object.keys(batchLogs[0]).sort()).toEqual(['acc', 'batch', 'loss', 'size']);
    expect(batchLogs[1].size).toBe(8);
    expect(Object.keys(epochLogs[0]).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    for (const v of Object.values(epochLogs[1])) expect(typeof v).toBe('number');
    m.dispose();
  });

  it('awaits async hooks before going on; accepts class instances and arrays', async () => {
    const { m, x, y } = setup(8);
    const order: string[] = [];
    class Slow extends BaseCallback {
      override async onEpochEnd(epoch: number) {
        await new Promise((r) => setTimeout(r, 5));
        order.push(`slow ${epoch}`);
      }
    }
    const after = new CustomCallback({ onEpochEnd: (epoch) => void order.push(`after ${epoch}`) });
    await m.fit(x, y, {
      epochs: 2,
      batchSize: 8,
      verbose: 0,
      callbacks: [new Slow(), after, { onTrainEnd: async () => void order.push('end') }],
    });
    expect(order).toEqual(['slow 0', 'after 0', 'slow 1', 'after 1', 'end']);
    m.dispose();
  });

  it('stopTraining set in onBatchEnd stops after that batch; the epoch still ends', async () => {
    const { m, x, y } = setup(40);
    let batches = 0;
    const ends: number[] = [];
    const h = await m.fit(x, y, {
      epochs: 5,
      batchSize: 4,
      verbose: 0,
      callbacks: {
        onBatchEnd: (b) => {
          batches++;
          if (b === 2) m.stopTraining = true;
        },
        onEpochEnd: (e) => void ends.push(e),
      },
    });
    expect(batches).toBe(3);
    expect(ends).toEqual([0]);
    expect(h.epoch).toEqual([0]);
    m.dispose();
  });

  it('History records every epoch', async () => {
    const { m, x, y } = setup(10);
    const h = await m.fit(x, y, { epochs: 3, batchSize: 5, verbose: 0, initialEpoch: 1 });
    expect(h.epoch).toEqual([1, 2]);
    expect(h.history.loss.length).toBe(2);
    expect(m.history).toBe(h);
    m.dispose();
  });
});

describe('earlyStopping', () => {
  /** Drives fit with a scripted val_loss per epoch; the weights are set to the epoch number. */
  async function scripted(valLoss: number[], es: EarlyStopping): Promise<{ epochs: number; kernel: number }> {
    const { m, x, y } = setup(8, 0);
    const marker = new CustomCallback({
      onEpochEnd: (epoch, logs) => {
        const ws = m.getWeights();
        ws[0].view().fill(epoch);
        m.setWeights(ws);
        ws.forEach((w) => w.dispose());
        logs!.val_loss = valLoss[epoch];
      },
    });
    const h = await m.fit(x, y, { epochs: valLoss.length, batchSize: 8, verbose: 0, callbacks: [marker, es] });
    const kernel = m.layers[0].getWeights()[0].dataSync()[0];
    m.dispose();
    return { epochs: h.epoch.length, kernel };
  }

  it('stops after `patience` epochs without improvement', async () => {
    const r = await scripted([1.0, 0.8, 0.9, 0.85, 0.95, 0.7, 0.6], callbacks.earlyStopping({ patience: 2 }));
    // Best at epoch 1; epochs 2 and 3 do not improve: stop at epoch 3.
    expect(r.epochs).toBe(4);
    expect(r.kernel).toBe(3);
  });

  it('minDelta: small improvements do not count', async () => {
    const r = await scripted([1.0, 0.99, 0.98, 0.97, 0.5], callbacks.earlyStopping({ patience: 1, minDelta: 0.05 }));
    expect(r.epochs).toBe(2);
  });

  it("restoreBestWeights puts back the best epoch's weights", async () => {
    const es = callbacks.earlyStopping({ patience: 2, restoreBestWeights: true });
    const r = await scripted([1.0, 0.5, 0.9, 0.8, 0.95], es);
    expect(r.epochs).toBe(4);
    expect(r.kernel).toBe(1);
    expect(es.stoppedEpoch).toBe(3);
    expect(es.bestEpoch).toBe(1);
  });

  it('mode max for accuracies, and baseline', async () => {
    const es = new EarlyStopping({ monitor: 'val_acc', patience: 0 });
    expect(es.mode).toBe('max');
    // The first epoch improves on nothing-yet but not on the baseline, so patience keeps counting.
    const r = await scripted([0.9, 0.95, 0.97, 0.99], callbacks.earlyStopping({ patience: 2, baseline: 0.5 }));
    expect(r.epochs).toBe(2);
    const without = await scripted([0.9, 0.95, 0.97, 0.99], callbacks.earlyStopping({ patience: 2 }));
    expect(without.epochs).toBe(3);
    expect(() => callbacks.earlyStopping({ patience: -1 })).toThrow(/patience must be an integer >= 0/);
  });
});

describe('progress formatting', () => {
  it('formats like Keras', () => {
    expect(fmtBar(0, 10)).toBe(`[${'.'.repeat(30)}]`);
    expect(fmtBar(5, 10)).toBe(`[${'='.repeat(14)}>${'.'.repeat(15)}]`);
    expect(fmtBar(10, 10)).toBe(`[${'='.repeat(30)}]`);
    expect(fmtEta(45.2)).toBe('45s');
    expect(fmtEta(125)).toBe('2:05');
    expect(fmtEta(3723)).toBe('1:02:03');
    expect(fmtStepTime(0.0021)).toBe('2ms/step');
    expect(fmtStepTime(0.00085)).toBe('850us/step');
    expect(fmtStepTime(1.4)).toBe('1s/step');
    expect(fmtValue(0.49851)).toBe('0.4985');
    expect(fmtValue(0.0000123)).toBe('1.2300e-05');
  });
});
