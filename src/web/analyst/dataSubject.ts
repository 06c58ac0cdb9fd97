import { createHash } from 'node:crypto';
import type { Db } from '../../storage/db';
import { audit } from './corrections';

/*
 * Tables holding per-customer data (migrations 001-012), and what a data-subject request does with them.
 * Scope: the user id, its interactions, and its conversations (interactions.conversation_id,
 * directline_conversations, conversation_refs).
 *
 * | table                    | export | delete                                                            |
 * |--------------------------|--------|-------------------------------------------------------------------|
 * | interactions             | yes    | kept; user_id and conversation_id replaced by a random pseudonym  |
 * | transcript               | yes    | deleted (customer, bot and agent lines, incl. handoff messages)   |
 * | interaction_events       | yes    | deleted                                                           |
 * | surveys                  | yes    | kept; user_id replaced by the pseudonym                           |
 * | survey_answers           | yes    | kept (ratings); raw_text and open answers' value_text cleared     |
 * | feedback                 | yes    | kept (sentiment, topics); text blanked, also in feedback_fts      |
 * | feedback_topics          | yes    | kept (labels only)                                                |
 * | classification_jobs      | no     | kept; last_error cleared                                          |
 * | followups                | yes    | kept (reason, owner, times); note cleared                         |
 * | handoffs                 | yes    | kept (reason, queue times; no personal fields)                    |
 * | handoff_notes            | yes    | deleted                                                           |
 * | conversation_refs        | yes    | deleted                                                           |
 * | processed_activities     | yes    | deleted                                                           |
 * | bot_state                | yes    | deleted (user and conversation state keys)                        |
 * | directline_conversations | yes    | deleted                                                           |
 * | directline_activities    | yes    | deleted                                                           |
 * | audit_log                | no     | kept: the dsr_export / dsr_delete records name the user id (the   |
 * |                          |        | record of the request); nothing else in it is about the customer  |
 * Not per-customer: sessions, agent_presence, directline_settings, schema_migrations, indicator_alerts
 * (aggregate values; interaction ids only), indicator_rollup_* and indicator_dirty_days (aggregates).
 */

interface Scope {
  /** JSON arrays, for `IN (SELECT value FROM json_each(?))`. */
  interactions: string;
  conversations: string;
  handoffs: string;
  feedback: string;
  conversationIds: string[];
}

const IN = `IN (SELECT value FROM json_each(?))`;

async function scope(db: Db, userId: string): Promise<Scope> {
  const ids = async (sql: string, params: (string | number)[]) => (await db.all<{ v: string | number }>(sql, params)).map((r) => r.v);
  const interactions = await ids(`SELECT id AS v FROM interactions WHERE user_id = ?`, [userId]);
  const ij = JSON.stringify(interactions);
  const conversationIds = (await ids(
    `SELECT conversation_id AS v FROM interactions WHERE user_id = ?
     UNION SELECT id FROM directline_conversations WHERE user_id = ?
     UNION SELECT conversation_id FROM conversation_refs WHERE user_id = ?`,
    [userId, userId, userId],
  )) as string[];
  return {
    interactions: ij,
    conversations: JSON.stringify(conversationIds),
    conversationIds,
    handoffs: JSON.stringify(await ids(`SELECT id AS v FROM handoffs WHERE interaction_id ${IN}`, [ij])),
    feedback: JSON.stringify(await ids(`SELECT id AS v FROM feedback WHERE interaction_id ${IN}`, [ij])),
  };
}

/** Bot Framework state keys are "<channel>/users/<userId>/..." and "<channel>/conversations/<id>/...". */
const esc = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);
const userKey = (userId: string) => '%/users/' + esc(userId) + '/%';
const convKey = (c: string) => '%/conversations/' + esc(c) + '/%';

/** Everything stored about one customer (user id), as one JSON document. */
export async function exportSubject(db: Db, userId: string, actor: string): Promise<Record<string, unknown>> {
  const s = await scope(db, userId);
  const botState = await db.all(`SELECT * FROM bot_state WHERE key LIKE ? ESCAPE '\\'`, [userKey(userId)]);
  for (const c of s.conversationIds) botState.push(...(await db.all(`SELECT * FROM bot_state WHERE key LIKE ? ESCAPE '\\'`, [convKey(c)])));
  const out = {
    user_id: userId,
    interactions: await db.all(`SELECT * FROM interactions WHERE id ${IN} ORDER BY started_at`, [s.interactions]),
    transcript: await db.all(`SELECT * FROM transcript WHERE interaction_id ${IN} ORDER BY interaction_id, id`, [s.interactions]),
    events: await db.all(`SELECT * FROM interaction_events WHERE interaction_id ${IN} ORDER BY interaction_id, id`, [s.interactions]),
    surveys: await db.all(`SELECT * FROM surveys WHERE user_id = ? OR interaction_id ${IN} ORDER BY offered_at`, [userId, s.interactions]),
    survey_answers: await db.all(
      `SELECT a.* FROM survey_answers a JOIN surveys s ON s.id = a.survey_id WHERE s.user_id = ? OR s.interaction_id ${IN} ORDER BY a.survey_id, a.item_id`,
      [userId, s.interactions],
    ),
    feedback: await db.all(`SELECT * FROM feedback WHERE id ${IN} ORDER BY id`, [s.feedback]),
    feedback_topics: await db.all(`SELECT * FROM feedback_topics WHERE feedback_id ${IN} ORDER BY feedback_id, source, topic`, [s.feedback]),
    followups: await db.all(`SELECT * FROM followups WHERE interaction_id ${IN} ORDER BY id`, [s.interactions]),
    handoffs: await db.all(`SELECT * FROM handoffs WHERE id ${IN} ORDER BY id`, [s.handoffs]),
    handoff_notes: await db.all(`SELECT * FROM handoff_notes WHERE handoff_id ${IN} ORDER BY id`, [s.handoffs]),
    conversation_refs: await db.all(`SELECT * FROM conversation_refs WHERE user_id = ? OR conversation_id ${IN} ORDER BY conversation_id`, [userId, s.conversations]),
    processed_activities: await db.all(`SELECT * FROM processed_activities WHERE conversation_id ${IN} ORDER BY conversation_id, at`, [s.conversations]),
    bot_state: botState,
    directline_conversations: await db.all(`SELECT * FROM directline_conversations WHERE user_id = ? OR id ${IN} ORDER BY created_at`, [userId, s.conversations]),
    directline_activities: await db.all(`SELECT * FROM directline_activities WHERE conversation_id ${IN} ORDER BY conversation_id, seq`, [s.conversations]),
  };
  await db.transaction((tx) =>
    audit(tx, new Date().toISOString(), actor, 'dsr_export', 'user', userId, null, {
      interactions: out.interactions.length,
      conversations: s.conversationIds.length,
    }),
  );
  return out;
}

/**
 * Erases one customer (see the table above): texts, transcripts, events, notes, conversation history and state
 * go; the interaction, survey, rating, handoff and label rows stay under a one-way random pseudonym so the
 * indicators (anonymous aggregates) do not change. Runs in one transaction with SQLite's secure_delete on (freed
 * content is overwritten with zeros, not just unlinked) and merges the feedback full-text index so no trigram of
 * the erased text is left in it; then a WAL checkpoint writes the overwritten pages into the database file.
 * Audited as `dsr_delete` with the counts.
 */
export async function deleteSubject(db: Db, userId: string, actor: string): Promise<Record<string, number>> {
  const pseudonym = 'erased:' + createHash('sha256').update(userId + ':' + Date.now() + Math.random()).digest('hex').slice(0, 16);
  const at = new Date().toISOString();
  const n = await db.transaction(async (tx) => {
    const secure = (await tx.get<{ secure_delete: number }>('PRAGMA secure_delete'))?.secure_delete ?? 0;
    await tx.execRaw('PRAGMA secure_delete = ON');
    try {
      const s = await scope(tx, userId);
      const run = async (sql: string, params: (string | number)[]) => (await tx.runRaw(sql, params)).changes;
      const n: Record<string, number> = {};
      n.transcript = await run(`DELETE FROM transcript WHERE interaction_id ${IN}`, [s.interactions]);
      n.events = await run(`DELETE FROM interaction_events WHERE interaction_id ${IN}`, [s.interactions]);
      n.feedback_texts = await run(`UPDATE feedback SET text = '' WHERE id ${IN}`, [s.feedback]);
      // The update trigger only adds delete markers to feedback_fts: the old text's trigrams stay in the index
      // segments until they are merged. 'optimize' merges them now (about 0.4 s per 200k short feedback rows here).
      // FTS5's own 'secure-delete' option is not used: with SQLite 3.44.2 it fails the FTS integrity-check.
      if (n.feedback_texts) await tx.runRaw(`INSERT INTO feedback_fts(feedback_fts) VALUES ('optimize')`);
      n.classification_errors = await run(`UPDATE classification_jobs SET last_error = NULL WHERE last_error IS NOT NULL AND feedback_id ${IN}`, [s.feedback]);
      n.answer_texts = await run(
        `UPDATE survey_answers SET raw_text = NULL, value_text = CASE WHEN kind = 'open' THEN NULL ELSE value_text END
         WHERE survey_id IN (SELECT id FROM surveys WHERE user_id = ? OR interaction_id ${IN})`,
        [userId, s.interactions],
      );
      n.followup_notes = await run(`UPDATE followups SET note = NULL WHERE note IS NOT NULL AND interaction_id ${IN}`, [s.interactions]);
      n.handoff_notes = await run(`DELETE FROM handoff_notes WHERE handoff_id ${IN}`, [s.handoffs]);
      n.conversation_refs = await run(`DELETE FROM conversation_refs WHERE user_id = ? OR conversation_id ${IN}`, [userId, s.conversations]);
      n.processed_activities = await run(`DELETE FROM processed_activities WHERE conversation_id ${IN}`, [s.conversations]);
      n.bot_state = await run(`DELETE FROM bot_state WHERE key LIKE ? ESCAPE '\\'`, [userKey(userId)]);
      for (const c of s.conversationIds) n.bot_state += await run(`DELETE FROM bot_state WHERE key LIKE ? ESCAPE '\\'`, [convKey(c)]);
      n.directline_activities = await run(`DELETE FROM directline_activities WHERE conversation_id ${IN}`, [s.conversations]);
      n.directline_conversations = await run(`DELETE FROM directline_conversations WHERE user_id = ? OR id ${IN}`, [userId, s.conversations]);
      n.surveys = await run(`UPDATE surveys SET user_id = ? WHERE user_id = ? OR interaction_id ${IN}`, [pseudonym, userId, s.interactions]);
      n.interactions = await run(`UPDATE interactions SET user_id = ?, conversation_id = ? WHERE id ${IN}`, [pseudonym, pseudonym, s.interactions]);
      await audit(tx, at, actor, 'dsr_delete', 'user', userId, null, n);
      return n;
    } finally {
      await tx.execRaw(`PRAGMA secure_delete = ${secure ? 'ON' : 'OFF'}`);
    }
  });
  // Old page images of the erased rows stay in the WAL file until a checkpoint copies the overwritten pages back.
  await db.run('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined);
  return n;
}
