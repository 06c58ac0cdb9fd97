import type { InteractionRepo } from '../storage/interactions';
import { OPEN_STATUSES } from '../handoff/queue';
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
      interactions: Pick<InteractionRepo, 'idleDue' | 'logEvent'>;
      surveys: SurveyRepo;
      settings: () => SurveySettings;
      /** Sends the survey offer in a proactive turn. */
      offer: (due: IdleDue) => Promise<void>;
      log?: Logger;
      now?: () => Date;
      tickMs?: number;
      /**
       * Runs a pass only where this instance holds the scheduler lease (Db.tryLock): with several instances on
       * one PostgreSQL, one runs each pass, and the next pass anywhere sees the 'idle_timeout_fired' events the
       * previous one logged, so a due survey is offered once. Unset: this process is the only scheduler.
       */
      exclusive?: (name: string, fn: () => Promise<void>) => Promise<void | undefined>;
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
    return this.deps.interactions.idleDue({ cutoff, channels: s.proactiveChannels, openHandoffStatuses: OPEN_STATUSES, limit: 50 });
  }

  /** One pass: expire abandoned surveys, then offer due ones. Overlapping ticks are skipped. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    const pass = async () => {
      const s = this.deps.settings();
      await this.deps.surveys.expireStale(new Date(this.now().getTime() - s.abandonAfterMinutes * 60_000).toISOString());
      for (const d of await this.due()) {
        await this.deps.interactions.logEvent(d.interactionId, 'idle_timeout_fired', { idleSeconds: s.idleTimeoutSeconds });
        try {
          await this.deps.offer(d);
        } catch (error) {
          this.deps.log?.warn('idle survey offer failed', { error, interactionId: d.interactionId });
        }
      }
    };
    this.running = (async () => {
      try {
        await (this.deps.exclusive ? this.deps.exclusive('idle-scheduler', pass) : pass());
      } catch (error) {
        this.deps.log?.error('idle scheduler tick failed', { error });
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
