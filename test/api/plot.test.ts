// The SVG chart writer: plotHistory's document is well-formed XML, has one path per
// series with one point per epoch placed where the values say, axis labels, ticks and
// a legend; files are written; errors are clear. (The picture itself was checked by
// eye, rendered to PNG with headless Chromium.)

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineChart, plotHistory } from '../../ts/plot/index.js';
import { niceAxis } from '../../ts/plot/scale.js';

/** Checks that tags nest and close properly (a small well-formedness check); returns the element names. */
function parseTags(svg: string): string[] {
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, '');
  const stack: string[] = [];
  const names: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      names.push(name);
      if (!selfClose) stack.push(name);
    }
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(', ')}`);
  // Nothing but tags, whitespace and escaped text: no stray '<' or '&'.
  const text = body.replace(/<[^>]*>/g, '');
  expect(text).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;|apos;)/);
  return names;
}

/** The points of the series path labelled `label`: [[x, y], ...] per run. */
function seriesRuns(svg: string, label: string): [number, number][][] {
  const m = svg.match(new RegExp(`<path class="series" data-series="${label}" d="([^"]*)"`));
  if (!m) throw new Error(`no path for ${label}`);
  return m[1]
    .split(/(?=M)/)
    .map((run) =>
      [...run.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((p) => [Number(p[1]), Number(p[2])] as [number, number]),
    );
}

const epochs = 7;
const history = {
  epoch: [...Array(epochs).keys()],
  history: {
    loss: [1.9, 1.5, 1.2, 1.05, 0.95, 0.9, 0.85],
    accuracy: [0.3, 0.45, 0.55, 0.61, 0.65, 0.68, 0.7],
    val_loss: [1.6, 1.35, 1.2, 1.15, 1.1, 1.12, 1.15],
    val_accuracy: [0.4, 0.5, 0.56, 0.59, 0.61, 0.62, 0.62],
  },
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('plotHistory', () => {
  it('draws one path per series with one point per epoch, axes, ticks, titles and a legend', () => {
    const svg = plotHistory(history, { metrics: ['accuracy', 'loss'], title: 'CNN <CIFAR-10> & co' });
    const tags = parseTags(svg);
    expect(tags[0]).toBe('svg');
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('CNN &lt;CIFAR-10&gt; &amp; co');
    const paths = [...svg.matchAll(/<path class="series" data-series="([^"]+)"/g)].map((m) => m[1]);
    expect(paths).toEqual(['accuracy', 'val_accuracy', 'loss', 'val_loss']);
    for (const name of paths) {
      const runs = seriesRuns(svg, name);
      expect(runs).toHaveLength(1);
      const pts = runs[0];
      expect(pts).toHaveLength(epochs);
      // x grows with the epoch; a larger value is drawn higher (smaller y).
      for (let i = 1; i < pts.length; i++) expect(pts[i][0]).toBeGreaterThan(pts[i - 1][0]);
      const values = history.history[name as keyof typeof history.history];
      for (let i = 0; i < values.length; i++)
        for (let j = 0; j < values.length; j++) if (values[i] > values[j]) expect(pts[i][1]).toBeLessThan(pts[j][1]);
    }
    // Panels: accuracy left, loss right; validation dashed, same x positions as training.
    expect(seriesRuns(svg, 'accuracy')[0][0][0]).toBeLessThan(seriesRuns(svg, 'loss')[0][0][0]);
    expect(seriesRuns(svg, 'val_loss')[0].map((p) => p[0])).toEqual(seriesRuns(svg, 'loss')[0].map((p) => p[0]));
    expect(svg).toMatch(/data-series="val_loss" d="[^"]*"[^>]*stroke-dasharray="6 4"/);
    expect(svg).not.toMatch(/data-series="loss" d="[^"]*"[^>]*stroke-dasharray/);
    // Titles, axis labels, legend entries and ticks.
    for (const t of ['Accuracy', 'Loss']) expect(svg).toContain(`font-weight="bold">${t}</text>`);
    expect(svg.match(/class="axis-label"[^>]*>Epoch<\/text>/g)).toHaveLength(2);
    expect(svg).toMatch(/class="axis-label"[^>]*>accuracy<\/text>/);
    expect(svg).toMatch(/class="axis-label"[^>]*>loss<\/text>/);
    for (const name of paths) expect(svg).toMatch(new RegExp(`<g class="legend">.*>${name}</text>`));
    for (let e = 1; e <= epochs; e++) expect(svg).toContain(`>${e}</text>`);
    for (const tick of ['0.3', '0.5', '0.7', '1.0', '2.0']) expect(svg).toContain(`>${tick}</text>`);
  });

  it('defaults to every metric then the loss; leaves gaps at missing values', () => {
    const svg = plotHistory({ history: { loss: [1, NaN, 0.5, 0.4], acc: [0.1, 0.2, 0.3, 0.4] } });
    expect([...svg.matchAll(/<path class="series" data-series="([^"]+)"/g)].map((m) => m[1])).toEqual(['acc', 'loss']);
    const runs = seriesRuns(svg, 'loss');
    expect(runs.map((r) => r.length)).toEqual([1, 2]);
  });

  it('writes the file, creating directories, and explains bad input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrite-plot-'));
    dirs.push(dir);
    const path = join(dir, 'charts', 'history.svg');
    const svg = plotHistory(history, { path });
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(svg);
    expect(() => plotHistory(history, { metrics: ['precision'] })).toThrow(
      /no 'precision' in the history; it holds loss, accuracy, val_loss, val_accuracy/,
    );
    expect(() => plotHistory({ history: {} })).toThrow(/the history is empty/);
    expect(() => plotHistory(undefined as never)).toThrow(/expects a History/);
    expect(() => lineChart([])).toThrow(/at least one panel/);
    expect(() => lineChart([{ series: [{ label: 'a', y: [1, 2], x: [1] }] }])).toThrow(
      /series 'a' has 1 x values for 2 y values/,
    );
  });

  it('lineChart clips series to the frame of a fixed y range', () => {
    const svg = lineChart([
      { series: [{ label: 'a', y: [0.5, 2, 0.2] }], yDomain: [0, 1] },
      { series: [{ label: 'b', y: [5, 6] }] },
    ]);
    parseTags(svg);
    expect(svg).toContain('<clipPath id="frame-0"><rect');
    expect(svg).toContain('<clipPath id="frame-1"><rect');
    expect(svg).toMatch(/<g data-series="a" clip-path="url\(#frame-0\)">/);
    expect(svg).toMatch(/<g data-series="b" clip-path="url\(#frame-1\)">/);
    // The y axis keeps the given range: ticks 0 to 1 only.
    expect(svg).toContain('>1.0</text>');
    expect(svg).not.toContain('>2.0</text>');
  });

  it('draws a single epoch as a centred point with its tick', () => {
    const svg = plotHistory({ history: { loss: [0.5] } });
    parseTags(svg);
    const [[pt]] = seriesRuns(svg, 'loss');
    expect(svg).toContain('<circle');
    expect(svg).toContain('>1</text>');
    const frame = svg.match(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/)!;
    expect(pt[0]).toBeCloseTo(Number(frame[1]) + Number(frame[2]) / 2, 0);
  });
});

describe('niceAxis', () => {
  it('picks steps of 1, 2 or 5 times a power of ten and covers the data', () => {
    expect(niceAxis(0.4, 0.75, 5)).toMatchObject({
      min: 0.4,
      max: 0.8,
      step: 0.1,
      ticks: [0.4, 0.5, 0.6, 0.7, 0.8],
      decimals: 1,
    });
    expect(niceAxis(0.013, 0.049, 4)).toMatchObject({ step: 0.01, ticks: [0.01, 0.02, 0.03, 0.04, 0.05], decimals: 2 });
    expect(niceAxis(1, 20, 10, true)).toMatchObject({ min: 0, max: 20, step: 2 });
    expect(niceAxis(3, 3, 5)).toMatchObject({ min: 2.6, max: 3.4 });
    expect(niceAxis(0, 0, 5).ticks[0]).toBeLessThan(0);
    expect(niceAxis(-250, 1250, 5)).toMatchObject({ step: 500, ticks: [-500, 0, 500, 1000, 1500], decimals: 0 });
  });
});
