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
}

/** Service-recovery follow-ups: an owner and an initial-response clock (default 24 h). */
export class FollowupRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** One open follow-up per interaction and reason: a second trigger returns the existing one. */
  async create(p: { interactionId: string; surveyId?: string | null; reason: FollowupReason; owner: string; dueHours: number; note?: string }): Promise<number> {
    const existing = await this.db.get<{ id: number }>(
      "SELECT id FROM followups WHERE interaction_id = ? AND reason = ? AND status <> 'closed'",
      [p.interactionId, p.reason],
    );
    if (existing) return existing.id;
    const created = this.now();
    const due = new Date(created.getTime() + p.dueHours * 3600_000);
    const r = await this.db.run(
      'INSERT INTO followups(interaction_id, survey_id, reason, owner, note, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [p.interactionId, p.surveyId ?? null, p.reason, p.owner, p.note ?? null, created.toISOString(), due.toISOString()],
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

/**
 * Called by the classification side when an open answer is tagged clearly negative:
 * opens a follow-up for its interaction with the default owner and 24 h clock.
 */
export async function createFollowupForNegativeFeedback(
  db: Db,
  feedbackId: number,
  opts: { owner?: string; dueHours?: number; now?: () => Date } = {},
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
  });
}
