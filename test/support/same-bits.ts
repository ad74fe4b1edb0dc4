// Determinism checks: the kernels split their work over fixed partitions, so neither the
// thread count nor (where the test says so) the build may change a single bit.

import { expect } from 'vitest';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { BUILDS, buildLabel, scoped, selectBuild, type BuildConfig } from './helpers.js';

/** The threaded build's configurations in BUILDS (1, 2 and 3 threads). */
export const THREAD_COUNTS: BuildConfig[] = BUILDS.filter((b) => b.build === 'simd-threads');

/** Asserts that two float32 arrays hold the same bits (stricter than equal values: -0 is not 0, NaNs must match). */
export function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  expect(bytes(actual).equals(bytes(expected)), what).toBe(true);
}

/**
 * Runs `outputs` (in a tidy scope) on each configuration in turn and asserts that every
 * run gives the bits of the first. Leaves the last configuration selected.
 */
export async function expectSameBitsOn(
  configs: BuildConfig[],
  outputs: () => Float32Array[] | Record<string, Float32Array>,
): Promise<void> {
  let first: [string, Float32Array][] | undefined;
  for (const config of configs) {
    await selectBuild(config);
    const got = Object.entries(scoped(outputs));
    if (first === undefined) first = got;
    else got.forEach(([name, v], k) => expectSameBits(v, first![k][1], `${name} on ${buildLabel(config)}`));
  }
}

/**
 * For determinism tests inside describeEachBuild, which sees one configuration at a
 * time: returns a check that records each named result on the first configuration and
 * asserts that every later one gives the same bits.
 */
export function sameBitsAsFirstBuild(): (cases: [string, () => Tensor][], where: string) => void {
  const first = new Map<string, Float32Array>();
  return (cases, where) => {
    for (const [name, f] of cases) {
      const got = scoped(() => f().dataSync() as Float32Array);
      const expected = first.get(name);
      if (expected === undefined) first.set(name, got);
      else expectSameBits(got, expected, `${name} on ${where}`);
    }
  };
}
