// Charts as SVG, without a browser: `plot.plotHistory(history, {path})` draws training
// curves; `plot.lineChart(panels)` any line chart.

export { plotHistory, type HistoryLike, type PlotHistoryOptions } from './history.js';
export { lineChart, type LineChartOptions, type LinePanel, type LineSeries } from './line-chart.js';
