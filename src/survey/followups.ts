import type { Db } from '../storage/db';

export type FollowupReason = 'low_csat' | 'not_resolved' | 'negative_feedback' | 'complaint' | 'left_message';

export interface FollowupRow {
  id: number;
  interaction_id: string;
  survey_id: string | null;
  reason: FollowupReason;
  owner: string;
  status: 'open' | 'in_progress' | 'closed';
  note: string | null;
  created_at: string;
  due_at: string;
  first_response_at: string | null;
  closed_at: string | null;
  /** JSON of the signals the decision combined (FollowupSignals), or null for older rows. */
  reason_detail: string | null;
}

/** What the customer told us in one survey: the follow-up decision combines them. */
export interface FollowupSignals {
  /** Overall satisfaction and its scale. */
  csat?: { value: number; min: number; max: number };
  resolved?: 'yes' | 'partly' | 'no';
  /** The open comment's sentiment and the model's confidence in it. */
  sentiment?: 'negative' | 'neutral' | 'positive' | null;
  confidence?: number;
}

export interface FollowupDecision {
  open: boolean;
  reason?: FollowupReason;
  signals: FollowupSignals;
}

/**
 * Service recovery only on real dissatisfaction. A low rating or "not resolved" opens a follow-up by itself;
 * a negative comment opens one when the model is confident enough, and the better the rating the surer it
 * must be: a customer who rates 5 and writes "是的" is not chased, one who rates 4 and writes "客服态度很差" is.
 */
export function decideFollowup(s: FollowupSignals): FollowupDecision {
  const level = s.csat ? (s.csat.value - s.csat.min) / Math.max(1, s.csat.max - s.csat.min) : undefined; // 0 worst … 1 best
  if (level !== undefined && level <= 0.25) return { open: true, reason: 'low_csat', signals: s };
  if (s.resolved === 'no') return { open: true, reason: 'not_resolved', signals: s };
  if (s.sentiment !== 'negative') return { open: false, signals: s };
  const needed = level === undefined ? 0.7 : level >= 1 ? 0.85 : level >= 0.75 ? 0.6 : 0.5;
  const bar = s.resolved === 'partly' ? needed - 0.1 : needed;
  return (s.confidence ?? 0) >= bar ? { open: true, reason: 'negative_feedback', signals: s } : { open: false, signals: s };
}

/** Service-recovery follow-ups: an owner and an initial-response clock (default 24 h). */
export class FollowupRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** One open follow-up per interaction and reason: a second trigger returns the existing one. */
  async create(p: { interactionId: string; surveyId?: string | null; reason: FollowupReason; owner: string; dueHours: number; note?: string; signals?: FollowupSignals }): Promise<number> {
    const existing = await this.db.get<{ id: number }>(
      "SELECT id FROM followups WHERE interaction_id = ? AND reason = ? AND status <> 'closed'",
      [p.interactionId, p.reason],
    );
    if (existing) return existing.id;
    const created = this.now();
    const due = new Date(created.getTime() + p.dueHours * 3600_000);
    const r = await this.db.run(
      'INSERT INTO followups(interaction_id, survey_id, reason, owner, note, created_at, due_at, reason_detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [p.interactionId, p.surveyId ?? null, p.reason, p.owner, p.note ?? null, created.toISOString(), due.toISOString(), p.signals ? JSON.stringify(p.signals) : null],
    );
    return r.lastID;
  }

  list(f: { status?: string; from?: string; to?: string } = {}): Promise<FollowupRow[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (f.status) (where.push('status = ?'), params.push(f.status));
    if (f.from) (where.push('created_at >= ?'), params.push(f.from));
    if (f.to) (where.push('created_at < ?'), params.push(f.to));
    return this.db.all<FollowupRow>(`SELECT * FROM followups ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at, id`, params);
  }

  forInteraction(interactionId: string): Promise<FollowupRow[]> {
    return this.db.all<FollowupRow>('SELECT * FROM followups WHERE interaction_id = ? ORDER BY id', [interactionId]);
  }
}

/** The feedback's interaction and survey, with that survey's overall rating and "resolved?" answer. */
export async function feedbackContext(
  db: Db,
  feedbackId: number,
): Promise<{ interactionId: string; surveyId: string | null; csat?: number; resolved?: 'yes' | 'partly' | 'no' } | undefined> {
  const fb = await db.get<{ interaction_id: string; survey_id: string | null }>('SELECT interaction_id, survey_id FROM feedback WHERE id = ?', [feedbackId]);
  if (!fb) return undefined;
  const answers = fb.survey_id
    ? await db.all<{ kind: string; value: number | null; value_text: string | null }>(
        "SELECT kind, value, value_text FROM survey_answers WHERE survey_id = ? AND skipped = 0 AND kind IN ('csat', 'resolved')",
        [fb.survey_id],
      )
    : [];
  const csat = answers.find((a) => a.kind === 'csat')?.value ?? undefined;
  const resolved = answers.find((a) => a.kind === 'resolved')?.value_text as 'yes' | 'partly' | 'no' | undefined;
  return { interactionId: fb.interaction_id, surveyId: fb.survey_id, csat: csat ?? undefined, resolved: resolved ?? undefined };
}

/**
 * Called by the classification side when an open answer is tagged clearly negative:
 * opens a follow-up for its interaction with the default owner and 24 h clock.
 */
export async function createFollowupForNegativeFeedback(
  db: Db,
  feedbackId: number,
  opts: { owner?: string; dueHours?: number; now?: () => Date; signals?: FollowupSignals } = {},
): Promise<number | undefined> {
  const fb = await db.get<{ interaction_id: string; survey_id: string | null }>('SELECT interaction_id, survey_id FROM feedback WHERE id = ?', [feedbackId]);
  if (!fb) return undefined;
  const repo = new FollowupRepo(db, opts.now);
  return repo.create({
    interactionId: fb.interaction_id,
    surveyId: fb.survey_id,
    reason: 'negative_feedback',
    owner: opts.owner ?? 'service-quality',
    dueHours: opts.dueHours ?? 24,
    note: `feedback ${feedbackId}`,
    signals: opts.signals,
  });
}
