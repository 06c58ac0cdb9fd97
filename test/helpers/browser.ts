import { chromium, type Browser } from 'playwright-core';

// Debian's Chromium, headless, with the background services off: this machine has no network,
// and Chromium's own update and sync connections would otherwise be refused many times a second.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
