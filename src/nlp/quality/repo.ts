import type { Db } from '../../storage/db';
import { toDist } from './data';
import { meanScore } from './metrics';
import type { QualityModel } from './model';
import { transcriptToDialogue, type TranscriptRow } from './transcript';

export interface ModelRef {
  id: string;
  version: string;
}

export interface QualityRow {
  interaction_id: string;
  model_id: string;
  model_version: string;
  s_dist: string;
  a_dist: string;
  s_mean: number;
  a_mean: number;
  reasons: string;
  turns: number;
  predicted_at: string;
}

const NEW_JOBS = `INSERT INTO quality_jobs(interaction_id, status, attempts, run_after, created_at, updated_at)`;
const REQUEUE = `ON CONFLICT(interaction_id) DO UPDATE SET status='pending', attempts=0, last_error=NULL, run_after=excluded.run_after, updated_at=excluded.updated_at`;
const STALE = `i.ended_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM interaction_quality q WHERE q.interaction_id = i.id AND q.model_id = ? AND q.model_version = ?)`;

/**
 * Predicted S and A of ended interactions: the jobs and the results (tables quality_jobs, interaction_quality).
 * processOne() is run by the classification queue's worker loop after the feedback jobs, so a prediction never
 * runs on a turn. An interaction is queued when it has ended (bot-only, handed off or abandoned alike):
 * the worker looks for newly ended interactions itself, so no ending path needs a hook.
 */
export class QualityRepo {
  private watermark = '';
  private loaded: QualityModel | undefined;
  constructor(
    private readonly db: Db,
    /** The model, or its loader: loaded on first use, so starting the bot does not wait for it. */
    private readonly source: QualityModel | (() => QualityModel),
    /** The interaction's transcript rows in order (InteractionRepo.transcript). */
    private readonly transcript: (interactionId: string) => Promise<TranscriptRow[]>,
    private readonly opts: { maxAttempts?: number; backoffMs?: number; onError?: (m: string, f: Record<string, unknown>) => void } = {},
  ) {}

  private get model(): QualityModel {
    return (this.loaded ??= typeof this.source === 'function' ? this.source() : this.source);
  }

  get info(): ModelRef {
    return { id: this.model.id, version: this.model.version };
  }

  /**
   * Queue interactions that ended since the last look (all of them on the first call) and have no prediction yet.
   * The model is not needed for this, so the bot loads it only when a first interaction ends; predictions by an older
   * model are redone by `npm run reclassify` (enqueueStale), as for feedback.
   */
  async enqueueEnded(): Promise<number> {
    const now = new Date().toISOString();
    const since = this.watermark;
    this.watermark = new Date(Date.now() - 60_000).toISOString(); // a minute back: an end written with an older clock is still seen
    const r = await this.db.run(
      `${NEW_JOBS} SELECT i.id, 'pending', 0, ?, ?, ? FROM interactions i WHERE i.ended_at >= ?
         AND NOT EXISTS (SELECT 1 FROM interaction_quality q WHERE q.interaction_id = i.id)
         AND NOT EXISTS (SELECT 1 FROM quality_jobs j WHERE j.interaction_id = i.id AND j.status IN ('pending', 'running', 'failed')) ${REQUEUE}`,
      [now, now, now, since],
    );
    return r.changes;
  }

  async anyEnded(): Promise<boolean> {
    return !!(await this.db.get('SELECT 1 FROM interactions WHERE ended_at IS NOT NULL LIMIT 1'));
  }

  /** For reclassify: every ended interaction not predicted by this model id/version. */
  async enqueueStale(): Promise<number> {
    const now = new Date().toISOString();
    const r = await this.db.run(`${NEW_JOBS} SELECT i.id, 'pending', 0, ?, ?, ? FROM interactions i WHERE ${STALE} ORDER BY i.ended_at ${REQUEUE}`, [
      now, now, now, this.model.id, this.model.version,
    ]);
    return r.changes;
  }

  async countStale(): Promise<number> {
    const row = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM interactions i WHERE ${STALE}`, [this.model.id, this.model.version]);
    return row?.n ?? 0;
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.all<{ status: string; n: number }>(`SELECT status, COUNT(*) AS n FROM quality_jobs GROUP BY status`);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  get(interactionId: string): Promise<QualityRow | undefined> {
    return this.db.get<QualityRow>('SELECT * FROM interaction_quality WHERE interaction_id = ?', [interactionId]);
  }

  /** Jobs left running by a process that died are due again. */
  async recover(): Promise<void> {
    await this.db.run(`UPDATE quality_jobs SET status='pending' WHERE status='running'`);
  }

  /** Predicts one due job; false when none is due (after looking for newly ended interactions). */
  async processOne(): Promise<boolean> {
    let job = await this.due();
    if (!job && (await this.enqueueEnded())) job = await this.due();
    if (!job) return false;
    const now = new Date().toISOString();
    const claim = await this.db.run(
      `UPDATE quality_jobs SET status='running', attempts=attempts+1, updated_at=? WHERE interaction_id=? AND status='pending' AND attempts=?`,
      [now, job.interaction_id, job.attempts],
    );
    if (claim.changes !== 1) return true;
    const attempts = job.attempts + 1;
    try {
      const r = this.predict(job.interaction_id, await this.transcript(job.interaction_id));
      const at = new Date().toISOString();
      await this.db.transaction(async (tx) => {
        await tx.runRaw(
          `INSERT INTO interaction_quality(interaction_id, model_id, model_version, s_dist, a_dist, s_mean, a_mean, reasons, turns, predicted_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(interaction_id) DO UPDATE SET model_id=excluded.model_id, model_version=excluded.model_version, s_dist=excluded.s_dist,
             a_dist=excluded.a_dist, s_mean=excluded.s_mean, a_mean=excluded.a_mean, reasons=excluded.reasons, turns=excluded.turns, predicted_at=excluded.predicted_at`,
          [job.interaction_id, this.model.id, this.model.version, r.s_dist, r.a_dist, r.s_mean, r.a_mean, r.reasons, r.turns, at],
        );
        await tx.runRaw(`UPDATE quality_jobs SET status='done', last_error=NULL, updated_at=? WHERE interaction_id=?`, [at, job.interaction_id]);
      });
    } catch (err) {
      const failed = attempts >= (this.opts.maxAttempts ?? 3);
      const retryAt = new Date(Date.now() + (this.opts.backoffMs ?? 2000) * 2 ** (attempts - 1)).toISOString();
      await this.db.run(`UPDATE quality_jobs SET status=?, last_error=?, run_after=?, updated_at=? WHERE interaction_id=?`, [
        failed ? 'failed' : 'pending', String((err as Error)?.message ?? err).slice(0, 1000), retryAt, new Date().toISOString(), job.interaction_id,
      ]);
      this.opts.onError?.('quality prediction failed', { interactionId: job.interaction_id, attempts, failed, error: String(err) });
    }
    return true;
  }

  /** The stored form of a prediction: distributions, means, and the turns that weighed most (by |push on E[S]|). */
  predict(interactionId: string, rows: TranscriptRow[]) {
    const { dialogue, rows: map } = transcriptToDialogue(interactionId, rows);
    const e = this.model.explain(dialogue);
    const reasons = e.turnWeights
      .map((weight, turn) => ({ turn, role: map[turn].role, transcriptIds: map[turn].ids, weight }))
      .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
    // at most three, and only turns that weigh at least 30% of the strongest: in a short dialogue not every turn is a reason
    const top = Math.abs(reasons[0]?.weight ?? 0);
    const strongest = reasons.filter((r, k) => k < 3 && r.weight !== 0 && Math.abs(r.weight) >= 0.3 * top);
    const hasCustomer = dialogue.turns.some((t) => t.sender === 'customer' && t.utterances.some((u) => u));
    return {
      s_dist: JSON.stringify(toDist(e.S)),
      a_dist: JSON.stringify(toDist(e.A)),
      s_mean: Math.round(meanScore(e.S) * 1e4) / 1e4,
      a_mean: Math.round(meanScore(e.A) * 1e4) / 1e4,
      reasons: JSON.stringify(strongest),
      turns: hasCustomer ? dialogue.turns.length : 0,
    };
  }

  private due() {
    return this.db.get<{ interaction_id: string; attempts: number }>(
      `SELECT interaction_id, attempts FROM quality_jobs WHERE status='pending' AND run_after <= ? ORDER BY created_at, interaction_id LIMIT 1`,
      [new Date().toISOString()],
    );
  }
}
