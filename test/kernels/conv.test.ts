import { describe, expect, it } from 'vitest';
import {
  checkGradients,
  describeEachBuild,
  expectClose,
  randomArray,
  randomTensor,
  rng,
  scoped,
} from '../support/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { eachTap, sizeOf, windows, type Windows } from '../support/references.js';
import { engine, setBackendSync } from '../../ts/backend/engine.js';
import { grads } from '../../ts/autograd/tape.js';
import { tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { relu } from '../../ts/ops/activations.js';
import {
  conv2d,
  conv2dBackpropFilter,
  conv2dBackpropInput,
  fusedConv2d,
  geometryParams,
  windowGeometry,
  type Padding,
} from '../../ts/ops/conv.js';

// ---- float64 reference --------------------------------------------------------------

/** The windows of a convolution, and its output channels. */
interface ConvGeom extends Windows {
  cout: number;
}

function geom(
  xShape: readonly number[],
  fShape: readonly number[],
  strides: [number, number],
  pad: Padding,
  dil: [number, number],
): ConvGeom {
  return { ...windows(xShape, [fShape[0], fShape[1]], strides, pad, dil), cout: fShape[3] };
}

/**
 * Calls f(yi, xi, fi) for every product of the convolution, y[yi] += x[xi] * filter[fi]
 * (flat NHWC offsets into y and x, HWIO into the filter). The forward pass and both
 * gradients are this one sum, accumulated into a different operand.
 */
function eachProduct(g: ConvGeom, f: (yi: number, xi: number, fi: number) => void): void {
  eachTap(g, (b, oh, ow, i, j, ih, iw) => {
    const yo = ((b * g.ho + oh) * g.wo + ow) * g.cout;
    const xo = ((b * g.h + ih) * g.w + iw) * g.c;
    for (let ci = 0; ci < g.c; ci++) {
      const fo = ((i * g.kw + j) * g.c + ci) * g.cout;
      for (let co = 0; co < g.cout; co++) f(yo + co, xo + ci, fo + co);
    }
  });
}

function refForward(g: ConvGeom, x: ArrayLike<number>, f: ArrayLike<number>): Float64Array {
  const y = new Float64Array(g.n * g.ho * g.wo * g.cout);
  eachProduct(g, (yi, xi, fi) => (y[yi] += x[xi] * f[fi]));
  return y;
}

function refGradInput(g: ConvGeom, dy: ArrayLike<number>, f: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(g.n * g.h * g.w * g.c);
  eachProduct(g, (yi, xi, fi) => (dx[xi] += dy[yi] * f[fi]));
  return dx;
}

function refGradFilter(g: ConvGeom, x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const df = new Float64Array(g.kh * g.kw * g.c * g.cout);
  eachProduct(g, (yi, xi, fi) => (df[fi] += x[xi] * dy[yi]));
  return df;
}

// ---- cases -----------------------------------------------------------------------------

interface Case {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: [number, number];
  pad: Padding;
  dil?: [number, number];
}

const CASES: Case[] = [
  { name: '3x3 valid, odd sizes', x: [2, 7, 9, 3], f: [3, 3, 3, 5], strides: [1, 1], pad: 'valid' },
  { name: '3x3 same, stride 2', x: [3, 8, 7, 5], f: [3, 3, 5, 6], strides: [2, 2], pad: 'same' },
  { name: '1x1 (a plain GEMM)', x: [2, 5, 3, 6], f: [1, 1, 6, 7], strides: [1, 1], pad: 'valid' },
  { name: '1x1 stride 2', x: [2, 7, 7, 3], f: [1, 1, 3, 5], strides: [2, 2], pad: 'same' },
  { name: '3x3 dilation 2, same', x: [2, 9, 8, 3], f: [3, 3, 3, 5], strides: [1, 1], pad: 'same', dil: [2, 2] },
  {
    name: '2x3 kernel, strides [2, 1], explicit pad',
    x: [2, 6, 7, 4],
    f: [2, 3, 4, 3],
    strides: [2, 1],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { name: 'batch 1, window = image', x: [1, 5, 5, 1], f: [5, 5, 1, 7], strides: [1, 1], pad: 'valid' },
  { name: 'stride 3 same, depth 6 -> 9', x: [2, 4, 4, 6], f: [3, 3, 6, 9], strides: [3, 3], pad: 'same' },
  { name: 'number pad 1, 4x4 kernel, stride 2', x: [1, 6, 5, 2], f: [4, 4, 2, 3], strides: [2, 2], pad: 1 },
  {
    name: 'strides and dilation together',
    x: [2, 11, 10, 2],
    f: [3, 2, 2, 3],
    strides: [2, 3],
    pad: 'same',
    dil: [2, 3],
  },
  // Several im2col chunks and filter-gradient slices (the threaded paths).
  { name: 'deep patches: 5 chunks, 4 slices', x: [3, 10, 10, 64], f: [3, 3, 64, 8], strides: [1, 1], pad: 'same' },
  {
    name: 'MNIST CNN layer 1 shape (cin 1): 3 chunks',
    x: [12, 28, 28, 1],
    f: [3, 3, 1, 4],
    strides: [1, 1],
    pad: 'valid',
  },
  // Images larger than a chunk: the input gradient cuts each image into several GEMMs.
  { name: 'large images: 4 chunks per image', x: [2, 14, 14, 64], f: [3, 3, 64, 3], strides: [1, 1], pad: 'same' },
  // The direct kernels (cin <= 4): 13 channels = one full block of 8 and a 4 + 1 tail,
  // 11 output columns = two blocks of 4 pixels and 3 single ones, 'same' padding on all sides.
  {
    name: 'direct (cin 2): cout 13, same, ragged blocks',
    x: [3, 9, 11, 2],
    f: [3, 3, 2, 13],
    strides: [1, 1],
    pad: 'same',
  },
];

function dataFor(c: Case, seed: number) {
  const rand = rng(seed);
  const g = geom(c.x, c.f, c.strides, c.pad, c.dil ?? [1, 1]);
  const xs = randomArray(sizeOf(c.x), rand);
  const fs = randomArray(sizeOf(c.f), rand);
  const dys = randomArray(g.n * g.ho * g.wo * g.cout, rand);
  return { g, xs, fs, dys };
}

/** Outputs of the op under test: y, dx, df (all through autograd). */
function runOp(c: Case, xs: Float32Array, fs: Float32Array, dys: Float32Array) {
  return scoped(() => {
    const x = tensor(xs, c.x);
    const f = tensor(fs, c.f);
    const fn = (a: Tensor, b: Tensor) => conv2d(a, b, c.strides, c.pad, 'NHWC', c.dil ?? 1);
    const y = fn(x, f);
    const [dx, df] = grads(fn)([x, f], tensor(dys, y.shape));
    return {
      yShape: y.shape,
      y: y.dataSync() as Float32Array,
      dx: dx.dataSync() as Float32Array,
      df: df.dataSync() as Float32Array,
    };
  });
}

describeEachBuild('conv2d', () => {
  for (const c of CASES) {
    it(`forward and gradients match the float64 reference: ${c.name}`, () => {
      const { g, xs, fs, dys } = dataFor(c, 11);
      const out = runOp(c, xs, fs, dys);
      expect(out.yShape).toEqual([g.n, g.ho, g.wo, g.cout]);
      const depth = c.f[0] * c.f[1] * c.f[2];
      const tol = 2e-6 * Math.sqrt(depth) + 1e-6;
      expectClose(out.y, refForward(g, xs, fs), 1e-5, tol, 'y');
      expectClose(out.dx, refGradInput(g, dys, fs), 1e-5, tol * 2, 'dx');
      expectClose(out.df, refGradFilter(g, xs, dys), 1e-5, 2e-6 * Math.sqrt(g.n * g.ho * g.wo) + 1e-6, 'dfilter');
    });
  }

  it('matches the direct-loop kernel of the core (the exported naive reference)', () => {
    const eng = engine();
    for (const c of [CASES[1], CASES[5], CASES[9], CASES[13]]) {
      const { xs, fs, dys } = dataFor(c, 5);
      const out = runOp(c, xs, fs, dys);
      tidy(() => {
        const x = tensor(xs, c.x);
        const f = tensor(fs, c.f);
        const dy = tensor(dys, out.yShape);
        const y = tensor(new Float32Array(out.y.length), out.yShape);
        const dx = tensor(new Float32Array(xs.length), c.x);
        const df = tensor(new Float32Array(fs.length), c.f);
        const wg = windowGeometry('test', c.x, [c.f[0], c.f[1]], c.f[3], c.strides, c.pad, c.dil ?? 1);
        eng.core.fe_conv2d_forward_naive(geometryParams(eng, wg), x.ptr, f.ptr, y.ptr);
        eng.core.fe_conv2d_backward_input_naive(geometryParams(eng, wg), dy.ptr, f.ptr, dx.ptr);
        eng.core.fe_conv2d_backward_filter_naive(geometryParams(eng, wg), x.ptr, dy.ptr, df.ptr);
        expectClose(out.y, y.dataSync(), 1e-5, 1e-5, 'y');
        expectClose(out.dx, dx.dataSync(), 1e-5, 1e-5, 'dx');
        expectClose(out.df, df.dataSync(), 1e-5, 1e-5, 'dfilter');
      });
    }
  });

  it('gradients match finite differences (x and filter)', () => {
    for (const c of [CASES[1], CASES[4], CASES[5], CASES[8]]) {
      const rand = rng(3);
      const x = randomTensor(c.x, rand);
      const f = randomTensor(c.f, rand);
      checkGradients((a, b) => conv2d(a, b, c.strides, c.pad, 'NHWC', c.dil ?? 1), [x, f], { atol: 5e-3 });
      x.dispose();
      f.dispose();
    }
  });

  it('takes a rank-3 input as one image', () => {
    const { xs, fs } = dataFor(CASES[1], 2);
    tidy(() => {
      const [, h, w, cin] = CASES[1].x;
      const one = xs.subarray(0, h * w * cin);
      const y3 = conv2d(tensor(one, [h, w, cin]), tensor(fs, CASES[1].f), 2, 'same');
      const y4 = conv2d(tensor(one, [1, h, w, cin]), tensor(fs, CASES[1].f), 2, 'same');
      expect(y3.shape).toEqual(y4.shape.slice(1));
      expect(Array.from(y3.dataSync())).toEqual(Array.from(y4.dataSync()));
    });
  });

  // CASES[13] takes the direct kernel, whose bias and relu are applied in registers.
  for (const c of [CASES[1], CASES[13]]) {
    it(`fusedConv2d: bias and relu fused equal conv2d, then bias, then relu (values and gradients): ${c.name}`, () => {
      const { xs, fs } = dataFor(c, 9);
      const rand = rng(10);
      const bs = randomArray(c.f[3], rand);
      tidy(() => {
        const x = tensor(xs, c.x);
        const f = tensor(fs, c.f);
        const b = tensor(bs, [c.f[3]]);
        const fused = (p: Tensor, q: Tensor, r: Tensor) =>
          fusedConv2d({ x: p, filter: q, strides: c.strides, pad: c.pad, bias: r, activation: 'relu' });
        // The same function through the generic path: kernel without activation, then the relu op.
        const composed = (p: Tensor, q: Tensor, r: Tensor) =>
          fusedConv2d({ x: p, filter: q, strides: c.strides, pad: c.pad, bias: r, activation: (t) => relu(t) });
        const y = fused(x, f, b);
        const yc = composed(x, f, b);
        // conv2d + bias on the JS side.
        const z = conv2d(x, f, c.strides, c.pad).dataSync();
        const expected = z.map((v, i) => Math.max(v + bs[i % c.f[3]], 0));
        expectClose(y.dataSync(), expected, 1e-6, 1e-6, 'fused y');
        expect(Array.from(yc.dataSync())).toEqual(Array.from(y.dataSync()));
        const dy = randomTensor([...y.shape], rand);
        const g1 = grads(fused)([x, f, b], dy);
        const g2 = grads(composed)([x, f, b], dy);
        for (let k = 0; k < 3; k++) expectClose(g1[k].dataSync(), g2[k].dataSync(), 1e-6, 1e-6, `gradient ${k}`);
        // The bias gradient is the sum of dy where the output is positive.
        const yv = y.dataSync();
        const dyv = dy.dataSync();
        const db = new Float64Array(c.f[3]);
        for (let i = 0; i < yv.length; i++) if (yv[i] > 0) db[i % c.f[3]] += dyv[i];
        expectClose(g1[2].dataSync(), db, 1e-5, 1e-5, 'dbias');
      });
    });
  }

  it('fusedConv2d gradients match finite differences (linear with bias; sigmoid after the kernel)', () => {
    const c = CASES[5];
    const rand = rng(4);
    const x = randomTensor(c.x, rand);
    const f = randomTensor(c.f, rand);
    const b = randomTensor([c.f[3]], rand);
    checkGradients((p, q, r) => fusedConv2d({ x: p, filter: q, strides: c.strides, pad: c.pad, bias: r }), [x, f, b], {
      atol: 5e-3,
    });
    checkGradients(
      (p, q, r) => fusedConv2d({ x: p, filter: q, strides: c.strides, pad: c.pad, bias: r, activation: 'sigmoid' }),
      [x, f, b],
      { atol: 5e-3 },
    );
    for (const t of [x, f, b]) t.dispose();
  });

  it('conv2dBackpropInput and conv2dBackpropFilter equal the autograd gradients', () => {
    const c = CASES[9];
    const { xs, fs, dys } = dataFor(c, 8);
    const out = runOp(c, xs, fs, dys);
    tidy(() => {
      const dy = tensor(dys, out.yShape);
      const dx = conv2dBackpropInput(c.x, dy, tensor(fs, c.f), c.strides, c.pad, c.dil);
      const df = conv2dBackpropFilter(tensor(xs, c.x), dy, c.f, c.strides, c.pad, c.dil);
      expect(Array.from(dx.dataSync())).toEqual(Array.from(out.dx));
      expect(Array.from(df.dataSync())).toEqual(Array.from(out.df));
    });
  });

  it('leaks neither tensors nor kernel scratch', () => {
    const c = CASES[10];
    const { xs, fs, dys } = dataFor(c, 1);
    expectNoLeaks(() => {
      runOp(c, xs, fs, dys);
      tidy(() => {
        fusedConv2d({
          x: tensor(xs, c.x),
          filter: tensor(fs, c.f),
          strides: 1,
          pad: 'same',
          bias: tensor(new Float32Array(8), [8]),
          activation: 'relu',
        });
      });
    });
  });
});

describe('conv2d: padding and shapes', () => {
  it("'same' padding is TF's: out = ceil(in / stride), the odd cell at the end", () => {
    const pads: [number, number, number, number][] = []; // size, k, s, d
    for (const size of [1, 2, 5, 6, 7, 28])
      for (const k of [1, 2, 3, 4, 5]) for (const s of [1, 2, 3]) for (const d of [1, 2]) pads.push([size, k, s, d]);
    for (const [size, k, s, d] of pads) {
      const g = windowGeometry('t', [1, size, size, 1], k, 1, s, 'same', d);
      const out = Math.ceil(size / s);
      const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
      expect([g.outHeight, g.padTop, g.padBottom]).toEqual([out, Math.floor(total / 2), total - Math.floor(total / 2)]);
    }
    // Worked examples: 5 wide, 3x3, stride 2 -> 3 outputs, one cell each side;
    // 6 wide -> 3 outputs, the single padding cell at the bottom.
    expect(windowGeometry('t', [1, 5, 5, 1], 3, 1, 2, 'same')).toMatchObject({ outHeight: 3, padTop: 1, padBottom: 1 });
    expect(windowGeometry('t', [1, 6, 6, 1], 3, 1, 2, 'same')).toMatchObject({ outHeight: 3, padTop: 0, padBottom: 1 });
  });

  it('gives clear errors', () => {
    setBackendSync('simd');
    const x = tensor(new Float32Array(8 * 28 * 28 * 3), [8, 28, 28, 3]);
    const f = tensor(new Float32Array(3 * 3 * 32), [3, 3, 1, 32]);
    expect(() => conv2d(x, f, 1, 'same')).toThrow(
      'ferrite: conv2d: input depth 3 does not match filter input depth 1 (x [8, 28, 28, 3], filter [3, 3, 1, 32])',
    );
    const f3 = tensor(new Float32Array(3 * 3 * 3 * 4), [3, 3, 3, 4]);
    expect(() => conv2d(tensor(new Float32Array(28 * 3), [28, 3]), f3, 1, 'same')).toThrow(
      /conv2d: x must have rank 4/,
    );
    expect(() => conv2d(x, tensor(new Float32Array(12), [3, 4]), 1, 'same')).toThrow(/conv2d: filter must have rank 4/);
    expect(() => conv2d(x, f3, 0, 'same')).toThrow(/conv2d: strides must be a positive integer/);
    expect(() => conv2d(x, f3, 1, 'same', 'NHWC', [1, 1.5] as never)).toThrow(/conv2d: dilations/);
    expect(() => conv2d(x, f3, 1, 'full' as never)).toThrow(/conv2d: pad must be 'valid', 'same'/);
    expect(() => conv2d(x, f3, 1, 'same', 'NCHW' as never)).toThrow(/only dataFormat 'NHWC'/);
    expect(() => conv2d(tensor(new Float32Array(2 * 2 * 3), [1, 2, 2, 3]), f3, 1, 'valid')).toThrow(
      /conv2d: the 3x3 window does not fit in the 2x2 padded input \(x \[1, 2, 2, 3\], pad 'valid'\)/,
    );
    expect(() =>
      fusedConv2d({ x, filter: f3, strides: 1, pad: 'same', bias: tensor(new Float32Array(3), [3]) }),
    ).toThrow('ferrite: fusedConv2d: bias must have shape [4]');
    expect(() => conv2d(tensor(new Int32Array(8 * 28 * 28 * 3), [8, 28, 28, 3]), f3, 1, 'same')).toThrow(
      /conv2d: x must be float32/,
    );
    for (const t of [x, f, f3]) t.dispose();
  });
});

describe('conv2d: threads', () => {
  it('gives bitwise identical results for 1, 2 and 3 threads (and the single-threaded SIMD build)', async () => {
    const cases = [CASES[10], CASES[11], CASES[12], CASES[1], CASES[13]];
    await expectSameBitsOn([...THREAD_COUNTS, { build: 'simd', threads: 1 }], () => {
      const outputs: Record<string, Float32Array> = {};
      for (const c of cases) {
        const { xs, fs, dys } = dataFor(c, 21);
        const out = runOp(c, xs, fs, dys);
        for (const key of ['y', 'dx', 'df'] as const) outputs[`${c.name}: ${key}`] = out[key];
      }
      return outputs;
    });
  });
});
