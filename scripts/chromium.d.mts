// Types of scripts/chromium.mjs, for the browser tests and benches.
import type { Browser } from 'playwright-core';

/** Debian's Chromium: /usr/bin/chromium. */
export const CHROMIUM: string;
/** Headless Chromium with the flags every test and bench uses. */
export function launchChromium(): Promise<Browser>;
