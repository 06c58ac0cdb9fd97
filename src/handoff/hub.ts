/**
 * The agent hub: puts conversations in the handoff queue, keeps the bot silent while a person
 * holds them, relays messages both ways and closes the loop (survey, left messages).
 */
import { EventEmitter } from 'node:events';
import { ActivityTypes, EventFactory, MessageFactory, type Activity, type CloudAdapter, type ConversationReference, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { ensureInteraction, MAIN_DIALOG_ID, type HandoffHook } from '../../dialogs/mainDialog';
import { t } from '../../dialogs/strings';
import { recoveryReply } from '../../dialogs/surveyCards';
import { ConfigError } from '../configError';
import type { Logger } from '../log';
import { normalizeLocale, type Locale } from '../nlp/locale';
import { redact } from '../nlp/redact';
import type { Db } from '../storage/db';
import type { InteractionRepo } from '../storage/interactions';
import { CustomerHistory, type HistoryInteraction } from './history';
import { HandoffQueue, OPEN_SQL, OPEN_STATUSES, type Handoff } from './queue';
import { handoffText } from './strings';
import { isCancel, isComplaint, isLeaveMessage, isQuestion, yesNo, type HandoffReason } from './triggers';

export interface HandoffSettings {
  /** Seconds per queue position (per online agent) while no handoff has been resolved recently. */
  defaultWaitSeconds: number;
  /** Customers queued longer get an apology and the offer to leave a message. */
  waitLimitSeconds: number;
  /** An agent whose console stream stays away longer loses their conversations to the queue. */
  agentTimeoutSeconds: number;
  heartbeatMs: number;
  tickMs: number;
}

export function handoffSettings(env: Record<string, string | undefined> = process.env): HandoffSettings {
  const n = (k: string, d: number) => {
    const raw = env[k];
    if (raw === undefined || raw === '') return d;
    const v = Number(raw);
    if (!Number.isFinite(v) || v <= 0) throw new ConfigError('.env', k, `must be a positive number, got "${raw}"`);
    return v;
  };
  return {
    defaultWaitSeconds: n('HANDOFF_DEFAULT_WAIT_SECONDS', 180),
    waitLimitSeconds: n('HANDOFF_WAIT_LIMIT_SECONDS', 600),
    agentTimeoutSeconds: n('HANDOFF_AGENT_TIMEOUT_SECONDS', 120),
    heartbeatMs: n('HANDOFF_HEARTBEAT_MS', 15_000),
    tickMs: n('HANDOFF_TICK_MS', 5_000),
  };
}

/** What the console stream carries. */
export type HubEvent =
  | { type: 'queue' }
  | { type: 'message'; handoffId: number; agentId: string | null; role: 'customer' | 'agent' | 'bot' | 'system'; text: string; at: string }
  | { type: 'assigned'; handoffId: number; agentId: string }
  | { type: 'closed'; handoffId: number; agentId: string | null; status: string };

export interface HubDeps {
  db: Db;
  queue: HandoffQueue;
  interactions: InteractionRepo;
  log: Logger;
  settings: HandoffSettings;
  now?: () => Date;
  /** Names agents in the customer's "X has joined" and closing messages and on their relayed replies. */
  agentName?: (id: string) => string;
  /** Left messages become follow-ups (survey module's FollowupRepo and settings). */
  leaveMessage: (interactionId: string, text: string) => Promise<number>;
  offerSurvey: (interactionId: string, trigger: 'agent_resolved') => Promise<boolean>;
  /** Active survey for this interaction: its answers must not trigger a complaint handoff. */
  surveyOpen: (interactionId: string) => Promise<boolean>;
  /** True when the knowledge base answers this text directly (a question about a complaint is then answered, not queued). */
  kbAnswers?: (text: string, locale: Locale) => boolean;
  /** Any survey (open or closed) for this interaction: the reason a resolve offers none. */
  surveyed?: (interactionId: string) => Promise<boolean>;
  /** The bot's dialog stack: a complaint in the first message seeds it so the later survey can start. */
  dialogState?: StatePropertyAccessor<DialogState>;
}

const fill = (s: string, v: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (m, k) => (k in v ? String(v[k]) : m));
/** Whole minutes as the customer is told them ("about 3 minutes"); the console shows the same figure. */
export const waitMinutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

/** Why the agent-handled survey did not start after a resolve (eligibility's reason, or what stopped it before). */
export type SurveySkipReason = string;

/** Sender shown for an agent's message: Web Chat and the Emulator name it, channelData says it is a person. */
export interface AgentIdentity { id: string; name: string; role: 'agent' }

export class HandoffHub {
  readonly events = new EventEmitter();
  private proactive?: { adapter: CloudAdapter; appId: string };
  private timer?: NodeJS.Timeout;
  private readonly now: () => Date;
  private readonly customerHistory: CustomerHistory;

  constructor(private readonly d: HubDeps) {
    this.now = d.now ?? (() => new Date());
    this.customerHistory = new CustomerHistory(d.db, { now: this.now });
    this.events.setMaxListeners(0);
  }

  /** The customer's recent interactions around this one, for the agent (see history.ts). */
  history(interactionId: string): Promise<HistoryInteraction[]> {
    return this.customerHistory.around(interactionId);
  }

  /**
   * The minutes this customer was told when queued (or requeued), as stored with that message: the
   * console shows the customer's own figure, not a new estimate that has moved since.
   */
  async toldWaitMinutes(h: Handoff): Promise<number | undefined> {
    const rows = await this.d.interactions.transcript(h.interaction_id);
    for (let i = rows.length - 1; i >= 0; i--) {
      const meta = rows[i].role === 'bot' && rows[i].meta ? (JSON.parse(rows[i].meta!) as { handoffId?: number; toldMinutes?: number }) : undefined;
      if (meta?.handoffId === h.id && typeof meta.toldMinutes === 'number') return meta.toldMinutes;
    }
    return undefined;
  }

  /** The wait a customer at `position` is told, in whole minutes; the console shows the same figure. */
  async waitEstimate(position: number): Promise<{ seconds: number; minutes: number }> {
    const seconds = await this.estimatedWaitSeconds(position);
    return { seconds, minutes: waitMinutes(seconds) };
  }

  /** HandoffHook for the main dialog. */
  readonly hook: HandoffHook = {
    request: async (ctx, interaction, reason, locale) => void (await this.request(ctx, interaction.id, reason === 'customer_request' ? 'asked' : reason, locale)),
  };

  /** Survey recovery offer accepted ("yes, let a person call me back"): recorded like the other triggers. */
  readonly onRecoveryAccepted = async (ctx: TurnContext, interactionId: string): Promise<void> => {
    const i = await this.d.interactions.get(interactionId);
    await this.d.interactions.update(interactionId, { handoff_offered: 1, handoff_reason: 'recovery' });
    await this.d.interactions.logEvent(interactionId, 'handoff_requested', { reason: 'recovery' });
    await this.request(ctx, interactionId, 'recovery', normalizeLocale(i?.locale) ?? 'en');
  };

  start(p: { adapter: CloudAdapter; appId: string }): void {
    this.proactive = p;
    this.timer = setInterval(() => void this.tick().catch((error) => this.d.log.warn('handoff tick failed', { error })), this.d.settings.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.events.emit('stop');
  }

  /** Queue the conversation, tell the customer position and estimate, announce it to channel and consoles. */
  async request(ctx: TurnContext, interactionId: string, reason: HandoffReason, locale: Locale): Promise<Handoff> {
    const h = await this.d.queue.enqueue(interactionId, reason, locale);
    await this.d.interactions.logEvent(interactionId, 'handoff_queued', { handoffId: h.id, reason: h.reason, priority: h.priority });
    const position = await this.d.queue.position(h.id);
    const wait = await this.estimatedWaitSeconds(position);
    const told = waitMinutes(wait);
    await this.say(ctx, interactionId, fill(t('handoffQueued', locale), { position: Math.max(position, 1), minutes: told }), { handoffId: h.id, position, wait, toldMinutes: told });
    // Bot Framework handoff protocol: a channel-side hub may take over; the built-in queue serves otherwise.
    const transcript = (await this.d.interactions.transcript(interactionId)).map(
      (r) => ({ type: ActivityTypes.Message, text: r.text ?? '', timestamp: new Date(r.at), from: { id: r.sender ?? r.role, name: r.role, role: r.role === 'customer' ? 'user' : 'bot' } }) as Partial<Activity>,
    );
    await ctx.sendActivity(EventFactory.createHandoffInitiation(ctx, { handoffId: h.id, reason: h.reason, priority: h.priority, locale }, { activities: transcript as Activity[] }));
    this.events.emit('hub', { type: 'queue' } satisfies HubEvent);
    return h;
  }

  /**
   * Estimated wait at a queue position: position × seconds per conversation ÷ agents online.
   * Seconds per conversation is the average handling time (accept → resolve) of the last 20 built-in
   * handoffs resolved in the past week, else `defaultWaitSeconds`; agents online are those seen
   * (API call or stream heartbeat) within the agent timeout, at least 1.
   */
  async estimatedWaitSeconds(position = 1): Promise<number> {
    const since = new Date(this.now().getTime() - 7 * 86400_000).toISOString();
    const r = await this.d.db.get<{ avg: number | null }>(
      `SELECT AVG((julianday(resolved_at) - julianday(accepted_at)) * 86400) AS avg FROM
         (SELECT accepted_at, resolved_at FROM handoffs WHERE status = 'resolved' AND accepted_at IS NOT NULL AND resolved_at >= ?
           ORDER BY resolved_at DESC LIMIT 20)`,
      [since],
    );
    const perConversation = r?.avg != null && r.avg > 0 ? r.avg : this.d.settings.defaultWaitSeconds;
    const online = Math.max(1, await this.d.queue.agentsOnline(this.d.settings.agentTimeoutSeconds));
    return Math.round((Math.max(1, position) * perConversation) / online); // whole seconds (julianday arithmetic is not exact)
  }

  /** The open handoff of a conversation (its interaction may already be ended, e.g. after a survey). */
  openForConversation(conversationId: string): Promise<(Handoff & { conversation_id: string }) | undefined> {
    return this.d.db.get(
      `SELECT h.*, i.conversation_id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id
        WHERE i.conversation_id = ? AND h.status IN (${OPEN_SQL}) ORDER BY h.id DESC LIMIT 1`,
      [conversationId],
    );
  }

  /** The customer's message belongs to the interaction: a customer turn and a transcript line (redacted by the repository). */
  private async customerSaid(interactionId: string, ctx: TurnContext, text: string): Promise<void> {
    await this.d.interactions.touch(interactionId, { customerTurn: true });
    await this.d.interactions.addTranscript(interactionId, { role: 'customer', text, sender: ctx.activity.from?.id, activityId: ctx.activity.id });
  }

  /** ServiceBot interceptor: while queued or held (built-in or external) the bot is silent; complaints jump into the queue. */
  readonly interceptor = async (ctx: TurnContext): Promise<boolean> => {
    const a = ctx.activity;
    if (a.type !== ActivityTypes.Message || !a.conversation?.id) return false;
    const text = (a.text ?? '').trim();
    // one lookup per turn: a conversation has at most one open handoff, and it is its latest
    const latest = await this.d.db.get<Handoff & { conversation_id: string }>(
      'SELECT h.*, i.conversation_id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ? ORDER BY h.id DESC LIMIT 1',
      [a.conversation.id],
    );
    const open = latest && (OPEN_STATUSES as readonly string[]).includes(latest.status) ? latest : undefined;
    if (open) {
      const locale = normalizeLocale(open.locale) ?? 'en';
      // Stored first, so nothing the customer says is lost if the relay fails.
      await this.customerSaid(open.interaction_id, ctx, text);
      if (isCancel(text)) {
        await this.d.queue.cancel(open.interaction_id);
        await this.d.interactions.logEvent(open.interaction_id, 'handoff_cancelled', { handoffId: open.id, by: 'customer' });
        await this.say(ctx, open.interaction_id, t('handoffCancelled', locale));
        this.events.emit('hub', { type: 'closed', handoffId: open.id, agentId: open.agent_id, status: 'cancelled' } satisfies HubEvent);
        this.events.emit('hub', { type: 'queue' } satisfies HubEvent);
        return true;
      }
      if (open.status === 'queued' && (await this.leaveMessageStep(ctx, open, text, locale))) return true;
      const row = (await this.d.interactions.transcript(open.interaction_id)).at(-1);
      this.events.emit('hub', { type: 'message', handoffId: open.id, agentId: open.agent_id, role: 'customer', text: row?.text ?? '', at: row?.at ?? this.now().toISOString() } satisfies HubEvent);
      if (open.status === 'queued') this.events.emit('hub', { type: 'queue' } satisfies HubEvent); // waiting list shows the latest text
      return true;
    }
    if (text && latest && (await this.afterFailedStep(ctx, latest, text))) return true;
    if (text && (await this.recoveryOfferStep(ctx, a.conversation.id, text))) return true;
    if (!text || !isComplaint(text)) return false;
    const current = await this.d.interactions.current(a.conversation.id);
    if (current && (await this.d.surveyOpen(current.id))) return false;
    const locale = normalizeLocale(current?.locale) ?? (/[\u4e00-\u9fff]/.test(text) ? 'zh-CN' : 'en');
    // A question about a complaint (its status, time limits) is the knowledge base's to answer when it can;
    // a complaint being made goes to a person with priority.
    if (isQuestion(text) && this.d.kbAnswers?.(text, locale)) return false;
    const interaction = current ?? (await ensureInteraction(ctx, this.d.interactions, locale));
    await this.customerSaid(interaction.id, ctx, text);
    await this.d.interactions.update(interaction.id, { handoff_offered: 1, handoff_reason: 'complaint' });
    await this.d.interactions.logEvent(interaction.id, 'handoff_requested', { reason: 'complaint' });
    await this.request(ctx, interaction.id, 'complaint', locale);
    await this.seedMainDialog(ctx);
    return true;
  };

  /**
   * The complaint may be the first message, consumed before the main dialog ever ran. offerSurvey
   * pushes the survey inside an active main dialog, so put the main dialog (waiting in its router)
   * on the stack without running it. Mirrors ComponentDialog's persisted layout ('dialogs').
   */
  private async seedMainDialog(ctx: TurnContext): Promise<void> {
    if (!this.d.dialogState) return;
    const st = await this.d.dialogState.get(ctx, { dialogStack: [] });
    if (st.dialogStack.length) return;
    st.dialogStack.push({ id: MAIN_DIALOG_ID, state: { dialogs: { dialogStack: [{ id: 'router', state: {} }] } } });
  }

  /** After the wait-limit apology: "leave a message", then the message itself becomes a follow-up. */
  private async leaveMessageStep(ctx: TurnContext, h: Handoff, text: string, locale: Locale): Promise<boolean> {
    const last = await this.d.db.get<{ kind: string }>(
      `SELECT kind FROM interaction_events WHERE interaction_id = ? AND at >= ? AND kind IN ('handoff_wait_apology','handoff_leave_message_asked')
        ORDER BY id DESC LIMIT 1`,
      [h.interaction_id, h.queued_at],
    );
    if (!last) return false;
    if (last.kind === 'handoff_wait_apology') {
      if (!isLeaveMessage(text)) return false;
      await this.d.interactions.logEvent(h.interaction_id, 'handoff_leave_message_asked', { handoffId: h.id });
      await this.say(ctx, h.interaction_id, t('handoffLeaveMessagePrompt', locale));
      return true;
    }
    const followupId = await this.d.leaveMessage(h.interaction_id, text);
    await this.d.queue.cancel(h.interaction_id);
    await this.d.interactions.logEvent(h.interaction_id, 'handoff_left_message', { handoffId: h.id, followupId });
    await this.say(ctx, h.interaction_id, t('handoffLeftMessage', locale));
    this.events.emit('hub', { type: 'queue' } satisfies HubEvent);
    return true;
  }

  /**
   * After a failed external handoff the customer was offered to leave a message: "leave a message"
   * asks for it, the next message becomes a follow-up. Any other reply lapses the offer (the bot
   * answers it). Only for the conversation's latest handoff, cancelled after a `handoff_failed`.
   */
  private async afterFailedStep(ctx: TurnContext, h: Handoff, text: string): Promise<boolean> {
    if (h.status !== 'cancelled') return false;
    const failed = await this.d.db.get<{ id: number }>(
      "SELECT MAX(id) AS id FROM interaction_events WHERE interaction_id = ? AND kind = 'handoff_failed' AND at >= ?",
      [h.interaction_id, h.queued_at],
    );
    if (failed?.id == null) return false;
    const last = await this.d.db.get<{ kind: string }>(
      `SELECT kind FROM interaction_events WHERE interaction_id = ? AND id >= ?
          AND kind IN ('handoff_failed','handoff_leave_message_asked','handoff_left_message','handoff_leave_message_lapsed')
        ORDER BY id DESC LIMIT 1`,
      [h.interaction_id, failed.id],
    );
    const locale = normalizeLocale(h.locale) ?? 'en';
    if (last?.kind === 'handoff_failed') {
      if (!isLeaveMessage(text)) {
        await this.d.interactions.logEvent(h.interaction_id, 'handoff_leave_message_lapsed', { handoffId: h.id });
        return false;
      }
      await this.customerSaid(h.interaction_id, ctx, text);
      await this.d.interactions.logEvent(h.interaction_id, 'handoff_leave_message_asked', { handoffId: h.id });
      await this.say(ctx, h.interaction_id, t('handoffLeaveMessagePrompt', locale));
      return true;
    }
    if (last?.kind !== 'handoff_leave_message_asked') return false;
    await this.customerSaid(h.interaction_id, ctx, text);
    const followupId = await this.d.leaveMessage(h.interaction_id, text);
    await this.d.interactions.logEvent(h.interaction_id, 'handoff_left_message', { handoffId: h.id, followupId });
    await this.say(ctx, h.interaction_id, t('handoffLeftMessage', locale));
    return true;
  }

  /**
   * The survey module's proactive offer of a person (after clearly negative feedback) is answered in
   * the next message, outside any dialog. "Yes" (the button, "yes please", "好的") queues the customer
   * with reason `recovery`, so the console says why they are there; "no" is acknowledged; anything
   * else lapses the offer and the bot answers it. The survey dialog answers its own in-survey offer.
   */
  private async recoveryOfferStep(ctx: TurnContext, conversationId: string, text: string): Promise<boolean> {
    const last = await this.d.db.get<{ kind: string; interaction_id: string }>(
      `SELECT e.kind, e.interaction_id FROM interaction_events e JOIN interactions i ON i.id = e.interaction_id
        WHERE i.conversation_id = ? AND e.kind IN ('recovery_notified','recovery_accepted','recovery_declined','recovery_lapsed','handoff_queued')
        ORDER BY e.id DESC LIMIT 1`,
      [conversationId],
    );
    if (last?.kind !== 'recovery_notified') return false;
    const reply = recoveryReply(undefined, text) ?? yesNo(text);
    const offered = await this.d.interactions.get(last.interaction_id);
    const locale = normalizeLocale(offered?.locale) ?? (/[\u4e00-\u9fff]/.test(text) ? 'zh-CN' : 'en');
    if (reply !== 'yes' && reply !== 'no') {
      await this.d.interactions.logEvent(last.interaction_id, 'recovery_lapsed', { by: 'other_message' });
      return false;
    }
    // The customer's reply opens (or joins) the current interaction, like any message after a survey.
    const current = (await this.d.interactions.current(conversationId)) ?? (await ensureInteraction(ctx, this.d.interactions, locale));
    await this.customerSaid(current.id, ctx, text);
    if (reply === 'no') {
      await this.d.interactions.logEvent(last.interaction_id, 'recovery_declined', { by: 'customer' });
      await this.say(ctx, current.id, handoffText('recoveryDeclined', locale));
      return true;
    }
    await this.d.interactions.logEvent(last.interaction_id, 'recovery_accepted', { by: 'customer', interactionId: current.id });
    await this.d.interactions.update(current.id, { handoff_offered: 1, handoff_reason: 'recovery' });
    await this.d.interactions.logEvent(current.id, 'handoff_requested', { reason: 'recovery' });
    await this.request(ctx, current.id, 'recovery', locale);
    await this.seedMainDialog(ctx);
    return true;
  }

  /**
   * Inbound `handoff.status` from a channel-side hub, always recorded (`handoff_status`):
   * - `accepted`: a queued request is held externally (status `external`): out of the built-in queue,
   *   the bot stays silent;
   * - `failed`: a queued or externally held request is closed, the customer is back with the bot and
   *   told so in their language, with the offer to leave a message;
   * - `completed`: the external agent is done, the bot answers again.
   * A request already held by a built-in agent is left with that agent for accepted/failed.
   */
  readonly onEvent = async (ctx: TurnContext, next: () => Promise<void>): Promise<void> => {
    const a = ctx.activity;
    if (a.name === 'handoff.status' && a.conversation?.id) {
      const state = String((a.value as { state?: unknown } | undefined)?.state ?? '');
      const message = (a.value as { message?: unknown } | undefined)?.message;
      const open = await this.openForConversation(a.conversation.id);
      const interactionId = open?.interaction_id ?? (await this.d.interactions.current(a.conversation.id))?.id;
      if (interactionId) {
        await this.d.interactions.logEvent(interactionId, 'handoff_status', { state, message: typeof message === 'string' ? message : undefined, handoffId: open?.id });
        if (open) await this.applyExternalStatus(ctx, open, state);
      }
    }
    await next();
  };

  private async applyExternalStatus(ctx: TurnContext, open: Handoff, state: string): Promise<void> {
    const heldByBuiltIn = open.status === 'assigned';
    if (state === 'accepted') {
      if (heldByBuiltIn || !(await this.d.queue.holdExternally(open.id))) {
        if (open.status !== 'external') this.d.log.warn('handoff.status accepted ignored: already held by a built-in agent', { handoffId: open.id, agentId: open.agent_id });
        return;
      }
      await this.d.interactions.logEvent(open.interaction_id, 'handoff_external_accepted', { handoffId: open.id });
      this.events.emit('hub', { type: 'queue' } satisfies HubEvent);
    } else if (state === 'failed') {
      if (heldByBuiltIn) {
        this.d.log.warn('handoff.status failed ignored: a built-in agent holds the conversation', { handoffId: open.id, agentId: open.agent_id });
        return;
      }
      await this.d.queue.cancel(open.interaction_id);
      await this.d.interactions.logEvent(open.interaction_id, 'handoff_failed', { handoffId: open.id, status: open.status });
      const locale = normalizeLocale(open.locale) ?? 'en';
      const msg = MessageFactory.suggestedActions([t('handoffLeaveMessage', locale)], handoffText('handoffFailed', locale));
      await this.d.interactions.addTranscript(open.interaction_id, { role: 'bot', text: msg.text });
      await ctx.sendActivity(msg);
      this.events.emit('hub', { type: 'closed', handoffId: open.id, agentId: open.agent_id, status: 'failed' } satisfies HubEvent);
      this.events.emit('hub', { type: 'queue' } satisfies HubEvent);
    } else if (state === 'completed') {
      await this.d.queue.cancel(open.interaction_id);
      this.events.emit('hub', { type: 'closed', handoffId: open.id, agentId: open.agent_id, status: 'completed' } satisfies HubEvent);
      if (open.status === 'queued') this.events.emit('hub', { type: 'queue' } satisfies HubEvent);
    }
  }

  // ---- agent side -------------------------------------------------------------------------

  async accept(h: Handoff, agentId: string): Promise<boolean> {
    if (!(await this.d.queue.accept(h.id, agentId))) return false;
    await this.d.interactions.logEvent(h.interaction_id, 'handoff_accepted', { handoffId: h.id, agentId });
    const locale = normalizeLocale(h.locale) ?? 'en';
    await this.proactiveSay(h.interaction_id, fill(t('handoffAgentJoined', locale), { name: this.d.agentName?.(agentId) ?? agentId })).catch((error) =>
      this.d.log.warn('agent-joined notice not delivered', { error, handoffId: h.id }),
    );
    this.events.emit('hub', { type: 'queue' } satisfies HubEvent);
    this.events.emit('hub', { type: 'assigned', handoffId: h.id, agentId } satisfies HubEvent);
    return true;
  }

  async transfer(h: Handoff, from: string, to: string): Promise<boolean> {
    if (!(await this.d.queue.transfer(h.id, from, to))) return false;
    await this.d.interactions.logEvent(h.interaction_id, 'handoff_transferred', { handoffId: h.id, from, to });
    this.events.emit('hub', { type: 'assigned', handoffId: h.id, agentId: to } satisfies HubEvent);
    this.events.emit('hub', { type: 'closed', handoffId: h.id, agentId: from, status: 'transferred' } satisfies HubEvent);
    return true;
  }

  /** Agent's note about the customer: redacted before it is written, like the transcript. */
  async note(h: Handoff, agentId: string, text: string): Promise<void> {
    await this.d.db.run('INSERT INTO handoff_notes(handoff_id, agent_id, text, created_at) VALUES (?,?,?,?)', [h.id, agentId, redact(text).text, this.now().toISOString()]);
  }

  /** Agent reply: stored (redacted) before it is sent, so the transcript never misses a sent line. */
  /** Stores, then relays an agent's message; false (nothing sent) when `clientId` was already used here. */
  async agentMessage(h: Handoff, agentId: string, text: string, clientId?: string): Promise<boolean> {
    if (clientId) {
      const dup = await this.d.db.get(
        "SELECT 1 FROM transcript WHERE interaction_id = ? AND role = 'agent' AND sender = ? AND json_extract(meta, '$.clientId') = ?",
        [h.interaction_id, agentId, clientId],
      );
      if (dup) return false;
    }
    await this.d.interactions.addTranscript(h.interaction_id, { role: 'agent', text, sender: agentId, ...(clientId ? { meta: { clientId } } : {}) });
    await this.d.interactions.touch(h.interaction_id); // conversation activity, not a customer turn
    const who = this.agent(agentId);
    await this.proactiveSend(h.interaction_id, async (ctx) => {
      this.asAgent(ctx, who);
      await ctx.sendActivity(MessageFactory.text(text));
    });
    await this.d.queue.agentReplied(h.id);
    const row = (await this.d.interactions.transcript(h.interaction_id)).at(-1);
    this.events.emit('hub', { type: 'message', handoffId: h.id, agentId, role: 'agent', text: row?.text ?? '', at: row?.at ?? '' } satisfies HubEvent);
    return true;
  }

  /**
   * Release first (the customer's survey answers must reach the dialog), tell the customer in their
   * language that the agent has closed the conversation, then offer the agent-handled survey. When
   * eligibility (or anything else) stops the survey, the reason is logged and returned to the agent.
   */
  async resolve(h: Handoff, agentId: string): Promise<{ surveyStarted: boolean; surveySkipped?: SurveySkipReason; closingSent: boolean } | undefined> {
    const done = await this.d.queue.resolve(h.id, agentId);
    if (!done) return undefined;
    const at = this.now().toISOString();
    await this.d.interactions.logEvent(h.interaction_id, 'handoff_resolved', { handoffId: h.id, agentId });
    this.events.emit('hub', { type: 'closed', handoffId: h.id, agentId, status: 'resolved' } satisfies HubEvent);
    const locale = normalizeLocale(h.locale) ?? 'en';
    let closingSent = true;
    await this.proactiveSay(h.interaction_id, fill(handoffText('handoffResolved', locale), { name: this.agent(agentId).name })).catch((error) => {
      closingSent = false;
      this.d.log.warn('closing message not delivered', { error, handoffId: h.id });
    });
    let surveyStarted = false;
    let skipped: SurveySkipReason | undefined;
    try {
      surveyStarted = await this.d.offerSurvey(h.interaction_id, 'agent_resolved');
    } catch (error) {
      skipped = 'error';
      this.d.log.warn('agent-resolved survey not offered', { error, handoffId: h.id });
    }
    if (!surveyStarted) {
      skipped ??= await this.surveySkipReason(h.interaction_id, at);
      await this.d.interactions.logEvent(h.interaction_id, 'survey_not_offered', { trigger: 'agent_resolved', reason: skipped, handoffId: h.id });
      this.d.log.info('agent-resolved survey not offered', { handoffId: h.id, reason: skipped });
    }
    return { surveyStarted, ...(skipped ? { surveySkipped: skipped } : {}), closingSent };
  }

  /** Eligibility's logged reason since `at`; else what stopped the offer before eligibility ran. */
  private async surveySkipReason(interactionId: string, at: string): Promise<SurveySkipReason> {
    const decision = (await this.d.interactions.events(interactionId)).filter((e) => e.kind === 'survey_eligibility' && e.at >= at).at(-1);
    const d = decision?.detail ? (JSON.parse(decision.detail) as { eligible?: boolean; reason?: string }) : undefined;
    if (d && d.eligible === false && d.reason) return d.reason;
    const i = await this.d.interactions.get(interactionId);
    if (!i) return 'unknown_interaction';
    // offerSurvey does not survey an ended interaction: one that ended in its own survey was surveyed
    const surveyed = (await this.d.surveyed?.(interactionId)) ?? false;
    if (i.ended_at) return surveyed ? 'already_surveyed' : 'interaction_ended';
    return surveyed ? 'already_surveyed' : 'not_started';
  }

  private agent(agentId: string): AgentIdentity {
    return { id: agentId, name: this.d.agentName?.(agentId) ?? agentId, role: 'agent' };
  }

  /**
   * Messages of this turn go out as the agent: `from.name` is theirs (the id stays the bot's, the only
   * sender a channel delivers from) and `channelData.agent` marks a person, so Web Chat can draw the
   * agent's own avatar and name instead of the bot's.
   */
  private asAgent(ctx: TurnContext, who: AgentIdentity): void {
    ctx.onSendActivities(async (_ctx, activities, next) => {
      for (const a of activities) {
        if (a.type !== ActivityTypes.Message) continue;
        a.from = { ...a.from, id: a.from?.id ?? '', name: who.name, role: 'bot' };
        a.channelData = { ...(a.channelData as object | undefined), agent: who };
      }
      return next();
    });
  }

  /** Timers: requeue conversations of vanished agents; apologise to customers past the wait limit. */
  async tick(): Promise<void> {
    const s = this.d.settings;
    const requeued = await this.d.queue.requeueStale(s.agentTimeoutSeconds);
    if (requeued.length) {
      this.d.log.warn('agent console gone: conversations requeued', { count: requeued.length });
      this.events.emit('hub', { type: 'queue' } satisfies HubEvent);
    }
    for (const h of requeued) {
      const position = await this.d.queue.position(h.id);
      const wait = await this.estimatedWaitSeconds(position);
      await this.d.interactions.logEvent(h.interaction_id, 'handoff_requeued', { handoffId: h.id, previousAgentId: h.previous_agent_id, position });
      this.events.emit('hub', { type: 'closed', handoffId: h.id, agentId: h.previous_agent_id, status: 'requeued' } satisfies HubEvent);
      const locale = normalizeLocale(h.locale) ?? 'en';
      await this.proactiveSay(h.interaction_id, fill(handoffText('handoffRequeued', locale), { position: Math.max(position, 1), minutes: waitMinutes(wait) }), { handoffId: h.id, position, wait, toldMinutes: waitMinutes(wait) }).catch((error) =>
        this.d.log.warn('requeue notice not delivered', { error, handoffId: h.id }),
      );
    }
    const cutoff = new Date(this.now().getTime() - s.waitLimitSeconds * 1000).toISOString();
    const late = await this.d.db.all<Handoff>(
      `SELECT h.* FROM handoffs h WHERE h.status = 'queued' AND h.queued_at < ? AND NOT EXISTS
         (SELECT 1 FROM interaction_events e WHERE e.interaction_id = h.interaction_id AND e.kind = 'handoff_wait_apology' AND e.at >= h.queued_at)`,
      [cutoff],
    );
    for (const h of late) {
      await this.d.interactions.logEvent(h.interaction_id, 'handoff_wait_apology', { handoffId: h.id });
      const locale = normalizeLocale(h.locale) ?? 'en';
      const msg = MessageFactory.suggestedActions([t('handoffLeaveMessage', locale), t('handoffKeepWaiting', locale)], t('handoffWaitApology', locale));
      await this.d.interactions.addTranscript(h.interaction_id, { role: 'bot', text: msg.text });
      await this.proactiveSend(h.interaction_id, async (ctx) => void (await ctx.sendActivity(msg))).catch((error) =>
        this.d.log.warn('wait apology not delivered', { error, handoffId: h.id }),
      );
    }
  }

  private async say(ctx: TurnContext, interactionId: string, text: string, meta?: unknown): Promise<void> {
    await this.d.interactions.addTranscript(interactionId, { role: 'bot', text, meta });
    await ctx.sendActivity(MessageFactory.text(text));
  }

  private async proactiveSay(interactionId: string, text: string, meta?: unknown): Promise<void> {
    await this.d.interactions.addTranscript(interactionId, { role: 'bot', text, meta });
    await this.proactiveSend(interactionId, async (ctx) => void (await ctx.sendActivity(MessageFactory.text(text))));
  }

  private async proactiveSend(interactionId: string, fn: (ctx: TurnContext) => Promise<void>): Promise<void> {
    const p = this.proactive;
    if (!p) throw new Error('handoff hub: start() has not been called');
    const i = await this.d.interactions.get(interactionId);
    const ref = i && (await this.d.interactions.reference(i.conversation_id));
    if (!ref) throw new Error(`no conversation reference for interaction ${interactionId}`);
    await p.adapter.continueConversationAsync(p.appId, ref as ConversationReference, fn);
  }
}
