import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { WriteGate } from '../src/storage/writeGate';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('WriteGate', () => {
  it('lets shared work overlap, runs exclusive work alone, first come first served', async () => {
    const g = new WriteGate();
    const log: string[] = [];
    let inside = 0;
    let maxShared = 0;
    const shared = (n: string) => g.run(false, async () => {
      inside++;
      maxShared = Math.max(maxShared, inside);
      log.push(`+${n}`);
      await tick();
      log.push(`-${n}`);
      inside--;
    });
    const exclusive = (n: string) => g.run(true, async () => {
      expect(inside).toBe(0);
      log.push(`+${n}`);
      await tick();
      log.push(`-${n}`);
    });
    await Promise.all([shared('a'), shared('b'), exclusive('T'), shared('c')]);
    expect(maxShared).toBe(2);
    // a and b overlap; T waits for both; c (queued after T) waits for T
    expect(log).toEqual(['+a', '+b', '-a', '-b', '+T', '-T', '+c', '-c']);
  });

  it('releases after a failure', async () => {
    const g = new WriteGate();
    await expect(g.run(true, async () => { throw new Error('x'); })).rejects.toThrow('x');
    expect(await g.run(false, async () => 1)).toBe(1);
  });
});

describe('Db writes around a rolled-back transaction', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('never lets a concurrent single write join a transaction that rolls back', async () => {
    const db = await Db.open(join(dir, 'g.db'));
    await db.run('CREATE TABLE t (k TEXT)');
    const writes: Promise<unknown>[] = [];
    const tx = db.transaction(async (t) => {
      await t.runRaw("INSERT INTO t VALUES ('tx')");
      // writes issued while the transaction is open must wait for it, not run inside it
      for (let i = 0; i < 20; i++) writes.push(db.run('INSERT INTO t VALUES (?)', [`w${i}`]));
      await tick();
      throw new Error('roll back');
    });
    for (let i = 20; i < 40; i++) writes.push(db.run('INSERT INTO t VALUES (?)', [`w${i}`]));
    await expect(tx).rejects.toThrow('roll back');
    await Promise.all(writes);
    const rows = await db.all<{ k: string }>('SELECT k FROM t');
    expect(rows.map((r) => r.k).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `w${i}`).sort());
    await db.close();
  });
});
