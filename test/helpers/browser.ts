import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';

/** Debian's Chromium unless CHROMIUM_PATH names another (playwright-core never downloads one). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const chromiumMissing = existsSync(CHROMIUM_PATH) ? undefined : `Chromium not found at ${CHROMIUM_PATH} (install it, e.g. apt-get install chromium, or set CHROMIUM_PATH)`;

// CI sets REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
if (chromiumMissing && process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1: ${chromiumMissing}`);

/** describe for tests that drive Chromium: skipped, with the reason in its name, when there is none. */
export const describeBrowser: typeof describe = (chromiumMissing
  ? (name: string, ...rest: unknown[]) => (describe.skip as any)(`${name} [skipped: ${chromiumMissing}]`, ...rest)
  : describe) as typeof describe;

// Debian's Chromium, headless, with the background services off: this machine has no network,
// and Chromium's own update and sync connections would otherwise be refused many times a second.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
