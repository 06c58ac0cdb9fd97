import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { ETagConflictError, SqliteStorage } from '../src/storage/sqliteStorage';
import { InteractionRepo } from '../src/storage/interactions';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'storage-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Db', () => {
  it('opens in WAL mode and applies migrations once', async () => {
    const db = await openTestDb(join(dir, 'a.db'));
    if (db.engine === 'sqlite') {
      const mode = await db.get<{ journal_mode: string }>('PRAGMA journal_mode');
      expect(mode?.journal_mode).toBe('wal');
    }
    expect(await db.migrate()).toEqual([]);
    const names = (await db.all<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name);
    expect(names[0]).toBe('001_core.sql');
    expect(await db.integrityCheck()).toBe('ok');
    await db.close();
  });

  it('rolls a failed transaction back completely', async () => {
    const db = await openTestDb(':memory:');
    await expect(
      db.transaction(async (tx) => {
        await tx.runRaw("INSERT INTO bot_state(key, etag, data, updated_at) VALUES ('k', 'e', '{}', 'now')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.get('SELECT * FROM bot_state WHERE key = ?', ['k'])).toBeUndefined();
    await db.close();
  });
});

describe('SqliteStorage', () => {
  it('reads back what it wrote, with a fresh eTag', async () => {
    const db = await openTestDb(':memory:');
    const s = new SqliteStorage(db);
    await s.write({ a: { n: 1 } });
    const r = await s.read(['a', 'missing']);
    expect(r.a.n).toBe(1);
    expect(typeof r.a.eTag).toBe('string');
    expect(r.missing).toBeUndefined();
    await db.close();
  });

  it('rejects a write with a stale eTag and accepts "*"', async () => {
    const db = await openTestDb(':memory:');
    const s = new SqliteStorage(db);
    await s.write({ a: { n: 1 } });
    const first = (await s.read(['a'])).a;
    await s.write({ a: { ...first, n: 2 } }); // current eTag: accepted
    await expect(s.write({ a: { ...first, n: 3 } })).rejects.toBeInstanceOf(ETagConflictError);
    expect((await s.read(['a'])).a.n).toBe(2);
    await s.write({ a: { n: 4, eTag: '*' } });
    expect((await s.read(['a'])).a.n).toBe(4);
    await s.delete(['a']);
    expect(await s.read(['a'])).toEqual({});
    await db.close();
  });

  it('keeps state across a close and reopen of the file', async () => {
    const path = join(dir, 'state.db');
    let db = await openTestDb(path);
    await new SqliteStorage(db).write({ 'emulator/conversations/c1/': { dialog: { step: 3 } } });
    await db.close();
    db = await openTestDb(path);
    const r = await new SqliteStorage(db).read(['emulator/conversations/c1/']);
    expect(r['emulator/conversations/c1/'].dialog.step).toBe(3);
    await db.close();
  });
});

describe('InteractionRepo', () => {
  it('redacts transcript text before writing it', async () => {
    const db = await openTestDb(':memory:');
    const repo = new InteractionRepo(db, (s) => s.replace(/\d{11}/g, '[PHONE]'));
    const i = await repo.open({ conversationId: 'c', userId: 'u', channel: 'emulator', locale: 'zh-CN' });
    await repo.addTranscript(i.id, { role: 'customer', text: '我的手机13812345678' });
    const raw = await db.all<{ text: string }>('SELECT text FROM transcript');
    expect(raw[0].text).toBe('我的手机[PHONE]');
    expect((await repo.current('c'))?.id).toBe(i.id);
    await repo.end(i.id, 'answered');
    expect(await repo.current('c')).toBeUndefined();
    expect(await repo.markProcessed('c', 'a1')).toBe(true);
    expect(await repo.markProcessed('c', 'a1')).toBe(false);
    await db.close();
  });
});
