// conv2dTranspose (core-rs/src/conv.rs: the convolution's input gradient forward, its
// forward and filter gradient backward) against a float64 scatter written from the
// definition, gradients against finite differences, on every build; bitwise the same for
// 1, 2 and 3 threads.

import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, randomTensor, rng } from '../support/helpers.js';
// Installs the tensor methods (x.conv2dTranspose(...), ...).
import '../../ts/ops/chain.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { grads } from '../../ts/autograd/tape.js';
import { tensor } from '../../ts/tensor/creation.js';
import { mul } from '../../ts/ops/arithmetic.js';
import { sum } from '../../ts/ops/reduce.js';
import { windowGeometry, type Padding } from '../../ts/ops/conv.js';
import { conv2dTranspose } from '../../ts/ops/conv-transpose.js';

interface Case {
  name: string;
  /** x: [batch, height, width, inDepth]. */
  x: number[];
  /** filter: [kh, kw, outDepth, inDepth]. */
  f: number[];
  out: number[];
  strides: number;
  pad: Padding;
}
const CASES: Case[] = [
  { name: '3x3 stride 1 same', x: [2, 4, 4, 3], f: [3, 3, 2, 3], out: [2, 4, 4, 2], strides: 1, pad: 'same' },
  { name: '4x4 stride 2 same (DCGAN)', x: [2, 3, 3, 4], f: [4, 4, 3, 4], out: [2, 6, 6, 3], strides: 2, pad: 'same' },
  { name: '3x3 stride 2 valid', x: [1, 3, 2, 2], f: [3, 3, 2, 2], out: [1, 7, 5, 2], strides: 2, pad: 'valid' },
  { name: '5x5 stride 2 same, odd', x: [3, 4, 4, 5], f: [5, 5, 6, 5], out: [3, 7, 8, 6], strides: 2, pad: 'same' },
  { name: 'larger, threaded', x: [8, 7, 7, 16], f: [4, 4, 8, 16], out: [8, 14, 14, 8], strides: 2, pad: 'same' },
];

/** Float64 y = conv2dTranspose(x, f): every x value scattered through the filter. */
function reference(c: Case, xs: Float32Array, fs: Float32Array): Float64Array {
  const [n, oh, ow, od] = c.out;
  const [, h, w, id] = c.x;
  const [kh, kw] = c.f;
  const g = windowGeometry('reference', c.out, [kh, kw], id, c.strides, c.pad);
  const y = new Float64Array(n * oh * ow * od);
  for (let b = 0; b < n; b++)
    for (let r = 0; r < h; r++)
      for (let q = 0; q < w; q++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const [yr, yq] = [r * c.strides + i - g.padTop, q * c.strides + j - g.padLeft];
            if (yr < 0 || yr >= oh || yq < 0 || yq >= ow) continue;
            for (let co = 0; co < od; co++)
              for (let ci = 0; ci < id; ci++)
                y[((b * oh + yr) * ow + yq) * od + co] +=
                  xs[((b * h + r) * w + q) * id + ci] * fs[((i * kw + j) * od + co) * id + ci];
          }
  return y;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function run(
  c: Case,
  seed: number,
): { y: Float32Array; dx: Float32Array; df: Float32Array; xs: Float32Array; fs: Float32Array } {
  const rand = rng(seed);
  const xs = randomArray(size(c.x), rand);
  const fs = randomArray(size(c.f), rand);
  const dys = randomArray(size(c.out), rand);
  const x = tensor(xs, c.x);
  const f = tensor(fs, c.f);
  const dy = tensor(dys, c.out);
  const y = conv2dTranspose(x, f, c.out, c.strides, c.pad);
  const [dx, df] = grads((a, b) => sum(mul(conv2dTranspose(a, b, c.out, c.strides, c.pad), dy)))([x, f]);
  const out = { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
  for (const t of [x, f, dy, y, dx, df]) t.dispose();
  return { ...out, xs, fs };
}

describeEachBuild('conv2dTranspose', () => {
  for (const c of CASES) {
    it(`${c.name}: forward matches the float64 reference`, () => {
      expectNoLeaks(() => {
        const { y, xs, fs } = run(c, 5);
        const depth = c.f[0] * c.f[1] * c.x[3];
        expectClose(y, reference(c, xs, fs), 1e-5, 2e-6 * Math.sqrt(depth) + 1e-6, 'y');
      });
    });
  }
  for (const c of CASES.slice(0, 4)) {
    it(`${c.name}: gradients match finite differences`, () => {
      const rand = rng(8);
      const x = randomTensor(c.x, rand);
      const f = randomTensor(c.f, rand);
      checkGradients((a, b) => conv2dTranspose(a, b, c.out, c.strides, c.pad), [x, f], { atol: 5e-3 });
      x.dispose();
      f.dispose();
    });
  }

  it('is a tensor method', () => {
    const x = randomTensor([1, 2, 2, 3], rng(1));
    const f = randomTensor([2, 2, 4, 3], rng(2));
    const a = x.conv2dTranspose(f, [1, 4, 4, 4], 2, 'same');
    const b = conv2dTranspose(x, f, [1, 4, 4, 4], 2, 'same');
    expect(a.dataSync()).toEqual(b.dataSync());
    for (const t of [x, f, a, b]) t.dispose();
  });

  it('rejects bad input with errors naming the op and the shapes', () => {
    const x = tensor(new Float32Array(2 * 3 * 3 * 4), [2, 3, 3, 4]);
    const f = tensor(new Float32Array(4 * 4 * 3 * 4), [4, 4, 3, 4]);
    expect(() => conv2dTranspose(x, f, [2, 8, 6, 3], 2, 'same')).toThrow(
      /conv2dTranspose: x \[2, 3, 3, 4\] is not what a 4x4 convolution .* makes of outputShape \[2, 8, 6, 3\]/,
    );
    expect(() => conv2dTranspose(x, f, [2, 6, 6, 2], 2, 'same')).toThrow(
      /outputShape depth 2 does not match the filter's outDepth 3/,
    );
    const f5 = tensor(new Float32Array(4 * 4 * 3 * 5), [4, 4, 3, 5]);
    expect(() => conv2dTranspose(x, f5, [2, 6, 6, 3], 2, 'same')).toThrow(
      /x depth 4 does not match the filter's inDepth 5/,
    );
    expect(() => conv2dTranspose(x, f, [6, 6, 3], 2, 'same')).toThrow(/outputShape must have x's rank 4/);
    for (const t of [x, f, f5]) t.dispose();
  });
});

describe('conv2dTranspose: threads', () => {
  it('gives bitwise identical results for 1, 2 and 3 threads', async () => {
    await expectSameBitsOn(THREAD_COUNTS, () => {
      const { y, dx, df } = run(CASES[4], 13);
      return { y, dx, df };
    });
  });
});
