import type { Db, Param } from '../../storage/db';
import { nextDay } from '../../indicators/measures';

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export interface FeedbackQuery {
  q?: string;
  topic?: string;
  sentiment?: string;
  maxConfidence?: number;
  from?: string;
  to?: string;
  channel?: string;
  locale?: string;
  agentId?: string;
  handledBy?: string;
  uncorrected?: boolean;
  userId?: string;
}

export type SortKey = 'created_at' | 'confidence';
export interface PageOpts {
  sort?: SortKey;
  dir?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

export interface FeedbackRow {
  id: number;
  interaction_id: string;
  survey_id: string | null;
  text: string;
  language: string | null;
  created_at: string;
  sentiment: string | null;
  sentiment_confidence: number | null;
  model_version: string | null;
  human_sentiment: string | null;
  corrected_by: string | null;
  corrected_at: string | null;
  channel: string;
  locale: string | null;
  agent_id: string | null;
  handled_by: string;
  topics: Array<{ source: string; topic: string; sentiment: string | null; confidence: number | null }>;
  ratings: Record<string, number | string | null>;
}

const SORT_COL: Record<SortKey, string> = { created_at: 'f.created_at', confidence: 'f.sentiment_confidence' };

/** Effective topic of a feedback: human tags replace the model's when present. */
const EFFECTIVE = `(t.source = 'human' OR NOT EXISTS (SELECT 1 FROM feedback_topics h WHERE h.feedback_id = t.feedback_id AND h.source = 'human'))`;

/** WHERE clause over feedback f JOIN interactions i. */
export function feedbackWhere(q: FeedbackQuery): { sql: string; params: Param[] } {
  const parts: string[] = ['1 = 1'];
  const params: Param[] = [];
  if (q.q && q.q.trim()) {
    const s = q.q.trim();
    // Trigram needs 3+ characters; shorter words (common in Chinese: 客服, 慢) fall back to LIKE.
    if ([...s].length >= 3) parts.push('f.id IN (SELECT rowid FROM feedback_fts WHERE feedback_fts MATCH ?)'), params.push(`"${s.replace(/"/g, '""')}"`);
    else parts.push("f.text LIKE ? ESCAPE '\\'"), params.push(`%${s.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
  }
  if (q.topic) {
    parts.push(`EXISTS (SELECT 1 FROM feedback_topics t WHERE t.feedback_id = f.id AND t.topic = ? AND ${EFFECTIVE})`);
    params.push(q.topic);
  }
  if (q.sentiment) parts.push('COALESCE(f.human_sentiment, f.sentiment) = ?'), params.push(q.sentiment);
  if (q.maxConfidence !== undefined && Number.isFinite(q.maxConfidence)) parts.push('f.sentiment_confidence < ?'), params.push(q.maxConfidence);
  if (q.from) parts.push('f.created_at >= ?'), params.push(q.from);
  if (q.to) parts.push('f.created_at < ?'), params.push(/^\d{4}-\d{2}-\d{2}$/.test(q.to) ? nextDay(q.to) : q.to);
  if (q.channel) parts.push('i.channel = ?'), params.push(q.channel);
  if (q.locale) parts.push('i.locale = ?'), params.push(q.locale);
  if (q.agentId) parts.push('i.agent_id = ?'), params.push(q.agentId);
  if (q.handledBy) parts.push('i.handled_by = ?'), params.push(q.handledBy);
  // unary + keeps the planner on the sort index; the (corrected_at) index would sort 1M rows first
  if (q.uncorrected) parts.push('+f.corrected_at IS NULL');
  if (q.userId) parts.push('i.user_id = ?'), params.push(q.userId);
  return { sql: parts.join(' AND '), params };
}

const encodeCursor = (v: unknown, id: number) => Buffer.from(JSON.stringify([v, id])).toString('base64url');
function decodeCursor(c: string): [string | number, number] | null {
  try {
    const x = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    return Array.isArray(x) && x.length === 2 && Number.isInteger(x[1]) ? (x as [string | number, number]) : null;
  } catch {
    return null;
  }
}

/** Reads feedback for the review table, with keyset paging so page 1000 costs what page 1 does. */
export class FeedbackRepo {
  constructor(private readonly db: Db) {}

  async list(q: FeedbackQuery, p: PageOpts = {}): Promise<{ items: FeedbackRow[]; next: string | null }> {
    const sort: SortKey = p.sort === 'confidence' ? 'confidence' : 'created_at';
    const dir = p.dir === 'asc' ? 'ASC' : 'DESC';
    const limit = Math.min(Math.max(p.limit ?? 50, 1), 500);
    const col = SORT_COL[sort];
    const w = feedbackWhere(q);
    const parts = [w.sql];
    const params = [...w.params];
    if (sort === 'confidence') parts.push('f.sentiment_confidence IS NOT NULL'); // NULLs have no place in the key order
    const cur = p.cursor ? decodeCursor(p.cursor) : null;
    if (cur) parts.push(`(${col}, f.id) ${dir === 'ASC' ? '>' : '<'} (?, ?)`), params.push(cur[0], cur[1]);
    const rows = await this.db.all<Omit<FeedbackRow, 'topics' | 'ratings'>>(
      `SELECT f.id, f.interaction_id, f.survey_id, f.text, f.language, f.created_at, f.sentiment, f.sentiment_confidence,
         f.model_version, f.human_sentiment, f.corrected_by, f.corrected_at, i.channel, i.locale, i.agent_id, i.handled_by
       FROM feedback f JOIN interactions i ON i.id = f.interaction_id
       WHERE ${parts.join(' AND ')} ORDER BY ${col} ${dir}, f.id ${dir} LIMIT ?`,
      [...params, limit + 1],
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const items = await this.decorate(page);
    const last = page[page.length - 1];
    const next = more && last ? encodeCursor(sort === 'confidence' ? last.sentiment_confidence : last.created_at, last.id) : null;
    return { items, next };
  }

  /** Streams every matching row (for exports) in pages, without holding them all. */
  async *iterate(q: FeedbackQuery): AsyncGenerator<FeedbackRow> {
    let cursor: string | undefined;
    do {
      const page = await this.list(q, { sort: 'created_at', dir: 'asc', limit: 500, cursor });
      yield* page.items;
      cursor = page.next ?? undefined;
    } while (cursor);
  }

  async count(q: FeedbackQuery): Promise<number> {
    const w = feedbackWhere(q);
    const r = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE ${w.sql}`, w.params);
    return r?.n ?? 0;
  }

  async get(id: number): Promise<FeedbackRow | undefined> {
    const rows = await this.db.all<Omit<FeedbackRow, 'topics' | 'ratings'>>(
      `SELECT f.id, f.interaction_id, f.survey_id, f.text, f.language, f.created_at, f.sentiment, f.sentiment_confidence,
         f.model_version, f.human_sentiment, f.corrected_by, f.corrected_at, i.channel, i.locale, i.agent_id, i.handled_by
       FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE f.id = ?`,
      [id],
    );
    return (await this.decorate(rows))[0];
  }

  private async decorate(rows: Omit<FeedbackRow, 'topics' | 'ratings'>[]): Promise<FeedbackRow[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const topics = await this.db.all<{ feedback_id: number; source: string; topic: string; sentiment: string | null; confidence: number | null }>(
      `SELECT feedback_id, source, topic, sentiment, confidence FROM feedback_topics WHERE feedback_id IN (${ids.map(() => '?').join(',')}) ORDER BY source, topic`,
      ids,
    );
    const sids = [...new Set(rows.map((r) => r.survey_id).filter((s): s is string => !!s))];
    const answers = sids.length
      ? await this.db.all<{ survey_id: string; item_id: string; value: number | null; value_text: string | null }>(
          `SELECT survey_id, item_id, value, value_text FROM survey_answers
           WHERE survey_id IN (${sids.map(() => '?').join(',')}) AND kind <> 'open' AND skipped = 0`,
          sids,
        )
      : [];
    return rows.map((r) => {
      const ratings: Record<string, number | string | null> = {};
      for (const a of answers) if (a.survey_id === r.survey_id) ratings[a.item_id] = a.item_id === 'resolved' ? (a.value_text ?? a.value) : a.value;
      return { ...r, topics: topics.filter((t) => t.feedback_id === r.id).map(({ feedback_id: _, ...t }) => t), ratings };
    });
  }
}
