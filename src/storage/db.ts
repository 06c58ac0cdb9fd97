import { isPostgresUrl, type Db as DbShape } from './dbCore';
import { PgDb, type PgOptions } from './pgDb';
import { SqliteDb } from './sqliteDb';

export * from './dbCore';
export type Db = DbShape;

/**
 * `Db.open(target)`: a postgres:// URL opens PostgreSQL through a pg Pool (DATABASE_URL), anything else is a
 * SQLite file path (DATABASE_PATH, ':memory:'). Migrations run on open on both engines.
 */
export const Db = {
  open(target: string, pg: PgOptions = {}): Promise<Db> {
    return isPostgresUrl(target) ? PgDb.open(target, pg) : SqliteDb.open(target);
  },
};
