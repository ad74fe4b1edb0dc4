// What wasm-opt (npm binaryen) buys on the simd-threads build, level by level: each
// level's file is loaded in its own Node process (one process cannot hold two builds of
// the same name), and the processes run interleaved, round after round, so the machine's
// drift spreads over all levels. Per process: matMul 1024³ (NN), matMul 256³, the
// Fashion-MNIST MLP fitting one epoch of 9,600 random samples, and MNIST CNN training
// steps (batch 32). Ratios are against cargo's output ('none').
//
//   npx tsx bench/wasm-opt.ts DIR [rounds=3] [threads=2]
//
// DIR holds one folder per level (none, O1, O2, ...), each with ferrite-simd-threads.wasm,
// e.g. made with node_modules/binaryen/bin/wasm-opt -O2 --enable-... (the feature flags
// scripts/build-wasm.mjs passes) from target/wasm-simd-threads/.../ferrite_core.wasm.

import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, printTable, type Row } from './table.js';
import { median } from './timing.js';
import { isMain } from './util.js';

type Figures = Record<string, number>;

/** One level, in this process: seconds per unit of each figure (best of a few). */
async function child(dir: string, threads: number): Promise<Figures> {
  const { setWasmPaths } = await import('../ts/backend/wasm-files.js');
  const { setBackendSync, setThreadsCount, ready } = await import('../ts/backend/engine.js');
  setWasmPaths(dir);
  setThreadsCount(threads);
  setBackendSync('simd-threads');
  await ready();
  const { matMul } = await import('../ts/ops/matmul.js');
  const { randomUniform } = await import('../ts/ops/random.js');
  const { tensor } = await import('../ts/tensor/creation.js');
  const { mlp } = await import('../examples/fashion-mnist-mlp.js');
  const { cnn } = await import('../examples/cifar10-cnn.js');
  const best = async (reps: number, f: () => unknown): Promise<number> => {
    let b = Infinity;
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      await f();
      b = Math.min(b, (performance.now() - t) / 1000);
    }
    return b;
  };
  const out: Figures = {};
  for (const n of [1024, 256]) {
    const a = randomUniform([n, n]);
    const b = randomUniform([n, n]);
    const reps = n === 1024 ? 1 : 50;
    await best(2, () => {
      for (let r = 0; r < reps; r++) matMul(a, b).dispose();
    });
    out[`matMul ${n}³ GFLOP/s`] =
      (2 * n ** 3 * reps) /
      1e9 /
      (await best(5, () => {
        for (let r = 0; r < reps; r++) matMul(a, b).dispose();
      }));
    a.dispose();
    b.dispose();
  }
  const fit = async (model: ReturnType<typeof mlp>, shape: number[], n: number, epochs: number) => {
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = randomUniform([n, ...shape]);
    const y = tensor(
      Int32Array.from({ length: n }, (_, i) => i % 10),
      [n],
      'int32',
    );
    const args = { epochs: 1, batchSize: 32, verbose: 0 as const };
    await model.fit(x, y, args);
    const s = await best(epochs, () => model.fit(x, y, args));
    x.dispose();
    y.dispose();
    model.dispose();
    return n / s;
  };
  out['MLP fit samples/s'] = await fit(mlp(), [28, 28], 9600, 3);
  out['CNN fit samples/s'] = await fit(cnn([28, 28, 1]), [28, 28, 1], 1024, 3);
  return out;
}

export function benchWasmOpt(dir: string, rounds = 3, threads = 2): Row[] {
  const levels = readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .sort((a, b) => (a === 'none' ? -1 : b === 'none' ? 1 : a.localeCompare(b)));
  const runs = new Map<string, Figures[]>(levels.map((l) => [l, []]));
  const self = fileURLToPath(import.meta.url);
  for (let r = 0; r < rounds; r++) {
    for (const level of levels) {
      const json = execFileSync(
        process.execPath,
        ['--import', 'tsx', self, '--child', join(dir, level), String(threads)],
        {
          encoding: 'utf8',
        },
      );
      runs.get(level)!.push(JSON.parse(json.trim().split('\n').pop()!) as Figures);
    }
  }
  const med = (level: string, k: string) => median(runs.get(level)!.map((f) => f[k]));
  const best = (level: string, k: string) => Math.max(...runs.get(level)!.map((f) => f[k]));
  const figures = Object.keys(runs.get(levels[0])![0]);
  return levels.map((level) => {
    const row: Row = {
      level,
      bytes: fmt(statSync(join(dir, level, 'ferrite-simd-threads.wasm')).size),
    };
    // Median over the rounds (ratio to none), then the best round's ratio: on a loaded
    // machine the best rounds are the least disturbed.
    for (const k of figures)
      row[k] =
        `${fmt(med(level, k))} (${(med(level, k) / med('none', k)).toFixed(2)}×; ` +
        `best ${(best(level, k) / best('none', k)).toFixed(2)}×)`;
    return row;
  });
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    child(args[1], Number(args[2] ?? 2)).then((f) => {
      console.log(JSON.stringify(f));
      process.exit(0);
    });
  } else {
    printTable(benchWasmOpt(args[0], Number(args[1] ?? 3), Number(args[2] ?? 2)));
  }
}
