// `npm test` pretest. The browser tests drive Chromium through playwright-core (which never downloads
// a browser). Without one, every other test still runs and the browser tests are skipped; this says
// which and why. CI sets REQUIRE_BROWSER=1 (.ci/run), where a missing browser is a failure.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const dir = new URL('../test/', import.meta.url);
const browserTests = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts') && readFileSync(new URL(f, dir), 'utf8').includes('./helpers/browser'))
  .map((f) => `test/${f}`);
const how = 'install it (Debian: apt-get install chromium fonts-wqy-zenhei) or set CHROMIUM_PATH to a Chromium or Chrome binary';
if (process.env.REQUIRE_BROWSER === '1') {
  console.error(`Chromium not found at ${path} and REQUIRE_BROWSER=1: the browser tests must run here. ${how[0].toUpperCase()}${how.slice(1)}.`);
  process.exit(1);
}
console.warn(`Chromium not found at ${path}: skipping the browser tests (${browserTests.join(', ')}); every other test runs. To run them, ${how}.`);
