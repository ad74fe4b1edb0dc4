// Small models with every layer class, shared by the save/load and interop tests.

import { afterAll, beforeAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as layers from '../../ts/layers/index.js';
import { model, sequential, type LayersModel } from '../../ts/models/index.js';
import * as io from '../../ts/io/index.js';
import type { ModelArtifacts, SaveConfig } from '../../ts/io/types.js';

/** Saves into memory and returns the artifacts. */
export async function toArtifacts(m: LayersModel, config?: SaveConfig): Promise<ModelArtifacts> {
  let out: ModelArtifacts | undefined;
  await m.save(
    io.withSaveHandler(async (a) => {
      out = a;
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(a) };
    }),
    config,
  );
  return out!;
}

/** A Sequential CNN using every layer class Ferrite has (input [6, 6, 2]). */
export function allLayersSequential(): LayersModel {
  return sequential({
    layers: [
      layers.zeroPadding2d({ padding: 1, inputShape: [6, 6, 2] }),
      layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }),
      layers.batchNormalization(),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.conv2d({ filters: 4, kernelSize: 2, padding: 'same', useBias: false }),
      layers.averagePooling2d({ poolSize: 1 }),
      layers.flatten(),
      layers.dropout({ rate: 0.3 }),
      layers.dense({ units: 5, activation: 'tanh' }),
      layers.reshape({ targetShape: [5, 1] }),
      layers.flatten(),
      layers.activation({ activation: 'relu' }),
      layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

/** A functional model with two branches and global pooling (input [5, 5, 1]). */
export function functionalModel(): LayersModel {
  const x = layers.input({ shape: [5, 5, 1] });
  const a = layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }).apply(x);
  const g = layers.globalAveragePooling2d().apply(a);
  const h = layers.globalMaxPooling2d().apply(layers.batchNormalization().apply(a));
  const d = layers.dense({ units: 3, activation: 'softmax' }).apply(h);
  return model({ inputs: x, outputs: [layers.dense({ units: 2 }).apply(g), d] });
}

/** A temporary directory for the tests of the enclosing describe block, removed after them. */
export function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}
