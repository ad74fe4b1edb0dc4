// Warm start: a fresh page or worker trains its first epoch slowly. Two engines warm up
// at once: V8 runs a fresh wasm module's kernels on baseline code (Liftoff) and recompiles
// hot functions with TurboFan in the background, and it does the same with the library's
// own JavaScript (the tape, the layers, the fit loop). In Node, with every kernel compiled
// eagerly (--no-liftoff), the MLP's first fit still ran at ~0.6 of its fifth: the
// JavaScript's share fell from 130 to 20 ms per fit over three fits, the kernels' from 226
// to 118 ms over five. `warmUp` trains two throwaway models (an MLP and a small CNN) on
// random data with `fit` for a short time, so that both get hot before the user's first
// epoch; on a pool of several threads it forces every kernel to split, so that the
// workers' side runs too. bench/warm-start-browser.ts measures what it buys in Chromium.

import { engine, ready } from '../backend/engine.js';
import * as layers from '../layers/index.js';
import { sequential } from '../models/sequential.js';
import { randomState, restoreRandomState, randomUniform } from '../ops/random.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LayersModel } from '../models/layers-model.js';

/** Options of `warmUp`. */
export interface WarmUpOptions {
  /** How long to train the throwaway models, in milliseconds (at least one step each). Default 400. */
  milliseconds?: number;
}

/**
 * What `warmUp` did.
 *
 * @example
 * ```ts
 * const { steps, milliseconds } = await fe.warmUp({ milliseconds: 50 });
 * console.log(`${steps} warm-up steps in ${milliseconds.toFixed(0)} ms`);
 * ```
 */
export interface WarmUpReport {
  /** Training steps run (both models together). */
  steps: number;
  /** Wall time spent, in milliseconds. */
  milliseconds: number;
}

const BATCH = 32;
/** Batch size of the warm-up fits: four steps per fit of the BATCH samples. */
const WARM_UP_BATCH = 8;

/** The two throwaway models with a batch of random data each (labels in [0, 10)). */
function warmUpModels(): { model: LayersModel; x: Tensor; y: Tensor }[] {
  const compile = (m: LayersModel) => {
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const labels = () =>
    tensor(
      Int32Array.from({ length: BATCH }, (_, i) => i % 10),
      [BATCH],
      'int32',
    );
  const mlp = compile(
    sequential({
      layers: [
        layers.flatten({ inputShape: [8, 8] }),
        layers.dense({ units: 64, activation: 'relu' }),
        layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
  );
  const cnn = compile(
    sequential({
      layers: [
        layers.conv2d({ inputShape: [10, 10, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.flatten(),
        layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
  );
  return [
    { model: mlp, x: randomUniform([BATCH, 8, 8], 0, 1, 'float32', 1), y: labels() },
    { model: cnn, x: randomUniform([BATCH, 10, 10, 1], 0, 1, 'float32', 2), y: labels() },
  ];
}

/**
 * Loads the backend (as `ready()`) and brings the kernels of a training step to the
 * engine's optimised code before the first epoch, by training two small throwaway models
 * on random data for `milliseconds`. Leaves no tensors behind and does not move the
 * global random stream (seeded programs draw what they would without it).
 *
 * Worth it in browsers, where a fresh module runs its first seconds of training on
 * baseline code; in Node the gain is smaller. `worker.create(model, {warmUp: true})`
 * does the same in a training worker.
 *
 * @example
 * ```ts
 * await fe.warmUp({ milliseconds: 100 }); // instead of (or after) await fe.ready()
 * const model = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [4] })] });
 * model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * await model.fit(fe.ones([32, 4]), fe.zeros([32, 1]), { epochs: 1, verbose: 0 }); // the kernels are already optimised
 * ```
 */
export async function warmUp(options: WarmUpOptions = {}): Promise<WarmUpReport> {
  const budget = options.milliseconds ?? 400;
  if (!(budget >= 0) || !Number.isFinite(budget))
    throw new Error(`ferrite: warmUp: milliseconds must be a finite number >= 0, got ${String(budget)}`);
  await ready();
  const start = performance.now();
  const saved = randomState();
  const runs = warmUpModels();
  let steps = 0;
  // On a pool of several threads every kernel splits during the warm-up, however small its
  // work: the pool's workers call a kernel's body through its function pointer, a wasm
  // function of its own that the engine only optimises once it has run there often enough.
  const eng = engine();
  const splitting = eng.threads() > 1;
  if (splitting) eng.core.fe_debug_force_split(1);
  try {
    do {
      // Through `fit` (batches of 8, shuffled), not trainOnBatch: a fit's JavaScript (batch
      // gathers, scopes, callbacks, epoch totals) warms up as much as the kernels do. With
      // every kernel compiled eagerly by TurboFan (node --no-liftoff), the MLP's first fit
      // still ran at half the speed of the fifth: the engine's JIT of the library's own code.
      for (const r of runs) {
        await r.model.fit(r.x, r.y, { epochs: 1, batchSize: WARM_UP_BATCH, verbose: 0 });
        steps += BATCH / WARM_UP_BATCH;
      }
    } while (performance.now() - start < budget);
  } finally {
    if (splitting) eng.core.fe_debug_force_split(0);
    for (const r of runs) {
      r.model.dispose();
      r.x.dispose();
      r.y.dispose();
    }
    restoreRandomState(saved);
  }
  return { steps, milliseconds: performance.now() - start };
}
