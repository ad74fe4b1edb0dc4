// `npm run bench`: Ferrite's builds (scalar, SIMD, relaxed SIMD under Node's flag, the
// threaded build on 1 and 2 threads) against TensorFlow.js 4.22 (cpu, wasm) in the same
// process and PyTorch CPU on 1 and 2 threads (bench/pytorch/bench.py, when Debian's
// python3-torch is installed), on the same shapes: GEMM 1024³ in every layout, the
// Fashion-MNIST MLP (P1), the MNIST CNN's conv layers and its training, and the
// text-generation model's training step (P5). Each part prints its tables; a summary of
// every figure with its ratios ends the run, and everything is written to
// bench/results/<date>-<host>.json and .md (or --out PATH.json). The parts' own estimates
// add up to about ten minutes on a quiet 2-core machine (measured: 24 min with the load
// average at 25; --quick: 8 min at 20); --skip-PART or --only shorten it.
//
//   npm run bench [-- --only PART[,PART...]] [--skip-PART ...] [--all] [--quick] [--out PATH.json] [--no-torch]
//   PART: gemm, threads, fashion-mnist-mlp, conv, mnist-cnn, text-generation, step, worker,
//         and, with --all or --only, dcgan and break-even

import { benchConv, MNIST_CNN_LAYERS, PASSES, wasmCell } from './conv.js';
import { benchFashionMnistMlp } from './fashion-mnist-mlp.js';
import { benchGemm } from './gemm.js';
import { benchMnistCnn } from './mnist-cnn.js';
import { benchDcgan } from './dcgan.js';
import { benchBreakEven, benchThreads } from './threads.js';
import { benchStep } from './step.js';
import { benchWorker } from './worker.js';
import { benchTextStep } from './text-generation-step.js';
import { EPOCH_SAMPLES } from './training.js';
import { benchTorch, type TorchPart, type TorchRun } from './pytorch.js';
import { Report, reportPath, type SummaryEntry } from './report.js';
import { fmt, fmtRatio, type Row } from './table.js';

/** The number in a formatted table cell ('1,234', '56.7', '12x'), or undefined. */
const num = (cell: string | number | undefined): number | undefined => {
  if (typeof cell === 'number') return cell;
  const v = Number(String(cell ?? '').replace(/[,x]/g, ''));
  return Number.isFinite(v) && String(cell ?? '') !== '-' ? v : undefined;
};

/** What a part gets: the report to add its tables and figures to, and the run's options. */
interface Context {
  report: Report;
  quick: boolean;
  /** PyTorch's figures for a part of bench/pytorch/bench.py (undefined: skipped, said once). */
  torch: (part: TorchPart) => Promise<TorchRun | undefined>;
}

/** One part of the bench: its name on the command line, and what it runs. */
interface Part {
  name: string;
  /** Whether a run without --only or --all includes it. */
  byDefault: boolean;
  run: (ctx: Context) => Promise<void>;
}

/** PyTorch's figures of a part as a table (rate at each thread count, and x2 over x1). */
function torchTable(ctx: Context, part: string, run: TorchRun, unit: string): void {
  const rows: Row[] = Object.entries(run.results).map(([figure, r]) => ({
    figure,
    'torch x1': fmt(r.x1),
    'torch x2': fmt(r.x2),
    'x2/x1': fmtRatio(r.x2, r.x1),
  }));
  ctx.report.table(part, `PyTorch ${run.version} CPU (${part}), ${unit}, torch.set_num_threads 1 and 2`, rows);
}

/** `{torch x1, torch x2}` for a figure, if PyTorch measured it. */
function torchValues(run: TorchRun | undefined, figure: string): Record<string, number> {
  const r = run?.results[figure];
  return r ? { 'torch x1': r.x1, 'torch x2': r.x2 } : {};
}

/** Ferrite's rates keyed as the summary's columns: 'simd x2' → 'ferrite simd x2'. */
function ferriteValues(byLabel: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, v] of Object.entries(byLabel)) {
    if (v !== undefined) out[label.startsWith('ferrite') ? label : `ferrite ${label}`] = v;
  }
  return out;
}

const FERRITE_LABELS = ['scalar', 'simd', 'relaxed', 'simd x1', 'simd x2', 'relaxed x2'];

const PARTS: Part[] = [
  {
    name: 'gemm',
    byDefault: true,
    run: async (ctx) => {
      const rows = await benchGemm({ quick: ctx.quick });
      ctx.report.table('gemm', 'GEMM, GFLOP/s (2·M·N·K / median time)', rows, [
        'simd x1 / simd x2: the threaded build on a pool of 1 / 2 threads; simd/tfjs: Ferrite SIMD (1 thread) over TF.js wasm (1 thread).',
      ]);
      const torch = await ctx.torch('gemm');
      if (torch) torchTable(ctx, 'gemm', torch, 'matMul GFLOP/s');
      for (const r of rows) {
        // The square size TF.js ran (1024³; 256³ in a quick run).
        if (!String(r.shape).endsWith('^3') || num(r.tfjs) === undefined) continue;
        const figure = `matMul ${String(r.shape).replace('^3', '³')} ${String(r.mode)}`;
        ctx.report.add({
          figure,
          unit: 'GFLOP/s',
          values: {
            ...ferriteValues(Object.fromEntries(FERRITE_LABELS.map((l) => [l, num(r[l])]))),
            'tfjs wasm': num(r.tfjs) ?? '-',
            ...torchValues(torch, figure),
          },
        });
      }
    },
  },
  {
    name: 'threads',
    byDefault: true,
    run: async (ctx) =>
      ctx.report.table('threads', 'Thread pool: empty dispatch and GEMM, 1 vs 2 threads', await benchThreads()),
  },
  {
    name: 'fashion-mnist-mlp',
    byDefault: true,
    run: async (ctx) => {
      const q = ctx.quick;
      const {
        rows,
        samplesPerSecond: sps,
        data,
      } = await benchFashionMnistMlp(q ? { rounds: 1, batches: 40, cpuBatches: 4, warmUpMs: 200 } : { rounds: 5 });
      ctx.report.table('fashion-mnist-mlp', 'Fashion-MNIST MLP (P1): model.fit training throughput, batch 32', rows, [
        `data: ${data}; epoch (s): ${EPOCH_SAMPLES.toLocaleString('en-US')} samples at the median rate.`,
      ]);
      const torch = await ctx.torch('mlp');
      if (torch) torchTable(ctx, 'fashion-mnist-mlp', torch, 'samples/s');
      ctx.report.add({
        figure: 'P1 Fashion-MNIST MLP training, batch 32',
        unit: 'samples/s',
        values: {
          ...ferriteValues(sps),
          'tfjs wasm': sps['tfjs wasm'],
          'tfjs cpu': sps['tfjs cpu'],
          ...torchValues(torch, 'Fashion-MNIST MLP training, batch 32'),
        },
      });
    },
  },
  {
    name: 'conv',
    byDefault: true,
    run: async (ctx) => {
      const { rows, step, wasm, rates, stepRates } = await benchConv({ quick: ctx.quick });
      const cpuBatch = ctx.quick ? 1 : 4;
      ctx.report.table(
        'conv',
        `conv2d on the MNIST CNN layers, batch 64, GFLOP/s (TF.js cpu gradients at batch ${cpuBatch})`,
        rows,
        [
          `TF.js wasm backend on ${MNIST_CNN_LAYERS[1].name}: ${PASSES.map((p) => `${p} ${wasmCell(wasm[p])}`).join('; ')}`,
        ],
      );
      ctx.report.table('conv', 'One MNIST CNN training step, convolutions only (at the rates above)', step);
      const torch = await ctx.torch('conv');
      if (torch) torchTable(ctx, 'conv', torch, 'conv GFLOP/s at batch 64');
      // The issue's figures: the first layer (one input channel) and layer 2, each pass.
      for (const [layer, passes] of [
        [MNIST_CNN_LAYERS[0], ['forward', 'dw']],
        [MNIST_CNN_LAYERS[1], PASSES],
      ] as const) {
        for (const pass of passes) {
          const values: SummaryEntry['values'] = {};
          for (const label of [...FERRITE_LABELS, 'tfjs cpu']) {
            const v = rates.get(`${label} ${layer.name} ${pass}`);
            if (v !== undefined) values[label.startsWith('tfjs') ? label : `ferrite ${label}`] = v;
          }
          if (layer === MNIST_CNN_LAYERS[1]) values['tfjs wasm'] = wasm[pass];
          const figure = `conv ${layer.name} ${pass}`;
          ctx.report.add({ figure, unit: 'GFLOP/s', values: { ...values, ...torchValues(torch, figure) } });
        }
      }
      const values: SummaryEntry['values'] = {};
      for (const [label, v] of Object.entries(stepRates))
        values[label.startsWith('tfjs') ? label : `ferrite ${label}`] = v;
      ctx.report.add({
        figure: 'conv layers of one CNN training step (batch 64)',
        unit: 'samples/s',
        values,
        note: 'summed from the per-layer rates; the training figure below includes everything else',
      });
    },
  },
  {
    name: 'mnist-cnn',
    byDefault: true,
    run: async (ctx) => {
      const q = ctx.quick;
      const {
        rows,
        samplesPerSecond: sps,
        tfjsWasm,
      } = await benchMnistCnn(
        q
          ? { rounds: 1, batches: 4, scalarBatches: 1, cpuBatches: 0, warmUpMs: 200, log: () => {} }
          : { log: () => {} },
      );
      ctx.report.table('mnist-cnn', 'MNIST CNN: model.fit training throughput, batch 64', rows, [
        `TF.js wasm, asked to train it: ${tfjsWasm}`,
        q ? 'quick run: TF.js cpu left out (30-50 s a batch)' : 'TF.js cpu: one timed batch after a batch of 4',
      ]);
      const torch = await ctx.torch('cnn');
      if (torch) torchTable(ctx, 'mnist-cnn', torch, 'samples/s');
      ctx.report.add({
        figure: 'MNIST CNN training, batch 64',
        unit: 'samples/s',
        values: {
          ...ferriteValues(sps),
          'tfjs wasm': 'cannot train',
          ...(sps['tfjs cpu'] !== undefined ? { 'tfjs cpu': sps['tfjs cpu'] } : {}),
          ...torchValues(torch, 'MNIST CNN training, batch 64'),
        },
        note: 'TF.js wasm has no Conv2DBackpropFilter kernel',
      });
    },
  },
  {
    name: 'text-generation',
    byDefault: true,
    run: async (ctx) => {
      const { rows, reduced, full } = await benchTextStep({ quick: ctx.quick });
      ctx.report.table('text-generation', 'Text generation (P5): training step, samples/s (batch x 32 tokens)', rows, [
        'TF.js runs the reduced size only: at full size its cpu backend had not finished one batch in 9 minutes.',
        'TF.js wasm cannot train the model (no UnsortedSegmentSum kernel for the Embedding gradient).',
      ]);
      const torch = await ctx.torch('text');
      if (torch) torchTable(ctx, 'text-generation', torch, 'samples/s');
      ctx.report.add({
        figure: 'P5 text-generation step, reduced size',
        unit: 'samples/s',
        values: { ...reduced, ...torchValues(torch, 'text generation training step, reduced size') },
        note: 'vocab 2,000, embedding 64, LSTM 128, batch 16 x 32: the size TF.js can finish',
      });
      if (full) {
        ctx.report.add({
          figure: 'P5 text-generation step, full size',
          unit: 'samples/s',
          values: { ...full, ...torchValues(torch, 'text generation training step, full size') },
          note: 'vocab 10,000, embedding 256, LSTM 512, batch 64 x 32; TF.js cannot finish a batch at this size',
        });
      }
    },
  },
  {
    name: 'step',
    byDefault: true,
    run: async (ctx) => {
      const { rows, breakdown } = await benchStep(ctx.quick ? { rounds: 1, warmUpMs: 100 } : {});
      ctx.report.table('step', 'MLP training step: µs, kernel calls and fixed cost per step, 1 vs 2 threads', rows);
      ctx.report.table('step', 'Where a batch-8 step goes (1 thread, instrumented run)', breakdown);
    },
  },
  {
    name: 'worker',
    byDefault: true,
    run: async (ctx) =>
      ctx.report.table(
        'worker',
        'Background training: worker overhead on the MLP, data sent per fit vs resident (putData)',
        await benchWorker(ctx.quick ? { samples: 3200, rounds: 1 } : {}),
      ),
  },
  {
    name: 'dcgan',
    byDefault: false,
    run: async (ctx) =>
      ctx.report.table(
        'dcgan',
        'DCGAN on Fashion-MNIST (examples/dcgan.ts): seconds per epoch, batch 64, both training styles',
        (await benchDcgan(ctx.quick ? 320 : undefined)).rows,
      ),
  },
  {
    name: 'break-even',
    byDefault: false,
    run: async (ctx) =>
      ctx.report.table(
        'break-even',
        'Thread pool: 2-thread speed-up of each kernel family by size (elements), split forced',
        await benchBreakEven(),
      ),
  },
];

/** The parts the command line asks for: `--only A,B`, else the default ones (all with `--all`) but each `--skip-PART`. */
function selectedParts(argv: string[]): Part[] {
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1]?.split(',') : undefined;
  const skipped = argv.filter((a) => a.startsWith('--skip-')).map((a) => a.slice('--skip-'.length));
  const unknown = [...(only ?? []), ...skipped].filter((name) => !PARTS.some((p) => p.name === name));
  if (unknown.length > 0) {
    throw new Error(`bench/run.ts: no part named ${unknown.join(', ')}; parts: ${PARTS.map((p) => p.name).join(', ')}`);
  }
  const all = argv.includes('--all');
  return PARTS.filter((p) =>
    only !== undefined ? only.includes(p.name) : (all || p.byDefault) && !skipped.includes(p.name),
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const parts = selectedParts(argv);
  const report = new Report('node', {
    quick,
    parts: parts.map((p) => p.name).join(', '),
    'relaxed SIMD': process.execArgv.includes('--experimental-wasm-relaxed-simd'),
  });
  const torch = async (part: TorchPart): Promise<TorchRun | undefined> => {
    if (argv.includes('--no-torch')) return undefined;
    const run = await benchTorch(part, { quick, log: (line) => report.note(line) });
    if (run) report.environment.torch = run.version;
    return run;
  };
  const t0 = performance.now();
  for (const part of parts) await part.run({ report, quick, torch });
  report.printSummary();
  const { json, markdown } = report.write(reportPath(argv));
  console.log(
    `(${((performance.now() - t0) / 1000).toFixed(0)} s; figures are medians of interleaved rounds; other load on the machine lowers them)`,
  );
  console.log(`wrote ${json} and ${markdown}`);
}

main().then(
  () => process.exit(0), // do not wait for TF.js's and the thread pool's workers to wind down
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
