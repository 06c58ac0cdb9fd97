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
import { createFollowupForNegativeFeedback, FollowupRepo } from './followups';
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
     * The classifier tagged an open answer clearly negative: open the follow-up (owner, 24 h clock)
     * and, where proactive messages are allowed, apologise and offer a person. The offer uses plain
     * suggested actions ("talk to a person" / "转人工"), which the main dialog routes to handoff.
     */
    async recoverNegativeFeedback(feedbackId: number): Promise<{ followupId?: number; notified: boolean }> {
      const s = config.settings;
      const followupId = await createFollowupForNegativeFeedback(o.db, feedbackId, { owner: s.followupOwner, dueHours: s.followupDueHours, now: o.now });
      if (followupId === undefined) return { notified: false };
      const fb = await o.db.get<{ interaction_id: string }>('SELECT interaction_id FROM feedback WHERE id = ?', [feedbackId]);
      const interaction = fb && (await o.interactions.get(fb.interaction_id));
      if (!interaction) return { followupId, notified: false };
      await o.interactions.logEvent(interaction.id, 'recovery_offered', { reason: 'negative_feedback', followupId, feedbackId });
      const reference = await o.interactions.reference(interaction.conversation_id);
      if (!proactive || !reference || !s.proactiveChannels.includes(interaction.channel)) return { followupId, notified: false };
      const locale = normalizeLocale(interaction.locale) ?? 'en';
      await proactive.adapter.continueConversationAsync(proactive.appId, reference, async (ctx) => {
        await ctx.sendActivity(recoveryActivity(locale, 'suggested'));
      });
      return { followupId, notified: true };
    },

    async stop(): Promise<void> {
      await scheduler?.stop();
    },
  };
}

export type SurveyModule = ReturnType<typeof createSurveyModule>;
