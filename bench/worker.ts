// What background training costs over training in this thread: the Fashion-MNIST MLP
// (batch 32, Adam, one epoch over the same images per round) trained with `model.fit` here
// and with a worker trainer's `fit`, its data either sent with each fit (copied out of
// this thread and into the worker's memory every time) or put in the worker once
// (`trainer.putData`) and used by handle, with and without an onBatchEnd callback (the
// worker forwards batch events in bursts). Rounds interleaved; the overhead is given on
// the medians and on the best rounds: on this shared 2-core machine a round that other
// processes hit (a thread pool whose helper is descheduled waits for it) moves medians of
// 5 rounds by 10 % or more, while the best rounds show the work itself. A second table
// gives the fixed cost of one fit call (one batch): the messages, not the training. Last,
// `trainer.fitDataset` against `model.fitDataset` here on the same batches of 32, sliced
// from the images by a generator: the batches stream to the worker as it trains.
//
//   npx tsx bench/worker.ts        (about two minutes)

import { ready, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import { mlp } from '../examples/fashion-mnist-mlp.js';
import { train } from '../ts/optimizers/index.js';
import { tensor } from '../ts/tensor/creation.js';
import { slice } from '../ts/ops/index.js';
import { generator } from '../ts/data/dataset-sources.js';
import { create } from '../ts/worker/index.js';
import { fmt, printTable, type Row } from './table.js';
import { timeInterleaved, warmUp, type Timed } from './timing.js';
import { trainingImages } from './training.js';
import { isMain } from './util.js';

export async function benchWorker(opts: { samples?: number; rounds?: number } = {}): Promise<Row[]> {
  const { samples = 19_200, rounds = 7 } = opts;
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
    {
      name: 'worker, resident data, onBatchEnd callback',
      run: async () => {
        let batches = 0;
        await resident.fit(xs, ys, { ...fitArgs, onBatchEnd: () => void batches++ });
        if (batches !== Math.ceil(samples / 32)) throw new Error(`bench/worker: ${batches} batch events`);
      },
    },
  ];
  await warmUp(contenders, 1500);
  const t = await timeInterleaved(contenders, rounds);
  const inThread = t.get('in this thread')!;
  const pct = (s: number, base: number) => `${(((s - base) / base) * 100).toFixed(1)} %`;
  const rows: Row[] = contenders.map((c) => {
    const { median: s, best } = t.get(c.name)!;
    const base = c.name === 'in this thread';
    return {
      figure: `MLP fit, ${samples} samples: ${c.name}`,
      'samples/s': fmt(samples / s),
      'ms per fit': fmt(s * 1000),
      'overhead vs this thread': base ? '-' : pct(s, inThread.median),
      'best ms': fmt(best * 1000),
      'overhead, best rounds': base ? '-' : pct(best, inThread.best),
    };
  });
  const stats = await resident.residentStats();
  rows.push({
    figure: `bytes the resident worker received in ${rounds + 1}+ fits`,
    'samples/s': '-',
    'ms per fit': '-',
    'overhead vs this thread': `${(stats.bytesReceived / 2 ** 20).toFixed(1)} MiB (the data once)`,
    'best ms': '-',
    'overhead, best rounds': '-',
  });
  // The fixed cost of a call: a fit of one batch, here and in the worker (resident data).
  const x1 = tensor(images.pixels.subarray(0, 32 * 784), [32, 28, 28]);
  const y1 = tensor(images.labels.subarray(0, 32), [32], 'int32');
  const xs1 = await resident.putData({ data: images.pixels.slice(0, 32 * 784), shape: [32, 28, 28] });
  const ys1 = await resident.putData({ data: images.labels.slice(0, 32), shape: [32] });
  const one: Timed[] = [
    { name: 'here', before: () => setBackendSync(build), run: async () => void (await here.fit(x1, y1, fitArgs)) },
    { name: 'worker', run: async () => void (await resident.fit(xs1, ys1, fitArgs)) },
  ];
  await warmUp(one, 500);
  const t1 = await timeInterleaved(one, 41);
  const [h1, w1] = [t1.get('here')!.median, t1.get('worker')!.median];
  rows.push({
    figure: 'fit of one batch (fixed cost of a call): here / worker',
    'samples/s': '-',
    'ms per fit': `${fmt(h1 * 1000)} / ${fmt(w1 * 1000)}`,
    'overhead vs this thread': `${fmt((w1 - h1) * 1000)} ms per call = ${(((w1 - h1) / inThread.median) * 100).toFixed(1)} % of a fit above`,
    'best ms': '-',
    'overhead, best rounds': '-',
  });
  // fitDataset: the same batches (sliced here from the images, as a generator reading files
  // would make them) trained here, and streamed to the worker (`trainer.fitDataset`).
  const batches = () =>
    generator(function* () {
      for (let i = 0; i < samples; i += 32) {
        const k = Math.min(32, samples - i);
        yield { xs: slice(x, [i, 0, 0], [k, 28, 28]), ys: slice(y, [i], [k]) };
      }
    });
  const streamed: Timed[] = [
    {
      name: 'fitDataset in this thread',
      before: () => setBackendSync(build),
      run: async () => void (await here.fitDataset(batches(), { epochs: 1, verbose: 0 })),
    },
    {
      name: 'trainer.fitDataset (streamed)',
      run: async () => void (await sending.fitDataset(batches(), { epochs: 1 })),
    },
  ];
  await warmUp(streamed, 1500);
  const before = (await sending.streamStats()).worker;
  const ts = await timeInterleaved(streamed, rounds);
  const after = (await sending.streamStats()).worker;
  const [dh, dw] = [ts.get('fitDataset in this thread')!, ts.get('trainer.fitDataset (streamed)')!];
  for (const [name, r] of [
    ['fitDataset in this thread', dh],
    ['trainer.fitDataset, batches streamed', dw],
  ] as const) {
    const base = r === dh;
    rows.push({
      figure: `MLP fitDataset, ${samples} samples in batches of 32: ${name}`,
      'samples/s': fmt(samples / r.median),
      'ms per fit': fmt(r.median * 1000),
      'overhead vs this thread': base ? '-' : pct(r.median, dh.median),
      'best ms': fmt(r.best * 1000),
      'overhead, best rounds': base ? '-' : pct(r.best, dh.best),
    });
  }
  // Whether this thread kept up: how often training in the worker asked for a batch not there yet.
  rows.push({
    figure: 'trainer.fitDataset: batches the worker had to wait for (1 per pass at least)',
    'samples/s': '-',
    'ms per fit': '-',
    'overhead vs this thread': `${after.waits - before.waits} of ${after.batchesReceived - before.batchesReceived}`,
    'best ms': '-',
    'overhead, best rounds': '-',
  });
  x1.dispose();
  y1.dispose();
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
