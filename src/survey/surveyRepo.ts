import { randomUUID } from 'node:crypto';
import type { Db } from '../storage/db';

/** `unanswered`: offered, then left without a single answer (it does not count as a response). */
export type SurveyStatus = 'offered' | 'started' | 'complete' | 'incomplete' | 'declined' | 'unanswered';
export type InputMode = 'button' | 'card' | 'typed' | 'import';

export interface SurveyRow {
  id: string;
  interaction_id: string;
  user_id: string;
  definition_id: string;
  definition_version: number;
  trigger: string;
  channel: string;
  locale: string | null;
  agent_id: string | null;
  status: SurveyStatus;
  offered_at: string;
  started_at: string | null;
  ended_at: string | null;
}

export interface AnswerRow {
  survey_id: string;
  item_id: string;
  kind: string;
  value: number | null;
  value_text: string | null;
  raw_text: string | null;
  input_mode: InputMode;
  skipped: number;
  answered_at: string;
}

/** Keyset position: the last row of the previous page. */
export interface SurveyCursor {
  offeredAt: string;
  id: string;
}

export interface SurveyFilter {
  from?: string;
  to?: string;
  channel?: string;
  complete?: boolean;
}

/** Surveys, their answers and open-text feedback. Callers pass text already redacted. */
export class SurveyRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private ts(): string {
    return this.now().toISOString();
  }

  async offer(p: {
    interactionId: string;
    userId: string;
    definitionId: string;
    definitionVersion: number;
    trigger: string;
    channel: string;
    locale?: string;
    agentId?: string;
  }): Promise<string> {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO surveys(id, interaction_id, user_id, definition_id, definition_version, trigger, channel, locale, agent_id, status, offered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'offered', ?)`,
      [id, p.interactionId, p.userId, p.definitionId, p.definitionVersion, p.trigger, p.channel, p.locale ?? null, p.agentId ?? null, this.ts()],
    );
    return id;
  }

  get(id: string): Promise<SurveyRow | undefined> {
    return this.db.get<SurveyRow>('SELECT * FROM surveys WHERE id = ?', [id]);
  }

  forInteraction(interactionId: string): Promise<SurveyRow | undefined> {
    return this.db.get<SurveyRow>('SELECT * FROM surveys WHERE interaction_id = ?', [interactionId]);
  }

  /** Latest survey offered to this user at or after `since`. */
  lastForUserSince(userId: string, since: string): Promise<SurveyRow | undefined> {
    return this.db.get<SurveyRow>('SELECT * FROM surveys WHERE user_id = ? AND offered_at >= ? ORDER BY offered_at DESC LIMIT 1', [userId, since]);
  }

  /** The first answer moves an offered survey to started. */
  async start(id: string): Promise<void> {
    await this.db.run(`UPDATE surveys SET status = 'started', started_at = COALESCE(started_at, ?) WHERE id = ? AND status IN ('offered', 'incomplete')`, [this.ts(), id]);
  }

  /** Saved as soon as given; answering an item again replaces the earlier answer. */
  async answer(
    surveyId: string,
    a: { itemId: string; kind: string; value?: number | null; valueText?: string | null; rawText?: string | null; mode: InputMode; skipped?: boolean },
  ): Promise<void> {
    await this.start(surveyId);
    await this.db.run(
      `INSERT INTO survey_answers(survey_id, item_id, kind, value, value_text, raw_text, input_mode, skipped, answered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(survey_id, item_id) DO UPDATE SET kind = excluded.kind, value = excluded.value, value_text = excluded.value_text,
         raw_text = excluded.raw_text, input_mode = excluded.input_mode, skipped = excluded.skipped, answered_at = excluded.answered_at`,
      [surveyId, a.itemId, a.kind, a.value ?? null, a.valueText ?? null, a.rawText ?? null, a.mode, a.skipped ? 1 : 0, this.ts()],
    );
  }

  answers(surveyId: string): Promise<AnswerRow[]> {
    return this.db.all<AnswerRow>('SELECT * FROM survey_answers WHERE survey_id = ? ORDER BY answered_at, item_id', [surveyId]);
  }

  private async end(id: string, status: SurveyStatus): Promise<void> {
    await this.db.run('UPDATE surveys SET status = ?, ended_at = ? WHERE id = ?', [status, this.ts(), id]);
  }

  complete(id: string): Promise<void> {
    return this.end(id, 'complete');
  }

  incomplete(id: string): Promise<void> {
    return this.end(id, 'incomplete');
  }

  /** Stopped before any answer. */
  decline(id: string): Promise<void> {
    return this.end(id, 'declined');
  }

  /** A survey left open (offered or started, not ended) becomes incomplete; returns how many. */
  async abandonOpenForUser(userId: string, exceptConversationId: string): Promise<number> {
    const r = await this.db.run(
      `UPDATE surveys SET status = CASE WHEN started_at IS NULL THEN 'unanswered' ELSE 'incomplete' END, ended_at = ?
       WHERE user_id = ? AND status IN ('offered', 'started')
         AND interaction_id IN (SELECT id FROM interactions WHERE conversation_id <> ?)`,
      [this.ts(), userId, exceptConversationId],
    );
    return r.changes;
  }

  /** Open surveys with no answer since `before` become incomplete (the customer walked away). */
  async expireStale(before: string): Promise<number> {
    const r = await this.db.run(
      `UPDATE surveys SET status = CASE WHEN started_at IS NULL THEN 'unanswered' ELSE 'incomplete' END, ended_at = ?
       WHERE status IN ('offered', 'started')
         AND COALESCE((SELECT MAX(answered_at) FROM survey_answers a WHERE a.survey_id = surveys.id), offered_at) < ?`,
      [this.ts(), before],
    );
    return r.changes;
  }

  /** Open text (already redacted) for classification; returns the feedback id. */
  async addFeedback(p: { interactionId: string; surveyId?: string; text: string; language?: string }): Promise<number> {
    const r = await this.db.run('INSERT INTO feedback(interaction_id, survey_id, text, language, created_at) VALUES (?, ?, ?, ?, ?)', [
      p.interactionId,
      p.surveyId ?? null,
      p.text,
      p.language ?? null,
      this.ts(),
    ]);
    return r.lastID;
  }

  /**
   * Surveys in offered order with their answers, one page at a time: `after` is the `next` cursor of
   * the previous page (offered_at and id of its last row), so paging stays correct while rows arrive.
   */
  async list(f: SurveyFilter = {}, limit = 1000, after?: SurveyCursor): Promise<(SurveyRow & { answers: AnswerRow[] })[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (f.from) (where.push('offered_at >= ?'), params.push(f.from));
    if (f.to) (where.push('offered_at < ?'), params.push(f.to));
    if (f.channel) (where.push('channel = ?'), params.push(f.channel));
    if (f.complete === true) where.push("status = 'complete'");
    if (f.complete === false) where.push("status <> 'complete'");
    if (after) (where.push('(offered_at > ? OR (offered_at = ? AND id > ?))'), params.push(after.offeredAt, after.offeredAt, after.id));
    const rows = await this.db.all<SurveyRow>(
      `SELECT * FROM surveys ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY offered_at, id LIMIT ?`,
      [...params, limit],
    );
    // one query per 500 surveys, not one per survey
    const bySurvey = new Map<string, AnswerRow[]>(rows.map((r) => [r.id, []]));
    for (let i = 0; i < rows.length; i += 500) {
      const ids = rows.slice(i, i + 500).map((r) => r.id);
      const answers = await this.db.all<AnswerRow>(
        `SELECT * FROM survey_answers WHERE survey_id IN (${ids.map(() => '?').join(',')}) ORDER BY answered_at, item_id`,
        ids,
      );
      for (const a of answers) bySurvey.get(a.survey_id)!.push(a);
    }
    return rows.map((r) => ({ ...r, answers: bySurvey.get(r.id)! }));
  }

  /** How many surveys match the filter (the API's total, independent of paging). */
  async count(f: SurveyFilter = {}): Promise<number> {
    const rates = await this.responseRates(f);
    if (f.complete === undefined) return rates.offered;
    return f.complete ? rates.completed : rates.offered - rates.completed;
  }

  /** Response-rate bookkeeping: offered vs started vs completed. */
  async responseRates(f: SurveyFilter = {}): Promise<{ offered: number; started: number; completed: number; responseRate: number | null; completionRate: number | null }> {
    const where: string[] = [];
    const params: string[] = [];
    if (f.from) (where.push('offered_at >= ?'), params.push(f.from));
    if (f.to) (where.push('offered_at < ?'), params.push(f.to));
    if (f.channel) (where.push('channel = ?'), params.push(f.channel));
    const r = (await this.db.get<{ offered: number; started: number; completed: number }>(
      `SELECT COUNT(*) AS offered, SUM(started_at IS NOT NULL) AS started, SUM(status = 'complete') AS completed
       FROM surveys ${where.length ? 'WHERE ' + where.join(' AND ') : ''}`,
      params,
    ))!;
    const started = r.started ?? 0;
    const completed = r.completed ?? 0;
    return {
      offered: r.offered,
      started,
      completed,
      responseRate: r.offered ? started / r.offered : null,
      completionRate: r.offered ? completed / r.offered : null,
    };
  }
}
