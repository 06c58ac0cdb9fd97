import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOverrides } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { Customer, RecordingChannel } from './channel';
import { dropSchema, schemaFor, testDatabaseUrl } from './db';

/**
 * Several real app instances (createApp, each its own HTTP server, port 0) sharing one PostgreSQL schema and one
 * recording channel, as N processes behind a load balancer without sticky sessions would.
 */
export interface Instances {
  apps: App[];
  channel: RecordingChannel;
  schema: string;
  /** A customer whose every message goes to the instance `pick(turn)` chooses (default: alternate). */
  customer(opts?: ConstructorParameters<typeof Customer>[2], pick?: (turn: number) => number): RoutedCustomer;
  stop(): Promise<void>;
}

/** Customer whose turns are spread over the instances: each say() goes to the next one. */
export class RoutedCustomer extends Customer {
  turn = 0;
  constructor(private readonly urls: () => string[], channel: RecordingChannel, opts: ConstructorParameters<typeof Customer>[2], private readonly pick: (turn: number) => number) {
    super(urls()[0], channel, opts);
  }
  override async post(activity: Record<string, unknown>): Promise<Response> {
    const url = this.urls()[this.pick(this.turn++) % this.urls().length];
    return fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  }
}

export async function startInstances(n: number, env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<Instances> {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const dir = mkdtempSync(join(tmpdir(), 'multi-'));
  const schema = schemaFor(':memory:');
  const channel = await new RecordingChannel().start();
  const apps: App[] = [];
  for (let i = 0; i < n; i++) {
    const config = loadConfig({
      PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: join(dir, 'unused.db'), DATABASE_URL: testDatabaseUrl, DATABASE_POOL_MAX: '5',
      LOG_LEVEL: 'error', CONVERSATION_RATE_BURST: '100000', ...env,
    });
    // one after the other: the first migrates the schema, the others find it done
    apps.push(await createApp(config, { log: createLogger('error'), databaseSchema: schema, ...overrides }));
  }
  const urls = () => apps.map((a) => a.url);
  return {
    apps,
    channel,
    schema,
    customer: (opts = {}, pick = (t) => t) => new RoutedCustomer(urls, channel, opts, pick),
    async stop() {
      await Promise.all(apps.map((a) => a.close().catch(() => undefined)));
      await channel.stop();
      rmSync(dir, { recursive: true, force: true });
      await dropSchema(schema);
    },
  };
}
