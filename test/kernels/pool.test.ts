import { beforeAll, describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng, scoped } from '../support/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { eachTap, sizeOf, windows, type Windows } from '../support/references.js';
import { naivePool } from '../support/naive-pool.js';
import { ready, setBackendSync } from '../../ts/backend/engine.js';
import { grads } from '../../ts/autograd/tape.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { windowGeometry, type Padding } from '../../ts/ops/conv.js';
import { avgPool, globalAvgPool, globalMaxPool, maxPool } from '../../ts/ops/pool.js';

// ---- float64 reference -----------------------------------------------------------------

const geom = (x: readonly number[], k: [number, number], s: [number, number], pad: Padding): Windows =>
  windows(x, k, s, pad);

function refPool(g: Windows, x: ArrayLike<number>, dy: ArrayLike<number>, kind: 'max' | 'avg') {
  // The input offsets (channel 0) of the cells of each output pixel's window that lie inside
  // the image, in row-major window order.
  const cells: number[][] = Array.from({ length: g.n * g.ho * g.wo }, () => []);
  eachTap(g, (b, oh, ow, _i, _j, ih, iw) => cells[(b * g.ho + oh) * g.wo + ow].push(((b * g.h + ih) * g.w + iw) * g.c));
  const y = new Float64Array(g.n * g.ho * g.wo * g.c);
  const dx = new Float64Array(x.length);
  cells.forEach((window, pixel) => {
    const o = pixel * g.c;
    for (let ch = 0; ch < g.c; ch++) {
      if (kind === 'max') {
        let best = window[0];
        for (const p of window) if (x[p + ch] > x[best + ch]) best = p; // first maximum wins ties
        y[o + ch] = x[best + ch];
        dx[best + ch] += dy[o + ch];
      } else {
        let s = 0;
        for (const p of window) s += x[p + ch];
        y[o + ch] = s / window.length;
        for (const p of window) dx[p + ch] += dy[o + ch] / window.length;
      }
    }
  });
  return { y, dx };
}

// ---- cases ----------------------------------------------------------------------------------

interface Case {
  name: string;
  x: [number, number, number, number];
  k: [number, number];
  s: [number, number];
  pad: Padding;
}

const CASES: Case[] = [
  {
    name: '2x2 stride 2 valid, odd sizes (last row and column unused)',
    x: [2, 7, 9, 5],
    k: [2, 2],
    s: [2, 2],
    pad: 'valid',
  },
  { name: '3x3 stride 2 same (overlapping windows)', x: [2, 8, 7, 6], k: [3, 3], s: [2, 2], pad: 'same' },
  { name: '3x3 stride 1 same', x: [1, 5, 5, 3], k: [3, 3], s: [1, 1], pad: 'same' },
  { name: '2x2 stride 2 same on odd sizes (padding at the end)', x: [3, 5, 5, 4], k: [2, 2], s: [2, 2], pad: 'same' },
  {
    name: '2x3 window, strides [1, 2], explicit pad',
    x: [2, 6, 7, 9],
    k: [2, 3],
    s: [1, 2],
    pad: [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ],
  },
  { name: 'batch 1, one channel, 3x3 stride 3 same', x: [1, 7, 8, 1], k: [3, 3], s: [3, 3], pad: 'same' },
  { name: 'MNIST CNN shape: 26x26x32 -> 13x13', x: [2, 26, 26, 32], k: [2, 2], s: [2, 2], pad: 'valid' },
];

function run(kind: 'max' | 'avg', c: Case, xs: Float32Array, dys: Float32Array) {
  return scoped(() => {
    const op = (t: Tensor) => (kind === 'max' ? maxPool : avgPool)(t, c.k, c.s, c.pad);
    const x = tensor(xs, c.x);
    const y = op(x);
    const [dx] = grads(op)([x], tensor(dys, y.shape));
    return { shape: y.shape, y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
  });
}

/** Distinct values (a shuffled ramp), so finite differences never cross a tie. */
function distinctValues(n: number, rand: () => number, offset = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = offset + (i - n / 2) * 0.05;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describeEachBuild('pooling', () => {
  for (const kind of ['max', 'avg'] as const) {
    for (const c of CASES) {
      it(`${kind}Pool forward and backward match the reference: ${c.name}`, () => {
        const rand = rng(17);
        const g = geom(c.x, c.k, c.s, c.pad);
        const xs = randomArray(sizeOf(c.x), rand);
        const dys = randomArray(g.n * g.ho * g.wo * g.c, rand);
        const out = run(kind, c, xs, dys);
        expect(out.shape).toEqual([g.n, g.ho, g.wo, g.c]);
        const ref = refPool(g, xs, dys, kind);
        expectClose(out.y, ref.y, 1e-6, 1e-7, 'y');
        expectClose(out.dx, ref.dx, 1e-6, 1e-6, 'dx');
      });
    }
  }

  it('maxPool is right on windows whose values are all negative, with padding', () => {
    const c = CASES[1];
    const rand = rng(2);
    const xs = randomArray(sizeOf(c.x), rand, -5, -1);
    const g = geom(c.x, c.k, c.s, c.pad);
    const dys = randomArray(g.n * g.ho * g.wo * g.c, rand);
    const out = run('max', c, xs, dys);
    expect(Math.max(...out.y)).toBeLessThan(-1 + 1e-6); // padding never wins
    const ref = refPool(g, xs, dys, 'max');
    expectClose(out.y, ref.y, 0, 0, 'y');
    expectClose(out.dx, ref.dx, 1e-6, 1e-6, 'dx');
  });

  it('maxPool sends the gradient to the first maximum on ties', () => {
    for (const c of [CASES[1], CASES[4]]) {
      const rand = rng(5);
      // Values from {-1, 0, 1}: most windows hold ties.
      const xs = randomArray(sizeOf(c.x), rand).map((v) => Math.round(v));
      const g = geom(c.x, c.k, c.s, c.pad);
      const dys = randomArray(g.n * g.ho * g.wo * g.c, rand);
      const out = run('max', c, xs, dys);
      expectClose(out.dx, refPool(g, xs, dys, 'max').dx, 1e-6, 1e-6, 'dx');
    }
    // A hand-checked case: one 2x2 window of equal values sends all of dy to its top-left cell.
    tidy(() => {
      const x = tensor([3, 3, 3, 3], [1, 2, 2, 1]);
      const dx = grads((t) => maxPool(t, 2, 2, 'valid'))([x], tensor([7], [1, 1, 1, 1]))[0];
      expect(Array.from(dx.dataSync())).toEqual([7, 0, 0, 0]);
    });
  });

  it('avgPool with same padding divides by the real cells only', () => {
    // 3x3 input of ones, 2x2 window, stride 2, same: every window averages to exactly 1.
    tidy(() => {
      const y = avgPool(tensor(new Float32Array(9).fill(1), [1, 3, 3, 1]), 2, 2, 'same');
      expect(Array.from(y.dataSync())).toEqual([1, 1, 1, 1]);
      // Hand-checked: [[1, 2, 3], [4, 5, 6], [7, 8, 9]] -> [[3, 4.5], [7.5, 9]].
      const z = avgPool(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), 2, 2, 'same');
      expect(Array.from(z.dataSync())).toEqual([3, 4.5, 7.5, 9]);
    });
  });

  it('gradients match finite differences', () => {
    for (const c of [CASES[1], CASES[3], CASES[4]]) {
      const rand = rng(8);
      const x = tensor(distinctValues(sizeOf(c.x), rand), c.x);
      checkGradients((t) => maxPool(t, c.k, c.s, c.pad), [x], { eps: 1e-3 });
      checkGradients((t) => avgPool(t, c.k, c.s, c.pad), [x], { eps: 1e-2 });
      x.dispose();
    }
  });

  it('global average and max pooling (forward, backward, keepDims)', () => {
    const shape: [number, number, number, number] = [3, 5, 4, 6];
    const rand = rng(12);
    const xs = distinctValues(sizeOf(shape), rand, -3);
    const g = geom(shape, [5, 4], [5, 4], 'valid');
    const dys = randomArray(3 * 6, rand);
    tidy(() => {
      const x = tensor(xs, shape);
      for (const kind of ['max', 'avg'] as const) {
        const op = kind === 'max' ? globalMaxPool : globalAvgPool;
        const y = op(x);
        expect(y.shape).toEqual([3, 6]);
        expect(op(x, true).shape).toEqual([3, 1, 1, 6]);
        const ref = refPool(g, xs, dys, kind);
        expectClose(y.dataSync(), ref.y, 1e-6, 1e-7, `${kind} y`);
        const [dx] = grads((t) => op(t))([x], tensor(dys, [3, 6]));
        expectClose(dx.dataSync(), ref.dx, 1e-6, 1e-7, `${kind} dx`);
      }
    });
    const x = tensor(xs, shape);
    checkGradients((t) => globalMaxPool(t), [x], { eps: 1e-3 });
    checkGradients((t) => globalAvgPool(t), [x]);
    x.dispose();
  });

  it('matches the direct-loop kernels of the core', () => {
    for (const c of [CASES[1], CASES[4]]) {
      const rand = rng(31);
      const xs = randomArray(sizeOf(c.x), rand);
      const g = geom(c.x, c.k, c.s, c.pad);
      const dys = randomArray(g.n * g.ho * g.wo * g.c, rand);
      const wg = windowGeometry('test', c.x, c.k, c.x[3], c.s, c.pad);
      for (const kind of ['max', 'avg'] as const) {
        const out = run(kind, c, xs, dys);
        tidy(() => {
          const x = tensor(xs, c.x);
          const dy = tensor(dys, out.shape);
          const y = tensor(new Float32Array(out.y.length), out.shape);
          const dx = tensor(new Float32Array(xs.length), c.x);
          naivePool(kind, wg, x, dy, y, dx);
          expectClose(out.y, y.dataSync(), 1e-6, 1e-7, `${kind} y`);
          expectClose(out.dx, dx.dataSync(), 1e-6, 1e-7, `${kind} dx`);
        });
      }
    }
  });

  it('leaks neither tensors nor memory (the recorded argmax is freed with the tape)', () => {
    const c = CASES[1];
    const rand = rng(1);
    const xs = randomArray(sizeOf(c.x), rand);
    const g = geom(c.x, c.k, c.s, c.pad);
    const dys = randomArray(g.n * g.ho * g.wo * g.c, rand);
    expectNoLeaks(() => {
      run('max', c, xs, dys);
      run('avg', c, xs, dys);
      tidy(() => {
        maxPool(tensor(xs, c.x), 3, 2, 'same');
        globalMaxPool(tensor(xs, c.x));
      });
    });
  });
});

describe('pooling: errors and threads', () => {
  beforeAll(async () => {
    setBackendSync('simd-threads');
    await ready();
  });

  it('gives clear errors', () => {
    const x = tensor(new Float32Array(2 * 4 * 4 * 3), [2, 4, 4, 3]);
    expect(() => maxPool(x, 5, 1, 'valid')).toThrow(
      /maxPool: the 5x5 window does not fit in the 4x4 padded input \(x \[2, 4, 4, 3\], pad 'valid'\)/,
    );
    expect(() => avgPool(x, 2, 0, 'valid')).toThrow(/avgPool: strides must be a positive integer/);
    expect(() =>
      maxPool(x, 2, 2, [
        [0, 0],
        [2, 0],
        [0, 0],
        [0, 0],
      ]),
    ).toThrow(/maxPool: padding \[2, 0, 0, 0\] .* must be smaller than the 2x2 pool window/);
    expect(() => maxPool(tensor(new Float32Array(4), [4]), 2, 2, 'valid')).toThrow(/maxPool: x must have rank 4/);
    expect(() => globalAvgPool(tensor(new Float32Array(12), [4, 3]))).toThrow(
      /globalAvgPool: x must have rank 4 \[batch, height, width, channels\], got \[4, 3\]/,
    );
    expect(() => maxPool(tensor(new Int32Array(48), [1, 4, 4, 3]), 2, 2, 'valid')).toThrow(
      /maxPool: x must be float32/,
    );
    x.dispose();
  });

  it('gives bitwise identical results for 1, 2 and 3 threads', async () => {
    const c: Case = { name: 'overlapping', x: [4, 17, 15, 12], k: [3, 3], s: [2, 2], pad: 'same' };
    const rand = rng(4);
    const xs = randomArray(sizeOf(c.x), rand);
    const g = geom(c.x, c.k, c.s, c.pad);
    const dys = randomArray(g.n * g.ho * g.wo * g.c, rand);
    await expectSameBitsOn(THREAD_COUNTS, () => {
      const m = run('max', c, xs, dys);
      const a = run('avg', c, xs, dys);
      return { 'max y': m.y, 'max dx': m.dx, 'avg y': a.y, 'avg dx': a.dx };
    });
  });
});
