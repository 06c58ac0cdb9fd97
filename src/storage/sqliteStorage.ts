import type { Storage, StoreItems } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import type { Db } from './db';

/** Thrown when a write carries an eTag that no longer matches the stored one. */
export class ETagConflictError extends Error {
  constructor(key: string) {
    super(`eTag conflict on storage key "${key}": the item was changed by another turn`);
    this.name = 'ETagConflictError';
  }
}

/**
 * botbuilder Storage over SQLite. eTag semantics follow MemoryStorage:
 * a write with eTag "*" or none always wins; any other eTag must match the stored one.
 */
export class SqliteStorage implements Storage {
  constructor(private readonly db: Db) {}

  async read(keys: string[]): Promise<StoreItems> {
    const out: StoreItems = {};
    if (!keys.length) return out;
    const rows = await this.db.all<{ key: string; etag: string; data: string }>(
      `SELECT key, etag, data FROM bot_state WHERE key IN (${keys.map(() => '?').join(',')})`,
      keys,
    );
    for (const r of rows) out[r.key] = { ...JSON.parse(r.data), eTag: r.etag };
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    const entries = Object.entries(changes ?? {});
    if (!entries.length) return;
    const now = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      for (const [key, item] of entries) {
        const { eTag, ...rest } = (item ?? {}) as { eTag?: string };
        const data = JSON.stringify(rest);
        const etag = randomUUID();
        if (!eTag || eTag === '*') {
          await tx.runRaw(
            `INSERT INTO bot_state(key, etag, data, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, data = excluded.data, updated_at = excluded.updated_at`,
            [key, etag, data, now],
          );
        } else {
          const res = await tx.runRaw('UPDATE bot_state SET etag = ?, data = ?, updated_at = ? WHERE key = ? AND etag = ?', [
            etag,
            data,
            now,
            key,
            eTag,
          ]);
          if (res.changes === 0) {
            // An eTag for an item that no longer exists (e.g. deleted) is written fresh, as MemoryStorage does.
            const ins = await tx.runRaw('INSERT OR IGNORE INTO bot_state(key, etag, data, updated_at) VALUES (?, ?, ?, ?)', [
              key,
              etag,
              data,
              now,
            ]);
            if (ins.changes === 0) throw new ETagConflictError(key);
          }
        }
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys.length) return;
    await this.db.run(`DELETE FROM bot_state WHERE key IN (${keys.map(() => '?').join(',')})`, keys);
  }
}
