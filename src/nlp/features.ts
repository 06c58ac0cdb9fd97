import { normalizeText, tokenize } from './segment';

// Feature prefixes share one meaning across the project (see src/nlp/classify/features.ts):
// `b:` is always a Han character bigram; matcher-only kinds: `w:` stemmed word, `wb:` word
// bigram, `g:` Latin character n-gram, `s:` synonym group.

export interface FeatureOptions {
  wordBigrams?: boolean; // stemmed word bigrams
  hanBigrams?: boolean; // Han character bigrams (robust to segmentation errors)
  latinGrams?: number[]; // Latin character n-gram sizes, e.g. [3, 4] (robust to typos)
  /** word -> synonym-group ids (e.g. from Cilin); each group becomes an `s:` feature */
  synonyms?: Map<string, string[]>;
}

const DEFAULTS = { wordBigrams: true, hanBigrams: true, latinGrams: [3, 4] };
const HAN_RUN_G = /\p{Script=Han}+/gu;
const LATIN_WORD_G = /[a-z0-9]+/g;

/** Feature strings of a text (with repeats, so term frequency is kept). */
export function textFeatures(text: string, opts: FeatureOptions = {}): string[] {
  const o = { ...DEFAULTS, ...opts };
  const out: string[] = [];
  const toks = tokenize(text);
  for (const t of toks) {
    out.push('w:' + t);
    for (const g of o.synonyms?.get(t) ?? []) out.push('s:' + g);
  }
  if (o.wordBigrams) for (let i = 0; i + 1 < toks.length; i++) out.push('wb:' + toks[i] + ' ' + toks[i + 1]);
  const norm = normalizeText(text);
  if (o.hanBigrams) {
    for (const run of norm.match(HAN_RUN_G) ?? []) {
      if (run.length === 1) out.push('b:' + run);
      for (let i = 0; i + 1 < run.length; i++) out.push('b:' + run.slice(i, i + 2));
    }
  }
  if (o.latinGrams.length) {
    for (const w of norm.match(LATIN_WORD_G) ?? []) {
      const p = ' ' + w + ' ';
      for (const n of o.latinGrams) for (let i = 0; i + n <= p.length; i++) out.push('g:' + p.slice(i, i + n));
    }
  }
  return out;
}
