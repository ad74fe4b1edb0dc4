// A TypeScript consumer of the installed package, type-checked with `tsc --strict`.
import * as fe from 'ferrite-nn';
import { sequential, layers, type LayersModel, type Tensor } from 'ferrite-nn';

const model: LayersModel = sequential({ layers: [layers.dense({ units: 3, inputShape: [4], activation: 'softmax' })] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const x: Tensor = fe.randomNormal([8, 4]);
const y: Tensor = fe.oneHot(fe.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);

export async function train(): Promise<number[]> {
  await fe.ready();
  const history = await model.fit(x, y, { epochs: 2, batchSize: 4, validationSplit: 0.25 });
  const loss: number[] = history.history.loss.map(Number);
  const trainer = await fe.worker.create(model);
  await trainer.fit(x, y, { epochs: 1, onEpochEnd: (epoch: number) => void epoch });
  trainer.terminate();
  return loss;
}

// @ts-expect-error: units must be a number
layers.dense({ units: 'three' });
