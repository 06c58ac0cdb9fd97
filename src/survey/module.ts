import type { CloudAdapter, ConversationState, TurnContext } from 'botbuilder';
import { ComponentDialog, DialogSet, type Dialog } from 'botbuilder-dialogs';
import type restify from 'restify';
import { recoveryActivity } from '../../dialogs/surveyCards';
import { createSurveyHook, SURVEY_DIALOG_ID, SurveyDialog, type SurveyDialogDeps } from '../../dialogs/surveyDialog';
import type { Logger } from '../log';
import { normalizeLocale } from '../nlp/locale';
import type { Db } from '../storage/db';
import type { InteractionRepo } from '../storage/interactions';
import { registerSurveyRoutes } from '../web/surveysApi';
import { loadSurveyConfig, type SurveyConfig, type SurveySettings } from './definitions';
import { Eligibility } from './eligibility';
import { createFollowupForNegativeFeedback, decideFollowup, feedbackContext, FollowupRepo } from './followups';
import type { ConversationData } from '../../dialogs/mainDialog';
import { IdleScheduler } from './idleScheduler';
import { SurveyRepo } from './surveyRepo';
import { RecentKeys } from '../storage/recentKeys';
import type { TurnLock } from '../bots/turnLock';

export interface ProactiveDeps {
  adapter: CloudAdapter;
  appId: string;
  conversationState: ConversationState;
  mainDialog: ComponentDialog;
}

export interface SurveyModuleOptions {
  db: Db;
  interactions: InteractionRepo;
  log: Logger;
  now?: () => Date;
  configPath?: string;
  /** Shared with the bot's incoming turns: a proactive survey turn and a customer turn never interleave. */
  turnLock: TurnLock;
  /** Overrides of models/surveys.yaml settings (tests use a short idle timeout). */
  settings?: Partial<SurveySettings>;
  idleTickMs?: number;
  onRecoveryAccepted?: SurveyDialogDeps['onRecoveryAccepted'];
  onFeedback?: SurveyDialogDeps['onFeedback'];
  /** Why a proactive message cannot reach this conversation now (a messaging app's service window), or undefined. */
  undeliverable?: (channel: string, conversationId: string) => Promise<string | undefined>;
}

/** Builds the survey parts: the SurveyHook for the main dialog, an interceptor, the API and the idle scheduler. */
export function createSurveyModule(o: SurveyModuleOptions) {
  const base: SurveyConfig = loadSurveyConfig(o.configPath ?? 'models/surveys.yaml');
  const config: SurveyConfig = { ...base, settings: { ...base.settings, ...o.settings } };
  const surveys = new SurveyRepo(o.db, o.now);
  const followups = new FollowupRepo(o.db, o.now);
  const eligibility = new Eligibility(o.interactions, surveys, () => config.settings, o.now);
  const dialog = new SurveyDialog({
    config,
    surveys,
    followups,
    interactions: o.interactions,
    onRecoveryAccepted: o.onRecoveryAccepted,
    onFeedback: o.onFeedback,
  });
  const hook = createSurveyHook(dialog, eligibility);
  const csatScale = config.definitions.flatMap((d) => d.items).find((i) => i.kind === 'csat')?.scale ?? { min: 1, max: 5 };
  let scheduler: IdleScheduler | undefined;
  let proactive: ProactiveDeps | undefined;

  /**
   * Entry point for triggers outside a customer turn (idle timeout; the handoff side calls it with
   * 'agent_resolved' when an agent resolves a conversation). Eligibility is checked and logged;
   * returns true when the survey was started.
   */
  async function offerSurvey(interactionId: string, trigger: 'idle_timeout' | 'agent_resolved'): Promise<boolean> {
    const p = proactive;
    if (!p) throw new Error('survey module: startIdle() has not been called');
    const interaction = await o.interactions.get(interactionId);
    if (!interaction) return false;
    const reference = await o.interactions.reference(interaction.conversation_id);
    if (!reference) {
      o.log.warn('survey offer skipped: no conversation reference', { interactionId });
      return false;
    }
    const blocked = await o.undeliverable?.(interaction.channel, interaction.conversation_id);
    if (blocked) {
      await o.interactions.logEvent(interactionId, 'survey_eligibility', { trigger, eligible: false, reason: 'channel_window', detail: blocked });
      o.log.info('survey offer skipped: the channel cannot deliver it now', { interactionId, channel: interaction.channel, reason: blocked });
      return false;
    }
    let started = false;
    await o.turnLock.run(interaction.conversation_id, () => p.adapter.continueConversationAsync(p.appId, reference, async (ctx) => {
      const current = await o.interactions.get(interactionId);
      if (!current || current.ended_at) return;
      await o.interactions.logEvent(current.id, 'survey_trigger', { trigger });
      const locale = normalizeLocale(current.locale) ?? 'en';
      const options = await hook.prepare(ctx, current, trigger, locale);
      if (!options) return;
      const dialogs = new DialogSet(p.conversationState.createProperty('DialogState'));
      dialogs.add(p.mainDialog as Dialog);
      const dc = await dialogs.createContext(ctx);
      const child = dc.activeDialog?.id === p.mainDialog.id ? p.mainDialog.createChildContext(dc) : undefined;
      if (!child || child.activeDialog?.id === SURVEY_DIALOG_ID) {
        o.log.warn('survey offer skipped: main dialog not active', { interactionId });
        return;
      }
      await child.beginDialog(SURVEY_DIALOG_ID, options);
      await p.conversationState.saveChanges(ctx, false);
      started = true;
    }));
    return started;
  }

  /** A message in a new conversation abandons this user's surveys left open elsewhere. Never consumes the turn. */
  // Only a switch of conversation can abandon anything: consecutive messages in the same one skip the write.
  const lastConversation = new RecentKeys<string>();
  const interceptor = async (ctx: TurnContext): Promise<boolean> => {
    const userId = ctx.activity.from?.id;
    const conversationId = ctx.activity.conversation?.id;
    if (userId && conversationId && lastConversation.get(userId) !== conversationId) {
      lastConversation.set(userId, conversationId);
      const n = await surveys.abandonOpenForUser(userId, conversationId);
      if (n) o.log.info('open surveys marked incomplete: customer started a new conversation', { count: n });
    }
    return false;
  };

  return {
    config,
    surveys,
    followups,
    eligibility,
    dialog,
    hook,
    interceptor,
    registerRoutes(server: restify.Server, token?: string): boolean {
      const items = [...new Set(config.definitions.flatMap((d) => d.items.map((i) => i.id)))];
      return registerSurveyRoutes(server, { token, surveys, followups, items });
    },

    /**
     * Attach the proactive side: the idle-timeout trigger and offerSurvey(). The survey is pushed
     * inside the main dialog's stack in a proactive turn, so the customer's next message reaches it
     * exactly as in a normal turn.
     */
    startIdle(p: ProactiveDeps): IdleScheduler {
      proactive = p;
      scheduler = new IdleScheduler({
        interactions: o.interactions,
        surveys,
        settings: () => config.settings,
        log: o.log,
        now: o.now,
        tickMs: o.idleTickMs,
        exclusive: (name, fn) => o.db.tryLock(name, fn),
        offer: async (due) => void (await offerSurvey(due.interactionId, 'idle_timeout')),
      });
      if (config.settings.idleTimeoutEnabled) scheduler.start();
      return scheduler;
    },

    offerSurvey,

    /**
     * An open answer was classified: decide from its sentiment and confidence together with the survey's rating
     * and "resolved?" answer (decideFollowup). Only a negative comment is this path's to follow up (a low rating
     * or "not resolved" was followed up in the survey itself); the follow-up records the signals, and where
     * proactive messages are allowed the customer gets the apology and the offer of a person, whose "yes" or
     * "好的" the main dialog then reads as the answer to that offer. Without a result the comment counts as
     * clearly negative (an analyst or a test forcing recovery).
     */
    async recoverNegativeFeedback(
      feedbackId: number,
      result: { sentiment: string | null; confidence: number } = { sentiment: 'negative', confidence: 1 },
    ): Promise<{ followupId?: number; notified: boolean }> {
      const s = config.settings;
      const fc = await feedbackContext(o.db, feedbackId);
      if (!fc) return { notified: false };
      const decision = decideFollowup({
        csat: fc.csat === undefined ? undefined : { value: fc.csat, ...csatScale },
        resolved: fc.resolved,
        sentiment: result.sentiment as 'negative' | 'neutral' | 'positive' | null,
        confidence: result.confidence,
      });
      if (!decision.open || decision.reason !== 'negative_feedback') return { notified: false };
      const followupId = await createFollowupForNegativeFeedback(o.db, feedbackId, { owner: s.followupOwner, dueHours: s.followupDueHours, now: o.now, signals: decision.signals });
      if (followupId === undefined) return { notified: false };
      const interaction = await o.interactions.get(fc.interactionId);
      if (!interaction) return { followupId, notified: false };
      await o.interactions.logEvent(interaction.id, 'recovery_offered', { reason: 'negative_feedback', followupId, feedbackId, signals: decision.signals });
      const reference = await o.interactions.reference(interaction.conversation_id);
      const p = proactive;
      if (!p || !reference || !s.proactiveChannels.includes(interaction.channel)) return { followupId, notified: false };
      const locale = normalizeLocale(interaction.locale) ?? 'en';
      await o.turnLock.run(interaction.conversation_id, () =>
        p.adapter.continueConversationAsync(p.appId, reference, async (ctx) => {
          await ctx.sendActivity(recoveryActivity(locale, 'suggested', s.followupDueHours));
          const data = await p.conversationState.createProperty<ConversationData>('ConversationData').get(ctx, {});
          data.offer = 'handoff';
          data.offerReason = 'recovery';
          await p.conversationState.saveChanges(ctx, false);
        }),
      );
      // the customer saw the offer: their next message answers it (the handoff hub reads this)
      await o.interactions.logEvent(interaction.id, 'recovery_notified', { feedbackId, followupId });
      return { followupId, notified: true };
    },

    async stop(): Promise<void> {
      await scheduler?.stop();
    },
  };
}

export type SurveyModule = ReturnType<typeof createSurveyModule>;
