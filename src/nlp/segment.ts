import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import natural from 'natural';
import { toSimplified } from './hanzi';

// The dictionary is ~5 MB; load it once per process.
let jieba: Jieba | undefined;
function getJieba(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

const HAN_RUN = /\p{Script=Han}+/u;
const wordTokenizer = new natural.AggressiveTokenizer();
const stem = (w: string) => natural.PorterStemmer.stem(w);

/** Fold full-width forms, case and Traditional characters so all locales share one index. */
export function normalizeText(text: string): string {
  return toSimplified(text.normalize('NFKC').toLowerCase());
}

/**
 * Tokens for matching: Chinese runs segmented by jieba, Latin words tokenised and stemmed
 * with natural. Punctuation and whitespace are dropped.
 */
export function tokenize(text: string, opts: { stem?: boolean } = {}): string[] {
  const norm = normalizeText(text);
  const out: string[] = [];
  for (const part of norm.split(/(\p{Script=Han}+)/u)) {
    if (!part) continue;
    if (HAN_RUN.test(part)) {
      for (const w of getJieba().cut(part, true)) if (w.trim()) out.push(w);
    } else {
      for (const w of wordTokenizer.tokenize(part) ?? []) {
        if (!w) continue;
        out.push(opts.stem === false ? w : stem(w));
      }
    }
  }
  return out;
}

/** Character bigrams of Han runs: robust to segmentation mistakes on short queries. */
export function hanBigrams(text: string): string[] {
  const out: string[] = [];
  for (const run of normalizeText(text).match(/\p{Script=Han}+/gu) ?? []) {
    if (run.length === 1) out.push(run);
    for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
  }
  return out;
}
