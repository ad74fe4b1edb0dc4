// A page of the test's own that has loaded the built package as `window.fe`, in headless
// Chromium, on the origin of scripts/serve-demo.mjs (which serves dist/ and comlink).
// For the browser tests that drive Ferrite with page.evaluate.

import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../scripts/chromium.mjs';
export { CHROMIUM } from '../../../scripts/chromium.mjs';
import { startDemoServer, type DemoServer } from '../../../scripts/serve-demo.mjs';
import { ensureDist } from './build.js';

/** The page's HTML: imports the package (after `await fe.ready()` when `ready`) as `window.fe`. */
export function fePageHtml(ready: boolean): string {
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">{"imports": {"comlink": "/node_modules/comlink/dist/esm/comlink.mjs"}}</script>
<script type="module">import * as fe from '/dist/index.mjs'; ${ready ? 'await fe.ready(); ' : ''}window.fe = fe;</script>
</head><body></body></html>`;
}

export interface FePage {
  browser: Browser;
  server: DemoServer;
  page: Page;
  /** Page errors (and, with `consoleErrors`, console errors) seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Builds dist/ if needed, starts the server and Chromium, and opens `name` (routed to the
 * page's HTML) once `window.fe` is set. `isolate`: serve it cross-origin isolated (threads).
 */
export async function openFePage(
  name: string,
  opts: { ready?: boolean; isolate?: boolean; consoleErrors?: boolean } = {},
): Promise<FePage> {
  ensureDist();
  const server = await startDemoServer({ port: 0, quiet: true, data: 'mnist-digits' });
  const browser = await launchChromium();
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  if (opts.consoleErrors)
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
  const headers: Record<string, string> = opts.isolate
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : {};
  const body = fePageHtml(opts.ready ?? true);
  await page.route(`${server.url}${name}`, (route) => route.fulfill({ body, contentType: 'text/html', headers }));
  await page.goto(`${server.url}${name}`);
  await page.waitForFunction('window.fe !== undefined', undefined, { timeout: 30_000 });
  return {
    browser,
    server,
    page,
    errors,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
