// Determinism checks: the kernels split their work over fixed partitions, so neither the
// thread count nor (where the test says so) the build may change a single bit.

import { expect } from 'vitest';
import { getBackend } from '../../ts/backend/engine.js';
import { isRelaxedBuild, isThreadedBuild } from '../../ts/backend/wasm-files.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { BUILDS, buildLabel, scoped, selectBuild, type BuildConfig } from './helpers.js';

/** The threaded builds' configurations in BUILDS (1, 2 and 3 threads; relaxed ones where the runtime has them). */
export const THREAD_COUNTS: BuildConfig[] = BUILDS.filter((b) => isThreadedBuild(b.build));

/** Asserts that two float32 arrays hold the same bits (stricter than equal values: -0 is not 0, NaNs must match). */
export function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  expect(bytes(actual).equals(bytes(expected)), what).toBe(true);
}

/**
 * Runs `outputs` (in a tidy scope) on each configuration in turn and asserts that every
 * run gives the bits of the first; a relaxed-SIMD configuration, the bits of the first
 * relaxed one (their multiply-adds may be fused: they differ from the plain builds in the
 * last bits). Leaves the last configuration selected.
 */
export async function expectSameBitsOn(
  configs: BuildConfig[],
  outputs: () => Float32Array[] | Record<string, Float32Array>,
): Promise<void> {
  const firsts = new Map<boolean, [string, Float32Array][]>();
  for (const config of configs) {
    await selectBuild(config);
    const got = Object.entries(scoped(outputs));
    const first = firsts.get(isRelaxedBuild(config.build));
    if (first === undefined) firsts.set(isRelaxedBuild(config.build), got);
    else got.forEach(([name, v], k) => expectSameBits(v, first[k][1], `${name} on ${buildLabel(config)}`));
  }
}

/**
 * For determinism tests inside describeEachBuild, which sees one configuration at a
 * time: returns a check that records each named result on the first configuration and
 * asserts that every later one gives the same bits (a relaxed-SIMD build's, the bits of
 * the first relaxed one: its fused multiply-adds may round differently).
 */
export function sameBitsAsFirstBuild(): (cases: [string, () => Tensor][], where: string) => void {
  const first = new Map<string, Float32Array>();
  return (cases, where) => {
    const family = isRelaxedBuild(getBackend()) ? 'relaxed' : 'plain';
    for (const [name, f] of cases) {
      const got = scoped(() => f().dataSync() as Float32Array);
      const expected = first.get(`${family} ${name}`);
      if (expected === undefined) first.set(`${family} ${name}`, got);
      else expectSameBits(got, expected, `${name} on ${where}`);
    }
  };
}
