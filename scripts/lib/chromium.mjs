// Debian's chromium driven by playwright-core (playwright's own browser download
// does not work offline). Headless, no Xvfb, no writes into the user's home.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { makeThrowawayDir } from './processes.mjs';

export const CHROMIUM_EXECUTABLE = process.env.PILOT_LIGHT_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Every host name but 127.0.0.1 fails to resolve: the page can only reach loopback.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/**
 * Launches chromium; `headless: false` needs a display. Returns the playwright
 * Browser; its throwaway HOME is removed when it closes.
 */
export async function launchChromium({ headless = true } = {}) {
  if (!existsSync(CHROMIUM_EXECUTABLE)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_EXECUTABLE}. Install Debian's chromium (as root: apt-get install -y chromium), ` +
        'or point PILOT_LIGHT_CHROMIUM at a chromium binary.',
    );
  }
  // Chromium writes ~/.pki and ~/.config/chromium otherwise.
  const scratch = makeThrowawayDir('chromium');
  const browser = await chromium
    .launch({
      executablePath: CHROMIUM_EXECUTABLE,
      headless,
      args: CHROMIUM_ARGS,
      env: {
        ...process.env,
        HOME: scratch.path,
        XDG_CONFIG_HOME: join(scratch.path, '.config'),
        XDG_CACHE_HOME: join(scratch.path, '.cache'),
      },
    })
    .catch((error) => {
      scratch.remove();
      throw new Error(`Could not launch ${CHROMIUM_EXECUTABLE}: ${error.message}`);
    });
  browser.on('disconnected', () => scratch.remove());
  return browser;
}
