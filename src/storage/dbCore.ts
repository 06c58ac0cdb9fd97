import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ddlToPg } from './dialect';

/** The database cannot be opened: the message names the path, the problem and the fix (no stack needed). */
export class StorageOpenError extends Error {
  constructor(readonly path: string, problem: string, fix: string, readonly cause?: unknown) {
    super(`${path}: ${problem}. ${fix}`);
    this.name = 'StorageOpenError';
  }
}

export type Param = string | number | bigint | null | Buffer | boolean | undefined;
/** SQLite result codes that mean the file cannot be written (not a busy lock or a bad statement). */
const STORAGE_FAULTS = new Set(['SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_PERM', 'SQLITE_CORRUPT', 'SQLITE_NOTADB']);

export function isStorageFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_FAULTS.has(code);
}

/** Whether writes currently succeed; `reason` and `since` describe the last failure while they do not. */
export interface WriteHealth {
  writable: boolean;
  reason?: string;
  since?: string;
}

export type Params = Param[] | Record<string, Param>;

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export type Engine = 'sqlite' | 'postgres';

/**
 * The migrations of one engine, in one numbered sequence. `NNN_name.sql` is written for SQLite; PostgreSQL
 * runs `NNN_name.pg.sql` when there is one (dialect-specific DDL: triggers, full-text search), else the same
 * file with its types mapped (ddlToPg). Both record the name `NNN_name.sql`, so the sequence is shared.
 */
export function migrationFiles(dir: string, engine: Engine): { name: string; sql: string }[] {
  const files = readdirSync(dir).filter((f) => /^\d+_.+\.sql$/.test(f) && !f.endsWith('.pg.sql')).sort();
  return files.map((name) => {
    const pg = join(dir, name.replace(/\.sql$/, '.pg.sql'));
    if (engine === 'sqlite') return { name, sql: readFileSync(join(dir, name), 'utf8') };
    return { name, sql: existsSync(pg) ? readFileSync(pg, 'utf8') : ddlToPg(readFileSync(join(dir, name), 'utf8')) };
  });
}

/** Connection-pool figures for /healthz (PostgreSQL only). */
export interface PoolState {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** What a transaction callback may use: statements on the transaction's own connection. */
export interface DbTx {
  readonly engine: Engine;
  runRaw(sql: string, params?: Params): Promise<{ changes: number; lastID: number }>;
  execRaw(sql: string): Promise<void>;
  get<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T | undefined>;
  all<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]>;
  each<T = Record<string, unknown>>(sql: string, params: Params, onRow: (row: T) => void): Promise<number>;
}

/**
 * The database, engine-neutral. Statements are written in the SQLite dialect with `?` placeholders;
 * the PostgreSQL engine rewrites them (src/storage/dialect.ts).
 */
export interface Db extends DbTx {
  /** SQLite file path, or the PostgreSQL URL without its password. */
  readonly path: string;
  probeMs: number;
  readonly health: WriteHealth;
  exec(sql: string): Promise<void>;
  run(sql: string, params?: Params): Promise<{ changes: number; lastID: number }>;
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  migrate(dir?: string): Promise<string[]>;
  probeWrite(): Promise<WriteHealth>;
  integrityCheck(): Promise<string>;
  poolState(): PoolState | undefined;
  /**
   * Runs fn while holding the named lock across every instance on this database, waiting for it
   * (PostgreSQL: an advisory lock; SQLite: one process owns the file, so fn just runs).
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Like withLock, but returns undefined at once when another instance holds the lock (scheduled jobs). */
  tryLock<T>(name: string, fn: () => Promise<T>): Promise<T | undefined>;
  close(): Promise<void>;
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}
