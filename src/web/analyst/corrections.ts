import type { Db } from '../../storage/db';
import { SENTIMENTS } from './feedbackRepo';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  before: unknown;
  after: unknown;
}

export interface Correction {
  sentiment?: string;
  /** Full human topic set; replaces earlier human topics (the model's rows stay untouched). */
  topics?: Array<{ topic: string; sentiment?: string | null }>;
}

export class CorrectionError extends Error {}

/** Writes analyst labels next to the model's and records each change in audit_log. */
export class CorrectionService {
  constructor(
    private readonly db: Db,
    private readonly topicIds: string[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  validate(c: Correction): void {
    if (c.sentiment === undefined && c.topics === undefined) throw new CorrectionError('nothing to correct: give sentiment and/or topics');
    if (c.sentiment !== undefined && !(SENTIMENTS as readonly string[]).includes(c.sentiment)) throw new CorrectionError(`unknown sentiment: ${c.sentiment}`);
    if (c.topics !== undefined) {
      if (!Array.isArray(c.topics) || c.topics.length === 0) throw new CorrectionError('topics must be a non-empty list (use "other")');
      for (const t of c.topics) {
        if (!t || !this.topicIds.includes(t.topic)) throw new CorrectionError(`unknown topic: ${t?.topic}`);
        if (t.sentiment != null && !(SENTIMENTS as readonly string[]).includes(t.sentiment)) throw new CorrectionError(`unknown sentiment: ${t.sentiment}`);
      }
    }
  }

  /** Applies one correction to many feedback ids atomically; returns how many existed. */
  async apply(ids: number[], c: Correction, actor: string): Promise<number> {
    this.validate(c);
    const at = this.now().toISOString();
    return this.db.transaction(async (tx) => {
      let done = 0;
      for (const id of ids) {
        const f = await tx.get<{ human_sentiment: string | null }>('SELECT human_sentiment FROM feedback WHERE id = ?', [id]);
        if (!f) continue;
        done++;
        if (c.sentiment !== undefined) {
          await tx.runRaw('UPDATE feedback SET human_sentiment = ?, corrected_by = ?, corrected_at = ? WHERE id = ?', [c.sentiment, actor, at, id]);
          await audit(tx, at, actor, 'correct_sentiment', 'feedback', String(id), { human_sentiment: f.human_sentiment }, { human_sentiment: c.sentiment });
        }
        if (c.topics !== undefined) {
          const before = await tx.all<{ topic: string; sentiment: string | null }>(
            "SELECT topic, sentiment FROM feedback_topics WHERE feedback_id = ? AND source = 'human' ORDER BY topic",
            [id],
          );
          await tx.runRaw("DELETE FROM feedback_topics WHERE feedback_id = ? AND source = 'human'", [id]);
          for (const t of c.topics)
            await tx.runRaw("INSERT OR REPLACE INTO feedback_topics (feedback_id, source, topic, sentiment, confidence) VALUES (?, 'human', ?, ?, 1)", [id, t.topic, t.sentiment ?? null]);
          await tx.runRaw('UPDATE feedback SET corrected_by = ?, corrected_at = ? WHERE id = ?', [actor, at, id]);
          await audit(tx, at, actor, 'correct_topics', 'feedback', String(id), { topics: before }, { topics: c.topics.map((t) => ({ topic: t.topic, sentiment: t.sentiment ?? null })) });
        }
      }
      return done;
    });
  }
}

export async function audit(tx: Db, at: string, actor: string, action: string, targetType: string, targetId: string, before: unknown, after: unknown): Promise<void> {
  await tx.runRaw('INSERT INTO audit_log (at, actor, action, target_type, target_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    at, actor, action, targetType, targetId, before === undefined ? null : JSON.stringify(before), after === undefined ? null : JSON.stringify(after),
  ]);
}

export async function listAudit(db: Db, opts: { targetType?: string; targetId?: string; before?: number; limit?: number } = {}): Promise<AuditEntry[]> {
  const parts = ['1 = 1'];
  const params: (string | number)[] = [];
  if (opts.targetType) parts.push('target_type = ?'), params.push(opts.targetType);
  if (opts.targetId) parts.push('target_id = ?'), params.push(opts.targetId);
  if (opts.before) parts.push('id < ?'), params.push(opts.before);
  const rows = await db.all<Record<string, any>>(`SELECT * FROM audit_log WHERE ${parts.join(' AND ')} ORDER BY id DESC LIMIT ?`, [
    ...params,
    // Clamped below too: SQLite reads LIMIT -1 as "no limit".
    Math.max(1, Math.min(Math.trunc(opts.limit ?? 100) || 100, 1000)),
  ]);
  return rows.map((r) => ({ ...r, before: r.before ? JSON.parse(r.before) : null, after: r.after ? JSON.parse(r.after) : null }) as AuditEntry);
}
