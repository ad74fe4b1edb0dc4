// Models pass between Ferrite and TF.js (its cpu backend) through memory artifacts and
// over http, and predict the same on both sides.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import * as tf from '@tensorflow/tfjs';
import { expectClose, randomArray, rng } from '../support/helpers.js';
import { tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import type { LayersModel } from '../../ts/models/index.js';
import { loadLayersModel } from '../../ts/models/load.js';
import * as io from '../../ts/io/index.js';
import type { ModelArtifacts } from '../../ts/io/types.js';
import { allLayersSequential, functionalModel, toArtifacts } from '../support/io-models.js';
import { sequential } from '../../ts/models/index.js';
import { dense } from '../../ts/layers/index.js';
import { train, type Optimizer } from '../../ts/optimizers/index.js';

tf.setBackend('cpu');

async function tfArtifacts(m: tf.LayersModel, config?: tf.io.SaveConfig): Promise<ModelArtifacts> {
  let out: ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      out = a as ModelArtifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
    config,
  );
  return out!;
}

function ferriteOut(m: LayersModel, values: Float32Array, shape: number[]): Float32Array[] {
  const x = tensor(values, shape);
  const out = m.predict(x);
  const list = Array.isArray(out) ? out : [out];
  const v = list.map((t) => t.dataSync() as Float32Array);
  [x, ...list].forEach((t: Tensor) => t.dispose());
  return v;
}

function tfOut(m: tf.LayersModel, values: Float32Array, shape: number[]): Float32Array[] {
  const out = m.predict(tf.tensor(values, shape));
  return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
}

function tfCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.zeroPadding2d({ padding: 1, inputShape: [6, 6, 2] }),
      tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }),
      tf.layers.batchNormalization({ movingMeanInitializer: 'randomNormal', movingVarianceInitializer: 'ones' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 4, kernelSize: 2, padding: 'same', useBias: false }),
      tf.layers.averagePooling2d({ poolSize: 1 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.dense({ units: 5, activation: 'tanh' }),
      tf.layers.reshape({ targetShape: [5, 1] }),
      tf.layers.flatten(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

function tfFunctional(): tf.LayersModel {
  const x = tf.input({ shape: [5, 5, 1] });
  const a = tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const g = tf.layers.globalAveragePooling2d({}).apply(a) as tf.SymbolicTensor;
  const h = tf.layers.globalMaxPooling2d({}).apply(tf.layers.batchNormalization().apply(a)) as tf.SymbolicTensor;
  const d = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: [tf.layers.dense({ units: 2 }).apply(g) as tf.SymbolicTensor, d] });
}

/** A one-layer Ferrite model trained 2 epochs (2 steps) with `optimizer`. */
async function trainedDense(optimizer: Optimizer, loss: string, activation: 'softmax' | 'linear', name?: string) {
  const f = sequential({ layers: [dense({ units: 2, inputShape: [3], activation, name })] });
  f.compile({ optimizer, loss, metrics: ['accuracy'] });
  const xs = tensor([1, 2, 3, 3, 2, 1], [2, 3]);
  const ys = tensor([1, 0, 0, 1], [2, 2]);
  await f.fit(xs, ys, { epochs: 2, verbose: 0 });
  return { f, xs, ys };
}

const CNN_SHAPE = [2, 6, 6, 2];
const FN_SHAPE = [3, 5, 5, 1];

describe('TF.js -> Ferrite', () => {
  it('a Sequential CNN saved by TF.js loads in Ferrite and predicts the same', async () => {
    const t = tfCnn();
    const f = await loadLayersModel(io.fromMemory(await tfArtifacts(t)));
    const x = randomArray(2 * 6 * 6 * 2, rng(1));
    ferriteOut(f, x, CNN_SHAPE).forEach((v, i) => expectClose(v, tfOut(t, x, CNN_SHAPE)[i], 1e-4, 1e-5));
    f.dispose();
  });

  it('a functional model with two outputs saved by TF.js loads in Ferrite', async () => {
    const t = tfFunctional();
    const f = await loadLayersModel(io.fromMemory(await tfArtifacts(t)));
    const x = randomArray(3 * 25, rng(2));
    const want = tfOut(t, x, FN_SHAPE);
    ferriteOut(f, x, FN_SHAPE).forEach((v, i) => expectClose(v, want[i], 1e-4, 1e-5));
    f.dispose();
  });

  it('a model TF.js saved with includeOptimizer comes back compiled with its Adam state', async () => {
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
    t.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await t.fit(
      tf.ones([4, 3]),
      tf.tensor2d([
        [1, 0],
        [0, 1],
        [1, 0],
        [0, 1],
      ]),
      { epochs: 3, batchSize: 2, verbose: 0 },
    );
    const art = await tfArtifacts(t, { includeOptimizer: true });
    const f = await loadLayersModel(io.fromMemory(art));
    expect(f.optimizer!.getClassName()).toBe('Adam');
    expect(f.optimizer!.learningRate).toBe(0.01);
    expect(f.metricsNames).toEqual(['loss', 'acc']);
    const state = await f.optimizer!.getWeights();
    expect(state[0].tensor.dataSync()[0]).toBe(6);
    const tfState = await t.optimizer.getWeights();
    const byName = new Map(state.map((s) => [s.name.replace(/_\d+(?=\/)/, ''), s.tensor.dataSync()]));
    for (const w of tfState.slice(1)) expectClose(byName.get(w.name)!, w.tensor.dataSync() as Float32Array, 0);
    state.forEach((s) => s.tensor.dispose());
    f.dispose();
  });

  it('quantized (uint8, float16) weights a Ferrite model wrote load in TF.js with the same values', async () => {
    for (const dtype of ['uint8', 'float16'] as const) {
      const f = allLayersSequential();
      const x = randomArray(2 * 72, rng(5));
      ferriteOut(f, x, CNN_SHAPE);
      const art = await toArtifacts(f, { quantize: dtype });
      const t = await tf.loadLayersModel(tf.io.fromMemory(art as tf.io.ModelArtifacts));
      const back = await loadLayersModel(io.fromMemory(art));
      const want = ferriteOut(back, x, CNN_SHAPE);
      tfOut(t, x, CNN_SHAPE).forEach((v, i) => expectClose(v, want[i], 1e-4, 1e-5));
      [f, back].forEach((m) => m.dispose());
    }
  });
});

describe('Ferrite -> TF.js', () => {
  it('a Sequential model with every layer class loads in TF.js and predicts the same', async () => {
    const f = allLayersSequential();
    const x = randomArray(2 * 72, rng(6));
    const want = ferriteOut(f, x, CNN_SHAPE);
    const t = await tf.loadLayersModel(tf.io.fromMemory((await toArtifacts(f)) as tf.io.ModelArtifacts));
    expect(t.layers.map((l) => l.name)).toEqual(f.layers.map((l) => l.name));
    tfOut(t, x, CNN_SHAPE).forEach((v, i) => expectClose(v, want[i], 1e-4, 1e-5));
    f.dispose();
  });

  it('a functional model loads in TF.js and predicts the same', async () => {
    const f = functionalModel();
    const x = randomArray(3 * 25, rng(7));
    const want = ferriteOut(f, x, FN_SHAPE);
    const t = await tf.loadLayersModel(tf.io.fromMemory((await toArtifacts(f)) as tf.io.ModelArtifacts));
    tfOut(t, x, FN_SHAPE).forEach((v, i) => expectClose(v, want[i], 1e-4, 1e-5));
    f.dispose();
  });

  it('saved with includeOptimizer, TF.js compiles it with the same optimizer and reads the state', async () => {
    const { f, xs, ys } = await trainedDense(train.adam(0.02), 'categoricalCrossentropy', 'softmax');
    const art = await toArtifacts(f, { includeOptimizer: true });
    expect(art.trainingConfig).toEqual({
      loss: 'categorical_crossentropy',
      metrics: ['accuracy'],
      optimizer_config: { class_name: 'Adam', config: { learningRate: 0.02, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
    });
    expect(art.weightSpecs!.filter((s) => s.group === 'optimizer').map((s) => s.name)).toEqual([
      'iter',
      `${f.layers[0].name}/kernel/m`,
      `${f.layers[0].name}/bias/m`,
      `${f.layers[0].name}/kernel/v`,
      `${f.layers[0].name}/bias/v`,
    ]);
    const t = await tf.loadLayersModel(tf.io.fromMemory(art as tf.io.ModelArtifacts));
    expect(t.optimizer.getClassName()).toBe('Adam');
    const state = await t.optimizer.getWeights();
    expect(state[0].tensor.dataSync()[0]).toBe(2);
    [f, xs, ys].forEach((v) => v.dispose());
  });
});

describe('optimizer state in TF.js layout', () => {
  const cases: [string, () => Optimizer, string[]][] = [
    ['rmsprop without momentum', () => train.rmsprop(0.01), ['rms', 'momentum']],
    ['centered rmsprop with momentum', () => train.rmsprop(0.01, 0.9, 0.5, null, true), ['rms', 'momentum', 'mg']],
    ['momentum', () => train.momentum(0.1, 0.9), ['momentum']],
  ];
  for (const [name, make, slots] of cases) {
    it(`${name}: TF.js reads Ferrite's slots under the right names`, async () => {
      const { f, xs, ys } = await trainedDense(make(), 'meanSquaredError', 'linear', 'opt_dense');
      const mine = new Map((await f.optimizer!.getWeights()).map((w) => [w.name, w.tensor.dataSync()]));
      const t = await tf.loadLayersModel(
        tf.io.fromMemory((await toArtifacts(f, { includeOptimizer: true })) as tf.io.ModelArtifacts),
      );
      const theirs = await t.optimizer.getWeights();
      expect(theirs.map((w) => w.name)).toEqual([
        'iter',
        ...slots.flatMap((s) => [`opt_dense/kernel/${s}`, `opt_dense/bias/${s}`]),
      ]);
      // Ferrite has no momentum slots with momentum 0: TF.js gets zeros there.
      for (const w of theirs.slice(1))
        expect(Array.from(w.tensor.dataSync()), w.name).toEqual(
          Array.from(mine.get(w.name) ?? new Float32Array(w.tensor.size)),
        );
      [f, xs, ys].forEach((v) => v.dispose());
    });
  }
});

describe('over http, both ways', () => {
  let server: Server;
  let base: string;
  const files = new Map<string, Buffer>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const dir = req.url!.split('/')[1];
        if (req.method === 'POST') {
          const form = await new Response(Buffer.concat(chunks), {
            headers: { 'content-type': req.headers['content-type']! },
          }).formData();
          for (const [name, value] of form)
            files.set(`${dir}/${name}`, Buffer.from(await (value as Blob).arrayBuffer()));
          res.end('ok');
          return;
        }
        const body = files.get(`${dir}/${req.url!.split('/').pop()}`);
        res.statusCode = body ? 200 : 404;
        res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('TF.js saves to the server, Ferrite loads from it; Ferrite saves, TF.js loads', async () => {
    const t = tfCnn();
    await t.save(`${base}/fromtf/save`);
    const f = await loadLayersModel(`${base}/fromtf/model.json`);
    const x = randomArray(2 * 72, rng(10));
    ferriteOut(f, x, CNN_SHAPE).forEach((v, i) => expectClose(v, tfOut(t, x, CNN_SHAPE)[i], 1e-4, 1e-5));

    const g = functionalModel();
    await g.save(`${base}/fromfe/save`);
    const t2 = await tf.loadLayersModel(`${base}/fromfe/model.json`);
    const x2 = randomArray(3 * 25, rng(11));
    const want = ferriteOut(g, x2, FN_SHAPE);
    tfOut(t2, x2, FN_SHAPE).forEach((v, i) => expectClose(v, want[i], 1e-4, 1e-5));
    [f, g].forEach((m) => m.dispose());
  });
});
