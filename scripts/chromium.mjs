// Debian's Chromium for the browser tests and `npm run bench:browser`, launched headless by
// playwright-core with one set of flags: no sandbox (root in a container), no GPU (the
// machines have none), and no background traffic that could stall a page on a network
// that reaches only npm and Debian mirrors.
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium with the flags above. */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}
