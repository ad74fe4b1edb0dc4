// A page as a user writes it: imports the installed package by name, trains a tiny model
// on the page's thread, then in the background worker (the threaded build when the page
// is cross-origin isolated). The bundler (Vite or esbuild) resolves everything else.
import * as fe from 'ferrite-nn';

async function run() {
  await fe.ready();
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
  const page = await model.fit(x, y, { epochs: 20, batchSize: 4, verbose: 0 });
  const trainer = await fe.worker.create(model);
  try {
    const worker = await trainer.fit(x, y, { epochs: 20, batchSize: 4 });
    return {
      pageBackend: fe.getBackend(),
      pageLoss: page.history.loss,
      workerBackend: trainer.backend,
      workerThreads: trainer.threads,
      workerIsolated: trainer.crossOriginIsolated,
      workerLoss: worker.history.loss,
    };
  } finally {
    trainer.terminate();
  }
}

window.result = run().catch((e) => ({ error: String((e && e.stack) || e) }));
