import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOverrides } from '../../src/app';
import { loadConfig, type AppConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { Customer, RecordingChannel } from './channel';
import { dropSchema, schemaFor, testDatabaseUrl, testEngine } from './db';

export interface TestBot {
  app: App;
  channel: RecordingChannel;
  dir: string;
  dbPath: string;
  customer(opts?: ConstructorParameters<typeof Customer>[2]): Customer;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the real app on 127.0.0.1:0 with a temp SQLite file and a recording channel. */
export async function startTestBot(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<TestBot> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-test-'));
  const dbPath = join(dir, 'bot.db');
  const config: AppConfig = { ...loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: dbPath, LOG_LEVEL: 'error',
    // Suites start many conversations from 127.0.0.1; the per-address limit has its own tests (robustness-limits).
    CONVERSATION_RATE_BURST: '100000',
    ...(testEngine === 'postgres' ? { DATABASE_URL: testDatabaseUrl!, DATABASE_POOL_MAX: '6' } : {}),
    ...env,
  }) };
  // On PostgreSQL each test bot gets a schema of its own (dropped by stop), kept across restart().
  const schema = testEngine === 'postgres' ? schemaFor(':memory:') : undefined;
  if (schema) overrides = { databaseSchema: schema, ...overrides };
  const channel = await new RecordingChannel().start();
  const logs: string[] = [];
  const start = () => createApp(config, { log: createLogger('info', (l) => logs.push(l)), ...overrides });
  const tb: TestBot = {
    app: await start(),
    channel,
    dir,
    dbPath,
    customer: (opts) => new Customer(tb.app.url, channel, opts),
    async restart() {
      const port = tb.app.port;
      await tb.app.close();
      // same port, so customers created before the restart keep working
      config.port = port;
      tb.app = await start();
    },
    async stop() {
      await tb.app.close();
      await channel.stop();
      rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
  (tb as any).logs = logs;
  return tb;
}
