import type { Db } from '../storage/db';
import type { Logger } from '../log';
import type { SurveySettings } from './definitions';
import type { SurveyRepo } from './surveyRepo';

export interface IdleDue {
  interactionId: string;
  conversationId: string;
  reference: Record<string, unknown>;
}

/**
 * Offers the survey after N idle seconds following a bot answer, through the stored
 * ConversationReference. Pending timers are derived from the database on every tick
 * (interactions.last_activity_at, surveys, 'idle_timeout_fired' events), so they survive restarts.
 */
export class IdleScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly deps: {
      db: Db;
      surveys: SurveyRepo;
      settings: () => SurveySettings;
      /** Sends the survey offer in a proactive turn. */
      offer: (due: IdleDue) => Promise<void>;
      log?: Logger;
      now?: () => Date;
      tickMs?: number;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Interactions idle long enough after an answer, not yet surveyed or offered by timeout, and
   * not waiting for or talking to a person: while the conversation has an open handoff (queued,
   * held by a built-in agent or by an external hub) the bot survey would pre-empt the
   * agent-handled one. The idle clock is last_activity_at (customer turns and agent messages).
   */
  async due(): Promise<IdleDue[]> {
    const s = this.deps.settings();
    if (!s.idleTimeoutEnabled || !s.proactiveChannels.length) return [];
    const cutoff = new Date(this.now().getTime() - s.idleTimeoutSeconds * 1000).toISOString();
    const rows = await this.deps.db.all<{ id: string; conversation_id: string; reference: string }>(
      `SELECT i.id, i.conversation_id, r.reference FROM interactions i
       JOIN conversation_refs r ON r.conversation_id = i.conversation_id
       WHERE i.ended_at IS NULL AND i.handled_by = 'bot' AND i.outcome = 'answered' AND i.is_test = 0
         AND i.last_activity_at <= ?
         AND i.channel IN (${s.proactiveChannels.map(() => '?').join(',')})
         AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.interaction_id = i.id)
         AND NOT EXISTS (SELECT 1 FROM interaction_events e WHERE e.interaction_id = i.id AND e.kind = 'idle_timeout_fired')
         AND NOT EXISTS (SELECT 1 FROM handoffs h JOIN interactions hi ON hi.id = h.interaction_id
                          WHERE hi.conversation_id = i.conversation_id AND h.status IN ('queued','assigned','external'))
       ORDER BY i.last_activity_at LIMIT 50`,
      [cutoff, ...s.proactiveChannels],
    );
    return rows.map((r) => ({ interactionId: r.id, conversationId: r.conversation_id, reference: JSON.parse(r.reference) }));
  }

  /** One pass: expire abandoned surveys, then offer due ones. Overlapping ticks are skipped. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const s = this.deps.settings();
        await this.deps.surveys.expireStale(new Date(this.now().getTime() - s.abandonAfterMinutes * 60_000).toISOString());
        for (const d of await this.due()) {
          await this.deps.db.run('INSERT INTO interaction_events(interaction_id, at, kind, detail) VALUES (?, ?, ?, ?)', [
            d.interactionId,
            this.now().toISOString(),
            'idle_timeout_fired',
            JSON.stringify({ idleSeconds: s.idleTimeoutSeconds }),
          ]);
          try {
            await this.deps.offer(d);
          } catch (error) {
            this.deps.log?.warn('idle survey offer failed', { error, interactionId: d.interactionId });
          }
        }
      } catch (error) {
        this.deps.log?.error('idle scheduler tick failed', { error });
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
