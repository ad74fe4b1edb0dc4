// `npm run bench:browser`: the same figures in Chromium. Debian's Chromium, driven by
// playwright-core, loads bench/browser/page/ from scripts/serve-demo.mjs (cross-origin
// isolated: COOP/COEP) with the built package (dist/) and TF.js 4.22 with its wasm backend.
// The page trains the Fashion-MNIST MLP and the MNIST CNN and runs the CNN's inference on
// Ferrite's page main thread (SIMD and relaxed SIMD), in Ferrite's worker (the threaded
// build, relaxed and plain, data resident) and on TF.js wasm (SIMD + its threads); this
// process trains the same models with Ferrite in Node (threaded build, 2 threads) for
// the Chromium-worker-vs-Node ratio. Every contender's rounds are interleaved with the
// others' after warm-up rounds (Chromium compiles wasm in tiers), medians reported, and
// the tables written to bench/results/<date>-<host>-chromium.json and .md (or --out).
//
//   npm run bench:browser [-- --quick] [--out PATH.json] [--rounds N]

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../../scripts/chromium.mjs';
import { relaxedSimdSupported } from '../../ts/backend/engine.js';
import { threadsSupported } from '../../ts/backend/threads.js';
import type { BuildName } from '../../ts/backend/wasm-files.js';
import { startDemoServer } from '../../scripts/serve-demo.mjs';
import { ensureDist } from '../../test/e2e/browser/build.js';
import { argValue, numberArg } from '../../examples/program.js';
import { CNN } from '../mnist-cnn.js';
import { MLP } from '../fashion-mnist-mlp.js';
import { Report, reportPath, type SummaryEntry } from '../report.js';
import { fmt, fmtRatio, type Row } from '../table.js';
import { median } from '../timing.js';
import { ferriteTrainer, trainingImages, type Program, type Trainer } from '../training.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A contender: one unit of work per call, resolving to its seconds. */
interface Contender {
  name: string;
  figure: string;
  column: string;
  samples: number;
  run: () => Promise<number>;
}

interface PageSetup {
  info: Record<string, string | number | boolean>;
  contenders: { name: string; figure: string; column: string; samples: number }[];
}

/** Ferrite in this process (Node) on `build`, 2 threads: one fit of `batches` batches per run. */
function nodeContender(
  figure: string,
  column: string,
  build: BuildName,
  program: Program,
  images: Awaited<ReturnType<typeof trainingImages>>,
  batches: number,
): { contender: Contender; trainer: Trainer } {
  const trainer = ferriteTrainer(column, build, program, images, batches, 2);
  const contender: Contender = {
    name: `${figure} | ${column}`,
    figure,
    column,
    samples: trainer.samples,
    run: async () => {
      await trainer.before?.();
      const t0 = performance.now();
      await trainer.run();
      return (performance.now() - t0) / 1000;
    },
  };
  return { contender, trainer };
}

/** Warm-up rounds, then timed rounds, each round running every contender once in turn; median seconds by name. */
async function interleaved(
  contenders: Contender[],
  warmRounds: number,
  rounds: number,
  log: (s: string) => void,
): Promise<Map<string, number>> {
  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < warmRounds + rounds; r++) {
    for (const c of contenders) {
      const s = await c.run();
      if (r >= warmRounds) times.get(c.name)!.push(s);
    }
    log(`  round ${r + 1}/${warmRounds + rounds}${r < warmRounds ? ' (warm-up)' : ''}`);
  }
  return new Map([...times].map(([k, v]) => [k, median(v)]));
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`bench:browser needs ${CHROMIUM} (apt-get install chromium)`);
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const rounds = numberArg('rounds') ?? (quick ? 1 : 5);
  const warmRounds = quick ? 1 : 3;
  const sizes = quick
    ? { mlpBatches: 20, cnnBatches: 2, inferSize: 256 }
    : { mlpBatches: 150, cnnBatches: 10, inferSize: 1024 };
  ensureDist();

  const server = await startDemoServer({
    port: 0,
    quiet: true,
    mounts: [
      // Directories without a trailing slash: the server checks files stay under `dir + sep`.
      ['/bench/', fileURLToPath(new URL('./page', import.meta.url))],
      ['/node_modules/@tensorflow/', `${ROOT}node_modules/@tensorflow`],
    ],
  });
  const browser = await launchChromium();
  const nodeTrainers: Trainer[] = [];
  try {
    const page: Page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('response', (r) => void (r.status() >= 400 && errors.push(`${r.status()}: ${r.url()}`)));
    await page.goto(new URL('/bench/index.html', server.url).href);
    await page
      .waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true, null, {
        timeout: 60_000,
      })
      .catch((e: Error) => {
        throw new Error(`bench page did not load: ${errors.join('; ') || e.message}`);
      });
    const setup = (await page.evaluate((s) => (window as any).bench.setup(s), sizes)) as PageSetup;

    const report = new Report('chromium', {
      quick,
      chromium: browser.version(),
      ...setup.info,
      'node build': relaxedSimdSupported()
        ? 'simd-threads-relaxed (and simd-threads), 2 threads'
        : 'simd-threads, 2 threads',
    });
    const contenders: Contender[] = setup.contenders.map((c) => ({
      ...c,
      run: () => page.evaluate((name) => (window as any).bench.run(name) as Promise<number>, c.name),
    }));

    // Ferrite in Node on the same models and batches, for the worker-vs-Node ratio.
    if (threadsSupported()) {
      const images = await trainingImages(Math.max(sizes.mlpBatches * 32, sizes.cnnBatches * 64));
      const builds: [string, BuildName][] = [['node ferrite simd x2', 'simd-threads']];
      if (relaxedSimdSupported()) builds.unshift(['node ferrite relaxed x2', 'simd-threads-relaxed']);
      for (const [column, build] of builds) {
        for (const [figure, program, batches] of [
          ['mlp training', MLP, sizes.mlpBatches],
          ['cnn training', CNN, sizes.cnnBatches],
        ] as const) {
          const { contender, trainer } = nodeContender(figure, column, build, program, images, batches);
          contenders.push(contender);
          nodeTrainers.push(trainer);
        }
      }
    }

    console.log(
      `Chromium ${browser.version()}: ${contenders.length} contenders, ${warmRounds} warm-up + ${rounds} timed rounds`,
    );
    const seconds = await interleaved(contenders, warmRounds, rounds, console.log);
    const rate = (figure: string, column: string): number | undefined => {
      const c = contenders.find((k) => k.figure === figure && k.column === column);
      const s = c && seconds.get(c.name);
      return c && s ? c.samples / s : undefined;
    };

    const columns = [...new Set(contenders.map((c) => c.column))];
    const figures: [string, string][] = [
      ['mlp training', 'P1 Fashion-MNIST MLP training, batch 32'],
      ['cnn training', 'MNIST CNN training, batch 64'],
      ['cnn inference', `MNIST CNN inference (predict), batch ${sizes.inferSize}`],
    ];
    const rows: Row[] = figures.map(([key, title]) => {
      const row: Row = { figure: title };
      for (const col of columns)
        row[col] = fmt(rate(key, col)) === '-' ? String(setup.info[`${col} ${key}`] ?? '-') : fmt(rate(key, col));
      return row;
    });
    report.table('chromium', 'In Chromium, samples/s (medians of interleaved rounds)', rows, [
      `threads: ferrite page 1 (a page's main thread cannot wait on Atomics); ferrite worker ${String(setup.info['ferrite worker threads'])} (${String(setup.info['ferrite worker build'])}); tfjs wasm ${String(setup.info['tfjs wasm threads'])} (it caps its pool at half of navigator.hardwareConcurrency = ${String(setup.info.hardwareConcurrency)}); node 2`,
      `data: random; MLP ${sizes.mlpBatches} batches per fit, CNN ${sizes.cnnBatches} batches per fit; the worker's data were put there once (putData)`,
    ]);

    const goals: Row[] = [];
    for (const [key, title] of figures.slice(0, 2)) {
      goals.push({
        figure: `${title}: Chromium worker / Node (relaxed, goal ≥ 95 %)`,
        ratio: fmtRatio(rate(key, 'ferrite worker'), rate(key, 'node ferrite relaxed x2')),
      });
      goals.push({
        figure: `${title}: Chromium worker / Node (plain SIMD)`,
        ratio: fmtRatio(rate(key, 'ferrite worker plain'), rate(key, 'node ferrite simd x2')),
      });
    }
    for (const [key, title] of figures) {
      goals.push({
        figure: `${title}: relaxed / plain SIMD, page (1 thread)`,
        ratio: fmtRatio(rate(key, 'ferrite page relaxed'), rate(key, 'ferrite page')),
      });
      goals.push({
        figure: `${title}: relaxed / plain SIMD, worker (threads)`,
        ratio: fmtRatio(rate(key, 'ferrite worker'), rate(key, 'ferrite worker plain')),
      });
    }
    report.table('chromium', 'Ratios: Chromium against Node, relaxed against plain SIMD', goals);

    for (const [key, title] of figures) {
      const values: SummaryEntry['values'] = {};
      for (const col of columns) {
        const v = rate(key, col);
        if (v !== undefined) values[col] = v;
        else if (setup.info[`${col} ${key}`] !== undefined)
          values[col] = String(setup.info[`${col} ${key}`]).split(':')[0];
      }
      report.add({ figure: title, unit: 'samples/s', values });
    }
    report.printSummary();
    const { json, markdown } = report.write(reportPath(argv, 'chromium'));
    console.log(`wrote ${json} and ${markdown}`);
    await page.evaluate(() => (window as any).bench.dispose());
    if (argValue('out') === undefined && errors.length > 0) console.warn(`page errors: ${errors.join('; ')}`);
  } finally {
    for (const t of nodeTrainers) t.dispose();
    await browser.close();
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
