import type { TurnContext } from 'botbuilder';
import { ComponentDialog, Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Locale } from '../src/nlp/locale';
import { redact } from '../src/nlp/redact';
import type { Interaction } from '../src/storage/interactions';
import type { FollowupStore, InteractionStore, SurveyStore } from '../src/storage/stores';
import { selectDefinition, type Outcome, type SurveyConfig, type SurveyItem } from '../src/survey/definitions';
import type { Eligibility } from '../src/survey/eligibility';
import { decideFollowup, type FollowupDecision } from '../src/survey/followups';
import type { InputMode } from '../src/survey/surveyRepo';
import { KANO_KEYS, parseAnswer, type KanoKey, type ParsedAnswer } from './answerParser';
import { itemOptions, questionActivity, recoveryActivity, recoveryReply, repromptActivity, surveyText } from './surveyCards';

export const SURVEY_DIALOG_ID = 'surveyDialog';
const ASK_ID = 'surveyAsk';

export interface SurveyOptions {
  interactionId: string;
  userId: string;
  channel: string;
  locale: Locale;
  trigger: string;
  outcome: Outcome;
  agentId?: string;
}

export interface SurveyDialogDeps {
  config: SurveyConfig;
  surveys: SurveyStore;
  followups: FollowupStore;
  interactions: InteractionStore;
  /** The customer accepted the offer of a person during service recovery (handoff is someone else's job). */
  onRecoveryAccepted?: (ctx: TurnContext, interactionId: string) => Promise<void>;
  /** A redacted open answer was stored; the app enqueues its classification. */
  onFeedback?: (feedbackId: number) => void | Promise<void>;
}

/** Kept in dialog state (SQLite), so a survey resumes after a restart. */
interface AskState {
  opts: SurveyOptions;
  surveyId: string;
  items: SurveyItem[];
  index: number;
  reprompted: boolean;
  answered: number;
  awaitingRecovery: boolean;
  recoveryOffered: boolean;
}

type Mode = 'card' | 'suggested' | 'text';

class SurveyAsk extends Dialog {
  constructor(private readonly deps: SurveyDialogDeps) {
    super(ASK_ID);
  }

  private mode(channel: string): Mode {
    if (this.deps.config.settings.cardChannels.includes(channel)) return 'card';
    return channel === 'sms' || channel === 'email' ? 'text' : 'suggested';
  }

  async beginDialog(dc: DialogContext, options?: SurveyOptions): Promise<DialogTurnResult> {
    const opts = options!;
    const def = selectDefinition(this.deps.config, opts.channel, opts.outcome);
    const surveyId = await this.deps.surveys.offer({
      interactionId: opts.interactionId,
      userId: opts.userId,
      definitionId: def.id,
      definitionVersion: def.version,
      trigger: opts.trigger,
      channel: opts.channel,
      locale: opts.locale,
      agentId: opts.agentId,
    });
    await this.deps.interactions.logEvent(opts.interactionId, 'survey_offered', { surveyId, definition: def.id, version: def.version, trigger: opts.trigger });
    const st: AskState = { opts, surveyId, items: def.items, index: 0, reprompted: false, answered: 0, awaitingRecovery: false, recoveryOffered: false };
    Object.assign(dc.activeDialog!.state, st);
    await dc.context.sendActivity(surveyText('intro', opts.locale));
    await this.ask(dc.context, st);
    return Dialog.EndOfTurn;
  }

  async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const st = dc.activeDialog!.state as AskState;
    const { ctx, locale } = { ctx: dc.context, locale: st.opts.locale };
    const a = ctx.activity;
    if (a.type !== 'message') return Dialog.EndOfTurn;
    const submitted = a.value && typeof a.value === 'object' ? (a.value as { surveyItem?: string; value?: unknown }) : undefined;
    // The survey turn belongs to the interaction's transcript (redacted by the repository).
    await this.deps.interactions.touch(st.opts.interactionId);
    await this.deps.interactions.addTranscript(st.opts.interactionId, {
      role: 'customer',
      text: a.text ?? (submitted ? String(submitted.value ?? '') : ''),
      sender: a.from?.id,
      activityId: a.id,
      meta: submitted ? { survey: submitted.surveyItem } : { survey: true },
    });

    if (st.awaitingRecovery) {
      st.awaitingRecovery = false;
      if (await this.expired(st)) return this.expire(dc, st);
      const reply = recoveryReply(submitted?.surveyItem === '__recovery__' ? submitted.value : undefined, a.text);
      if (reply === 'stop') return this.stop(dc, st);
      if (reply === 'yes') {
        await this.deps.interactions.logEvent(st.opts.interactionId, 'recovery_accepted', { surveyId: st.surveyId });
        await ctx.sendActivity(surveyText('recoveryAccepted', locale));
        await this.finish(st);
        const r = await dc.endDialog({ status: 'recovery' });
        if (this.deps.onRecoveryAccepted) await this.deps.onRecoveryAccepted(ctx, st.opts.interactionId);
        return r;
      }
      await this.deps.interactions.logEvent(st.opts.interactionId, 'recovery_declined', { surveyId: st.surveyId });
      return this.advance(dc, st);
    }

    const item = st.items[st.index];
    let raw: unknown = a.text;
    let mode: InputMode = 'typed';
    if (submitted && submitted.surveyItem === item.id) {
      raw = submitted.value;
      mode = 'card';
    } else if (typeof a.text === 'string') {
      const t = a.text.trim();
      const skipLabel = surveyText('skip', locale);
      if (t === skipLabel) raw = 'skip';
      if (t === skipLabel || itemOptions(item, locale).some((o) => String(o.value) === t || o.title === t)) mode = 'button';
    }
    if (raw === '__skip__') raw = 'skip';
    // A button label ("★★★★ Satisfied") carries its number first; the parser reads the stars.
    if (mode === 'button' && typeof raw === 'string') {
      const opt = itemOptions(item, locale).find((o) => o.title === raw);
      if (opt) raw = String(opt.value);
    }
    const parsed: ParsedAnswer = parseAnswer(raw, item);
    // Abandoned earlier (timeout or a new conversation) and this message is no answer: let it go.
    if (parsed.kind === 'invalid' && (await this.expired(st))) return this.expire(dc, st);

    if (parsed.kind === 'stop') return this.stop(dc, st);
    if (parsed.kind === 'skip') {
      if (!item.optional) {
        await ctx.sendActivity(questionActivity(item, locale, this.mode(st.opts.channel), surveyText('required', locale)));
        return Dialog.EndOfTurn;
      }
      await this.deps.surveys.answer(st.surveyId, { itemId: item.id, kind: item.kind, rawText: redact(String(raw ?? '')).text, mode, skipped: true });
      return this.skipTo(dc, st);
    }
    if (parsed.kind === 'invalid') {
      if (!st.reprompted) {
        st.reprompted = true;
        await ctx.sendActivity(repromptActivity(item, locale, this.mode(st.opts.channel)));
        return Dialog.EndOfTurn;
      }
      if (item.optional) {
        await this.deps.surveys.answer(st.surveyId, { itemId: item.id, kind: item.kind, rawText: redact(String(raw ?? '')).text, mode, skipped: true });
        return this.skipTo(dc, st);
      }
      await ctx.sendActivity(repromptActivity(item, locale, this.mode(st.opts.channel)));
      return Dialog.EndOfTurn;
    }
    await this.save(ctx, st, item, parsed.value, String(raw ?? ''), mode);
    st.answered++;
    const decision = st.recoveryOffered ? undefined : recoveryDecision(item, parsed.value);
    if (decision?.open && decision.reason) {
      st.recoveryOffered = true;
      st.awaitingRecovery = true;
      const reason = decision.reason;
      const s = this.deps.config.settings;
      const followupId = await this.deps.followups.create({
        interactionId: st.opts.interactionId,
        surveyId: st.surveyId,
        reason,
        owner: s.followupOwner,
        dueHours: s.followupDueHours,
        signals: decision.signals,
      });
      await this.deps.interactions.logEvent(st.opts.interactionId, 'recovery_offered', { reason, followupId, surveyId: st.surveyId, signals: decision.signals });
      st.index++;
      st.reprompted = false;
      await ctx.sendActivity(recoveryActivity(locale, this.mode(st.opts.channel), s.followupDueHours));
      return Dialog.EndOfTurn;
    }
    st.index++;
    st.reprompted = false;
    return this.advance(dc, st);
  }

  private async expired(st: AskState): Promise<boolean> {
    const row = await this.deps.surveys.get(st.surveyId);
    return !!row && row.status !== 'offered' && row.status !== 'started';
  }

  private async expire(dc: DialogContext, st: AskState): Promise<DialogTurnResult> {
    await this.deps.interactions.logEvent(st.opts.interactionId, 'survey_expired', { surveyId: st.surveyId });
    await dc.context.sendActivity(surveyText('expired', st.opts.locale));
    return dc.endDialog({ status: 'expired' });
  }

  private async save(ctx: TurnContext, st: AskState, item: SurveyItem, value: unknown, raw: string, mode: InputMode): Promise<void> {
    const rawText = redact(raw).text;
    if (item.kind === 'open') {
      const text = redact(String(value)).text;
      await this.deps.surveys.answer(st.surveyId, { itemId: item.id, kind: item.kind, valueText: text, rawText, mode });
      const feedbackId = await this.deps.surveys.addFeedback({ interactionId: st.opts.interactionId, surveyId: st.surveyId, text, language: st.opts.locale });
      await this.deps.interactions.logEvent(st.opts.interactionId, 'feedback_stored', { feedbackId });
      if (this.deps.onFeedback) await this.deps.onFeedback(feedbackId);
      return;
    }
    if (item.kind === 'resolved') {
      const v = value as 'yes' | 'partly' | 'no';
      await this.deps.surveys.answer(st.surveyId, { itemId: item.id, kind: item.kind, value: { yes: 1, partly: 0.5, no: 0 }[v], valueText: v, rawText, mode });
      return;
    }
    if (item.kind === 'kano') {
      // value 1..5 in option order, value_text the answer key (what the Kano report pairs)
      const k = value as KanoKey;
      await this.deps.surveys.answer(st.surveyId, { itemId: item.id, kind: item.kind, value: KANO_KEYS.indexOf(k) + 1, valueText: k, rawText, mode });
      return;
    }
    await this.deps.surveys.answer(st.surveyId, { itemId: item.id, kind: item.kind, value: value as number, rawText, mode });
  }

  private skipTo(dc: DialogContext, st: AskState): Promise<DialogTurnResult> {
    st.index++;
    st.reprompted = false;
    return this.advance(dc, st);
  }

  /** Asks the item at st.index, or completes the survey when none is left. */
  private async advance(dc: DialogContext, st: AskState): Promise<DialogTurnResult> {
    if (st.index >= st.items.length) {
      await this.deps.surveys.complete(st.surveyId);
      await this.deps.interactions.logEvent(st.opts.interactionId, 'survey_complete', { surveyId: st.surveyId });
      await dc.context.sendActivity(surveyText('thanks', st.opts.locale));
      return dc.endDialog({ status: 'complete' });
    }
    await this.ask(dc.context, st);
    return Dialog.EndOfTurn;
  }

  private async stop(dc: DialogContext, st: AskState): Promise<DialogTurnResult> {
    await this.finish(st);
    await this.deps.interactions.logEvent(st.opts.interactionId, 'survey_stopped', { surveyId: st.surveyId, answered: st.answered });
    await dc.context.sendActivity(surveyText('stopped', st.opts.locale));
    return dc.endDialog({ status: 'stopped' });
  }

  /** Ends a survey early: declined when nothing was answered, else incomplete (unless all was answered). */
  private async finish(st: AskState): Promise<void> {
    if (st.answered === 0) await this.deps.surveys.decline(st.surveyId);
    else if (st.index >= st.items.length) await this.deps.surveys.complete(st.surveyId);
    else await this.deps.surveys.incomplete(st.surveyId);
  }

  private async ask(ctx: TurnContext, st: AskState): Promise<void> {
    const item = st.items[st.index];
    await ctx.sendActivity(questionActivity(item, st.opts.locale, this.mode(st.opts.channel)));
  }
}

/** The satisfaction survey: one question per turn; begin with SurveyOptions. */
export class SurveyDialog extends ComponentDialog {
  constructor(deps: SurveyDialogDeps) {
    super(SURVEY_DIALOG_ID);
    this.addDialog(new SurveyAsk(deps));
    this.initialDialogId = ASK_ID;
  }
}

/** A rating or "resolved?" answer that by itself calls for service recovery (decideFollowup), else undefined. */
function recoveryDecision(item: SurveyItem, value: unknown): FollowupDecision | undefined {
  if (item.kind === 'csat' && typeof value === 'number') return decideFollowup({ csat: { value, ...(item.scale ?? { min: 1, max: 5 }) } });
  if (item.kind === 'resolved' && (value === 'yes' || value === 'partly' || value === 'no')) return decideFollowup({ resolved: value });
  return undefined;
}

/** Outcome of an interaction for choosing the survey definition. */
export function outcomeOf(i: Pick<Interaction, 'complaint' | 'handled_by'>): Outcome {
  if (i.complaint) return 'complaint';
  return i.handled_by === 'agent' ? 'agent_handled' : 'bot_only';
}

/** The SurveyHook the main dialog calls at its trigger points: eligibility (logged) then the options. */
export function createSurveyHook(dialog: SurveyDialog, eligibility: Eligibility) {
  return {
    dialog,
    async prepare(ctx: TurnContext, interaction: Interaction, trigger: string, locale: Locale): Promise<SurveyOptions | undefined> {
      const d = await eligibility.decide(interaction.id, trigger);
      if (!d.eligible) return undefined;
      return {
        interactionId: interaction.id,
        userId: interaction.user_id,
        channel: interaction.channel,
        locale,
        trigger,
        outcome: outcomeOf(interaction),
        agentId: interaction.agent_id ?? undefined,
      };
    },
  };
}
