import { Softmax, TfidfVectorizer, counts, sparseDot, type SparseVec, type TrainOptions } from './ml';
import { normalizeText, tokenize } from './segment';

export interface Pair {
  a: string;
  b: string;
  label?: number;
}

/** Character Jaccard similarity (punctuation and spaces ignored): the lexical-overlap baseline. */
export function charJaccard(a: string, b: string): number {
  const sa = new Set(chars(a));
  const sb = new Set(chars(b));
  let inter = 0;
  for (const c of sa) if (sb.has(c)) inter++;
  const union = sa.size + sb.size - inter;
  return union ? inter / union : 0;
}

function chars(s: string): string[] {
  return [...normalizeText(s)].filter((c) => /[\p{L}\p{N}]/u.test(c));
}

function bigrams(cs: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < cs.length; i++) out.push(cs[i] + cs[i + 1]);
  return out;
}

function jaccard(a: string[], b: string[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const u = sa.size + sb.size - inter;
  return u ? inter / u : 0;
}

interface Analysed {
  words: string[];
  chars: string[];
  bigrams: string[];
}
const analyse = (s: string): Analysed => {
  const cs = chars(s);
  return { words: tokenize(s), chars: cs, bigrams: bigrams(cs) };
};

/** One-hot bin of a value in [0,1] so a linear model can learn a non-linear response. */
const bin = (name: string, v: number, n = 10) => `${name}#${Math.min(n - 1, Math.floor(v * n))}`;

/**
 * Paraphrase detector for two customer questions: logistic regression on overlap measures
 * (word and char-bigram TF-IDF cosines, Jaccards, length ratio; raw and binned) plus sparse
 * indicators of the words in the intersection and in the symmetric difference, which learn
 * that e.g. "花呗" vs "借呗" is a decisive difference while "怎么" vs "如何" is not.
 */
export class PairClassifier {
  threshold = 0.5;

  private constructor(
    private readonly wordVec: TfidfVectorizer,
    private readonly charVec: TfidfVectorizer,
    private feat: Map<string, number>,
    private model: Softmax,
  ) {}

  private rawFeatures(p: Pair): { names: string[]; dense: [string, number][] } {
    const A = analyse(p.a);
    const B = analyse(p.b);
    const wa = this.wordVec.transform(A.words);
    const wb = this.wordVec.transform(B.words);
    const ca = this.charVec.transform(A.bigrams);
    const cb = this.charVec.transform(B.bigrams);
    const wcos = sparseDot(wa, wb);
    const ccos = sparseDot(ca, cb);
    const wj = jaccard(A.words, B.words);
    const cj = jaccard(A.chars, B.chars);
    const bj = jaccard(A.bigrams, B.bigrams);
    const la = A.chars.length;
    const lb = B.chars.length;
    const lr = Math.min(la, lb) / (Math.max(la, lb) || 1);
    const dense: [string, number][] = [
      ['wcos', wcos],
      ['ccos', ccos],
      ['wj', wj],
      ['cj', cj],
      ['bj', bj],
      ['lr', lr],
    ];
    const names = dense.map(([n, v]) => bin(n, v));
    const sa = new Set(A.words);
    const sb = new Set(B.words);
    for (const w of sa) names.push((sb.has(w) ? 'I:' : 'D:') + w);
    for (const w of sb) if (!sa.has(w)) names.push('D:' + w);
    // pairs of differing words (one from each side) capture synonym swaps like 怎么/如何
    const da = [...sa].filter((w) => !sb.has(w));
    const db = [...sb].filter((w) => !sa.has(w));
    if (da.length * db.length <= 16) for (const x of da) for (const y of db) names.push('S:' + (x < y ? x + '|' + y : y + '|' + x));
    return { names, dense };
  }

  private vector(p: Pair, grow?: boolean): SparseVec {
    const { names, dense } = this.rawFeatures(p);
    const idx: number[] = [];
    const val: number[] = [];
    const add = (n: string, v: number) => {
      let j = this.feat.get(n);
      if (j === undefined) {
        if (!grow) return;
        j = this.feat.size;
        this.feat.set(n, j);
      }
      idx.push(j);
      val.push(v);
    };
    add('bias', 1);
    for (const [n, v] of dense) add(n, v);
    const w = 1 / Math.sqrt(names.length || 1);
    for (const n of names) add(n, w);
    return { idx: Int32Array.from(idx), val: Float32Array.from(val) };
  }

  static train(pairs: Pair[], opts: TrainOptions & { minCount?: number } = {}): PairClassifier {
    const analysed = pairs.flatMap((p) => [analyse(p.a), analyse(p.b)]);
    const wordVec = TfidfVectorizer.fit(analysed.map((x) => x.words));
    const charVec = TfidfVectorizer.fit(analysed.map((x) => x.bigrams));
    const pc = new PairClassifier(wordVec, charVec, new Map(), new Softmax(1, 2));
    // keep only sparse features seen at least minCount times so rare typos do not overfit
    const seen = counts(pairs.flatMap((p) => pc.rawFeatures(p).names));
    const minCount = opts.minCount ?? 3;
    pc.feat = new Map([['bias', 0]]);
    for (const n of ['wcos', 'ccos', 'wj', 'cj', 'bj', 'lr']) pc.feat.set(n, pc.feat.size);
    for (const [n, c] of seen) if (c >= minCount) pc.feat.set(n, pc.feat.size);
    const X = pairs.map((p) => pc.vector(p));
    pc.model = new Softmax(pc.feat.size, 2).train(
      X,
      pairs.map((p) => (p.label ? 1 : 0)),
      { epochs: 10, lr: 0.2, l2: 1e-4, ...opts },
    );
    return pc;
  }

  /** Probability that the two questions mean the same. */
  prob(a: string, b: string): number {
    return this.model.proba(this.vector({ a, b }))[1];
  }

  same(a: string, b: string): boolean {
    return this.prob(a, b) >= this.threshold;
  }
}
