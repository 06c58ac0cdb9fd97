import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';

// Issue 12.8: start-up errors name the path, the problem and the fix, exit non-zero, and print no stack trace.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'startup-'));
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(env: Record<string, string>, uid?: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env },
      uid,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: stderr.replace(/\(node:\d+\) \[DEP0111\][^\n]*\n|\(Use `node --trace-deprecation[^\n]*\n/g, '') });
    });
  });
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);

describe('start-up errors', () => {
  it('the database folder is a file: names it and the fix, exit 3, no stack', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const path = join(file, 'sub', 'bot.db');
    const r = await start({ DATABASE_PATH: path });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toContain(`the folder ${file} is a file`);
    expect(r.stderr).toMatch(/DATABASE_PATH/);
    noStack(r.stderr);
  }, 120_000);

  // Root ignores file modes, so the bot runs as `nobody` here (skipped when the tests cannot switch user).
  it.skipIf(process.getuid?.() !== 0)('the database is read-only: names it and the fix, exit 3, no stack', async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    const path = join(ro, 'bot.db');
    const db = await Db.open(path);
    await db.close();
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    chmodSync(path, 0o444);
    chmodSync(ro, 0o555);
    const r = await start({ DATABASE_PATH: path }, 65534);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toMatch(/read-only|cannot open|permission denied/);
    expect(r.stderr).toMatch(/writable|write access/);
    noStack(r.stderr);
  }, 120_000);

  it('the port is taken: says so and how to fix it, exit 4, no stack', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await start({ DATABASE_PATH: join(dir, 'port', 'bot.db'), PORT: String(port) });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/EADDRINUSE/);
      expect(r.stderr).toMatch(/set PORT/);
      noStack(r.stderr);
    } finally {
      blocker.close();
    }
  }, 120_000);
});
