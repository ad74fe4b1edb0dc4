// Naive TypeScript references shared by the tests: for the general tensor ops, every
// element computed on its own in float64 from its N-d index; for convolution and pooling,
// the geometry of a sliding window.
//
// The shape arithmetic here (broadcasting, index <-> offset, TF's padding rules) restates
// what ts/ops/util.ts, ts/ops/conv.ts (windowGeometry) and the kernels do, on purpose: an
// oracle that called the code under test would agree with it when both are wrong. It is
// written the plain way (one index at a time, no strides, no checks) so that it is easy
// to trust by reading.

import type { Padding } from '../../ts/ops/conv.js';

export type Shape = readonly number[];

export const sizeOf = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** The multi-index of flat position `i` in `shape`. */
export function unravel(i: number, shape: Shape): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: Shape): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + idx[d];
  return flat;
}

export function broadcastShape(a: Shape, b: Shape): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    return da === 1 ? db : da;
  });
}

/** Position in a tensor of `shape` read by output index `idx` under broadcasting. */
export function broadcastIndex(idx: readonly number[], shape: Shape): number {
  const lead = idx.length - shape.length;
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + (shape[d] === 1 ? 0 : idx[d + lead]);
  return flat;
}

export function binaryRef(
  f: (a: number, b: number) => number,
  a: ArrayLike<number>,
  aShape: Shape,
  b: ArrayLike<number>,
  bShape: Shape,
): { data: Float32Array; shape: number[] } {
  const shape = broadcastShape(aShape, bShape);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    data[i] = f(a[broadcastIndex(idx, aShape)], b[broadcastIndex(idx, bShape)]);
  }
  return { data, shape };
}

/** Reduction over the axes in `mask` (float64 accumulation), keepDims shape. */
export function reduceRef(
  x: ArrayLike<number>,
  shape: Shape,
  mask: readonly boolean[],
  init: number,
  step: (acc: number, v: number) => number,
): { data: Float64Array; keepShape: number[] } {
  const keepShape = shape.map((d, i) => (mask[i] ? 1 : d));
  const data = new Float64Array(sizeOf(keepShape)).fill(init);
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    const o = ravel(
      idx.map((v, d) => (mask[d] ? 0 : v)),
      keepShape,
    );
    data[o] = step(data[o], x[i]);
  }
  return { data, keepShape };
}

/** A seeded random shape of `rank` dims drawn from `dims`. */
export function randomShape(rand: () => number, rank: number, dims: readonly number[] = [1, 2, 3, 5, 7]): number[] {
  return Array.from({ length: rank }, () => dims[Math.floor(rand() * dims.length)]);
}

/** A shape that broadcasts to `out`: some leading dims dropped, some dims set to 1. */
export function broadcastableTo(rand: () => number, out: Shape): number[] {
  const drop = Math.floor(rand() * (out.length + 1) * 0.6);
  return out.slice(drop).map((d) => (rand() < 0.3 ? 1 : d));
}

// ---- sliding windows (conv2d, pooling), with their own reading of TF's padding rules ----

/** A window sliding over NHWC images: input sizes, window, strides, dilations, leading padding, output size. */
export interface Windows {
  n: number;
  h: number;
  w: number;
  /** Input channels. */
  c: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Padding before the first row and column. */
  pt: number;
  pl: number;
  ho: number;
  wo: number;
}

/** TF's output size and leading padding along one spatial dimension (0: height, 1: width). */
function tfPadding(
  pad: Padding,
  dim: 0 | 1,
  size: number,
  k: number,
  s: number,
  d: number,
): { before: number; out: number } {
  const span = (k - 1) * d + 1;
  if (pad === 'same') {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + span - size, 0);
    return { before: Math.floor(total / 2), out };
  }
  const [before, after] = pad === 'valid' ? [0, 0] : typeof pad === 'number' ? [pad, pad] : pad[dim + 1];
  return { before, out: Math.floor((size + before + after - span) / s) + 1 };
}

/** The windows of a `kernel`-sized window over images of shape `x` [n, h, w, c]. */
export function windows(
  x: readonly number[],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  pad: Padding,
  dilations: readonly [number, number] = [1, 1],
): Windows {
  const [n, h, w, c] = x;
  const [kh, kw] = kernel;
  const rows = tfPadding(pad, 0, h, kh, strides[0], dilations[0]);
  const cols = tfPadding(pad, 1, w, kw, strides[1], dilations[1]);
  return {
    n,
    h,
    w,
    c,
    kh,
    kw,
    sh: strides[0],
    sw: strides[1],
    dh: dilations[0],
    dw: dilations[1],
    pt: rows.before,
    pl: cols.before,
    ho: rows.out,
    wo: cols.out,
  };
}

/**
 * Calls f(b, oh, ow, i, j, ih, iw) for every tap (cell i, j of the window of output pixel
 * b, oh, ow) that lands inside the image at ih, iw; in row-major order of all six indices.
 */
export function eachTap(
  g: Windows,
  f: (b: number, oh: number, ow: number, i: number, j: number, ih: number, iw: number) => void,
): void {
  for (let b = 0; b < g.n; b++)
    for (let oh = 0; oh < g.ho; oh++)
      for (let ow = 0; ow < g.wo; ow++)
        for (let i = 0; i < g.kh; i++) {
          const ih = oh * g.sh + i * g.dh - g.pt;
          if (ih < 0 || ih >= g.h) continue;
          for (let j = 0; j < g.kw; j++) {
            const iw = ow * g.sw + j * g.dw - g.pl;
            if (iw >= 0 && iw < g.w) f(b, oh, ow, i, j, ih, iw);
          }
        }
}
