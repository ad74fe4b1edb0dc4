// Validation of optimizer and schedule hyper-parameters.

/** Throws unless `v` is a finite number in [lo, hi] (or [lo, hi) when `hiOpen`). */
export function checkHyper(cls: string, name: string, v: number, lo = 0, hi = Infinity, hiOpen = false): void {
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= lo && (hiOpen ? v < hi : v <= hi);
  if (!ok) {
    const range = hi === Infinity ? `>= ${lo}` : `in [${lo}, ${hi}${hiOpen ? ')' : ']'}`;
    throw new Error(`ferrite: ${cls}: ${name} must be a number ${range}, got ${String(v)}`);
  }
}
