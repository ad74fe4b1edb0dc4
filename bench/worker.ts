// What background training costs over training in this thread: the Fashion-MNIST MLP
// (batch 32, Adam, one epoch over the same images per round) trained with `model.fit` here
// and with a worker trainer's `fit`, its data either sent with each fit (copied out of
// this thread and into the worker's memory every time) or put in the worker once
// (`trainer.putData`) and used by handle. Rounds interleaved; medians.
//
//   npx tsx bench/worker.ts        (about a minute)

import { ready, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import { mlp } from '../examples/fashion-mnist-mlp.js';
import { train } from '../ts/optimizers/index.js';
import { tensor } from '../ts/tensor/creation.js';
import { create } from '../ts/worker/index.js';
import { fmt, printTable, type Row } from './table.js';
import { timeInterleaved, warmUp, type Timed } from './timing.js';
import { trainingImages } from './training.js';
import { isMain } from './util.js';

export async function benchWorker(opts: { samples?: number; rounds?: number } = {}): Promise<Row[]> {
  const { samples = 19_200, rounds = 5 } = opts;
  const images = await trainingImages(samples);
  const build = threadsSupported() ? 'simd-threads' : 'simd';
  setThreadsCount(2);
  setBackendSync(build);
  await ready();
  const x = tensor(images.pixels.subarray(0, samples * 784), [samples, 28, 28]);
  const y = tensor(images.labels.subarray(0, samples), [samples], 'int32');
  const compile = () => {
    const m = mlp();
    m.compile({ optimizer: train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const here = compile();
  const [sending, resident] = [await create(compile()), await create(compile())];
  const fitArgs = { epochs: 1, batchSize: 32, verbose: 0 as const };
  const xs = await resident.putData({ data: images.pixels.slice(0, samples * 784), shape: [samples, 28, 28] });
  const ys = await resident.putData({ data: images.labels.slice(0, samples), shape: [samples] });
  const contenders: Timed[] = [
    {
      name: 'in this thread',
      before: () => setBackendSync(build),
      run: async () => void (await here.fit(x, y, fitArgs)),
    },
    {
      name: 'worker, data sent with each fit',
      // Fresh arrays: a fit transfers them away (the copy is part of what this measures).
      run: async () =>
        void (await sending.fit(
          { data: images.pixels.slice(0, samples * 784), shape: [samples, 28, 28] },
          { data: images.labels.slice(0, samples), shape: [samples] },
          fitArgs,
        )),
    },
    {
      name: 'worker, resident data (putData)',
      run: async () => void (await resident.fit(xs, ys, fitArgs)),
    },
  ];
  await warmUp(contenders, 1500);
  const t = await timeInterleaved(contenders, rounds);
  const base = t.get('in this thread')!.median;
  const rows: Row[] = contenders.map((c) => {
    const s = t.get(c.name)!.median;
    return {
      figure: `MLP fit, ${samples} samples: ${c.name}`,
      'samples/s': fmt(samples / s),
      'ms per fit': fmt(s * 1000),
      'overhead vs this thread': c.name === 'in this thread' ? '-' : `${(((s - base) / base) * 100).toFixed(1)} %`,
    };
  });
  const stats = await resident.residentStats();
  rows.push({
    figure: `bytes the resident worker received in ${rounds + 1}+ fits`,
    'samples/s': '-',
    'ms per fit': '-',
    'overhead vs this thread': `${(stats.bytesReceived / 2 ** 20).toFixed(1)} MiB (the data once)`,
  });
  sending.terminate();
  resident.terminate();
  here.dispose();
  x.dispose();
  y.dispose();
  return rows;
}

if (isMain(import.meta.url)) {
  benchWorker().then((rows) => {
    printTable(rows);
    process.exit(0);
  });
}
