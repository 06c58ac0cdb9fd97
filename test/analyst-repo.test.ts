import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { CorrectionError, CorrectionService, listAudit } from '../src/web/analyst/corrections';
import { deleteSubject, exportSubject } from '../src/web/analyst/dataSubject';
import { BOM, feedbackCsvLine } from '../src/web/analyst/exportCsv';
import { FeedbackRepo } from '../src/web/analyst/feedbackRepo';
import { exportGoldSet, goldSetMetrics } from '../src/web/analyst/goldSet';
import { findInDb, trigrams } from './helpers/dbScan';

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
  db = await openTestDb(':memory:');
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

  it('covers every per-customer table: Direct Line, handoffs, refs, state, events; nothing left but the audit record', async () => {
    // One more contact of alice's, over Direct Line, handed to an agent; every text carries a marker.
    const at = '2026-11-19T10:00:00.000Z';
    const conv = 'dlconv-alice-7';
    await db.run(`INSERT INTO interactions (id, conversation_id, user_id, channel, locale, started_at, last_activity_at, handled_by, agent_id, queue_wait_seconds)
      VALUES ('ia', ?, 'alice', 'directline', 'en', ?, ?, 'agent', 'bob', 42)`, [conv, at, at]);
    await db.run(`INSERT INTO transcript (interaction_id, at, role, sender, text) VALUES ('ia', ?, 'customer', 'alice', 'parcel lost zqxmark1'), ('ia', ?, 'agent', 'bob', 'sorry zqxmark2')`, [at, at]);
    await db.run(`INSERT INTO interaction_events (interaction_id, at, kind, detail) VALUES ('ia', ?, 'handoff_status', '{"message":"zqxmark3"}')`, [at]);
    await db.run(`INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, status, offered_at) VALUES ('sa', 'ia', 'alice', 'default', 1, 'agent_resolved', 'directline', 'complete', ?)`, [at]);
    await db.run(`INSERT INTO survey_answers (survey_id, item_id, kind, value, input_mode, answered_at) VALUES ('sa', 'csat', 'csat', 2, 'card', ?)`, [at]);
    await db.run(`INSERT INTO survey_answers (survey_id, item_id, kind, value_text, raw_text, input_mode, answered_at) VALUES ('sa', 'open', 'open', 'zqxmark4 slow', 'zqxmark4 slow', 'card', ?)`, [at]);
    const fb = await db.run(`INSERT INTO feedback (interaction_id, survey_id, text, language, created_at, sentiment) VALUES ('ia', 'sa', 'zqxmark4 slow', 'en', ?, 'negative')`, [at]);
    await db.run(`INSERT INTO classification_jobs (feedback_id, status, attempts, last_error, run_after, created_at, updated_at) VALUES (?, 'done', 2, 'timeout on zqxmark4', ?, ?, ?)`, [fb.lastID, at, at, at]);
    await db.run(`INSERT INTO followups (interaction_id, survey_id, reason, owner, note, created_at, due_at) VALUES ('ia', 'sa', 'left_message', 'quality', 'zqxmark5 call back', ?, ?)`, [at, at]);
    const h = await db.run(`INSERT INTO handoffs (interaction_id, reason, status, agent_id, locale, queued_at, accepted_at) VALUES ('ia', 'customer_request', 'resolved', 'bob', 'en', ?, ?)`, [at, at]);
    await db.run(`INSERT INTO handoff_notes (handoff_id, agent_id, text, created_at) VALUES (?, 'bob', 'zqxmark6 VIP', ?)`, [h.lastID, at]);
    await db.run(`INSERT INTO conversation_refs (conversation_id, channel, user_id, reference, updated_at) VALUES (?, 'directline', 'alice', ?, ?)`, [conv, JSON.stringify({ user: { id: 'alice' }, conversation: { id: conv } }), at]);
    await db.run(`INSERT INTO processed_activities (conversation_id, activity_id, at) VALUES (?, ?, ?)`, [conv, `${conv}|0000001`, at]);
    await db.run(`INSERT INTO bot_state (key, etag, data, updated_at) VALUES (?, '1', '{"profile":"zqxmark7"}', ?), (?, '1', '{"DialogState":{}}', ?)`, [`directline/users/alice/`, at, `directline/conversations/${conv}/`, at]);
    await db.run(`INSERT INTO directline_conversations (id, user_id, locale, created_at, last_seq) VALUES (?, 'alice', 'en', ?, 2)`, [conv, at]);
    await db.run(`INSERT INTO directline_activities (conversation_id, seq, activity, created_at) VALUES (?, 1, ?, ?), (?, 2, ?, ?)`, [
      conv, JSON.stringify({ type: 'message', text: 'parcel lost zqxmark1', from: { id: 'alice', role: 'user' } }), at,
      conv, JSON.stringify({ type: 'message', text: 'sorry zqxmark2', from: { id: 'bot', role: 'bot' } }), at,
    ]);
    // A Direct Line conversation of alice's that never reached the bot (no interaction row).
    await db.run(`INSERT INTO directline_conversations (id, user_id, locale, created_at, last_seq) VALUES ('dlconv-alice-8', 'alice', 'en', ?, 1)`, [at]);
    await db.run(`INSERT INTO directline_activities (conversation_id, seq, activity, created_at) VALUES ('dlconv-alice-8', 1, '{"text":"zqxmark8"}', ?)`, [at]);

    const out = await exportSubject(db, 'alice', 'ana');
    const count = (k: string) => (out[k] as unknown[]).length;
    expect([count('interactions'), count('directline_conversations'), count('directline_activities'), count('handoffs'), count('handoff_notes'),
      count('conversation_refs'), count('processed_activities'), count('bot_state'), count('events'), count('followups')]).toEqual([4, 2, 3, 1, 1, 1, 1, 2, 1, 1]);
    expect(JSON.stringify(out)).not.toMatch(/"u\d+"/); // nobody else's rows

    const sums = () => db.all(`SELECT item_id, SUM(value) AS s, COUNT(*) AS n FROM survey_answers GROUP BY item_id ORDER BY item_id`);
    const ops = () => db.all(`SELECT id, channel, handled_by, agent_id, queue_wait_seconds, started_at FROM interactions ORDER BY id`);
    const before = { sums: await sums(), ops: await ops(), topics: await db.all(`SELECT * FROM feedback_topics ORDER BY feedback_id, topic`) };
    const marks = Array.from({ length: 8 }, (_, i) => `zqxmark${i + 1}`);
    expect((await findInDb(db, marks)).length).toBeGreaterThan(0);

    const n = await deleteSubject(db, 'alice', 'ana');
    expect(n).toMatchObject({ interactions: 4, surveys: 4, transcript: 5, directline_conversations: 2, directline_activities: 3, handoff_notes: 1,
      conversation_refs: 1, processed_activities: 1, bot_state: 2, events: 1, followup_notes: 1, classification_errors: 1, feedback_texts: 4 });

    const hits = await findInDb(db, ['alice', conv, 'dlconv-alice-8', ...marks, 'friendly 0', ...trigrams('zqxmark')]);
    expect(hits.map((x) => [x.table, x.column, x.row.action])).toEqual([
      ['audit_log', 'target_id', 'dsr_export'],
      ['audit_log', 'target_id', 'dsr_delete'],
    ]);
    // Aggregates: every rating, operations measure and topic label is still there, under the pseudonym.
    expect(await sums()).toEqual(before.sums);
    expect(await ops()).toEqual(before.ops);
    expect(await db.all(`SELECT * FROM feedback_topics ORDER BY feedback_id, topic`)).toEqual(before.topics);
    expect(await db.get(`SELECT COUNT(*) AS n FROM handoffs`)).toEqual({ n: 1 });
    const ids = await db.all<{ user_id: string }>(`SELECT DISTINCT user_id FROM interactions WHERE id IN ('i0', 'i1', 'i2', 'ia')`);
    expect(ids).toHaveLength(1);
    expect(ids[0].user_id).toMatch(/^erased:[0-9a-f]{16}$/);
    await db.run(`INSERT INTO feedback_fts(feedback_fts) VALUES ('integrity-check')`);
    const [del] = await listAudit(db, { targetType: 'user', targetId: 'alice' });
    expect(del).toMatchObject({ action: 'dsr_delete', actor: 'ana', after: expect.objectContaining({ directline_activities: 3, handoff_notes: 1 }) });
  });
});
