// Tensor methods and dtypes as TF.js has them: each method is the op of the same name,
// and values and dtypes agree with TF.js's cpu backend.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { describeEachBuild } from '../support/helpers.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

type AnyTensor = { dtype: string; shape: number[]; dataSync(): ArrayLike<number>; dispose(): void };
type MethodCall = [method: string, make: (t: typeof fe | typeof TF) => unknown[]];

// x is a [2, 3] float32 tensor; each entry calls x[method](...args) in both libraries.
const CALLS: MethodCall[] = [
  ['add', (t) => [t.tensor1d([1, 2, 3])]],
  ['sub', () => [2]],
  ['mul', (t) => [t.tensor2d([[2], [3]])]],
  ['div', () => [4]],
  ['pow', () => [2]],
  ['squaredDifference', (t) => [t.scalar(1)]],
  ['maximum', () => [0.5]],
  ['minimum', () => [0.5]],
  ['square', () => []],
  ['sqrt', () => []],
  ['exp', () => []],
  ['log', () => []],
  ['neg', () => []],
  ['abs', () => []],
  ['reciprocal', () => []],
  ['relu', () => []],
  ['sigmoid', () => []],
  ['tanh', () => []],
  ['elu', () => []],
  ['softplus', () => []],
  ['softmax', () => []],
  ['logSoftmax', () => []],
  ['sum', () => []],
  ['sum', () => [0, true]],
  ['mean', () => [0]],
  ['mean', () => [-1, true]],
  ['max', () => [1]],
  ['min', () => []],
  ['argMax', () => [1]],
  ['argMin', () => []],
  ['reshape', () => [[3, 2]]],
  ['flatten', () => []],
  ['as1D', () => []],
  ['as2D', () => [3, 2]],
  ['as3D', () => [1, 3, 2]],
  ['as4D', () => [1, 1, 3, 2]],
  ['expandDims', () => [1]],
  ['transpose', () => []],
  [
    'slice',
    () => [
      [0, 1],
      [2, 2],
    ],
  ],
  ['gather', (t) => [t.tensor1d([2, 0], 'int32'), 1]],
  ['concat', (t) => [t.ones([1, 3]), 0]],
  ['stack', (t) => [t.zeros([2, 3]), 1]],
  ['tile', () => [[2, 1]]],
  [
    'pad',
    () => [
      [
        [1, 0],
        [0, 1],
      ],
      7,
    ],
  ],
  ['clipByValue', () => [0.3, 0.6]],
  // comparison, logic, rounding, transcendental
  ['greater', () => [0.5]],
  ['lessEqual', (t) => [t.tensor1d([0.1, 0.5, 2.5])]],
  ['equal', () => [0.9]],
  ['notEqual', () => [0.9]],
  ['greaterEqual', () => [0.7]],
  ['less', () => [0.7]],
  ['where', (t) => [t.tensor1d([true, false, true], 'bool'), t.scalar(-1)]],
  ['isNaN', () => []],
  ['isFinite', () => []],
  ['isInf', () => []],
  ['floor', () => []],
  ['ceil', () => []],
  ['round', () => []],
  ['mod', () => [0.3]],
  ['floorDiv', () => [0.3]],
  ['sin', () => []],
  ['cos', () => []],
  ['tan', () => []],
  ['asin', () => []],
  ['acos', () => []],
  ['atan', () => []],
  ['atan2', () => [0.5]],
  ['sinh', () => []],
  ['cosh', () => []],
  ['asinh', () => []],
  ['acosh', () => []],
  ['atanh', () => []],
  ['rsqrt', () => []],
  ['expm1', () => []],
  ['log1p', () => []],
  ['erf', () => []],
  ['matMul', (t) => [t.ones([3, 4])]],
  ['matMul', (t) => [t.ones([2, 3]), true, false]],
  ['cast', () => ['int32']],
  ['toInt', () => []],
  ['toFloat', () => []],
  ['toBool', () => []],
  ['clone', () => []],
  ['zerosLike', () => []],
  ['onesLike', () => []],
  ['prelu', (t) => [t.tensor1d([0.1, 0.5, 2])]],
];

const X = [
  [0.1, 0.9, 0.4],
  [0.7, 0.2, 2.5],
];

function same(ours: AnyTensor, theirs: AnyTensor, what: string): void {
  expect(ours.dtype, `${what}: dtype`).toBe(theirs.dtype);
  expect(ours.shape, `${what}: shape`).toEqual(theirs.shape);
  const a = Array.from(ours.dataSync());
  const b = Array.from(theirs.dataSync());
  a.forEach((v, i) =>
    Number.isNaN(b[i]) ? expect(v, `${what}[${i}]`).toBeNaN() : expect(v, `${what}[${i}]`).toBeCloseTo(b[i], 5),
  );
}

function call(lib: typeof fe | typeof TF, method: string, args: (t: typeof fe | typeof TF) => unknown[]): AnyTensor {
  const x = lib.tensor2d(X) as unknown as Record<string, (...a: unknown[]) => AnyTensor>;
  return x[method](...args(lib));
}

describeEachBuild('tensor methods', () => {
  it('give what TF.js gives, for every chained op', () => {
    for (const [method, args] of CALLS) {
      const what = `x.${method}(...)`;
      const before = fe.memory().numTensors;
      fe.tidy(() =>
        same(
          call(fe, method, args),
          tf.tidy(() => call(tf, method, args) as never),
          what,
        ),
      );
      expect(fe.memory().numTensors, `${what} leaks`).toBe(before);
    }
  });

  it('are the ops themselves', () => {
    fe.tidy(() => {
      const x = fe.tensor2d(X);
      expect(x.mean(0).arraySync()).toEqual(fe.mean(x, 0).arraySync());
      expect(x.pow(3).arraySync()).toEqual(fe.pow(x, 3).arraySync());
      expect(x.as2D(3, 2).shape).toEqual([3, 2]);
      expect(() => (x.as2D as (...d: number[]) => unknown)(6)).toThrow(/as2D: needs 2 dims/);
      expect(fe.scalar(4).asScalar().rank).toBe(0);
    });
  });

  it('topk and conv1d chain as the ops', () => {
    fe.tidy(() => {
      const x = fe.tensor2d(X);
      const { values, indices } = x.topk(2);
      const want = tf.tidy(() => tf.tensor2d(X).topk(2).values.arraySync());
      expect(values.arraySync()).toEqual(want);
      expect(indices.arraySync()).toEqual([
        [1, 2],
        [2, 0],
      ]);
      const seq = fe.tensor3d([[[1], [2], [3]]]);
      expect(seq.conv1d(fe.ones([2, 1, 1]), 1, 'valid').arraySync()).toEqual([[[3], [5]]]);
    });
  });

  it('chain the logic ops on bool tensors', () => {
    fe.tidy(() => {
      const x = fe.tensor2d(X);
      const a = x.greater(0.5);
      const b = x.less(2);
      expect(Array.from(a.logicalAnd(b).dataSync())).toEqual([0, 1, 0, 1, 0, 0]);
      expect(Array.from(a.logicalOr(b).dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
      expect(Array.from(a.logicalXor(b).dataSync())).toEqual([1, 0, 1, 0, 1, 1]);
      expect(Array.from(a.logicalNot().dataSync())).toEqual([1, 0, 1, 0, 1, 0]);
    });
  });

  it('chain through gradients', () => {
    const g = fe.grad((x: fe.Tensor) => x.square().mul(3).sum());
    fe.tidy(() => {
      expect(Array.from(g(fe.tensor1d([1, -2])).dataSync())).toEqual([6, -12]);
    });
  });

  it('resize images as the image ops and as TF.js, and prelu as fe.prelu', () => {
    const pixels = Array.from({ length: 2 * 3 * 4 * 2 }, (_, i) => Math.sin(i));
    for (const [method, args] of [
      ['resizeBilinear', [[5, 3]]],
      ['resizeBilinear', [[2, 7], true]],
      ['resizeBilinear', [[6, 6], false, true]],
      ['resizeNearestNeighbor', [[5, 3]]],
      ['resizeNearestNeighbor', [[2, 7], true]],
      ['resizeNearestNeighbor', [[6, 6], false, true]],
    ] as const) {
      const what = `images.${method}(${JSON.stringify(args)})`;
      const before = fe.memory().numTensors;
      fe.tidy(() => {
        const x = fe.tensor4d(pixels, [2, 3, 4, 2]) as unknown as Record<string, (...a: unknown[]) => AnyTensor>;
        const theirs = tf.tidy(
          () =>
            (tf.tensor4d(pixels, [2, 3, 4, 2]) as unknown as Record<string, (...a: unknown[]) => AnyTensor>)[method](
              ...args,
            ) as never,
        );
        same(x[method](...args), theirs, what);
        const op = fe.image[method] as unknown as (...a: unknown[]) => AnyTensor;
        expect(Array.from(x[method](...args).dataSync())).toEqual(Array.from(op(x, ...args).dataSync()));
      });
      expect(fe.memory().numTensors, `${what} leaks`).toBe(before);
    }
    fe.tidy(() => {
      const x = fe.tensor2d(X);
      const alpha = fe.tensor1d([0.1, 0.5, 2]);
      // Negative values, where alpha acts: as fe.prelu and as TF.js.
      expect(x.neg().prelu(alpha).arraySync()).toEqual(fe.prelu(x.neg(), alpha).arraySync());
      const theirs = tf.tidy(
        () =>
          tf
            .tensor2d(X)
            .neg()
            .prelu(tf.tensor1d([0.1, 0.5, 2])) as never,
      );
      same(x.neg().prelu(alpha) as unknown as AnyTensor, theirs, 'x.neg().prelu(alpha)');
    });
  });

  it('read into a TensorBuffer and back', () => {
    fe.tidy(() => {
      const b = fe.tensor2d(X).bufferSync();
      expect(b.get(1, 2)).toBeCloseTo(2.5);
      b.set(5, 0, 0);
      expect(b.toTensor().arraySync()).toEqual([
        [5, Math.fround(0.9), Math.fround(0.4)],
        [Math.fround(0.7), Math.fround(0.2), 2.5],
      ]);
    });
  });
});

describeEachBuild('dtypes', () => {
  // [a, b] pairs of (values, dtype); each op's result dtype and values must be TF.js's.
  const I = [7, -7, 3, 0];
  const J = [2, 2, -2, 5];
  const F = [0.5, 2, 1.5, -1];
  const B = [1, 0, 1, 1];
  const pairs: [string, number[], string, number[], string][] = [
    ['int32/int32', I, 'int32', J, 'int32'],
    ['int32/float32', I, 'int32', F, 'float32'],
    ['float32/int32', F, 'float32', J, 'int32'],
    ['bool/int32', B, 'bool', J, 'int32'],
  ];
  const BINARY = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'squaredDifference'];

  it('binary ops promote dtypes and floor int32 division as TF.js', () => {
    for (const [what, a, da, b, db] of pairs) {
      for (const op of BINARY) {
        fe.tidy(() => {
          const ours = (fe as unknown as Record<string, (...x: unknown[]) => AnyTensor>)[op](
            fe.tensor(a, undefined, da as fe.DataType),
            fe.tensor(b, undefined, db as fe.DataType),
          );
          const theirs = tf.tidy(() =>
            (tf as unknown as Record<string, (...x: unknown[]) => never>)[op](
              tf.tensor(a, undefined, da as TF.DataType),
              tf.tensor(b, undefined, db as TF.DataType),
            ),
          ) as AnyTensor;
          same(ours, theirs, `${op} ${what}`);
          theirs.dispose();
        });
      }
    }
  });

  it('int32 division by zero gives 0, int32 with a number gives float32, pow accepts int32', () => {
    fe.tidy(() => {
      const i = fe.tensor1d([7, -7, 3], 'int32');
      expect(Array.from(i.div(fe.tensor1d([0, 2, 2], 'int32')).dataSync())).toEqual([0, -4, 1]);
      expect(i.add(2).dtype).toBe('float32');
      const p = fe.pow(i, fe.tensor1d([2, 0.5, 1]));
      expect(p.dtype).toBe('float32');
      expect(p.dataSync()[0]).toBe(49);
      expect(fe.pow(i, fe.scalar(2, 'int32')).dtype).toBe('int32');
    });
  });

  it('unary ops, reductions and casts on int32 and bool match TF.js', () => {
    const INTS = [
      [1, 5],
      [7, 2],
    ];
    const cases: [string, (t: typeof fe) => AnyTensor][] = [
      ['neg int32', (t) => t.tensor1d([1, -2, 3], 'int32').neg() as never],
      ['abs int32', (t) => t.tensor1d([1, -2, 3], 'int32').abs() as never],
      ['square int32', (t) => t.tensor1d([1, -2, 3], 'int32').square() as never],
      ['exp int32', (t) => t.tensor1d([1, -2, 3], 'int32').exp() as never],
      ['sum int32', (t) => t.tensor1d([1, -2, 4], 'int32').sum() as never],
      ['sum bool', (t) => t.tensor1d([1, 0, 1], 'bool').sum() as never],
      ['mean int32', (t) => t.tensor1d([1, 2], 'int32').mean() as never],
      ['max int32', (t) => t.tensor2d(INTS, undefined, 'int32').max(1) as never],
      ['argMax int32', (t) => t.tensor2d(INTS, undefined, 'int32').argMax(1) as never],
      ['float to bool', (t) => t.tensor1d([0, NaN, -2]).toBool() as never],
      ['int32 to bool', (t) => t.tensor1d([0, 3, -2], 'int32').cast('bool') as never],
      ['bool to float', (t) => t.tensor1d([1, 0], 'bool').toFloat() as never],
      ['float to int', (t) => t.tensor1d([1.7, -1.7]).toInt() as never],
      ['booleans', (t) => t.tensor([true, false, true]) as never],
      ['bool slice', (t) => t.tensor([true, false, true]).slice(1) as never],
      ['bool reshape', (t) => t.tensor([true, false]).reshape([2, 1]) as never],
    ];
    for (const [what, make] of cases) {
      fe.tidy(() => {
        const theirs = tf.tidy(() => make(tf as unknown as typeof fe) as never) as AnyTensor;
        same(make(fe), theirs, what);
        theirs.dispose();
      });
    }
  });

  it('bool data reads as a Uint8Array and prints as true/false', () => {
    fe.tidy(() => {
      const b = fe.tensor([true, false]);
      expect(b.dataSync()).toBeInstanceOf(Uint8Array);
      expect(b.toString()).toMatch(/bool \[2\] true, false/);
      expect(fe.buffer([2], 'bool').values).toBeInstanceOf(Uint8Array);
    });
  });
});

/**
 * TF.js's Tensor methods that Ferrite's tensors do not have, each with why. Every other
 * TF.js method must be a Ferrite method (so every op Ferrite has as fe.X that TF.js chains
 * chains in Ferrite too).
 */
const ALLOWED_MISSING: Record<string, string> = {
  dataToGPU: 'no GPU backend',
  bytes: 'no string tensors',
  throwIfDisposed: 'internal to TF.js (Ferrite: assertAlive)',
  batchToSpaceND: 'op not in Ferrite',
  spaceToBatchND: 'op not in Ferrite',
  depthToSpace: 'op not in Ferrite',
  dilation2d: 'op not in Ferrite',
  divNoNan: 'op not in Ferrite',
  euclideanNorm: 'op not in Ferrite',
  fft: 'no complex tensors',
  ifft: 'no complex tensors',
  rfft: 'no complex tensors',
  irfft: 'no complex tensors',
  localResponseNormalization: 'op not in Ferrite',
  logSigmoid: 'op not in Ferrite',
  mirrorPad: 'op not in Ferrite',
  pool: 'op not in Ferrite (maxPool and avgPool are)',
  step: 'op not in Ferrite',
  stridedSlice: 'op not in Ferrite (slice is)',
  unsortedSegmentSum: 'op not in Ferrite',
};

/** Ferrite's methods that TF.js's tensors do not have. */
const FERRITE_ONLY = ['assertAlive', 'view'];

function methodNames(proto: object): Set<string> {
  const names = new Set<string>();
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object)
    for (const k of Object.getOwnPropertyNames(p))
      if (
        !k.startsWith('_') &&
        k !== 'constructor' &&
        typeof Object.getOwnPropertyDescriptor(p, k)!.value === 'function'
      )
        names.add(k);
  return names;
}

describe('the tensor method table', () => {
  it("has TF.js's Tensor methods, except the listed ones", () => {
    const theirs = methodNames(tf.Tensor.prototype);
    const ours = methodNames(fe.Tensor.prototype);
    const missing = [...theirs].filter((k) => !ours.has(k)).sort();
    expect(missing).toEqual(Object.keys(ALLOWED_MISSING).sort());
    // A listed name that Ferrite has as an op should be a method instead.
    const feFns = fe as unknown as Record<string, unknown>;
    expect(missing.filter((k) => typeof feFns[k] === 'function')).toEqual([]);
    expect([...ours].filter((k) => !theirs.has(k)).sort()).toEqual(FERRITE_ONLY);
  });
});
