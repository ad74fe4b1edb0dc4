// The general tensor ops (elementwise, broadcasting, reductions, shape ops, gather)
// against TensorFlow.js's wasm backend, on the shapes of typical training steps: µs per call (median of rounds), op-level (validation, output
// allocation, kernel, disposal) on both sides. Contenders run interleaved, round after
// round, after a warm-up, so load from other processes hits them alike.
//
//   npx tsx bench/ops.ts [filter]      (about a minute; a filter picks cases by name)

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setBackendSync } from '../ts/backend/engine.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import * as fe from '../ts/ops/index.js';
import { tensor } from '../ts/tensor/creation.js';
import { tidy } from '../ts/tensor/scope.js';
import type { Tensor } from '../ts/tensor/tensor.js';
import { grads } from '../ts/autograd/tape.js';
import { medianMsPerRun, type Contender } from './timing.js';
import { buildsToCompare, randomData, sizeOf } from './util.js';

/** A case: input shapes (float32 unless listed in `ints` with their range) and the op on each side. */
interface Case {
  name: string;
  shapes: number[][];
  ints?: Record<number, number>;
  positive?: boolean;
  ferrite: (...xs: Tensor[]) => Tensor | Tensor[];
  tfjs?: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

const CASES: Case[] = [
  { name: 'add [32,10]+[10] (per-call overhead)', shapes: [[32, 10], [10]], ferrite: fe.add, tfjs: tf.add },
  {
    name: 'add same shape [64,2048]',
    shapes: [
      [64, 2048],
      [64, 2048],
    ],
    ferrite: fe.add,
    tfjs: tf.add,
  },
  { name: 'mul same shape [1M]', shapes: [[1 << 20], [1 << 20]], ferrite: fe.mul, tfjs: tf.mul },
  { name: 'bias add [64,10000]+[10000]', shapes: [[64, 10000], [10000]], ferrite: fe.add, tfjs: tf.add },
  {
    name: 'column sub [64,10000]-[64,1]',
    shapes: [
      [64, 10000],
      [64, 1],
    ],
    ferrite: fe.sub,
    tfjs: tf.sub,
  },
  { name: 'mul by number [1M]*0.5', shapes: [[1 << 20]], ferrite: (x) => fe.mul(x, 0.5), tfjs: (x) => tf.mul(x, 0.5) },
  {
    name: 'div outer [512,1]/[1,512]',
    shapes: [
      [512, 1],
      [1, 512],
    ],
    ferrite: fe.div,
    tfjs: tf.div,
  },
  {
    name: 'squaredDifference [64,2048]',
    shapes: [
      [64, 2048],
      [64, 2048],
    ],
    ferrite: fe.squaredDifference,
    tfjs: tf.squaredDifference,
  },
  { name: 'maximum(x, 0) [1M]', shapes: [[1 << 20]], ferrite: (x) => fe.maximum(x, 0), tfjs: (x) => tf.maximum(x, 0) },
  { name: 'exp [1M]', shapes: [[1 << 20]], ferrite: fe.exp, tfjs: tf.exp },
  { name: 'log [1M]', shapes: [[1 << 20]], positive: true, ferrite: fe.log, tfjs: tf.log },
  { name: 'sqrt [1M]', shapes: [[1 << 20]], positive: true, ferrite: fe.sqrt, tfjs: tf.sqrt },
  { name: 'sum all [1M]', shapes: [[1 << 20]], ferrite: (x) => fe.sum(x), tfjs: (x) => tf.sum(x) },
  {
    name: 'sum axis 0 [64,10000] (bias grad)',
    shapes: [[64, 10000]],
    ferrite: (x) => fe.sum(x, 0),
    tfjs: (x) => tf.sum(x, 0),
  },
  { name: 'sum axis -1 [64,10000]', shapes: [[64, 10000]], ferrite: (x) => fe.sum(x, -1), tfjs: (x) => tf.sum(x, -1) },
  { name: 'mean [32,10] (a loss)', shapes: [[32, 10]], ferrite: (x) => fe.mean(x), tfjs: (x) => tf.mean(x) },
  { name: 'max axis -1 [64,10000]', shapes: [[64, 10000]], ferrite: (x) => fe.max(x, -1), tfjs: (x) => tf.max(x, -1) },
  {
    name: 'argMax axis 1 [64,10000]',
    shapes: [[64, 10000]],
    ferrite: (x) => fe.argMax(x, 1),
    tfjs: (x) => tf.argMax(x, 1),
  },
  {
    name: 'transpose [512,2048]',
    shapes: [[512, 2048]],
    ferrite: (x) => fe.transpose(x),
    tfjs: (x) => tf.transpose(x),
  },
  {
    name: 'transpose heads [64,32,8,64] 0213',
    shapes: [[64, 32, 8, 64]],
    ferrite: (x) => fe.transpose(x, [0, 2, 1, 3]),
    tfjs: (x) => tf.transpose(x, [0, 2, 1, 3]),
  },
  {
    name: 'reshape [64,32,256]',
    shapes: [[64, 32, 256]],
    ferrite: (x) => fe.reshape(x, [2048, 256]),
    tfjs: (x) => tf.reshape(x, [2048, 256]),
  },
  {
    name: 'slice [64,2048] cols 512..1023',
    shapes: [[64, 2048]],
    ferrite: (x) => fe.slice(x, [0, 512], [-1, 512]),
    tfjs: (x) => tf.slice(x, [0, 512], [-1, 512]),
  },
  {
    name: 'concat 4x[64,512] axis 1',
    shapes: [
      [64, 512],
      [64, 512],
      [64, 512],
      [64, 512],
    ],
    ferrite: (...xs) => fe.concat(xs, 1),
    tfjs: (...xs) => tf.concat(xs, 1),
  },
  {
    name: 'tile [64,1,256] x[1,32,1]',
    shapes: [[64, 1, 256]],
    ferrite: (x) => fe.tile(x, [1, 32, 1]),
    tfjs: (x) => tf.tile(x, [1, 32, 1]),
  },
  {
    name: 'gather embedding [10000,256] by [64,32]',
    shapes: [
      [10000, 256],
      [64, 32],
    ],
    ints: { 1: 10000 },
    ferrite: (t, i) => fe.gather(t, i),
    tfjs: (t, i) => tf.gather(t, i),
  },
  {
    name: 'embedding gradient [10000,256] by [64,32]',
    shapes: [
      [10000, 256],
      [64, 32],
      [64, 32, 256],
    ],
    ints: { 1: 10000 },
    ferrite: (t, i, dy) => grads((x: Tensor) => fe.gather(x, i))([t], dy),
    // TF.js wasm has no UnsortedSegmentSum kernel: no contender.
  },
  {
    name: 'bias add fwd+bwd [64,10000]+[10000]',
    shapes: [[64, 10000], [10000], [64, 10000]],
    ferrite: (a, b, dy) => grads((x: Tensor, y: Tensor) => fe.add(x, y))([a, b], dy),
    tfjs: (a, b, dy) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.add(x, y))([a, b], dy),
  },
];

/** A case's inputs, the same values on both sides: float32 in [-1, 1) ([0.1, 1) if positive), or int32 ids. */
function inputs(c: Case): { data: Float32Array | Int32Array; shape: number[] }[] {
  return c.shapes.map((shape, k) => {
    const ints = c.ints?.[k];
    const data =
      ints !== undefined
        ? Int32Array.from(randomData(sizeOf(shape), k + 1, 0, ints), Math.floor)
        : randomData(sizeOf(shape), k + 1, c.positive ? 0.1 : -1, 1);
    return { data, shape };
  });
}

function ferriteContender(c: Case, build: BuildName, label: string): Contender {
  setBackendSync(build);
  const xs = inputs(c).map(({ data, shape }) =>
    data instanceof Int32Array ? tensor(data, shape, 'int32') : tensor(data, shape),
  );
  return {
    name: label,
    run: () => {
      setBackendSync(build);
      tidy(() => void c.ferrite(...xs));
    },
    dispose: () => xs.forEach((x) => x.dispose()),
  };
}

function tfjsContender(c: Case): Contender {
  const xs = inputs(c).map(({ data, shape }) =>
    tf.tensor(data, shape, data instanceof Int32Array ? 'int32' : 'float32'),
  );
  return {
    name: 'tfjs-wasm',
    run: () => tf.tidy(() => void c.tfjs!(...xs)),
    dispose: () => xs.forEach((x) => x.dispose()),
  };
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  await tf.setBackend('wasm');
  await tf.ready();
  const builds = await buildsToCompare();
  const rows: Record<string, string>[] = [];
  for (const c of CASES) {
    if (filter && !c.name.includes(filter)) continue;
    const contenders = builds.map((b) => ferriteContender(c, b.build, b.label));
    if (c.tfjs) contenders.push(tfjsContender(c));
    const ms = medianMsPerRun(contenders, 1000);
    contenders.forEach((k) => k.dispose());
    const us = (name: string) => ms.get(name)! * 1000;
    const row: Record<string, string> = { case: c.name };
    for (const k of contenders) row[`${k.name} µs`] = us(k.name).toFixed(us(k.name) < 100 ? 1 : 0);
    if (c.tfjs) row['tfjs / simd'] = (us('tfjs-wasm') / us('simd')).toFixed(2) + 'x';
    rows.push(row);
    console.log(Object.values(row).join('  |  '));
  }
  console.table(rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
