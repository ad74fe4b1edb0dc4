// Linear scales with "nice" ticks: steps of 1, 2 or 5 times a power of ten, and a domain
// widened to whole steps, so axes read 0.2, 0.4, 0.6 rather than 0.213, 0.426.

export interface NiceAxis {
  /** The domain, widened to multiples of `step`. */
  min: number;
  max: number;
  step: number;
  ticks: number[];
  /** Decimals that show every tick exactly. */
  decimals: number;
}

/**
 * Nice ticks covering [lo, hi] with about `count` intervals. `integer` keeps steps
 * whole (epochs). A degenerate range (lo = hi) is widened around its value.
 */
export function niceAxis(lo: number, hi: number, count = 5, integer = false): NiceAxis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = integer ? 1 : lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  if (integer) step = Math.max(1, Math.round(step));
  const decimals = integer ? 0 : Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  // Rounded to the step's decimals: 3.4, not 3.4000000000000004.
  const min = Number((Math.floor(lo / step + 1e-9) * step).toFixed(decimals));
  const max = Number((Math.ceil(hi / step - 1e-9) * step).toFixed(decimals));
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step * 1e-9; i++) ticks.push(Number((min + i * step).toFixed(decimals)));
  return { min, max, step, ticks, decimals };
}

/** Maps [d0, d1] onto [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}
