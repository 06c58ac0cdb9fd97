import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { aggregate, aggregateSql, rollupServes, type Aggregates, type Filter, type Period } from '../src/indicators/index';
import type { SlaTargets } from '../src/indicators/model';

const sla: SlaTargets = { enquiry_first_reply: 600, complaint_initial: 24, transaction: 3, complaint_closed: 168, response_rate: 60 } as SlaTargets;

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Plain, order-independent view of the aggregates; float sums rounded (summation order differs). */
function plain(m: Map<string, Aggregates>) {
  const out: Record<string, unknown> = {};
  for (const [p, a] of [...m.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    out[p] = {
      ...a,
      times: Object.fromEntries(Object.entries(a.times).map(([k, t]) => [k, { ...t, scoreSum: round(t.scoreSum, 6), scoreSq: round(t.scoreSq, 3) }])),
      handling: { ...a.handling, sum: round(a.handling.sum, 6), sumSq: round(a.handling.sumSq, 3) },
      hist: Object.fromEntries([...a.hist.entries()].sort().map(([k, h]) => [k, Object.fromEntries([...h.entries()].sort((x, y) => x[0] - y[0]))])),
      topics: Object.fromEntries([...a.topics.entries()].sort()),
    };
  }
  return out;
}

const pick = <T>(r: () => number, xs: T[]) => xs[Math.floor(r() * xs.length)];
const SENT = ['negative', 'neutral', 'positive', null];

async function seed(db: Db, n: number, r: () => number, prefix = 'x') {
  await db.transaction(async (tx) => {
    for (let i = 0; i < n; i++) {
      const id = `${prefix}${i}`;
      const day = 1 + Math.floor(r() * 45); // Jan 1 - Feb 14 2026
      const at = new Date(Date.UTC(2026, 0, day, Math.floor(r() * 24), Math.floor(r() * 60))).toISOString();
      const agent = r() < 0.4;
      const complaint = r() < 0.2 ? 1 : 0;
      const maybe = (p: number, v: () => number) => (r() < p ? v() : null);
      await tx.runRaw(
        `INSERT INTO interactions (id, conversation_id, user_id, channel, locale, started_at, last_activity_at, handled_by, agent_id, resolved, complaint, is_test,
          first_reply_seconds, queue_wait_seconds, complaint_first_response_hours, complaint_closed_hours, transaction_days, repeat_contact_7d,
          handling_seconds, transfers)
         VALUES (?, ?, 'u', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, `c${prefix}${i}`, pick(r, ['web', 'teams', 'line']), pick(r, ['en', 'zh-CN', null]), at, at, agent ? 'agent' : 'bot', agent ? pick(r, ['a1', 'a2']) : null,
          pick(r, ['yes', 'partly', 'no', null]), complaint, r() < 0.05 ? 1 : 0, maybe(0.6, () => r() * 1500), maybe(0.3, () => r() * 900),
          complaint ? maybe(0.8, () => r() * 50) : null, complaint ? maybe(0.5, () => r() * 300) : null, maybe(0.2, () => r() * 6), maybe(0.7, () => (r() < 0.2 ? 1 : 0)),
          agent ? maybe(0.8, () => r() * 1200) : null, agent ? pick(r, [0, 0, 1, 2]) : 0],
      );
      if (r() < 0.75) {
        const sid = `s${prefix}${i}`;
        const status = pick(r, ['offered', 'started', 'complete', 'incomplete', 'declined']);
        await tx.runRaw(
          `INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, status, offered_at) VALUES (?, ?, 'u', ?, 1, 'goodbye', 'web', ?, ?)`,
          [sid, id, pick(r, ['default', 'short']), status, at],
        );
        for (const [item, kind, max, min] of [['csat', 'csat', 5, 1], ['nps', 'nps', 10, 0], ['ces', 'ces', 7, 1], ['rating_attitude', 'rating', 5, 1]] as const)
          if (r() < 0.7)
            await tx.runRaw(`INSERT INTO survey_answers (survey_id, item_id, kind, value, input_mode, skipped, answered_at) VALUES (?, ?, ?, ?, 'button', ?, ?)`, [
              sid, item, kind, r() < 0.1 ? null : min + Math.floor(r() * (max - min + 1)), r() < 0.1 ? 1 : 0, at,
            ]);
        if (r() < 0.5)
          await tx.runRaw(`INSERT INTO survey_answers (survey_id, item_id, kind, value, value_text, input_mode, answered_at) VALUES (?, 'resolved', 'resolved', ?, 'x', 'button', ?)`, [
            sid, pick(r, [0, 0.5, 1]), at,
          ]);
      }
      if (r() < 0.3) {
        const { lastID: fid } = await tx.runRaw(`INSERT INTO feedback (interaction_id, text, created_at, sentiment, human_sentiment) VALUES (?, 't', ?, ?, ?)`, [
          id, at, pick(r, SENT), r() < 0.2 ? pick(r, SENT) : null,
        ]);
        for (const topic of ['speed', 'price', 'attitude']) {
          if (r() < 0.4) await tx.runRaw(`INSERT INTO feedback_topics (feedback_id, source, topic, sentiment) VALUES (?, 'model', ?, ?)`, [fid, topic, pick(r, SENT)]);
          if (r() < 0.15) await tx.runRaw(`INSERT INTO feedback_topics (feedback_id, source, topic, sentiment) VALUES (?, 'human', ?, ?)`, [fid, topic, pick(r, SENT)]);
        }
      }
    }
  });
}

const FILTERS: Filter[] = [
  {},
  { from: '2026-01-10', to: '2026-01-31' },
  { channel: 'web' },
  { locale: 'en', handledBy: 'agent' },
  { definitionId: 'short', from: '2026-02-01' },
  { to: '2026-01-05', channel: 'line', handledBy: 'bot' },
];
const PERIODS: Array<Period | undefined> = [undefined, 'day', 'week', 'month'];

async function expectSame(db: Db) {
  for (const f of FILTERS)
    for (const p of PERIODS) {
      expect(rollupServes(f)).toBe(true);
      const fast = plain(await aggregate(db, sla, f, p));
      const slow = plain(await aggregateSql(db, sla, f, p));
      expect(fast, JSON.stringify({ f, p })).toEqual(slow);
    }
  expect((await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM indicator_dirty_days'))!.c).toBe(0);
}

let db: Db;
beforeAll(async () => {
  db = await openTestDb(':memory:');
  await seed(db, 1500, rng(2026));
});
afterAll(() => db.close());

describe('daily rollup', () => {
  it('gives the same aggregates as the base-table SQL for random data, windows, segments and periods', async () => {
    await expectSame(db);
    expect((await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM indicator_rollup_answers'))!.c).toBeGreaterThan(100);
    expect(rollupServes({ agentId: 'a1' })).toBe(false);
    expect(rollupServes({ topic: 'speed' })).toBe(false);
    expect(rollupServes({ from: '2026-01-01T12:00:00Z' })).toBe(false);
  });

  it('follows a human label, a deletion, an answer change and a late insert', async () => {
    const topicCount = async (topic: string, s: string) => (await aggregate(db, sla, {})).get('')!.topics.get(topic)?.[s as 'positive'] ?? 0;
    // a feedback item with only model tags gets a human tag: its model tags stop counting
    const fb = (await db.get<{ id: number }>(
      `SELECT f.id FROM feedback f JOIN interactions i ON i.id = f.interaction_id
       WHERE i.is_test = 0 AND NOT EXISTS (SELECT 1 FROM feedback_topics WHERE feedback_id = f.id AND source = 'human')
         AND EXISTS (SELECT 1 FROM feedback_topics WHERE feedback_id = f.id AND topic = 'speed') LIMIT 1`,
    ))!;
    const before = (await aggregate(db, sla, {})).get('')!.topics.get('speed')!.mentions;
    await db.run(`INSERT INTO feedback_topics (feedback_id, source, topic, sentiment) VALUES (?, 'human', 'brand_new', 'positive')`, [fb.id]);
    expect((await aggregate(db, sla, {})).get('')!.topics.get('speed')!.mentions).toBe(before - 1);
    expect(await topicCount('brand_new', 'positive')).toBe(1);
    await db.run(`UPDATE feedback_topics SET sentiment = 'negative' WHERE feedback_id = ? AND source = 'human'`, [fb.id]);
    expect(await topicCount('brand_new', 'positive')).toBe(0);
    expect(await topicCount('brand_new', 'negative')).toBe(1);
    // human item sentiment on a topic without its own sentiment
    await db.run(`UPDATE feedback_topics SET sentiment = NULL WHERE feedback_id = ? AND source = 'human'`, [fb.id]);
    await db.run(`UPDATE feedback SET human_sentiment = 'neutral' WHERE id = ?`, [fb.id]);
    expect(await topicCount('brand_new', 'neutral')).toBe(1);
    await expectSame(db);

    // deleting an interaction removes it, its survey answers and feedback from the rollup
    const victim = (await db.get<{ id: string }>(`SELECT i.id FROM interactions i JOIN surveys s ON s.interaction_id = i.id JOIN survey_answers a ON a.survey_id = s.id
      WHERE i.is_test = 0 AND a.item_id = 'csat' AND a.skipped = 0 AND a.value IS NOT NULL LIMIT 1`))!;
    const n0 = (await aggregate(db, sla, {})).get('')!;
    const csat0 = [...n0.hist.get('csat')!.values()].reduce((x, y) => x + y, 0);
    await db.run('DELETE FROM interactions WHERE id = ?', [victim.id]);
    const n1 = (await aggregate(db, sla, {})).get('')!;
    expect(n1.interactions).toBe(n0.interactions - 1);
    expect([...n1.hist.get('csat')!.values()].reduce((x, y) => x + y, 0)).toBe(csat0 - 1);
    await expectSame(db);

    // an answer corrected, an interaction moved to another day and channel, a test flag, a late interaction
    await db.run(`UPDATE survey_answers SET value = 1 WHERE item_id = 'csat' AND value = 5 AND rowid IN (SELECT rowid FROM survey_answers WHERE item_id = 'csat' AND value = 5 LIMIT 3)`);
    await db.run(`UPDATE interactions SET started_at = '2026-02-20T08:00:00.000Z', channel = 'web' WHERE id IN ('x10', 'x11')`);
    await db.run(`UPDATE interactions SET is_test = 1 WHERE id = 'x12'`);
    await db.run(`UPDATE surveys SET status = 'complete' WHERE status = 'offered' AND rowid IN (SELECT rowid FROM surveys WHERE status = 'offered' LIMIT 5)`);
    await seed(db, 50, rng(7), 'late');
    await expectSame(db);

    // handoff writes (src/handoff/queue.ts): a transfer and a resolve's handling time re-count the day
    const agentRow = (await db.get<{ id: string }>(`SELECT id FROM interactions WHERE is_test = 0 AND queue_wait_seconds IS NOT NULL AND transfers = 0 LIMIT 1`))!;
    const ops0 = (await aggregate(db, sla, {})).get('')!;
    await db.run('UPDATE interactions SET transfers = transfers + 1 WHERE id = ?', [agentRow.id]);
    await db.run('UPDATE interactions SET handling_seconds = 4242 WHERE id = ?', [agentRow.id]);
    const ops1 = (await aggregate(db, sla, {})).get('')!;
    expect(ops1.transferred).toBe(ops0.transferred + 1);
    expect(ops1.handling.n).toBeGreaterThanOrEqual(ops0.handling.n);
    await expectSame(db);
  });

  it('rebuilds when the SLA targets change', async () => {
    const other = { ...sla, enquiry_first_reply: 60 };
    const fast = plain(await aggregate(db, other, { channel: 'teams' }, 'week'));
    expect(fast).toEqual(plain(await aggregateSql(db, other, { channel: 'teams' }, 'week')));
    await expectSame(db);
  });
});
