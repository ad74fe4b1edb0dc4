// Drawing speed of the three chart libraries vis was chosen among (README, "uPlot"), in
// headless Chromium: a live loss chart as fitCallbacks draws it, receiving one point per
// batch for 2,000 batches and redrawn once per animation frame. For each library:
// - ms per redraw: the script time of one update, from the new point to the drawn chart
//   (uPlot commits in a microtask, awaited; Chart.js draws synchronously with animations
//   off; Observable Plot builds a new SVG, which replaces the old one);
// - main-thread ms: all of the renderer's main-thread work during the run (script, style,
//   layout, paint; Chrome's TaskDuration), which is what the page loses to the chart.
// The libraries run one after another in fresh pages of one browser, in rounds, and the
// table shows the median round.
//
// The libraries are not devDependencies: this installs them into a temporary folder
// (npm, once, then cached), bundles each with esbuild into one script, and deletes nothing
// it did not make.
//
//   npx tsx bench/charts.ts [--batches 2000] [--rounds 3] [--per-frame 1]     (about 3 minutes)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { argValue } from '../examples/program.js';
import { printTable, type Row } from './table.js';

const VERSIONS = { uplot: '1.6.32', 'chart.js': '4.6.1', '@observablehq/plot': '0.6.17' };
const BATCHES = Number(argValue('batches') ?? 2000);
const ROUNDS = Number(argValue('rounds') ?? 3);
/** Batches that arrive between two frames (1: a redraw per point, the most redraws). */
const PER_FRAME = Number(argValue('per-frame') ?? 1);

/** A folder with the three libraries installed (npm install into it once). */
function libraries(): string {
  const dir = join(tmpdir(), 'ferrite-bench-charts');
  const stamp = join(dir, `installed-${Object.values(VERSIONS).join('-')}`);
  if (existsSync(stamp)) return dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ferrite-bench-charts', private: true }));
  const specs = Object.entries(VERSIONS).map(([name, v]) => `${name}@${v}`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', ...specs], { cwd: dir, stdio: 'inherit' });
  writeFileSync(stamp, '');
  return dir;
}

// Each entry: a module that sets `window.chart = {add(xs, ys)}`, a chart of the points so
// far in a 600 x 300 box, redrawn by `add` with every point given (`await`ed).
const ENTRIES: Record<string, string> = {
  uPlot: `
    import uPlot from 'uplot';
    const el = document.getElementById('chart');
    const u = new uPlot({ width: 600, height: 300, scales: { x: { time: false } },
      series: [{}, { label: 'loss', stroke: 'steelblue' }] }, [[], []], el);
    window.chart = { add: async (xs, ys) => { u.setData([xs, ys]); await new Promise((r) => queueMicrotask(r)); } };`,
  'Chart.js': `
    import { Chart, LineController, LineElement, PointElement, LinearScale } from 'chart.js';
    Chart.register(LineController, LineElement, PointElement, LinearScale);
    const canvas = document.createElement('canvas');
    document.getElementById('chart').append(canvas);
    const chart = new Chart(canvas, { type: 'line',
      data: { datasets: [{ label: 'loss', data: [], borderColor: 'steelblue', pointRadius: 0, borderWidth: 1 }] },
      options: { animation: false, responsive: false, parsing: false, normalized: true,
        scales: { x: { type: 'linear' }, y: { type: 'linear' } } } });
    canvas.width = 600; canvas.height = 300; chart.resize(600, 300);
    window.chart = { add: async (xs, ys) => {
      chart.data.datasets[0].data = xs.map((x, i) => ({ x, y: ys[i] }));
      chart.update('none');
    } };`,
  'Observable Plot': `
    import * as Plot from '@observablehq/plot';
    const el = document.getElementById('chart');
    window.chart = { add: async (xs, ys) => {
      const svg = Plot.plot({ width: 600, height: 300, marks: [Plot.lineY(ys, { x: xs, stroke: 'steelblue' })] });
      el.replaceChildren(svg);
    } };`,
};

async function bundle(dir: string, source: string): Promise<string> {
  const r = await build({
    stdin: { contents: source, resolveDir: dir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

// The page's side of a run, as source text (tsx's helpers would not exist in the page).
const FEED = `async (batches, perFrame) => {
  const xs = [], ys = [], times = [];
  const start = performance.now();
  let seed = 1; // a falling, noisy loss curve
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.1;
  while (xs.length < batches) {
    await new Promise((r) => requestAnimationFrame(r));
    for (let k = 0; k < perFrame && xs.length < batches; k++) {
      xs.push(xs.length);
      ys.push(2 * Math.exp(-xs.length / 400) + 0.3 + noise());
    }
    const t = performance.now();
    await window.chart.add(xs, ys);
    times.push(performance.now() - t);
  }
  // Let the last frame's style, layout and paint happen before the metrics are read.
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return { redrawMs: times, wallMs: performance.now() - start };
}`;

interface RunResult {
  redrawMs: number[];
  mainThreadMs: number;
  wallMs: number;
}

/** Feeds BATCHES points, PER_FRAME per animation frame, timing each redraw; CDP's TaskDuration around it all. */
async function run(page: Page, script: string): Promise<RunResult> {
  await page.setContent('<!doctype html><html><body style="margin:0"><div id="chart"></div></body></html>');
  await page.addScriptTag({ content: script });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m: { name: string }) => m.name === 'TaskDuration')!.value;
  };
  const before = await taskSeconds();
  const { redrawMs, wallMs } = (await page.evaluate(`(${FEED})(${BATCHES}, ${PER_FRAME})`)) as {
    redrawMs: number[];
    wallMs: number;
  };
  const mainThreadMs = ((await taskSeconds()) - before) * 1000;
  await cdp.detach();
  return { redrawMs, mainThreadMs, wallMs };
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (v: number[], q: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))];

async function main() {
  const dir = libraries();
  const scripts = Object.fromEntries(
    await Promise.all(Object.entries(ENTRIES).map(async ([name, src]) => [name, await bundle(dir, src)] as const)),
  );
  const browser = await chromium.launch({
    executablePath: '/usr/lib/chromium/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const results: Record<string, RunResult[]> = {};
  try {
    console.log(`Chromium ${browser.version()}: ${BATCHES} batches, ${PER_FRAME} per frame, ${ROUNDS} rounds`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, script] of Object.entries(scripts)) {
        const page = await browser.newPage({ viewport: { width: 800, height: 400 }, deviceScaleFactor: 1 });
        try {
          (results[name] ??= []).push(await run(page, script));
        } finally {
          await page.close();
        }
        const last = results[name][round];
        console.log(`  round ${round + 1} ${name}: main thread ${last.mainThreadMs.toFixed(0)} ms`);
      }
    }
  } finally {
    await browser.close();
  }
  const rows: Row[] = [];
  const base = median(results.uPlot.map((r) => r.mainThreadMs));
  for (const [name, runs] of Object.entries(results)) {
    // The round with the median main-thread time.
    const r = [...runs].sort((a, b) => a.mainThreadMs - b.mainThreadMs)[Math.floor(runs.length / 2)];
    const last = r.redrawMs.slice(-100);
    rows.push({
      library: `${name} ${Object.values(VERSIONS)[Object.keys(ENTRIES).indexOf(name)]}`,
      'redraw ms (median)': median(r.redrawMs).toFixed(2),
      'redraw ms (p95)': quantile(r.redrawMs, 0.95).toFixed(2),
      'redraw ms, last 100': median(last).toFixed(2),
      'main-thread ms': r.mainThreadMs.toFixed(0),
      'vs uPlot': (r.mainThreadMs / base).toFixed(2),
      'wall s': (r.wallMs / 1000).toFixed(1),
    });
  }
  printTable(rows);
}

await main();
