import { expect, it } from 'vitest';
import { describeEachBuild, rng } from '../support/helpers.js';
import { engine } from '../../ts/backend/engine.js';
// The `fn_id` codes of the test hook fe_math_eval (math.rs's `ABI enum: MathFn`).
import { MathFn } from '../../ts/backend/core-abi.js';

// The math family of the core (core-rs/src/math.rs) against float64: every function, in its
// vector form and its scalar form, over a sweep of its domain and its edges (±0, huge and
// tiny magnitudes, the overflow and underflow thresholds, NaN, ±Infinity), within the
// error bound math.rs states for it. The kernels that use these functions (activations,
// softmax, losses, exp and log, random normals) are tested against their own references.

const F32_MAX = 3.4028234663852886e38;
const F32_MIN_NORMAL = 1.1754943508222875e-38;
/** The spacing of float32 subnormals: where a result is subnormal, this is its rounding. */
const F32_SUBNORMAL_ULP = 2 ** -149;

/** f(x) for each x by the core, in the vector form (padded at the ragged end) or the scalar form. */
function evaluate(fn: number, xs: Float32Array, scalar: boolean): Float32Array {
  const eng = engine();
  const bytes = xs.length * 4;
  const px = eng.alloc(bytes);
  const py = eng.alloc(bytes);
  try {
    eng.f32.set(xs, px >> 2);
    eng.core.fe_math_eval(fn, scalar ? 1 : 0, px, py, xs.length);
    return eng.f32.slice(py >> 2, (py >> 2) + xs.length);
  } finally {
    eng.free(px, bytes);
    eng.free(py, bytes);
  }
}

/** `count` float32 values evenly spread over [lo, hi], both ends included. */
function linear(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));
}

/** Positive float32 values from 2^lo to 2^hi: every power of two and 15 mantissas between. */
function magnitudes(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) for (let m = 0; m < 16; m++) out.push(2 ** e * (1 + m / 16));
  return out;
}

/** erf in float64: its Taylor series up to |x| = 2.5, the continued fraction of erfc beyond. */
function erf64(x: number): number {
  const ax = Math.abs(x);
  if (!Number.isFinite(ax)) return Number.isNaN(x) ? NaN : Math.sign(x);
  if (ax <= 2.5) {
    // erf x = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n + 1))
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 100; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return (Math.sign(x) * 2 * sum) / Math.sqrt(Math.PI);
  }
  // erfc x = e^-x² / √π / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...)))))
  let f = ax;
  for (let k = 120; k >= 1; k--) f = ax + k / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f);
}

const sigmoid64 = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

interface Case {
  name: string;
  fn: number;
  /** The sweep of the domain; values are rounded to float32 before use. */
  inputs: () => number[];
  exact: (x: number) => number;
  /** The bound math.rs states: |y - exact| <= rel |exact| + abs (+ one subnormal spacing). */
  rel: number;
  abs?: number;
  /** Where the result is a subnormal (or below): what the function gives instead, checked exactly. */
  tiny?: 'flush' | 'saturate';
  /** Inputs and exact outputs at the edges (NaN for NaN; Object.is, so ±0 count). */
  edges: [number, number][];
}

/** n seeded uniform values in [lo, hi): the same on every build. */
function randoms(lo: number, hi: number, n: number): number[] {
  const rand = rng(9);
  return Array.from({ length: n }, () => lo + (hi - lo) * rand());
}
const signed = (xs: number[]) => xs.flatMap((x) => [x, -x]);
/** The sweep of [-1, 1] (asin, acos, atanh). */
const unitInputs = () => [...linear(-1, 1, 40001), ...signed(magnitudes(-149, -1)), ...randoms(-1, 1, 4000)];
/** The sweep of sinh and cosh: through their overflow (~89.4) both ways. */
const hyperbolicInputs = () => [...linear(-95, 95, 40001), ...signed(magnitudes(-149, 7)), ...randoms(-3, 3, 4000)];
/** The edges of an odd function unbounded both ways (±0 keep their sign). */
const ODD_UNBOUNDED_EDGES: [number, number][] = [
  [0, 0],
  [-0, -0],
  [Infinity, Infinity],
  [-Infinity, -Infinity],
  [NaN, NaN],
];
/** The arguments whose reduction by π/2 sin, cos and tan keep exact (|x| < 2^14 π/2). */
const reducible = (xs: number[]) => xs.filter((x) => Math.abs(x) < 2 ** 14 * (Math.PI / 2));

const CASES: Case[] = [
  {
    name: 'exp',
    fn: MathFn.EXP,
    inputs: () => [...linear(-110, 95, 40001), ...signed(magnitudes(-149, 6)), ...randoms(-90, 90, 4000)],
    exact: Math.exp,
    rel: 3e-7,
    tiny: 'flush',
    edges: [
      [0, 1],
      [-0, 1],
      [Infinity, Infinity],
      [-Infinity, 0],
      [NaN, NaN],
      [88.72284, Infinity],
      [1e30, Infinity],
      [-88, 0],
      [-1e30, 0],
    ],
  },
  {
    name: 'exp_nonpos',
    fn: MathFn.EXP_NONPOS,
    inputs: () => [...linear(-110, 0, 40001), ...magnitudes(-149, 6).map((x) => -x), ...randoms(-90, 0, 4000)],
    exact: Math.exp,
    rel: 3e-7,
    tiny: 'saturate',
    edges: [
      [0, 1],
      [-0, 1],
      [NaN, NaN],
    ],
  },
  {
    name: 'expm1_nonpos',
    fn: MathFn.EXPM1_NONPOS,
    inputs: () => [...linear(-120, 0, 40001), ...magnitudes(-149, 6).map((x) => -x), ...randoms(-1, 0, 4000)],
    exact: Math.expm1,
    rel: 4e-7,
    edges: [
      [0, 0],
      [-0, -0],
      [-Infinity, -1],
      [-1e30, -1],
      [NaN, NaN],
    ],
  },
  {
    name: 'ln',
    fn: MathFn.LN,
    inputs: () => [...magnitudes(-149, 127), ...linear(0.5, 2, 40001), ...randoms(0, 100, 4000)],
    exact: Math.log,
    rel: 3e-7,
    edges: [
      [1, 0],
      [0, -Infinity],
      [-0, -Infinity],
      [-1, NaN],
      [-Infinity, NaN],
      [Infinity, Infinity],
      [NaN, NaN],
    ],
  },
  {
    name: 'log1p_unit',
    fn: MathFn.LOG1P_UNIT,
    inputs: () => [...linear(0, 1, 40001), ...magnitudes(-149, -1), ...randoms(0, 1, 4000)],
    exact: Math.log1p,
    rel: 3e-7,
    edges: [
      [0, 0],
      [1, Math.LN2],
      [NaN, NaN],
    ],
  },
  {
    name: 'sigmoid',
    fn: MathFn.SIGMOID,
    inputs: () => [...linear(-120, 120, 40001), ...signed(magnitudes(-149, 127)), ...randoms(-20, 20, 4000)],
    exact: sigmoid64,
    rel: 4e-7,
    tiny: 'saturate',
    edges: [
      [0, 0.5],
      [-0, 0.5],
      [Infinity, 1],
      [1e30, 1],
      [NaN, NaN],
    ],
  },
  {
    name: 'tanh',
    fn: MathFn.TANH,
    inputs: () => [...linear(-20, 20, 40001), ...signed(magnitudes(-149, 127)), ...randoms(-3, 3, 4000)],
    exact: Math.tanh,
    rel: 5e-7,
    edges: [
      [0, 0],
      [-0, -0],
      [Infinity, 1],
      [-Infinity, -1],
      [1e30, 1],
      [-1e30, -1],
      [NaN, NaN],
    ],
  },
  {
    name: 'erf',
    fn: MathFn.ERF,
    inputs: () => [...linear(-8, 8, 40001), ...signed(magnitudes(-149, 127)), ...randoms(-3, 3, 4000)],
    exact: erf64,
    rel: 0,
    abs: 7e-7,
    edges: [
      [Infinity, 1],
      [-Infinity, -1],
      [1e30, 1],
      [-1e30, -1],
      [NaN, NaN],
    ],
  },
  {
    name: 'sin_turns',
    fn: MathFn.SIN_TURNS,
    inputs: () => [...linear(0, 1 - 2 ** -24, 40001), ...magnitudes(-149, -1), ...randoms(0, 1, 4000)],
    exact: (u) => Math.sin(2 * Math.PI * u),
    rel: 0,
    abs: 2.5e-7,
    edges: [
      [0, 0],
      [0.25, 1],
      [0.5, 0],
      [NaN, NaN],
    ],
  },
  {
    name: 'cos_turns',
    fn: MathFn.COS_TURNS,
    inputs: () => [...linear(0, 1 - 2 ** -24, 40001), ...magnitudes(-149, -1), ...randoms(0, 1, 4000)],
    exact: (u) => Math.cos(2 * Math.PI * u),
    rel: 0,
    abs: 2.5e-7,
    edges: [
      [0, 1],
      [0.5, -1],
      [NaN, NaN],
    ],
  },
  {
    name: 'expm1',
    fn: MathFn.EXPM1,
    inputs: () => [...linear(-120, 95, 40001), ...signed(magnitudes(-149, 6)), ...randoms(-2, 2, 4000)],
    exact: Math.expm1,
    rel: 8e-7,
    edges: [
      [0, 0],
      [-0, -0],
      [Infinity, Infinity],
      [-Infinity, -1],
      [1e30, Infinity],
      [NaN, NaN],
    ],
  },
  {
    name: 'log1p',
    fn: MathFn.LOG1P,
    inputs: () => [
      ...linear(-1, 3, 40001),
      ...signed(magnitudes(-149, -1)),
      ...magnitudes(0, 127),
      ...randoms(-1, 1, 4000),
    ],
    exact: Math.log1p,
    rel: 5e-7,
    edges: [
      [0, 0],
      [-0, -0],
      [-1, -Infinity],
      [-2, NaN],
      [Infinity, Infinity],
      [NaN, NaN],
    ],
  },
  ...(
    [
      ['sin', MathFn.SIN, Math.sin],
      ['cos', MathFn.COS, Math.cos],
    ] as const
  ).map(([name, fn, exact]): Case => ({
    name,
    fn,
    inputs: () => [
      ...linear(-25000, 25000, 40001),
      ...signed(reducible(magnitudes(-149, 14))),
      ...randoms(-10, 10, 4000),
    ],
    exact,
    rel: 2e-7,
    abs: 1e-7,
    edges: [
      [0, exact(0)],
      [Infinity, NaN],
      [-Infinity, NaN],
      [NaN, NaN],
      ...(name === 'sin' ? ([[-0, -0]] as [number, number][]) : []),
    ],
  })),
  {
    name: 'tan',
    fn: MathFn.TAN,
    inputs: () => [
      ...linear(-25000, 25000, 40001),
      ...signed(reducible(magnitudes(-149, 14))),
      ...randoms(-1.5, 1.5, 4000),
    ],
    // Near its poles tan amplifies the rounding of x to float32; the bound is relative to
    // float64's tan of the float32 input, as for the others.
    exact: Math.tan,
    rel: 4e-7,
    abs: 1e-7,
    edges: [
      [0, 0],
      [-0, -0],
      [Infinity, NaN],
      [NaN, NaN],
    ],
  },
  {
    name: 'atan',
    fn: MathFn.ATAN,
    inputs: () => [...linear(-20, 20, 40001), ...signed(magnitudes(-149, 127)), ...randoms(-2, 2, 4000)],
    exact: Math.atan,
    rel: 3e-7,
    edges: [
      [0, 0],
      [-0, -0],
      [Infinity, Math.PI / 2],
      [-Infinity, -Math.PI / 2],
      [NaN, NaN],
    ],
  },
  {
    name: 'asin',
    fn: MathFn.ASIN,
    inputs: unitInputs,
    exact: Math.asin,
    rel: 4e-7,
    edges: [
      [0, 0],
      [-0, -0],
      [1, Math.PI / 2],
      [-1, -Math.PI / 2],
      [1.5, NaN],
      [-Infinity, NaN],
      [NaN, NaN],
    ],
  },
  {
    name: 'acos',
    fn: MathFn.ACOS,
    inputs: unitInputs,
    exact: Math.acos,
    rel: 4e-7,
    edges: [
      [1, 0],
      [-1, Math.PI],
      [0, Math.PI / 2],
      [1.5, NaN],
      [-1.5, NaN],
      [NaN, NaN],
    ],
  },
  {
    name: 'sinh',
    fn: MathFn.SINH,
    inputs: hyperbolicInputs,
    exact: Math.sinh,
    rel: 5e-7,
    edges: ODD_UNBOUNDED_EDGES,
  },
  {
    name: 'cosh',
    fn: MathFn.COSH,
    inputs: hyperbolicInputs,
    exact: Math.cosh,
    rel: 5e-7,
    edges: [
      [0, 1],
      [Infinity, Infinity],
      [-Infinity, Infinity],
      [NaN, NaN],
    ],
  },
  {
    name: 'asinh',
    fn: MathFn.ASINH,
    inputs: () => [...linear(-20, 20, 40001), ...signed(magnitudes(-149, 127)), ...randoms(-3, 3, 4000)],
    exact: Math.asinh,
    rel: 5e-7,
    edges: ODD_UNBOUNDED_EDGES,
  },
  {
    name: 'acosh',
    fn: MathFn.ACOSH,
    inputs: () => [...linear(1, 20, 40001), ...magnitudes(0, 127), ...randoms(1, 3, 4000)],
    exact: Math.acosh,
    rel: 5e-7,
    edges: [
      [1, 0],
      [0.5, NaN],
      [-1, NaN],
      [-3, NaN],
      [Infinity, Infinity],
      [NaN, NaN],
    ],
  },
  {
    name: 'atanh',
    fn: MathFn.ATANH,
    inputs: unitInputs,
    exact: Math.atanh,
    rel: 5e-7,
    edges: [
      [0, 0],
      [-0, -0],
      [1, Infinity],
      [-1, -Infinity],
      [1.5, NaN],
      [NaN, NaN],
    ],
  },
];

describeEachBuild('math family against float64', () => {
  for (const c of CASES) {
    it(`${c.name}: within its stated bound over its domain, and exact at the edges`, () => {
      const xs = Float32Array.from(c.inputs());
      const ys = evaluate(c.fn, xs, false);
      let worst = { err: 0, x: 0, y: 0, exact: 0 };
      for (let i = 0; i < xs.length; i++) {
        const exact = c.exact(xs[i]);
        const y = ys[i];
        if (Math.abs(exact) > F32_MAX) {
          expect(y, `${c.name}(${xs[i]}) overflows`).toBe(Math.sign(exact) * Infinity);
        } else if (c.tiny && Math.abs(exact) < F32_MIN_NORMAL) {
          // Below the normal range: flushed to 0, or held at about the smallest normal.
          if (c.tiny === 'flush') expect(y, `${c.name}(${xs[i]}) flushes to 0`).toBe(0);
          else expect(y >= 0 && y <= 1.2e-38, `${c.name}(${xs[i]}) = ${y} saturates`).toBe(true);
        } else {
          const err = Math.abs(y - exact) - c.rel * Math.abs(exact);
          if (!(err <= worst.err)) worst = { err, x: xs[i], y, exact };
        }
      }
      expect(
        worst.err <= (c.abs ?? 0) + F32_SUBNORMAL_ULP,
        `${c.name}(${worst.x}) = ${worst.y}, exact ${worst.exact}: beyond rel ${c.rel} + abs ${c.abs ?? 0} by ${worst.err}`,
      ).toBe(true);

      const edges = evaluate(c.fn, Float32Array.from(c.edges.map(([x]) => x)), false);
      c.edges.forEach(([x, exact], i) => {
        if (Number.isNaN(exact)) expect(edges[i], `${c.name}(${x})`).toBeNaN();
        else if (Math.abs(exact) === Infinity || exact === 0)
          expect(Object.is(edges[i], exact), `${c.name}(${x}) = ${edges[i]}`).toBe(true);
        else
          expect(Math.abs(edges[i] - exact), `${c.name}(${x}) = ${edges[i]}`).toBeLessThanOrEqual(
            c.rel * Math.abs(exact) + (c.abs ?? 0),
          );
      });
    });

    it(`${c.name}: the scalar form gives the vector form's bits`, () => {
      const xs = Float32Array.from([...c.inputs(), ...c.edges.map(([x]) => x)]);
      const vector = new Uint32Array(evaluate(c.fn, xs, false).buffer);
      const scalar = new Uint32Array(evaluate(c.fn, xs, true).buffer);
      for (let i = 0; i < xs.length; i++) {
        // NaN payloads may differ; any NaN is a NaN.
        if (Number.isNaN(xs[i])) continue;
        if (scalar[i] !== vector[i]) expect(scalar[i], `${c.name}(${xs[i]}) bits`).toBe(vector[i]);
      }
    });
  }

  it("exp_nonpos gives exp's bits on [ln(f32 min normal), 0]", () => {
    const xs = Float32Array.from([
      ...linear(-87.33654, 0, 100001),
      ...magnitudes(-149, 6)
        .map((x) => -x)
        .filter((x) => x >= -87.33654),
    ]);
    const a = new Uint32Array(evaluate(MathFn.EXP, xs, false).buffer);
    const b = new Uint32Array(evaluate(MathFn.EXP_NONPOS, xs, false).buffer);
    for (let i = 0; i < xs.length; i++) if (a[i] !== b[i]) expect(b[i], `exp_nonpos(${xs[i]})`).toBe(a[i]);
  });
});
