// vis (tfjs-vis's API) in Node: every function given a file path writes an SVG whose
// numbers (data-value attributes, series points) are checked against references computed
// here by hand: confusion counts, histogram bins, the model's parameter counts, and one
// point per batch and per epoch of a seeded training run.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fe from '../../ts/index.js';
import { rng } from '../support/helpers.js';

const { vis } = fe;
let dir: string;
beforeAll(async () => {
  await fe.ready();
  dir = mkdtempSync(join(tmpdir(), 'ferrite-vis-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `data-value` attributes of elements with class `cls`, in document order. */
function dataValues(svg: string, cls: string): number[] {
  const re = new RegExp(`class="${cls}"[^>]*?data-value="([^"]*)"`, 'g');
  return [...svg.matchAll(re)].map((m) => Number(m[1]));
}

/** Number of points of each series path labelled `label` (its M/L commands), one entry per panel. */
function pointsPerPanel(svg: string, label: string): number[] {
  const re = new RegExp(`<path class="series" data-series="${label}" d="([^"]*)"`, 'g');
  return [...svg.matchAll(re)].map((m) => (m[1].match(/[ML]/g) ?? []).length);
}
const pointsOf = (svg: string, label: string): number => pointsPerPanel(svg, label).reduce((a, b) => a + b, 0);

describe('vis.metrics', () => {
  // Labels and predictions of 10 samples over 3 classes; the counts below are by hand.
  const labels = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2];
  const preds = [0, 1, 0, 1, 1, 2, 1, 2, 0, 2];
  const byHand = [
    [2, 1, 0], // class 0: two right, one taken for 1
    [0, 3, 1], // class 1: three right, one taken for 2
    [1, 0, 2], // class 2: two right, one taken for 0
  ];

  it('confusionMatrix counts (true, predicted) pairs, from tensors or arrays', async () => {
    const y = fe.tensor1d(labels, 'int32');
    const p = fe.tensor1d(preds, 'int32');
    expect(await vis.metrics.confusionMatrix(y, p)).toEqual(byHand);
    expect(await vis.metrics.confusionMatrix(labels, preds, 4)).toEqual([
      ...byHand.map((r) => [...r, 0]),
      [0, 0, 0, 0],
    ]);
    y.dispose();
    p.dispose();
  });

  it('confusionMatrix with weights sums the weights', async () => {
    const w = labels.map((_, i) => i + 1);
    const m = await vis.metrics.confusionMatrix(labels, preds, 3, w);
    // sample i (weight i+1) lands in m[labels[i]][preds[i]]
    const ref = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    labels.forEach((t, i) => (ref[t][preds[i]] += i + 1));
    expect(m).toEqual(ref);
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(55);
  });

  it('perClassAccuracy and accuracy', async () => {
    expect(await vis.metrics.perClassAccuracy(labels, preds)).toEqual([
      { accuracy: 2 / 3, count: 3 },
      { accuracy: 3 / 4, count: 4 },
      { accuracy: 2 / 3, count: 3 },
    ]);
    expect(await vis.metrics.accuracy(labels, preds)).toBeCloseTo(7 / 10, 12);
    // A class with no samples has accuracy 0 and count 0 (not NaN).
    expect((await vis.metrics.perClassAccuracy([0, 0], [0, 1], 3))[2]).toEqual({ accuracy: 0, count: 0 });
  });

  it('refuses bad input with what was expected', async () => {
    await expect(vis.metrics.confusionMatrix([0, 1], [0])).rejects.toThrow(/2 labels but 1 predictions/);
    await expect(vis.metrics.confusionMatrix([0, 1.5], [0, 1])).rejects.toThrow(/labels\[1\] is 1.5/);
    await expect(vis.metrics.confusionMatrix([0, 3], [0, 1], 3)).rejects.toThrow(
      /class index 3 is not below numClasses 3/,
    );
    const probs = fe.tensor2d([0.1, 0.9, 0.8, 0.2], [2, 2]);
    await expect(vis.metrics.confusionMatrix(probs, [0, 1])).rejects.toThrow(/shape \[2, 2\].*argMax/);
    probs.dispose();
  });
});

describe('vis.render and vis.show write SVG files in Node', () => {
  it('render.confusionMatrix: one cell per (true, predicted) pair holding its count', async () => {
    const values = await vis.metrics.confusionMatrix([0, 0, 0, 1, 1, 1, 1, 2, 2, 2], [0, 1, 0, 1, 1, 2, 1, 2, 0, 2]);
    const path = join(dir, 'cm.svg');
    await vis.render.confusionMatrix(path, { values, tickLabels: ['cat', 'dog', 'owl'] });
    const svg = readFileSync(path, 'utf8');
    expect(dataValues(svg, 'cell')).toEqual([2, 1, 0, 0, 3, 1, 1, 0, 2]);
    for (const label of ['cat', 'dog', 'owl', 'Predicted', 'True']) expect(svg).toContain(`>${label}</text>`);
    // {svg: path} names the file too.
    await vis.render.confusionMatrix({ svg: join(dir, 'cm2.svg') }, { values });
    expect(dataValues(readFileSync(join(dir, 'cm2.svg'), 'utf8'), 'cell')).toEqual(values.flat());
  });

  it('render.histogram: bins count the values by hand; NaN counted apart', async () => {
    // 0..9 and a NaN in 5 bins of width 1.8: [0,1.8) -> 0,1; [1.8,3.6) -> 2,3; [3.6,5.4) -> 4,5;
    // [5.4,7.2) -> 6,7; [7.2,9] -> 8,9.
    const values = [...Array.from({ length: 10 }, (_, i) => i), NaN];
    const path = join(dir, 'hist.svg');
    const stats = await vis.render.histogram(path, values, { maxBins: 5 });
    expect(stats).toEqual({ numVals: 11, min: 0, max: 9, numZeros: 1, numNans: 1 });
    const svg = readFileSync(path, 'utf8');
    expect(dataValues(svg, 'bar')).toEqual([2, 2, 2, 2, 2]);
    // Uneven data against a naive count.
    const rand = rng(7);
    const xs = Array.from({ length: 500 }, () => rand() ** 2);
    await vis.render.histogram(path, xs, { maxBins: 8 });
    const lo = Math.min(...xs);
    const w = (Math.max(...xs) - lo) / 8;
    const ref = new Array(8).fill(0);
    for (const x of xs) ref[Math.min(7, Math.floor((x - lo) / w))]++;
    expect(dataValues(readFileSync(path, 'utf8'), 'bar')).toEqual(ref);
  });

  it('show.valuesDistribution of a layer kernel bins every weight', async () => {
    fe.setRandomSeed(3);
    const layer = fe.layers.dense({ units: 16, inputShape: [8] });
    const m = fe.sequential({ layers: [layer] });
    const [kernel] = layer.getWeights();
    const path = join(dir, 'kernel.svg');
    const stats = await vis.show.valuesDistribution(path, kernel, { maxBins: 10 });
    const counts = dataValues(readFileSync(path, 'utf8'), 'bar');
    expect(counts.reduce((a, b) => a + b, 0)).toBe(128);
    const data = Array.from(kernel.dataSync());
    expect(stats.min).toBe(Math.min(...data));
    expect(stats.max).toBe(Math.max(...data));
    m.dispose();
  });

  it('render.barchart and render.table', async () => {
    const path = join(dir, 'bars.svg');
    await vis.render.barchart(path, [
      { index: 'a', value: 3 },
      { index: 'b', value: -1.5 },
    ]);
    expect(dataValues(readFileSync(path, 'utf8'), 'bar')).toEqual([3, -1.5]);
    await vis.render.table(path, { headers: ['run', 'accuracy'], values: [['x', 0.91]] });
    const svg = readFileSync(path, 'utf8');
    expect(svg).toContain('data-value="0.91">0.9100</text>');
    await expect(vis.render.table(path, { headers: ['a', 'b'], values: [[1]] })).rejects.toThrow(
      /row 0 has 1 cells for 2 headers/,
    );
  });

  it('show.modelSummary lists each layer with its parameter count', async () => {
    const model = fe.sequential({
      layers: [
        fe.layers.flatten({ inputShape: [28, 28] }),
        fe.layers.dense({ units: 128, activation: 'relu' }),
        fe.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    const path = join(dir, 'summary.svg');
    await vis.show.modelSummary(path, model);
    const svg = readFileSync(path, 'utf8');
    // 784*128 + 128 and 128*10 + 10, as model.summary() prints them.
    expect(svg).toContain('>100,480</text>');
    expect(svg).toContain('>1,290</text>');
    expect(svg).toContain('>(None, 784)</text>');
    expect(svg).toContain('101,770 parameters (101,770 trainable)');
    model.dispose();
  });

  it('show.perClassAccuracy writes a table of class, accuracy, count', async () => {
    const acc = await vis.metrics.perClassAccuracy([0, 0, 1], [0, 1, 1]);
    const path = join(dir, 'pca.svg');
    await vis.show.perClassAccuracy(path, acc, ['cat', 'dog']);
    const svg = readFileSync(path, 'utf8');
    expect(svg).toContain('data-value="0.5">0.5000</text>');
    expect(svg).toContain('>dog</text>');
  });

  it('show.history draws each metric with its validation curve', async () => {
    const path = join(dir, 'history.svg');
    const h = { history: { loss: [1, 0.5, 0.25], val_loss: [1.2, 0.7, 0.6], acc: [0.5, 0.7, 0.8] } };
    await vis.show.history(path, h, ['loss', 'val_loss', 'acc']);
    const svg = readFileSync(path, 'utf8');
    expect(pointsOf(svg, 'loss')).toBe(3);
    expect(pointsOf(svg, 'val_loss')).toBe(3);
    expect(pointsOf(svg, 'acc')).toBe(3);
    // An array of epoch logs, 'accuracy' found under 'acc'.
    await vis.show.history(path, [{ acc: 0.1 }, { acc: 0.2 }], ['accuracy']);
    expect(pointsOf(readFileSync(path, 'utf8'), 'accuracy')).toBe(2);
    await expect(vis.show.history(path, h, ['mse'])).rejects.toThrow(
      /no 'mse' in the history; it holds loss, val_loss, acc/,
    );
  });

  it('a page surface or element in Node is refused, saying what to give', () => {
    expect(() => vis.show.fitCallbacks({ name: 'Training' }, ['loss'])).toThrow(
      /needs a page; in Node give an SVG file path/,
    );
    expect(() => vis.show.fitCallbacks(join(dir, 'x.svg'), [])).toThrow(/non-empty array of log names/);
    expect(() => vis.show.fitCallbacks(join(dir, 'x.svg'), ['loss'], { callbacks: ['onTrainEnd' as never] })).toThrow(
      /may name 'onBatchEnd' and 'onEpochEnd'/,
    );
  });
});

describe('vis.show.fitCallbacks with model.fit in Node', () => {
  it("writes one point per batch and per epoch, the validation curve moving as the History's values do", async () => {
    fe.setRandomSeed(11);
    const rand = rng(11);
    const n = 96;
    const x = fe.tensor2d(
      Array.from({ length: n * 2 }, () => rand() * 2 - 1),
      [n, 2],
    );
    const labels = Array.from({ length: n }, (_, i) => {
      const [a, b] = [x.dataSync()[2 * i], x.dataSync()[2 * i + 1]];
      return a * b > 0 ? 1 : 0;
    });
    const y = fe.tensor1d(labels, 'int32');
    const model = fe.sequential({
      layers: [
        fe.layers.dense({ units: 16, activation: 'relu', inputShape: [2] }),
        fe.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: fe.train.adam(0.05), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const path = join(dir, 'fit.svg');
    const seenAfterEpoch: number[] = [];
    const history = await model.fit(x, y, {
      epochs: 3,
      batchSize: 32,
      validationSplit: 0.25,
      verbose: 0,
      callbacks: [
        vis.show.fitCallbacks(path, ['loss', 'acc']),
        // Runs after the vis callback: the file already holds this epoch.
        { onEpochEnd: () => void seenAfterEpoch.push(pointsOf(readFileSync(path, 'utf8'), 'val_loss')) },
      ],
    });
    expect(seenAfterEpoch).toEqual([1, 2, 3]);
    const svg = readFileSync(path, 'utf8');
    // 72 training samples in batches of 32: 3 batches per epoch, 9 in all.
    expect(pointsPerPanel(svg, 'loss')).toEqual([9, 3]); // the batch panel, then the epoch panel
    expect(pointsPerPanel(svg, 'acc')).toEqual([9, 3]);
    expect(pointsOf(svg, 'val_acc')).toBe(3);
    // The epoch panel's y pixels follow the History's values: decreasing loss, lower on screen is larger y.
    const epochPath = [...svg.matchAll(/<path class="series" data-series="val_loss" d="([^"]*)"/g)][0][1];
    const ys = [...epochPath.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
    const vl = history.history.val_loss as number[];
    for (let i = 1; i < 3; i++) expect(Math.sign(ys[i] - ys[i - 1])).toBe(-Math.sign(vl[i] - vl[i - 1]));
    expect(existsSync(path)).toBe(true);
    model.dispose();
    x.dispose();
    y.dispose();
  });
});
