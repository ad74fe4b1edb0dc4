// P4's first 50 training steps in Ferrite against PyTorch's (bench/pytorch/p4_steps.py,
// run first): the same initial weights, the same batches in order, dropout off, Keras's
// RMSprop on both sides. Prints the per-step loss differences and the largest difference
// of the first-layer kernel after the last step: equal formulas agree to float32 rounding
// until a ReLU near zero flips on one side, after which training drifts apart as any two
// float32 runs do.
//
//   /usr/bin/python3 bench/pytorch/p4_steps.py && npx tsx bench/p4-steps.ts [DIR]

import { readFileSync } from 'node:fs';
import * as fe from '../ts/index.js';

const dir = process.argv[2] ?? '/tmp/ferrite-p4-steps';
const read = (name: string) => readFileSync(`${dir}/${name}.bin`);
const f32 = (name: string) => {
  const b = read(name);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
const torchLosses = (() => {
  const b = read('losses');
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
})();

const steps = torchLosses.length;
const data = await fe.datasets.fashionMnist.load({
  flatten: true,
  normalize: true,
  trainSize: steps * 128,
  testSize: 1,
});
const model = fe.sequential({
  layers: [
    fe.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
    fe.layers.dropout({ rate: 0 }),
    fe.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
model.setWeights([
  fe.tensor(f32('init_w1'), [784, 512]),
  fe.tensor(f32('init_b1'), [512]),
  fe.tensor(f32('init_w2'), [512, 10]),
  fe.tensor(f32('init_b2'), [10]),
]);
model.compile({ optimizer: fe.train.rmsprop(0.001), loss: 'categoricalCrossentropy' });
const losses: number[] = [];
await model.fit(data.train.x, fe.oneHot(data.train.y, 10), {
  epochs: 1,
  batchSize: 128,
  shuffle: false,
  verbose: 0,
  callbacks: { onBatchEnd: async (_batch: number, logs?: fe.Logs) => void losses.push(logs!.loss) },
});
console.log('step  ferrite loss  pytorch loss  difference');
losses.forEach((l, i) =>
  console.log(
    `${String(i + 1).padStart(4)}  ${l.toFixed(6).padStart(12)}  ${torchLosses[i].toFixed(6).padStart(12)}  ${(l - torchLosses[i]).toExponential(1).padStart(10)}`,
  ),
);
const w = model.getWeights()[0].dataSync();
const tw = f32('final_w1');
let diff = 0;
let size = 0;
for (let i = 0; i < w.length; i++) {
  diff = Math.max(diff, Math.abs(w[i] - tw[i]));
  size = Math.max(size, Math.abs(tw[i]));
}
console.log(
  `first-layer kernel after ${steps} steps: max |difference| ${diff.toExponential(2)} (max |w| ${size.toFixed(4)})`,
);
