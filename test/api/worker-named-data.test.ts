// Background training of a two-input, two-output model with data keyed by input and
// output name (TF.js's NamedTensorMap), as model.fit takes it: the same training as with
// lists in the model's order; wrong names and out-of-range labels are refused before any
// array is transferred.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import type { Trainer, TensorData } from '../../ts/worker/index.js';
import { rng } from '../support/helpers.js';

const N = 32;

/** in_a [3] and in_b [2] -> concatenate -> dense 8 tanh -> 'cls' (3-class softmax) and 'reg' (1 value). */
function twoByTwo(): fe.LayersModel {
  fe.setRandomSeed(3);
  const a = fe.input({ shape: [3], name: 'in_a' });
  const b = fe.input({ shape: [2], name: 'in_b' });
  const h = fe.layers.dense({ units: 8, activation: 'tanh' }).apply(fe.layers.concatenate().apply([a, b]));
  const cls = fe.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h);
  const reg = fe.layers.dense({ units: 1, name: 'reg' }).apply(h);
  const m = fe.model({ inputs: [a, b], outputs: [cls, reg] as fe.SymbolicTensor[] });
  m.compile({
    optimizer: 'sgd',
    loss: { cls: 'sparseCategoricalCrossentropy', reg: 'meanSquaredError' },
    metrics: { cls: ['accuracy'] },
  });
  return m;
}

/** Fresh arrays each call (a fit transfers them away). */
function data(): { xa: TensorData; xb: TensorData; yc: TensorData; yr: TensorData } {
  const rand = rng(7);
  const xa = Float32Array.from({ length: N * 3 }, () => rand() * 2 - 1);
  const xb = Float32Array.from({ length: N * 2 }, () => rand() * 2 - 1);
  const yc = Int32Array.from({ length: N }, (_, i) => (xa[3 * i] + xb[2 * i] > 0 ? 1 : xa[3 * i + 1] > 0 ? 2 : 0));
  const yr = Float32Array.from({ length: N }, (_, i) => xa[3 * i + 2] - xb[2 * i + 1]);
  return {
    xa: { data: xa, shape: [N, 3] },
    xb: { data: xb, shape: [N, 2] },
    yc: { data: yc, shape: [N] },
    yr: { data: yr, shape: [N, 1] },
  };
}

const values = (ts: fe.Tensor[]): number[][] => ts.map((t) => Array.from(t.dataSync()));

describe('background training with name-keyed x and y', () => {
  let m: fe.LayersModel;
  let byList: Trainer;
  let byName: Trainer;
  beforeAll(async () => {
    m = twoByTwo();
    [byList, byName] = await Promise.all([fe.worker.create(m), fe.worker.create(m)]);
  });
  afterAll(() => {
    byList.terminate();
    byName.terminate();
    m.dispose();
  });

  it('fit, evaluate and predict by name equal the same calls with lists in the model’s order', async () => {
    const args = { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 as const };
    const l = data();
    const n = data();
    const h1 = await byList.fit([l.xa, l.xb], [l.yc, l.yr], args);
    const h2 = await byName.fit({ in_b: n.xb, in_a: n.xa }, { reg: n.yr, cls: n.yc }, args);
    expect(Object.keys(h2.history).sort()).toEqual(['cls_acc', 'cls_loss', 'loss', 'reg_loss']);
    expect(h2.history).toEqual(h1.history);
    const [w1, w2] = [await byList.getWeights(), await byName.getWeights()];
    expect(values(w2)).toEqual(values(w1));
    expect(values(w1)).not.toEqual(values(m.getWeights()));

    const e = data();
    const e2 = data();
    const r1 = await byList.evaluate([e.xa, e.xb], [e.yc, e.yr]);
    const r2 = await byName.evaluate({ in_a: e2.xa, in_b: e2.xb }, { cls: e2.yc, reg: e2.yr });
    expect(r2).toEqual(r1);
    const p = data();
    const p2 = data();
    const [o1, o2] = [
      (await byList.predict([p.xa, p.xb])) as fe.Tensor[],
      (await byName.predict({ in_a: p2.xa, in_b: p2.xb })) as fe.Tensor[],
    ];
    expect(values(o2)).toEqual(values(o1));
    [...w1, ...w2, ...o1, ...o2].forEach((t) => t.dispose());
  });

  it('refuses unknown or missing names and out-of-range labels before transferring anything', async () => {
    const d = data();
    await expect(byName.fit({ in_a: d.xa, zzz: d.xb }, { cls: d.yc, reg: d.yr })).rejects.toThrow(
      /model_\d+: fit: x names input 'zzz', but the model's inputs are in_a, in_b/,
    );
    await expect(byName.fit({ in_a: d.xa, in_b: d.xb }, { cls: d.yc })).rejects.toThrow(
      /model_\d+: fit: y has no tensor for output 'reg'/,
    );
    (d.yc.data as Int32Array)[5] = 3;
    await expect(byName.fit({ in_a: d.xa, in_b: d.xb }, { cls: d.yc, reg: d.yr })).rejects.toThrow(
      /model_\d+: fit: y\[0\] \(output cls\) holds label 3 at sample 5, but the output has 3 classes/,
    );
    for (const t of [d.xa, d.xb, d.yc, d.yr])
      expect(t.data.length, 'not transferred away').toBe(t.shape[0] * (t.shape[1] ?? 1));
  });
});
