import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { HandoffQueue } from '../src/handoff/queue';

async function withInteraction(db: Db, id: string) {
  const t = new Date().toISOString();
  await db.run('INSERT INTO interactions(id, conversation_id, user_id, channel, locale, started_at, last_activity_at) VALUES (?,?,?,?,?,?,?)',
    [id, 'c-' + id, 'u', 'test', 'zh-CN', t, t]);
}

describe('handoff queue', () => {
  it('puts complaints first, then the longest wait', async () => {
    const db = await openTestDb(':memory:');
    const q = new HandoffQueue(db);
    for (const id of ['a', 'b', 'c']) await withInteraction(db, id);
    const a = await q.enqueue('a', 'asked', 'en');
    const b = await q.enqueue('b', 'low_confidence', 'en');
    const c = await q.enqueue('c', 'complaint', 'zh-CN');
    expect((await q.list()).map((h) => h.id)).toEqual([c.id, a.id, b.id]);
    expect(await q.position(b.id)).toBe(3);
    await db.close();
  });

  it('lets exactly one of several concurrent accepts win', async () => {
    const db = await openTestDb(':memory:');
    const q = new HandoffQueue(db);
    await withInteraction(db, 'x');
    const h = await q.enqueue('x', 'asked', 'en');
    const results = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((a) => q.accept(h.id, a)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = ['alice', 'bob', 'carol', 'dave'][results.indexOf(true)];
    expect((await q.get(h.id))!.agent_id).toBe(winner);
    await db.close();
  });

  it('keeps queue and assignments across a restart, records measures, requeues a silent agent', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hq-')), 'bot.db');
    let db = await openTestDb(path);
    let now = new Date('2026-01-01T00:00:00Z');
    let q = new HandoffQueue(db, () => now);
    for (const id of ['p', 'r']) await withInteraction(db, id);
    const p = await q.enqueue('p', 'complaint', 'en');
    const r = await q.enqueue('r', 'asked', 'en');
    now = new Date('2026-01-01T00:01:00Z');
    expect(await q.accept(p.id, 'alice')).toBe(true);
    await db.close();

    db = await openTestDb(path);
    q = new HandoffQueue(db, () => now);
    expect((await q.get(p.id))!.agent_id).toBe('alice');
    expect((await q.list()).map((h) => h.id)).toEqual([r.id]);
    now = new Date('2026-01-01T00:03:00Z');
    await q.agentReplied(p.id);
    expect(await q.transfer(p.id, 'alice', 'bob')).toBe(true);
    now = new Date('2026-01-01T00:11:00Z');
    expect(await q.resolve(p.id, 'alice')).toBeUndefined();
    expect(await q.resolve(p.id, 'bob')).toBeDefined();
    const row = await db.get<any>('SELECT * FROM interactions WHERE id = ?', ['p']);
    expect(row).toMatchObject({ handled_by: 'agent', agent_id: 'bob', queue_wait_seconds: 60, first_reply_seconds: 180, handling_seconds: 600, transfers: 1, complaint: 1 });
    expect(row.complaint_first_response_hours).toBeCloseTo(180 / 3600);
    expect(row.complaint_closed_hours).toBeCloseTo(660 / 3600);

    expect(await q.accept(r.id, 'carol')).toBe(true);
    now = new Date('2026-01-01T00:30:00Z');
    expect(await q.requeueStale(300)).toMatchObject([{ id: r.id, status: 'queued', previous_agent_id: 'carol' }]);
    expect((await q.get(r.id))!.status).toBe('queued');
    await db.close();
  });
});
