// Running the example programs (examples/*.ts) in the end-to-end tests.

import { expect } from 'vitest';
import { memory, setRandomSeed, type History } from '../../ts/index.js';
import type { TrainingOptions } from '../../examples/program.js';

/** What a training program's `main` returns (each adds its own fields). */
export interface ProgramResult {
  data: string;
  testLoss: number;
  testAccuracy: number;
  history: History;
}

/**
 * Runs a training program for one silent epoch on Fashion-MNIST from a fixed seed (the
 * initial weights and the shuffles, so the run is reproducible); checks that it trained on
 * Fashion-MNIST for one epoch and left no tensor behind, and returns its result.
 */
export async function oneEpochOnFashionMnist<R extends ProgramResult>(
  main: (opts: TrainingOptions) => Promise<R>,
): Promise<R> {
  setRandomSeed(1);
  const before = memory().numTensors;
  const r = await main({ epochs: 1, verbose: 0, log: () => {} });
  expect(r.data).toBe('fashion-mnist');
  expect(r.history.history.loss).toHaveLength(1);
  expect(memory().numTensors).toBe(before);
  return r;
}
