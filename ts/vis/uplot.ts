// uPlot, loaded on first use in a page. It is an optional peer dependency: Node users
// (who get SVG files) never need it, and the package does not bundle it. Pages get it
// by `vis.setUPlot(uPlot)` (bundlers: `import uPlot from 'uplot'`), a global `uPlot`
// (its script tag), or `import('uplot')` resolved by an import map.

import { importAtRunTime } from '../util/runtime-import.js';

/** The part of uPlot's API vis uses. */
export interface UPlotChart {
  setData(data: unknown[], resetScales?: boolean): void;
  setSize(size: { width: number; height: number }): void;
  destroy(): void;
}

/** uPlot's constructor with the static path builders (`uPlot.paths.bars`). */
export interface UPlotStatic {
  new (opts: Record<string, unknown>, data: unknown[], target: HTMLElement): UPlotChart;
  paths?: { bars?: (opts?: Record<string, unknown>) => unknown };
}

let given: UPlotStatic | null = null;
let loading: Promise<UPlotStatic> | null = null;

/**
 * Hands vis the uPlot to draw with (uPlot's default export). Needed where `import('uplot')`
 * cannot resolve at run time: bundled apps, which import it themselves.
 *
 * @example
 * ```ts browser
 * import uPlot from 'uplot'; // and its stylesheet, uplot/dist/uPlot.min.css, with the page's CSS
 * fe.vis.setUPlot(uPlot); // charts in the page draw with this copy instead of importing it
 * ```
 */
export function setUPlot(uPlot: unknown): void {
  const u = (uPlot as { default?: unknown })?.default ?? uPlot;
  if (typeof u !== 'function')
    throw new Error(`ferrite: vis.setUPlot: expected uPlot's default export (a constructor), got ${typeof u}`);
  given = u as UPlotStatic;
}

const MISSING =
  "ferrite: vis: charts in a page are drawn with uPlot, which is not loaded. Install it (npm i uplot@1.6) and call fe.vis.setUPlot(uPlot) after `import uPlot from 'uplot'`, or add it to the page's import map ('uplot': '.../uplot/dist/uPlot.esm.js') or as a script tag (global uPlot)";

/** uPlot, loading it on first use; rejects with how to provide it when it cannot be found. */
export function loadUPlot(): Promise<UPlotStatic> {
  if (given !== null) return Promise.resolve(given);
  const global = (globalThis as { uPlot?: UPlotStatic }).uPlot;
  if (typeof global === 'function') return Promise.resolve(global);
  // Opaque to bundlers: they leave the import alone instead of failing the build of apps
  // that do not install the optional uPlot.
  loading ??= importAtRunTime<{ default?: unknown }>('uplot').then(
    (m) => {
      const u = m.default ?? m;
      if (typeof u !== 'function') throw new Error(MISSING);
      given = u as UPlotStatic;
      return given;
    },
    (e: unknown) => {
      loading = null;
      throw new Error(`${MISSING} (import('uplot') failed: ${(e as Error)?.message ?? e})`);
    },
  );
  return loading;
}
