// depthwiseConv2d (core-rs/src/depthwise.rs) and separableConv2d: forward and both
// gradients against a float64 reference from the definition and the core's naive
// kernels, gradients against finite differences, on every build; bitwise the same for
// 1, 2 and 3 threads.

import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, randomTensor, rng } from '../support/helpers.js';
// Installs the tensor methods (x.conv2dTranspose(...), ...).
import '../../ts/ops/chain.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { engine } from '../../ts/backend/engine.js';
import { grads } from '../../ts/autograd/tape.js';
import { tensor } from '../../ts/tensor/creation.js';
import { emptyTensor } from '../../ts/tensor/tensor.js';
import { mul } from '../../ts/ops/arithmetic.js';
import { sum } from '../../ts/ops/reduce.js';
import { conv2d, geometryParams, windowGeometry, type Padding } from '../../ts/ops/conv.js';
import { depthwiseConv2d, separableConv2d } from '../../ts/ops/depthwise.js';

interface Case {
  name: string;
  x: number[];
  /** [kh, kw, cin, mult] */
  f: number[];
  strides: number;
  pad: Padding;
  dil?: number;
}
const CASES: Case[] = [
  { name: '3x3 same, multiplier 1', x: [2, 5, 5, 6], f: [3, 3, 6, 1], strides: 1, pad: 'same' },
  { name: '3x3 stride 2 valid, multiplier 2', x: [2, 6, 5, 3], f: [3, 3, 3, 2], strides: 2, pad: 'valid' },
  { name: '5x5 same dilated, multiplier 3', x: [1, 7, 7, 2], f: [2, 2, 2, 3], strides: 1, pad: 'same', dil: 2 },
  { name: 'larger, threaded', x: [8, 14, 14, 16], f: [3, 3, 16, 1], strides: 1, pad: 'same' },
  // The vector paths for multipliers above 1: a splat of the input (multiples of 4) and a
  // lane gather with a ragged last vector (cout 10).
  { name: '3x3 same, multiplier 4', x: [2, 5, 6, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3x3 stride 2 same, multiplier 2, cout 10', x: [2, 7, 6, 5], f: [3, 3, 5, 2], strides: 2, pad: 'same' },
  { name: 'larger, threaded, multiplier 2', x: [8, 14, 14, 8], f: [3, 3, 8, 2], strides: 1, pad: 'same' },
];
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Float64 depthwise convolution from the definition. */
function reference(c: Case, xs: Float32Array, fs: Float32Array): { y: Float64Array; shape: number[] } {
  const [n, h, w, cin] = c.x;
  const [kh, kw, , m] = c.f;
  const g = windowGeometry('reference', c.x, [kh, kw], cin * m, c.strides, c.pad, c.dil ?? 1);
  const [ho, wo, cout] = [g.outHeight, g.outWidth, cin * m];
  const y = new Float64Array(n * ho * wo * cout);
  for (let b = 0; b < n; b++)
    for (let oh = 0; oh < ho; oh++)
      for (let ow = 0; ow < wo; ow++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const ih = oh * g.strideHeight + i * g.dilationHeight - g.padTop;
            const iw = ow * g.strideWidth + j * g.dilationWidth - g.padLeft;
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
            for (let ci = 0; ci < cin; ci++)
              for (let q = 0; q < m; q++)
                y[((b * ho + oh) * wo + ow) * cout + ci * m + q] +=
                  xs[((b * h + ih) * w + iw) * cin + ci] * fs[((i * kw + j) * cin + ci) * m + q];
          }
  return { y, shape: [n, ho, wo, cout] };
}

describeEachBuild('depthwiseConv2d', () => {
  for (const c of CASES) {
    it(`${c.name}: forward matches float64; gradients match the core's naive kernels`, () => {
      const rand = rng(4);
      const xs = randomArray(size(c.x), rand);
      const fs = randomArray(size(c.f), rand);
      const ref = reference(c, xs, fs);
      const dys = randomArray(size(ref.shape), rand);
      expectNoLeaks(() => {
        const [x, f, dy] = [tensor(xs, c.x), tensor(fs, c.f), tensor(dys, ref.shape)];
        const y = depthwiseConv2d(x, f, c.strides, c.pad, 'NHWC', c.dil ?? 1);
        expect(y.shape).toEqual(ref.shape);
        expectClose(y.dataSync() as Float32Array, ref.y, 1e-5, 1e-5, 'y');
        const [dx, df] = grads((a, b) => sum(mul(depthwiseConv2d(a, b, c.strides, c.pad, 'NHWC', c.dil ?? 1), dy)))([
          x,
          f,
        ]);
        const eng = engine();
        const g = windowGeometry('t', c.x, [c.f[0], c.f[1]], c.f[2] * c.f[3], c.strides, c.pad, c.dil ?? 1);
        const [yn, dxn, dfn] = [
          emptyTensor(ref.shape, 'float32', eng),
          emptyTensor(c.x, 'float32', eng),
          emptyTensor(c.f, 'float32', eng),
        ];
        eng.core.fe_depthwise_conv2d_forward_naive(geometryParams(eng, g), x.ptr, f.ptr, yn.ptr);
        eng.core.fe_depthwise_conv2d_backward_input_naive(geometryParams(eng, g), dy.ptr, f.ptr, dxn.ptr);
        eng.core.fe_depthwise_conv2d_backward_filter_naive(geometryParams(eng, g), x.ptr, dy.ptr, dfn.ptr);
        expectClose(yn.dataSync() as Float32Array, ref.y, 1e-5, 1e-5, 'y naive');
        expectClose(dx.dataSync() as Float32Array, dxn.dataSync() as Float32Array, 1e-5, 1e-5, 'dx');
        expectClose(df.dataSync() as Float32Array, dfn.dataSync() as Float32Array, 1e-5, 1e-4, 'df');
        for (const t of [x, f, dy, y, dx, df, yn, dxn, dfn]) t.dispose();
      });
    });
  }
  for (const c of CASES.filter((k) => !k.name.startsWith('larger'))) {
    it(`${c.name}: gradients match finite differences`, () => {
      const rand = rng(6);
      const [x, f] = [randomTensor(c.x, rand), randomTensor(c.f, rand)];
      checkGradients((a, b) => depthwiseConv2d(a, b, c.strides, c.pad, 'NHWC', c.dil ?? 1), [x, f], { atol: 5e-3 });
      x.dispose();
      f.dispose();
    });
  }

  it('separableConv2d is depthwise then a 1x1 conv2d; both are tensor methods', () => {
    const rand = rng(2);
    const [x, dw, pw] = [
      randomTensor([2, 5, 5, 3], rand),
      randomTensor([3, 3, 3, 2], rand),
      randomTensor([1, 1, 6, 4], rand),
    ];
    const s = x.separableConv2d(dw, pw, 1, 'same');
    const d = x.depthwiseConv2d(dw, 1, 'same');
    const ref = conv2d(d, pw, 1, 'valid');
    expect(s.dataSync()).toEqual(ref.dataSync());
    checkGradients((a, b, c2) => separableConv2d(a, b, c2, 1, 'same'), [x, dw, pw], { atol: 5e-3 });
    expect(() => separableConv2d(x, dw, randomTensor([1, 1, 5, 4], rand), 1, 'same')).toThrow(
      /separableConv2d: pointwiseFilter must be \[1, 1, 6, outChannels\]/,
    );
    for (const t of [x, dw, pw, s, d, ref]) t.dispose();
  });

  it('rejects mismatched channels naming the op', () => {
    const x = tensor(new Float32Array(2 * 4 * 4 * 3), [2, 4, 4, 3]);
    const f = tensor(new Float32Array(3 * 3 * 2), [3, 3, 2, 1]);
    expect(() => depthwiseConv2d(x, f, 1, 'same')).toThrow(
      /depthwiseConv2d: input depth 3 does not match filter input depth 2/,
    );
    x.dispose();
    f.dispose();
  });
});

describe('depthwiseConv2d: threads', () => {
  for (const c of CASES.filter((k) => k.name.startsWith('larger'))) {
    it(`${c.name}: bitwise identical results for 1, 2 and 3 threads`, async () => {
      const rand = rng(12);
      const [xs, fs] = [randomArray(size(c.x), rand), randomArray(size(c.f), rand)];
      // stride 1, 'same': the output is x's shape with cin * mult channels
      const yShape = [c.x[0], c.x[1], c.x[2], c.f[2] * c.f[3]];
      const dys = randomArray(size(yShape), rand);
      await expectSameBitsOn(THREAD_COUNTS, () => {
        const [x, f, dy] = [tensor(xs, c.x), tensor(fs, c.f), tensor(dys, yShape)];
        const y = depthwiseConv2d(x, f, 1, 'same');
        const [dx, df] = grads((a, b) => sum(mul(depthwiseConv2d(a, b, 1, 'same'), dy)))([x, f]);
        return {
          y: y.dataSync() as Float32Array,
          dx: dx.dataSync() as Float32Array,
          df: df.dataSync() as Float32Array,
        };
      });
    });
  }
});
