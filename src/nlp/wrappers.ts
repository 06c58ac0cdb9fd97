// Greetings, politeness and filler around a question ("你好，我想问一下…", "hi, quick question,").
// They carry no topic, and as words unseen in the KB they would only dilute the match.
const ZH = [
  '你好', '您好', '哈喽', '嗨', '在吗', '在嗎', '在不在', '请问一下', '請問一下', '请问', '請問', '麻烦问一下', '麻煩問一下', '麻烦', '麻煩',
  '我想问一下', '我想問一下', '想问一下', '想問一下', '我想问问', '我想問問', '问一下', '問一下', '打扰一下', '打擾一下', '打扰了', '打擾了',
  '不好意思', '那个', '那個', '就是', '一下下', '谢谢', '謝謝', '谢啦', '謝啦', '多谢', '多謝', '感谢', '感謝', '啊', '呀', '呢', '吧', '哦', '喔', '嘛', '哈',
];
const EN = [
  'hi there', 'hello there', 'hey there', 'hi', 'hello', 'hey', 'good morning', 'good afternoon', 'good evening', 'quick question',
  'i have a question', 'i have a quick question', 'just a question', 'can you help me', 'could you help me', 'can you tell me', 'could you tell me',
  'i was wondering', 'i wonder', 'please', 'pls', 'plz', 'thanks', 'thank you', 'thx', 'sorry', 'excuse me', 'um', 'uh', 'so', 'btw', 'actually',
];
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ZH_RE = new RegExp(ZH.sort((a, b) => b.length - a.length).map(esc).join('|'), 'g');
const EN_RE = new RegExp(`\\b(?:${EN.sort((a, b) => b.length - a.length).map(esc).join('|')})\\b`, 'gi');

/** The text without wrappers; the original when nothing would be left. */
export function stripWrappers(text: string): string {
  const out = text.replace(ZH_RE, ' ').replace(EN_RE, ' ').replace(/\s+/g, ' ').trim();
  return /[\p{L}\p{N}]/u.test(out) ? out : text;
}
