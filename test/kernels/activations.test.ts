import { expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { grad } from '../../ts/autograd/tape.js';
import {
  elu,
  gelu,
  getActivation,
  getActivationName,
  hardSigmoid,
  leakyRelu,
  linear,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softplus,
  softsign,
  swish,
  tanh,
} from '../../ts/ops/activations.js';
import { logSoftmax, softmax } from '../../ts/ops/softmax.js';

// ---- float64 references --------------------------------------------------------------

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const sig = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** erf by its everywhere-convergent series of positive terms: 2/√π e^-x² Σ 2^n x^(2n+1) / (2n+1)!!. */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
}
const phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));

interface Case {
  name: string;
  op: (x: Tensor) => Tensor;
  f: (x: number) => number;
  df: (x: number) => number;
  /** Points where the derivative jumps: finite differences stay away from them. */
  kinks?: number[];
  rtol?: number;
  atol?: number;
}

const CASES: Case[] = [
  { name: 'relu', op: relu, f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0), kinks: [0] },
  {
    name: 'relu6',
    op: relu6,
    f: (x) => Math.min(Math.max(x, 0), 6),
    df: (x) => (x > 0 && x < 6 ? 1 : 0),
    kinks: [0, 6],
  },
  {
    name: 'leakyRelu',
    op: (x) => leakyRelu(x),
    f: (x) => (x > 0 ? x : 0.2 * x),
    df: (x) => (x > 0 ? 1 : 0.2),
    kinks: [0],
  },
  {
    name: 'leakyRelu(0.01)',
    op: (x) => leakyRelu(x, 0.01),
    f: (x) => (x > 0 ? x : 0.01 * x),
    df: (x) => (x > 0 ? 1 : 0.01),
    kinks: [0],
  },
  {
    name: 'elu',
    op: (x) => elu(x),
    f: (x) => (x > 0 ? x : Math.expm1(x)),
    df: (x) => (x > 0 ? 1 : Math.exp(x)),
    kinks: [0],
  },
  {
    name: 'elu(0.5)',
    op: (x) => elu(x, 0.5),
    f: (x) => (x > 0 ? x : 0.5 * Math.expm1(x)),
    df: (x) => (x > 0 ? 1 : 0.5 * Math.exp(x)),
    kinks: [0],
  },
  {
    name: 'selu',
    op: selu,
    f: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    df: (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)),
    kinks: [0],
  },
  { name: 'sigmoid', op: sigmoid, f: sig, df: (x) => sig(x) * (1 - sig(x)) },
  {
    name: 'hardSigmoid',
    op: hardSigmoid,
    f: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1),
    df: (x) => (x > -2.5 && x < 2.5 ? 0.2 : 0),
    kinks: [-2.5, 2.5],
  },
  { name: 'tanh', op: tanh, f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 },
  { name: 'softplus', op: softplus, f: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), df: sig },
  { name: 'softsign', op: softsign, f: (x) => x / (1 + Math.abs(x)), df: (x) => 1 / (1 + Math.abs(x)) ** 2 },
  { name: 'swish', op: swish, f: (x) => x * sig(x), df: (x) => sig(x) * (1 + x * (1 - sig(x))) },
  {
    name: 'gelu',
    op: gelu,
    f: (x) => x * phi(x),
    df: (x) => phi(x) + (x * Math.exp((-x * x) / 2)) / Math.sqrt(2 * Math.PI),
    atol: 2e-6,
  },
];

const SIZES = [1, 3, 4, 5, 17, 1031];

/** Values spread over [-9, 9], plus the awkward ones: 0, tiny, kinks. */
function inputs(n: number, seed: number): Float32Array {
  const a = randomArray(n, rng(seed), -9, 9);
  const special = [0, 1e-6, -1e-6, 0.3, -0.3, 6, -2.5, 2.5, 0.01, -0.01];
  for (let i = 0; i < Math.min(n, special.length); i++) a[(i * 7) % n] = special[i];
  return a;
}

describeEachBuild('activations', () => {
  for (const c of CASES) {
    it(`${c.name}: forward and backward kernels match the float64 reference on odd sizes`, () => {
      const rtol = c.rtol ?? 2e-6;
      const atol = c.atol ?? 1e-6;
      for (const n of SIZES) {
        tidy(() => {
          const xs = inputs(n, n);
          const dys = randomArray(n, rng(100 + n), -2, 2);
          const x = tensor(xs);
          const y = c.op(x);
          expect(y.shape).toEqual([n]);
          expectClose(y.dataSync(), Array.from(xs, c.f), rtol, atol, `${c.name} forward n=${n}`);
          const dx = grad(c.op)(x, tensor(dys));
          expectClose(
            dx.dataSync(),
            Array.from(xs, (v, i) => dys[i] * c.df(v)),
            rtol,
            atol,
            `${c.name} backward n=${n}`,
          );
        });
      }
    });

    it(`${c.name}: an element's value does not depend on where a vector or range boundary falls`, () => {
      // The threaded build splits ranges anywhere: the tail path must equal the body path bitwise.
      tidy(() => {
        const xs = inputs(11, 5);
        const full = c.op(tensor(xs)).dataSync();
        for (let s = 1; s < 5; s++) {
          const part = c.op(tensor(xs.slice(s))).dataSync();
          expect(Array.from(part)).toEqual(Array.from(full.slice(s)));
        }
      });
    });

    it(`${c.name}: gradient matches finite differences`, () => {
      tidy(() => {
        // Keep clear of kinks so central differences do not straddle one.
        const xs = randomArray(23, rng(3), -4, 4).map((v) => {
          for (const k of c.kinks ?? []) if (Math.abs(v - k) < 0.05) return k + 0.1;
          return v;
        });
        checkGradients(c.op, [tensor(xs, [23])], { eps: 1e-2, rtol: 1e-2, atol: 1e-3 });
      });
    });

    it(`${c.name}: keeps its relative precision near 0 (no cancellation)`, () => {
      tidy(() => {
        const xs: number[] = [];
        for (let e = -7; e <= -1; e += 0.25) xs.push(10 ** e, -(10 ** e));
        const x32 = Float32Array.from(xs);
        expectClose(c.op(tensor(x32)).dataSync(), Array.from(x32, c.f), 2e-6, 0, `${c.name} near 0`);
      });
    });

    it(`${c.name}: finite and correct for large |x|, NaN in gives NaN out`, () => {
      tidy(() => {
        const xs = [-100, 100, -1e30, 1e30, -87.5, 88.5];
        const y = c.op(tensor(xs)).dataSync();
        y.forEach((v, i) => expect(Number.isFinite(v), `${c.name}(${xs[i]}) = ${v}`).toBe(true));
        expectClose(y, xs.map(c.f), 1e-6, 1e-30, `${c.name} at large |x|`);
        const dx = grad(c.op)(tensor(xs), tensor(xs.map(() => 1))).dataSync();
        dx.forEach((v, i) => expect(Number.isFinite(v), `${c.name}'(${xs[i]}) = ${v}`).toBe(true));
        expectClose(dx, xs.map(c.df), 1e-5, 1e-30, `${c.name}' at large |x|`);
        expect(Number.isNaN(c.op(tensor([NaN])).dataSync()[0])).toBe(true);
      });
    });
  }

  it('known values: sigmoid(3) = 0.9526, tanh(3) = 0.9951, sigmoid(0) = 0.5, tanh(0) = 0', () => {
    tidy(() => {
      const s = sigmoid(tensor([3, 0, -3])).dataSync();
      // 1 / (1 + e^-3) = 1 / 1.049787 = 0.952574
      expectClose(s, [0.952574, 0.5, 0.047426], 0, 1e-6);
      const t = tanh(tensor([3, 0, -3])).dataSync();
      // (e^6 - 1) / (e^6 + 1) = 402.4288 / 404.4288 = 0.995055
      expectClose(t, [0.995055, 0, -0.995055], 0, 1e-6);
      // Hand-worked: relu(-2) = 0; leakyRelu(-2) = -0.4; elu(-1) = e^-1 - 1 = -0.632121;
      // softsign(3) = 3/4; softplus(0) = ln 2 = 0.693147.
      expect(Array.from(relu(tensor([-2, 2])).dataSync())).toEqual([0, 2]);
      expectClose(leakyRelu(tensor([-2])).dataSync(), [-0.4], 1e-6);
      expectClose(elu(tensor([-1])).dataSync(), [-0.632121], 1e-5);
      expectClose(softsign(tensor([3])).dataSync(), [0.75], 1e-6);
      expectClose(softplus(tensor([0])).dataSync(), [0.693147], 1e-5);
      // swish and silu are one op.
      expect(silu).toBe(swish);
    });
  });

  it('keeps the shape of any rank and handles empty tensors', () => {
    tidy(() => {
      const x = tensor(randomArray(24, rng(9)), [2, 3, 4]);
      expect(relu(x).shape).toEqual([2, 3, 4]);
      expect(sigmoid(tensor([], [0, 3])).shape).toEqual([0, 3]);
      expect(tanh(tensor(0.5)).dataSync()[0]).toBeCloseTo(Math.tanh(0.5), 6);
    });
  });

  it('linear is the identity and passes gradients through', () => {
    tidy(() => {
      const x = tensor([1, -2, 3]);
      expect(linear(x)).toBe(x);
      const g = grad((t) => sigmoid(linear(t)))(x, tensor([1, 1, 1])).dataSync();
      expectClose(
        g,
        [1, -2, 3].map((v) => sig(v) * (1 - sig(v))),
        1e-5,
      );
    });
  });

  it('rejects int32 and disposed inputs and bad parameters with clear errors', () => {
    const i = tensor([1, 2], [2], 'int32');
    expect(() => relu(i)).toThrow(/ferrite: relu: input must be float32, got int32 \[2\]/);
    const d = tensor([1]);
    d.dispose();
    expect(() => sigmoid(d)).toThrow(/disposed/);
    expect(() => leakyRelu(tensor([1]), NaN)).toThrow(/leakyRelu: alpha must be a finite number/);
    i.dispose();
  });
});

describeEachBuild('getActivation', () => {
  it('resolves Keras and TF.js identifiers in any spelling', () => {
    tidy(() => {
      const x = tensor([-1, 0.5, 2]);
      const names: [string, (t: Tensor) => Tensor][] = [
        ['relu', relu],
        ['sigmoid', sigmoid],
        ['tanh', tanh],
        ['elu', elu],
        ['selu', selu],
        ['relu6', relu6],
        ['softplus', softplus],
        ['softsign', softsign],
        ['leakyRelu', leakyRelu],
        ['leaky_relu', leakyRelu],
        ['hard_sigmoid', hardSigmoid],
        ['hardSigmoid', hardSigmoid],
        ['swish', swish],
        ['silu', swish],
        ['gelu', gelu],
        ['softmax', softmax],
        ['log_softmax', logSoftmax],
        ['logSoftmax', logSoftmax],
        ['ReLU', relu],
      ];
      for (const [name, op] of names) {
        expect(Array.from(getActivation(name)(x).dataSync()), name).toEqual(Array.from(op(x).dataSync()));
      }
      expect(getActivation('linear')(x)).toBe(x);
      expect(getActivation(undefined)(x)).toBe(x);
      expect(getActivation(null)(x)).toBe(x);
      const custom = (t: Tensor) => t;
      expect(getActivation(custom)).toBe(custom);
    });
  });

  it('names what it resolves, for serialisation', () => {
    expect(getActivationName(getActivation('leaky_relu'))).toBe('leakyRelu');
    expect(getActivationName(getActivation('RELU'))).toBe('relu');
    expect(getActivationName(getActivation('silu'))).toBe('swish');
    expect(getActivationName(softmax)).toBe('softmax');
    expect(getActivationName((t: Tensor) => t)).toBeUndefined();
  });

  it('an unknown name is an error listing the valid names', () => {
    expect(() => getActivation('rleu')).toThrow(
      /getActivation: unknown activation "rleu"; valid names are linear, relu, relu6, leakyRelu, elu/,
    );
  });
});
