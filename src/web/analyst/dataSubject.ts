import { createHash } from 'node:crypto';
import type { Db } from '../../storage/db';
import { audit } from './corrections';

/** Everything stored about one customer (user id), as one JSON document. */
export async function exportSubject(db: Db, userId: string, actor: string): Promise<Record<string, unknown>> {
  const inIds = `SELECT id FROM interactions WHERE user_id = ?`;
  const out = {
    user_id: userId,
    interactions: await db.all(`SELECT * FROM interactions WHERE user_id = ? ORDER BY started_at`, [userId]),
    transcript: await db.all(`SELECT * FROM transcript WHERE interaction_id IN (${inIds}) ORDER BY interaction_id, id`, [userId]),
    events: await db.all(`SELECT * FROM interaction_events WHERE interaction_id IN (${inIds}) ORDER BY interaction_id, id`, [userId]),
    surveys: await db.all(`SELECT * FROM surveys WHERE user_id = ? ORDER BY offered_at`, [userId]),
    survey_answers: await db.all(`SELECT a.* FROM survey_answers a JOIN surveys s ON s.id = a.survey_id WHERE s.user_id = ?`, [userId]),
    feedback: await db.all(`SELECT * FROM feedback WHERE interaction_id IN (${inIds}) ORDER BY id`, [userId]),
    feedback_topics: await db.all(
      `SELECT t.* FROM feedback_topics t JOIN feedback f ON f.id = t.feedback_id WHERE f.interaction_id IN (${inIds})`,
      [userId],
    ),
    followups: await db.all(`SELECT * FROM followups WHERE interaction_id IN (${inIds})`, [userId]),
  };
  await db.transaction((tx) => audit(tx, new Date().toISOString(), actor, 'dsr_export', 'user', userId, null, { interactions: out.interactions.length }));
  return out;
}

/**
 * Erases one customer: transcripts, events, open texts and answers' raw text go; the interaction,
 * survey and rating rows stay under a one-way pseudonym so indicators (anonymous aggregates) do not change.
 */
export async function deleteSubject(db: Db, userId: string, actor: string): Promise<Record<string, number>> {
  const pseudonym = 'erased:' + createHash('sha256').update(userId + ':' + Date.now() + Math.random()).digest('hex').slice(0, 16);
  const at = new Date().toISOString();
  return db.transaction(async (tx) => {
    const inIds = `SELECT id FROM interactions WHERE user_id = ?`;
    const n: Record<string, number> = {};
    n.transcript = (await tx.runRaw(`DELETE FROM transcript WHERE interaction_id IN (${inIds})`, [userId])).changes;
    n.events = (await tx.runRaw(`DELETE FROM interaction_events WHERE interaction_id IN (${inIds})`, [userId])).changes;
    n.feedback_texts = (await tx.runRaw(`UPDATE feedback SET text = '' WHERE interaction_id IN (${inIds})`, [userId])).changes;
    n.answer_texts = (
      await tx.runRaw(
        `UPDATE survey_answers SET raw_text = NULL, value_text = CASE WHEN kind = 'open' THEN NULL ELSE value_text END
         WHERE survey_id IN (SELECT id FROM surveys WHERE user_id = ?)`,
        [userId],
      )
    ).changes;
    n.followup_notes = (await tx.runRaw(`UPDATE followups SET note = NULL WHERE interaction_id IN (${inIds})`, [userId])).changes;
    n.conversation_refs = (await tx.runRaw(`DELETE FROM conversation_refs WHERE user_id = ?`, [userId])).changes;
    // Bot Framework state keys are "<channel>/users/<userId>/..." and "<channel>/conversations/<id>/...".
    const esc = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);
    n.bot_state = (await tx.runRaw(`DELETE FROM bot_state WHERE key LIKE ? ESCAPE '\\'`, ['%/users/' + esc(userId) + '/%'])).changes;
    const convs = await tx.all<{ c: string }>(`SELECT DISTINCT conversation_id AS c FROM interactions WHERE user_id = ?`, [userId]);
    for (const { c } of convs) n.bot_state += (await tx.runRaw(`DELETE FROM bot_state WHERE key LIKE ? ESCAPE '\\'`, ['%/conversations/' + esc(c) + '/%'])).changes;
    n.surveys = (await tx.runRaw(`UPDATE surveys SET user_id = ? WHERE user_id = ?`, [pseudonym, userId])).changes;
    n.interactions = (await tx.runRaw(`UPDATE interactions SET user_id = ? WHERE user_id = ?`, [pseudonym, userId])).changes;
    await audit(tx, at, actor, 'dsr_delete', 'user', userId, null, n);
    return n;
  });
}
