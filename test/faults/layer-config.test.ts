// Every registered layer class rebuilds from its own config: getConfig() -> JSON ->
// fromConfig() gives a layer with the same config, and a model made of the rebuilt layer
// trains to bitwise the same weights as the original (same seed, same data). A config
// value written as null (Keras's JSON for "not set") must mean what the absent option
// means, as Dropout's noiseShape and seed do.

import { describe, expect, it } from 'vitest';
import { Layer, type LayerConfig } from '../../ts/layers/layer.js';
import { InputLayer } from '../../ts/layers/input-layer.js';
import { deserialize, registeredClasses } from '../../ts/serialization/registry.js';
import { sequential } from '../../ts/models/sequential.js';
import { setRandomSeed } from '../../ts/ops/random.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { rng, randomTensor } from '../support/helpers.js';
import { dense, dropout, flatten } from '../../ts/layers/index.js';

/** Constructor arguments for each layer class, and a sample shape it takes. */
const CASES: Record<string, { args: LayerConfig; sample: number[] }> = {
  Dense: { args: { units: 3, activation: 'tanh', kernelRegularizer: 'l2' }, sample: [4] },
  Flatten: { args: {}, sample: [2, 3] },
  Reshape: { args: { targetShape: [3, 2] }, sample: [6] },
  Dropout: { args: { rate: 0.3 }, sample: [8] },
  Activation: { args: { activation: 'relu' }, sample: [5] },
  Conv2D: { args: { filters: 2, kernelSize: 3, strides: 2, padding: 'same' }, sample: [5, 5, 2] },
  MaxPooling2D: { args: { poolSize: 2, strides: 1 }, sample: [4, 4, 2] },
  AveragePooling2D: { args: { poolSize: [2, 1], padding: 'same' }, sample: [3, 4, 2] },
  GlobalAveragePooling2D: { args: {}, sample: [3, 3, 2] },
  GlobalMaxPooling2D: { args: { keepDims: true }, sample: [3, 3, 2] },
  BatchNormalization: { args: { momentum: 0.9 }, sample: [4] },
  ZeroPadding2D: { args: { padding: [1, 2] }, sample: [2, 2, 1] },
  Conv1D: { args: { filters: 2, kernelSize: 2, padding: 'causal', activation: 'relu' }, sample: [5, 3] },
  MaxPooling1D: { args: { poolSize: 2 }, sample: [4, 2] },
  AveragePooling1D: { args: { poolSize: 2, padding: 'same' }, sample: [5, 2] },
  GlobalAveragePooling1D: { args: {}, sample: [4, 3] },
  GlobalMaxPooling1D: { args: {}, sample: [4, 3] },
  RepeatVector: { args: { n: 3 }, sample: [4] },
  Permute: { args: { dims: [2, 1] }, sample: [3, 4] },
  TimeDistributed: { args: { layer: { className: 'Dense', config: { units: 2 } } }, sample: [3, 4] },
  Masking: { args: { maskValue: 0.5 }, sample: [3, 4] },
  LSTM: { args: { units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }, sample: [3, 4] },
  GRU: { args: { units: 3, resetAfter: true, goBackwards: true }, sample: [3, 4] },
  SimpleRNN: { args: { units: 2, activation: 'relu', returnSequences: true }, sample: [3, 4] },
  RNN: {
    args: { cell: { className: 'LSTMCell', config: { units: 2 } }, returnSequences: true, goBackwards: true },
    sample: [3, 4],
  },
  Bidirectional: { args: { layer: { className: 'GRU', config: { units: 2 } }, mergeMode: 'ave' }, sample: [3, 4] },
  // generative models (DCGAN)
  Conv2DTranspose: {
    args: { filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' },
    sample: [3, 3, 2],
  },
  UpSampling2D: { args: { size: [2, 3], interpolation: 'bilinear' }, sample: [2, 2, 2] },
  Cropping2D: {
    args: {
      cropping: [
        [1, 0],
        [0, 1],
      ],
    },
    sample: [3, 3, 2],
  },
  ReLU: { args: { maxValue: 0.5 }, sample: [5] },
  LeakyReLU: { args: { alpha: 0.2 }, sample: [5] },
  PReLU: { args: { alphaInitializer: 'ones', sharedAxes: [1] }, sample: [3, 2] },
  ELU: { args: { alpha: 0.5 }, sample: [5] },
  ThresholdedReLU: { args: { theta: 0.1 }, sample: [5] },
  Softmax: { args: { axis: -1 }, sample: [5] },
  GaussianNoise: { args: { stddev: 0.1 }, sample: [5] },
  GaussianDropout: { args: { rate: 0.2 }, sample: [5] },
  SpatialDropout1D: { args: { rate: 0.2, seed: 3 }, sample: [3, 4] },
  SpatialDropout2D: { args: { rate: 0.2, seed: 3 }, sample: [2, 2, 3] },
  DepthwiseConv2D: {
    args: { kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' },
    sample: [4, 4, 2],
  },
  SeparableConv2D: { args: { filters: 3, kernelSize: 2, depthMultiplier: 2, strides: 2 }, sample: [4, 4, 2] },
  LayerNormalization: { args: { epsilon: 1e-5, gammaInitializer: 'randomNormal' }, sample: [3, 4] },
  PositionEmbedding: { args: { sequenceLength: 5 }, sample: [3, 4] },
};
/** Classes registered as layers that are not built alone in a Sequential. */
const NOT_ALONE = new Set(['InputLayer', 'Sequential', 'LayersModel', 'Functional', 'Model']);
/**
 * Layers that take several inputs (merge layers) or integer ids (Embedding): their configs
 * round-trip here; their training after a rebuild is covered where they are tested
 * (test/api/merge-layers.test.ts builds merge models from getConfig).
 */
const CONFIG_ONLY: Record<string, LayerConfig> = {
  Add: {},
  Subtract: {},
  Multiply: {},
  Average: {},
  Maximum: {},
  Minimum: {},
  Concatenate: { axis: 1 },
  Dot: { axes: [1, 1], normalize: true },
  Embedding: { inputDim: 5, outputDim: 2, inputLength: 3 },
  MultiHeadAttention: { numHeads: 2, keyDim: 3, valueDim: 4, dropout: 0.1, outputShape: 5, useBias: false },
  // recurrent cells run inside layers.rnn (trained there, in the RNN case)
  SimpleRNNCell: { units: 2, activation: 'relu', kernelRegularizer: 'l2' },
  LSTMCell: { units: 3, recurrentActivation: 'sigmoid' },
  GRUCell: { units: 2, useBias: false },
  StackedRNNCells: {
    cells: [
      { className: 'GRUCell', config: { units: 2 } },
      { className: 'LSTMCell', config: { units: 1 } },
    ],
  },
};

function layerClasses(): (typeof Layer & { className: string })[] {
  return registeredClasses().filter(
    (c) => typeof c === 'function' && (c as unknown as { prototype: unknown }).prototype instanceof Layer,
  ) as unknown as (typeof Layer & { className: string })[];
}

/**
 * Trains `layer` in a small model (a Dense head gives every layer something to train),
 * starting from `init` as the layer's weights when given. Returns the layer's initial
 * weights and all trained weights.
 */
async function trainOnce(
  layer: Layer,
  sample: number[],
  init: Float32Array[] | null,
): Promise<{ initial: Float32Array[]; trained: Float32Array[] }> {
  const m = sequential({ layers: [new InputLayer({ inputShape: sample }), layer] });
  if (m.outputs[0].rank > 2) m.add(flatten());
  m.add(dense({ units: 2, kernelInitializer: 'ones' }));
  if (init) {
    const values = layer.weights.map((w, i) => tensor(init[i], w.shape));
    layer.setWeights(values);
    for (const v of values) v.dispose();
  }
  const initial = layer.weights.map((w) => w.dataSync().slice() as Float32Array);
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const r = rng(5);
  const x = randomTensor([6, ...sample], r);
  const y = randomTensor([6, 2], r);
  setRandomSeed(11);
  await m.fit(x, y, { epochs: 2, batchSize: 3, verbose: 0 });
  const trained = m.weights.map((w) => w.dataSync().slice() as Float32Array);
  x.dispose();
  y.dispose();
  m.dispose();
  return { initial, trained };
}

describe('layer configs round-trip', () => {
  it('every registered layer class has a case here', () => {
    const missing = layerClasses()
      .map((c) => c.className)
      .filter((n) => !NOT_ALONE.has(n) && !(n in CASES) && !(n in CONFIG_ONLY));
    expect(missing, 'add these layer classes to CASES in test/faults/layer-config.test.ts').toEqual([]);
  });

  for (const [className, args] of Object.entries(CONFIG_ONLY)) {
    it(`${className}: getConfig -> JSON -> fromConfig gives the same config`, () => {
      const original = deserialize<Layer>({ className, config: args }, 'layer');
      const config = JSON.parse(JSON.stringify(original.getConfig())) as LayerConfig;
      expect(deserialize<Layer>({ className, config }, 'layer').getConfig()).toEqual(config);
    });
  }

  for (const [className, { args, sample }] of Object.entries(CASES)) {
    it(`${className}: getConfig -> JSON -> fromConfig gives the same config and trains identically`, async () => {
      const before = memory().numTensors;
      const original = deserialize<Layer>({ className, config: args }, 'layer');
      const config = JSON.parse(JSON.stringify(original.getConfig())) as LayerConfig;
      const rebuilt = deserialize<Layer>({ className, config }, 'layer');
      expect(rebuilt.getConfig()).toEqual(config);

      const a = await trainOnce(original, sample, null);
      const b = await trainOnce(rebuilt, sample, a.initial);
      expect(b.initial).toEqual(a.initial);
      expect(b.trained.every((w) => w.every(Number.isFinite))).toBe(true);
      expect(b.trained).toEqual(a.trained);
      expect(memory().numTensors).toBe(before);
    });
  }

  it('Dropout rebuilt from config trains, and its masks follow setRandomSeed (seed: null is no seed)', async () => {
    const d = dropout({ rate: 0.5 });
    const config = JSON.parse(JSON.stringify(d.getConfig()));
    expect(config.noiseShape).toBeNull();
    expect(config.seed).toBeNull();
    const rebuilt = deserialize<Layer>({ className: 'Dropout', config: { ...config, name: undefined } }, 'layer');
    const x = tensor(new Float32Array(64).fill(1), [1, 64]);
    const masks: number[][] = [];
    for (const seed of [1, 1, 2]) {
      setRandomSeed(seed);
      const y = rebuilt.apply(x, { training: true }) as Tensor;
      masks.push(Array.from(y.dataSync()));
      y.dispose();
    }
    expect(masks[1]).toEqual(masks[0]);
    expect(masks[2]).not.toEqual(masks[0]);
    x.dispose();
    d.dispose();
    rebuilt.dispose();
  });
});
