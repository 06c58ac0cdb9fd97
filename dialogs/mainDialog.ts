import { ActionTypes, CardFactory, MessageFactory, type Activity, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { ComponentDialog, Dialog, type DialogContext, type DialogTurnResult, type DialogReason } from 'botbuilder-dialogs';
import type { KnowledgeBase } from '../src/nlp/kb';
import { detectLocale, hasHan, normalizeLocale, type Locale } from '../src/nlp/locale';
import type { Matcher, MatchResult } from '../src/nlp/matcher';
import { analyseActs, type ActAnalysis } from '../src/nlp/acts';
import { resolvedFromActs } from '../src/nlp/smalltalk';
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
  /** A yes/no offer the bot made last turn, so "yes please" / "好的" / "不用了" are read as its answer. */
  offer?: 'handoff' | 'anything_else';
  offerReason?: HandoffReason;
}

export type HandoffReason = 'customer_request' | 'low_confidence' | 'complaint' | 'recovery';

/** What a bot reply is, in channelData.reply, with KB entry ids: tests and analysts read this, not the wording. */
export interface ReplyMeta {
  reply: 'answer' | 'ask_resolved' | 'suggest' | 'fallback' | 'closing' | 'thanks' | 'greeting' | 'smalltalk' | 'help' | 'anything_else' | 'resolved' | 'not_resolved' | 'handoff' | 'empty';
  kbEntryId?: string;
  confidence?: number;
  suggestions?: { kbEntryId: string; title: string }[];
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
  request(ctx: TurnContext, interaction: Interaction, reason: HandoffReason, locale: Locale): Promise<void>;
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
  /** Channels that render cards; others get the fallback as text with suggested actions. */
  cardChannels?: readonly string[];
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
      await this.say(ctx, interaction, t('emptyMessage', locale), { reply: 'empty' });
      return Dialog.EndOfTurn;
    }

    const acts = analyseActs(text);
    if (acts.acts.has('human')) return this.handoff(ctx, interaction, data, 'customer_request', locale);
    if (!acts.content) {
      const done = await this.onActs(dc, interaction, data, acts, locale);
      if (done) return done;
    }

    // A question, whatever acts surround it ("嗯，还有，…", "ok thanks, and …", "thanks bye – oh, one more thing …").
    data.awaitingResolved = undefined;
    data.offer = undefined;
    const result = this.deps.matcher.match(acts.content || text, locale, 3);
    data.lastMatches = result.top;
    await this.answer(ctx, interaction, data, result, locale);
    if (result.level === 'low' && (data.lowStreak ?? 0) >= 2) {
      data.lowStreak = 0;
      return this.handoff(ctx, interaction, data, 'low_confidence', locale);
    }
    return Dialog.EndOfTurn;
  }

  /**
   * A message of acts only: the answer to the bot's own question or offer, a closing, thanks, greeting or small talk.
   * Returns undefined when the acts say nothing the router acts on (the text then goes to the matcher).
   */
  private async onActs(dc: DialogContext, interaction: Interaction, data: ConversationData, a: ActAnalysis, locale: Locale): Promise<DialogTurnResult | undefined> {
    const ctx = dc.context;
    const { interactions } = this.deps;
    const has = (x: Parameters<typeof a.acts.has>[0]) => a.acts.has(x);
    const offer = data.offer;
    data.offer = undefined;

    if (data.awaitingResolved) {
      const resolved = resolvedFromActs(a);
      const entryId = data.awaitingResolved;
      data.awaitingResolved = undefined;
      if (resolved) {
        await interactions.update(interaction.id, { resolved });
        await interactions.logEvent(interaction.id, 'resolved_answer', { entryId, resolved });
        if (resolved === 'yes') {
          await this.say(ctx, interaction, t('gladResolved', locale), { reply: 'resolved' });
          // SURVEY HOOK: the customer confirmed the bot solved the problem.
          return (await this.startSurvey(dc, interaction, 'resolved_confirmed', locale)) ?? this.endIfClosing(interaction, a);
        }
        if (!has('closing')) {
          await this.say(ctx, interaction, t(resolved === 'partly' ? 'partlyResolved' : 'notResolved', locale), { reply: 'not_resolved' });
          return Dialog.EndOfTurn;
        }
      }
    }

    if (offer === 'handoff' && !has('closing') && !has('thanks')) {
      if (has('affirm') || has('ack')) return this.handoff(ctx, interaction, data, data.offerReason ?? 'customer_request', locale);
      if (has('deny')) {
        await interactions.logEvent(interaction.id, 'handoff_declined', { reason: data.offerReason });
        return this.offerMore(ctx, interaction, data, 'handoffDeclined', locale);
      }
    }

    const helped = !!interaction.outcome; // the bot answered (or tried to) before: thanks now ends the conversation
    const closing = has('closing') || (has('thanks') && helped) || (offer === 'anything_else' && has('deny'));
    if (closing) {
      await this.say(ctx, interaction, t('goodbye', locale), { reply: 'closing' });
      await interactions.logEvent(interaction.id, 'customer_ended');
      // SURVEY HOOK: the customer ended the conversation.
      const started = await this.startSurvey(dc, interaction, 'goodbye', locale);
      if (started) return started;
      await interactions.end(interaction.id, interaction.outcome ?? 'ended');
      return Dialog.EndOfTurn;
    }
    if (has('thanks')) return this.offerMore(ctx, interaction, data, 'thanks', locale);
    if (has('greeting')) return this.reply(ctx, interaction, 'greeting', locale);
    if (has('smalltalk')) return this.reply(ctx, interaction, 'smalltalk', locale);
    if (has('help')) return this.reply(ctx, interaction, 'help', locale);
    if (has('ack') || has('affirm')) return this.offerMore(ctx, interaction, data, 'anythingElse', locale);
    if (has('deny') || has('partly')) return this.reply(ctx, interaction, 'help', locale);
    return undefined;
  }

  private async reply(ctx: TurnContext, interaction: Interaction, key: 'greeting' | 'smalltalk' | 'help', locale: Locale): Promise<DialogTurnResult> {
    await this.say(ctx, interaction, t(key, locale), { reply: key });
    return Dialog.EndOfTurn;
  }

  /** Says the text, which ends in "anything else?", and remembers that offer for the next turn. */
  private async offerMore(ctx: TurnContext, interaction: Interaction, data: ConversationData, key: 'thanks' | 'anythingElse' | 'handoffDeclined', locale: Locale): Promise<DialogTurnResult> {
    data.offer = 'anything_else';
    await this.say(ctx, interaction, t(key, locale), { reply: key === 'thanks' ? 'thanks' : 'anything_else' });
    return Dialog.EndOfTurn;
  }

  private async endIfClosing(interaction: Interaction, a: ActAnalysis): Promise<DialogTurnResult> {
    if (a.acts.has('closing')) await this.deps.interactions.end(interaction.id, interaction.outcome ?? 'ended');
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
      await this.send(ctx, interaction, withReply(MessageFactory.text(entry.answer[locale]), { reply: 'answer', kbEntryId: entry.id, confidence: round(result.confidence) }), meta);
      const ask = MessageFactory.suggestedActions(
        [t('resolvedYes', locale), t('resolvedPartly', locale), t('resolvedNo', locale)],
        t('askResolved', locale),
      );
      await this.send(ctx, interaction, withReply(ask, { reply: 'ask_resolved', kbEntryId: entry.id }));
      return;
    }
    if (result.level === 'medium') {
      data.lowStreak = 0;
      const suggestions = result.top.map((c) => ({ kbEntryId: c.id, title: kb.byId.get(c.id)!.questions[locale][0] }));
      const msg = MessageFactory.suggestedActions(suggestions.map((o) => o.title), t('didYouMean', locale));
      await this.send(ctx, interaction, withReply(msg, { reply: 'suggest', confidence: round(result.confidence), suggestions }), meta);
      return;
    }
    data.lowStreak = (data.lowStreak ?? 0) + 1;
    data.offer = 'handoff';
    data.offerReason = 'low_confidence';
    if (!interaction.outcome) await interactions.update(interaction.id, { outcome: 'unanswered' });
    await interactions.update(interaction.id, { handoff_offered: 1, low_confidence_count: interaction.low_confidence_count + 1 });
    await interactions.logEvent(interaction.id, 'handoff_offered', { reason: 'low_confidence', confidence: result.confidence });
    await this.send(ctx, interaction, withReply(this.fallback(ctx.activity.channelId, locale), { reply: 'fallback', confidence: round(result.confidence) }), meta);
  }

  /**
   * One rendering: the words travel once, as the activity's text (the text fallback on channels without cards);
   * card channels get the "Talk to a person" button as a hero card with no words of its own, others a suggested action.
   */
  private fallback(channel: string | undefined, locale: Locale): Partial<Activity> {
    const text = t('lowConfidence', locale);
    const button = { type: ActionTypes.ImBack, title: t('talkToPerson', locale), value: t('talkToPerson', locale) };
    if (channel && (this.deps.cardChannels ?? []).includes(channel)) return MessageFactory.attachment(CardFactory.heroCard('', undefined, [button]), text);
    return MessageFactory.suggestedActions([button], text);
  }

  private async handoff(ctx: TurnContext, interaction: Interaction, data: ConversationData, reason: HandoffReason, locale: Locale): Promise<DialogTurnResult> {
    data.offer = undefined;
    data.awaitingResolved = undefined;
    await this.deps.interactions.update(interaction.id, { handoff_offered: 1, handoff_reason: reason });
    await this.deps.interactions.logEvent(interaction.id, 'handoff_requested', { reason });
    // HANDOFF HOOK: the agent hub queues the conversation; without one the request is recorded only.
    if (this.deps.handoff) await this.deps.handoff.request(ctx, interaction, reason, locale);
    else await this.say(ctx, interaction, t('handoffRequested', locale), { reply: 'handoff' });
    return Dialog.EndOfTurn;
  }

  /** Begins the survey when the hook finds the interaction eligible; undefined when none starts. */
  private async startSurvey(dc: DialogContext, interaction: Interaction, trigger: SurveyTrigger, locale: Locale): Promise<DialogTurnResult | undefined> {
    await this.deps.interactions.logEvent(interaction.id, 'survey_trigger', { trigger });
    const hook = this.deps.survey;
    const options = hook ? await hook.prepare(dc.context, interaction, trigger, locale) : undefined;
    return hook && options ? dc.beginDialog(hook.dialog.id, options) : undefined;
  }

  private async say(ctx: TurnContext, interaction: Interaction, text: string, reply: ReplyMeta): Promise<void> {
    await this.send(ctx, interaction, withReply(MessageFactory.text(text), reply));
  }

  private async send(ctx: TurnContext, interaction: Interaction, activity: Partial<Activity>, meta?: unknown): Promise<void> {
    await this.deps.interactions.addTranscript(interaction.id, { role: 'bot', text: activity.text ?? activity.summary ?? '', meta });
    await ctx.sendActivity(activity);
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function withReply(activity: Partial<Activity>, reply: ReplyMeta): Partial<Activity> {
  return { ...activity, channelData: { ...(activity.channelData ?? {}), ...reply } };
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
