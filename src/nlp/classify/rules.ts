import { analyseActs } from '../acts';
import { normalizeText } from '../segment';
import { isNoComment } from './lexicon';
import type { Classifier, SentimentScore } from './types';

// Words that evaluate: an acknowledgement that carries one ("great", "棒", "不错") is left to the model.
const EVALUATIVE = /\b(?:good|great|perfect|nice|awesome|excellent|wonderful|amazing|helpful|love|bad|terrible|awful|poor|slow|rude)\b|棒|赞|不错|满意|很好|挺好|太好|差|慢|烂|糟|失望/;

// A whole comment that is only "so-so" says neither; the review-trained model calls "一般" negative at 1.00.
const LUKEWARM = /^(?:一般般?|还行|还可以|还好|凑合|普通|普普通通|马马虎虎|中规中矩|说得过去|so ?so|average|ok(?:ay)?|alright|not bad|meh|fair|nothing special)(?:吧|啊|呀|了|啦| i guess| overall)?$/;

/**
 * Short affirmations and non-comments are neutral by rule, in every locale: "是的", "嗯", "好的", "ok", "yes",
 * "fine", "sure", "no", "none", "没有", "无". A sentiment model trained on reviews calls many of them negative
 * ("是的" at 0.89), which opened follow-ups for happy customers.
 */
export function ruleSentiment(text: string): SentimentScore | undefined {
  const t = (text ?? '').trim();
  if (isNoComment(t)) return { label: 'neutral', confidence: 1 };
  if (LUKEWARM.test(normalizeText(t).replace(/[\s\p{P}]+/gu, ' ').trim())) return { label: 'neutral', confidence: 0.9 };
  if (t.length > 40) return undefined;
  const a = analyseActs(t);
  if (a.content || a.acts.has('thanks') || a.acts.has('human')) return undefined;
  if (![...a.acts].every((x) => x === 'ack' || x === 'affirm' || x === 'deny' || x === 'closing' || x === 'greeting')) return undefined;
  if (!a.acts.size || EVALUATIVE.test(normalizeText(t))) return undefined;
  return { label: 'neutral', confidence: 1 };
}

/** The engine with the rule in front: texts the rule decides never reach the model. */
export function withRules(engine: Classifier): Classifier {
  return {
    get info() {
      return engine.info;
    },
    async sentiment(texts: string[]): Promise<SentimentScore[]> {
      const ruled = texts.map(ruleSentiment);
      const rest = texts.filter((_, i) => !ruled[i]);
      const scored = rest.length ? await engine.sentiment(rest) : [];
      let k = 0;
      return ruled.map((r) => r ?? scored[k++]);
    },
  };
}
