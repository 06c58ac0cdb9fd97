import { normalizeText, tokenize } from '../segment';
import { EN_NEG, EN_NEGATORS, EN_POS, ZH_NEG, ZH_NEGATORS, ZH_POS } from './lexicon';

const CLAUSE_SPLIT = /[,.!?;:，。！？；：\n~～…]+|(?:但是|但|不过|就是|可是|然而|\bbut\b|\bhowever\b)/u;
const HAN = /\p{Script=Han}/u;
const EN_POS_SET = new Set(EN_POS);
const EN_NEG_SET = new Set(EN_NEG);

/** Split into clauses at punctuation and contrast words; each clause carries its own sentiment. */
export function clauses(text: string): string[] {
  return normalizeText(text)
    .split(CLAUSE_SPLIT)
    .map((c) => (c ?? '').trim())
    .filter(Boolean);
}

function lexiconHits(clause: string, words: string[]): { pos: number; neg: number } {
  let pos = 0;
  let neg = 0;
  if (HAN.test(clause)) {
    const negated = [...ZH_NEGATORS].some((n) => clause.includes(n));
    for (const w of ZH_POS) if (clause.includes(w)) (negated && !clause.includes('不' + w) ? pos++ : negated ? neg++ : pos++);
    for (const w of ZH_NEG) if (clause.includes(w)) neg++;
  }
  let flip = false;
  for (const w of words) {
    if (EN_NEGATORS.has(w)) flip = true;
    else if (EN_POS_SET.has(w)) flip ? neg++ : pos++;
    else if (EN_NEG_SET.has(w)) flip ? pos++ : neg++;
  }
  return { pos, neg };
}

// Prefixes mean the same as in src/nlp/features.ts: `b:` is a Han character bigram; `__*` are
// dense extras; bare tokens and `prev_tok` word bigrams are this model's own (kept for the committed files).
/**
 * Sparse features: jieba tokens, Han character bigrams, English unstemmed words with a
 * negation scope prefix ("!word" until the clause ends), word bigrams and lexicon counts.
 */
export function features(text: string): Map<string, number> {
  const f = new Map<string, number>();
  const add = (k: string, v = 1) => f.set(k, (f.get(k) ?? 0) + v);
  let pos = 0;
  let neg = 0;
  for (const c of clauses(text)) {
    const toks = tokenize(c, { stem: false });
    let negate = false;
    let prev = '^';
    for (const t of toks) {
      const isNeg = EN_NEGATORS.has(t) || ZH_NEGATORS.has(t);
      const key = negate && !isNeg ? '!' + t : t;
      add(key);
      add(prev + '_' + t);
      prev = t;
      if (isNeg) negate = true;
    }
    for (const run of c.match(/\p{Script=Han}+/gu) ?? []) {
      for (let i = 0; i + 1 < run.length; i++) add('b:' + run.slice(i, i + 2));
    }
    const h = lexiconHits(c, toks);
    pos += h.pos;
    neg += h.neg;
  }
  if (pos) add('__lex_pos', Math.log1p(pos));
  if (neg) add('__lex_neg', Math.log1p(neg));
  if (f.size === 0) add('__empty');
  add('__bias');
  // L2-normalise counts so long reviews do not get extreme scores
  let norm = 0;
  for (const v of f.values()) norm += v * v;
  norm = Math.sqrt(norm);
  for (const [k, v] of f) f.set(k, v / norm);
  return f;
}
