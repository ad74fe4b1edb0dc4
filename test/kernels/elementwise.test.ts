import { expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { leakFree } from '../support/leaks.js';
import { binaryRef, broadcastableTo, randomShape, sizeOf } from '../support/references.js';
import { scalar, tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { grads } from '../../ts/autograd/tape.js';
import {
  abs,
  add,
  addN,
  cast,
  clipByValue,
  div,
  exp,
  log,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  reciprocal,
  sign,
  sqrt,
  square,
  squaredDifference,
  sub,
  sum,
  type Operand,
} from '../../ts/ops/index.js';
import { engine } from '../../ts/backend/engine.js';
import { BinaryOp, UnaryOp } from '../../ts/backend/core-abi.js';

type BinaryFn = (a: Operand, b: Operand) => Tensor;

const f32 = Math.fround;
const BINARY: [string, BinaryFn, (a: number, b: number) => number][] = [
  ['add', add, (a, b) => a + b],
  ['sub', sub, (a, b) => a - b],
  ['mul', mul, (a, b) => a * b],
  ['div', div, (a, b) => a / b],
  ['maximum', maximum, (a, b) => Math.max(a, b)],
  ['minimum', minimum, (a, b) => Math.min(a, b)],
  ['squaredDifference', squaredDifference, (a, b) => f32(a - b) * f32(a - b)],
];

/** Broadcast pairs: random ranks 0-4 both ways, plus the shapes the fast paths key on. */
function shapePairs(seed: number): [number[], number[]][] {
  const rand = rng(seed);
  const pairs: [number[], number[]][] = [
    [[], []],
    [[7], [7]],
    [
      [33, 65],
      [33, 65],
    ], // same shape, odd sizes
    [[33, 65], [65]], // row broadcast (bias add)
    [[65], [33, 65]],
    [
      [33, 65],
      [33, 1],
    ], // column broadcast
    [
      [33, 1],
      [33, 65],
    ],
    [
      [9, 1],
      [1, 13],
    ], // outer product
    [[1], [4, 5]],
    [[], [3, 2]],
    [
      [2, 1, 3, 1],
      [5, 1, 4],
    ],
    [[3, 20000], [20000]], // long rows: split into pieces
  ];
  for (let i = 0; i < 24; i++) {
    const out = randomShape(rand, Math.floor(rand() * 5));
    const a = broadcastableTo(rand, out);
    const b = broadcastableTo(rand, out);
    pairs.push(i % 2 ? [a, b] : [b, a]);
  }
  return pairs;
}

describeEachBuild('binary ops', () => {
  it('match the naive reference on broadcast shapes of rank 0-4, both directions', () => {
    const rand = rng(11);
    for (const [aShape, bShape] of shapePairs(3)) {
      tidy(() => {
        const ad = randomArray(sizeOf(aShape), rand, -2, 2);
        const bd = randomArray(sizeOf(bShape), rand, 0.5, 2);
        const a = tensor(ad, aShape);
        const b = tensor(bd, bShape);
        for (const [name, op, ref] of BINARY) {
          const y = op(a, b);
          const want = binaryRef(ref, ad, aShape, bd, bShape);
          expect(y.shape, `${name} ${aShape} ${bShape}`).toEqual(want.shape);
          expectClose(y.dataSync(), want.data, 1e-7, 0, `${name} [${aShape}] [${bShape}]`);
        }
        // pow: libm powf against Math.pow, positive bases.
        const p = pow(b, a);
        expectClose(
          p.dataSync(),
          binaryRef(Math.pow, bd, bShape, ad, aShape).data,
          2e-6,
          0,
          `pow [${bShape}] [${aShape}]`,
        );
      });
    }
  });

  it('take numbers on either side, and size-1 tensors as scalars', () => {
    tidy(() => {
      const x = tensor([
        [1, -2, 3],
        [4, 5, -6],
      ]);
      expect(add(x, 1).arraySync()).toEqual([
        [2, -1, 4],
        [5, 6, -5],
      ]);
      expect(sub(10, x).arraySync()).toEqual([
        [9, 12, 7],
        [6, 5, 16],
      ]);
      expect(div(x, 2).arraySync()).toEqual([
        [0.5, -1, 1.5],
        [2, 2.5, -3],
      ]);
      expect(div(12, x).arraySync()).toEqual([
        [12, -6, 4],
        [3, f32(12 / 5), -2],
      ]);
      expect(maximum(x, 0).arraySync()).toEqual([
        [1, 0, 3],
        [4, 5, 0],
      ]);
      expect(minimum(0, x).arraySync()).toEqual([
        [0, -2, 0],
        [0, 0, -6],
      ]);
      expect(pow(x, 2).arraySync()).toEqual([
        [1, 4, 9],
        [16, 25, 36],
      ]);
      expect(pow(2, x).arraySync()).toEqual([
        [2, 0.25, 8],
        [16, 32, 1 / 64],
      ]);
      expect(pow(tensor([-2, -3]), 3).arraySync()).toEqual([-8, -27]);
      expect(Number.isNaN(pow(tensor([-2]), 0.5).dataSync()[0])).toBe(true);
      expect(mul(scalar(3), x).shape).toEqual([2, 3]);
      expect(mul(tensor([3], [1, 1, 1]), x).shape).toEqual([1, 2, 3]);
      expect(add(2, 3).arraySync()).toBe(5);
      expect(squaredDifference(x, 1).arraySync()).toEqual([
        [0, 9, 4],
        [9, 16, 49],
      ]);
      // IEEE edge cases go through untouched.
      expect(Array.from(div(tensor([1, -1, 0]), 0).dataSync())).toEqual([Infinity, -Infinity, NaN]);
    });
  });

  it('handle empty tensors', () => {
    tidy(() => {
      const e = add(tensor([], [0, 3]), tensor([1, 2, 3]));
      expect(e.shape).toEqual([0, 3]);
      const g = grads((a: Tensor, b: Tensor) => sum(mul(a, b)))([tensor([], [0, 3]), tensor([1, 2, 3])]);
      expect(Array.from(g[1].dataSync())).toEqual([0, 0, 0]);
    });
  });

  it('gradients match finite differences, reduced over broadcast dims', () => {
    const rand = rng(5);
    const cases: [number[], number[]][] = [
      [
        [3, 4],
        [3, 4],
      ],
      [[3, 4], [4]],
      [
        [3, 1],
        [3, 4],
      ],
      [
        [2, 1, 3],
        [4, 1],
      ],
      [[], [2, 3]],
      [[5], []],
    ];
    for (const [aShape, bShape] of cases) {
      // a on odd and b on even multiples of 0.1: never within 0.1 of each other, so
      // maximum/minimum stay away from their kink; b stays away from 0 for div.
      const oddTenths = (n: number) => Float32Array.from({ length: n }, () => (2 * Math.floor(rand() * 10) - 9) / 10);
      const evenTenths = (n: number) =>
        Float32Array.from({ length: n }, () => ((rand() < 0.5 ? -1 : 1) * 2 * (1 + Math.floor(rand() * 5))) / 10);
      const a = tensor(oddTenths(sizeOf(aShape)), aShape);
      const b = tensor(evenTenths(sizeOf(bShape)), bShape);
      for (const [, op] of BINARY) {
        checkGradients((x, y) => op(x, y), [a, b], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
        // A number on one side: only the tensor gets a gradient.
        checkGradients((x) => op(x, 0.4), [a], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
        checkGradients((y) => op(-0.7, y), [b], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
      }
      const base = tensor(randomArray(sizeOf(aShape), rand, 0.5, 2), aShape);
      checkGradients((x, y) => pow(x, y), [base, b], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
      checkGradients((x) => pow(x, 3), [base], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
      checkGradients((y) => pow(1.7, y), [b], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
      a.dispose();
      b.dispose();
      base.dispose();
    }
  });

  it('route maximum/minimum ties to a (dy/da = 1, dy/db = 0 where a == b)', () => {
    tidy(() => {
      const a = tensor([1, 2, 3]);
      const b = tensor([1, 5, 0]);
      const [gaMax, gbMax] = grads((x: Tensor, y: Tensor) => sum(maximum(x, y)))([a, b]);
      expect(Array.from(gaMax.dataSync())).toEqual([1, 0, 1]);
      expect(Array.from(gbMax.dataSync())).toEqual([0, 1, 0]);
      const [gaMin, gbMin] = grads((x: Tensor, y: Tensor) => sum(minimum(x, y)))([a, b]);
      expect(Array.from(gaMin.dataSync())).toEqual([1, 1, 0]);
      expect(Array.from(gbMin.dataSync())).toEqual([0, 0, 1]);
      // d(a^b)/db is 0 where a <= 0 (as TF.js), not NaN.
      const [, gbPow] = grads((x: Tensor, y: Tensor) => sum(pow(x, y)))([tensor([0, -2, 2]), tensor([2, 2, 2])]);
      expectClose(gbPow.dataSync(), [0, 0, 4 * Math.log(2)], 1e-6);
    });
  });

  it('reject shapes that do not broadcast, non-float inputs and bad operands', () => {
    tidy(() => {
      expect(() => add(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(
        /ferrite: add: shapes \[3\] and \[2\] cannot be broadcast together/,
      );
      expect(() => mul(tensor([[1, 2]]), tensor([1, 2, 3]))).toThrow(
        /mul: shapes \[1, 2\] and \[3\] cannot be broadcast/,
      );
      // int32 with a number (float32, as TF.js infers it) gives float32.
      expect(sub(tensor([1], [1], 'int32'), 1).dtype).toBe('float32');
      expect(() => div(1, 'x' as unknown as Tensor)).toThrow(/ferrite: div: b must be a Tensor or a number/);
      const dead = tensor([1]);
      dead.dispose();
      expect(() => add(dead, 1)).toThrow(/disposed/);
    });
  });

  it('do not leak tensors through forward and backward', () => {
    const a = tensor(randomArray(12, rng(1)), [3, 4]);
    const b = tensor(randomArray(4, rng(2), 0.5, 1), [4]);
    leakFree(() => {
      for (const [, op] of BINARY) {
        op(a, b);
        grads((x: Tensor, y: Tensor) => sum(op(x, y)))([a, b]);
        grads((x: Tensor) => sum(op(x, 2)))([a]);
      }
      grads((x: Tensor, y: Tensor) => sum(pow(x, y)))([b, a]);
    });
    a.dispose();
    b.dispose();
  });
});

describeEachBuild('addN', () => {
  it('sums in order, any count (including more than one parameter block holds)', () => {
    const rand = rng(3);
    for (const [k, n] of [
      [1, 5],
      [2, 7],
      [3, 4099],
      [5, 33],
      [300, 9],
    ]) {
      tidy(() => {
        const data = Array.from({ length: k }, () => randomArray(n, rand));
        const y = addN(data.map((d) => tensor(d)));
        const want = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (const d of data) s = f32(s + d[i]);
          want[i] = s;
        }
        expectClose(y.dataSync(), want, 0, 0, `addN k=${k}`);
      });
    }
  });

  it('has the gradient dy for each input, and validates', () => {
    const rand = rng(9);
    const xs = [0, 1, 2].map(() => tensor(randomArray(6, rand), [2, 3]));
    checkGradients((a, b, c) => addN([a, b, c, a]), xs);
    tidy(() => {
      expect(() => addN([])).toThrow(/ferrite: addN: needs a non-empty array/);
      expect(() => addN([xs[0], tensor([1, 2])])).toThrow(
        /addN: all tensors must have the same shape; tensor 0 is \[2, 3\] but tensor 1 is \[2\]/,
      );
    });
    xs.forEach((x) => x.dispose());
  });
});

const UNARY: [string, (x: Tensor) => Tensor, (x: number) => number, number, number, number][] = [
  // name, op, reference, input range lo/hi, relative bound
  ['neg', neg, (x) => -x, -5, 5, 0],
  ['exp', exp, Math.exp, -20, 20, 1e-6],
  ['log', log, Math.log, 1e-3, 100, 1e-6],
  ['sqrt', sqrt, Math.sqrt, 0, 100, 1e-7],
  ['square', square, (x) => x * x, -5, 5, 1e-7],
  ['abs', abs, Math.abs, -5, 5, 0],
  ['reciprocal', reciprocal, (x) => 1 / x, 0.1, 5, 1e-7],
  ['sign', sign, Math.sign, -5, 5, 0],
];

describeEachBuild('unary ops', () => {
  it('match Math.* to the stated relative bound, at odd sizes', () => {
    const rand = rng(21);
    for (const n of [1, 3, 4, 7, 4099, 50001]) {
      for (const [name, op, ref, lo, hi, rtol] of UNARY) {
        tidy(() => {
          const xd = randomArray(n, rand, lo, hi);
          const y = op(tensor(xd, [n]));
          expectClose(
            y.dataSync(),
            Array.from(xd, (v) => f32(ref(v))),
            rtol,
            0,
            `${name} n=${n}`,
          );
        });
      }
    }
  });

  it('saturate and propagate like Math at the edges', () => {
    tidy(() => {
      expect(Array.from(exp(tensor([100, -100, 0, NaN])).dataSync())).toEqual([Infinity, 0, 1, NaN]);
      expectClose(exp(tensor([88, -87])).dataSync(), [Math.exp(88), Math.exp(-87)], 1e-6, 0);
      expect(Array.from(log(tensor([0, -1, 1])).dataSync())).toEqual([-Infinity, NaN, 0]);
      expect(Number.isNaN(sqrt(tensor([-1])).dataSync()[0])).toBe(true);
      expect(Array.from(sign(tensor([-0, 0, NaN, -3, 2])).dataSync())).toEqual([0, 0, 0, -1, 1]);
      expect(Array.from(reciprocal(tensor([0, -0])).dataSync())).toEqual([Infinity, -Infinity]);
    });
  });

  it('gradients match finite differences (away from kinks)', () => {
    const rand = rng(4);
    for (const [name, op, , lo, hi] of UNARY) {
      if (name === 'sign') continue;
      const span = name === 'exp' ? [-2, 2] : name === 'abs' ? [0.1, 2] : [Math.max(lo, 0.3), Math.min(hi, 3)];
      const x = tensor(randomArray(13, rand, span[0], span[1]), [13]);
      if (name === 'abs') x.view().forEach((v, i, a) => (a[i] = i % 2 ? -v : v));
      checkGradients(op, [x], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
      x.dispose();
    }
    tidy(() => {
      const g = grads((x: Tensor) => sum(sign(x)))([tensor([1, -2, 3])])[0];
      expect(Array.from(g.dataSync())).toEqual([0, 0, 0]);
      expect(Array.from(grads((x: Tensor) => sum(abs(x)))([tensor([0, -2, 3])])[0].dataSync())).toEqual([0, -1, 1]);
    });
  });

  it('clipByValue clamps; its gradient passes inside the bounds, bounds included', () => {
    tidy(() => {
      const x = tensor([-3, -1, -0.5, 0, 0.5, 1, 3, NaN, 2]);
      const y = clipByValue(x, -1, 1);
      expect(Array.from(y.dataSync()).slice(0, 7)).toEqual([-1, -1, -0.5, 0, 0.5, 1, 1]);
      const g = grads((t: Tensor) => sum(clipByValue(t, -1, 1)))([x])[0];
      expect(Array.from(g.dataSync())).toEqual([0, 1, 1, 1, 1, 1, 0, 1, 0]);
      expect(() => clipByValue(x, 1, -1)).toThrow(
        /ferrite: clipByValue: needs numbers clipValueMin <= clipValueMax, got 1 and -1/,
      );
    });
    const rand = rng(8);
    const x = tensor(randomArray(4103, rand, -2, 2));
    tidy(() => {
      const want = Array.from(x.dataSync(), (v) => Math.min(Math.max(v, -0.75), 1.25));
      expectClose(clipByValue(x, -0.75, 1.25).dataSync(), want, 0, 0);
    });
    x.dispose();
  });

  it('cast truncates toward zero, saturates, and round-trips int32', () => {
    tidy(() => {
      const i = cast(tensor([-1.7, -0.5, 0.5, 2.9, 3e9, -3e9, NaN, 7]), 'int32');
      expect(i.dtype).toBe('int32');
      expect(Array.from(i.dataSync())).toEqual([-1, 0, 0, 2, 2147483647, -2147483648, 0, 7]);
      const f = cast(tensor([1, -2, 16777217], [3], 'int32'), 'float32');
      expect(f.dtype).toBe('float32');
      expect(Array.from(f.dataSync())).toEqual([1, -2, 16777216]);
      const same = cast(i, 'int32');
      expect(same).not.toBe(i);
      expect(Array.from(same.dataSync())).toEqual(Array.from(i.dataSync()));
      expect(() => cast(i, 'string' as 'int32')).toThrow(/ferrite: cast: unsupported dtype 'string'/);
      // float32 -> float32 passes the gradient through.
      expect(Array.from(grads((t: Tensor) => sum(mul(cast(t, 'float32'), 3)))([tensor([1, 2])])[0].dataSync())).toEqual(
        [3, 3],
      );
    });
  });

  it('compute int32 input in float32, as TF.js, and do not leak', () => {
    tidy(() => {
      const y = exp(tensor([1], [1], 'int32'));
      expect(y.dtype).toBe('float32');
      expect(y.dataSync()[0]).toBeCloseTo(Math.E, 5);
    });
    const x = tensor(randomArray(10, rng(3), 0.5, 2));
    leakFree(() => {
      for (const [, op] of UNARY) grads((t: Tensor) => sum(op(t)))([x]);
      grads((t: Tensor) => sum(clipByValue(t, 0.7, 1.2)))([x]);
    });
    x.dispose();
  });
});

describeEachBuild('elementwise kernels against their Rust naive references', () => {
  it('fe_binary equals fe_binary_naive bit for bit (all ops, strided spaces)', () => {
    const eng = engine();
    const rand = rng(17);
    // A rank-3 space [4, 5, 9] with a read through strides [45, 9, 1] and b broadcast
    // along dim 1 (strides [9, 0, 1]); then a scalar b (strides all 0).
    const a = tensor(randomArray(180, rand, 0.5, 2));
    const b = tensor(randomArray(36, rand, 0.5, 2));
    const y1 = tensor(new Float32Array(180));
    const y2 = tensor(new Float32Array(180));
    const params = eng.alloc(64);
    for (const [strA, strB] of [
      [
        [45, 9, 1],
        [9, 0, 1],
      ],
      [
        [45, 9, 1],
        [0, 0, 0],
      ],
      [
        [0, 0, 0],
        [9, 0, 1],
      ],
      [
        [45, 9, 1],
        [9, 1, 0],
      ],
    ]) {
      eng.i32.set([4, 5, 9, ...strA, ...strB], params >> 2);
      // Every forward op (POW_BASE_ONLY is a backward); bool results compare as their bits.
      for (const op of Object.values(BinaryOp).filter((o) => o !== BinaryOp.POW_BASE_ONLY)) {
        eng.core.fe_binary(op, a.ptr, b.ptr, y1.ptr, 3, params);
        eng.core.fe_binary_naive(op, a.ptr, b.ptr, y2.ptr, 3, params);
        expect(Array.from(y1.dataSync()), `op ${op} strides ${strA} ${strB}`).toEqual(Array.from(y2.dataSync()));
      }
    }
    eng.free(params, 64);
    [a, b, y1, y2].forEach((t) => t.dispose());
  });

  it('fe_unary equals fe_unary_naive (exact ops bit for bit, exp and log within 1e-6)', () => {
    const rand = rng(2);
    const x = tensor(randomArray(1001, rand, 0.01, 30));
    const y1 = tensor(new Float32Array(1001));
    const y2 = tensor(new Float32Array(1001));
    const eng = engine();
    for (const op of Object.values(UnaryOp)) {
      eng.core.fe_unary(op, x.ptr, y1.ptr, 1001);
      eng.core.fe_unary_naive(op, x.ptr, y2.ptr, 1001);
      expectClose(y1.dataSync(), y2.dataSync(), op === 1 || op === 2 ? 1e-6 : 0, 0, `unary op ${op}`);
    }
    [x, y1, y2].forEach((t) => t.dispose());
  });
});
