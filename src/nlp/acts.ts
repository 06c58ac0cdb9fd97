import { normalizeText } from './segment';

/**
 * Dialogue acts of a customer message, found before any knowledge-base matching.
 * A message is cut into clauses at punctuation; act phrases are peeled off the start and the end
 * of each clause. What is left is the content (a question); a message with content is a question
 * whatever acts surround it ("ok, and where is my parcel?", "thanks, bye, oh how do I reset my password").
 */
export type Act = 'greeting' | 'thanks' | 'closing' | 'ack' | 'affirm' | 'deny' | 'partly' | 'human' | 'smalltalk' | 'help';

export interface ActAnalysis {
  acts: Set<Act>;
  /** The rest of the message once acts and connectors are taken off, in the customer's own characters; '' when none. */
  content: string;
}

// All patterns run on normalizeText() output: lower-case, NFKC, Traditional folded to Simplified.
const P = String.raw`[啊呀吧呢哦喔啦嘛了哈滴嘞噢哇咯喽晒~]*`; // sentence-final particles
const YOU = String.raw`(?:你|您|你们|亲)?`;

/** Phrases that are a whole clause's act only (never peeled off a longer clause: "没有收到货" is content). */
const WHOLE: [Act, RegExp][] = [
  ['closing', new RegExp(String.raw`^(?:我|我们)?(?:暂时|目前|现在|应该|基本上?|也|都|就|真的)?(?:(?:没有?|无)(?:其他|其它|别的|什么|啥|更多)的?(?:问题|事情?|要问的|需要|疑问)?了?|没(?:有)?(?:问题|事|事儿|疑问)了|(?:就|先)问?(?:这样|这些|这么多|这个)(?:问题)?(?:吧|了|啦|子)*|暂时没有?了|没有了|结束(?:了|吧|对话)?|没了)${P}$`)],
  ['closing', /^(?:(?:no,? )?that(?:'s| is|'ll be| will be) (?:all|it|everything)(?: (?:i|i'?d) (?:needed|wanted|need|had))?(?: for (?:now|today))?|that is all|nothing (?:else|more)(?: for now| today)?|no (?:more|other|further) questions?|i'?m (?:done|good|all set|ok now)|i am (?:done|good)|all (?:good|set)(?: now)?|we'?re (?:done|good)|no,? that'?s (?:all|it)|not (?:for now|today)|nope,? (?:that'?s (?:all|it)|i'?m good))$/],
  ['partly', new RegExp(String.raw`^(?:partly|partially|sort of|kind of|somewhat|half|in part|部分|部分解决了?|解决了一部分|一部分|差不多|算是吧|有一点|有点|一半)${P}$`)],
  ['deny', new RegExp(String.raw`^(?:no|nope|nah|n|not really|not at all|not yet|no thanks|no thank you|not now|not solved|it didn'?t|didn'?t help|doesn'?t help|that didn'?t help|not helpful|不|不是|不用|不需要|不要|没有|没|否|没用|没解决|没有解决|未解决|还没|还没有|不行|不对|并没有)${P}$`)],
  ['affirm', new RegExp(String.raw`^(?:yes|yeah|yep|yup|ya|yea|y|sure|yes please|yes pls|please|please do|of course|definitely|absolutely|correct|right|that'?s right|solved|resolved|it did|yes it did|it worked|that worked|that solved it|that helped|that helps|是|是的|对|对的|没错|要|要的|需要|好啊|可以啊|麻烦了|麻烦${YOU}了|解决了|已解决|可以了|搞定了?|有用|有帮助|行)${P}$`)],
  ['smalltalk', new RegExp(String.raw`^(?:how are you(?: doing)?|are you (?:a )?(?:bot|robot|human|real|machine|ai)|who are you|what'?s your name|lol|haha+|hmm+|你是(?:机器人|真人|谁|人工智能|ai)吗?|你是谁|你叫什么(?:名字)?|你好吗|哈哈+|呵呵+|嘿嘿)${P}[?？]*$`)],
  ['help', /^(?:help|menu|帮助|菜单|你能做什么|你会什么|what can you do)$/],
];

/** Phrases peeled off the start or end of a clause (they never begin a question by themselves). */
const PEEL: [Act, RegExp][] = [
  ['closing', /(?:good ?bye|bye(?:[ -]?bye)?|see (?:you|ya)(?: later)?|later|have a (?:nice|good|great|lovely) (?:day|one|evening|night|weekend)|good night|take care|再见|拜拜|拜|掰掰|掰|88|886|回见|下次见|晚安|祝你(?:们)?[^，。]{0,6}(?:愉快|顺利)|回头见)/],
  ['thanks', new RegExp(String.raw`(?:thanks?(?: you| u)?(?: (?:so|very) much| a lot| a bunch| again)?(?: for (?:(?:your|the|all the|all your) )?(?:help|time|info|information|answer|support|patience|assistance))?|thx|tks|ty|tysm|cheers|many thanks|much appreciated|appreciate (?:it|that)|(?:非常|十分|太)?(?:谢谢|感谢|多谢|谢啦|谢了|感恩|3q)${YOU}(?:的)?(?:帮助|帮忙|解答|耐心|服务)?(?:了)?|辛苦${YOU}(?:了|啦|咯)?|麻烦${YOU}了)`)],
  ['greeting', /(?:hi there|hello there|hi|hello|hey|hiya|good (?:morning|afternoon|evening)|(?:客服)?(?:你|您)好(?:啊|呀)?|嗨|哈喽|哈啰|早上好|下午好|晚上好|早安|在吗|在不在|有人吗|亲)/],
  ['affirm', /(?:yes|yeah|yep|yup|sure|是的|对的|没错)(?=[\s,，]|$)/],
  ['ack', /(?:mate|buddy|pal|dude|man|guys|that sorted it|sorted|that fixed it|ok(?:ay)?(?: then)?|k|kk|alright|all right|got it|gotcha|i see|understood|noted|cool|great|perfect|nice|awesome|excellent|wonderful|fine|good|sounds good|makes sense|that helps|that'?s helpful|好的|好滴|好嘞|好吧|好哒|嗯+|恩+|哦+|噢|喔|明白了?|知道了|了解了?|懂了|收到|清楚了|原来如此|原来是这样|这样啊|ok的|行吧)/],
];

/** Discourse connectors between an acknowledgement and a new question. */
const CONNECTOR =
  /^(?:(?:还有(?:一个问题|个问题|件事|就是)?|另外|然后|对了|顺便问一?下|我?还想问一?下|再问一?下|那么|那(?![个些边里种样]))[\s,，:：]*|(?:and(?: also)?|also|btw|by the way|one more thing|another question|i have another question|but|so|then|oh)(?:[\s,，:：]+|$))/;

const LATIN_WORD = /[a-z0-9']/;
const SPLIT = /[，,。.!！?？;；~～…、\n]+/;

/** A peel match must end on a word boundary in Latin text ("hi" is not the start of "history"). */
function boundaryOk(s: string, end: number): boolean {
  return end >= s.length || !LATIN_WORD.test(s[end]) || !LATIN_WORD.test(s[end - 1]);
}

// A Han act word followed by 的/得/地/过/着 is part of a phrase ("收到的东西有破损"), not an act.
const PEEL_START = PEEL.map(([a, re]) => [a, new RegExp(`^(?:${re.source})(?![的得地过着])`)] as const);
const PEEL_END = PEEL.map(([a, re]) => [a, new RegExp(`(?:${re.source})${P}$`)] as const);

function wholeAct(s: string): Act | undefined {
  s = s.replace(/^(.{1,6}?)\1+$/u, '$1'); // "没了没了", "好的好的"
  for (const [act, re] of WHOLE) if (re.test(s)) return act;
  for (const [act, re] of PEEL) if (new RegExp(`^(?:${re.source})${P}$`).test(s)) return act;
  return undefined;
}

/** Peels acts off one clause; returns the [start, end) of the content left in it. */
function peelClause(s: string, acts: Set<Act>): [number, number] {
  let a = 0;
  let b = s.length;
  const trim = () => {
    while (a < b && /[\s,，:：'"“”]/.test(s[a])) a++;
    while (b > a && /[\s,，:：'"“”]/.test(s[b - 1])) b--;
  };
  trim();
  for (let guard = 0; guard < 8 && a < b; guard++) {
    const part = s.slice(a, b);
    const whole = wholeAct(part);
    if (whole) {
      acts.add(whole);
      return [b, b];
    }
    let moved = false;
    for (const [act, re] of PEEL_START) {
      const m = re.exec(part);
      if (m && m[0].length && boundaryOk(part, m[0].length)) {
        acts.add(act);
        a += m[0].length;
        moved = true;
        break;
      }
    }
    if (!moved) {
      for (const [act, re] of PEEL_END) {
        const m = re.exec(part);
        if (m && m[0].length && m.index > 0 && !(LATIN_WORD.test(part[m.index - 1]) && LATIN_WORD.test(part[m.index]))) {
          acts.add(act);
          b = a + m.index;
          moved = true;
          break;
        }
      }
    }
    if (!moved) break;
    trim();
  }
  return [a, b];
}

/** Acts and content of a message. */
export function analyseActs(text: string): ActAnalysis {
  const acts = new Set<Act>();
  const raw = text ?? '';
  const original = raw.normalize('NFKC');
  // normalizeText folds character by character after NFKC, so offsets line up with `original` (and with the
  // customer's own text when NFKC changed no length, e.g. only full-width punctuation).
  const norm = normalizeText(original);
  const aligned = norm.length === original.length;
  if (HUMAN.test(norm)) acts.add('human');
  const src = !aligned ? norm : raw.length === norm.length ? raw : original;
  let first = -1;
  let last = -1;
  let pos = 0;
  for (const clause of norm.split(SPLIT)) {
    const start = norm.indexOf(clause, pos);
    pos = start + clause.length;
    if (!clause.trim()) continue;
    let [a, b] = peelClause(clause, acts);
    if (b <= a) continue;
    // a connector after an acknowledgement ("嗯，还有，…", "ok, and …") carries no meaning
    if (first < 0) {
      a += connectorLength(clause.slice(a, b));
      if (b <= a) continue;
    }
    if (first < 0) first = start + a;
    last = start + b;
  }
  const content = first < 0 ? '' : src.slice(first, last).trim();
  return { acts, content: isTrivial(content) ? '' : content };
}

/** Length of the connectors at the head of a clause (the whole clause when it is only connectors). */
function connectorLength(piece: string): number {
  let n = 0;
  for (let i = 0; i < 3; i++) {
    const m = CONNECTOR.exec(piece.slice(n));
    if (!m || !m[0].length) break;
    n += m[0].length;
  }
  return n;
}

/** Left-overs that carry no question: particles, pronouns, emoji, punctuation. */
function isTrivial(s: string): boolean {
  const t = normalizeText(s).replace(/[\s\p{P}\p{S}]+/gu, '');
  if (!t) return true;
  return /^(?:[啊呀吧呢哦喔啦嘛了哈滴嘞噢哇的你您们我亲]|so|then|and|too|again|very|much|man|guys|all|everyone|folks|now|mate|buddy)+$/u.test(t);
}

const HUMAN =
  /(转人工|人工客服|人工服务|找人工|要人工|接人工|真人|客服人员|接线员|\bhuman\b|\b(?:live |real )?(?:agent|(?<!in )person|representative|operator)\b|talk to (?:a |someone|somebody)|speak (?:to|with) (?:a|someone|somebody))/;

/** True when the message is only acts that end the conversation (closing, or thanks with an acknowledgement). */
export function isClosing(a: ActAnalysis): boolean {
  return !a.content && a.acts.has('closing');
}
