import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { RecordingChannel } from './helpers/channel';
import { dropSchema, schemaFor, testDatabaseUrl } from './helpers/db';
import { RoutedCustomer } from './helpers/instances';

// Instance A is a real process (npm start's entry) that is SIGKILLed mid-survey; instance B, in this process,
// shares its PostgreSQL schema and finishes the survey with nothing lost.
const on = !!testDatabaseUrl && process.env.TEST_ENGINE === 'postgres';
const schema = schemaFor(':memory:');
const dir = mkdtempSync(join(tmpdir(), 'kill-'));
let channel: RecordingChannel;
let child: ChildProcess | undefined;
let portA = 0;
let b: App;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

beforeAll(async () => {
  if (!on) return;
  channel = await new RecordingChannel().start();
  const c = new pg.Client({ connectionString: testDatabaseUrl });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  const url = new URL(testDatabaseUrl!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  portA = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: { ...process.env, DATABASE_URL: url.toString(), PORT: String(portA), HOST: '127.0.0.1', LOG_LEVEL: 'error', DOTENV_CONFIG_QUIET: 'true', CONVERSATION_RATE_BURST: '100000', DATABASE_PATH: join(dir, 'unused.db') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 150_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${portA}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('instance A did not start');
    await new Promise((r) => setTimeout(r, 300));
  }
  b = await createApp(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: testDatabaseUrl!, DATABASE_PATH: join(dir, 'b.db'), LOG_LEVEL: 'error', CONVERSATION_RATE_BURST: '100000' }),
    { log: createLogger('error'), databaseSchema: schema },
  );
}, 200_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await b?.close();
  await channel?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (on) await dropSchema(schema);
});

describe.skipIf(!on)('an instance dies mid-survey', () => {
  it('the customer finishes on the other instance with every answer kept', async () => {
    let target = 0; // 0 = A (the child process), 1 = B
    const c = new RoutedCustomer(() => [`http://127.0.0.1:${portA}`, b.url], channel, { locale: 'en-US' }, () => target);
    await c.say('How do I reset my password?');
    await b.db.run("UPDATE interactions SET handled_by = 'agent', agent_id = 'agent-1' WHERE conversation_id = ?", [c.conversationId]);
    expect(c.texts(await c.say('bye'))).toMatch(/Overall, how satisfied/);
    expect(c.texts(await c.say('5'))).toMatch(/problem resolved/);
    expect(c.texts(await c.say('yes'))).toMatch(/recommend/);

    child!.kill('SIGKILL');
    await new Promise<void>((r) => child!.once('exit', () => r()));
    expect(await fetch(`http://127.0.0.1:${portA}/healthz`).then(() => 'up', () => 'down')).toBe('down');

    target = 1;
    expect(c.texts(await c.say('9'))).toMatch(/How easy/);
    await c.say('6');
    await c.say('5');
    await c.say('4');
    expect(c.texts(await c.say('5'))).toMatch(/Anything we could do better/);
    expect(c.texts(await c.say('Fine after all'))).toBe('Thank you for your feedback!');
    const rows = await b.db.all<{ item_id: string; value: number | null }>(
      `SELECT a.item_id, a.value FROM survey_answers a JOIN surveys s ON s.id = a.survey_id JOIN interactions i ON i.id = s.interaction_id
        WHERE i.conversation_id = ? ORDER BY a.answered_at`,
      [c.conversationId],
    );
    expect(rows.map((r) => [r.item_id, r.value])).toEqual([
      ['csat', 5], ['resolved', 1], ['nps', 9], ['ces', 6], ['rating_response_speed', 5], ['rating_attitude', 4], ['rating_professionalism', 5], ['open', null],
    ]);
  }, 120_000);
});
