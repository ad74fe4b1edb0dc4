// `npm run bench`: GEMM throughput, the thread pool, the Fashion-MNIST MLP's training
// throughput, conv2d throughput on the MNIST CNN's layers and the MNIST CNN's training
// throughput, each against TensorFlow.js 4.22 in the same process, then one summary table
// of Ferrite against TF.js. About four to six minutes on a quiet 2-core machine (TF.js
// cpu's single MNIST CNN batch alone takes 30-50 s).
//
//   npx tsx bench/run.ts [--only PART] [--skip-PART ...]
//   PART: gemm, threads, fashion-mnist-mlp, conv, mnist-cnn, dcgan

import { benchConv } from './conv.js';
import { benchFashionMnistMlp } from './fashion-mnist-mlp.js';
import { benchGemm } from './gemm.js';
import { benchMnistCnn } from './mnist-cnn.js';
import { benchDcgan } from './dcgan.js';
import { benchBreakEven, benchThreads } from './threads.js';
import { benchStep } from './step.js';
import { benchWorker } from './worker.js';
import { EPOCH_SAMPLES, fastestFerrite } from './training.js';
import { fmt, fmtRatio, printTable, type Row } from './table.js';

/** The number in a formatted table cell ('1,234', '56.7', '12x'), or undefined. */
const num = (cell: string | number | undefined): number | undefined => {
  if (typeof cell === 'number') return cell;
  const v = Number(String(cell ?? '').replace(/[,x]/g, ''));
  return Number.isFinite(v) && String(cell ?? '') !== '-' ? v : undefined;
};

/** A summary row: Ferrite's figure against TF.js's wasm and cpu backends' (undefined: it has none). */
function summaryRow(figure: string, ferrite: number, wasm: number | string | undefined, cpu?: number): Row {
  return {
    figure,
    ferrite: fmt(ferrite),
    'tfjs wasm': typeof wasm === 'string' ? wasm : fmt(wasm),
    'tfjs cpu': fmt(cpu),
    'ferrite/wasm': typeof wasm === 'string' ? '-' : fmtRatio(ferrite, wasm),
    'ferrite/cpu': fmtRatio(ferrite, cpu),
  };
}

/** One part of the bench: its title, and what it prints and adds to the summary. */
interface Part {
  name: string;
  title: string;
  run: (summary: Row[]) => Promise<void>;
}

const PARTS: Part[] = [
  {
    name: 'gemm',
    title: 'GEMM, GFLOP/s (2·M·N·K / median time)',
    run: async (summary) => {
      const rows = await benchGemm();
      printTable(rows);
      for (const r of rows) {
        if (r.shape !== '1024^3' || !['NN', 'NT', 'TN'].includes(String(r.mode))) continue;
        const ferrite = Math.max(num(r['simd x2']) ?? 0, num(r.simd) ?? 0);
        summary.push(summaryRow(`matMul 1024³ ${r.mode} (GFLOP/s)`, ferrite, num(r.tfjs)));
      }
    },
  },
  {
    name: 'threads',
    title: 'Thread pool: empty dispatch and GEMM, 1 vs 2 threads',
    run: async () => printTable(await benchThreads()),
  },
  {
    name: 'fashion-mnist-mlp',
    title: 'Fashion-MNIST MLP: model.fit training throughput, batch 32',
    run: async (summary) => {
      const { rows, samplesPerSecond: sps } = await benchFashionMnistMlp({ rounds: 5 });
      printTable(rows);
      const best = fastestFerrite(sps);
      const [wasm, cpu] = [sps['tfjs wasm'], sps['tfjs cpu']];
      const build = best.replace('ferrite ', '');
      summary.push(summaryRow(`Fashion-MNIST MLP training (samples/s, ${build})`, sps[best], wasm, cpu));
      const epoch = (rate: number) => EPOCH_SAMPLES / rate;
      summary.push({
        ...summaryRow('Fashion-MNIST MLP one epoch of 60,000 (s)', epoch(sps[best]), epoch(wasm), epoch(cpu)),
        'ferrite/wasm': '',
        'ferrite/cpu': '',
      });
    },
  },
  {
    name: 'conv',
    title: 'conv2d on the MNIST CNN layers, batch 64, GFLOP/s (TF.js cpu gradients at batch 4)',
    run: async () => {
      const { rows, step, wasm } = await benchConv();
      printTable(rows);
      console.log();
      printTable(step);
      const passes = Object.entries(wasm).map(([pass, r]) => `${pass} ${r}`);
      console.log(`\nTF.js wasm backend on conv layer 2: ${passes.join('; ')}`);
    },
  },
  {
    name: 'mnist-cnn',
    title: 'MNIST CNN: model.fit training throughput, batch 64',
    run: async (summary) => {
      const { rows, samplesPerSecond: sps } = await benchMnistCnn();
      printTable(rows);
      const best = fastestFerrite(sps);
      const figure = `MNIST CNN training (samples/s, ${best.replace('ferrite ', '')})`;
      summary.push(summaryRow(figure, sps[best], 'cannot train', sps['tfjs cpu']));
    },
  },
  {
    name: 'dcgan',
    title: 'DCGAN on Fashion-MNIST (examples/dcgan.ts): seconds per epoch, batch 64, both training styles',
    run: async () => printTable((await benchDcgan()).rows),
  },
  {
    name: 'break-even',
    title: 'Thread pool: 2-thread speed-up of each kernel family by size (elements), split forced',
    run: async () => printTable(await benchBreakEven()),
  },
  {
    name: 'step',
    title: 'MLP training step: µs, kernel calls and fixed cost per step, 1 vs 2 threads',
    run: async () => {
      const { rows, breakdown } = await benchStep();
      printTable(rows);
      console.log('\nWhere a batch-8 step goes (1 thread, instrumented run):\n');
      printTable(breakdown);
    },
  },
  {
    name: 'worker',
    title: 'Background training: worker overhead on the MLP, data sent per fit vs resident (putData)',
    run: async () => printTable(await benchWorker()),
  },
];

/** The parts the command line asks for: `--only PART`, else all but each `--skip-PART`. */
function selectedParts(argv: string[]): Part[] {
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const unknown = [only, ...argv.filter((a) => a.startsWith('--skip-')).map((a) => a.slice('--skip-'.length))].filter(
    (name) => name !== undefined && !PARTS.some((p) => p.name === name),
  );
  if (unknown.length > 0) {
    throw new Error(`bench/run.ts: no part named ${unknown.join(', ')}; parts: ${PARTS.map((p) => p.name).join(', ')}`);
  }
  return PARTS.filter((p) => (only === undefined ? !argv.includes(`--skip-${p.name}`) : p.name === only));
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const summary: Row[] = [];
  for (const part of selectedParts(process.argv.slice(2))) {
    console.log(`== ${part.title} ==\n`);
    await part.run(summary);
    console.log();
  }
  if (summary.length > 0) {
    console.log('== Summary: Ferrite (best build) against TensorFlow.js 4.22 ==\n');
    printTable(summary);
  }
  console.log(
    `\n(${((performance.now() - t0) / 1000).toFixed(0)} s; figures are medians of interleaved rounds; other load on the machine lowers them)`,
  );
}

main().then(
  () => process.exit(0), // do not wait for TF.js's and the thread pool's workers to wind down
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
