// `npm run bench`: GEMM throughput, reference program P1's training throughput, conv2d
// throughput on the P3 layers and P3's training throughput, each against TensorFlow.js
// 4.22 in the same process, then one summary table of Ferrite against TF.js. About six
// minutes on a quiet 2-core machine (TF.js cpu's single P3 batch alone takes 30-50 s).
//
//   npx tsx bench/run.ts [--skip-gemm] [--skip-threads] [--skip-p1] [--skip-conv] [--skip-p3]

import { existsSync } from 'node:fs';
import { benchP1 } from './fashion-mnist-mlp.js';
import { benchConv } from './conv.js';
import { benchP3 } from './mnist-cnn.js';
import { benchThreads } from './threads.js';
import { fmt, fmtRatio, printTable, type Row } from './util.js';

const skip = (what: string) => process.argv.includes(`--skip-${what}`);

/** The number in a formatted table cell ('1,234', '56.7', '12x'), or undefined. */
const num = (cell: string | number | undefined): number | undefined => {
  if (typeof cell === 'number') return cell;
  const v = Number(String(cell ?? '').replace(/[,x]/g, ''));
  return Number.isFinite(v) && String(cell ?? '') !== '-' ? v : undefined;
};

async function main(): Promise<void> {
  const t0 = performance.now();
  const summary: Row[] = [];

  if (!skip('gemm')) {
    const gemmFile = new URL('./gemm.ts', import.meta.url);
    if (existsSync(gemmFile)) {
      const { benchGemm } = (await import('./gemm.js')) as { benchGemm: () => Promise<Row[]> };
      console.log('== GEMM, GFLOP/s (2·M·N·K / median time) ==\n');
      const rows = await benchGemm();
      printTable(rows);
      for (const r of rows) {
        if (r.shape !== '1024^3' || !['NN', 'NT', 'TN'].includes(String(r.mode))) continue;
        const ferrite = Math.max(num(r['simd x2']) ?? 0, num(r.simd) ?? 0);
        const tfjs = num(r.tfjs);
        summary.push({
          figure: `matMul 1024³ ${r.mode} (GFLOP/s)`,
          ferrite: fmt(ferrite),
          'tfjs wasm': fmt(tfjs),
          'tfjs cpu': '-',
          'ferrite/wasm': fmtRatio(ferrite, tfjs),
          'ferrite/cpu': '-',
        });
      }
      console.log();
    } else {
      console.log('(bench/gemm.ts is not there yet: GEMM skipped)\n');
    }
  }

  if (!skip('threads')) {
    console.log('== Thread pool: empty dispatch and GEMM, 1 vs 2 threads ==\n');
    printTable(await benchThreads());
    console.log();
  }

  if (!skip('p1')) {
    console.log('== P1 Fashion-MNIST MLP: model.fit training throughput, batch 32 ==\n');
    const r = await benchP1({ rounds: 5 });
    printTable(r.rows);
    const sps = r.samplesPerSecond;
    const ferriteName = Object.keys(sps)
      .filter((k) => k.startsWith('ferrite') && !k.includes('scalar'))
      .reduce((a, b) => (sps[a] >= sps[b] ? a : b));
    summary.push({
      figure: `P1 training (samples/s, ${ferriteName.replace('ferrite ', '')})`,
      ferrite: fmt(sps[ferriteName]),
      'tfjs wasm': fmt(sps['tfjs wasm']),
      'tfjs cpu': fmt(sps['tfjs cpu']),
      'ferrite/wasm': fmtRatio(sps[ferriteName], sps['tfjs wasm']),
      'ferrite/cpu': fmtRatio(sps[ferriteName], sps['tfjs cpu']),
    });
    summary.push({
      figure: 'P1 one epoch of 60,000 (s)',
      ferrite: fmt(60000 / sps[ferriteName]),
      'tfjs wasm': fmt(60000 / sps['tfjs wasm']),
      'tfjs cpu': fmt(60000 / sps['tfjs cpu']),
      'ferrite/wasm': '',
      'ferrite/cpu': '',
    });
    console.log();
  }

  if (!skip('conv')) {
    console.log('== conv2d on the P3 layers, batch 64, GFLOP/s (TF.js cpu gradients at batch 4) ==\n');
    const { rows, step, wasm } = await benchConv();
    printTable(rows);
    console.log();
    printTable(step);
    console.log(
      `\nTF.js wasm backend on conv layer 2: ${Object.entries(wasm)
        .map(([pass, r]) => `${pass} ${r}`)
        .join('; ')}\n`,
    );
  }

  if (!skip('p3')) {
    console.log('== P3 MNIST CNN: model.fit training throughput, batch 64 ==\n');
    const r = await benchP3();
    printTable(r.rows);
    const sps = r.samplesPerSecond;
    const ferriteName = Object.keys(sps)
      .filter((k) => k.startsWith('ferrite') && !k.includes('scalar'))
      .reduce((a, b) => (sps[a] >= sps[b] ? a : b));
    summary.push({
      figure: `P3 CNN training (samples/s, ${ferriteName.replace('ferrite ', '')})`,
      ferrite: fmt(sps[ferriteName]),
      'tfjs wasm': 'cannot train',
      'tfjs cpu': fmt(sps['tfjs cpu']),
      'ferrite/wasm': '-',
      'ferrite/cpu': fmtRatio(sps[ferriteName], sps['tfjs cpu']),
    });
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
