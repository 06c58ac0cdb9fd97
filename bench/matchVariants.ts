// Compares matcher variants on data held out from training only (folds of the KB phrasings or of
// a HINT3 train file, plus models/out_of_scope.yaml): `npx tsx bench/matchVariants.ts`.
// Prints one JSON line per (data set, variant) with the held-out figures of fitCalibration.
import '../src/preload';
import { existsSync, readFileSync } from 'node:fs';
import { fitCalibration, loadOutOfScope } from '../src/nlp/calibrate';
import { kbExamples, loadKnowledgeBase } from '../src/nlp/kb';
import { Matcher, type MatcherOptions } from '../src/nlp/matcher';
import { readCsv } from '../src/csv';

const shared = ['../shared', '../../shared'].find((d) => existsSync(d + '/data'))!;
const sets: Record<string, { label: string; text: string }[]> = {
  kb: kbExamples(loadKnowledgeBase('models/kb')),
};
for (const b of ['sofmattress', 'curekart', 'powerplay11'])
  sets[b] = readCsv(`${shared}/data/hint3/${b}_train.csv`).map((r) => ({ label: r.label, text: r.sentence }));
const oos = loadOutOfScope('models/out_of_scope.yaml');

type Variant = { opts: MatcherOptions; view?: 'classifier' | 'retrieval' };
const variants: Record<string, Variant> = {
  combined: { opts: {} },
  classifier_only: { opts: {}, view: 'classifier' },
  retrieval_only: { opts: {}, view: 'retrieval' },
  no_char_ngrams: { opts: { features: { latinGrams: [], hanBigrams: false } } },
  no_word_bigrams: { opts: { features: { wordBigrams: false } } },
  latin_2to5: { opts: { features: { latinGrams: [2, 3, 4, 5] } } },
  cilin_synonyms: { opts: { features: { synonyms: cilin(8) } } },
};

/** Cilin '=' groups (true synonyms) of at most maxSize words: word -> group codes. */
function cilin(maxSize: number): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of readFileSync(`${shared}/data/lexicon/cilin_ex.txt`, 'utf8').split('\n')) {
    const [code, ...words] = line.trim().split(' ');
    if (!code?.endsWith('=') || words.length < 2 || words.length > maxSize) continue;
    for (const w of words) m.set(w, [...(m.get(w) ?? []), code]);
  }
  return m;
}
const only = process.argv.slice(2);
for (const [set, examples] of Object.entries(sets)) {
  if (only.length && !only.includes(set)) continue;
  for (const [name, v] of Object.entries(variants)) {
    if (process.env.VARIANT && name !== process.env.VARIANT) continue;
    const train = (ex: { label: string; text: string }[]) => {
      const m = Matcher.train(ex, v.opts);
      if (!v.view) return m;
      return {
        entryIds: m.entryIds,
        analyse(text: string) {
          const a = m.analyse(text);
          if (v.view === 'classifier') return { ...a, cos: a.cos.map(() => 0), cover: a.cover.map(() => 0), known: 0 };
          return { ...a, proba: a.cos.map((c, i) => Math.max(c, a.cover[i]) / (a.cos.length ? 1 : 1)) };
        },
      };
    };
    const rep = fitCalibration(train, examples, oos, { objective: set === 'kb' ? 'budget' : 'accuracy' });
    console.log(JSON.stringify({ set, variant: name, answerAt: +rep.calibration.answerAt.toFixed(3), ...rep.heldOut }));
  }
}
