// Line charts of logged values (loss, accuracy, ...) for fitCallbacks and history: the
// values grouped one chart per metric with its validation curve, drawn by uPlot in a
// page or as SVG panels (plot.lineChart) in a file.

import { lineChart, type LinePanel } from '../plot/line-chart.js';
import { writeTextFile } from '../plot/history.js';
import { drawLines, type ChartSize, type LineGroup } from './dom-charts.js';
import { childDiv, type Target } from './surface.js';

/** One set of charts sharing an x axis (per batch, or per epoch). */
export interface LineSection {
  /** Class of the section's div in a page, and a prefix of the panel titles in SVG. */
  name: string;
  xLabel: string;
  groups: LineGroup[];
  x: number[];
  values: Record<string, (number | null)[]>;
}

/** 'val_loss' and 'loss' go on the 'loss' chart; groups keep the order metrics were named in. */
export function groupMetrics(metrics: string[]): LineGroup[] {
  const groups: LineGroup[] = [];
  for (const m of metrics) {
    const base = m.startsWith('val_') ? m.slice(4) : m;
    let g = groups.find((x) => x.title === base);
    if (g === undefined) {
      g = { title: base, series: [] };
      groups.push(g);
    }
    if (!g.series.includes(m)) g.series.push(m);
  }
  return groups;
}

/** Keras and TF.js log accuracy as 'acc' or 'accuracy': either name finds it. */
export function logValue(logs: Record<string, number> | undefined, name: string): number | null {
  if (logs === undefined) return null;
  const alias: Record<string, string> = {
    acc: 'accuracy',
    accuracy: 'acc',
    val_acc: 'val_accuracy',
    val_accuracy: 'val_acc',
  };
  const v = logs[name] ?? (alias[name] !== undefined ? logs[alias[name]] : undefined);
  return typeof v === 'number' ? v : null;
}

/** Draws the sections into a page element (uPlot) or writes them to one SVG file. */
export async function renderLines(target: Target, sections: LineSection[], opts: ChartSize, who: string) {
  if (target.kind === 'dom') {
    for (const s of sections) {
      if (s.x.length === 0) continue;
      const el = sections.length > 1 ? childDiv(target.el, `ferrite-vis-${s.name}`) : target.el;
      await drawLines(el, s.groups, s.x, s.values, { ...opts, xLabel: s.xLabel });
    }
    return;
  }
  const panels: LinePanel[] = [];
  for (const s of sections) {
    if (s.x.length === 0) continue;
    for (const g of s.groups) {
      panels.push({
        title: sections.length > 1 ? `${g.title} (${s.name})` : g.title,
        xLabel: s.xLabel,
        yLabel: g.title,
        yDomain: opts.yAxisDomain,
        series: g.series.map((name) => ({
          label: name,
          x: s.x,
          y: (s.values[name] ?? []).map((v) => (v === null ? NaN : v)),
          dashed: name.startsWith('val_'),
        })),
      });
    }
  }
  if (panels.length === 0) return;
  const columns = Math.max(...sections.map((s) => s.groups.length));
  writeTextFile(
    target.path,
    lineChart(panels, { columns, panelWidth: opts.width ?? 480, panelHeight: opts.height ?? 360 }),
    `vis.${who}`,
  );
}
