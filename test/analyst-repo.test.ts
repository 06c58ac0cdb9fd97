import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { CorrectionError, CorrectionService, listAudit } from '../src/web/analyst/corrections';
import { deleteSubject, exportSubject } from '../src/web/analyst/dataSubject';
import { BOM, feedbackCsvLine } from '../src/web/analyst/exportCsv';
import { FeedbackRepo } from '../src/web/analyst/feedbackRepo';
import { exportGoldSet, goldSetMetrics } from '../src/web/analyst/goldSet';

const TOPICS = ['response_speed', 'attitude', 'other'];
let db: Db;

async function seed(i: number, user: string, text: string, sentiment: string, conf: number, topic: string) {
  const iid = `i${i}`;
  const at = `2026-11-${String(10 + (i % 10)).padStart(2, '0')}T10:00:00.000Z`;
  await db.run(`INSERT INTO interactions (id, conversation_id, user_id, channel, locale, started_at, last_activity_at) VALUES (?, ?, ?, 'webchat', 'zh-CN', ?, ?)`, [iid, 'c' + i, user, at, at]);
  await db.run(`INSERT INTO transcript (interaction_id, at, role, text) VALUES (?, ?, 'customer', ?)`, [iid, at, text]);
  await db.run(`INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, status, offered_at) VALUES (?, ?, ?, 'default', 1, 'goodbye', 'webchat', 'complete', ?)`, ['s' + i, iid, user, at]);
  await db.run(`INSERT INTO survey_answers (survey_id, item_id, kind, value, input_mode, answered_at) VALUES (?, 'csat', 'csat', ?, 'button', ?)`, ['s' + i, 1 + (i % 5), at]);
  await db.run(`INSERT INTO survey_answers (survey_id, item_id, kind, value_text, raw_text, input_mode, answered_at) VALUES (?, 'open', 'open', ?, ?, 'typed', ?)`, ['s' + i, text, text, at]);
  const f = await db.run(`INSERT INTO feedback (interaction_id, survey_id, text, language, created_at, sentiment, sentiment_confidence, model_version) VALUES (?, ?, ?, 'zh-CN', ?, ?, ?, 'v1')`, [iid, 's' + i, text, at, sentiment, conf]);
  await db.run(`INSERT INTO feedback_topics (feedback_id, source, topic, sentiment, confidence) VALUES (?, 'model', ?, ?, ?)`, [f.lastID, topic, sentiment, conf]);
  return f.lastID;
}

beforeEach(async () => {
  db = await Db.open(':memory:');
  for (let i = 0; i < 30; i++) await seed(i, i < 3 ? 'alice' : 'u' + i, i % 2 ? `客服回复太慢了 ${i}` : `the agent was very friendly ${i}`, i % 2 ? 'negative' : 'positive', (i % 10) / 10, i % 2 ? 'response_speed' : 'attitude');
});
afterEach(() => db.close());

describe('analyst feedback repo', () => {
  it('pages with a keyset cursor without gaps or repeats, in both sort orders', async () => {
    const repo = new FeedbackRepo(db);
    for (const sort of ['created_at', 'confidence'] as const) {
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const p = await repo.list({}, { sort, dir: 'asc', limit: 7, cursor });
        seen.push(...p.items.map((r) => r.id));
        cursor = p.next ?? undefined;
      } while (cursor);
      expect(new Set(seen).size).toBe(30);
    }
  });

  it('filters by full-text (Chinese trigram, short Chinese word, English), topic, sentiment and confidence', async () => {
    const repo = new FeedbackRepo(db);
    expect(await repo.count({ q: '回复太慢' })).toBe(15);
    expect(await repo.count({ q: '客服' })).toBe(15); // 2 characters: LIKE fallback
    expect(await repo.count({ q: 'friendly' })).toBe(15);
    expect(await repo.count({ topic: 'attitude' })).toBe(15);
    expect(await repo.count({ sentiment: 'negative', maxConfidence: 0.5 })).toBe(6); // odd i with i % 10 in {1, 3};
    const page = await repo.list({ q: 'friendly 4' });
    expect(page.items.map((r) => r.text)).toEqual(['the agent was very friendly 4']);
    expect(page.items[0].ratings.csat).toBe(5);
  });

  it('stores corrections next to the model label, audits them, and makes a gold set', async () => {
    const svc = new CorrectionService(db, TOPICS, () => new Date('2026-11-21T00:00:00Z'));
    await svc.apply([1], { sentiment: 'negative', topics: [{ topic: 'response_speed', sentiment: 'negative' }] }, 'ana');
    await svc.apply([2, 4], { sentiment: 'positive' }, 'ana');
    await expect(svc.apply([1], { topics: [{ topic: 'nope' }] }, 'ana')).rejects.toBeInstanceOf(CorrectionError);
    const f = await new FeedbackRepo(db).get(1);
    expect(f!.sentiment).toBe('positive'); // model label kept
    expect(f!.human_sentiment).toBe('negative');
    expect(f!.corrected_by).toBe('ana');
    expect(f!.topics.map((t) => `${t.source}:${t.topic}`).sort()).toEqual(['human:response_speed', 'model:attitude']);
    const audit = await listAudit(db, { targetType: 'feedback', targetId: '1' });
    expect(audit.map((a) => a.action).sort()).toEqual(['correct_sentiment', 'correct_topics']);
    expect(audit[0].actor).toBe('ana');
    expect(await new FeedbackRepo(db).count({ uncorrected: true })).toBe(27);
    const gold = await exportGoldSet(db);
    expect(gold.map((g) => [g.id, g.sentiment, g.topics])).toEqual([[1, 'negative', ['response_speed']], [2, 'positive', null], [4, 'positive', null]]);
    const m = await goldSetMetrics(db);
    const pos = m.sentiment.find((s) => s.label === 'positive')!;
    // model: id1 positive (gold negative), id2 negative (gold positive), id4 negative (gold positive)
    expect([pos.tp, pos.fp, pos.fn, pos.precision, pos.recall]).toEqual([0, 1, 2, 0, 0]);
    const att = m.topics.find((s) => s.label === 'attitude')!;
    expect([att.tp, att.fp, att.fn]).toEqual([0, 1, 0]);
  });

  it('exports CSV lines with quoting and without spreadsheet formulas', async () => {
    const r = (await new FeedbackRepo(db).get(1))!;
    r.text = '=HYPERLINK("x"), 你好';
    expect(feedbackCsvLine(r)).toContain(`"'=HYPERLINK(""x""), 你好"`);
    expect(BOM).toBe('\uFEFF');
  });

  it('exports and deletes one customer, keeping anonymous aggregates, audited', async () => {
    const out = await exportSubject(db, 'alice', 'ana');
    expect((out.interactions as unknown[]).length).toBe(3);
    expect((out.feedback as unknown[]).length).toBe(3);
    const csatBefore = await db.get<{ s: number }>(`SELECT SUM(value) AS s FROM survey_answers WHERE item_id = 'csat'`);
    const n = await deleteSubject(db, 'alice', 'ana');
    expect(n.transcript).toBe(3);
    expect(await db.get(`SELECT 1 FROM interactions WHERE user_id = 'alice'`)).toBeUndefined();
    expect((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM interactions`))!.n).toBe(30);
    expect(await db.get<{ s: number }>(`SELECT SUM(value) AS s FROM survey_answers WHERE item_id = 'csat'`)).toEqual(csatBefore);
    expect(await db.get(`SELECT 1 FROM survey_answers WHERE value_text LIKE '%friendly 0%' OR raw_text LIKE '%friendly 0%'`)).toBeUndefined();
    expect(await new FeedbackRepo(db).count({ q: 'friendly 0' })).toBe(0);
    const audit = await listAudit(db, { targetType: 'user', targetId: 'alice' });
    expect(audit.map((a) => a.action)).toEqual(['dsr_delete', 'dsr_export']);
  });
});
