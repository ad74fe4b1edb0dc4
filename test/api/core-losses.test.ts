// fe.losses is TF.js's tf.losses: the same functions, arguments, reductions and values
// (against TF.js's cpu backend), differentiable inside training loops.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { describeEachBuild } from '../support/helpers.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

type Lib = typeof fe;
const LABELS = [
  [1, 0, 0],
  [0, 1, 0],
];
const PREDICTIONS = [
  [0.7, 0.2, 0.1],
  [0.3, 0.5, 0.2],
];
const LOGITS = [
  [2, -1, 0.5],
  [-0.3, 1.2, 3],
];

// Each case calls one loss in either library, with weights (none, a number, [2, 1]) and a reduction.
const CASES: [string, (t: Lib, w: unknown, r: number) => fe.Tensor][] = [
  [
    'absoluteDifference',
    (t, w, r) => t.losses.absoluteDifference(t.tensor2d(LABELS), t.tensor2d(PREDICTIONS), w as never, r),
  ],
  [
    'meanSquaredError',
    (t, w, r) => t.losses.meanSquaredError(t.tensor2d(LABELS), t.tensor2d(PREDICTIONS), w as never, r),
  ],
  ['huberLoss', (t, w, r) => t.losses.huberLoss(t.tensor2d(LABELS), t.tensor2d(LOGITS), w as never, 1.5, r)],
  ['logLoss', (t, w, r) => t.losses.logLoss(t.tensor2d(LABELS), t.tensor2d(PREDICTIONS), w as never, 1e-7, r)],
  ['hingeLoss', (t, w, r) => t.losses.hingeLoss(t.tensor2d(LABELS), t.tensor2d(LOGITS), w as never, r)],
  [
    'cosineDistance',
    (t, w, r) => t.losses.cosineDistance(t.tensor2d(LABELS), t.tensor2d(PREDICTIONS), 1, w as never, r),
  ],
  [
    'sigmoidCrossEntropy',
    (t, w, r) => t.losses.sigmoidCrossEntropy(t.tensor2d(LABELS), t.tensor2d(LOGITS), w as never, 0.1, r),
  ],
  [
    'softmaxCrossEntropy',
    (t, w, r) => t.losses.softmaxCrossEntropy(t.tensor2d(LABELS), t.tensor2d(LOGITS), w as never, 0.2, r),
  ],
];

describeEachBuild('losses (tf.losses)', () => {
  it('match TF.js for every loss, weighting and reduction', () => {
    const weightings: [string, (t: Lib) => unknown][] = [
      ['none', () => undefined],
      ['number', () => 0.5],
      ['per row', (t) => t.tensor2d([[2], [0]])],
    ];
    for (const [name, run] of CASES) {
      for (const [wName, w] of weightings) {
        for (const r of [0, 1, 2, 3]) {
          const what = `${name}, weights ${wName}, reduction ${r}`;
          const before = fe.memory().numTensors;
          fe.tidy(() => {
            const ours = run(fe, w(fe), r);
            const theirs = tf.tidy(() => run(tf as unknown as Lib, w(tf as unknown as Lib), r) as never) as TF.Tensor;
            expect(ours.shape, what).toEqual(theirs.shape);
            const b = theirs.dataSync();
            Array.from(ours.dataSync()).forEach((v, i) => expect(v, what).toBeCloseTo(b[i], 5));
            theirs.dispose();
          });
          expect(fe.memory().numTensors, `${what} leaks`).toBe(before);
        }
      }
    }
  });

  it('reduce to a scalar by default and train a core-API loop', () => {
    fe.tidy(() => {
      expect(fe.losses.Reduction.SUM_BY_NONZERO_WEIGHTS).toBe(3);
      const w = fe.variable(fe.scalar(0));
      const xs = fe.tensor2d([[1], [2], [3]]);
      const ys = fe.tensor2d([[2], [4], [6]]);
      const opt = fe.train.sgd(0.05);
      for (let i = 0; i < 100; i++) opt.minimize(() => fe.losses.meanSquaredError(ys, xs.mul(w)));
      expect(w.dataSync()[0]).toBeCloseTo(2, 3);
      w.dispose();
    });
  });

  it('name the loss and the shapes on a mismatch', () => {
    fe.tidy(() => {
      expect(() => fe.losses.meanSquaredError(fe.zeros([2]), fe.zeros([3]))).toThrow(
        /losses.meanSquaredError: labels \[2\] and predictions \[3\]/,
      );
    });
  });
});
