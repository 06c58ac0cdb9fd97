import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import { LOCALES, type Locale } from '../src/nlp/locale';
import type { SurveyItem } from '../src/survey/definitions';
import { analyseActs } from '../src/nlp/acts';
import { KANO_DEFAULT_LABELS, parseAnswer, scaleHint } from './answerParser';

const S = {
  intro: {
    en: 'Could you spare a moment for a few quick questions about this conversation? Type "skip" to skip a question or "stop" to end.',
    'zh-CN': '耽误您一点时间，请对本次服务做个简短评价。回复“跳过”可跳过某题，回复“不用了”可结束。',
    'zh-TW': '耽誤您一點時間，請對本次服務做個簡短評價。回覆「跳過」可跳過某題，回覆「不用了」可結束。',
  },
  thanks: { en: 'Thank you for your feedback!', 'zh-CN': '感谢您的评价！', 'zh-TW': '感謝您的評價！' },
  stopped: {
    en: 'No problem, we have stopped the survey. Thank you for your time!',
    'zh-CN': '好的，已结束问卷。感谢您抽出时间！',
    'zh-TW': '好的，已結束問卷。感謝您撥冗！',
  },
  reprompt: { en: "Sorry, I didn't get that.", 'zh-CN': '抱歉，没有看懂您的回答。', 'zh-TW': '抱歉，沒有看懂您的回答。' },
  required: {
    en: 'This question cannot be skipped; please answer it, or say "stop" to end the survey.',
    'zh-CN': '这道题不能跳过，请作答，或回复“不用了”结束问卷。',
    'zh-TW': '這題不能跳過，請作答，或回覆「不用了」結束問卷。',
  },
  expired: {
    en: 'The survey has closed. Please send your question again and I will help.',
    'zh-CN': '问卷已结束。请重新发送您的问题，我来为您解答。',
    'zh-TW': '問卷已結束。請重新傳送您的問題，我來為您解答。',
  },
  skip: { en: 'Skip', 'zh-CN': '跳过', 'zh-TW': '跳過' },
  apology: {
    en: "We're sorry we let you down. We have opened a follow-up and a member of our team will contact you within {hours} hours. Would you like to talk to a person now?",
    'zh-CN': '非常抱歉没能让您满意。我们已为您登记回访，专人会在 {hours} 小时内联系您。现在需要为您转接人工客服吗？',
    'zh-TW': '非常抱歉沒能讓您滿意。我們已為您登記回訪，專人會在 {hours} 小時內聯繫您。現在需要為您轉接真人客服嗎？',
  },
  recoveryYes: { en: 'Yes, talk to a person', 'zh-CN': '是，转人工', 'zh-TW': '是，轉真人' },
  recoveryNo: { en: 'No, continue', 'zh-CN': '不用，继续', 'zh-TW': '不用，繼續' },
  recoveryAccepted: {
    en: 'Thank you. We are connecting you with a person now.',
    'zh-CN': '好的，正在为您转接人工客服。',
    'zh-TW': '好的，正在為您轉接真人客服。',
  },
} satisfies Record<string, Record<Locale, string>>;

export type SurveyText = keyof typeof S;
export const surveyText = (key: SurveyText, locale: Locale): string => S[key][locale];

export interface Option {
  title: string;
  value: number | string;
}

const RESOLVED_VALUES = ['yes', 'partly', 'no'] as const;
const RESOLVED_DEFAULT: Record<Locale, string[]> = { en: ['Yes', 'Partly', 'No'], 'zh-CN': ['是', '部分', '否'], 'zh-TW': ['是', '部分', '否'] };

/** Button options of an item: its labels when configured, else the numbers. Open items have none. */
export function itemOptions(item: SurveyItem, locale: Locale): Option[] {
  if (item.kind === 'open') return [];
  if (item.kind === 'resolved') {
    const labels = item.labels?.[locale] ?? RESOLVED_DEFAULT[locale];
    return RESOLVED_VALUES.map((v, i) => ({ title: labels[i], value: v }));
  }
  if (item.kind === 'kano') {
    // values 1..5 = like, must-be, neutral, live-with, dislike (what a typed digit means too)
    const labels = item.labels?.[locale] ?? KANO_DEFAULT_LABELS[locale];
    return labels.map((title, i) => ({ title, value: i + 1 }));
  }
  const { min, max } = item.scale!;
  const out: Option[] = [];
  for (let v = min; v <= max; v++) {
    const label = item.labels?.[locale]?.[v - min];
    // Five-point scales read best as stars; longer ones as plain numbers.
    const stars = max - min === 4 && min === 1 ? '★'.repeat(v) : String(v);
    out.push({ title: label ? `${stars} ${label}` : stars, value: v });
  }
  return out;
}

/** Plain-text version of the question with its options, for channels without buttons and for the card's text. */
export function questionText(item: SurveyItem, locale: Locale): string {
  const opts = itemOptions(item, locale);
  if (!opts.length) return item.text[locale];
  if (item.kind === 'resolved') return `${item.text[locale]}\n${opts.map((o) => o.title).join(' / ')}`;
  if (item.kind === 'kano') return `${item.text[locale]}\n${opts.map((o) => `${o.value} ${o.title}`).join('\n')}`;
  const { min, max } = item.scale!;
  // Wording that already spells out the scale ("1 very dissatisfied … 5") needs no "(1-5)" after it.
  const q = item.text[locale];
  return new RegExp(`${min}\\D[^]*${max}`).test(q) ? q : `${q}\n(${min}-${max})`;
}

/** The question as an Adaptive Card (buttons submit {surveyItem, value}), suggested actions, or plain text. */
export function questionActivity(item: SurveyItem, locale: Locale, mode: 'card' | 'suggested' | 'text', prefix?: string): Partial<Activity> {
  // A blank line keeps the re-prompt and the question two paragraphs in Markdown channels (a single \n is joined).
  const text = (prefix ? prefix + '\n\n' : '') + questionText(item, locale);
  const opts = itemOptions(item, locale);
  const skip = item.optional ? [{ title: surveyText('skip', locale), value: '__skip__' }] : [];
  if (mode === 'text') return MessageFactory.text(text);
  if (mode === 'suggested') {
    const all = [...opts.map((o) => ({ title: o.title, value: String(o.value) })), ...skip.map((s) => ({ title: s.title, value: s.title }))];
    return all.length ? MessageFactory.suggestedActions(all.map((a) => ({ type: 'imBack', title: a.title, value: a.value })), text) : MessageFactory.text(text);
  }
  const rows: Option[][] = [];
  // Kano options are phrases, one per row; scale points sit side by side.
  const perRow = item.kind === 'kano' ? 1 : opts.length > 7 ? 6 : opts.length;
  for (let i = 0; i < opts.length; i += perRow || 1) rows.push(opts.slice(i, i + perRow));
  // Card buttons sit side by side, so they carry only stars or numbers; the wording of the
  // scale ends is in the question text, and the full label is the button's tooltip.
  const compact = (o: Option) => (item.kind === 'resolved' || item.kind === 'kano' ? o.title : o.title.split(' ')[0]);
  const submit = (o: Option) => ({ type: 'Action.Submit', title: compact(o), tooltip: o.title, data: { surveyItem: item.id, value: o.value } });
  const body: unknown[] = [];
  // The question itself travels as the activity's text (shown above the card, and the fallback
  // on channels without cards), so the card carries only the answer controls.
  for (const row of rows) body.push({ type: 'ActionSet', actions: row.map(submit) });
  if (item.kind === 'open') {
    body.push({ type: 'Input.Text', id: 'value', isMultiline: true });
    body.push({ type: 'ActionSet', actions: [{ type: 'Action.Submit', title: locale === 'en' ? 'Send' : '提交', data: { surveyItem: item.id } }] });
  }
  if (skip.length) body.push({ type: 'ActionSet', actions: [{ type: 'Action.Submit', title: skip[0].title, data: { surveyItem: item.id, value: '__skip__' } }] });
  const card = CardFactory.adaptiveCard({ type: 'AdaptiveCard', version: '1.3', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', body });
  return MessageFactory.attachment(card, text);
}

export function repromptActivity(item: SurveyItem, locale: Locale, mode: 'card' | 'suggested' | 'text'): Partial<Activity> {
  return questionActivity(item, locale, mode, `${surveyText('reprompt', locale)} ${scaleHint(item, locale)}`);
}

/**
 * The customer's reply to the offer of a person: a card submit, a button label (suggested actions
 * send the label as text), a plain yes/no, or asking for a person in words.
 */
export function recoveryReply(submitted: unknown, text: string | undefined): 'yes' | 'no' | 'stop' | undefined {
  if (submitted === 'yes' || submitted === 'no') return submitted;
  const t = (text ?? '').trim();
  if (!t) return undefined;
  if (LOCALES.some((l) => S.recoveryYes[l] === t)) return 'yes';
  if (LOCALES.some((l) => S.recoveryNo[l] === t)) return 'no';
  const a = analyseActs(t);
  if (a.acts.has('human')) return 'yes';
  const p = parseAnswer(t, { kind: 'resolved' });
  if (p.kind === 'stop') return 'stop';
  if (p.kind === 'value') return p.value === 'yes' ? 'yes' : 'no';
  // "yes please", "好的", "麻烦了" / "不需要", "nah" in words, in every locale
  if (!a.content && (a.acts.has('affirm') || a.acts.has('ack'))) return 'yes';
  if (!a.content && a.acts.has('deny')) return 'no';
  return undefined;
}

/** The apology quotes the configured follow-up clock (settings.followupDueHours). */
export function recoveryActivity(locale: Locale, mode: 'card' | 'suggested' | 'text', hours: number): Partial<Activity> {
  const text = surveyText('apology', locale).replace('{hours}', String(hours));
  const yes = surveyText('recoveryYes', locale);
  const no = surveyText('recoveryNo', locale);
  if (mode === 'text') return MessageFactory.text(`${text}\n${yes} / ${no}`);
  if (mode === 'suggested') return MessageFactory.suggestedActions([yes, no], text);
  // One rendering: the words are the activity's text; the card carries only the two buttons.
  const card = CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    version: '1.3',
    body: [],
    actions: [
      { type: 'Action.Submit', title: yes, data: { surveyItem: '__recovery__', value: 'yes' } },
      { type: 'Action.Submit', title: no, data: { surveyItem: '__recovery__', value: 'no' } },
    ],
  });
  return MessageFactory.attachment(card, text);
}
