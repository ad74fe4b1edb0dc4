// includeOptimizer: training 2 epochs, saving, loading and training 2 more equals 4
// epochs straight, for every optimizer; modelCheckpoint saves through the same path.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomTensor, rng } from '../support/helpers.js';
import { tensor } from '../../ts/tensor/creation.js';
import * as layers from '../../ts/layers/index.js';
import { sequential, type LayersModel } from '../../ts/models/index.js';
import { train, type Optimizer } from '../../ts/optimizers/index.js';
import { loadLayersModel } from '../../ts/models/load.js';
import { callbacks, formatCheckpointPath } from '../../ts/training/index.js';
import * as io from '../../ts/io/index.js';
import type { ModelArtifacts } from '../../ts/io/types.js';
import { toArtifacts, useTempDir } from '../support/io-models.js';

const x = () => randomTensor([12, 4], rng(21));
const y = () =>
  tensor(
    Array.from({ length: 12 }, (_, i) => i % 3),
    [12],
    'int32',
  );

function net(opt: Optimizer, init?: LayersModel): LayersModel {
  const m = sequential({
    layers: [
      layers.dense({ units: 5, activation: 'relu', inputShape: [4] }),
      layers.batchNormalization(),
      layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  if (init) m.setWeights(init.getWeights());
  m.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const OPTIMIZERS: [string, () => Optimizer][] = [
  ['sgd', () => train.sgd(0.1)],
  ['momentum (nesterov)', () => train.momentum(0.05, 0.9, true)],
  ['adam', () => train.adam(0.01)],
  ['rmsprop (centered, momentum)', () => train.rmsprop(0.01, 0.9, 0.5, null, true)],
];

describe('includeOptimizer: resume equals straight', () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: 2 epochs + save + load + 2 epochs == 4 epochs`, async () => {
      const xs = x();
      const ys = y();
      const straight = net(make());
      const resumed = net(make(), straight);
      const fitArgs = { batchSize: 4, shuffle: false, verbose: 0 } as const;
      await straight.fit(xs, ys, { ...fitArgs, epochs: 4 });
      await resumed.fit(xs, ys, { ...fitArgs, epochs: 2 });
      const art = await toArtifacts(resumed, { includeOptimizer: true });
      const loaded = await loadLayersModel(io.fromMemory(art));
      expect(loaded.optimizer!.iterations).toBe(6);
      await loaded.fit(xs, ys, { ...fitArgs, epochs: 2 });
      const a = straight.getWeights();
      const b = loaded.getWeights();
      a.forEach((w, i) => expect(b[i].dataSync()).toEqual(w.dataSync()));
      [...a, ...b, xs, ys, straight, resumed, loaded].forEach((t) => t.dispose());
    });
  }

  it('without includeOptimizer the model loads uncompiled and the file has no optimizer group', async () => {
    const m = net(train.adam(0.01));
    const xs = x();
    const ys = y();
    await m.fit(xs, ys, { epochs: 1, verbose: 0 });
    const art = await toArtifacts(m);
    expect(art.trainingConfig).toBeUndefined();
    expect(art.weightSpecs!.some((s) => s.group === 'optimizer')).toBe(false);
    const loaded = await loadLayersModel(io.fromMemory(art));
    expect(loaded.optimizer).toBeUndefined();
    [m, loaded, xs, ys].forEach((t) => t.dispose());
  });
});

describe('callbacks.modelCheckpoint', () => {
  const tempDir = useTempDir('ferrite-ckpt-');

  it('fills {epoch} and log values in paths', () => {
    expect(formatCheckpointPath('file://c/e{epoch}-{val_loss:.2f}', 2, { val_loss: 0.1234 })).toBe('file://c/e3-0.12');
  });

  it('saves every epoch to a file:// path, with the optimizer state, resumable', async () => {
    const m = net(train.adam(0.01));
    const xs = x();
    const ys = y();
    await m.fit(xs, ys, {
      epochs: 3,
      batchSize: 4,
      verbose: 0,
      callbacks: [callbacks.modelCheckpoint({ filepath: `file://${tempDir()}/epoch{epoch}` })],
    });
    expect((await readdir(tempDir())).sort()).toEqual(['epoch1', 'epoch2', 'epoch3']);
    const last = await loadLayersModel(`file://${tempDir()}/epoch3/model.json`);
    expect(last.optimizer!.iterations).toBe(9);
    const a = m.getWeights();
    const b = last.getWeights();
    a.forEach((w, i) => expect(b[i].dataSync()).toEqual(w.dataSync()));
    [...a, ...b, m, last, xs, ys].forEach((t) => t.dispose());
  });

  it('saveBestOnly saves only when the monitored value improves; saveFreq counts batches', async () => {
    const saved: number[] = [];
    let epoch = 0;
    const handler = io.withSaveHandler(async (a: ModelArtifacts) => {
      saved.push(epoch);
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(a) };
    });
    const m = net(train.sgd(0.1));
    const xs = x();
    const ys = y();
    const losses = [3, 1, 2, 0.5];
    await m.fit(xs, ys, {
      epochs: 4,
      verbose: 0,
      callbacks: [
        {
          onEpochEnd: (e, logs) => {
            epoch = e;
            logs!.fake = losses[e];
          },
        },
        callbacks.modelCheckpoint({ filepath: handler, monitor: 'fake', saveBestOnly: true }),
      ],
    });
    expect(saved).toEqual([0, 1, 3]);
    let batches = 0;
    const counting = io.withSaveHandler(async (a: ModelArtifacts) => {
      batches++;
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(a) };
    });
    await m.fit(xs, ys, {
      epochs: 2,
      batchSize: 4,
      verbose: 0,
      callbacks: [callbacks.modelCheckpoint({ filepath: counting, saveFreq: 2 })],
    });
    expect(batches).toBe(3); // 6 batches, a save every 2
    expect(() => callbacks.modelCheckpoint({ filepath: 'file://x', saveFreq: 0 })).toThrow(/saveFreq/);
    [m, xs, ys].forEach((t) => t.dispose());
  });
});
