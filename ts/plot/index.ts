// Charts as SVG, without a browser: `plot.plotHistory(history, {path})` draws training
// curves; `plot.lineChart(panels)` any line chart.

export { plotHistory, type HistoryLike, type PlotHistoryOptions } from './history.js';
export { lineChart, type LineChartOptions, type LinePanel, type LineSeries } from './line-chart.js';
export { barChart, type Bar, type BarChartOptions } from './bar-chart.js';
export { heatmap, type HeatmapOptions } from './heatmap.js';
export { table, type TableOptions } from './table.js';
