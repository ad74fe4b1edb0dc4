import { describe, expect, it } from 'vitest';
import { describeEachBuild, expectClose, randomTensor, rng } from '../support/helpers.js';
import { memory, tensor, zeros } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as initializers from '../../ts/initializers/index.js';
import { getInitializer } from '../../ts/initializers/resolve.js';
import { computeFans, type VarianceScaling } from '../../ts/initializers/variance-scaling.js';
import { orthonormalizeRows, orthonormalizeRowsNaive } from '../../ts/initializers/orthogonal.js';
import * as layers from '../../ts/layers/index.js';
import { input } from '../../ts/layers/index.js';
import { Dense } from '../../ts/layers/dense.js';
import { deserialize } from '../../ts/serialization/registry.js';
import * as regularizers from '../../ts/regularizers/index.js';
import { toSnakeCase } from '../../ts/layers/naming.js';

/** Naive dense: x [rows, in] · W [in, out] + b, then relu if asked. */
function denseNaive(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array | null,
  rows: number,
  inDim: number,
  out: number,
  relu: boolean,
): Float32Array {
  const y = new Float32Array(rows * out);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < out; j++) {
      let s = b ? b[j] : 0;
      for (let k = 0; k < inDim; k++) s += x[r * inDim + k] * w[k * out + j];
      y[r * out + j] = relu ? Math.max(0, s) : s;
    }
  }
  return y;
}

function stats(v: ArrayLike<number>): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i];
    s2 += v[i] * v[i];
    m = Math.max(m, Math.abs(v[i]));
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), maxAbs: m };
}

describe('initializers', () => {
  it('zeros, ones, constant, identity', () => {
    expect(Array.from(initializers.zeros().apply([2, 2]).dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(initializers.ones().apply([3]).dataSync())).toEqual([1, 1, 1]);
    expect(Array.from(initializers.constant({ value: 2.5 }).apply([2]).dataSync())).toEqual([2.5, 2.5]);
    expect(initializers.identity({ gain: 2 }).apply([2, 2]).arraySync()).toEqual([
      [2, 0],
      [0, 2],
    ]);
    expect(() => initializers.identity().apply([2, 3])).toThrow(/square 2-D/);
    expect(() => initializers.glorotUniform().apply([2, 2], 'int32')).toThrow(
      /float32 values, but the weight's dtype is int32/,
    );
  });

  it('computes fans as Keras (dense and convolution kernels)', () => {
    expect(computeFans([784, 128])).toEqual({ fanIn: 784, fanOut: 128 });
    expect(computeFans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
  });

  it('glorotUniform stays within its limit with the right variance, and a seed reproduces it', () => {
    const shape = [300, 200];
    const limit = Math.sqrt(6 / 500);
    const v = initializers.glorotUniform({ seed: 3 }).apply(shape).dataSync();
    const s = stats(v);
    expect(s.maxAbs).toBeLessThanOrEqual(limit);
    expect(Math.abs(s.mean)).toBeLessThan(0.01 * limit);
    expect(s.std).toBeCloseTo(limit / Math.sqrt(3), 3);
    const again = initializers.glorotUniform({ seed: 3 }).apply(shape).dataSync();
    expect(Array.from(again.subarray(0, 50))).toEqual(Array.from(v.subarray(0, 50)));
  });

  it('heNormal and glorotNormal are truncated normals with the scaled variance', () => {
    const he = initializers.heNormal({ seed: 5 }).apply([400, 300]).dataSync();
    const std = Math.sqrt(2 / 400);
    const s = stats(he);
    // The truncated draw is rescaled so that its std is the target.
    expect(s.std).toBeCloseTo(std, 3);
    expect(s.maxAbs).toBeLessThanOrEqual((2 * std) / 0.8796256610342398 + 1e-6);
    const gn = stats(initializers.glorotNormal({ seed: 6 }).apply([500, 300]).dataSync());
    expect(gn.std).toBeCloseTo(Math.sqrt(2 / 800), 3);
    const hu = stats(initializers.heUniform({ seed: 7 }).apply([600, 100]).dataSync());
    expect(hu.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 600));
    const rn = stats(initializers.randomNormal({ mean: 1, stddev: 0.5, seed: 1 }).apply([100000]).dataSync());
    expect(rn.mean).toBeCloseTo(1, 2);
    expect(rn.std).toBeCloseTo(0.5, 2);
    const ru = stats(initializers.randomUniform({ minval: 2, maxval: 4, seed: 1 }).apply([100000]).dataSync());
    expect(ru.mean).toBeCloseTo(3, 1);
    expect(ru.maxAbs).toBeLessThanOrEqual(4);
  });

  it('resolves string identifiers in every spelling, and rejects unknown ones', () => {
    for (const id of ['glorotUniform', 'glorot_uniform', 'GlorotUniform'])
      expect(getInitializer(id).getClassName()).toBe('GlorotUniform');
    expect(getInitializer('he_normal').getClassName()).toBe('HeNormal');
    expect(getInitializer('zeros').getClassName()).toBe('Zeros');
    expect(getInitializer('lecun_normal').getClassName()).toBe('LeCunNormal');
    expect(() => getInitializer('glorotUnifrom')).toThrow(/unknown initializer 'glorotUnifrom'/);
    const round = getInitializer(
      initializers.varianceScaling({ scale: 3, mode: 'fanOut', distribution: 'uniform' }).serialize(),
    ) as VarianceScaling;
    expect([round.scale, round.mode, round.distribution]).toEqual([3, 'fanOut', 'uniform']);
  });

  it('orthogonal: orthonormal rows (wide) or columns (tall), with gain', () => {
    for (const [rows, cols] of [
      [40, 100],
      [100, 40],
      [33, 33],
      [1, 5],
      [70, 1],
    ]) {
      const q = initializers.orthogonal({ gain: 2, seed: rows }).apply([rows, cols]).dataSync();
      const small = Math.min(rows, cols);
      // Gram matrix of the orthonormal side must be gain^2 I.
      for (let i = 0; i < small; i++) {
        for (let j = 0; j < small; j++) {
          let dot = 0;
          if (rows <= cols) for (let c = 0; c < cols; c++) dot += q[i * cols + c] * q[j * cols + c];
          else for (let r = 0; r < rows; r++) dot += q[r * cols + i] * q[r * cols + j];
          expect(Math.abs(dot - (i === j ? 4 : 0))).toBeLessThan(1e-4);
        }
      }
    }
    expect(() => initializers.orthogonal().apply([5])).toThrow(/rank >= 2/);
  });

  it('the blocked orthonormalisation matches modified Gram-Schmidt', () => {
    const rand = rng(11);
    for (const [n, m] of [
      [70, 90],
      [32, 32],
      [5, 300],
    ]) {
      const a = randomTensor([n, m], rand);
      const ref = Float64Array.from(a.dataSync());
      orthonormalizeRowsNaive(ref, n, m);
      orthonormalizeRows(a);
      expectClose(a.dataSync(), ref, 1e-3, 2e-4, `orthonormal rows of [${n}, ${m}]`);
      a.dispose();
    }
    // A repeated row leaves nothing to normalise: CholeskyQR breaks down, the fallback gives a zero row.
    const v = Array.from(randomTensor([4, 8], rand).dataSync());
    v.splice(16, 8, ...v.slice(8, 16));
    const dup = tensor(v, [4, 8]);
    const ref = Float64Array.from(v);
    orthonormalizeRowsNaive(ref, 4, 8);
    orthonormalizeRows(dup);
    expectClose(dup.dataSync(), ref, 1e-3, 2e-4, 'rank-deficient rows');
    expect(Array.from(dup.dataSync().subarray(16, 24)).every((x) => x === 0)).toBe(true);
  });
});

describeEachBuild('layers', () => {
  it('dense matches a naive reference, on 2-D and 3-D inputs, with and without bias', () => {
    const rand = rng(2);
    for (const [rows, inDim, units] of [
      [5, 7, 3],
      [1, 1, 1],
      [33, 17, 9],
    ]) {
      const layer = layers.dense({
        units,
        activation: 'relu',
        biasInitializer: initializers.randomNormal({ seed: 1 }),
      });
      const x = randomTensor([rows, inDim], rand);
      const y = layer.apply(x);
      expect(y.shape).toEqual([rows, units]);
      const ref = denseNaive(
        x.dataSync() as Float32Array,
        layer.kernel!.dataSync() as Float32Array,
        layer.bias!.dataSync() as Float32Array,
        rows,
        inDim,
        units,
        true,
      );
      expectClose(y.dataSync(), ref, 1e-5, 1e-5, 'dense output');
      layer.dispose();
    }
    const noBias = layers.dense({ units: 4, useBias: false });
    const x3 = randomTensor([2, 3, 5], rand);
    const y3 = noBias.apply(x3);
    expect(y3.shape).toEqual([2, 3, 4]);
    expect(noBias.weights.length).toBe(1);
    expectClose(
      y3.dataSync(),
      denseNaive(x3.dataSync() as Float32Array, noBias.kernel!.dataSync() as Float32Array, null, 6, 5, 4, false),
      1e-5,
      1e-5,
      'dense 3-D',
    );
    noBias.dispose();
  });

  it('dense rejects inputs that do not fit, naming the layer', () => {
    const layer = layers.dense({ units: 10, inputShape: [128] });
    expect(() => layer.apply(zeros([32, 64]))).toThrow(
      new RegExp(`ferrite: ${layer.name}: expected input with last dimension 128, got \\[32, 64\\]`),
    );
    expect(() => layer.apply(zeros([32]))).toThrow(/expected input of rank >= 2, got \[32\]/);
    expect(() => layers.dense({ units: 0 })).toThrow(/units must be a positive integer/);
    expect(() => layers.dense({ units: 3, activation: 'rleu' })).toThrow(/unknown activation "rleu"/);
    expect(() => layer.apply(tensor([[1, 2]], [1, 2], 'int32'))).toThrow(/last dimension 128/);
    const l2 = layers.dense({ units: 2 });
    expect(() => l2.apply(tensor([[1, 2]], [1, 2], 'int32'))).toThrow(/expected float32 input, got int32/);
    layer.dispose();
    l2.dispose();
  });

  it('names layers like Keras and weights <layer>/<weight>, unique', () => {
    const a = layers.dense({ units: 2, inputShape: [3] });
    const b = layers.dense({ units: 2, inputShape: [3] });
    expect(a.name).toMatch(/^dense_\d+$/);
    expect(b.name).not.toBe(a.name);
    a.ensureBuilt([null, 3]);
    b.ensureBuilt([null, 3]);
    expect(a.weights.map((w) => w.name)).toEqual([`${a.name}/kernel`, `${a.name}/bias`]);
    // Two layers the user named alike still get distinct variables.
    const c = layers.dense({ units: 1, name: 'same' });
    const d = layers.dense({ units: 1, name: 'same' });
    c.ensureBuilt([null, 2]);
    d.ensureBuilt([null, 2]);
    expect(c.weights[0].name).toBe('same/kernel');
    expect(d.weights[0].name).toBe('same/kernel_1');
    expect(toSnakeCase('SimpleRNN')).toBe('simple_rnn');
    expect(toSnakeCase('Conv2D')).toBe('conv2d');
    for (const l of [a, b, c, d]) l.dispose();
  });

  it('flatten, reshape and activation layers: shapes, values and errors', () => {
    const x = randomTensor([4, 2, 3], rng(3));
    const f = layers.flatten();
    expect(f.apply(x).shape).toEqual([4, 6]);
    expect(f.computeOutputShape([null, 28, 28])).toEqual([null, 784]);
    expect(() => f.computeOutputShape([null, null, 3])).toThrow(/not all known/);
    const r = layers.reshape({ targetShape: [3, -1] });
    const y = r.apply(x);
    expect(y.shape).toEqual([4, 3, 2]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(r.computeOutputShape([null, 2, 3])).toEqual([null, 3, 2]);
    expect(() => layers.reshape({ targetShape: [4] }).apply(x)).toThrow(
      /cannot reshape input \[4, 2, 3\] \(6 values per sample\) to \[4\]/,
    );
    expect(() => layers.reshape({ targetShape: [-1, -1] })).toThrow(/at most one -1/);
    const act = layers.activation({ activation: 'relu' });
    const z = act.apply(tensor([[-1, 2]]));
    expect(z.arraySync()).toEqual([[0, 2]]);
    const sm = layers.activation({ activation: 'softmax' }).apply(tensor([[0, 0]]));
    expectClose(sm.dataSync(), [0.5, 0.5]);
  });

  it('dropout is the identity at inference and drops with rescaling while training', () => {
    const d = layers.dropout({ rate: 0.25, seed: 1 });
    const x = tensor(new Float32Array(20000).fill(1), [100, 200]);
    expect(d.apply(x).dataSync()).toEqual(x.dataSync());
    const y = d.apply(x, { training: true }).dataSync();
    let zerosCount = 0;
    for (const v of y) {
      if (v === 0) zerosCount++;
      else expect(v).toBeCloseTo(1 / 0.75, 5);
    }
    expect(zerosCount / y.length).toBeGreaterThan(0.22);
    expect(zerosCount / y.length).toBeLessThan(0.28);
    // A seeded layer draws a new mask every call, not the same one.
    const y2 = d.apply(x, { training: true }).dataSync();
    expect(Array.from(y2)).not.toEqual(Array.from(y));
    expect(() => layers.dropout({ rate: 1 })).toThrow(/rate must be a number in \[0, 1\)/);
  });

  it('symbolic application computes output shapes without data', () => {
    const inp = input({ shape: [28, 28] });
    expect(inp.shape).toEqual([null, 28, 28]);
    const h = layers.flatten().apply(inp);
    expect(h.shape).toEqual([null, 784]);
    const dense = layers.dense({ units: 128 });
    const out = dense.apply(h);
    expect(out.shape).toEqual([null, 128]);
    expect(dense.countParams()).toBe(100480);
    expect(() => layers.dense({ units: 3, inputShape: [100] }).apply(h)).toThrow(
      /expected input with last dimension 100, got \[null, 784\]/,
    );
    expect(() => layers.dense({ units: 1 }).countParams()).toThrow(/needs the layer built/);
    dense.dispose();
  });

  it('trainable, getWeights and setWeights', () => {
    const layer = layers.dense({ units: 2, inputShape: [3] });
    layer.ensureBuilt([null, 3]);
    expect(layer.trainableWeights.length).toBe(2);
    layer.trainable = false;
    expect(layer.trainableWeights.length).toBe(0);
    expect(layer.nonTrainableWeights.length).toBe(2);
    expect(layer.weights.every((w) => !w.trainable)).toBe(true);
    layer.trainable = true;
    expect(layer.weights.every((w) => w.trainable)).toBe(true);
    const before = memory().numTensors;
    const ws = layer.getWeights();
    expect(memory().numTensors).toBe(before + 2);
    // Copies: changing them does not change the layer.
    ws[1].view()[0] = 42;
    expect(layer.bias!.dataSync()[0]).toBe(0);
    layer.setWeights(ws);
    expect(layer.bias!.dataSync()[0]).toBe(42);
    expect(() => layer.setWeights([ws[0]])).toThrow(/setWeights expects 2 tensors/);
    const wrong = zeros([3]);
    expect(() => layer.setWeights([ws[0], wrong])).toThrow(/has shape \[2\], got \[3\]/);
    wrong.dispose();
    ws.forEach((w) => w.dispose());
    layer.dispose();
    expect(memory().numTensors).toBe(before - 2);
    expect(() => layer.apply(zeros([1, 3]))).toThrow(/is disposed/);
  });

  it('weights given at construction are set when the layer is built', () => {
    const k = tensor([[1], [2]]);
    const b = tensor([0.5]);
    const layer = layers.dense({ units: 1, weights: [k, b] });
    expect(layer.apply(tensor([[1, 1]])).dataSync()[0]).toBeCloseTo(3.5);
    layer.dispose();
  });

  it('regularizers compute their penalties', () => {
    const w = tensor([1, -2, 3]);
    expect(regularizers.l2({ l2: 0.1 }).apply(w).dataSync()[0]).toBeCloseTo(1.4, 5);
    expect(regularizers.l1({ l1: 0.5 }).apply(w).dataSync()[0]).toBeCloseTo(3, 5);
    expect(regularizers.l1l2({ l1: 1, l2: 1 }).apply(w).dataSync()[0]).toBeCloseTo(20, 5);
    expect(() => regularizers.l2({ l2: -1 })).toThrow(/l2 must be a finite number >= 0/);
    const layer = layers.dense({
      units: 2,
      inputShape: [2],
      kernelRegularizer: regularizers.l2({ l2: 0.5 }),
      kernelInitializer: 'ones',
    });
    layer.ensureBuilt([null, 2]);
    const penalties = layer.regularizationLosses();
    expect(penalties.length).toBe(1);
    expect(penalties[0].dataSync()[0]).toBeCloseTo(2, 5);
    layer.dispose();
  });

  it('getConfig and deserialize round-trip a dense layer', () => {
    const layer = layers.dense({
      units: 5,
      activation: 'tanh',
      useBias: false,
      kernelInitializer: initializers.heNormal({ seed: 1 }),
      kernelRegularizer: 'l2',
      inputShape: [7],
    });
    const config = layer.getConfig();
    expect(config).toMatchObject({ units: 5, activation: 'tanh', useBias: false, batchInputShape: [null, 7] });
    const copy = deserialize<Dense>({ className: 'Dense', config: { ...config, name: undefined } });
    expect(copy).toBeInstanceOf(Dense);
    expect(copy.units).toBe(5);
    expect(copy.activation.name).toBe('tanh');
    expect(copy.weightSpec.kernel.regularizer?.getConfig()).toEqual({ l1: 0, l2: 0.01 });
    expect(() => deserialize({ className: 'Nope', config: {} })).toThrow(/unknown class 'Nope'/);
  });

  it('leaves no tensors behind when applying layers inside tidy', () => {
    const layer = layers.dense({ units: 3, inputShape: [4], activation: 'sigmoid' });
    layer.ensureBuilt([null, 4]);
    const before = memory().numTensors;
    tidy(() => {
      layer.apply(randomTensor([6, 4], rng(1)));
    });
    expect(memory().numTensors).toBe(before);
    layer.dispose();
  });

  it('dense gradients match finite differences', async () => {
    const { checkGradients } = await import('../support/helpers.js');
    const layer = layers.dense({ units: 3, activation: 'tanh', inputShape: [4] });
    layer.ensureBuilt([null, 4]);
    const x = randomTensor([5, 4], rng(8));
    checkGradients(
      (xx: Tensor, k: Tensor, b: Tensor) => {
        void k;
        void b;
        return layer.apply(xx);
      },
      [x, layer.kernel!, layer.bias!],
    );
    layer.dispose();
  });
});
