// Float64 references of the losses, per row of (rows, cols) data (labels t, predictions or
// logits p), and of softmax: what the fused loss kernels are checked against.

export const EPS = 1e-7;

/** Softmax (or log-softmax) of x seen as (outer, n, inner) over n. */
export function softmaxRef(x: ArrayLike<number>, outer: number, n: number, inner: number, log = false): number[] {
  const y = new Array<number>(x.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const at = (k: number) => o * n * inner + k * inner + j;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, x[at(k)]);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(x[at(k)] - m);
      for (let k = 0; k < n; k++) y[at(k)] = log ? x[at(k)] - m - Math.log(s) : Math.exp(x[at(k)] - m) / s;
    }
  }
  return y;
}

export type RowFn = (t: number[], p: number[]) => number;
/** Applies a per-row reference to (rows, cols) data. */
export function perRow(t: ArrayLike<number>, p: ArrayLike<number>, rows: number, cols: number, f: RowFn): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    out.push(f(Array.from(t).slice(r * cols, r * cols + cols), Array.from(p).slice(r * cols, r * cols + cols)));
  }
  return out;
}
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const clip = (q: number) => Math.min(Math.max(q, EPS), 1 - EPS);
export const REF: Record<string, RowFn> = {
  mse: (t, p) => mean(p.map((v, j) => (v - t[j]) ** 2)),
  mae: (t, p) => mean(p.map((v, j) => Math.abs(v - t[j]))),
  huber: (t, p) => mean(p.map((v, j) => (Math.abs(v - t[j]) <= 1 ? 0.5 * (v - t[j]) ** 2 : Math.abs(v - t[j]) - 0.5))),
  bce: (t, p) => mean(p.map((v, j) => -(t[j] * Math.log(clip(v)) + (1 - t[j]) * Math.log(1 - clip(v))))),
  bceLogits: (t, x) => mean(x.map((v, j) => Math.max(v, 0) - v * t[j] + Math.log1p(Math.exp(-Math.abs(v))))),
  cce: (t, p) => {
    const s = p.reduce((a, b) => a + b, 0);
    return -p.reduce((acc, v, j) => acc + t[j] * Math.log(clip(v / s)), 0);
  },
  softmaxCe: (t, x) => {
    const ls = softmaxRef(x, 1, x.length, 1, true);
    return -t.reduce((acc, v, j) => acc + v * ls[j], 0);
  },
};
