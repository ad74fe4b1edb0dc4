// Soak: 10,000 training steps of a small model and 10,000 predicts, reporting live tensors
// and wasm memory every 1,000, and failing (exit code 1) if either grows after the first
// report. Every 100th step is a refused one (NaN in x), so the failure paths soak too.
// Not part of `npm test` (about a minute): run it nightly with `npm run soak`, or
// `npx tsx bench/soak.ts [--steps N]`.

import * as fe from '../ts/index.js';
import { isMain } from './util.js';
import { argValue } from '../examples/program.js';

interface Reading {
  step: number;
  numTensors: number;
  heapBytes: number;
  wasmBytes: number;
}

function read(step: number): Reading {
  const m = fe.memory();
  return { step, numTensors: m.numTensors, heapBytes: m.numBytesInWasmHeap, wasmBytes: m.wasmMemoryBytes };
}

const fmt = (r: Reading, phase: string): string =>
  `${phase} ${String(r.step).padStart(6)}: ${r.numTensors} tensors, ${(r.heapBytes / 1024).toFixed(1)} KiB in the wasm heap, ${(r.wasmBytes / 2 ** 20).toFixed(0)} MiB of wasm memory`;

/** Runs the soak; returns the growth found (empty when none). */
export async function soak(
  steps = 10_000,
  every = 1_000,
  log: (line: string) => void = console.log,
): Promise<string[]> {
  await fe.ready();
  fe.setRandomSeed(1);
  const features = 20;
  const batch = 32;
  const model = fe.sequential({
    layers: [
      fe.layers.dense({ units: 32, activation: 'relu', inputShape: [features] }),
      fe.layers.dropout({ rate: 0.2 }),
      fe.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = fe.randomUniform([batch, features], -1, 1);
  const y = fe.tensor(
    Int32Array.from({ length: batch }, (_, i) => i % 3),
    [batch],
    'int32',
  );
  const bad = fe.tensor(new Float32Array(batch * features).fill(NaN), [batch, features]);
  const growth: string[] = [];
  /** Reports every `every` steps of a phase; growth is measured from its first report. */
  const monitor = (phase: string) => {
    let base: Reading | null = null;
    return (step: number) => {
      if (step % every !== 0) return;
      const now = read(step);
      log(fmt(now, phase));
      if (base === null) {
        base = now;
        return;
      }
      if (now.numTensors > base.numTensors)
        growth.push(`${phase} ${step}: tensors ${base.numTensors} -> ${now.numTensors}`);
      if (now.heapBytes > base.heapBytes)
        growth.push(`${phase} ${step}: wasm heap ${base.heapBytes} -> ${now.heapBytes} bytes`);
      if (now.wasmBytes > base.wasmBytes)
        growth.push(`${phase} ${step}: wasm memory ${base.wasmBytes} -> ${now.wasmBytes} bytes`);
    };
  };

  const trainReport = monitor('train  ');
  let loss: number | number[] = NaN;
  for (let step = 1; step <= steps; step++) {
    if (step % 100 === 0) {
      const refused = await model.trainOnBatch(bad, y).then(
        () => false,
        () => true,
      );
      if (!refused) growth.push(`train ${step}: a step on NaN input was not refused`);
    } else {
      loss = await model.trainOnBatch(x, y);
    }
    trainReport(step);
  }
  log(`train: last loss ${(Array.isArray(loss) ? loss[0] : loss).toFixed(4)}`);

  const predictReport = monitor('predict');
  for (let step = 1; step <= steps; step++) {
    (model.predict(x) as fe.Tensor).dispose();
    predictReport(step);
  }
  for (const t of [x, y, bad]) t.dispose();
  model.dispose();
  return growth;
}

if (isMain(import.meta.url)) {
  const steps = Number(argValue('steps') ?? 10_000);
  const growth = await soak(steps, Math.max(1, Math.floor(steps / 10)));
  if (growth.length > 0) {
    console.log(`soak: FAILED, memory grew:\n  ${growth.join('\n  ')}`);
    process.exit(1);
  }
  console.log('soak: OK, no growth of tensors or wasm memory');
}
