// CNN inference against TF.js's wasm backend (XNNPACK, SIMD; single-threaded in Node),
// layer by layer and for the whole model: the MNIST CNN of examples/mnist-cnn.ts (the
// CIFAR-10 program's network on 28x28x1) with the same weights on both sides, its
// predictions compared, then each layer timed on the previous layer's real output, and
// `predict` on the whole batch. Ferrite runs its SIMD build on 1 thread and SIMD +
// threads on 2; TF.js wasm on the 1 thread it has in Node (the table says so). Contenders
// are timed interleaved, after a warm-up, so that load from other processes hits them alike.
//
//   npx tsx bench/cnn-inference.ts            (predict on 1024 images, layers on batches of 32)
//   npx tsx bench/cnn-inference.ts 256 64     (other sizes)
//   node --experimental-wasm-relaxed-simd --import tsx bench/cnn-inference.ts
//                                             (adds the relaxed-SIMD builds, FMA where the CPU has it)

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount, setBackendSync } from '../ts/backend/engine.js';
import { cnn } from '../examples/cifar10-cnn.js';
import { tensor } from '../ts/tensor/creation.js';
import type { Tensor } from '../ts/tensor/tensor.js';
import { fmt, fmtRatio, printTable, type Row } from './table.js';
import { callTimes, warmUpTogether, type Contender } from './timing.js';
import { buildsToCompare, isMain, randomData, sizeOf } from './util.js';
import { CNN } from './mnist-cnn.js';

export interface CnnInferenceResult {
  rows: Row[];
  /** Largest |Ferrite - TF.js| over the predicted probabilities. */
  maxDiff: number;
}

/**
 * `batch` images through `predict` (with batchSize `batch` and 32, TF.js's and Ferrite's
 * default); each layer alone on `layerBatch` images (the batches `predict` runs by default).
 */
export async function benchCnnInference(batch = 1024, layerBatch = 32, budgetMs = 3000): Promise<CnnInferenceResult> {
  const builds = (await buildsToCompare({ relaxed: true })).filter((b) => b.build !== 'scalar');
  await tf.setBackend('wasm');
  await tf.ready();
  const shape = [batch, 28, 28, 1];
  const pixels = randomData(sizeOf(shape), 7, 0, 1);

  // One Ferrite model per build (weights copied from the first), and TF.js's with the same weights.
  const models = builds.map((b) => {
    setBackendSync(b.build);
    const m = cnn([28, 28, 1]);
    return { ...b, model: m, x: tensor(pixels, shape), threads: getThreadsCount() };
  });
  const weights = models[0].model.getWeights().map((w) => ({ data: w.dataSync().slice(), shape: w.shape }));
  for (const m of models.slice(1)) {
    setBackendSync(m.build);
    const ts = weights.map((w) => tensor(w.data, w.shape));
    m.model.setWeights(ts);
    ts.forEach((t) => t.dispose());
  }
  const tfModel = CNN.tfjsModel();
  const tfWeights = weights.map((w) => tf.tensor(w.data, [...w.shape]));
  tfModel.setWeights(tfWeights);
  tf.dispose(tfWeights);
  const tfX = tf.tensor4d(pixels, shape as [number, number, number, number]);

  // Each layer's input, as TF.js computes it (the same values go to Ferrite).
  const inputs: tf.Tensor[] = [tfX.slice(0, layerBatch)];
  for (const layer of tfModel.layers) inputs.push(layer.apply(inputs[inputs.length - 1]) as tf.Tensor);
  const tfPredicted = tfModel.predict(tfX, { batchSize: batch }) as tf.Tensor;
  const tfOut = tfPredicted.dataSync() as Float32Array;
  tfPredicted.dispose();

  setBackendSync(models[0].build);
  const ours = models[0].model.predict(models[0].x, { batchSize: batch }) as Tensor;
  const oursOut = ours.dataSync() as Float32Array;
  ours.dispose();
  const maxDiff = oursOut.reduce((m: number, v: number, i: number) => Math.max(m, Math.abs(v - tfOut[i])), 0);

  const label = (m: (typeof models)[number]) => `ferrite ${m.label} (${m.threads} thr)`;
  const tfLabel = 'tfjs wasm (1 thr)';
  const rows: Row[] = [];
  type Made = { run: () => void; dispose?: () => void };
  const measure = (name: string, make: (m: (typeof models)[number]) => Made, tfRun: () => void) => {
    const cs: Contender[] = models.map((m) => {
      setBackendSync(m.build);
      const { run, dispose } = make(m);
      return {
        name: label(m),
        run: () => {
          setBackendSync(m.build);
          run();
        },
        dispose: () => {
          setBackendSync(m.build);
          dispose?.();
        },
      };
    });
    cs.push({ name: tfLabel, run: tfRun, dispose: () => {} });
    warmUpTogether(cs, 300);
    const t = callTimes(cs, budgetMs);
    const row: Row = { layer: name };
    for (const c of cs) row[`${c.name} ms (best)`] = `${fmt(t.get(c.name)!.median)} (${fmt(t.get(c.name)!.best)})`;
    for (const m of models) {
      const [ours, theirs] = [t.get(label(m))!, t.get(tfLabel)!];
      row[`${m.label} / tfjs (best)`] = `${fmtRatio(theirs.median, ours.median)} (${fmtRatio(theirs.best, ours.best)})`;
    }
    rows.push(row);
    cs.forEach((c) => c.dispose());
  };

  tfModel.layers.forEach((tfLayer, i) => {
    const input = inputs[i];
    const data = input.dataSync();
    measure(
      `${tfLayer.getClassName()} ${JSON.stringify(input.shape)}`,
      (m) => {
        const x = tensor(data, input.shape);
        const layer = m.model.layers[i];
        // Both sides compute eagerly and synchronously: the result is ready when apply returns.
        return { run: () => (layer.apply(x) as Tensor).dispose(), dispose: () => x.dispose() };
      },
      () => (tfLayer.apply(input) as tf.Tensor).dispose(),
    );
  });
  for (const predictBatch of [batch, 32]) {
    measure(
      `predict, batch ${batch} (batchSize ${predictBatch})`,
      (m) => ({ run: () => (m.model.predict(m.x, { batchSize: predictBatch }) as Tensor).dispose() }),
      () => {
        const y = tfModel.predict(tfX, { batchSize: predictBatch }) as tf.Tensor;
        y.dataSync();
        y.dispose();
      },
    );
  }

  for (const m of models) {
    setBackendSync(m.build);
    m.model.dispose();
    m.x.dispose();
  }
  tf.dispose([tfX, ...inputs]);
  tfModel.dispose();
  setBackendSync('simd');
  return { rows, maxDiff };
}

if (isMain(import.meta.url)) {
  const t0 = performance.now();
  const batch = Number(process.argv[2] ?? 1024);
  const layerBatch = Number(process.argv[3] ?? 32);
  const { rows, maxDiff } = await benchCnnInference(batch, layerBatch);
  console.log(
    `MNIST CNN inference: layers on batches of ${layerBatch}, predict on ${batch} images; ms per call, median (best) of single calls interleaved; ratio = TF.js wasm time / Ferrite time, of medians (of bests)\n`,
  );
  printTable(rows);
  console.log(`\nlargest |Ferrite - TF.js| over the predicted probabilities: ${maxDiff.toExponential(2)}`);
  console.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(0);
}
