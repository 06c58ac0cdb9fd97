import sqlite3 from 'sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WriteGate } from './writeGate';

export type Param = string | number | bigint | null | Buffer | boolean | undefined;
export type Params = Param[] | Record<string, Param>;

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Promise wrapper over one sqlite3 connection (one only: a second, read-only one keeps an old
 * snapshot while any of its statements is active, so a read could miss a committed write).
 * Writes pass a shared/exclusive gate (`WriteGate`): single statements run concurrently, a
 * transaction runs alone, since on one connection another caller's statement issued during
 * BEGIN..COMMIT would silently join that transaction.
 */
export class Db {
  private readonly gate = new WriteGate();
  private closed = false;

  private constructor(private readonly raw: sqlite3.Database, readonly path: string) {}

  static async open(path: string): Promise<Db> {
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(d)));
    });
    const db = new Db(raw, path);
    raw.configure('busyTimeout', 5000);
    await db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    await db.migrate();
    return db;
  }

  /** Apply every src/storage/migrations/NNN_name.sql not yet applied, each in its own transaction. */
  async migrate(dir = MIGRATIONS_DIR): Promise<string[]> {
    await this.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set((await this.all<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
    const files = readdirSync(dir).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
    const applied: string[] = [];
    for (const f of files) {
      if (done.has(f)) continue;
      const sql = readFileSync(join(dir, f), 'utf8');
      await this.transaction(async (tx) => {
        await tx.execRaw(sql);
        await tx.runRaw('INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)', [f, new Date().toISOString()]);
      });
      applied.push(f);
    }
    return applied;
  }

  execRaw(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.raw.exec(sql, (err) => (err ? reject(err) : resolve())));
  }

  runRaw(sql: string, params: Params = []): Promise<{ changes: number; lastID: number }> {
    return new Promise((resolve, reject) =>
      this.raw.run(sql, params as any, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes, lastID: this.lastID });
      }),
    );
  }

  /** Several statements (PRAGMAs, scripts): exclusive, like a transaction. */
  exec(sql: string): Promise<void> {
    return this.gate.run(true, () => this.execRaw(sql));
  }

  /** A single write statement: never inside another caller's transaction. */
  run(sql: string, params: Params = []): Promise<{ changes: number; lastID: number }> {
    return this.gate.run(false, () => this.runRaw(sql, params));
  }

  get<T = Record<string, unknown>>(sql: string, params: Params = []): Promise<T | undefined> {
    return new Promise((resolve, reject) =>
      this.raw.get(sql, params as any, (err, row) => (err ? reject(err) : resolve(row as T | undefined))),
    );
  }

  all<T = Record<string, unknown>>(sql: string, params: Params = []): Promise<T[]> {
    return new Promise((resolve, reject) =>
      this.raw.all(sql, params as any, (err, rows) => (err ? reject(err) : resolve(rows as T[]))),
    );
  }

  /** Stream rows one at a time so memory does not grow with the table. */
  each<T = Record<string, unknown>>(sql: string, params: Params, onRow: (row: T) => void): Promise<number> {
    return new Promise((resolve, reject) =>
      this.raw.each(
        sql,
        params as any,
        (err, row) => {
          if (!err) onRow(row as T);
        },
        (err, count) => (err ? reject(err) : resolve(count)),
      ),
    );
  }

  /**
   * Run fn inside BEGIN IMMEDIATE..COMMIT. Use tx.runRaw/get/all inside; the lock is already held,
   * so calling db.run inside fn would deadlock.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.gate.run(true, async () => {
      await this.execRaw('BEGIN IMMEDIATE');
      try {
        const out = await fn(this);
        await this.execRaw('COMMIT');
        return out;
      } catch (err) {
        await this.execRaw('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async integrityCheck(): Promise<string> {
    const row = await this.get<{ integrity_check: string }>('PRAGMA integrity_check');
    return row?.integrity_check ?? 'unknown';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.gate.run(true, async () => undefined); // let running writes and transactions finish
    await new Promise<void>((resolve, reject) => this.raw.close((err) => (err ? reject(err) : resolve())));
  }
}
