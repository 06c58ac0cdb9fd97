// `npm test` pretest: the browser tests drive Debian's Chromium through playwright-core (which never
// downloads a browser). Install it on a fresh Debian machine when we may; otherwise say what to do.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if (!canApt) {
  console.error(`Chromium not found at ${path}. Install it (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}
console.error(`Chromium not found at ${path}: installing Debian's chromium and a CJK font (apt-get) for the browser tests...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-wqy-zenhei'], { stdio: 'inherit', env });
