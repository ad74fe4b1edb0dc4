// Views of wasm memory taken before a call that grows it: growing an unshared memory (the
// scalar and simd builds) detaches them, so a stale view reads nothing and writes nowhere
// without an error (oneHot and sample once did this). Two nets:
//   - the API functions that read or write tensors through views give the same results
//     when every allocation and kernel call detaches the views first (test/support/detach.ts);
//   - scripts/lint-views.mjs (part of npm run lint) flags the pattern in the source.
// The sizes that make a real growth happen are in the ops' own tests (oneHot in
// test/api/tensor.test.ts, sample in test/kernels/sampling.test.ts).

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { engine } from '../../ts/backend/engine.js';
import { withDetachingCalls } from '../support/detach.js';
import { BUILDS, buildLabel, randomArray, rng, selectBuild } from '../support/helpers.js';
import { isThreadedBuild } from '../../ts/backend/wasm-files.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** The values of a tensor (or of each in a list), copied out; the tensors are disposed. */
function values(t: fe.Tensor | fe.Tensor[]): number[][] {
  const ts = Array.isArray(t) ? t : [t];
  const out = ts.map((x) => Array.from(x.dataSync()));
  fe.dispose(ts);
  return out;
}

function probabilities(rows: number, n: number, seed: number): fe.Tensor {
  return fe.tidy(() => fe.softmax(fe.tensor(randomArray(rows * n, rng(seed), -3, 3), [rows, n])));
}

/** Each case makes its inputs, runs the function and returns plain values (no tensor is left). */
const CASES: [string, () => number[][] | Promise<number[][]>][] = [
  ['sample, no top-k cut', () => fe.tidy(() => values(fe.sample(probabilities(4, 50, 1), { seed: 3 })))],
  [
    'sample with topK',
    () => fe.tidy(() => values(fe.sample(probabilities(4, 50, 2), { topK: 5, temperature: 0.7, seed: 4 }))),
  ],
  ['sample, greedy', () => fe.tidy(() => values(fe.sample(probabilities(4, 50, 3), { temperature: 0 })))],
  ['multinomial', () => fe.tidy(() => values(fe.multinomial(probabilities(3, 20, 4), 8, 5, true)))],
  ['topk', () => fe.tidy(() => values(Object.values(fe.topk(probabilities(3, 20, 5), 4))))],
  ['oneHot', () => fe.tidy(() => values(fe.oneHot(fe.tensor1d([2, 0, 4, 1], 'int32'), 6)))],
  ['toCategorical', () => fe.tidy(() => values(fe.toCategorical(fe.tensor1d([2, 0, 3], 'int32'), 5)))],
  [
    'cast to int32 and bool',
    () => fe.tidy(() => values([1, 2].map((_, i) => fe.cast(fe.tensor1d([0, 1.6, -2.4]), i ? 'bool' : 'int32')))),
  ],
  [
    'bincount and denseBincount',
    () =>
      fe.tidy(() => {
        const x = fe.tensor2d(
          [
            [0, 1, 1],
            [3, 3, 2],
          ],
          undefined,
          'int32',
        );
        const w = fe.tensor2d([
          [0.5, 1, 2],
          [1, 1, 3],
        ]);
        return values([fe.bincount(fe.reshape(x, [6]), fe.reshape(w, [6]), 4), fe.denseBincount(x, w, 4)]);
      }),
  ],
  [
    'logSumExp',
    () =>
      fe.tidy(() =>
        values(
          fe.logSumExp(
            fe.tensor2d([
              [1, 2, 3],
              [Infinity, 0, 1],
            ]),
            1,
          ),
        ),
      ),
  ],
  ['eye', () => values(fe.eye(3, 4))],
  ['tensor() from another tensor’s view', () => fe.tidy(() => values(fe.tensor(fe.range(0, 6).view(), [2, 3])))],
  ['rescale', () => fe.tidy(() => values(fe.rescale(fe.tensor1d([0, 128, 255]), 1 / 127.5, -1)))],
  ['orthogonal initializer', () => values(fe.initializers.orthogonal({ seed: 6 }).apply([5, 3]))],
  [
    'metrics',
    () =>
      fe.tidy(() => {
        const t = fe.tensor2d([
          [0, 1, 0],
          [1, 0, 0],
          [0, 0, 1],
        ]);
        const p = fe.tensor2d([
          [0.2, 0.5, 0.3],
          [0.1, 0.6, 0.3],
          [0.3, 0.3, 0.4],
        ]);
        return values([
          fe.metrics.auc(fe.reshape(t, [9]), fe.reshape(p, [9])),
          fe.metrics.r2Score(t, p),
          fe.metrics.categoricalAccuracy(t, p),
          fe.metrics.topKCategoricalAccuracy(t, p, 2),
          fe.metrics.macroF1(t, p),
        ]);
      }),
  ],
  [
    'a seeded fit (data checks, masks, metrics, optimizer state)',
    async () => {
      fe.setRandomSeed(7);
      const model = fe.sequential({
        layers: [
          fe.layers.embedding({ inputDim: 6, outputDim: 4, inputLength: 3, maskZero: true }),
          fe.layers.lstm({ units: 4 }),
          fe.layers.batchNormalization(),
          fe.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      const optimizer = fe.train.adam(0.05);
      model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const x = fe.tensor2d(
        [
          [1, 2, 0],
          [3, 4, 5],
          [5, 1, 1],
          [2, 2, 2],
        ],
        undefined,
        'int32',
      );
      const y = fe.tensor1d([0, 1, 2, 1], 'int32');
      await model.fit(x, y, { epochs: 3, batchSize: 2, seed: 8, verbose: 0 });
      const out = values(model.getWeights()); // copies
      fe.dispose([x, y]);
      model.dispose();
      optimizer.dispose();
      return out;
    },
  ],
  [
    'masked recurrent training with dropout on a noise shape, optimizer state saved and restored',
    async () => {
      fe.setRandomSeed(9);
      const model = fe.sequential({
        layers: [
          fe.layers.masking({ maskValue: 0, inputShape: [4, 3] }),
          fe.layers.dropout({ rate: 0.3, noiseShape: [null, 1, null], seed: 10 }),
          fe.layers.simpleRNN({ units: 5 }),
          fe.layers.dense({ units: 2 }),
        ],
      });
      const optimizer = fe.train.rmsprop(0.01);
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const x = fe.tensor(randomArray(6 * 4 * 3, rng(11)), [6, 4, 3]);
      const y = fe.tensor(randomArray(6 * 2, rng(12)), [6, 2]);
      const zeroStep = fe.tidy(() => fe.mul(x, fe.tensor([1, 1, 0, 1], [1, 4, 1]))); // step 2 masked
      await model.fit(zeroStep, y, { epochs: 2, batchSize: 3, seed: 13, verbose: 0 });
      const state = await optimizer.getWeights();
      await optimizer.setWeights(state);
      await model.fit(zeroStep, y, { epochs: 1, batchSize: 3, seed: 14, verbose: 0 });
      const out = [...values(model.getWeights()), ...values(state.map((s) => s.tensor))];
      fe.dispose([x, y, zeroStep]);
      model.dispose();
      optimizer.dispose();
      return out;
    },
  ],
];

for (const config of BUILDS.filter((c) => !isThreadedBuild(c.build))) {
  describe(`views across growth [${buildLabel(config)}]`, () => {
    it.each(CASES)('%s gives the same values when every call detaches the views', async (_, run) => {
      await selectBuild(config);
      const before = fe.memory().numTensors;
      const plain = await run();
      const detached = await withDetachingCalls(engine(), run);
      expect(detached).toEqual(plain);
      expect(fe.memory().numTensors).toBe(before);
    });
  });
}

describe('scripts/lint-views.mjs', () => {
  it('flags each stale view of the fixture and none of the fresh ones', () => {
    const r = spawnSync(process.execPath, ['scripts/lint-views.mjs', 'test/faults/stale-views.fixture.ts'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    const flagged = [...r.stderr.matchAll(/^test\/faults\/stale-views\.fixture\.ts:\d+:\d+: (\S+) is a view/gm)];
    expect(flagged.map((m) => m[1])).toEqual(["'idx'", "'f32'", "'u'", "'v'", 'out.view()', "'w'", "'a'"]);
    expect(r.stderr).toMatch(/lint-views: 7 stale views of wasm memory/);
  });
});
