// Timing for the benchmarks: warm-up, and interleaved rounds reduced to their median
// (and best).
//
// Why interleave: this machine's 2 cores are shared, and its speed drifts with whatever
// else runs. Timing contender A for a minute and then B for a minute lets that drift
// land on one of them; running A, B, C, A, B, C, ... spreads it over all, and the
// median of the rounds discards the rounds that were hit hardest.

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

/** The smallest of `xs` (a loop: spreading a million fast calls' times into Math.min overflows the stack). */
export function smallest(xs: readonly number[]): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
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
  for (const [name, s] of seconds) out.set(name, { seconds: s, median: median(s), best: smallest(s) });
  return out;
}

/** Something synchronous to time (one kernel or op call), and what to free afterwards. */
export interface Contender {
  name: string;
  run: () => void;
  dispose: () => void;
}

/** Runs every contender in turn, round after round, until `ms` milliseconds have passed. */
export function warmUpTogether(contenders: readonly Contender[], ms: number): void {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) for (const c of contenders) c.run();
}

/**
 * Median milliseconds per run of each contender, timed interleaved: each sample repeats
 * `run` enough to last about 25 ms, and rounds go through the contenders in turn until each
 * has its samples (3 to 9 within `budgetMs`). A call of a second or more gets as many
 * samples as fit in the budget, at least one, and its timed first call counts as one, so
 * that a slow contender is not run more than needed.
 */
export function medianMsPerRun(contenders: readonly Contender[], budgetMs: number): Map<string, number> {
  const plans = contenders.map((c) => {
    let t0 = performance.now();
    c.run();
    let once = performance.now() - t0;
    if (once >= 1000) {
      const samples = Math.max(1, Math.min(9, Math.floor(budgetMs / once)));
      return { c, reps: 1, samples, times: [once] };
    }
    t0 = performance.now(); // the first call warmed this contender up: time a second one
    c.run();
    once = Math.max(performance.now() - t0, 1e-3);
    const reps = Math.max(1, Math.round(25 / once));
    const samples = Math.max(3, Math.min(9, Math.floor(budgetMs / (reps * once))));
    return { c, reps, samples, times: [] as number[] };
  });
  while (plans.some((p) => p.times.length < p.samples)) {
    for (const p of plans) {
      if (p.times.length >= p.samples) continue;
      const t0 = performance.now();
      for (let i = 0; i < p.reps; i++) p.c.run();
      p.times.push((performance.now() - t0) / p.reps);
    }
  }
  return new Map(plans.map((p) => [p.c.name, median(p.times)]));
}

/** A contender that computes `flops` floating-point operations per run. */
export interface FlopsContender extends Contender {
  flops: number;
}

/** GFLOP/s of each contender from its median time (see medianMsPerRun). */
export function gflopsPerSecond(contenders: readonly FlopsContender[], budgetMs: number): Map<string, number> {
  const ms = medianMsPerRun(contenders, budgetMs);
  return new Map(contenders.map((c) => [c.name, c.flops / (ms.get(c.name)! * 1e6)]));
}

/**
 * Median and best milliseconds per call of each contender, from single calls interleaved
 * round after round for `ms` milliseconds (at least `minRounds` rounds). On a machine loaded
 * by other processes the median drifts with the load; the best call of many is the speed
 * the code reaches when it gets a core, and a ratio of bests compares like with like.
 */
export function callTimes(
  contenders: readonly Contender[],
  ms: number,
  minRounds = 5,
): Map<string, { median: number; best: number }> {
  const times = contenders.map(() => [] as number[]);
  const deadline = performance.now() + ms;
  for (let r = 0; r < minRounds || performance.now() < deadline; r++) {
    contenders.forEach((c, k) => {
      const t0 = performance.now();
      c.run();
      times[k].push(performance.now() - t0);
    });
  }
  return new Map(contenders.map((c, k) => [c.name, { median: median(times[k]), best: smallest(times[k]) }]));
}
