import { ActionTypes, CardFactory, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { ComponentDialog, Dialog, type DialogContext, type DialogTurnResult, type DialogReason } from 'botbuilder-dialogs';
import type { KnowledgeBase } from '../src/nlp/kb';
import { detectLocale, hasHan, normalizeLocale, type Locale } from '../src/nlp/locale';
import type { Matcher, MatchResult } from '../src/nlp/matcher';
import { detectSmallTalk, parseResolved } from '../src/nlp/smalltalk';
import type { Interaction } from '../src/storage/interactions';
import type { InteractionStore } from '../src/storage/stores';
import { t } from './strings';

export const MAIN_DIALOG_ID = 'mainDialog';
const ROUTER_ID = 'router';

/** Per-conversation data kept in ConversationState (SQLite), so it survives restarts. */
export interface ConversationData {
  locale?: Locale;
  awaitingResolved?: string; // KB entry id we asked "did that solve it?" about
  lowStreak?: number;
  lastMatches?: { id: string; score: number }[];
}

export type SurveyTrigger = 'goodbye' | 'resolved_confirmed' | 'agent_resolved' | 'idle_timeout';

/** Survey integration: decides eligibility (and logs it) and names the dialog to begin. */
export interface SurveyHook {
  dialog: Dialog;
  /** Options for the survey dialog when one should start, undefined otherwise. */
  prepare(ctx: TurnContext, interaction: Interaction, trigger: SurveyTrigger, locale: Locale): Promise<object | undefined>;
}

/** Handoff integration: called when the customer asks for a person or the bot gives up twice. */
export interface HandoffHook {
  request(ctx: TurnContext, interaction: Interaction, reason: 'customer_request' | 'low_confidence' | 'complaint', locale: Locale): Promise<void>;
}

export interface MainDialogDeps {
  kb: KnowledgeBase;
  matcher: Matcher;
  interactions: InteractionStore;
  conversationData: StatePropertyAccessor<ConversationData>;
  survey?: SurveyHook;
  handoff?: HandoffHook;
  /** Test and health-check traffic is recorded but never surveyed or counted. */
  isTestTraffic?: (userId: string, channelId: string) => boolean;
}

/** Locale for this turn: an explicit Chinese channel locale wins; otherwise the text decides, then the conversation's. */
export function resolveLocale(activityLocale: string | undefined, text: string, current: Locale | undefined): Locale {
  const tagged = normalizeLocale(activityLocale);
  const fallback = current ?? tagged ?? 'en';
  const hasLetters = /[\p{L}]/u.test(text);
  if (!hasLetters) return fallback;
  // Emulator and many channels send en-US whatever the user types, so Han text overrides an English tag.
  if (tagged && tagged !== 'en') return hasHan(text) ? detectLocale(text, tagged) : current ?? tagged;
  if (hasHan(text)) return detectLocale(text, current && current !== 'en' ? current : 'zh-CN');
  const words = text.match(/[A-Za-z]{2,}/g) ?? [];
  return words.length >= 2 || !current ? 'en' : current;
}

class RouterDialog extends Dialog {
  constructor(private readonly deps: MainDialogDeps) {
    super(ROUTER_ID);
  }

  async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    return this.handle(dc);
  }

  async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    return this.handle(dc);
  }

  /** A child (the survey) ended: wait for the next message. */
  async resumeDialog(dc: DialogContext, _reason: DialogReason, _result?: unknown): Promise<DialogTurnResult> {
    const data = await this.deps.conversationData.get(dc.context, {});
    const interaction = await this.deps.interactions.current(dc.context.activity.conversation.id);
    if (interaction && interaction.handled_by === 'bot') await this.deps.interactions.end(interaction.id);
    data.awaitingResolved = undefined;
    return Dialog.EndOfTurn;
  }

  private async handle(dc: DialogContext): Promise<DialogTurnResult> {
    const ctx = dc.context;
    const { interactions, conversationData } = this.deps;
    const data = await conversationData.get(ctx, {});
    const text = (ctx.activity.text ?? '').trim();
    const locale = resolveLocale(ctx.activity.locale, text, data.locale);
    data.locale = locale;

    const interaction = await ensureInteraction(ctx, interactions, locale, this.deps.isTestTraffic);
    await interactions.touch(interaction.id, { locale, customerTurn: true });
    await interactions.addTranscript(interaction.id, { role: 'customer', text, sender: ctx.activity.from?.id, activityId: ctx.activity.id });

    if (!text) {
      await this.say(ctx, interaction, t('emptyMessage', locale));
      return Dialog.EndOfTurn;
    }

    if (data.awaitingResolved) {
      const resolved = parseResolved(text);
      if (resolved) {
        const entryId = data.awaitingResolved;
        data.awaitingResolved = undefined;
        await interactions.update(interaction.id, { resolved });
        await interactions.logEvent(interaction.id, 'resolved_answer', { entryId, resolved });
        if (resolved === 'yes') {
          await this.say(ctx, interaction, t('gladResolved', locale));
          // SURVEY HOOK: the customer confirmed the bot solved the problem.
          return (await this.startSurvey(dc, interaction, 'resolved_confirmed', locale)) ?? Dialog.EndOfTurn;
        }
        await this.say(ctx, interaction, t('notResolved', locale));
        return Dialog.EndOfTurn;
      }
      data.awaitingResolved = undefined; // a new question instead of a yes/no
    }

    const small = detectSmallTalk(text);
    if (small === 'goodbye') {
      await this.say(ctx, interaction, t('goodbye', locale));
      await interactions.logEvent(interaction.id, 'customer_ended');
      // SURVEY HOOK: the customer ended the conversation.
      const started = await this.startSurvey(dc, interaction, 'goodbye', locale);
      if (started) return started;
      await interactions.end(interaction.id, interaction.outcome ?? 'ended');
      return Dialog.EndOfTurn;
    }
    if (small === 'human') return this.handoff(ctx, interaction, 'customer_request', locale);
    if (small === 'greeting' || small === 'thanks' || small === 'help') {
      await this.say(ctx, interaction, t(small, locale));
      return Dialog.EndOfTurn;
    }

    const result = this.deps.matcher.match(text, locale, 3);
    data.lastMatches = result.top;
    await this.answer(ctx, interaction, data, result, locale);
    if (result.level === 'low' && (data.lowStreak ?? 0) >= 2) {
      data.lowStreak = 0;
      return this.handoff(ctx, interaction, 'low_confidence', locale);
    }
    return Dialog.EndOfTurn;
  }

  private async answer(ctx: TurnContext, interaction: Interaction, data: ConversationData, result: MatchResult, locale: Locale): Promise<void> {
    const { kb, interactions } = this.deps;
    const meta = { level: result.level, confidence: result.confidence, top: result.top };
    if (result.level === 'high') {
      const entry = kb.byId.get(result.top[0].id)!;
      data.lowStreak = 0;
      data.awaitingResolved = entry.id;
      await interactions.update(interaction.id, { outcome: 'answered' });
      await this.say(ctx, interaction, entry.answer[locale], meta);
      const ask = MessageFactory.suggestedActions(
        [t('resolvedYes', locale), t('resolvedPartly', locale), t('resolvedNo', locale)],
        t('askResolved', locale),
      );
      await this.send(ctx, interaction, ask);
      return;
    }
    if (result.level === 'medium') {
      data.lowStreak = 0;
      const options = result.top.map((c) => kb.byId.get(c.id)!.questions[locale][0]);
      await this.send(ctx, interaction, MessageFactory.suggestedActions(options, t('didYouMean', locale)), meta);
      return;
    }
    data.lowStreak = (data.lowStreak ?? 0) + 1;
    if (!interaction.outcome) await interactions.update(interaction.id, { outcome: 'unanswered' });
    await interactions.update(interaction.id, { handoff_offered: 1, low_confidence_count: interaction.low_confidence_count + 1 });
    await interactions.logEvent(interaction.id, 'handoff_offered', { reason: 'low_confidence', confidence: result.confidence });
    const card = CardFactory.heroCard('', t('lowConfidence', locale), undefined, [
      { type: ActionTypes.ImBack, title: locale === 'en' ? 'Talk to a person' : locale === 'zh-TW' ? '轉真人客服' : '转人工', value: locale === 'en' ? 'agent' : '转人工' },
    ]);
    const msg = MessageFactory.attachment(card, t('lowConfidence', locale));
    await this.send(ctx, interaction, msg, meta);
  }

  private async handoff(ctx: TurnContext, interaction: Interaction, reason: 'customer_request' | 'low_confidence' | 'complaint', locale: Locale): Promise<DialogTurnResult> {
    await this.deps.interactions.update(interaction.id, { handoff_offered: 1, handoff_reason: reason });
    await this.deps.interactions.logEvent(interaction.id, 'handoff_requested', { reason });
    // HANDOFF HOOK: the agent hub queues the conversation; without one the request is recorded only.
    if (this.deps.handoff) await this.deps.handoff.request(ctx, interaction, reason, locale);
    else await this.say(ctx, interaction, t('handoffRequested', locale));
    return Dialog.EndOfTurn;
  }

  /** Begins the survey when the hook finds the interaction eligible; undefined when none starts. */
  private async startSurvey(dc: DialogContext, interaction: Interaction, trigger: SurveyTrigger, locale: Locale): Promise<DialogTurnResult | undefined> {
    await this.deps.interactions.logEvent(interaction.id, 'survey_trigger', { trigger });
    const hook = this.deps.survey;
    const options = hook ? await hook.prepare(dc.context, interaction, trigger, locale) : undefined;
    return hook && options ? dc.beginDialog(hook.dialog.id, options) : undefined;
  }

  private async say(ctx: TurnContext, interaction: Interaction, text: string, meta?: unknown): Promise<void> {
    await this.send(ctx, interaction, MessageFactory.text(text), meta);
  }

  private async send(ctx: TurnContext, interaction: Interaction, activity: Partial<import('botbuilder').Activity>, meta?: unknown): Promise<void> {
    await this.deps.interactions.addTranscript(interaction.id, { role: 'bot', text: activity.text ?? '', meta });
    await ctx.sendActivity(activity);
  }
}

/** The open interaction of this conversation, or a new one. */
export async function ensureInteraction(
  ctx: TurnContext,
  interactions: InteractionStore,
  locale: Locale,
  isTestTraffic: (userId: string, channelId: string) => boolean = () => false,
): Promise<Interaction> {
  const a = ctx.activity;
  const existing = await interactions.current(a.conversation.id);
  if (existing) return existing;
  return interactions.open({
    conversationId: a.conversation.id,
    userId: a.from?.id ?? 'unknown',
    channel: a.channelId ?? 'unknown',
    locale,
    isTest: isTestTraffic(a.from?.id ?? '', a.channelId ?? ''),
  });
}

/** Routes every customer message: small talk, knowledge-base answers, survey and handoff entry points. */
export class MainDialog extends ComponentDialog {
  constructor(deps: MainDialogDeps) {
    super(MAIN_DIALOG_ID);
    this.addDialog(new RouterDialog(deps));
    if (deps.survey) this.addDialog(deps.survey.dialog);
    this.initialDialogId = ROUTER_ID;
  }
}
