// fit, evaluate and predict take what TF.js programs pass them: int32 inputs into a
// float32 model (cast, as TF.js does), oneHot's int32 targets; evaluate's loss counts
// activity-regularizer penalties as the training loss does (Keras).

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { describeEachBuild } from '../support/helpers.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

const KERNEL = [0.5, -0.3, 0.2, 0.1, 0.4, 0.6];

/** A dense softmax model with fixed weights, trained one epoch on int32 x and oneHot y. */
async function trainOn(lib: typeof fe | typeof TF): Promise<number[]> {
  const t = lib as typeof TF;
  const m = t.sequential({ layers: [t.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
  const w = [t.tensor2d(KERNEL, [2, 3]), t.zeros([3])];
  m.setWeights(w);
  t.dispose(w);
  const optimizer = t.train.sgd(0.1);
  m.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = t.tensor2d([1, 2, -1, 0, 3, -2, 0, 1], [4, 2], 'int32');
  const y = t.tidy(() => t.oneHot(t.tensor1d([2, 0, 1, 1], 'int32'), 3));
  const h = await m.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
  const ev = m.evaluate(x, y) as TF.Scalar[];
  const pred = m.predict(x) as TF.Tensor;
  const out = [...h.history.loss, ...h.history.acc, ...ev.map((e) => e.dataSync()[0]), ...pred.dataSync()] as number[];
  t.dispose([x, y, pred, ...ev]);
  m.dispose();
  optimizer.dispose();
  return out;
}

describeEachBuild('fit on TF.js dtypes', () => {
  it('trains on int32 x and oneHot (int32) y as TF.js does, without leaks', async () => {
    const before = fe.memory().numTensors;
    const ours = await trainOn(fe);
    expect(fe.memory().numTensors).toBe(before);
    const theirs = await trainOn(tf);
    expect(ours.length).toBe(theirs.length);
    ours.forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(theirs[i], 5));
  });

  it('casts float32 ids for an int32 Embedding input', () => {
    const m = fe.sequential({ layers: [fe.layers.embedding({ inputDim: 4, outputDim: 2, inputLength: 2 })] });
    fe.tidy(() => {
      const got = (m.predict(fe.tensor2d([1, 3], [1, 2])) as fe.Tensor).arraySync();
      const want = (m.predict(fe.tensor2d([1, 3], [1, 2], 'int32')) as fe.Tensor).arraySync();
      expect(got).toEqual(want);
    });
    m.dispose();
  });

  it("evaluate's loss includes activity-regularizer penalties, as the training loss does", async () => {
    const make = (activityRegularizer?: fe.regularizers.Regularizer) => {
      const m = fe.sequential({
        layers: [fe.layers.dense({ units: 3, inputShape: [2], activityRegularizer })],
      });
      fe.tidy(() => m.setWeights([fe.tensor2d(KERNEL, [2, 3]), fe.zeros([3])]));
      m.compile({ optimizer: fe.train.sgd(0), loss: 'meanSquaredError' });
      return m;
    };
    const x = fe.tensor2d([1, 2, -1, 0, 3, -2], [3, 2]);
    const y = fe.zeros([3, 3]);
    const plain = make();
    const reg = make(fe.regularizers.l2({ l2: 0.5 }));
    const evalOf = (m: fe.LayersModel) => {
      const t = m.evaluate(x, y, { batchSize: 3 }) as fe.Tensor;
      const v = t.dataSync()[0];
      t.dispose();
      return v;
    };
    const trained = (await reg.trainOnBatch(x, y)) as number;
    expect(evalOf(reg)).toBeGreaterThan(evalOf(plain) + 0.1);
    expect(evalOf(reg)).toBeCloseTo(trained, 5);
    fe.dispose([x, y]);
    plain.dispose();
    reg.dispose();
  });
});
