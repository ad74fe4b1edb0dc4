// The browser bench's page: contenders that each do one unit of work when the driver
// (bench/browser/run.ts, through playwright-core) calls `bench.run(name)`, which resolves
// to the seconds it took, timed here with performance.now(). The driver interleaves the
// rounds and takes medians.
//
// Figures: the Fashion-MNIST MLP's training (P1: Flatten -> Dense 128 relu -> Dense 10,
// Adam, batch 32), the MNIST CNN's training (batch 64) and its inference (predict, batch
// 1024), on random data (the speed does not depend on it).
// Contenders: Ferrite on this page's main thread (SIMD and relaxed SIMD: no threads here,
// Atomics.wait is not allowed on a page's main thread), Ferrite in a worker made by
// `worker.create` (the threaded build, relaxed and plain, data resident in the worker by
// `putData`), and TF.js 4.22's wasm backend (SIMD, with the threads it agrees to use).

import * as fe from '/dist/index.mjs';

const tf = globalThis.tf;
const TFJS_WASM = '/node_modules/@tensorflow/tfjs-backend-wasm/dist/';

/** Seeded uniform values in [0, 1): the same data on every run. */
function random(n, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}
const labels = (n, seed) => Int32Array.from(random(n, seed), (v) => Math.floor(v * 10));

function ferriteMlp() {
  return fe.sequential({
    layers: [
      fe.layers.flatten({ inputShape: [28, 28] }),
      fe.layers.dense({ units: 128, activation: 'relu' }),
      fe.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** The network of examples/cifar10-cnn.ts on 28x28x1 (bench/mnist-cnn.ts). */
function cnnLayers(L, first) {
  return [
    L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], ...first }),
    L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    L.flatten(),
    L.dense({ units: 64, activation: 'relu' }),
    L.dense({ units: 10, activation: 'softmax' }),
  ];
}

const tfjsMlp = () =>
  tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });

const PROGRAMS = {
  mlp: { shape: [28, 28], batch: 32, ferrite: ferriteMlp, tfjs: tfjsMlp },
  cnn: {
    shape: [28, 28, 1],
    batch: 64,
    ferrite: () => fe.sequential({ layers: cnnLayers(fe.layers) }),
    tfjs: () => tf.sequential({ layers: cnnLayers(tf.layers) }),
  },
};

const compileArgs = (lib) => ({
  optimizer: lib.train.adam(1e-3),
  loss: 'sparseCategoricalCrossentropy',
  metrics: ['accuracy'],
});

/** name -> {figure, column, samples, run(): Promise<void>, dispose()} */
const contenders = new Map();
const info = {};

function add(figure, column, samples, run, dispose = () => {}) {
  contenders.set(`${figure} | ${column}`, { figure, column, samples, run, dispose });
}

/** Ferrite on this page's main thread, on `build`: training for each program, and CNN inference. */
async function addPage(build, column, data) {
  if (!(await fe.setBackend(build))) return void (info[`${column} skipped`] = `${build} does not run here`);
  for (const [figure, p] of Object.entries(PROGRAMS)) {
    const model = p.ferrite();
    model.compile(compileArgs(fe));
    const x = fe.tensor(data[figure].x, [data[figure].n, ...p.shape]);
    const y = fe.tensor(data[figure].y, [data[figure].n], 'int32');
    add(
      `${figure} training`,
      column,
      data[figure].n,
      async () => {
        await fe.setBackend(build);
        await model.fit(x, y, { epochs: 1, batchSize: p.batch, verbose: 0 });
      },
      () => [model, x, y].forEach((t) => t.dispose()),
    );
    if (figure === 'cnn') {
      const xi = fe.tensor(data.infer.x, [data.infer.n, ...p.shape]);
      add(
        'cnn inference',
        column,
        data.infer.n,
        async () => {
          await fe.setBackend(build);
          const out = model.predict(xi, { batchSize: data.infer.n });
          await out.data();
          out.dispose();
        },
        () => xi.dispose(),
      );
    }
  }
}

/** Ferrite in a worker on `build` with `threads`, the data put there once (putData). */
async function addWorker(build, threads, column, data) {
  await fe.setBackend('simd');
  for (const [figure, p] of Object.entries(PROGRAMS)) {
    const model = p.ferrite();
    model.compile(compileArgs(fe));
    let trainer;
    try {
      trainer = await fe.worker.create(model, { backend: build, threads });
    } catch (e) {
      info[`${column} skipped`] = `worker.create failed: ${e.message}`;
      return;
    } finally {
      model.dispose();
    }
    info[`${column} build`] = trainer.backend;
    info[`${column} threads`] = trainer.threads;
    const d = data[figure];
    const x = await trainer.putData({ data: d.x.slice(), shape: [d.n, ...p.shape] });
    const y = await trainer.putData({ data: d.y.slice(), shape: [d.n] });
    add(`${figure} training`, column, d.n, async () => {
      await trainer.fit(x, y, { epochs: 1, batchSize: p.batch, verbose: 0 });
    });
    if (figure === 'cnn') {
      const xi = await trainer.putData({ data: data.infer.x.slice(), shape: [data.infer.n, ...p.shape] });
      add('cnn inference', column, data.infer.n, async () => {
        const out = await trainer.predict(xi, { batchSize: data.infer.n });
        out.dispose();
      });
    }
    contenders.get(`${figure} training | ${column}`).dispose = () => trainer.terminate();
  }
}

/** TF.js's wasm backend with as many threads as it agrees to (it caps its pool at half the cores). */
async function addTfjs(data) {
  tf.wasm.setWasmPaths(TFJS_WASM);
  tf.wasm.setThreadsCount(navigator.hardwareConcurrency);
  await tf.setBackend('wasm');
  await tf.ready();
  info['tfjs wasm threads'] = tf.wasm.getThreadsCount();
  info['tfjs version'] = tf.version.tfjs;
  for (const [figure, p] of Object.entries(PROGRAMS)) {
    const model = p.tfjs();
    model.compile(compileArgs(tf));
    const d = data[figure];
    const x = tf.tensor(d.x, [d.n, ...p.shape]);
    const y = tf.tensor(Float32Array.from(d.y), [d.n]);
    const fit = (xs, ys, batchSize) => model.fit(xs, ys, { epochs: 1, batchSize, verbose: 0 });
    try {
      const [xs, ys] = [x.slice(0, 4), y.slice(0, 4)];
      try {
        await fit(xs, ys, 4);
      } finally {
        tf.dispose([xs, ys]);
      }
      add(`${figure} training`, 'tfjs wasm', d.n, () => fit(x, y, p.batch));
    } catch (e) {
      info[`tfjs wasm ${figure} training`] = `cannot train: ${String(e.message).split('\n')[0]}`;
    }
    if (figure === 'cnn') {
      const xi = tf.tensor(data.infer.x, [data.infer.n, ...p.shape]);
      add('cnn inference', 'tfjs wasm', data.infer.n, async () => {
        const out = model.predict(xi, { batchSize: data.infer.n });
        await out.data();
        out.dispose();
      });
    }
  }
}

window.bench = {
  /** Makes every contender; resolves to what the page is and runs (builds, threads, what failed). */
  async setup({ mlpBatches = 100, cnnBatches = 8, inferSize = 1024 } = {}) {
    const sizes = { mlp: mlpBatches * 32, cnn: cnnBatches * 64, infer: inferSize };
    const data = {};
    for (const [name, n] of Object.entries(sizes)) {
      data[name] = { n, x: random(n * 784, 1 + n), y: labels(n, 2 + n) };
    }
    Object.assign(info, {
      crossOriginIsolated: self.crossOriginIsolated === true,
      hardwareConcurrency: navigator.hardwareConcurrency,
      userAgent: navigator.userAgent,
      'relaxed SIMD': fe.relaxedSimdSupported(),
    });
    await addPage('simd', 'ferrite page', data);
    await addPage('simd-relaxed', 'ferrite page relaxed', data);
    await addWorker('simd-threads-relaxed', navigator.hardwareConcurrency, 'ferrite worker', data);
    await addWorker('simd-threads', navigator.hardwareConcurrency, 'ferrite worker plain', data);
    await addTfjs(data);
    return {
      info,
      contenders: [...contenders].map(([name, c]) => ({
        name,
        figure: c.figure,
        column: c.column,
        samples: c.samples,
      })),
    };
  },
  /** One unit of work of contender `name`; resolves to its seconds. */
  async run(name) {
    const c = contenders.get(name);
    if (!c) throw new Error(`bench page: no contender ${name}`);
    const t0 = performance.now();
    await c.run();
    return (performance.now() - t0) / 1000;
  },
  dispose() {
    for (const c of contenders.values()) c.dispose();
    contenders.clear();
  },
};
window.benchReady = true;
