// P4's spread over seeds: examples/mnist-mlp.ts on Fashion-MNIST (60,000 / 10,000, ten
// epochs, the full recipe) once per seed, test accuracy by argmax of `predict`. The same
// seeds through the PyTorch port of the recipe: bench/pytorch/p4_mlp.py.
//
//   npx tsx bench/p4-seeds.ts [--seeds 1,2,3,4,5] [--threads 1] [--backend simd]   (about a minute a seed)

import { main as mnistMlp } from '../examples/mnist-mlp.js';
import { ready, setBackend, setRandomSeed, setThreadsCount } from '../ts/index.js';
import { argValue } from '../examples/program.js';
import type { BuildName } from '../ts/backend/wasm-files.js';

const seeds = (argValue('seeds') ?? '1,2,3,4,5').split(',').map(Number);
const backend = argValue('backend');
if (backend !== undefined) await setBackend(backend as BuildName);
await ready();
// Results are the same bits on any thread count; one thread leaves the other core to others.
if (backend === undefined || backend.includes('threads')) setThreadsCount(Number(argValue('threads') ?? 1));

const accuracies: number[] = [];
for (const seed of seeds) {
  setRandomSeed(seed);
  const r = await mnistMlp({ data: 'fashion', verbose: 0, out: null, log: () => {} });
  accuracies.push(r.testAccuracy);
  console.log(`seed ${seed}: test accuracy ${r.testAccuracy.toFixed(4)} (${r.trainSeconds.toFixed(0)} s)`);
}
const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
const std = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, accuracies.length - 1));
console.log(
  `Ferrite P4 over ${accuracies.length} seeds: mean ${mean.toFixed(4)}, std ${std.toFixed(4)}, ` +
    `min ${Math.min(...accuracies).toFixed(4)}, max ${Math.max(...accuracies).toFixed(4)}`,
);
