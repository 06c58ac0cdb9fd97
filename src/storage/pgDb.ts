import pg from 'pg';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR, migrationFiles, StorageOpenError, type Db, type Params, type PoolState, type WriteHealth } from './dbCore';
import { splitStatements, toPg, type PgCatalog } from './dialect';

const COMPAT_SQL = join(dirname(fileURLToPath(import.meta.url)), 'pg', 'compat.sql');
/** Key of the advisory lock that lets one instance at a time migrate a shared database. */
const MIGRATION_LOCK = 0x5a7b0001;
/** First key of every named advisory lock (withLock / tryLock); the second is hashtext(name). */
const LOCK_NAMESPACE = 0x5a7b;

export interface PgOptions {
  /** Pool size per instance (DATABASE_POOL_MAX). */
  max?: number;
  /** Schema to create and use (tests: one fresh schema per file); default the server's search_path. */
  schema?: string;
}

/** pg error codes meaning the server cannot take writes now (not a bad statement). */
const FAULT_CODES = /^(08|53|57P|58|25006)/;
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
export function isPgFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return /Connection terminated|connection timeout/i.test(String((err as Error)?.message));
  return FAULT_CODES.test(code) || NET_CODES.has(code);
}
/** Transaction conflicts PostgreSQL asks the client to retry. */
const RETRY_CODES = new Set(['40001', '40P01']);

/** COUNT/SUM come back as int8/numeric; the repositories expect numbers, as SQLite returns them. */
const types = {
  getTypeParser(oid: number, format?: any) {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format);
  },
};

function toParams(params: Params): unknown[] {
  if (!Array.isArray(params)) throw new Error('PostgreSQL engine: named parameters are not supported, use ? placeholders');
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : typeof p === 'bigint' ? p.toString() : p));
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

type Queryable = pg.Pool | pg.PoolClient;

/** Statements on one queryable (the pool, or a transaction's client); shared by PgDb and its transactions. */
class PgExecutor {
  readonly engine = 'postgres' as const;
  constructor(protected readonly q: Queryable, protected readonly shared: { catalog: PgCatalog; cache: Map<string, string> }) {}

  protected sql(text: string): string {
    let out = this.shared.cache.get(text);
    if (out === undefined) {
      out = toPg(text, this.shared.catalog);
      if (this.shared.cache.size > 5000) this.shared.cache.clear();
      this.shared.cache.set(text, out);
    }
    return out;
  }

  /** Runs a rewritten statement; a failure carries the statement PostgreSQL saw (not the values). */
  protected async query(sql: string, params: Params): Promise<pg.QueryResult> {
    const text = this.sql(sql);
    try {
      return await this.q.query({ text, values: toParams(params), types });
    } catch (err) {
      if (err && typeof err === 'object' && !('sql' in err)) Object.defineProperty(err, 'sql', { value: text, enumerable: false });
      if (process.env.PG_DEBUG_SQL) process.stderr.write(`PG ${(err as Error).message}\n  ${text}\n`);
      throw err;
    }
  }

  async runRaw(sql: string, params: Params = []): Promise<{ changes: number; lastID: number }> {
    const r = await this.query(sql, params);
    const id = r.rows?.[0]?.id;
    return { changes: r.rowCount ?? 0, lastID: typeof id === 'number' ? id : Number(id ?? 0) };
  }

  /** A script of SQLite-dialect statements without parameters, each rewritten. */
  async execRaw(sql: string): Promise<void> {
    await this.q.query(splitStatements(sql).map((s) => this.sql(s)).join(';\n'));
  }

  async get<T = Record<string, unknown>>(sql: string, params: Params = []): Promise<T | undefined> {
    const r = await this.query(sql, params);
    return r.rows[0] as T | undefined;
  }

  async all<T = Record<string, unknown>>(sql: string, params: Params = []): Promise<T[]> {
    const r = await this.query(sql, params);
    return r.rows as T[];
  }
}

/** A transaction's view: every statement on the transaction's client; nested transactions join it. */
class PgTx extends PgExecutor implements Db {
  probeMs = 0;
  constructor(client: pg.PoolClient, shared: { catalog: PgCatalog; cache: Map<string, string> }, readonly path: string) {
    super(client, shared);
  }
  get health(): WriteHealth {
    return { writable: true };
  }
  exec(sql: string) {
    return this.execRaw(sql);
  }
  run(sql: string, params: Params = []) {
    return this.runRaw(sql, params);
  }
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async each<T>(sql: string, params: Params, onRow: (row: T) => void): Promise<number> {
    const rows = await this.all<T>(sql, params);
    rows.forEach(onRow);
    return rows.length;
  }
  migrate(): Promise<string[]> {
    throw new Error('migrate inside a transaction');
  }
  async probeWrite() {
    return this.health;
  }
  async integrityCheck() {
    return 'ok';
  }
  poolState() {
    return undefined;
  }
  withLock<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    throw new Error('withLock inside a transaction');
  }
  tryLock<T>(_name: string, fn: () => Promise<T>): Promise<T | undefined> {
    throw new Error('tryLock inside a transaction');
  }
  async close() {}
}

/**
 * PostgreSQL engine over a pg Pool. Statements use the SQLite dialect and are rewritten (dialect.ts).
 * Transactions take their own pooled client, so unlike SQLite they run concurrently; deadlocks and
 * serialization failures are retried.
 */
export class PgDb extends PgExecutor implements Db {
  probeMs = 2000;
  private writeHealth: WriteHealth = { writable: true };
  private probeTimer?: NodeJS.Timeout;
  private closed = false;

  /**
   * Connections that hold advisory locks (turn locks, scheduler leases) come from a pool of their own: a turn
   * holding its lock connection still gets statement connections from the main pool, so the two cannot starve
   * each other into a deadlock.
   */
  private readonly lockPool: pg.Pool;

  private constructor(readonly pool: pg.Pool, shared: { catalog: PgCatalog; cache: Map<string, string> }, readonly path: string, readonly max: number) {
    super(pool, shared);
    this.lockPool = new pg.Pool({ ...pool.options, max });
    this.lockPool.on('error', () => undefined);
  }

  /** Advisory-lock key of a name: namespace 0x5a7b plus the name's 32-bit hash (hashtext on the server). */
  private lockSql(fn: string): string {
    return `SELECT ${fn}(${LOCK_NAMESPACE}, hashtext($1)) AS ok`;
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const c = await this.watch(this.lockPool.connect());
    let broken: Error | undefined;
    try {
      await c.query(this.lockSql('pg_advisory_lock'), [name]);
      try {
        return await fn();
      } finally {
        await c.query(`SELECT pg_advisory_unlock(${LOCK_NAMESPACE}, hashtext($1))`, [name]).catch((err) => (broken = err));
      }
    } finally {
      c.release(broken);
    }
  }

  async tryLock<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    const c = await this.watch(this.lockPool.connect());
    let broken: Error | undefined;
    try {
      const got = (await c.query<{ ok: boolean }>(this.lockSql('pg_try_advisory_lock'), [name])).rows[0]?.ok;
      if (!got) return undefined;
      try {
        return await fn();
      } finally {
        await c.query(`SELECT pg_advisory_unlock(${LOCK_NAMESPACE}, hashtext($1))`, [name]).catch((err) => (broken = err));
      }
    } finally {
      c.release(broken);
    }
  }

  static async open(url: string, opts: PgOptions = {}): Promise<PgDb> {
    const max = opts.max ?? 10;
    if (opts.schema && !/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`bad schema name ${opts.schema}`);
    const pool = new pg.Pool({
      connectionString: url,
      max,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    // An idle client losing its connection must not end the process; the next query reports it.
    pool.on('error', () => undefined);
    const db = new PgDb(pool, { catalog: { serialId: new Set(), primaryKey: new Map() }, cache: new Map() }, redactUrl(url), max);
    try {
      if (opts.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
      await db.migrate();
    } catch (err) {
      await pool.end().catch(() => undefined);
      const code = (err as { code?: string }).code;
      if (code && NET_CODES.has(code)) throw new StorageOpenError(db.path, `PostgreSQL is not reachable (${code})`, 'Check DATABASE_URL host and port and that the server is running.', err);
      if (code === '28P01' || code === '28000') throw new StorageOpenError(db.path, 'PostgreSQL refused the login', 'Check the user and password in DATABASE_URL.', err);
      if (code === '3D000') throw new StorageOpenError(db.path, 'the database does not exist', 'Create it (createdb) or fix the database name in DATABASE_URL.', err);
      throw err;
    }
    return db;
  }

  /**
   * Compatibility functions, then every migration not yet applied, all in one transaction under an advisory
   * lock, so instances starting together do not migrate twice.
   */
  async migrate(dir = MIGRATIONS_DIR): Promise<string[]> {
    const applied: string[] = [];
    await this.withClient(async (c) => {
      await c.query('BEGIN');
      try {
        await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await c.query(readFileSync(COMPAT_SQL, 'utf8'));
        await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
        const done = new Set((await c.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
        for (const { name, sql } of migrationFiles(dir, 'postgres')) {
          if (done.has(name)) continue;
          try {
            await c.query(sql);
          } catch (err) {
            (err as Error).message = `migration ${name} on PostgreSQL: ${(err as Error).message}`;
            throw err;
          }
          await c.query('INSERT INTO schema_migrations(name, applied_at) VALUES ($1, $2)', [name, new Date().toISOString()]);
          applied.push(name);
        }
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
    await this.loadCatalog();
    return applied;
  }

  private async loadCatalog(): Promise<void> {
    const serial = await this.pool.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_name = 'id' AND column_default LIKE 'nextval%'`,
    );
    const pk = await this.pool.query<{ t: string; c: string }>(
      `SELECT tc.table_name AS t, kcu.column_name AS c FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
        WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() ORDER BY tc.table_name, kcu.ordinal_position`,
    );
    const cat = this.shared.catalog;
    cat.serialId = new Set(serial.rows.map((r) => r.t));
    cat.primaryKey = new Map();
    for (const r of pk.rows) cat.primaryKey.set(r.t, [...(cat.primaryKey.get(r.t) ?? []), r.c]);
    this.shared.cache.clear();
  }

  /** One pooled client for work that must stay on a connection (advisory locks, LISTEN, cursors). */
  async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.watch(this.pool.connect());
    let broken: Error | undefined;
    try {
      return await fn(c);
    } catch (err) {
      if (isPgFault(err)) broken = err as Error;
      throw err;
    } finally {
      c.release(broken);
    }
  }

  get health(): WriteHealth {
    return { ...this.writeHealth };
  }

  exec(sql: string): Promise<void> {
    return this.watch(this.execRaw(sql));
  }

  run(sql: string, params: Params = []): Promise<{ changes: number; lastID: number }> {
    return this.watch(this.runRaw(sql, params));
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.watch(
          this.withClient(async (c) => {
            await c.query('BEGIN');
            try {
              const out = await fn(new PgTx(c, this.shared, this.path));
              await c.query('COMMIT');
              return out;
            } catch (err) {
              await c.query('ROLLBACK').catch(() => undefined);
              throw err;
            }
          }),
        );
      } catch (err) {
        if (attempt >= 5 || !RETRY_CODES.has((err as { code?: string }).code ?? '')) throw err;
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
      }
    }
  }

  /** Streams through a cursor in batches, so memory does not grow with the result. */
  each<T = Record<string, unknown>>(sql: string, params: Params, onRow: (row: T) => void): Promise<number> {
    return this.withClient(async (c) => {
      await c.query('BEGIN');
      try {
        try {
          await c.query({ text: `DECLARE each_cursor NO SCROLL CURSOR FOR ${this.sql(sql)}`, values: toParams(params), types });
        } catch (err) {
          if (process.env.PG_DEBUG_SQL) process.stderr.write(`PG ${(err as Error).message}\n  ${this.sql(sql)}\n`);
          throw err;
        }
        let n = 0;
        for (;;) {
          const r = await c.query({ text: 'FETCH 5000 FROM each_cursor', types });
          for (const row of r.rows) onRow(row as T);
          n += r.rows.length;
          if (r.rows.length < 5000) break;
        }
        await c.query('COMMIT');
        return n;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async probeWrite(): Promise<WriteHealth> {
    await this.run('UPDATE schema_migrations SET applied_at = applied_at WHERE name = (SELECT MIN(name) FROM schema_migrations)').catch(() => undefined);
    return this.health;
  }

  async integrityCheck(): Promise<string> {
    await this.get('SELECT 1');
    return 'ok';
  }

  poolState(): PoolState {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount, max: this.max };
  }

  private watch<T>(p: Promise<T>): Promise<T> {
    return p.then(
      (v) => {
        if (!this.writeHealth.writable) this.recovered();
        return v;
      },
      (err) => {
        if (isPgFault(err)) this.degraded(err as Error);
        throw err;
      },
    );
  }

  private degraded(err: Error): void {
    if (this.writeHealth.writable) this.writeHealth = { writable: false, reason: `${(err as { code?: string }).code ?? 'connection'}: ${err.message}`, since: new Date().toISOString() };
    if (!this.probeTimer && !this.closed) {
      this.probeTimer = setInterval(() => void this.probeWrite(), this.probeMs);
      this.probeTimer.unref();
    }
  }

  private recovered(): void {
    this.writeHealth = { writable: true };
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.probeTimer);
    await Promise.all([this.pool.end(), this.lockPool.end()]);
  }
}
