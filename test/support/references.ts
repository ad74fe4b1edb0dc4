// Naive TypeScript references for the general tensor ops (tests only): every element
// computed on its own in float64 from its N-d index, then rounded to float32.

export type Shape = readonly number[];

export const sizeOf = (s: Shape): number => s.reduce((a, b) => a * b, 1);

export function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

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
