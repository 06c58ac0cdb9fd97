/**
 * Survey answers in words: a five-level reading (1 worst … 5 best) of what customers type to a rating
 * question in zh-CN, zh-TW and en, and numbers with a unit inside a sentence ("给你们打9分吧", "I'd give you
 * 4 stars"). Text is folded to Simplified first, so one Chinese lexicon serves both scripts.
 */
import { normalizeText } from '../src/nlp/segment';

type Level = 1 | 2 | 3 | 4 | 5;
// Chinese: degree words that lift "满意/好" to the top, or sink "不满意/差" to the bottom.
const ZH_STRONG = '非常|很|特别|特|超级|超|十分|太|相当|极其|极|真的很|真的|真|实在|完全|贼|老|巨';
const ZH: [RegExp, Level][] = [
  [/不好不坏|不好也不坏|差不多|马马虎虎|马虎|一般般|普普通通|中规中矩|说得过去|过得去|不功不过|无功无过|不咋滴也不差/, 3],
  [/(?:不差|不算差|还不差)/, 4],
  [new RegExp(`(?:${ZH_STRONG})(?:不满意|不满|失望|差劲|差|糟糕|糟|烂|不好|不行|坑|垃圾)|极差|糟透|烂透|垃圾|最差|差评|差到|无语|气死|恶心|坑人|一星`), 1],
  [/(?:不太|不怎么|不是很|不大|不够|有点|有些|比较|较|挺|蛮)?(?:不满意|不满|失望|差劲|差|不好|不行)|不怎么样|不咋样|不咋地|不太行|较差/, 2],
  [new RegExp(`(?:${ZH_STRONG}|好)(?:满意|好|棒|赞|给力|满分)|满分|完美|棒极|好极|一百分|五星|无可挑剔|没得说|没话说|超赞|点赞|给力|无敌|很赞|太赞|感动`), 5],
  [/满意|不错|挺好|蛮好|可以的|很可以|挺棒|棒|好评|赞|^好$|^好的?$|还算好|很好用|有帮助|帮到/, 4],
  [/一般|普通|还行|还可以|还好|凑合|中等|及格|尚可|可以吧|还凑合|一半一半|五五开|没感觉|无所谓|中立/, 3],
];

const EN_STRONG = 'very|extremely|really|super|so|completely|totally|utterly|highly|incredibly|absolutely|truly|deeply|awfully|entirely|most';
const EN: [RegExp, Level][] = [
  [/\b(?:couldn'?t (?:be|have been) (?:happier|better)|could not be happier|over the moon|blown away)\b/, 5],
  [/\bnot (?:satisfied|happy|pleased) at all\b|\bnot at all (?:satisfied|happy|pleased)\b/, 1],
  [/\b(?:could (?:be|have been) better|not (?:very |really |that |so |too |entirely |completely |fully |quite )?(?:satisfied|happy|pleased|good|great|helpful|impressed))\b/, 2],
  [/\b(?:not (?:too |that |so )?bad|could (?:be|have been) worse|nothing special)\b/, 3],
  [new RegExp(`\\b(?:(?:${EN_STRONG}) (?:dissatisfied|unsatisfied|unhappy|disappointed|disappointing|bad|poor|frustrated|annoyed)|terrible|awful|horrible|horrendous|dreadful|appalling|atrocious|abysmal|pathetic|useless|worst|hate(?:d)? it|disgusting|rubbish|garbage|trash|one star|zero stars?|disaster|nightmare)\\b`), 1],
  [/\b(?:dissatisfied|unsatisfied|unhappy|disappointed|disappointing|bad|poor|below average|subpar|sub-par|unsatisfactory|lacking|frustrat(?:ed|ing)|annoyed|not good|not great|so-so but|meh-)\b/, 2],
  [new RegExp(`\\b(?:(?:${EN_STRONG}) (?:satisfied|happy|pleased|good|helpful|content)|excellent|outstanding|perfect|amazing|awesome|fantastic|superb|brilliant|wonderful|exceptional|phenomenal|great|love(?:d)? it|the best|top notch|top-notch|first class|five stars|full marks|flawless|stellar|a\\+)\\b`), 5],
  [/\b(?:satisfied|happy|pleased|good|nice|helpful|content|glad|solid|pretty good|quite good|well done|like(?:d)? it)\b/, 4],
  [/\b(?:neutral|ok|okay|o\.k|alright|all right|average|so-so|so so|fine|meh|mediocre|fair|decent|passable|acceptable|middling|in between|in the middle|indifferent|not sure)\b/, 3],
];

// Ease words for "how easy was it?" (CES).
const CES: [RegExp, Level][] = [
  [/非常困难|很困难|太难|很难|非常难|太麻烦|非常麻烦|很麻烦|特别麻烦|折腾死|\b(?:very|extremely|really|super) (?:difficult|hard|complicated)|a nightmare|impossible\b/, 1],
  [/不太容易|不容易|有点难|有些难|比较难|困难|难|麻烦|复杂|不方便|费劲|\b(?:difficult|hard|not easy|complicated|tricky|a hassle)\b/, 2],
  [/非常容易|很容易|非常简单|很简单|超简单|特别简单|非常方便|很方便|特别方便|轻轻松松|毫不费力|\b(?:very|extremely|really|super) (?:easy|simple)|effortless|a breeze|piece of cake\b/, 5],
  [/容易|简单|方便|轻松|顺利|\b(?:easy|simple|straightforward|smooth)\b/, 4],
];

// Likelihood words for "would you recommend us?" (0-10), read on the same five levels.
const NPS: [RegExp, Level][] = [
  [/绝对不会|肯定不会|一定不会|不可能|不会推荐|不推荐|不会|\b(?:never|no way|definitely not|absolutely not|certainly not|would not|wouldn'?t|not at all likely|not likely at all)\b/, 1],
  [/不太会|可能不会|应该不会|不太可能|\b(?:unlikely|probably not|not likely|doubt it|not really)\b/, 2],
  [/可能会|也许|说不好|看情况|不一定|不确定|\b(?:maybe|perhaps|might|not sure|possibly|depends)\b/, 3],
  [/肯定会|一定会|当然会|绝对会|强烈推荐|必须推荐|非常愿意|极力推荐|\b(?:definitely|absolutely|certainly|for sure|very likely|extremely likely|of course|highly likely)\b/, 5],
  [/会推荐|会的|应该会|愿意|推荐|\b(?:likely|probably|would recommend|i would|yes|sure)\b/, 4],
];

const EN_NUM: Record<string, number> = { zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, a: 1 };
const ZH_NUM: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

function num(tok: string): number | undefined {
  if (/^\d+$/.test(tok)) return Number(tok);
  if (tok in EN_NUM) return EN_NUM[tok];
  if (tok in ZH_NUM) return ZH_NUM[tok];
  const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$/.exec(tok);
  return m ? (m[1] ? ZH_NUM[m[1]] : 1) * 10 + (m[2] ? ZH_NUM[m[2]] : 0) : undefined;
}

const N = String.raw`(\d{1,3}|[零一二两三四五六七八九十]{1,3}|zero|one|two|three|four|five|six|seven|eight|nine|ten)`;
const UNIT = new RegExp(String.raw`${N}\s*(?:分|星|颗星|个星|颗|stars?|points?|pts|out of (?:\d+|five|ten)|/\s*\d+)`, 'g');

/** Prepares a reply for the lexicons: Simplified, lower case, "十分满意" read as "very satisfied", not 10 points. */
export function fold(s: string): string {
  return normalizeText(s).replace(/十分(?=[满不好差棒糟失感开喜])/g, '非常').trim();
}

/**
 * The one number given with a unit inside a longer reply ("打个两分吧", "给你们打9分", "I'd say 4 stars"),
 * "满分"/"full marks" as the top of the scale; undefined when there is none or several different ones.
 */
export function numberInText(s: string, max: number): number | undefined {
  const t = fold(s);
  if (/满分|full marks|top marks|a perfect score/.test(t)) return max;
  const found = new Set<number>();
  for (const m of t.matchAll(UNIT)) {
    const n = num(m[1]);
    if (n !== undefined) found.add(n);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

// A question is not a rating, even one with "good" in it ("how good is your warranty").
const QUESTION = /^(?:how|what|why|when|where|who|which|can|could|do|does|is|are|will|would|should)\b|吗$|(?<!不)怎么(?!样)|如何|为什么|为啥|哪|几点|多久|请问/;

/** Five-level reading of a rating in words, or undefined. Long messages and questions are not read. */
export function levelOf(s: string, kind: string): Level | undefined {
  const t = fold(s);
  if (/[?？]/.test(s) && !/^[^?？]{0,6}[?？]$/.test(s.trim())) return undefined;
  if (QUESTION.test(t)) return undefined;
  const words = t.split(/\s+/).length;
  const han = (t.match(/\p{Script=Han}/gu) ?? []).length;
  if (words > 10 || han > 16) return undefined;
  const lists = kind === 'nps' ? [NPS, ZH, EN] : kind === 'ces' ? [CES, ZH, EN] : [ZH, EN];
  for (const list of lists) for (const [re, level] of list) if (re.test(t)) return level;
  return undefined;
}

/** A five-level reading placed on the item's scale (1 → min, 5 → max). */
export function onScale(level: Level, min: number, max: number): number {
  return Math.round(min + ((level - 1) * (max - min)) / 4);
}
