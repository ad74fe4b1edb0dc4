// A page's own module worker: imports the installed package from its file, trains a tiny
// model with the best build the worker allows (threads: the page is cross-origin isolated).
import * as fe from '/node_modules/ferrite-nn/dist/index.mjs';

async function run() {
  await fe.ready();
  fe.setRandomSeed(1);
  const model = fe.sequential({
    layers: [
      fe.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }),
      fe.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: fe.train.adam(0.1), loss: 'binaryCrossentropy' });
  const x = fe.tensor2d([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const y = fe.tensor2d([[0], [1], [1], [0]]);
  const h = await model.fit(x, y, { epochs: 20, batchSize: 4, verbose: 0 });
  return { backend: fe.getBackend(), threads: fe.getThreadsCount(), loss: h.history.loss };
}

run().then(
  (r) => postMessage(r),
  (e) => postMessage({ error: String((e && e.stack) || e) }),
);
