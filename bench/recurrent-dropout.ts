// What recurrentDropout costs in the fused kernels: one training step (forward and
// backpropagation through time of an LSTM / GRU layer, P5's LSTM size by default) with
// recurrentDropout 0 and 0.2, timed alternately in one run on each build, and the ratio.
//
//   npx tsx bench/recurrent-dropout.ts [--reps N] [--units U] [--builds simd,simd-threads:2]

import { ready, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { tensor } from '../ts/tensor/creation.js';
import { variableGrads } from '../ts/autograd/tape.js';
import { sum } from '../ts/ops/index.js';
import * as layers from '../ts/layers/index.js';
import type { Layer } from '../ts/layers/layer.js';
import type { Tensor } from '../ts/tensor/tensor.js';
import { argValue, numberArg } from '../examples/program.js';
import { isMain, randomData } from './util.js';

const [BATCH, TIME, INPUT] = [64, 32, 256];

/** Seconds of one forward + backward of `layer` on x while training (the gradients of its weights). */
function step(layer: Layer, x: Tensor): number {
  const t0 = performance.now();
  const { value, grads } = variableGrads(() => {
    const y = layer.apply(x, { training: true }) as Tensor;
    const s = sum(y);
    y.dispose();
    return s;
  }, layer.trainableWeights);
  value.dataSync();
  const sec = (performance.now() - t0) / 1000;
  value.dispose();
  for (const g of Object.values(grads)) g.dispose();
  return sec;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main(): Promise<void> {
  const reps = numberArg('reps') ?? 5;
  const units = numberArg('units') ?? 512;
  const configs = (argValue('builds') ?? 'simd,simd-threads:2').split(',');
  console.log(`recurrentDropout 0 vs 0.2: training step, batch ${BATCH} x ${TIME}, input ${INPUT}, units ${units}`);
  console.log(
    `${'build'.padEnd(16)} ${'layer'.padEnd(6)} ${'rate 0 (s)'.padStart(11)} ${'rate 0.2 (s)'.padStart(13)} ratio`,
  );
  for (const c of configs) {
    const [build, threads] = c.split(':');
    if (build === 'simd-threads') setThreadsCount(Number(threads ?? 2));
    setBackendSync(build as BuildName);
    await ready();
    const x = tensor(randomData(BATCH * TIME * INPUT, 1), [BATCH, TIME, INPUT]);
    for (const kind of ['lstm', 'gru'] as const) {
      const make = (recurrentDropout: number): Layer => {
        const l = layers[kind]({ units, returnSequences: true, recurrentDropout, recurrentActivation: 'sigmoid' });
        l.ensureBuilt([BATCH, TIME, INPUT]);
        return l;
      };
      const [plain, dropped] = [make(0), make(0.2)];
      dropped.setWeights(plain.getWeights());
      step(plain, x);
      step(dropped, x);
      const [a, b]: number[][] = [[], []];
      // Alternated, and which runs first swapped every rep (the second of a pair ran up to
      // 9% slower here whichever it was), so that the machine's load falls on both alike.
      for (let i = 0; i < reps; i++) {
        if (i % 2 === 0) {
          a.push(step(plain, x));
          b.push(step(dropped, x));
        } else {
          b.push(step(dropped, x));
          a.push(step(plain, x));
        }
      }
      const [ta, tb] = [median(a), median(b)];
      console.log(
        `${c.padEnd(16)} ${kind.padEnd(6)} ${ta.toFixed(3).padStart(11)} ${tb.toFixed(3).padStart(13)} ${(tb / ta).toFixed(3)}`,
      );
      plain.dispose();
      dropped.dispose();
    }
    x.dispose();
  }
}

if (isMain(import.meta.url)) void main();
