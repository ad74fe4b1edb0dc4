// Merge layers (add, subtract, multiply, average, maximum, minimum, concatenate, dot):
// shapes and values against TF.js's own layers (cpu backend), gradients against finite
// differences, on every build.

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkGradients, describeEachBuild, expectClose, randomTensor, rng } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { input } from '../../ts/layers/index.js';
import type { Layer } from '../../ts/layers/layer.js';
import { SymbolicTensor } from '../../ts/layers/symbolic.js';
import { deserialize } from '../../ts/serialization/registry.js';

type Shape = (number | null)[];
interface Case {
  name: string;
  make: () => Layer;
  makeTf: () => tf.layers.Layer;
  shapes: number[][];
  /** Inputs at least 0.1 apart elementwise, so finite differences do not straddle a kink (maximum, minimum). */
  apart?: boolean;
}

/** Same-shape inputs whose values at each position are at least 0.1 apart. */
function apartTensors(shapes: number[][], rand: () => number): Tensor[] {
  const size = shapes[0].reduce((a, b) => a * b, 1);
  const data = shapes.map(() => new Float32Array(size));
  for (let e = 0; e < size; e++) {
    const order = shapes.map((_, j) => j).sort(() => rand() - 0.5);
    order.forEach((rankOf, j) => (data[j][e] = (rankOf - (shapes.length - 1) / 2) * 0.4 + (rand() - 0.5) * 0.2));
  }
  return data.map((d, j) => tensor(d, shapes[j]));
}

type Kind = 'add' | 'multiply' | 'average' | 'maximum' | 'minimum' | 'concatenate' | 'dot';

/** A case: the same factory and arguments in Ferrite and in TF.js, on inputs of shapes '2x3, 2x1x3'. */
function merge(name: string, kind: Kind, args: object, shapes: string, apart = false): Case {
  const make = (layers[kind] as unknown as (a: object) => Layer).bind(layers);
  const makeTf = (tf.layers[kind] as unknown as (a: object) => tf.layers.Layer).bind(tf.layers);
  return {
    name,
    make: () => make(args),
    makeTf: () => makeTf(args),
    shapes: shapes.split(', ').map((s) => s.split('x').map(Number)),
    apart,
  };
}

// Subtract is Keras's; TF.js has no Subtract layer, so it is checked on its own below.
const cases: Case[] = [
  merge('add', 'add', {}, '2x3, 2x3, 2x3'),
  merge('add (broadcast)', 'add', {}, '2x4x3, 2x1x3'),
  merge('add (ranks differ)', 'add', {}, '2x3, 2x4x3'),
  merge('multiply', 'multiply', {}, '3x2x2, 3x2x2'),
  merge('average', 'average', {}, '2x5, 2x5, 2x1'),
  merge('maximum', 'maximum', {}, '2x6, 2x6', true),
  merge('minimum', 'minimum', {}, '2x6, 2x6, 2x6', true),
  merge('concatenate (last axis)', 'concatenate', {}, '2x3x2, 2x3x4'),
  merge('concatenate (axis 1)', 'concatenate', { axis: 1 }, '2x1x3, 2x2x3, 2x3x3'),
  merge('dot (2-D)', 'dot', { axes: 1 }, '3x4, 3x4'),
  merge('dot (3-D, [2, 1])', 'dot', { axes: [2, 1] }, '2x3x4, 2x4x5'),
  merge('dot (3-D, axes 1)', 'dot', { axes: 1 }, '2x4x3, 2x4x5'),
  merge('dot (2-D with 3-D)', 'dot', { axes: [1, 2] }, '2x4, 2x3x4'),
  merge('dot (normalize: cosine similarity)', 'dot', { axes: -1, normalize: true }, '3x5, 3x5'),
];

const symbolicShape = (s: number[]): Shape => [null, ...s.slice(1)];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('merge layers: shapes', () => {
  it.each(cases)('$name: the output shape is TF.js’s, for symbolic and concrete inputs', ({ make, makeTf, shapes }) => {
    const symbolic = shapes.map((s) => input({ shape: s.slice(1) }));
    const out = make().apply(symbolic) as SymbolicTensor;
    expect(out).toBeInstanceOf(SymbolicTensor);
    const expected = makeTf().computeOutputShape(shapes.map(symbolicShape)) as Shape;
    expect(out.shape).toEqual(expected);
  });

  it('subtract takes exactly two inputs, and the factory applies a new layer to a list', () => {
    const a = input({ shape: [3] });
    const b = input({ shape: [3] });
    const out = layers.subtract([a, b]);
    expect(out.shape).toEqual([null, 3]);
    expect(out.sourceLayer.getClassName()).toBe('Subtract');
    expect(() => layers.subtract().apply([a, b, a])).toThrow(/Subtract layer takes a list of exactly 2 inputs, got 3/);
  });

  it('rejects what cannot be merged, naming the layer and the shapes', () => {
    const a = input({ shape: [3] });
    const b = input({ shape: [4] });
    const c = input({ shape: [2, 3] });
    expect(() => layers.add({ name: 'sum1' }).apply(a)).toThrow(
      /sum1: a Add layer takes a list of at least 2 inputs, got one input of shape \[null, 3\]/,
    );
    expect(() => layers.add({ name: 'sum2' }).apply([a])).toThrow(/sum2: .*at least 2 inputs, got 1/);
    expect(() => layers.multiply().apply([a, b])).toThrow(/\[null, 3\], \[null, 4\] cannot be broadcast together/);
    expect(() => layers.concatenate({ axis: 1 }).apply([a, c])).toThrow(/match except along axis 1/);
    expect(() => layers.concatenate({ axis: 3 }).apply([a, b])).toThrow(/axis 3 is out of range for inputs of rank 2/);
    expect(() => layers.dot({ axes: 1 }).apply([a, b])).toThrow(
      /axis 1 of \[null, 3\] has 3, axis 1 of \[null, 4\] has 4/,
    );
    expect(() => layers.dot({ axes: 0 }).apply([a, a])).toThrow(/must be a non-batch axis/);
    expect(() => layers.dot({} as never)).toThrow(/dot: axes is required/);
    const fixed = input({ batchShape: [2, 3] });
    const other = input({ batchShape: [5, 3] });
    expect(() => layers.add().apply([fixed, other])).toThrow(/different batch sizes/);
  });

  it('getConfig / fromConfig round-trip axis, axes and normalize', () => {
    const c = layers.concatenate({ axis: 1, name: 'cat_cfg' });
    expect(c.getConfig()).toMatchObject({ axis: 1, name: 'cat_cfg' });
    const d = layers.dot({ axes: [2, 1], normalize: true, name: 'dot_cfg' });
    const cfg = d.getConfig();
    expect(cfg).toMatchObject({ axes: [2, 1], normalize: true });
    const back = deserialize<Layer>({ className: 'Dot', config: { ...cfg, name: 'dot_cfg2' } }, 'layer');
    expect(back.getConfig()).toMatchObject({ axes: [2, 1], normalize: true, name: 'dot_cfg2' });
    for (const cls of ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate'])
      expect(deserialize<Layer>({ className: cls, config: {} }, 'layer').getClassName()).toBe(cls);
  });
});

describeEachBuild('merge layers: values and gradients', () => {
  it.each(cases)(
    '$name: values match TF.js (cpu), gradients match finite differences',
    ({ make, makeTf, shapes, apart }) => {
      const rand = rng(shapes.flat().reduce((a, b) => a * 31 + b, 7));
      const xs = apart ? apartTensors(shapes, rand) : shapes.map((s) => randomTensor(s, rand));
      const before = memory().numTensors;
      const y = make().apply(xs) as Tensor;
      expect(memory().numTensors, 'only the output is left').toBe(before + 1);
      const tfXs = xs.map((x) => tf.tensor(x.dataSync(), [...x.shape]));
      const tfY = makeTf().apply(tfXs) as tf.Tensor;
      expect(y.shape).toEqual(tfY.shape);
      expectClose(y.dataSync(), tfY.dataSync() as Float32Array, 1e-5, 1e-6);
      tf.dispose([tfY, ...tfXs]);
      y.dispose();
      const layer = make();
      checkGradients((...ins) => layer.apply(ins) as Tensor, xs);
      xs.forEach((x) => x.dispose());
    },
  );

  it('subtract is the first input minus the second', () => {
    const rand = rng(3);
    const a = randomTensor([2, 3], rand);
    const b = randomTensor([2, 1], rand);
    const y = layers.subtract([a, b]);
    const av = a.dataSync();
    const bv = b.dataSync();
    expectClose(
      y.dataSync(),
      Array.from(av, (v, i) => v - bv[Math.floor(i / 3)]),
    );
    checkGradients((p, q) => layers.subtract([p, q]), [a, b]);
    [a, b, y].forEach((t) => t.dispose());
  });
});
