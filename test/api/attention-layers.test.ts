import { beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { expectClose, randomArray, rng } from '../support/helpers.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';

beforeAll(async () => {
  await fe.ready();
});

/** Keras's MultiHeadAttention from its weights, in float64: [batch, T, out]. */
function mhaReference(
  q: Float32Array,
  v: Float32Array,
  [b, t, s, d]: number[],
  w: Float32Array[],
  [n, dk, dv, out]: number[],
  causal: boolean,
): Float64Array {
  const [wq, bq, wk, bk, wv, bv, wo, bo] = w;
  // x [rows, d] · W [d, n * h] + b
  const proj = (x: Float32Array, rows: number, W: Float32Array, B: Float32Array, h: number) =>
    Float64Array.from({ length: rows * n * h }, (_, i) => {
      const [r, c] = [Math.floor(i / (n * h)), i % (n * h)];
      let acc = B[c];
      for (let e = 0; e < d; e++) acc += x[r * d + e] * W[e * n * h + c];
      return acc;
    });
  const Q = proj(q, b * t, wq, bq, dk);
  const K = proj(v, b * s, wk, bk, dk);
  const V = proj(v, b * s, wv, bv, dv);
  const O = new Float64Array(b * t * n * dv);
  for (let bi = 0; bi < b; bi++)
    for (let h = 0; h < n; h++)
      for (let i = 0; i < t; i++) {
        const sc = Array.from({ length: s }, (_, j) => {
          if (causal && j > i) return -Infinity;
          let a = 0;
          for (let c = 0; c < dk; c++) a += Q[((bi * t + i) * n + h) * dk + c] * K[((bi * s + j) * n + h) * dk + c];
          return a / Math.sqrt(dk);
        });
        const m = Math.max(...sc);
        const e = sc.map((x) => Math.exp(x - m));
        const z = e.reduce((x, y) => x + y, 0);
        for (let c = 0; c < dv; c++) {
          let a = 0;
          for (let j = 0; j < s; j++) a += (e[j] / z) * V[((bi * s + j) * n + h) * dv + c];
          O[((bi * t + i) * n + h) * dv + c] = a;
        }
      }
  return Float64Array.from({ length: b * t * out }, (_, i) => {
    const [r, c] = [Math.floor(i / out), i % out];
    let acc = bo[c];
    for (let e = 0; e < n * dv; e++) acc += O[r * n * dv + e] * wo[e * out + c];
    return acc;
  });
}

describe('layers.multiHeadAttention', () => {
  it("has Keras's weights, names and order, and computes Keras's function (self- and cross-attention, causal)", () => {
    const [b, t, s, d] = [2, 5, 7, 6];
    const rand = rng(1);
    const qa = randomArray(b * t * d, rand);
    const va = randomArray(b * s * d, rand);
    const layer = fe.layers.multiHeadAttention({ numHeads: 3, keyDim: 4, valueDim: 2, outputShape: 8, name: 'mha' });
    fe.tidy(() => {
      const [query, value] = [fe.tensor(qa, [b, t, d]), fe.tensor(va, [b, s, d])];
      const y = layer.apply([query, value]) as fe.Tensor;
      expect(y.shape).toEqual([b, t, 8]);
      expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([
        ['mha/query/kernel', [6, 3, 4]],
        ['mha/query/bias', [3, 4]],
        ['mha/key/kernel', [6, 3, 4]],
        ['mha/key/bias', [3, 4]],
        ['mha/value/kernel', [6, 3, 2]],
        ['mha/value/bias', [3, 2]],
        ['mha/attention_output/kernel', [3, 2, 8]],
        ['mha/attention_output/bias', [8]],
      ]);
      // Nonzero biases, so that each one is used where Keras uses it.
      layer.setWeights(layer.getWeights().map((w, i) => fe.tensor(randomArray(w.size, rng(10 + i)), w.shape)));
      const w = layer.getWeights().map((x) => x.dataSync() as Float32Array);
      for (const causal of [false, true]) {
        const got = layer.apply([query, value], { useCausalMask: causal }) as fe.Tensor;
        expectClose(
          got.dataSync(),
          mhaReference(qa, va, [b, t, s, d], w, [3, 4, 2, 8], causal),
          1e-4,
          1e-5,
          `causal ${causal}`,
        );
        // The unfused path (taken for the scores, and for dropout while training) agrees.
        const [y2, scores] = layer.apply([query, value], {
          useCausalMask: causal,
          returnAttentionScores: true,
        }) as fe.Tensor[];
        expect(scores.shape).toEqual([b, 3, t, s]);
        expectClose(y2.dataSync(), got.dataSync(), 1e-5, 1e-6, 'unfused path');
      }
    });
    layer.dispose();
  });

  it.each([1, 2, 3])(
    'applies an attentionMask [batch, T, S]; trains in a functional model (seed %i); rejects a bad mask',
    async (SEED) => {
      const [b, t, d] = [2, 4, 8];
      const rand = rng(2);
      const layer = fe.layers.multiHeadAttention({ numHeads: 2, keyDim: 4 });
      fe.tidy(() => {
        const x = fe.tensor(randomArray(b * t * d, rand), [b, t, d]);
        const maskArr = Array.from({ length: b * t * t }, (_, i) => i % t <= Math.floor(i / t) % t);
        const masked = layer.apply([x, x], { attentionMask: fe.tensor(maskArr, [b, t, t], 'bool') }) as fe.Tensor;
        const causal = layer.apply([x, x], { useCausalMask: true }) as fe.Tensor;
        expectClose(masked.dataSync(), causal.dataSync(), 1e-5, 1e-6, 'a lower-triangular mask is the causal mask');
        expect(() => layer.apply([x, x], { attentionMask: fe.ones([b, t, 3]) })).toThrow(
          /attentionMask must be \[batch, queries, keys\] = \[2, 4, 4\]/,
        );
      });
      layer.dispose();

      // Seeded: the initial weights (and so the first loss) must not depend on the tests run before.
      fe.setRandomSeed(SEED);
      const inp = fe.input({ shape: [t, d] });
      const att = fe.layers.multiHeadAttention({ numHeads: 2, keyDim: 4 }).apply([inp, inp], { useCausalMask: true });
      const out = fe.layers
        .dense({ units: 1 })
        .apply(fe.layers.globalAveragePooling1d().apply(att as fe.SymbolicTensor));
      const model = fe.model({ inputs: inp, outputs: out as fe.SymbolicTensor });
      model.compile({ optimizer: fe.train.adam(0.01), loss: 'meanSquaredError' });
      const xs = fe.tensor(randomArray(16 * t * d, rand), [16, t, d]);
      const ys = fe.tensor(randomArray(16, rand), [16, 1]);
      const first = (await model.trainOnBatch(xs, ys)) as number;
      let last = first;
      for (let i = 0; i < 60; i++) last = (await model.trainOnBatch(xs, ys)) as number;
      expect(last).toBeLessThan(first * 0.5);
      xs.dispose();
      ys.dispose();
      model.dispose();
    },
  );

  it('saves and loads through model.save with its Keras class name and config', async () => {
    const inp = fe.input({ shape: [3, 4] });
    const mha = fe.layers.multiHeadAttention({ numHeads: 2, keyDim: 3, dropout: 0.1, useBias: false });
    const ln = fe.layers.layerNormalization({ epsilon: 1e-5 });
    const pos = fe.layers.positionEmbedding({ sequenceLength: 5 });
    const summed = fe.layers.add().apply([inp, pos.apply(inp) as fe.SymbolicTensor]) as fe.SymbolicTensor;
    const out = ln.apply(mha.apply([summed, summed]) as fe.SymbolicTensor) as fe.SymbolicTensor;
    const model = fe.model({ inputs: inp, outputs: out });
    let saved: fe.io.ModelArtifacts | undefined;
    await model.save(
      fe.io.withSaveHandler(
        async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
      ),
    );
    const topology = JSON.stringify(saved!.modelTopology);
    expect(topology).toContain('"class_name":"MultiHeadAttention"');
    expect(topology).toContain('"num_heads":2');
    expect(topology).toContain('"class_name":"LayerNormalization"');
    expect(topology).toContain('"class_name":"PositionEmbedding"');
    const loaded = await fe.loadLayersModel(fe.io.fromMemory(saved!));
    fe.tidy(() => {
      const x = fe.tensor(randomArray(2 * 3 * 4, rng(3)), [2, 3, 4]);
      expectClose(
        (loaded.predict(x) as fe.Tensor).dataSync(),
        (model.predict(x) as fe.Tensor).dataSync(),
        0,
        0,
        'loaded model',
      );
    });
    model.dispose();
    loaded.dispose();
  });
});

describe('layers.layerNormalization', () => {
  it('matches TF.js cpu over three Adam steps (weights and predictions to 1e-4)', async () => {
    const tf = await tfjsCpu();
    const rand = rng(4);
    const [b, t, d] = [6, 5, 8];
    const xs = randomArray(b * t * d, rand, -2, 3);
    const ys = randomArray(b * t * 3, rand);
    const feModel = fe.sequential({
      layers: [
        fe.layers.layerNormalization({
          inputShape: [t, d],
          gammaInitializer: 'randomNormal',
          betaInitializer: 'randomNormal',
        }),
        fe.layers.dense({ units: 3 }),
      ],
    });
    const tfModel = tf.sequential({
      layers: [tf.layers.layerNormalization({ inputShape: [t, d] }), tf.layers.dense({ units: 3 })],
    });
    tfModel.setWeights(feModel.getWeights().map((w) => tf.tensor(w.dataSync() as Float32Array, [...w.shape])));
    expect(feModel.getWeights().map((w) => w.shape)).toEqual(tfModel.getWeights().map((w) => w.shape));
    // A tiny epsilon: the two Adams place it differently (ts/optimizers/adam.ts), which
    // shows on the smallest gradients and is not what this test is about.
    feModel.compile({ optimizer: fe.train.adam(0.01, 0.9, 0.999, 1e-12), loss: 'meanSquaredError' });
    tfModel.compile({ optimizer: tf.train.adam(0.01, 0.9, 0.999, 1e-12), loss: 'meanSquaredError' });
    const [fx, fy] = [fe.tensor(xs, [b, t, d]), fe.tensor(ys, [b, t, 3])];
    const [tx, ty] = [tf.tensor(xs, [b, t, d]), tf.tensor(ys, [b, t, 3])];
    for (let step = 0; step < 3; step++) {
      await feModel.trainOnBatch(fx, fy);
      await tfModel.trainOnBatch(tx, ty);
    }
    const want = tfModel.getWeights().map((w) => w.dataSync());
    feModel.getWeights().forEach((w, i) => expectClose(w.dataSync(), want[i], 1e-4, 1e-4, `weight ${i}`));
    expectClose(
      (feModel.predict(fx) as fe.Tensor).dataSync(),
      (tfModel.predict(tx) as typeof tx).dataSync(),
      1e-4,
      1e-4,
      'predictions',
    );
    expect(feModel.layers[0].getConfig()).toMatchObject({ axis: -1, epsilon: 1e-3, center: true, scale: true });
    feModel.dispose();
    tf.dispose([tx, ty]);
    fx.dispose();
    fy.dispose();
  });

  it('normalizes two trailing axes; rejects a non-trailing axis', () => {
    const layer = fe.layers.layerNormalization({ axis: [-2, -1] });
    fe.tidy(() => {
      const xs = randomArray(2 * 3 * 4, rng(5));
      const y = layer.apply(fe.tensor(xs, [2, 3, 4])) as fe.Tensor;
      expect(layer.weights.map((w) => w.shape)).toEqual([
        [3, 4],
        [3, 4],
      ]);
      const row = Array.from(y.dataSync()).slice(0, 12);
      expect(Math.abs(row.reduce((a, c) => a + c, 0))).toBeLessThan(1e-5);
      expect(() => fe.layers.layerNormalization({ axis: 1 }).apply(fe.ones([2, 3, 4]))).toThrow(
        /axis 1 must name distinct trailing axes .* of the input \[2, 3, 4\]/,
      );
    });
    layer.dispose();
  });
});
