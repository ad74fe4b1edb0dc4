// Convolution throughput on the conv layers of the MNIST CNN (examples/mnist-cnn.ts,
// batch 64): forward,
// gradient with respect to the input (dx) and to the filter (dw), in GFLOP/s
// (2 · N·Ho·Wo · Cout · kh·kw·Cin / median time), for Ferrite's scalar, SIMD and SIMD +
// 2 threads builds against TensorFlow.js's cpu backend (the only one that can train a CNN:
// its wasm backend has no Conv2DBackpropFilter kernel, which this bench demonstrates).
// Contenders run interleaved, round after round, after a warm-up, so that load from
// other processes hits them alike. TF.js's cpu backend is so slow on the gradients (its
// filter gradient of layer 2 takes about 90 s at batch 64) that it runs them at batch 4:
// its rate per FLOP does not depend on the batch. The last table adds up one training
// step's convolutions (at the measured rates) into samples per second for the conv
// layers alone.
//
//   npx tsx bench/conv.ts        (about a minute)
//   node --experimental-wasm-relaxed-simd --import tsx bench/conv.ts
//                                (adds the relaxed-SIMD builds and their speed over the plain ones)

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput } from '../ts/ops/conv.js';
import { tensor } from '../ts/tensor/creation.js';
import type { Tensor } from '../ts/tensor/tensor.js';
import { fmt, fmtRatio, printTable, type Row } from './table.js';
import { gflopsPerSecond, warmUpTogether, type FlopsContender } from './timing.js';
import { buildsToCompare, isMain, onThreads, randomData, relaxedRatios, sizeOf } from './util.js';

interface Layer {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  /** The first layer's input is data: a training step never needs its dx. */
  needsDx: boolean;
}

/** The MNIST CNN: Conv 32 3x3 → MaxPool 2 → Conv 64 3x3 → MaxPool 2 → Conv 64 3x3, all 'valid', batch 64. */
export const MNIST_CNN_LAYERS: Layer[] = [
  { name: '28x28x1 → 26x26x32', x: [64, 28, 28, 1], f: [3, 3, 1, 32], needsDx: false },
  { name: '13x13x32 → 11x11x64', x: [64, 13, 13, 32], f: [3, 3, 32, 64], needsDx: true },
  { name: '5x5x64 → 3x3x64', x: [64, 5, 5, 64], f: [3, 3, 64, 64], needsDx: true },
];

export type Pass = 'forward' | 'dx' | 'dw';
export const PASSES: Pass[] = ['forward', 'dx', 'dw'];

function outShape(l: Layer): [number, number, number, number] {
  return [l.x[0], l.x[1] - l.f[0] + 1, l.x[2] - l.f[1] + 1, l.f[3]];
}

/** The same layer with another batch size. */
function withBatch(l: Layer, n: number): Layer {
  return { ...l, x: [n, l.x[1], l.x[2], l.x[3]] };
}

function flops(l: Layer): number {
  const [n, ho, wo, cout] = outShape(l);
  return 2 * n * ho * wo * cout * l.f[0] * l.f[1] * l.f[2];
}

function ferrite(name: string, build: BuildName, l: Layer, pass: Pass): FlopsContender {
  setBackendSync(build);
  const x = tensor(randomData(sizeOf(l.x), 1), l.x);
  const f = tensor(randomData(sizeOf(l.f), 2), l.f);
  const dy = tensor(randomData(sizeOf(outShape(l)), 3), outShape(l));
  const runs: Record<Pass, () => Tensor> = {
    forward: () => conv2d(x, f, 1, 'valid'),
    dx: () => conv2dBackpropInput(l.x, dy, f, 1, 'valid'),
    dw: () => conv2dBackpropFilter(x, dy, l.f, 1, 'valid'),
  };
  return {
    name,
    flops: flops(l),
    run: () => runs[pass]().dispose(),
    dispose: () => [x, f, dy].forEach((t) => t.dispose()),
  };
}

/** TF.js on its current backend: the op, or the gradient through tf.grad (as fit computes it). */
function tfjs(name: string, l: Layer, pass: Pass): FlopsContender {
  const x = tf.tensor4d(randomData(sizeOf(l.x), 1), l.x);
  const f = tf.tensor4d(randomData(sizeOf(l.f), 2), l.f);
  const dy = tf.tensor4d(randomData(sizeOf(outShape(l)), 3), outShape(l));
  const runs: Record<Pass, () => tf.Tensor> = {
    forward: () => tf.conv2d(x, f, 1, 'valid'),
    dx: () => tf.grad((t) => tf.conv2d(t as tf.Tensor4D, f, 1, 'valid'))(x, dy),
    dw: () => tf.grad((t) => tf.conv2d(x, t as tf.Tensor4D, 1, 'valid'))(f, dy),
  };
  return {
    name,
    flops: flops(l),
    run: () => {
      const y = runs[pass]();
      y.dataSync();
      y.dispose();
    },
    dispose: () => [x, f, dy].forEach((t) => t.dispose()),
  };
}

/** What TF.js's wasm backend does with each pass of a convolution: its GFLOP/s, or the error it throws. */
async function tfjsWasmSupport(l: Layer, budgetMs: number): Promise<Record<Pass, number | string>> {
  await tf.setBackend('wasm');
  await tf.ready();
  const out = {} as Record<Pass, number | string>;
  for (const pass of PASSES) {
    const c = tfjs('wasm', l, pass);
    try {
      out[pass] = gflopsPerSecond([c], budgetMs).get('wasm')!;
    } catch (e) {
      out[pass] = `throws: ${(e as Error).message.split('\n')[0]}`;
    } finally {
      c.dispose();
    }
  }
  await tf.setBackend('cpu');
  return out;
}

export interface ConvBenchResult {
  rows: Row[];
  step: Row[];
  /** TF.js wasm on layer 2, by pass: GFLOP/s, or the error it throws. */
  wasm: Record<Pass, number | string>;
  /** GFLOP/s by `${contender} ${layer name} ${pass}`. */
  rates: Map<string, number>;
  /** Samples/s of one training step's convolutions, by contender. */
  stepRates: Record<string, number>;
}

/** `quick`: a tenth of the time budgets, and TF.js cpu's gradients at batch 1 (a smoke run). */
export async function benchConv(opts: { quick?: boolean } = {}): Promise<ConvBenchResult> {
  const quick = opts.quick ?? false;
  const budget = quick ? 200 : 2000;
  const builds = await buildsToCompare({ relaxed: true, oneThread: true });
  const wasm = await tfjsWasmSupport(MNIST_CNN_LAYERS[1], quick ? 100 : 1000);
  await tf.setBackend('cpu');
  await tf.ready();

  // Warm-up: V8 compiles wasm in a baseline tier first; run every kernel for a while.
  const warm = MNIST_CNN_LAYERS.flatMap((l) =>
    PASSES.flatMap((p) => builds.map((b) => onThreads(b, ferrite(b.label, b.build, l, p)))),
  );
  warmUpTogether(warm, budget);
  warm.forEach((c) => c.dispose());

  const rows: Row[] = [];
  const rate = new Map<string, number>(); // `${contender} ${layer} ${pass}` -> GFLOP/s
  const best = builds[builds.length - 1].label;
  for (const l of MNIST_CNN_LAYERS) {
    for (const pass of PASSES) {
      const cs = builds.map((b) => onThreads(b, ferrite(b.label, b.build, l, pass)));
      cs.push(tfjs('tfjs cpu', pass === 'forward' ? l : withBatch(l, quick ? 1 : 4), pass));
      const g = gflopsPerSecond(cs, budget);
      cs.forEach((c) => c.dispose());
      const row: Row = { layer: l.name, pass };
      for (const [name, r] of g) {
        row[name] = fmt(r);
        rate.set(`${name} ${l.name} ${pass}`, r);
      }
      row[`${best} / tfjs cpu`] = fmtRatio(g.get(best), g.get('tfjs cpu'));
      Object.assign(
        row,
        relaxedRatios(builds, (name) => g.get(name)),
      );
      rows.push(row);
    }
  }

  // One training step's convolutions (forward, dw, and dx except for the first layer).
  const step: Row[] = [];
  const stepRates: Record<string, number> = {};
  for (const name of [...builds.map((b) => b.label), 'tfjs cpu']) {
    let seconds = 0;
    for (const l of MNIST_CNN_LAYERS)
      for (const pass of PASSES)
        if (pass !== 'dx' || l.needsDx) seconds += flops(l) / (rate.get(`${name} ${l.name} ${pass}`)! * 1e9);
    stepRates[name] = 64 / seconds;
    step.push({
      contender: name,
      'ms per step (batch 64)': fmt(seconds * 1000),
      'samples/s (conv layers only)': fmt(64 / seconds),
    });
  }
  setThreadsCount(2);
  setBackendSync('simd');
  return { rows, step, wasm, rates: rate, stepRates };
}

/** TF.js wasm's figure for a pass as text: 'n GFLOP/s' or the error. */
export const wasmCell = (v: number | string): string => (typeof v === 'number' ? `${fmt(v)} GFLOP/s` : v);

if (isMain(import.meta.url)) {
  const t0 = performance.now();
  const { rows, step, wasm } = await benchConv();
  console.log(
    'conv2d on the MNIST CNN layers, batch 64 (TF.js cpu gradients: batch 4), GFLOP/s (2·N·Ho·Wo·Cout·kh·kw·Cin / median time)\n',
  );
  printTable(rows);
  console.log(
    '\nOne MNIST CNN training step, convolutions only (forward + dw for all layers, dx for layers 2 and 3)\n',
  );
  printTable(step);
  console.log(`\nTF.js wasm backend on ${MNIST_CNN_LAYERS[1].name}:`);
  for (const pass of PASSES) console.log(`  ${pass.padEnd(7)} ${wasmCell(wasm[pass])}`);
  console.log(`\n(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(0);
}
