// Save / load round trips of the sequence, recurrent, merge and nested-model layers, each
// model built alike with Ferrite and TF.js (their layer APIs agree): through memory and
// file:// in Ferrite, and both ways with TF.js (its cpu backend), predictions compared.
// A model nested in a functional model writes its weights under the inner layers' own
// names, as TF.js does.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as fe from '../../ts/index.js';
import { loadLayersModel } from '../../ts/models/load.js';
import * as io from '../../ts/io/index.js';
import type { ModelArtifacts } from '../../ts/io/types.js';
import { expectClose, randomArray, rng } from '../support/helpers.js';
import { toArtifacts, useTempDir } from '../support/io-models.js';

tf.setBackend('cpu');

/** What the builders use of a library: Ferrite and TF.js both provide it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = { layers: any; input: any; model: any; sequential: any };
const FE: Lib = { layers: fe.layers, input: fe.input, model: fe.model, sequential: fe.sequential };
const TF: Lib = { layers: tf.layers, input: tf.input, model: tf.model, sequential: tf.sequential };

interface Case {
  name: string;
  build: (l: Lib) => fe.LayersModel | tf.LayersModel;
  /** Input shapes (batch first) and value ranges. */
  inputs: { shape: number[]; lo: number; hi: number; ints?: boolean }[];
  /** Which ways to check against TF.js (default both). */
  interop?: 'both' | 'fromTfjs' | 'none';
}

const cases: Case[] = [
  {
    name: 'embedding -> LSTM (sequences) -> timeDistributed(dense) -> LSTM -> dense',
    build: ({ layers, sequential }) =>
      sequential({
        layers: [
          layers.embedding({ inputDim: 12, outputDim: 4, inputLength: 6 }),
          layers.lstm({ units: 5, returnSequences: true }),
          layers.timeDistributed({ layer: layers.dense({ units: 3, activation: 'tanh' }) }),
          layers.lstm({ units: 4, goBackwards: true }),
          layers.dense({ units: 2, activation: 'softmax' }),
        ],
      }),
    inputs: [{ shape: [3, 6], lo: 0, hi: 11, ints: true }],
  },
  {
    name: 'conv1d (dilated) -> pooling 1-D -> permute -> flatten -> repeatVector -> global pooling 1-D',
    build: ({ layers, sequential }) =>
      sequential({
        layers: [
          layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, inputShape: [9, 3] }),
          layers.maxPooling1d({ poolSize: 2 }),
          layers.conv1d({ filters: 2, kernelSize: 2, strides: 2, activation: 'relu' }),
          layers.averagePooling1d({ poolSize: 1 }),
          layers.permute({ dims: [2, 1] }),
          layers.flatten(),
          layers.repeatVector({ n: 3 }),
          layers.globalMaxPooling1d(),
        ],
      }),
    inputs: [{ shape: [2, 9, 3], lo: -1, hi: 1 }],
  },
  {
    name: 'masking -> LSTM -> dense (no masked steps in the data), global average pooling 1-D',
    build: ({ layers, input, model }) => {
      const x = input({ shape: [5, 2] });
      const h = layers.lstm({ units: 3, returnSequences: true }).apply(layers.masking({ maskValue: -9 }).apply(x));
      return model({ inputs: x, outputs: layers.globalAveragePooling1d().apply(h) });
    },
    inputs: [{ shape: [2, 5, 2], lo: -1, hi: 1 }],
  },
  {
    name: 'merge layers (concatenate, add, multiply, average, maximum, minimum, dot)',
    build: ({ layers, input, model }) => {
      const a = input({ shape: [4], name: 'a' });
      const b = input({ shape: [4], name: 'b' });
      const da = layers.dense({ units: 4 }).apply(a);
      const parts = [
        layers.add().apply([da, b]),
        layers.multiply().apply([da, b]),
        layers.average().apply([da, b]),
        layers.maximum().apply([da, b]),
        layers.minimum().apply([da, b]),
        layers.dot({ axes: 1, normalize: true }).apply([da, b]),
      ];
      return model({ inputs: [a, b], outputs: layers.concatenate({ axis: -1 }).apply(parts) });
    },
    inputs: [
      { shape: [3, 4], lo: -1, hi: 1 },
      { shape: [3, 4], lo: -1, hi: 1 },
    ],
  },
  {
    // TF.js has neither a Subtract layer nor causal padding: Ferrite writes them as Keras does.
    name: 'subtract and causal conv1d (not in TF.js)',
    build: ({ layers, input, model }) => {
      const a = input({ shape: [6, 2] });
      const c = layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal' }).apply(a);
      return model({ inputs: a, outputs: layers.subtract().apply([c, a]) });
    },
    inputs: [{ shape: [2, 6, 2], lo: -1, hi: 1 }],
    interop: 'none',
  },
  {
    name: 'a Sequential model nested in a functional model',
    build: ({ layers, input, model, sequential }) => {
      const base = sequential({
        name: 'base',
        layers: [layers.dense({ units: 3, inputShape: [4], name: 'd1' }), layers.dense({ units: 2, name: 'd2' })],
      });
      const x = input({ shape: [4] });
      return model({ inputs: x, outputs: layers.dense({ units: 1, name: 'head' }).apply(base.apply(x)) });
    },
    inputs: [{ shape: [3, 4], lo: -1, hi: 1 }],
  },
  {
    // A nested model's calls are numbered from 1 in the topology (node 0 is its own graph).
    name: 'a functional model nested twice (shared) in a functional model',
    build: ({ layers, input, model }) => {
      const i = input({ shape: [4] });
      const inner = model({ name: 'inner', inputs: i, outputs: layers.dense({ units: 3, name: 'd1' }).apply(i) });
      const a = input({ shape: [4], name: 'a' });
      const b = input({ shape: [4], name: 'b' });
      const sum = layers.add({ name: 'sum' }).apply([inner.apply(a), inner.apply(b)]);
      return model({ inputs: [a, b], outputs: layers.dense({ units: 2, name: 'head' }).apply(sum) });
    },
    inputs: [
      { shape: [3, 4], lo: -1, hi: 1 },
      { shape: [3, 4], lo: -1, hi: 1 },
    ],
  },
];

function inputsOf(c: Case, seed: number): { values: Float32Array; shape: number[] }[] {
  const rand = rng(seed);
  return c.inputs.map(({ shape, lo, hi, ints }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = randomArray(n, rand, lo, hi);
    if (ints) values.forEach((v, i) => (values[i] = Math.round(v)));
    return { values, shape };
  });
}

function feOut(m: fe.LayersModel, xs: { values: Float32Array; shape: number[] }[]): Float32Array[] {
  const ts = xs.map((x) => fe.tensor(x.values, x.shape));
  const out = m.predict(ts.length === 1 ? ts[0] : ts);
  const list = Array.isArray(out) ? out : [out];
  const v = list.map((t) => t.dataSync().slice() as Float32Array);
  [...ts, ...list].forEach((t) => t.dispose());
  return v;
}

function tfOut(m: tf.LayersModel, xs: { values: Float32Array; shape: number[] }[]): Float32Array[] {
  const ts = xs.map((x) => tf.tensor(x.values, x.shape));
  const out = m.predict(ts.length === 1 ? ts[0] : ts);
  return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
}

async function tfArtifacts(m: tf.LayersModel): Promise<ModelArtifacts> {
  let out: ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      out = a as ModelArtifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  return out!;
}

describe('save / load of sequence, recurrent, merge and nested models', () => {
  const tempDir = useTempDir('ferrite-io-layers-');

  cases.forEach((c, k) => {
    it(`${c.name}: memory and file:// round trips predict bitwise the same, nothing leaks`, async () => {
      fe.setRandomSeed(k + 1);
      const m = c.build(FE) as fe.LayersModel;
      const xs = inputsOf(c, k);
      const want = feOut(m, xs);
      const before = fe.memory().numTensors;
      const fromMemory = await loadLayersModel(io.fromMemory(await toArtifacts(m)));
      expect(fromMemory.layers.map((l) => l.getClassName())).toEqual(m.layers.map((l) => l.getClassName()));
      expect(feOut(fromMemory, xs)).toEqual(want);
      fromMemory.dispose();
      const dir = join(tempDir(), `case${k}`);
      await m.save(`file://${dir}`);
      const fromFile = await loadLayersModel(`file://${join(dir, 'model.json')}`);
      expect(feOut(fromFile, xs)).toEqual(want);
      fromFile.dispose();
      expect(fe.memory().numTensors).toBe(before);
      m.dispose();
    });

    const interop = c.interop ?? 'both';
    it.skipIf(interop === 'none')(`${c.name}: Ferrite -> TF.js and TF.js -> Ferrite predict the same`, async () => {
      fe.setRandomSeed(k + 1);
      const f = c.build(FE) as fe.LayersModel;
      const xs = inputsOf(c, k + 10);
      if (interop === 'both') {
        const inTf = await tf.loadLayersModel(tf.io.fromMemory((await toArtifacts(f)) as tf.io.ModelArtifacts));
        const want = feOut(f, xs);
        tfOut(inTf, xs).forEach((v, i) => expectClose(v, want[i], 2e-4, 1e-5, `${c.name}: in TF.js`));
      }

      const t = c.build(TF) as tf.LayersModel;
      const tArt = await tfArtifacts(t);
      const inFe = await loadLayersModel(io.fromMemory(tArt));
      const tWant = tfOut(t, xs);
      feOut(inFe, xs).forEach((v, i) => expectClose(v, tWant[i], 2e-4, 1e-5, `${c.name}: in Ferrite`));
      expect(inFe.weights.length).toBe(f.weights.length);
      [f, inFe].forEach((m) => m.dispose());
    });
  });

  it('a nested model’s weights are named by the inner layers, as TF.js writes them', async () => {
    const m = cases.find((c) => c.name.startsWith('a Sequential model nested'))!.build(FE) as fe.LayersModel;
    const art = await toArtifacts(m);
    expect(art.weightSpecs!.map((w) => w.name)).toEqual([
      'd1/kernel',
      'd1/bias',
      'd2/kernel',
      'd2/bias',
      'head/kernel',
      'head/bias',
    ]);
    // As TF.js writes it: the nested Sequential's call is its node 1, its input shape is on its first layer.
    const layers = (art.modelTopology as { config: { layers: Record<string, unknown>[] } }).config.layers;
    const base = layers.find((l) => l.name === 'base') as { config: Record<string, unknown> };
    const head = layers.find((l) => l.name === 'head') as { inbound_nodes: unknown };
    expect(head.inbound_nodes).toEqual([[['base', 1, 0, {}]]]);
    expect(base.config.batch_input_shape).toBeUndefined();
    expect((base.config.layers as { config: Record<string, unknown> }[])[0].config.batch_input_shape).toEqual([
      null,
      4,
    ]);
    m.dispose();
  });
});
