import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';

// Issue 12.3: with the database refusing writes while the bot runs, a turn is not acknowledged (5xx, so the
// channel redelivers it), /healthz says degraded with the reason, reads keep working, and the service recovers
// by itself once writes succeed again. The fault is SQLite's own: `PRAGMA query_only` on the bot's connection
// makes every write fail with SQLITE_READONLY, the code a read-only file gives (these tests run as root,
// for whom chmod does not stop writes). It is set with execRaw, which bypasses the health bookkeeping.
let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot({ ANALYST_API_TOKEN: 'analyst-token', DB_WRITE_PROBE_MS: '200' });
});
afterAll(async () => {
  await bot?.app.db.execRaw('PRAGMA query_only = 0').catch(() => undefined);
  await bot?.stop();
});

const count = async (sql: string, params: unknown[] = []) => (await bot.app.db.get<{ n: number }>(sql, params as any))!.n;
const submit = (item: string, value: unknown) => ({ value: { surveyItem: item, value } });

describe('a database that stops taking writes', () => {
  it('turns get 503 and are not marked processed; /healthz is degraded; reads work; it recovers by itself; the redelivery is stored', async () => {
    const c = bot.customer({ locale: 'en-US' });
    await c.say('How do I reset my password?');
    const offer = await c.say('bye');
    expect(c.texts(offer)).toMatch(/satisf|rate/i);
    const answer = c.activity(submit('csat', 4));
    const answersBefore = await count('SELECT COUNT(*) AS n FROM survey_answers');

    await bot.app.db.execRaw('PRAGMA query_only = 1');
    const r = await c.post(answer);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBeTruthy();
    expect((await r.json()).error).toMatch(/storage unavailable/);
    // a plain message fails the same way
    const m = await c.post(c.activity({ text: 'are you there?' }));
    expect(m.status).toBe(503);

    const h = await fetch(`${bot.app.url}/healthz`);
    expect(h.status).toBe(503);
    const health = await h.json();
    expect(health.status).toBe('degraded');
    expect(health.reason).toMatch(/writes are failing/);
    expect(health.database).toMatchObject({ readable: true, writable: false });
    expect(health.database.error).toMatch(/SQLITE_READONLY/);

    // reads keep working
    const list = await fetch(`${bot.app.url}/api/surveys`, { headers: { authorization: 'Bearer analyst-token' } });
    expect(list.status).toBe(200);
    expect((await list.json()).count).toBeGreaterThan(0);
    expect(await count('SELECT COUNT(*) AS n FROM survey_answers')).toBe(answersBefore);
    expect(await count('SELECT COUNT(*) AS n FROM processed_activities WHERE activity_id = ?', [answer.id])).toBe(0);

    // the disk comes back: no request needed, the probe notices
    await bot.app.db.execRaw('PRAGMA query_only = 0');
    const t0 = Date.now();
    while (!bot.app.db.health.writable && Date.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 50));
    expect(bot.app.db.health.writable).toBe(true);
    const ok = await fetch(`${bot.app.url}/healthz`);
    expect(ok.status).toBe(200);
    expect((await ok.json()).status).toBe('ok');

    // the channel's redelivery of the unacknowledged answer is processed and stored once
    const again = await c.post(answer);
    expect(again.status).toBe(200);
    expect(await count('SELECT COUNT(*) AS n FROM survey_answers')).toBe(answersBefore + 1);
    expect(await count('SELECT COUNT(*) AS n FROM processed_activities WHERE activity_id = ?', [answer.id])).toBe(1);
    const row = await bot.app.db.get<{ item_id: string; value: number }>('SELECT item_id, value FROM survey_answers ORDER BY rowid DESC LIMIT 1');
    expect(row).toMatchObject({ item_id: 'csat', value: 4 });
  });

  it('an SQLITE_FULL (disk full) write failure degrades health the same way', async () => {
    const db = bot.app.db;
    const pages = (await db.get<{ page_count: number }>('PRAGMA page_count'))!.page_count;
    await db.execRaw(`PRAGMA max_page_count = ${pages}`);
    try {
      // a write large enough to need new pages
      await expect(db.run('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)', ['fill-' + 'x'.repeat(2_000_000), new Date().toISOString()])).rejects.toThrow(/SQLITE_FULL/);
      expect(db.health).toMatchObject({ writable: false });
      expect(db.health.reason).toMatch(/SQLITE_FULL/);
    } finally {
      await db.execRaw('PRAGMA max_page_count = 4294967294');
    }
    const t0 = Date.now();
    while (!db.health.writable && Date.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 50));
    expect(db.health.writable).toBe(true);
  });
});
