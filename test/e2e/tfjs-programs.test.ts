// Programs written as TF.js's guides write them (test/e2e/tfjs-programs/), run once with
// TF.js's cpu backend and once with Ferrite behind the same `tf` parameter: same results.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import * as polynomialFit from './tfjs-programs/polynomial-fit.js';
import * as utilAndBuffer from './tfjs-programs/util-and-buffer.js';
import * as customLayer from './tfjs-programs/custom-layer.js';
import * as datasetFit from './tfjs-programs/dataset-fit.js';
import * as lossesAndSchedule from './tfjs-programs/losses-and-schedule.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
  await fe.ready();
});

const ferrite = fe as unknown as typeof TF;

/** Deep equality with numbers compared to 4 decimals (float32 sums differ in the last bits). */
function expectSame(ours: unknown, theirs: unknown, path = 'result'): void {
  if (typeof theirs === 'number') {
    expect(typeof ours, path).toBe('number');
    expect(ours as number, path).toBeCloseTo(theirs, 4);
  } else if (Array.isArray(theirs)) {
    expect(Array.isArray(ours), path).toBe(true);
    expect((ours as unknown[]).length, path).toBe(theirs.length);
    theirs.forEach((v, i) => expectSame((ours as unknown[])[i], v, `${path}[${i}]`));
  } else if (theirs !== null && typeof theirs === 'object') {
    expect(Object.keys(ours as object).sort(), path).toEqual(Object.keys(theirs).sort());
    for (const [k, v] of Object.entries(theirs)) expectSame((ours as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    expect(ours, path).toEqual(theirs);
  }
}

describe('TF.js programs run on Ferrite by changing the import', () => {
  it('core-API curve fit (variables, tensor methods, optimizer.minimize)', () => {
    expectSame(polynomialFit.run(ferrite), polynomialFit.run(tf));
  });

  it('tf.buffer, tf.util, tf.nextFrame, int32 division', async () => {
    expectSame(await utilAndBuffer.run(ferrite), await utilAndBuffer.run(tf));
  });

  it('custom layers with registerClass, and a VAE-like sampling layer on an array of inputs', () => {
    const before = fe.memory().numTensors;
    expectSame(customLayer.run(ferrite), customLayer.run(tf));
    expect(fe.memory().numTensors).toBeGreaterThanOrEqual(before);
  });

  it('fitDataset from a generator with oneHot int32 labels, evaluate on int32 inputs', async () => {
    const before = fe.memory().numTensors;
    expectSame(await datasetFit.run(ferrite), await datasetFit.run(tf));
    expect(fe.memory().numTensors).toBe(before);
  });

  it('tf.losses, tf.metrics, comparison ops with where, a hand-decayed learning rate', () => {
    const before = fe.memory().numTensors;
    expectSame(lossesAndSchedule.run(ferrite), lossesAndSchedule.run(tf));
    expect(fe.memory().numTensors).toBe(before);
  });
});
