import sqlite3 from 'sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { WriteGate } from './writeGate';
import { isStorageFault, MIGRATIONS_DIR, migrationFiles, StorageOpenError, type Db, type Params, type WriteHealth } from './dbCore';

/** Turns what mkdir or SQLite throws at open into a StorageOpenError; other errors pass through. */
function openError(path: string, err: unknown): unknown {
  const code = (err as { code?: string }).code;
  const dir = dirname(path);
  const isFile = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    let p = dir;
    while (p !== dirname(p) && !isFile(p)) p = dirname(p);
    return new StorageOpenError(path, `the folder ${isFile(p) ? p : dir} is a file, not a folder`, 'Move that file away or set DATABASE_PATH to a path inside a folder.', err);
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM') return new StorageOpenError(path, 'permission denied', `Give the user running the bot write access to ${dir} and the database file, or set DATABASE_PATH elsewhere.`, err);
  if (code === 'EROFS' || code === 'SQLITE_READONLY') return new StorageOpenError(path, 'the database is read-only', `Make the file and its folder ${dir} writable (the bot also writes ${path}-wal and ${path}-shm), or set DATABASE_PATH to a writable path.`, err);
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') return new StorageOpenError(path, 'the disk is full', 'Free space on that disk or set DATABASE_PATH to a disk with room.', err);
  if (code === 'SQLITE_CANTOPEN') return new StorageOpenError(path, 'SQLite cannot open the file', `Check that ${dir} exists, is a folder and is writable, or set DATABASE_PATH elsewhere.`, err);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return new StorageOpenError(path, 'the file is not a usable SQLite database', 'Point DATABASE_PATH at the right file, or restore it from a backup.', err);
  return err;
}

/**
 * Promise wrapper over one sqlite3 connection (one only: a second, read-only one keeps an old
 * snapshot while any of its statements is active, so a read could miss a committed write).
 * Writes pass a shared/exclusive gate (`WriteGate`): single statements run concurrently, a
 * transaction runs alone, since on one connection another caller's statement issued during
 * BEGIN..COMMIT would silently join that transaction.
 */
export class SqliteDb implements Db {
  readonly engine = 'sqlite' as const;
  private readonly gate = new WriteGate();
  private closed = false;
  private writeHealth: WriteHealth = { writable: true };
  private probeTimer?: NodeJS.Timeout;
  /** How often a degraded database tries a write of its own, so it recovers without traffic. */
  probeMs = 2000;

  private constructor(private readonly raw: sqlite3.Database, readonly path: string) {}

  static async open(path: string): Promise<SqliteDb> {
    let raw: sqlite3.Database | undefined;
    try {
      if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
      raw = await new Promise<sqlite3.Database>((resolve, reject) => {
        const d = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(d)));
      });
      const db = new SqliteDb(raw, path);
      raw.configure('busyTimeout', 5000);
      await db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
      await db.migrate();
      return db;
    } catch (err) {
      raw?.close(() => undefined);
      throw openError(path, err);
    }
  }

  /** Apply every src/storage/migrations/NNN_name.sql not yet applied, each in its own transaction. */
  async migrate(dir = MIGRATIONS_DIR): Promise<string[]> {
    await this.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set((await this.all<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
    const applied: string[] = [];
    for (const { name: f, sql } of migrationFiles(dir, 'sqlite')) {
      if (done.has(f)) continue;
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
    return this.watch(this.gate.run(true, () => this.execRaw(sql)));
  }

  /** A single write statement: never inside another caller's transaction. */
  run(sql: string, params: Params = []): Promise<{ changes: number; lastID: number }> {
    return this.watch(this.gate.run(false, () => this.runRaw(sql, params)));
  }

  get health(): WriteHealth {
    return { ...this.writeHealth };
  }

  /** Try one harmless write now (used by /healthz while degraded, and by the probe timer). */
  async probeWrite(): Promise<WriteHealth> {
    await this.run('UPDATE schema_migrations SET applied_at = applied_at WHERE rowid = (SELECT MIN(rowid) FROM schema_migrations)').catch(() => undefined);
    return this.health;
  }

  /** Records whether a write reached the file: a storage fault degrades, the next success recovers. */
  private watch<T>(p: Promise<T>): Promise<T> {
    return p.then(
      (v) => {
        if (!this.writeHealth.writable) this.recovered();
        return v;
      },
      (err) => {
        if (isStorageFault(err)) this.degraded(err as Error);
        throw err;
      },
    );
  }

  private degraded(err: Error): void {
    if (this.writeHealth.writable) this.writeHealth = { writable: false, reason: `${(err as { code?: string }).code}: ${err.message}`, since: new Date().toISOString() };
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
    return this.watch(this.gate.run(true, async () => {
      await this.execRaw('BEGIN IMMEDIATE');
      try {
        const out = await fn(this);
        await this.execRaw('COMMIT');
        return out;
      } catch (err) {
        await this.execRaw('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }));
  }

  async integrityCheck(): Promise<string> {
    const row = await this.get<{ integrity_check: string }>('PRAGMA integrity_check');
    return row?.integrity_check ?? 'unknown';
  }

  poolState(): undefined {
    return undefined;
  }

  /** One process owns a SQLite file, so cross-instance locks are no-ops (in-process order is TurnLock's job). */
  withLock<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  tryLock<T>(_name: string, fn: () => Promise<T>): Promise<T | undefined> {
    return fn();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.probeTimer);
    await this.gate.run(true, async () => undefined); // let running writes and transactions finish
    await new Promise<void>((resolve, reject) => this.raw.close((err) => (err ? reject(err) : resolve())));
  }
}
