// Shared timing helpers for the benchmarks: warm-up, interleaved repetition, median and
// best, and table printing.
//
// Why interleave: this machine's 2 cores are shared, and its speed drifts with whatever
// else runs. Timing contender A for a minute and then B for a minute lets that drift
// land on one of them; running A, B, C, A, B, C, ... spreads it over all, and the
// median of the rounds discards the rounds that were hit hardest.

export type Row = Record<string, string | number>;

/** Something to time: `run` does one unit of work (possibly async). */
export interface Timed {
  name: string;
  run: () => void | Promise<void>;
  /** Called once before each of its rounds, untimed (e.g. to select a backend). */
  before?: () => void | Promise<void>;
}

export interface RoundTimes {
  /** Seconds per round, in the order run. */
  seconds: number[];
  median: number;
  best: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs each contender's `run` repeatedly until `ms` milliseconds have passed (at least
 * `minRuns` times), untimed: V8 first runs wasm and JS in baseline tiers and swaps in
 * optimised code later, so unwarmed timings can be several times too slow.
 */
export async function warmUp(contenders: readonly Timed[], ms: number, minRuns = 1): Promise<void> {
  for (const c of contenders) {
    await c.before?.();
    const deadline = performance.now() + ms;
    for (let i = 0; i < minRuns || performance.now() < deadline; i++) await c.run();
  }
}

/**
 * Times `rounds` rounds; in each round every contender runs once, in turn. Returns each
 * contender's round times with their median and best.
 */
export async function timeInterleaved(contenders: readonly Timed[], rounds: number): Promise<Map<string, RoundTimes>> {
  const seconds = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      await c.before?.();
      const t0 = performance.now();
      await c.run();
      seconds.get(c.name)!.push((performance.now() - t0) / 1000);
    }
  }
  const out = new Map<string, RoundTimes>();
  for (const [name, s] of seconds) out.set(name, { seconds: s, median: median(s), best: Math.min(...s) });
  return out;
}

/** A number with about three significant digits: 12,345 / 123 / 12.3 / 1.23. */
export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** A ratio as '3.4x'. */
export function fmtRatio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || !(b > 0) ? '-' : `${fmt(a / b)}x`;
}

/** Prints rows as an aligned table: the first column left-aligned, the others right-aligned. */
export function printTable(rows: readonly Row[], print: (line: string) => void = console.log): void {
  if (rows.length === 0) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (r: Row, c: string) => String(r[c] ?? '-');
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (cells: string[]) =>
    cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  print(line(cols));
  print(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) print(line(cols.map((c) => cell(r, c))));
}

/** Whether the calling module is the program being run (pass `import.meta.url`). */
export function isMain(moduleUrl: string): boolean {
  if (typeof process === 'undefined' || !process.argv?.[1]) return false;
  return moduleUrl === new URL(process.argv[1], `file://${process.cwd()}/`).href;
}
