import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { Customer, RecordingChannel } from './helpers/channel';

// The real server as a child process, killed with SIGKILL mid-survey, then restarted on the same file.
let dir: string;
let channel: RecordingChannel;
const port = 41000 + Math.floor(Math.random() * 2000);
const url = `http://127.0.0.1:${port}`;

function start(dbPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: dbPath, LOG_LEVEL: 'error', DOTENV_CONFIG_QUIET: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.resume();
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = async () => {
      try {
        if ((await fetch(`${url}/healthz`)).ok) return resolve(child);
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) return reject(new Error('server did not start'));
      setTimeout(poll, 150);
    };
    void poll();
  });
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crash-'));
  channel = await new RecordingChannel().start();
});
afterAll(async () => {
  await channel?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Ack = { conv: string; item: string };

describe('crash and shutdown', () => {
  it('keeps every acknowledged survey answer across SIGKILL, resumes dialogs and passes integrity_check', async () => {
    const dbPath = join(dir, 'kill.db');
    let server = await start(dbPath);
    const acked: Ack[] = [];
    const customers = Array.from({ length: 24 }, (_, i) => new Customer(url, channel, { userId: `crash-user-${i}`, locale: 'en-US' }));
    let killed = false;

    const run = async (c: Customer) => {
      try {
        await c.say('How do I reset my password?');
        await c.say('bye');
        await c.say(undefined, { value: { surveyItem: 'csat', value: 4 } });
        acked.push({ conv: c.conversationId, item: 'csat' });
        await c.say('The answer was clear and quick.');
        acked.push({ conv: c.conversationId, item: 'open' });
      } catch {
        /* the server died under this customer */
      }
    };
    const load = Promise.all(customers.map(run));
    // Kill as soon as some answers are acknowledged, while others are in flight.
    while (acked.length < 10 && !killed) await new Promise((r) => setTimeout(r, 20));
    server.kill('SIGKILL');
    killed = true;
    await exited(server);
    await load;

    server = await start(dbPath);
    try {
      const db = await Db.open(dbPath);
      expect(await db.integrityCheck()).toBe('ok');
      for (const a of acked) {
        const row = await db.get(
          'SELECT a.item_id FROM survey_answers a JOIN surveys s ON s.id = a.survey_id JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ? AND a.item_id = ?',
          [a.conv, a.item],
        );
        expect(row, `answer ${a.item} of ${a.conv} acknowledged before the kill`).toBeDefined();
      }
      await db.close();

      // A customer whose CSAT was stored but not the open text continues where they were.
      const midway = customers.find((c) => acked.some((a) => a.conv === c.conversationId && a.item === 'csat') && !acked.some((a) => a.conv === c.conversationId && a.item === 'open'));
      if (midway) {
        midway.newReplies();
        const replies = await midway.say('Resumed after the crash: all good.');
        expect(midway.texts(replies)).toMatch(/Thank you for your feedback/);
      }
    } finally {
      server.kill('SIGKILL');
      await exited(server);
    }
  }, 180_000);

  it('finishes in-flight turns on SIGTERM before exiting', async () => {
    const dbPath = join(dir, 'term.db');
    const server = await start(dbPath);
    const customers = Array.from({ length: 20 }, (_, i) => new Customer(url, channel, { userId: `term-user-${i}`, locale: 'en-US' }));
    const statuses: (number | string)[] = [];
    const inflight = customers.map((c) =>
      c.post(c.activity({ text: 'Where is my order?' })).then(
        (r) => statuses.push(r.status),
        (e) => statuses.push(String(e)),
      ),
    );
    // Signal once the first turn has completed, while the others are still being processed.
    await Promise.race(inflight);
    server.kill('SIGTERM');
    const code = await exited(server);
    await Promise.all(inflight);
    // Requests accepted before the signal complete with 200; later ones are refused, never cut off midway.
    const accepted = statuses.filter((s) => s === 200).length;
    expect(accepted).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 503 || /ECONNREFUSED|fetch failed/.test(String(s)))).toBe(true);
    expect(code).toBe(0);
    const db = await Db.open(dbPath);
    expect(await db.integrityCheck()).toBe('ok');
    const customerTurns = (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM transcript WHERE role = 'customer'"))!.n;
    expect(customerTurns).toBe(accepted);
    await db.close();
  }, 120_000);
});
