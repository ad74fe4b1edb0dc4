// Attention: the fused kernel's forward + backward at (batch 16, heads 4, T 64, d_model
// 128, so keyDim 32), and one training step of examples/gpt.ts's model (2 blocks, d 128,
// 4 heads, context 64, vocabulary 10,000, batch 32) and of examples/masked-lm.ts's, in samples/s on the scalar build, the
// SIMD build, and the threaded build with 1 and 2 threads, interleaved in one process so
// that the ratios are measured side by side.
//
//   npx tsx bench/attention.ts

import { ready, setBackendSync, setThreadsCount } from '../ts/backend/engine.js';
import { threadsSupported } from '../ts/backend/threads.js';
import type { BuildName } from '../ts/backend/wasm-files.js';
import { grads } from '../ts/autograd/tape.js';
import { dotProductAttention } from '../ts/ops/attention.js';
import { tensor } from '../ts/tensor/creation.js';
import { tidy } from '../ts/tensor/scope.js';
import type { Tensor } from '../ts/tensor/tensor.js';
import { train } from '../ts/index.js';
import { gptModel } from '../examples/gpt.js';
import { maskedLmEncoder } from '../examples/masked-lm.js';
import { layers, model, type SymbolicTensor } from '../ts/index.js';
import { fmt, fmtRatio, printTable, type Row } from './table.js';
import { timeInterleaved, warmUp, type Timed } from './timing.js';
import { isMain, randomData, sizeOf } from './util.js';

interface Config {
  label: string;
  build: BuildName;
  threads: number;
}

const CONFIGS: Config[] = [
  { label: 'scalar', build: 'scalar', threads: 1 },
  { label: 'simd', build: 'simd', threads: 1 },
  ...(threadsSupported()
    ? [
        { label: 'simd x1', build: 'simd-threads' as const, threads: 1 },
        { label: 'simd x2', build: 'simd-threads' as const, threads: 2 },
      ]
    : []),
];

async function select(c: Config): Promise<void> {
  if (c.build === 'simd-threads') setThreadsCount(c.threads);
  setBackendSync(c.build);
  await ready();
}

/** Samples per second of `step` (one batch of `batch` samples) on each configuration, interleaved. */
async function throughput(batch: number, make: () => () => void | Promise<void>): Promise<Map<string, number>> {
  const steps = new Map<string, () => void | Promise<void>>();
  const timed: Timed[] = CONFIGS.map((c) => ({
    name: c.label,
    before: async () => {
      await select(c);
      if (!steps.has(c.label)) steps.set(c.label, make());
    },
    run: () => steps.get(c.label)!(),
  }));
  await warmUp(timed, 500);
  const times = await timeInterleaved(timed, 5);
  return new Map(CONFIGS.map((c) => [c.label, batch / times.get(c.label)!.median]));
}

function attentionStep(): () => void {
  const [b, t, n, dk] = [16, 64, 4, 32];
  const shape = [b, t, n, dk];
  const [q, k, v, dy] = [1, 2, 3, 4].map((s) => tensor(randomData(sizeOf(shape), s), shape));
  const f = (x: Tensor, y: Tensor, z: Tensor) => dotProductAttention(x, y, z, { isCausal: true });
  return () => tidy(() => void grads(f)([q, k, v], dy));
}

function gptStep(): () => Promise<void> {
  const [batch, context, vocab] = [32, 64, 10000];
  const m = gptModel(vocab, 128, 4, 2, context);
  m.compile({ optimizer: train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  const ids = (seed: number) =>
    tensor(
      randomData(batch * context, seed, 0, vocab).map((x) => Math.floor(x)),
      [batch, context],
    );
  const [x, y] = [ids(1), ids(2)];
  return async () => void (await m.trainOnBatch(x, y));
}

/**
 * examples/masked-lm.ts's encoder at its defaults (2 blocks, d 64, 4 heads, context 32,
 * vocabulary 5,000, batch 32) with a vocabulary head over every position (the example
 * applies its head to the 15 % masked positions only, so this step does more head work).
 */
function maskedLmStep(): () => Promise<void> {
  const [batch, context, vocab] = [32, 32, 5000];
  const encoder = maskedLmEncoder(vocab, 64, 4, 2, context);
  const probs = layers.dense({ units: vocab, activation: 'softmax' }).apply(encoder.outputs[0]) as SymbolicTensor;
  const m = model({ inputs: encoder.inputs, outputs: probs });
  m.compile({ optimizer: train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  const ids = (seed: number) =>
    tensor(
      randomData(batch * context, seed, 0, vocab).map((x) => Math.floor(x)),
      [batch, context],
    );
  const [x, y] = [ids(3), ids(4)];
  return async () => void (await m.trainOnBatch(x, y));
}

export async function benchAttention(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [figure, batch, make] of [
    ['attention fwd+bwd (16, 4 heads, T 64, d 128), causal', 16, attentionStep],
    ['GPT training step (2 blocks, d 128, T 64, vocab 10k), batch 32', 32, gptStep],
    ['masked-LM training step (2 blocks, d 64, T 32, vocab 5k, head on every position), batch 32', 32, maskedLmStep],
  ] as const) {
    const sps = await throughput(batch, make);
    const row: Row = { figure: `${figure} (samples/s)` };
    for (const c of CONFIGS) row[c.label] = fmt(sps.get(c.label));
    row['simd / scalar'] = fmtRatio(sps.get('simd'), sps.get('scalar'));
    if (sps.has('simd x2')) row['x2 / x1'] = fmtRatio(sps.get('simd x2'), sps.get('simd x1'));
    rows.push(row);
  }
  return rows;
}

if (isMain(import.meta.url)) {
  benchAttention().then((rows) => {
    printTable(rows);
    process.exit(0);
  });
}
