// What the benchmarks share besides timing and tables: the builds to compare, and seeded
// input data.

import { ready, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { seededRandom } from '../ts/data/shuffle.js';

export { isMain } from '../examples/program.js';

/** A build of Ferrite to time, and its column or row label. */
export interface Build {
  build: BuildName;
  label: string;
}

/**
 * Ferrite's builds, slowest first: scalar, SIMD, and, where threads run, SIMD with a pool
 * of 2 threads (this machine has 2 cores), which this selects and starts.
 */
export async function buildsToCompare(): Promise<Build[]> {
  const builds: Build[] = [
    { build: 'scalar', label: 'scalar' },
    { build: 'simd', label: 'simd' },
  ];
  if (threadsSupported()) {
    setThreadsCount(2);
    setBackendSync('simd-threads');
    await ready();
    builds.push({ build: 'simd-threads', label: 'simd x2' });
  }
  return builds;
}

/** `n` seeded uniform values in [lo, hi): inputs whose values do not matter to the speed, the same on every run. */
export function randomData(n: number, seed: number, lo = -0.5, hi = 0.5): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
