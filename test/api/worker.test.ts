// Background training (ts/worker/): a model trains in a worker_threads worker driven
// through comlink. Convergence, callback order, stop, the model coming back, transfer
// of data, and every way the worker can fail.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import * as fe from '../../ts/index.js';
import type { Trainer } from '../../ts/worker/index.js';
import { expectClose, rng } from '../support/helpers.js';

const FEATURES = 8;
const CLASSES = 3;

/** n samples of a 3-class problem a small MLP separates well: class = argmax(W x) for a fixed W. */
function blobs(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const rand = rng(seed);
  const wRand = rng(99); // one labelling rule for every sample set
  const w = Array.from({ length: CLASSES * FEATURES }, () => wRand() * 2 - 1);
  const x = new Float32Array(n * FEATURES);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let j = 0; j < FEATURES; j++) x[i * FEATURES + j] = rand() * 2 - 1;
    for (let c = 0; c < CLASSES; c++) {
      let s = 0;
      for (let j = 0; j < FEATURES; j++) s += w[c * FEATURES + j] * x[i * FEATURES + j];
      if (s > best) {
        best = s;
        y[i] = c;
      }
    }
  }
  return { x, y };
}

function mlp(units = 32): fe.Sequential {
  const model = fe.sequential({
    layers: [
      fe.layers.dense({ units, activation: 'relu', inputShape: [FEATURES] }),
      fe.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: fe.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const data = (d: { x: Float32Array; y: Int32Array }) => ({
  x: { data: d.x, shape: [d.y.length, FEATURES] },
  y: { data: d.y, shape: [d.y.length] },
});

describe('background training in a Node worker', () => {
  let trainer: Trainer;
  let model: fe.Sequential;

  beforeAll(async () => {
    fe.setRandomSeed(3);
    model = mlp();
    trainer = await fe.worker.create(model);
  });
  afterAll(() => {
    trainer?.terminate();
    model?.dispose();
  });

  it('runs the threaded build in the worker and reports it', () => {
    // The best build the worker can run: relaxed SIMD where the runtime validates it.
    expect(trainer.backend).toBe(fe.relaxedSimdSupported() ? 'simd-threads-relaxed' : 'simd-threads');
    expect(trainer.threads).toBeGreaterThanOrEqual(1);
    expect(trainer.metricsNames).toEqual(['loss', 'acc']);
  });

  it('can be logged and serialised without reaching into the worker', async () => {
    // comlink forwards any property access on its proxy (toJSON, inspect) to the worker.
    expect(JSON.stringify(trainer)).toContain(`"backend":"${trainer.backend}"`);
    expect(inspect(trainer, { depth: 6 })).toContain('Trainer');
    const d = data(blobs(32, 15));
    expect((await trainer.fit(d.x, d.y, { epochs: 1 })).epoch).toEqual([0]);
  });

  it('converges, with epoch hooks receiving plain numbers, and returns the History as data', async () => {
    const epochLogs: fe.Logs[] = [];
    const h = await trainer.fit(data(blobs(2000, 1)).x, data(blobs(2000, 1)).y, {
      epochs: 8,
      batchSize: 32,
      validationData: [data(blobs(500, 2)).x, data(blobs(500, 2)).y],
      onEpochEnd: (_epoch, logs) => void epochLogs.push(logs!),
    });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Object.keys(h.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    expect(h.params).toMatchObject({ epochs: 8, steps: 63, samples: 2000, batchSize: 32 });
    expect(h.history.loss[7]).toBeLessThan(h.history.loss[0] * 0.5);
    expect(h.history.val_acc[7]).toBeGreaterThan(0.9);
    expect(epochLogs.map((l) => l.loss)).toEqual(h.history.loss);
    for (const l of epochLogs) for (const v of Object.values(l)) expect(typeof v).toBe('number');
    // The held-out data agrees.
    const evalData = data(blobs(500, 2));
    const [loss, acc] = (await trainer.evaluate(evalData.x, evalData.y)) as number[];
    expect(acc).toBeCloseTo(h.history.val_acc[7], 5);
    expect(loss).toBeCloseTo(h.history.val_loss[7], 4);
  });

  it('delivers every hook in order, awaits async epoch hooks, and hands callback objects fit params', async () => {
    const seen: string[] = [];
    let pendingAsync = false;
    class Recorder extends fe.CustomCallback {
      constructor() {
        super({});
      }
      override onTrainBegin() {
        seen.push(`obj:trainBegin:${this.params?.steps}`);
      }
    }
    const d = data(blobs(100, 3));
    await trainer.fit(d.x, d.y, {
      epochs: 2,
      batchSize: 25,
      shuffle: false,
      batchCallbackInterval: 0,
      onTrainBegin: () => void seen.push('trainBegin'),
      onEpochBegin: (e) => {
        expect(pendingAsync).toBe(false);
        seen.push(`epochBegin:${e}`);
      },
      onBatchBegin: (b) => void seen.push(`batchBegin:${b}`),
      onBatchEnd: (b, logs) => {
        expect(logs!.size).toBe(25);
        expect(typeof logs!.loss).toBe('number');
        seen.push(`batchEnd:${b}`);
      },
      onEpochEnd: async (e) => {
        pendingAsync = true;
        await new Promise((r) => setTimeout(r, 30));
        pendingAsync = false;
        seen.push(`epochEnd:${e}`);
      },
      onTrainEnd: () => void seen.push('trainEnd'),
      callbacks: [new Recorder(), { onEpochEnd: (e: number) => void seen.push(`list:epochEnd:${e}`) }],
    });
    const epoch = (e: number) => [
      `epochBegin:${e}`,
      ...[0, 1, 2, 3].flatMap((b) => [`batchBegin:${b}`, `batchEnd:${b}`]),
      `epochEnd:${e}`,
      `list:epochEnd:${e}`,
    ];
    expect(seen).toEqual(['trainBegin', 'obj:trainBegin:4', ...epoch(0), ...epoch(1), 'trainEnd']);
  });

  it('stops mid-epoch at a batch boundary; the epoch logs cover the batches done and the model stays usable', async () => {
    const d = data(blobs(40_000, 4));
    let batchesSeen = 0;
    let stopCalled = false;
    const epochs: number[] = [];
    let trainEnded = false;
    const h = await trainer.fit(d.x, d.y, {
      epochs: 5,
      batchSize: 8, // 5,000 batches per epoch: stopping lands well inside the first
      onBatchEnd: () => {
        batchesSeen++;
        if (!stopCalled) {
          stopCalled = true;
          void trainer.stop(); // from a hook: resolves at once (fit waits for this hook)
        }
      },
      onEpochEnd: (e) => void epochs.push(e),
      onTrainEnd: () => void (trainEnded = true),
    });
    expect(h.epoch).toEqual([0]);
    expect(epochs).toEqual([0]);
    expect(trainEnded).toBe(true);
    expect(batchesSeen).toBeGreaterThanOrEqual(1);
    expect(batchesSeen).toBeLessThan(h.params!.steps!);
    expect(trainer.isTraining).toBe(false);
    // The model is consistent: evaluate and a new fit work.
    const small = data(blobs(64, 5));
    expect((await trainer.evaluate(small.x, small.y)) as number[]).toHaveLength(2);
  });

  it('stop() from outside a hook resolves once fit has returned', async () => {
    const d = data(blobs(40_000, 6));
    let firstBatch!: () => void;
    const started = new Promise<void>((r) => (firstBatch = r));
    const fit = trainer.fit(d.x, d.y, { epochs: 3, batchSize: 8, onBatchEnd: () => firstBatch() });
    await started;
    expect(trainer.isTraining).toBe(true);
    await trainer.stop();
    expect(trainer.isTraining).toBe(false);
    const h = await fit;
    expect(h.epoch).toEqual([0]);
    await trainer.stop(); // not training: nothing to do
  });

  it('stop() works by message where SharedArrayBuffer cannot be shared (as on a page without isolation)', async () => {
    // create() picks how it signals a stop when it starts the worker: hide shared memory then.
    const g = globalThis as { SharedArrayBuffer?: SharedArrayBufferConstructor };
    const sab = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer;
    let t: Trainer;
    try {
      t = await fe.worker.create(mlp(16));
    } finally {
      g.SharedArrayBuffer = sab;
    }
    try {
      const d = data(blobs(40_000, 14));
      let firstBatch!: () => void;
      const started = new Promise<void>((r) => (firstBatch = r));
      let batches = 0;
      const fit = t.fit(d.x, d.y, { epochs: 3, batchSize: 8, onBatchEnd: () => (batches++, firstBatch()) });
      await started;
      await t.stop();
      const h = await fit;
      expect(h.epoch).toEqual([0]);
      expect(batches).toBeLessThan(h.params!.steps!);
    } finally {
      t.terminate();
    }
  });

  it('brings the model back: same weights, same predictions as in the worker; the original is untouched', async () => {
    const before = model.getWeights().map((w) => w.dataSync());
    const trained = await trainer.toModel();
    expect(trained).toBeInstanceOf(fe.Sequential);
    expect(trained.metricsNames).toEqual(['loss', 'acc']);
    const fromWorker = await trainer.getWeights();
    const local = trained.getWeights();
    expect(local).toHaveLength(fromWorker.length);
    local.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(fromWorker[i].dataSync())));
    const probe = blobs(50, 7);
    const xs = fe.tensor(probe.x, [50, FEATURES]);
    const here = (trained.predict(xs) as fe.Tensor).dataSync();
    const there = (await trainer.predict(xs)) as fe.Tensor;
    expect(there.shape).toEqual([50, CLASSES]);
    expectClose(here, there.dataSync(), 1e-6, 1e-7, 'predictions');
    // A Tensor input is copied out, not consumed.
    expect(xs.isDisposed).toBe(false);
    expect(xs.dataSync()[0]).toBe(probe.x[0]);
    // The caller's original model never trained.
    model.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(before[i])));
    // The returned model is compiled with the same settings and can go on training here.
    const more = data(blobs(64, 8));
    const h = await trained.fit(fe.tensor(more.x.data, more.x.shape), fe.tensor(more.y.data, more.y.shape, 'int32'), {
      epochs: 1,
      verbose: 0,
    });
    expect(h.history.acc[0]).toBeGreaterThan(0.5);
    for (const t of [...local, ...fromWorker, xs, there]) t.dispose();
    trained.dispose();
  });

  it('transfers typed arrays (the sender is left empty) and copies only views on part of a buffer', async () => {
    const d = blobs(256, 9);
    const x = d.x;
    const y = d.y;
    await trainer.fit({ data: x, shape: [256, FEATURES] }, { data: y, shape: [256] }, { epochs: 1 });
    expect(x.buffer.byteLength).toBe(0); // detached: the bytes moved to the worker
    expect(y.buffer.byteLength).toBe(0);
    expect(x.length).toBe(0);
    // Sending it again says why it is empty.
    await expect(trainer.predict({ data: x, shape: [256, FEATURES] })).rejects.toThrow(
      /buffer was transferred away.*data\.slice\(\)/,
    );

    const whole = new Float32Array(4 * FEATURES);
    const part = whole.subarray(FEATURES, 3 * FEATURES);
    const out = (await trainer.predict({ data: part, shape: [2, FEATURES] })) as fe.Tensor;
    expect(out.shape).toEqual([2, CLASSES]);
    expect(whole.buffer.byteLength).toBe(4 * FEATURES * 4); // a partial view is copied, the buffer stays
    out.dispose();

    const probe = new Float32Array(3 * FEATURES);
    const p = (await trainer.predict({ data: probe, shape: [3, FEATURES] })) as fe.Tensor;
    expect(probe.buffer.byteLength).toBe(0);
    p.dispose();
  });

  it('rejects bad calls with the worker’s error, and stays usable', async () => {
    await expect(
      trainer.fit({ data: new Float32Array(10 * 5), shape: [10, 5] }, { data: new Int32Array(10), shape: [10] }),
    ).rejects.toThrow(/ferrite: .*fit.*\[10, 5\]|expected.*8/);
    await expect(trainer.predict({ data: new Float32Array(3), shape: [2, 2] })).rejects.toThrow(
      /shape \[2, 2\] needs 4 values, data has 3/,
    );
    await expect(trainer.fit(new Float64Array(8) as never, { data: new Int32Array(1), shape: [1] })).rejects.toThrow(
      /must be a Tensor or \{data/,
    );
    const d = data(blobs(32, 10));
    expect((await trainer.fit(d.x, d.y, { epochs: 1 })).epoch).toEqual([0]);
  });

  it('a throwing hook ends fit with that very error', async () => {
    const boom = new Error('hook failed on purpose');
    const d = data(blobs(2000, 11));
    await expect(
      trainer.fit(d.x, d.y, {
        epochs: 3,
        onBatchEnd: (b) => {
          if (b === 3) throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(trainer.isTraining).toBe(false);
    const e = data(blobs(32, 12));
    expect((await trainer.fit(e.x, e.y, { epochs: 1, onEpochEnd: () => {} })).epoch).toEqual([0]);
  });

  it('runs an EarlyStopping callback in the worker', async () => {
    const d = data(blobs(200, 13));
    // Loss never gets below 0 (the baseline), so it stops after the first epoch.
    // Watching the loss for an increase ('max'), with no patience: it falls, so fit stops after epoch 2.
    const h = await trainer.fit(d.x, d.y, {
      epochs: 10,
      callbacks: fe.callbacks.earlyStopping({ monitor: 'loss', mode: 'max', patience: 0 }),
    });
    expect(h.epoch).toEqual([0, 1]);
    expect(h.history.loss[1]).toBeLessThan(h.history.loss[0]);
  });
});

describe('background training: creating a trainer', () => {
  it('compiles from explicit settings, refuses functions and uncompiled models with clear errors', async () => {
    const m = fe.sequential({ layers: [fe.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
    await expect(
      fe.worker.create(m, { compile: { optimizer: 'sgd', loss: ((a: fe.Tensor) => a) as never } }),
    ).rejects.toThrow(/compile\.loss must be given by name.*functions cannot be sent/);
    const custom = fe.sequential({ layers: [fe.layers.dense({ units: 2, inputShape: [3] })] });
    custom.compile({ optimizer: 'sgd', loss: (a: fe.Tensor, b: fe.Tensor) => fe.mean(fe.square(fe.sub(a, b))) });
    await expect(fe.worker.create(custom)).rejects.toThrow(/custom loss function.*cannot be sent to a worker/);

    const t = await fe.worker.create(
      { className: 'Sequential', config: m.getConfig() },
      { compile: { optimizer: fe.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy', metrics: 'accuracy' } },
    );
    try {
      expect(t.metricsNames).toEqual(['loss', 'acc']);
      const h = await t.fit(
        { data: new Float32Array(12), shape: [4, 3] },
        { data: new Int32Array(4), shape: [4] },
        { epochs: 1 },
      );
      expect(h.history.loss).toHaveLength(1);
    } finally {
      t.terminate();
    }
    const bare = await fe.worker.create(m);
    try {
      await expect(
        bare.fit({ data: new Float32Array(3), shape: [1, 3] }, { data: new Int32Array(1), shape: [1] }),
      ).rejects.toThrow(/not compiled; pass \{compile/);
      const p = (await bare.predict({ data: new Float32Array(3), shape: [1, 3] })) as fe.Tensor;
      expect(p.shape).toEqual([1, 2]);
      p.dispose();
    } finally {
      bare.terminate();
    }
    for (const x of [m, custom]) x.dispose();
  });
});

describe('background training: failures reject every pending call', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferrite-worker-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function trainerWithLongFit(): Promise<{ t: Trainer; fit: Promise<unknown> }> {
    const t = await fe.worker.create(mlp(16));
    const d = data(blobs(20_000, 20));
    let started!: () => void;
    const batch = new Promise<void>((r) => (started = r));
    const fit = t.fit(d.x, d.y, { epochs: 50, batchSize: 8, onBatchEnd: () => started() });
    fit.catch(() => {}); // observed below
    await batch;
    return { t, fit };
  }

  it.each([
    ['exit', /exited \(code 70\) \(while trainer\.fit\(\) was pending\)/],
    ['throw', /crashed: .*debug crash \(an uncaught error in the worker\) \(while trainer\.fit\(\) was pending\)/],
    [
      'reject',
      /crashed: .*debug crash \(an unhandled rejection in the worker\) \(while trainer\.fit\(\) was pending\)/,
    ],
  ] as const)('a worker that dies (%s) during fit rejects fit and every later call', async (mode, message) => {
    const { t, fit } = await trainerWithLongFit();
    const crash = t.debugCrash(mode, 20); // a call that is pending when the worker dies, as fit is
    await expect(fit).rejects.toThrow(message);
    await expect(crash).rejects.toThrow(/while trainer\.debugCrash\(\) was pending/);
    expect(t.isTerminated).toBe(true);
    expect(t.isTraining).toBe(false);
    await expect(t.getWeights()).rejects.toThrow(/trainer\.getWeights\(\) cannot run \(create a new trainer\)/);
  });

  it('terminate() rejects a pending fit', async () => {
    const { t, fit } = await trainerWithLongFit();
    t.terminate();
    await expect(fit).rejects.toThrow(/terminated by trainer\.terminate\(\) \(while trainer\.fit\(\) was pending\)/);
  });

  it('a worker script that fails to load, exits, or never answers makes create() reject', async () => {
    const throws = join(dir, 'throws.mjs');
    writeFileSync(throws, "throw new Error('broken worker script');\n");
    await expect(fe.worker.create(mlp(), { workerUrl: throws })).rejects.toThrow(
      /crashed: broken worker script \(while worker\.create\(\) was pending\)/,
    );

    const missing = join(dir, 'missing.mjs');
    await expect(fe.worker.create(mlp(), { workerUrl: missing })).rejects.toThrow(
      /training worker \(missing\.mjs\) crashed: Cannot find module/,
    );

    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, '// exits at once\n');
    await expect(fe.worker.create(mlp(), { workerUrl: empty })).rejects.toThrow(
      /exited \(code 0\) \(while worker\.create\(\) was pending\)/,
    );

    const silent = join(dir, 'silent.mjs');
    writeFileSync(silent, 'setInterval(() => {}, 1000);\n');
    await expect(fe.worker.create(mlp(), { workerUrl: silent, loadTimeout: 300 })).rejects.toThrow(
      /did not start within 300 ms/,
    );
  });

  it('a Node script that never calls terminate() still exits when done', async () => {
    const script = join(dir, 'forgets-terminate.mts');
    const index = new URL('../../ts/index.ts', import.meta.url).pathname;
    writeFileSync(
      script,
      `import * as fe from ${JSON.stringify(index)};\n` +
        `const m = fe.sequential({ layers: [fe.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });\n` +
        `m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });\n` +
        `const t = await fe.worker.create(m);\n` +
        `const h = await t.fit({ data: new Float32Array(12), shape: [4, 3] }, { data: new Int32Array(4), shape: [4] }, { epochs: 2 });\n` +
        `console.log('epochs', h.epoch.length);\n`,
    );
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', script],
        { cwd: new URL('../..', import.meta.url).pathname, timeout: 60_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    expect(out.trim()).toBe('epochs 2');
  });
});
