import { normalizeText } from './segment';

export type SmallTalk = 'greeting' | 'thanks' | 'goodbye' | 'human' | 'help';

// Patterns run on normalizeText() output: lower-case, NFKC, Traditional folded to Simplified.
const PATTERNS: [SmallTalk, RegExp][] = [
  ['human', /(转人工|人工客服|人工服务|找人工|真人|客服人员|接线员|\bhuman\b|\b(live |real )?(agent|person|representative|operator)\b|talk to (a |someone)|speak (to|with) (a|someone))/],
  ['goodbye', /^(bye|goodbye|bye bye|see you|that'?s all|that is all|nothing else|i'?m done|no more questions|再见|拜拜|结束|没有了|没别的了|就这样|先这样|没事了)[\s!.。！~]*$/],
  ['thanks', /^(thanks?|thank you( very much| so much)?|thx|ty|cheers|谢谢(你|您)?|多谢|感谢|谢了)[\s!.。！~]*$/],
  ['greeting', /^(hi|hello|hey|good (morning|afternoon|evening)|你好|您好|嗨|哈喽|早上好|下午好|晚上好|在吗)[\s!.。！~?？]*$/],
  ['help', /^(help|menu|帮助|菜单|你能做什么|what can you do)[\s!.。！?？]*$/],
];

export function detectSmallTalk(text: string): SmallTalk | undefined {
  const t = normalizeText(text).trim();
  if (!t) return undefined;
  for (const [kind, re] of PATTERNS) if (re.test(t)) return kind;
  return undefined;
}

/** Answer to "did that solve your problem?": yes / partly / no, or undefined when it is something else. */
export function parseResolved(text: string): 'yes' | 'partly' | 'no' | undefined {
  const t = normalizeText(text).trim().replace(/[\s!.。！~,，]+$/g, '');
  if (/^(partly|partially|somewhat|kind of|sort of|部分|部分解决|一部分|有点|差不多|还行)/.test(t)) return 'partly';
  if (/^(no|nope|not really|not at all|didn'?t|it didn'?t|没有|没|不是|否|没解决|未解决|不行|不对|没用)/.test(t)) return 'no';
  if (/^(yes|yeah|yep|yup|sure|solved|it did|that helped|great|perfect|是|是的|对|好的|解决了|可以了|有用|行|嗯)/.test(t)) return 'yes';
  return undefined;
}
