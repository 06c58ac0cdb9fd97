/**
 * Parse a typed (or clicked) survey answer for one item. Never throws: anything it cannot
 * read becomes {kind:'invalid'} so the dialog can re-prompt with the scale.
 */
import { KANO_ANSWERS, type KanoAnswer } from '../src/indicators/stats';
import { levelOf, numberInText, onScale } from './scaleWords';

import type { ItemKind } from '../src/survey/definitions';
export type ResolvedValue = 'yes' | 'partly' | 'no';
/** Answer keys of a Kano question, in option order (stored value 1..5 = index + 1): the indicator library's. */
export const KANO_KEYS = KANO_ANSWERS;
export type KanoKey = KanoAnswer;

/** Standard wording of the five Kano options, used when an item configures no labels. */
export const KANO_DEFAULT_LABELS: Record<'zh-CN' | 'zh-TW' | 'en', string[]> = {
  'zh-CN': ['我喜欢这样', '理应如此', '无所谓', '能忍受', '我不喜欢这样'],
  'zh-TW': ['我喜歡這樣', '理應如此', '無所謂', '能忍受', '我不喜歡這樣'],
  en: ['I like it', 'I expect it', "I'm neutral", 'I can live with it', 'I dislike it'],
};

export interface ParseTarget {
  kind: ItemKind;
  scale?: { min: number; max: number };
  /** Option labels per locale (Kano items: typed labels are accepted as answers). */
  labels?: Partial<Record<string, string[]>>;
}

export type ParsedAnswer =
  | { kind: 'value'; value: number | ResolvedValue | KanoKey | string }
  | { kind: 'skip' }
  | { kind: 'stop' }
  | { kind: 'invalid'; reason: 'empty' | 'out_of_range' | 'not_understood' | 'ambiguous' | 'not_integer' };

const DEFAULT_SCALES: Record<string, { min: number; max: number }> = {
  csat: { min: 1, max: 5 },
  rating: { min: 1, max: 5 },
  nps: { min: 0, max: 10 },
  ces: { min: 1, max: 7 },
};

const SKIP = /^(skip|pass|next|skip (it|this)|跳过|跳過|略过|略過|下一题|下一題|跳)$/;
const STOP =
  /^(stop|quit|cancel|exit|no thanks|no thank you|nope,? thanks|not now|enough|stop the survey|不用了|不用|算了|不要了|停止|取消|结束调查|結束調查|不想答|不想回答|退出|不用谢了|算了吧|不用了吧|不用了谢谢|不用了謝謝)$/;

function clean(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .trim()
    .replace(/[。．.!！?？~～,，、;；:：\s]+$/u, '')
    .replace(/^[\s,，]+/u, '')
    .replace(/\s+/g, ' ');
}

const CN_DIGIT: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 两: 2, 兩: 2, 贰: 2, 貳: 2, 三: 3, 叁: 3, 參: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 陸: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};

/** 0-99 written in Chinese numerals ("四", "十", "十一", "二十"); undefined otherwise. */
function chineseNumber(s: string): number | undefined {
  if (s in CN_DIGIT) return CN_DIGIT[s];
  const m = /^([一二两兩三四五六七八九])?[十拾]([一二三四五六七八九])?$/.exec(s);
  if (!m) return undefined;
  return (m[1] ? CN_DIGIT[m[1]] : 1) * 10 + (m[2] ? CN_DIGIT[m[2]] : 0);
}

const EN_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
};

const NUM = '(\\d+(?:\\.\\d+)?|[零〇一二两兩三四五六七八九十壹贰貳叁參肆伍陆陸柒捌玖拾]{1,3}|zero|one|two|three|four|five|six|seven|eight|nine|ten)';

function toNumber(tok: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(tok)) return Number(tok);
  if (tok in EN_WORDS) return EN_WORDS[tok];
  return chineseNumber(tok);
}

// Patterns that carry a number: "9分", "打9分", "给4星", "4/5", "4 out of 5", "4 stars", "rating: 4".
const NUMBER_FORMS: RegExp[] = [
  new RegExp(`^${NUM}$`),
  new RegExp(`^(?:我)?(?:打|给|給|评|評|选|選)?(?:个|個)?${NUM}\\s*(?:分|星|颗星|顆星|points?|pts|stars?)?(?:吧|啦|了)?$`),
  new RegExp(`^${NUM}\\s*(?:/|out of|of|分之)\\s*${NUM}(?:分)?$`),
  new RegExp(`^(?:i'?d (?:say|give(?: it)?)|i give(?: it)?|give(?: it)?|rating|score|my (?:rating|score) is|it'?s|a)\\s*:?\\s*${NUM}\\s*(?:points?|stars?|/\\s*${NUM})?$`),
];

// Verbal levels on a five-point satisfaction scale (1 = worst, 5 = best), longest first.
const LEVEL_WORDS: Array<[RegExp, number]> = [
  [/^(非常不满意|非常不滿意|很不满意|很不滿意|极不满意|極不滿意|太差了?|非常差|很差|糟透了|极差|極差|very dissatisfied|very unsatisfied|extremely dissatisfied|terrible|awful|very bad|very poor|very difficult|very hard)$/, 1],
  [/^(不满意|不滿意|不太满意|不太滿意|差|较差|較差|不好|不太好|dissatisfied|unsatisfied|not satisfied|bad|poor|not good|not really|difficult|hard)$/, 2],
  [/^(一般|还行|還行|还可以|還可以|凑合|湊合|普通|中等|ok|okay|so-so|so so|average|neutral|fine|meh)$/, 3],
  [/^(满意|滿意|比较满意|比較滿意|挺满意|挺滿意|好|不错|不錯|挺好|很好|satisfied|good|pretty good|easy|quite satisfied)$/, 4],
  [/^(非常满意|非常滿意|很满意|很滿意|特别满意|特別滿意|十分满意|十分滿意|超满意|超滿意|非常好|太好了|完美|very satisfied|extremely satisfied|excellent|perfect|great|very good|amazing|very easy)$/, 5],
];

const RESOLVED_WORDS: Array<[RegExp, ResolvedValue]> = [
  [/^(partly|partially|partial|somewhat|kind of|sort of|a bit|in part|部分|部分解决|部分解決|一部分|部分是|解决了一部分|解決了一部分|算是吧|有一点|有一點|差不多)$/, 'partly'],
  [/^(no|nope|not really|not at all|not yet|not solved|not resolved|unresolved|n|否|不|没有|沒有|没|沒|没解决|沒解決|没有解决|沒有解決|未解决|未解決|还没有|還沒有|还没|還沒|不是)$/, 'no'],
  [/^(yes|yeah|yep|yup|y|sure|solved|resolved|it did|yes it did|yes,? thanks|yes thank you|是|是的|对|對|嗯|有|解决了|解決了|已解决|已解決|解决|解決|好了|可以了|搞定了?)$/, 'yes'],
];

// Natural answers to a Kano question in the three locales, matched whole after clean(); dislike before like.
const KANO_WORDS: Array<[RegExp, KanoKey]> = [
  [/^(dislike|i dislike (it|that|this)|i (do not|don't) like (it|that|this)|i'd dislike (it|that)|i hate (it|that)|not like|不喜欢|不喜歡|我不喜欢|我不喜歡|我不喜欢这样|我不喜歡這樣|讨厌|討厭|很讨厌|很討厭|反感)$/, 'dislike'],
  [/^(like|like it|i like (it|that|this)|i'd like (it|that)|i love (it|that)|love it|喜欢|喜歡|我喜欢|我喜歡|我喜欢这样|我喜歡這樣|很喜欢|很喜歡|我很喜欢|我很喜歡|非常喜欢|非常喜歡)$/, 'like'],
  [/^(must-be|must be|it must be (that way|so)|i expect it|expect it|expected|it should be|that's expected|理应如此|理應如此|应该的|應該的|理所当然|理所當然|必须的|必須的|本来就该这样|本來就該這樣)$/, 'must-be'],
  [/^(neutral|i'm neutral|i am neutral|i don't care|don't care|indifferent|no preference|doesn't matter|it doesn't matter|无所谓|無所謂|都行|都可以|没感觉|沒感覺|中立)$/, 'neutral'],
  [/^(live-with|live with|live with it|i can live with (it|that)|can live with it|i can tolerate (it|that)|tolerate it|acceptable|能忍受|可以忍受|能接受|可以接受|勉强接受|勉強接受)$/, 'live-with'],
];

function parseKano(s: string, t: ParseTarget): ParsedAnswer {
  for (const re of NUMBER_FORMS.slice(0, 2)) {
    const m = re.exec(s);
    const n = m ? toNumber(m[1]) : undefined;
    if (n === undefined) continue;
    const r = numberValue(n, 1, 5);
    return r.kind === 'value' ? { kind: 'value', value: KANO_KEYS[(r.value as number) - 1] } : r;
  }
  const key = KANO_KEYS.find((k) => k === s);
  if (key) return { kind: 'value', value: key };
  for (const labels of [...Object.values(t.labels ?? {}), ...Object.values(KANO_DEFAULT_LABELS)]) {
    const i = (labels ?? []).findIndex((l) => clean(l) === s);
    if (i >= 0 && i < 5) return { kind: 'value', value: KANO_KEYS[i] };
  }
  const bare = s.replace(/^(嗯|恩|呃|um|uh|well)[,，\s]*/u, '').replace(/(的|了|啊|呀|吧|哦|喔)$/u, '');
  for (const [re, k] of KANO_WORDS) if (re.test(s) || re.test(bare)) return { kind: 'value', value: k };
  return { kind: 'invalid', reason: 'not_understood' };
}

function countStars(s: string): number | undefined {
  if (!/^[⭐★☆✩✰🌟\s]+$/u.test(s)) return undefined;
  const full = [...s].filter((c) => c === '⭐' || c === '★' || c === '🌟').length;
  return full;
}

function scaleFor(t: ParseTarget): { min: number; max: number } {
  return t.scale ?? DEFAULT_SCALES[t.kind] ?? { min: 1, max: 5 };
}

function numberValue(n: number, min: number, max: number): ParsedAnswer {
  if (!Number.isFinite(n)) return { kind: 'invalid', reason: 'not_understood' };
  if (!Number.isInteger(n)) return { kind: 'invalid', reason: 'not_integer' };
  if (n < min || n > max) return { kind: 'invalid', reason: 'out_of_range' };
  return { kind: 'value', value: n };
}

function parseScale(s: string, t: ParseTarget): ParsedAnswer {
  const { min, max } = scaleFor(t);
  const stars = countStars(s);
  if (stars !== undefined) return stars === 0 ? { kind: 'invalid', reason: 'not_understood' } : numberValue(stars, min, max);
  for (const re of NUMBER_FORMS) {
    const m = re.exec(s);
    if (!m) continue;
    const nums = m.slice(1).filter((x) => x !== undefined);
    const n = toNumber(nums[0]);
    if (n === undefined) continue;
    if (nums.length === 2) {
      // "4/5" or "五分之四": the denominator must be the scale's top.
      const a = toNumber(nums[0]);
      const b = toNumber(nums[1]);
      if (a === undefined || b === undefined) continue;
      const [num, den] = re.source.includes('分之') && /分之/.test(s) ? [b, a] : [a, b];
      if (den !== max) return { kind: 'invalid', reason: 'out_of_range' };
      return numberValue(num, min, max);
    }
    return numberValue(n, min, max);
  }
  for (const [re, level] of LEVEL_WORDS) {
    if (re.test(s)) return { kind: 'value', value: onScale(level as 1, min, max) };
  }
  const inText = numberInText(s, max);
  if (inText !== undefined) return numberValue(inText, min, max);
  const level = levelOf(s, t.kind);
  if (level) return { kind: 'value', value: onScale(level, min, max) };
  if ((s.match(/\d+/g) ?? []).length > 1) return { kind: 'invalid', reason: 'ambiguous' };
  return { kind: 'invalid', reason: 'not_understood' };
}

function parseResolved(s: string): ParsedAnswer {
  const bare = s.replace(/^(嗯|恩|呃|um|uh|well)[,，\s]*/u, '').replace(/(的|了|啊|呀|吧|哦|喔)$/u, '');
  for (const [re, v] of RESOLVED_WORDS) if (re.test(s) || re.test(bare)) return { kind: 'value', value: v };
  return { kind: 'invalid', reason: 'not_understood' };
}

export function parseAnswer(text: unknown, target: ParseTarget): ParsedAnswer {
  if (typeof text === 'number') text = String(text);
  if (typeof text !== 'string') return { kind: 'invalid', reason: 'empty' };
  const s = clean(text);
  if (!s) return { kind: 'invalid', reason: 'empty' };
  if (SKIP.test(s)) return { kind: 'skip' };
  if (STOP.test(s)) return { kind: 'stop' };
  if (target.kind === 'open') return { kind: 'value', value: text.trim() };
  if (target.kind === 'resolved') return parseResolved(s);
  if (target.kind === 'kano') return parseKano(s, target);
  return parseScale(s, target);
}

/** A short text showing the accepted answers, used in the re-prompt. */
export function scaleHint(target: ParseTarget, locale: 'zh-CN' | 'zh-TW' | 'en'): string {
  if (target.kind === 'resolved') {
    return { 'zh-CN': '请回答“是”、“部分”或“否”。', 'zh-TW': '請回答「是」、「部分」或「否」。', en: 'Please answer yes, partly or no.' }[locale];
  }
  if (target.kind === 'open') return '';
  if (target.kind === 'kano') {
    const l = target.labels?.[locale] ?? KANO_DEFAULT_LABELS[locale];
    const list = l.map((x, i) => `${i + 1} ${x}`).join(' / ');
    return { 'zh-CN': `请回答 1 到 5：${list}。`, 'zh-TW': `請回答 1 到 5：${list}。`, en: `Please answer 1 to 5: ${list}.` }[locale];
  }
  const { min, max } = scaleFor(target);
  return {
    'zh-CN': `请回复 ${min} 到 ${max} 之间的数字（${min} 最低，${max} 最高），也可以直接用文字描述；回复“跳过”可跳过，回复“不用了”可结束。`,
    'zh-TW': `請回覆 ${min} 到 ${max} 之間的數字（${min} 最低，${max} 最高），也可以直接用文字描述；回覆「跳過」可跳過，回覆「不用了」可結束。`,
    en: `Please answer with a number from ${min} to ${max} (${min} lowest, ${max} highest) or in your own words. Say "skip" to skip it or "stop" to end.`,
  }[locale];
}
