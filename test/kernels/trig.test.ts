// The transcendental ops (sin ... atanh, atan2, rsqrt, expm1, log1p, erf): values against
// float64 (the naive reference; math.test.ts checks each function's bound over its whole
// domain) and against TF.js cpu, odd sizes, empty tensors, NaN and ±Infinity, int32 inputs,
// gradients against finite differences, no leaked tensors.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { leakFree } from '../support/leaks.js';
import { binaryRef } from '../support/references.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import { tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import {
  acos,
  acosh,
  asin,
  asinh,
  atan,
  atan2,
  atanh,
  cos,
  cosh,
  erf,
  expm1,
  log1p,
  rsqrt,
  sin,
  sinh,
  tan,
} from '../../ts/ops/index.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

interface UnaryCase {
  name: string;
  op: (x: Tensor) => Tensor;
  /** float64 reference (erf: none in JS; TF.js's is the oracle there). */
  exact?: (x: number) => number;
  /** The domain the values are drawn from, and a narrower one for the gradient check. */
  domain: [number, number];
  gradDomain: [number, number];
}

const CASES: UnaryCase[] = [
  { name: 'sin', op: sin, exact: Math.sin, domain: [-20, 20], gradDomain: [-3, 3] },
  { name: 'cos', op: cos, exact: Math.cos, domain: [-20, 20], gradDomain: [-3, 3] },
  { name: 'tan', op: tan, exact: Math.tan, domain: [-1.4, 1.4], gradDomain: [-1.2, 1.2] },
  { name: 'asin', op: asin, exact: Math.asin, domain: [-1, 1], gradDomain: [-0.9, 0.9] },
  { name: 'acos', op: acos, exact: Math.acos, domain: [-1, 1], gradDomain: [-0.9, 0.9] },
  { name: 'atan', op: atan, exact: Math.atan, domain: [-10, 10], gradDomain: [-3, 3] },
  { name: 'sinh', op: sinh, exact: Math.sinh, domain: [-10, 10], gradDomain: [-2, 2] },
  { name: 'cosh', op: cosh, exact: Math.cosh, domain: [-10, 10], gradDomain: [-2, 2] },
  { name: 'asinh', op: asinh, exact: Math.asinh, domain: [-100, 100], gradDomain: [-3, 3] },
  { name: 'acosh', op: acosh, exact: Math.acosh, domain: [1, 100], gradDomain: [1.2, 4] },
  { name: 'atanh', op: atanh, exact: Math.atanh, domain: [-1, 1], gradDomain: [-0.8, 0.8] },
  { name: 'rsqrt', op: rsqrt, exact: (x) => 1 / Math.sqrt(x), domain: [0.001, 100], gradDomain: [0.5, 4] },
  { name: 'expm1', op: expm1, exact: Math.expm1, domain: [-5, 5], gradDomain: [-2, 2] },
  { name: 'log1p', op: log1p, exact: Math.log1p, domain: [-0.999, 10], gradDomain: [-0.5, 3] },
  { name: 'erf', op: erf, domain: [-4, 4], gradDomain: [-2, 2] },
];

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0];

describeEachBuild('transcendental ops', () => {
  it('match float64 over their domains at odd sizes, and pass NaN through', () => {
    const rand = rng(1);
    for (const c of CASES.filter((k) => k.exact)) {
      for (const n of [0, 1, 5, 37, 1000]) {
        leakFree(() => {
          const xs = randomArray(n, rand, ...c.domain);
          if (n > 0) xs[n - 1] = NaN;
          const y = c.op(tensor(xs, [n]));
          expect(y.dtype).toBe('float32');
          expect(y.shape).toEqual([n]);
          expectClose(y.dataSync(), Array.from(xs, c.exact!), 1e-6, 1e-7, `${c.name} (n = ${n})`);
        });
      }
    }
  });

  it('agree with TF.js cpu, ±0 and ±Infinity included', () => {
    const rand = rng(2);
    for (const c of CASES) {
      leakFree(() => {
        const xs = Float32Array.from([...randomArray(40, rand, ...c.domain), ...SPECIALS]);
        const want = (tf as unknown as Record<string, (x: TF.Tensor) => TF.Tensor>)[c.name](tf.tensor(xs));
        const got = c.op(tensor(xs, [5, 9]));
        // TF.js computes in float64 and rounds: within float32's last bits (erf: the same formula).
        expectClose(got.dataSync(), want.dataSync(), 1e-6, 1e-7, c.name);
        tf.dispose(want);
      });
    }
  });

  it('take int32 inputs and give float32', () => {
    leakFree(() => {
      const i = tensor([-1, 0, 1], [3], 'int32');
      const y = sin(i);
      expect(y.dtype).toBe('float32');
      expectClose(y.dataSync(), [Math.sin(-1), 0, Math.sin(1)], 1e-6, 1e-7);
      expect(atan2(i, 1).dtype).toBe('float32');
    });
  });

  it('gradients match finite differences', () => {
    const rand = rng(3);
    for (const c of CASES) {
      const x = tensor(randomArray(11, rand, ...c.gradDomain), [11]);
      checkGradients(c.op, [x], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
      x.dispose();
    }
  });

  it('atan2 matches Math.atan2 and TF.js with broadcasting, its quadrants, ±0 and ±Infinity', () => {
    const rand = rng(4);
    leakFree(() => {
      const ad = Float32Array.from([...randomArray(30, rand, -3, 3), 0, -0, 0, -0, 1, -1, Infinity, -Infinity, NaN]);
      const bd = Float32Array.from([0, -0, 1, -1, Infinity, -Infinity, 2, NaN]);
      const [aShape, bShape] = [
        [39, 1],
        [1, 8],
      ];
      const got = atan2(tensor(ad, aShape), tensor(bd, bShape));
      const want = binaryRef(Math.atan2, ad, aShape, bd, bShape);
      expect(got.shape).toEqual(want.shape);
      const g = got.dataSync();
      for (let k = 0; k < g.length; k++) {
        const w = want.data[k];
        // ±0 and ±π must come out with their signs.
        if (w === 0 || Number.isNaN(w)) expect(Object.is(g[k], w), `atan2 element ${k}: ${g[k]} vs ${w}`).toBe(true);
      }
      expectClose(g, want.data, 3e-7, 0, 'atan2');
      const t = tf.atan2(tf.tensor(Array.from(ad), aShape), tf.tensor(Array.from(bd), bShape));
      expectClose(g, t.dataSync(), 3e-7, 0, 'atan2 against TF.js');
      t.dispose();
    });
  });

  it('atan2: gradients dy b / (a² + b²) and -dy a / (a² + b²), broadcast ones summed back', () => {
    const rand = rng(5);
    const a = tensor(randomArray(12, rand, -2, 2), [3, 4]);
    const b = tensor(
      Float32Array.from({ length: 4 }, () => (rand() < 0.5 ? -1 : 1) * (0.5 + rand())),
      [4],
    );
    checkGradients(atan2, [a, b], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
    a.dispose();
    b.dispose();
  });
});
