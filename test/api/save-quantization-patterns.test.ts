// Per-weight quantization on save, as the tensorflowjs converter's --quantize_uint8 /
// --quantize_uint16 / --quantize_float16 flags take it: fnmatch patterns over weight
// names, or `true` for every weight no pattern claims. Matching weights are stored
// quantized (and load back within their quantization step), the others stay float32, and
// TF.js loads the artifacts with the same values.

import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as fe from '../../ts/index.js';
import { loadLayersModel } from '../../ts/models/load.js';
import { namedWeights } from '../../ts/models/save.js';
import * as io from '../../ts/io/index.js';
import { fnmatchRegExp } from '../../ts/io/quantization.js';
import type { SaveConfig } from '../../ts/io/types.js';
import { expectClose, randomArray, rng } from '../support/helpers.js';
import { toArtifacts } from '../support/io-models.js';

tf.setBackend('cpu');

function mlp(): fe.LayersModel {
  return fe.sequential({
    layers: [
      fe.layers.dense({ units: 6, inputShape: [5], activation: 'relu', name: 'dense_1' }),
      fe.layers.batchNormalization({ name: 'bn' }),
      fe.layers.dense({ units: 3, name: 'dense_2' }),
    ],
  });
}

const x = randomArray(4 * 5, rng(3));

function feOut(m: fe.LayersModel): Float32Array {
  const t = fe.tensor(x, [4, 5]);
  const y = m.predict(t) as fe.Tensor;
  const v = y.dataSync().slice() as Float32Array;
  [t, y].forEach((a) => a.dispose());
  return v;
}

async function dtypesSaved(config: SaveConfig): Promise<Record<string, string>> {
  const m = mlp();
  const art = await toArtifacts(m, config);
  m.dispose();
  return Object.fromEntries(art.weightSpecs!.map((s) => [s.name, s.quantization?.dtype ?? 'float32']));
}

describe('model.save quantizes the weights the converter-style patterns name', () => {
  it('fnmatch patterns: * spans slashes, ? one character, [seq] and [!seq] a class, the rest literal', () => {
    expect(fnmatchRegExp('*/kernel').test('dense_1/kernel')).toBe(true);
    expect(fnmatchRegExp('*/kernel').test('outer/dense_1/kernel')).toBe(true);
    expect(fnmatchRegExp('*/kernel').test('dense_1/kernel_1')).toBe(false);
    expect(fnmatchRegExp('dense_?/bias').test('dense_2/bias')).toBe(true);
    expect(fnmatchRegExp('dense_[12]/*').test('dense_3/bias')).toBe(false);
    expect(fnmatchRegExp('dense_[!1]/*').test('dense_2/bias')).toBe(true);
    expect(fnmatchRegExp('a.b+c').test('axb+c')).toBe(false);
  });

  it('each matched weight gets its dtype, a catch-all takes the rest, the unmatched stay float32', async () => {
    expect(await dtypesSaved({ quantizeUint8: ['*/kernel'], quantizeFloat16: ['dense_[!1]/b*'] })).toEqual({
      'dense_1/kernel': 'uint8',
      'dense_1/bias': 'float32',
      'bn/gamma': 'float32',
      'bn/beta': 'float32',
      'dense_2/kernel': 'uint8',
      'dense_2/bias': 'float16',
      'bn/moving_mean': 'float32',
      'bn/moving_variance': 'float32',
    });
    expect(await dtypesSaved({ quantizeUint16: ['bn/*'], quantizeFloat16: true })).toEqual({
      'dense_1/kernel': 'float16',
      'dense_1/bias': 'float16',
      'bn/gamma': 'uint16',
      'bn/beta': 'uint16',
      'dense_2/kernel': 'float16',
      'dense_2/bias': 'float16',
      'bn/moving_mean': 'uint16',
      'bn/moving_variance': 'uint16',
    });
  });

  it('refuses a pattern matching no weight, a weight claimed twice and two catch-alls, naming them', async () => {
    const m = mlp();
    const before = fe.memory().numTensors;
    await expect(toArtifacts(m, { quantizeUint8: ['dense_9/*'] })).rejects.toThrow(
      /quantizeUint8 pattern 'dense_9\/\*' matches no weight \(weights: dense_1\/kernel, /,
    );
    await expect(toArtifacts(m, { quantizeUint8: ['*/kernel'], quantizeFloat16: ['dense_1/*'] })).rejects.toThrow(
      "weight 'dense_1/kernel' is matched for both uint8 and float16",
    );
    await expect(toArtifacts(m, { quantize: 'uint8', quantizeFloat16: true })).rejects.toThrow(
      'only one quantization can apply to all weights, got quantize and quantizeFloat16',
    );
    await expect(toArtifacts(m, { quantizeUint8: 'dense_1/*' as unknown as string[] })).rejects.toThrow(
      'quantizeUint8 must be true or a list of weight-name patterns',
    );
    expect(fe.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('loads back in Ferrite and in TF.js: quantized weights within a step, the others exact', async () => {
    const m = mlp();
    // Train a little so batch-norm statistics and biases are not their initial constants.
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const xs = fe.tensor(x, [4, 5]);
    const ys = fe.tensor(randomArray(12, rng(4)), [4, 3]);
    await m.fit(xs, ys, { epochs: 2, batchSize: 4 });
    [xs, ys].forEach((t) => t.dispose());
    const art = await toArtifacts(m, { quantizeUint8: ['*/kernel'], quantizeFloat16: ['bn/*'] });
    const back = await loadLayersModel(io.fromMemory(art));
    const values = (model: fe.LayersModel) =>
      new Map(namedWeights(model).map((w) => [w.name, w.variable.dataSync() as Float32Array]));
    const orig = values(m);
    const loaded = values(back);
    art.weightSpecs!.forEach((spec) => {
      const want = orig.get(spec.name)!;
      const got = loaded.get(spec.name)!;
      const q = spec.quantization;
      // uint8: half a step of (max - min) / 255; float16: 2^-11 relative; float32: exact.
      const span = Math.max(...want, 0) - Math.min(...want, 0);
      if (q?.dtype === 'uint8') expectClose(got, want, 0, span / 255 / 2 + 1e-7, spec.name);
      else if (q?.dtype === 'float16') expectClose(got, want, 2 ** -11, 1e-7, spec.name);
      else expect(got, spec.name).toEqual(want);
      expect(q !== undefined, spec.name).toBe(/kernel|^bn\//.test(spec.name));
    });
    const inTf = await tf.loadLayersModel(tf.io.fromMemory(art as tf.io.ModelArtifacts));
    const t = tf.tensor(x, [4, 5]);
    expectClose((inTf.predict(t) as tf.Tensor).dataSync() as Float32Array, feOut(back), 1e-4, 1e-5, 'TF.js');
    [m, back].forEach((a) => a.dispose());
  });
});
