import { randomUUID } from 'node:crypto';
import type { ConversationReference } from 'botbuilder';
import type { Db } from './db';
import { mapStrings } from '../nlp/redact';
import { RecentKeys } from './recentKeys';

export interface Interaction {
  id: string;
  conversation_id: string;
  user_id: string;
  channel: string;
  locale: string | null;
  started_at: string;
  ended_at: string | null;
  last_activity_at: string;
  handled_by: 'bot' | 'agent';
  agent_id: string | null;
  outcome: string | null;
  resolved: string | null;
  customer_turns: number;
  low_confidence_count: number;
  handoff_offered: number;
  handoff_reason: string | null;
  complaint: number;
  is_test: number;
  repeat_contact_7d: number | null;
}

export type Role = 'customer' | 'bot' | 'agent' | 'system';

/** A contact counts as a repeat when the same user had another interaction within this window before it. */
export const REPEAT_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** Interactions, their transcripts and events. Text is passed through `redact` before it is written. */
export class InteractionRepo {
  constructor(
    private readonly db: Db,
    private readonly redact: (text: string) => string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private ts(): string {
    return this.now().toISOString();
  }

  get(id: string): Promise<Interaction | undefined> {
    return this.db.get<Interaction>('SELECT * FROM interactions WHERE id = ?', [id]);
  }

  /** The open (not ended) interaction of a conversation, if any. */
  current(conversationId: string): Promise<Interaction | undefined> {
    return this.db.get<Interaction>(
      'SELECT * FROM interactions WHERE conversation_id = ? AND ended_at IS NULL ORDER BY started_at DESC LIMIT 1',
      [conversationId],
    );
  }

  /**
   * Starts an interaction. `repeat_contact_7d` is 1 when the same user started another interaction in the previous
   * 7 days (any channel or conversation), else 0; NULL when the user is not known (no id / "unknown"), since every
   * such contact would otherwise look like a repeat of every other.
   */
  async open(p: { conversationId: string; userId: string; channel: string; locale?: string; isTest?: boolean }): Promise<Interaction> {
    const id = randomUUID();
    const now = this.now();
    const at = now.toISOString();
    const weekAgo = new Date(now.getTime() - REPEAT_WINDOW_MS).toISOString();
    const known = p.userId && p.userId !== 'unknown' ? 1 : 0;
    await this.db.run(
      `INSERT INTO interactions(id, conversation_id, user_id, channel, locale, started_at, last_activity_at, is_test, repeat_contact_7d)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?,
         CASE WHEN ? = 1 THEN CASE WHEN EXISTS (SELECT 1 FROM interactions WHERE user_id = ? AND started_at >= ? AND started_at <= ?) THEN 1 ELSE 0 END END)`,
      [id, p.conversationId, p.userId, p.channel, p.locale ?? null, at, at, p.isTest ? 1 : 0, known, p.userId, weekAgo, at],
    );
    return (await this.get(id))!;
  }

  async touch(id: string, p: { locale?: string; customerTurn?: boolean } = {}): Promise<void> {
    await this.db.run(
      `UPDATE interactions SET last_activity_at = ?, locale = COALESCE(?, locale),
         customer_turns = customer_turns + ? WHERE id = ?`,
      [this.ts(), p.locale ?? null, p.customerTurn ? 1 : 0, id],
    );
  }

  async update(id: string, fields: Partial<Omit<Interaction, 'id'>>): Promise<void> {
    const keys = Object.keys(fields);
    if (!keys.length) return;
    for (const k of keys) if (!/^[a-z_0-9]+$/.test(k)) throw new Error(`bad column ${k}`);
    await this.db.run(`UPDATE interactions SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [
      ...keys.map((k) => (fields as any)[k]),
      id,
    ]);
  }

  async end(id: string, outcome?: string): Promise<void> {
    await this.db.run('UPDATE interactions SET ended_at = ?, outcome = COALESCE(?, outcome) WHERE id = ? AND ended_at IS NULL', [
      this.ts(),
      outcome ?? null,
      id,
    ]);
  }

  async addTranscript(id: string, m: { role: Role; text?: string; sender?: string; activityId?: string; meta?: unknown }): Promise<void> {
    await this.db.run(
      'INSERT INTO transcript(interaction_id, activity_id, at, role, sender, text, meta) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, m.activityId ?? null, this.ts(), m.role, m.sender ?? null, m.text != null ? this.redact(m.text) : null, m.meta ? JSON.stringify(m.meta) : null],
    );
  }

  transcript(id: string): Promise<{ id: number; at: string; role: Role; sender: string | null; text: string | null; meta: string | null }[]> {
    return this.db.all('SELECT id, at, role, sender, text, meta FROM transcript WHERE interaction_id = ? ORDER BY id', [id]);
  }

  /**
   * Details may carry free text (e.g. the message of a channel-side `handoff.status` event): every string in
   * them is redacted, except values under keys ending in `id`/`Id` (identifiers the code reads back).
   */
  async logEvent(id: string, kind: string, detail?: unknown): Promise<void> {
    await this.db.run('INSERT INTO interaction_events(interaction_id, at, kind, detail) VALUES (?, ?, ?, ?)', [
      id,
      this.ts(),
      kind,
      detail === undefined ? null : JSON.stringify(mapStrings(detail, (s, key) => (/id$/i.test(key) ? s : this.redact(s)))),
    ]);
  }

  /** What survey eligibility needs of an interaction. */
  surveyFacts(id: string): Promise<{ user_id: string; is_test: number; customer_turns: number; channel: string } | undefined> {
    return this.db.get('SELECT user_id, is_test, customer_turns, channel FROM interactions WHERE id = ?', [id]);
  }

  /**
   * Bot-answered interactions idle since `cutoff` on a proactive channel, not surveyed, not yet fired by the idle
   * timer, and without an open handoff (any status in `openHandoffStatuses`) in their conversation.
   */
  async idleDue(q: { cutoff: string; channels: readonly string[]; openHandoffStatuses: readonly string[]; limit: number }): Promise<
    { interactionId: string; conversationId: string; reference: Record<string, unknown> }[]
  > {
    const marks = (xs: readonly string[]) => xs.map(() => '?').join(',');
    const rows = await this.db.all<{ id: string; conversation_id: string; reference: string }>(
      `SELECT i.id, i.conversation_id, r.reference FROM interactions i
       JOIN conversation_refs r ON r.conversation_id = i.conversation_id
       WHERE i.ended_at IS NULL AND i.handled_by = 'bot' AND i.outcome = 'answered' AND i.is_test = 0
         AND i.last_activity_at <= ?
         AND i.channel IN (${marks(q.channels)})
         AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.interaction_id = i.id)
         AND NOT EXISTS (SELECT 1 FROM interaction_events e WHERE e.interaction_id = i.id AND e.kind = 'idle_timeout_fired')
         AND NOT EXISTS (SELECT 1 FROM handoffs h JOIN interactions hi ON hi.id = h.interaction_id
                          WHERE hi.conversation_id = i.conversation_id AND h.status IN (${marks(q.openHandoffStatuses)}))
       ORDER BY i.last_activity_at LIMIT ?`,
      [q.cutoff, ...q.channels, ...q.openHandoffStatuses, q.limit],
    );
    return rows.map((r) => ({ interactionId: r.id, conversationId: r.conversation_id, reference: JSON.parse(r.reference) }));
  }

  events(id: string): Promise<{ kind: string; detail: string | null; at: string }[]> {
    return this.db.all('SELECT kind, detail, at FROM interaction_events WHERE interaction_id = ? ORDER BY id', [id]);
  }

  /** The reference last written per conversation: most turns carry the same one, and need no write. */
  private readonly savedRefs = new RecentKeys<string>();

  async saveReference(full: Partial<ConversationReference>): Promise<void> {
    if (!full.conversation?.id) return;
    // the activity id changes every turn and proactive messages do not need it
    const { activityId: _ignored, ...ref } = full;
    const json = JSON.stringify(ref);
    if (this.savedRefs.get(ref.conversation!.id) === json) return;
    await this.db.run(
      `INSERT INTO conversation_refs(conversation_id, channel, user_id, reference, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(conversation_id) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at`,
      [ref.conversation!.id, ref.channelId ?? '', ref.user?.id ?? '', json, this.ts()],
    );
    this.savedRefs.set(ref.conversation!.id, json);
  }

  async reference(conversationId: string): Promise<Partial<ConversationReference> | undefined> {
    const row = await this.db.get<{ reference: string }>('SELECT reference FROM conversation_refs WHERE conversation_id = ?', [conversationId]);
    return row ? JSON.parse(row.reference) : undefined;
  }

  /** Whether an inbound activity id was recorded (its turn completed): a redelivery to ignore. */
  async isProcessed(conversationId: string, activityId: string): Promise<boolean> {
    return !!(await this.db.get('SELECT 1 FROM processed_activities WHERE conversation_id = ? AND activity_id = ?', [conversationId, activityId]));
  }

  /** Record an inbound activity id; false when it was seen before (a redelivery). */
  async markProcessed(conversationId: string, activityId: string): Promise<boolean> {
    const r = await this.db.run('INSERT OR IGNORE INTO processed_activities(conversation_id, activity_id, at) VALUES (?, ?, ?)', [
      conversationId,
      activityId,
      this.ts(),
    ]);
    return r.changes === 1;
  }
}
