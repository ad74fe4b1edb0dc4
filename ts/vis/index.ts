// Charts of training and evaluation, shaped like tfjs-vis (`tfvis.show.fitCallbacks`,
// `tfvis.render.confusionMatrix`, `tfvis.metrics.perClassAccuracy`, ...). In a page they
// draw with uPlot (an optional peer dependency, loaded on first use) and HTML tables; in
// Node, given a file path, they write SVG files (through `plot`).

export * as show from './show.js';
export * as render from './render.js';
export * as metrics from './metrics.js';
export { setUPlot } from './uplot.js';
export type { Drawable, Surface } from './surface.js';
export type { Values, ValueStats } from './values.js';
export type { SummarizedModel } from '../models/summary.js';
