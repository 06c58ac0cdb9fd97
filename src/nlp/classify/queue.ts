import type { Db } from '../../storage/db';
import { normalizeLocale } from '../locale';
import type { ClassificationPipeline } from './pipeline';

export interface QueueOptions {
  maxAttempts?: number;
  /** idle poll interval */
  pollMs?: number;
  /** retry back-off base (doubles per attempt) */
  backoffMs?: number;
  onError?: (msg: string, fields: Record<string, unknown>) => void;
  /** Called after a result is written (e.g. to open a follow-up for clearly negative feedback). */
  onClassified?: (feedbackId: number, result: { sentiment: string | null; confidence: number }) => Promise<void>;
  /** Second kind of job on the same worker, run when no feedback job is due: predicted S/A of ended interactions (src/nlp/quality). */
  quality?: { processOne(): Promise<boolean>; recover(): Promise<void> };
}

const NEW_JOBS = 'INSERT INTO classification_jobs(feedback_id, status, attempts, run_after, created_at, updated_at)';
/** A job that exists already is queued again from scratch. */
const REQUEUE = "ON CONFLICT(feedback_id) DO UPDATE SET status='pending', attempts=0, last_error=NULL, run_after=excluded.run_after, updated_at=excluded.updated_at";

/** A feedback row whose sentiment model or topic tagger (id or version) differs from the current ones (NULL-safe). */
const STALE = `(model_id IS NOT ? OR model_version IS NOT ? OR topic_model_id IS NOT ? OR topic_model_version IS NOT ?)`;
const staleParams = (c: { sentiment: { id: string; version: string }; topics: { id: string; version: string } }) => [
  c.sentiment.id,
  c.sentiment.version,
  c.topics.id,
  c.topics.version,
];

export interface JobRow {
  feedback_id: number;
  status: string;
  attempts: number;
  last_error: string | null;
}

/**
 * SQLite-backed classification queue. enqueue() only inserts a row, so a chat turn never waits
 * for a model; a single worker loop classifies and writes results into feedback + feedback_topics.
 * Jobs left "running" by a crash are picked up again after a restart.
 */
export class ClassificationQueue {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly maxAttempts: number;
  private readonly pollMs: number;
  private readonly backoffMs: number;

  constructor(
    private readonly db: Db,
    private readonly pipeline: ClassificationPipeline,
    private readonly opts: QueueOptions = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.pollMs = opts.pollMs ?? 1000;
    this.backoffMs = opts.backoffMs ?? 2000;
  }

  async enqueue(feedbackId: number): Promise<void> {
    await this.enqueueMany([feedbackId]);
  }

  /** enqueue() for many ids: one upsert statement per 500 ids (bulk imports). */
  async enqueueMany(ids: number[]): Promise<number> {
    const now = new Date().toISOString();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await this.db.run(`${NEW_JOBS} SELECT CAST(value AS INTEGER), 'pending', 0, ?, ?, ? FROM json_each(?) WHERE true ${REQUEUE}`, [now, now, now, JSON.stringify(chunk)]);
    }
    if (ids.length) this.wake?.();
    return ids.length;
  }

  /**
   * Queue every feedback row not tagged by the given sentiment model and topic tagger (id and version each; rows
   * never classified included). Rows already tagged by them are left alone, which makes `npm run reclassify` resumable.
   * Returns the number queued.
   */
  async enqueueStale(current: { sentiment: { id: string; version: string }; topics: { id: string; version: string } }): Promise<number> {
    const now = new Date().toISOString();
    const r = await this.db.run(
      `${NEW_JOBS} SELECT id, 'pending', 0, ?, ?, ? FROM feedback WHERE ${STALE} ORDER BY id ${REQUEUE}`,
      [now, now, now, ...staleParams(current)],
    );
    if (r.changes) this.wake?.();
    return r.changes;
  }

  /** How many feedback rows are not (yet) tagged by the given models. */
  async countStale(current: { sentiment: { id: string; version: string }; topics: { id: string; version: string } }): Promise<number> {
    const row = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM feedback WHERE ${STALE}`, staleParams(current));
    return row?.n ?? 0;
  }

  /** Queue every feedback row that was never classified and has no job (e.g. imported by the CLI). */
  async enqueueUnclassified(): Promise<number> {
    const now = new Date().toISOString();
    const r = await this.db.run(
      `${NEW_JOBS} SELECT f.id, 'pending', 0, ?, ?, ? FROM feedback f
       WHERE f.classified_at IS NULL AND NOT EXISTS (SELECT 1 FROM classification_jobs j WHERE j.feedback_id = f.id)`,
      [now, now, now],
    );
    if (r.changes) this.wake?.();
    return r.changes;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** Process jobs until none is due (or `max` were handled); returns how many were handled. Used by the loop and by tests/CLIs. */
  async drain(onEach?: (n: number) => void, max = Infinity): Promise<number> {
    let n = 0;
    // (not `onEach?.(++n)`: optional chaining would skip the increment without a callback)
    while (n < max && (await this.processOne())) {
      n++;
      onEach?.(n);
    }
    return n;
  }

  /** Earliest time a pending job becomes due (retry back-off), or null when none is pending. */
  async nextDue(): Promise<string | null> {
    const row = await this.db.get<{ t: string | null }>(`SELECT MIN(run_after) AS t FROM classification_jobs WHERE status='pending'`);
    return row?.t ?? null;
  }

  /** Jobs per status; with `since`, only jobs updated from then on. */
  async counts(since?: string): Promise<Record<string, number>> {
    const rows = await this.db.all<{ status: string; n: number }>(
      `SELECT status, COUNT(*) AS n FROM classification_jobs ${since ? 'WHERE updated_at >= ?' : ''} GROUP BY status`,
      since ? [since] : [],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  private async run(): Promise<void> {
    // A job marked running by a process that died is due again. SQLite: this process owns the file, so every
    // running job is orphaned. PostgreSQL: other instances' workers are alive; a worker holds the job's advisory
    // lock while it works (the lock dies with its connection), so a running job whose lock is free is orphaned.
    if (this.db.engine === 'sqlite') await this.db.run(`UPDATE classification_jobs SET status='pending' WHERE status='running'`);
    else {
      for (const j of await this.db.all<{ feedback_id: number }>(`SELECT feedback_id FROM classification_jobs WHERE status='running'`)) {
        await this.db.tryLock(`classify:${j.feedback_id}`, () =>
          this.db.run(`UPDATE classification_jobs SET status='pending' WHERE feedback_id=? AND status='running'`, [j.feedback_id]),
        );
      }
    }
    await this.opts.quality?.recover();
    while (this.running) {
      const did = await this.processOne().catch((err) => {
        this.opts.onError?.('classification queue error', { error: String(err) });
        return false;
      });
      if (!did && this.running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  /**
   * PostgreSQL: every instance runs workers; each claims the oldest due job no other worker holds, in one
   * statement (FOR UPDATE SKIP LOCKED), so workers never queue behind each other's row locks.
   */
  private async claimSkipLocked(now: string): Promise<{ feedback_id: number; attempts: number } | undefined> {
    const row = await this.db.get<{ feedback_id: number; attempts: number }>(
      `UPDATE classification_jobs SET status='running', attempts=attempts+1, updated_at=?
        WHERE feedback_id = (SELECT feedback_id FROM classification_jobs WHERE status='pending' AND run_after <= ?
                              ORDER BY created_at, feedback_id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING feedback_id, attempts`,
      [now, now],
    );
    return row && { feedback_id: row.feedback_id, attempts: row.attempts - 1 };
  }

  private async processOne(): Promise<boolean> {
    const now = new Date().toISOString();
    if (this.db.engine === 'postgres') {
      const claimed = await this.claimSkipLocked(now);
      if (!claimed) return false;
      await this.db.tryLock(`classify:${claimed.feedback_id}`, () => this.work(claimed));
      return true;
    }
    const job = await this.db.get<{ feedback_id: number; attempts: number }>(
      `SELECT feedback_id, attempts FROM classification_jobs WHERE status='pending' AND run_after <= ? ORDER BY created_at, feedback_id LIMIT 1`,
      [now],
    );
    if (!job) return this.opts.quality ? this.opts.quality.processOne() : false;
    // claim it: another process on the same database (the bot's worker, a CLI) may have taken it meanwhile
    const claim = await this.db.run(
      `UPDATE classification_jobs SET status='running', attempts=attempts+1, updated_at=? WHERE feedback_id=? AND status='pending' AND attempts=?`,
      [now, job.feedback_id, job.attempts],
    );
    if (claim.changes !== 1) return true;
    await this.work(job);
    return true;
  }

  /** Classifies a claimed job (attempts = before the claim) and records the result or the retry. */
  private async work(job: { feedback_id: number; attempts: number }): Promise<void> {
    const attempts = job.attempts + 1;
    try {
      const fb = await this.db.get<{ text: string; language: string | null }>('SELECT text, language FROM feedback WHERE id=?', [job.feedback_id]);
      if (!fb) throw new Error(`feedback ${job.feedback_id} not found`);
      const r = await this.pipeline.classify(fb.text, normalizeLocale(fb.language));
      // the topic tagger that produced the tags (taxonomy or learned topic model), recorded on every model tag
      const tm = r.topicModel ?? this.pipeline.topicModel ?? { id: null, version: null };
      const at = new Date().toISOString();
      await this.db.transaction(async (tx) => {
        await tx.runRaw(
          `UPDATE feedback SET sentiment=?, sentiment_confidence=?, model_id=?, model_version=?, topic_model_id=?, topic_model_version=?,
             classified_at=?, language=COALESCE(language, ?) WHERE id=?`,
          [r.sentiment, r.confidence, r.model.id, r.model.version, tm.id, tm.version, at, r.language, job.feedback_id],
        );
        await tx.runRaw(`DELETE FROM feedback_topics WHERE feedback_id=? AND source='model'`, [job.feedback_id]);
        for (const t of r.topics) {
          await tx.runRaw(
            `INSERT INTO feedback_topics(feedback_id, source, topic, sentiment, confidence, model_id, model_version, clause_start, clause_end) VALUES (?, 'model', ?, ?, ?, ?, ?, ?, ?)`,
            [job.feedback_id, t.topic, t.sentiment, t.confidence, tm.id, tm.version, t.span?.[0] ?? null, t.span?.[1] ?? null],
          );
        }
        await tx.runRaw(`UPDATE classification_jobs SET status='done', last_error=NULL, updated_at=? WHERE feedback_id=?`, [at, job.feedback_id]);
      });
      await this.opts.onClassified?.(job.feedback_id, { sentiment: r.sentiment, confidence: r.confidence }).catch((err) =>
        this.opts.onError?.('after-classification hook failed', { feedbackId: job.feedback_id, error: String(err) }),
      );
    } catch (err) {
      const failed = attempts >= this.maxAttempts;
      const retryAt = new Date(Date.now() + this.backoffMs * 2 ** (attempts - 1)).toISOString();
      await this.db.run(
        `UPDATE classification_jobs SET status=?, last_error=?, run_after=?, updated_at=? WHERE feedback_id=?`,
        [failed ? 'failed' : 'pending', String((err as Error)?.message ?? err).slice(0, 1000), retryAt, new Date().toISOString(), job.feedback_id],
      );
      this.opts.onError?.('classification failed', { feedbackId: job.feedback_id, attempts, failed, error: String(err) });
    }
  }
}

/**
 * For CLIs: classify what is due until nothing is left, waiting for retries that are due within
 * 10 s (back-off), at most `limit` jobs. Calls `onEach` with the running count; returns the count.
 */
export async function drainUntilIdle(queue: ClassificationQueue, onEach: (done: number) => void = () => undefined, limit = Infinity): Promise<number> {
  let done = 0;
  while (done < limit) {
    const n = await queue.drain(() => onEach(++done), limit - done);
    if (n > 0) continue;
    const next = await queue.nextDue();
    const wait = next ? Date.parse(next) - Date.now() : Infinity;
    if (wait > 10_000) break;
    await new Promise((r) => setTimeout(r, Math.max(0, wait) + 5));
  }
  return done;
}
