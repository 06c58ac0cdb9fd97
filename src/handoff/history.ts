/**
 * What an agent needs to know about the customer: their recent interactions (this conversation and
 * any other the same user id had, on any channel), each with its transcript, survey answers and
 * feedback tags (an analyst's correction over the model's). A handoff belongs to one interaction, but the customer's question often started in
 * an earlier one (a survey ends an interaction; "yes please" then opens the next).
 */
import type { Db } from '../storage/db';

export interface HistoryLine { id: number; at: string; role: string; text: string }
export interface HistoryAnswer { item: string; value: number | null; valueText: string | null }
export interface HistorySurvey { id: number; trigger: string; status: string; offeredAt: string; answers: HistoryAnswer[] }
export interface HistoryFeedback { id: number; text: string; sentiment: string | null; topics: string[]; createdAt: string }
export interface HistoryInteraction {
  id: string; conversationId: string; channel: string; locale: string | null; startedAt: string; endedAt: string | null;
  handledBy: string; agentId: string | null; current: boolean;
  transcript: HistoryLine[]; surveys: HistorySurvey[]; feedback: HistoryFeedback[];
}

export interface HistoryOptions { days?: number; maxInteractions?: number; maxLines?: number; now?: () => Date }

export class CustomerHistory {
  private readonly days: number;
  private readonly maxInteractions: number;
  private readonly maxLines: number;
  private readonly now: () => Date;

  constructor(private readonly db: Db, o: HistoryOptions = {}) {
    this.days = o.days ?? 30;
    this.maxInteractions = o.maxInteractions ?? 8;
    this.maxLines = o.maxLines ?? 200;
    this.now = o.now ?? (() => new Date());
  }

  /** Oldest first, ending with `interactionId` itself (always included, however old). */
  async around(interactionId: string): Promise<HistoryInteraction[]> {
    const me = await this.db.get<{ user_id: string; conversation_id: string }>('SELECT user_id, conversation_id FROM interactions WHERE id = ?', [interactionId]);
    if (!me) return [];
    const since = new Date(this.now().getTime() - this.days * 86400_000).toISOString();
    // "unknown" is what channels without a user id get: never join strangers on it.
    const byUser = me.user_id && me.user_id !== 'unknown';
    const rows = await this.db.all<{ id: string; conversation_id: string; channel: string; locale: string | null; started_at: string; ended_at: string | null; handled_by: string; agent_id: string | null }>(
      `SELECT id, conversation_id, channel, locale, started_at, ended_at, handled_by, agent_id FROM interactions
        WHERE id = ? OR ((conversation_id = ?${byUser ? ' OR user_id = ?' : ''}) AND started_at >= ?)
        ORDER BY started_at DESC, id DESC LIMIT ?`,
      byUser ? [interactionId, me.conversation_id, me.user_id, since, this.maxInteractions] : [interactionId, me.conversation_id, since, this.maxInteractions],
    );
    if (!rows.some((r) => r.id === interactionId)) rows.pop(); // the LIMIT cut the handoff's own interaction: make room
    if (!rows.some((r) => r.id === interactionId)) {
      const self = await this.db.get<(typeof rows)[number]>('SELECT id, conversation_id, channel, locale, started_at, ended_at, handled_by, agent_id FROM interactions WHERE id = ?', [interactionId]);
      if (self) rows.unshift(self);
    }
    rows.reverse();
    const out: HistoryInteraction[] = [];
    for (const r of rows) {
      const lines = await this.db.all<HistoryLine & { text: string | null }>(
        'SELECT id, at, role, text FROM (SELECT id, at, role, text FROM transcript WHERE interaction_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id',
        [r.id, this.maxLines],
      );
      const answers = await this.db.all<{ sid: number; trigger: string; status: string; offered_at: string; item: string | null; value: number | null; value_text: string | null }>(
        `SELECT s.id AS sid, s.trigger, s.status, s.offered_at, a.item_id AS item, a.value, a.value_text
           FROM surveys s LEFT JOIN survey_answers a ON a.survey_id = s.id AND a.skipped = 0
          WHERE s.interaction_id = ? ORDER BY s.id, a.answered_at, a.rowid`,
        [r.id],
      );
      const surveys = new Map<number, HistorySurvey>();
      for (const a of answers) {
        let s = surveys.get(a.sid);
        if (!s) surveys.set(a.sid, (s = { id: a.sid, trigger: a.trigger, status: a.status, offeredAt: a.offered_at, answers: [] }));
        if (a.item) s.answers.push({ item: a.item, value: a.value, valueText: a.value_text });
      }
      const feedback = await this.db.all<{ id: number; text: string; sentiment: string | null; topics: string | null; created_at: string }>(
        `SELECT f.id, f.text, COALESCE(f.human_sentiment, f.sentiment) AS sentiment, f.created_at,
                (SELECT GROUP_CONCAT(ft.topic) FROM feedback_topics ft WHERE ft.feedback_id = f.id
                   AND ft.source = (SELECT CASE WHEN EXISTS (SELECT 1 FROM feedback_topics h WHERE h.feedback_id = f.id AND h.source = 'human') THEN 'human' ELSE 'model' END)) AS topics
           FROM feedback f WHERE f.interaction_id = ? ORDER BY f.id`,
        [r.id],
      );
      out.push({
        id: r.id, conversationId: r.conversation_id, channel: r.channel, locale: r.locale, startedAt: r.started_at, endedAt: r.ended_at,
        handledBy: r.handled_by, agentId: r.agent_id, current: r.id === interactionId,
        transcript: lines.map((l) => ({ id: l.id, at: l.at, role: l.role, text: l.text ?? '' })),
        surveys: [...surveys.values()],
        feedback: feedback.map((f) => ({ id: f.id, text: f.text, sentiment: f.sentiment, topics: f.topics ? f.topics.split(',') : [], createdAt: f.created_at })),
      });
    }
    return out;
  }
}
