// What the benchmarks share besides timing and tables: the builds to compare, and seeded
// input data.

import { ready, relaxedSimdSupported, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { seededRandom } from '../ts/data/shuffle.js';
import { fmtRatio, type Row } from './table.js';

export { isMain } from '../examples/program.js';

/** A build of Ferrite to time, and its column or row label. */
export interface Build {
  build: BuildName;
  label: string;
  /** The threaded builds' pool size, set before each of its runs (see `onThreads`). */
  threads?: number;
}

/**
 * Ferrite's builds, slowest first: scalar, SIMD, and, where threads run, SIMD with a pool
 * of 2 threads (this machine has 2 cores), which this selects and starts. With `relaxed`,
 * and where the runtime has relaxed SIMD (Node 20: `node --experimental-wasm-relaxed-simd
 * --import tsx bench/...`), each SIMD build is followed by its relaxed variant.
 * With `oneThread`, the threaded build also runs on a pool of 1 ('simd x1'): what the
 * threaded build costs, and what the second thread buys, measured side by side.
 */
export async function buildsToCompare({ relaxed = false, oneThread = false } = {}): Promise<Build[]> {
  const withRelaxed = relaxed && relaxedSimdSupported();
  const builds: Build[] = [
    { build: 'scalar', label: 'scalar' },
    { build: 'simd', label: 'simd' },
    ...(withRelaxed ? [{ build: 'simd-relaxed' as const, label: 'relaxed' }] : []),
  ];
  if (threadsSupported()) {
    setThreadsCount(2);
    for (const build of withRelaxed ? (['simd-threads', 'simd-threads-relaxed'] as const) : ['simd-threads' as const]) {
      setBackendSync(build);
      await ready();
    }
    if (oneThread) builds.push({ build: 'simd-threads', label: 'simd x1', threads: 1 });
    builds.push({ build: 'simd-threads', label: 'simd x2', threads: 2 });
    if (withRelaxed) builds.push({ build: 'simd-threads-relaxed', label: 'relaxed x2', threads: 2 });
  }
  if (relaxed && !withRelaxed) {
    console.log('(no relaxed SIMD in this runtime: run Node 20 with --experimental-wasm-relaxed-simd to compare it)');
  }
  return builds;
}

/** `contender` with its build's thread count set before each run (one build may run on 1 and on 2 threads). */
export function onThreads<C extends { run: () => void }>(build: Build, contender: C): C {
  const { threads } = build;
  if (threads === undefined) return contender;
  return {
    ...contender,
    run: () => {
      setThreadsCount(threads);
      contender.run();
    },
  };
}

/** The relaxed builds' speed over their plain counterparts' (`relaxed/simd`, `relaxed x2/simd x2`), for a table row. */
export function relaxedRatios(builds: Build[], rate: (label: string) => number | undefined): Row {
  const row: Row = {};
  for (const [relaxed, plain] of [
    ['relaxed', 'simd'],
    ['relaxed x2', 'simd x2'],
  ]) {
    if (builds.some((b) => b.label === relaxed)) row[`${relaxed}/${plain}`] = fmtRatio(rate(relaxed), rate(plain));
  }
  return row;
}

/** `n` seeded uniform values in [lo, hi): inputs whose values do not matter to the speed, the same on every run. */
export function randomData(n: number, seed: number, lo = -0.5, hi = 0.5): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
