import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { Db } from '../../src/storage/db';

/**
 * Engine of this test run: the vitest "postgres" project sets TEST_ENGINE=postgres (only when
 * TEST_DATABASE_URL is set); every other run uses SQLite as before.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL;
export const testEngine: 'sqlite' | 'postgres' = process.env.TEST_ENGINE === 'postgres' && testDatabaseUrl ? 'postgres' : 'sqlite';

/** A schema name of its own per test database; a file path maps to the same schema, so reopening finds the data. */
export function schemaFor(sqlitePath: string): string {
  if (sqlitePath === ':memory:') return `t_${randomBytes(8).toString('hex')}`;
  return `t_${createHash('sha1').update(sqlitePath).digest('hex').slice(0, 20)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  if (!testDatabaseUrl) return;
  const c = new pg.Client({ connectionString: testDatabaseUrl });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}

/**
 * Opens the test database: the SQLite path as given, or on PostgreSQL a schema of its own
 * (':memory:' gets a fresh schema that is dropped on close, like an in-memory SQLite database).
 */
export async function openTestDb(sqlitePath = ':memory:'): Promise<Db> {
  if (testEngine === 'sqlite') return Db.open(sqlitePath);
  const schema = schemaFor(sqlitePath);
  const db = await Db.open(testDatabaseUrl!, { schema, max: 4 });
  if (sqlitePath === ':memory:') {
    const close = db.close.bind(db);
    db.close = async () => {
      await close();
      await dropSchema(schema);
    };
  }
  return db;
}
