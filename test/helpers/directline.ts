import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import restify, { type Server } from 'restify';
import type { TurnContext } from 'botbuilder';
import { createLogger } from '../../src/log';
import { Db } from '../../src/storage/db';
import { openTestDb } from './db';
import { DirectLine } from '../../src/web/directline/server';
import { DirectLineStore } from '../../src/web/directline/store';

export interface DirectLineTestServer {
  db: Db;
  /** `http://127.0.0.1:<port>/dl/v3/directline` */
  url: string;
  close(): Promise<void>;
}

/** The Direct Line server alone on 127.0.0.1 with a temp SQLite file, around a given bot logic. */
export async function startDirectLine(secret: string, logic: (ctx: TurnContext) => Promise<void>): Promise<DirectLineTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dl-test-'));
  const db = await openTestDb(join(dir, 'dl.db'));
  const server: Server = restify.createServer();
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ mapParams: false }));
  const directline = new DirectLine({ server, store: new DirectLineStore(db), secret, tokenTtlSeconds: 600, prefix: '/dl', log: createLogger('error'), logic });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/dl/v3/directline`;
  return {
    db,
    url,
    async close() {
      await directline.close();
      await new Promise<void>((r) => server.close(() => r()));
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
