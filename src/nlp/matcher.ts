import { TfidfVectorizer, textFeatures, type FeatureOptions, type SparseVec } from './features';
import { SoftmaxRegression, type TrainOptions } from './linear';

export interface MatchCandidate {
  id: string;
  score: number; // calibrated confidence 0..1
}
export interface MatchResult {
  top: MatchCandidate[];
  confidence: number;
  level: 'high' | 'medium' | 'low';
}

export interface MatcherOptions {
  features?: FeatureOptions;
  train?: TrainOptions;
  high?: number; // confidence at or above which the bot answers
  medium?: number; // at or above: suggest candidates; below: low
  /** Cosine to the nearest training question below which a candidate is discounted (out-of-domain guard). */
  simFloor?: number;
  /** Cosine at or above which the nearest-question guard no longer discounts. */
  simFull?: number;
}

// Tuned by leave-one-out over models/kb plus 22 out-of-domain questions (docs/MATCHING.md).
const DEFAULTS = { high: 0.4, medium: 0.15, simFloor: 0.1, simFull: 0.35 };

/**
 * Knowledge-base matcher: a softmax regression over entries (word uni/bigrams, Han char
 * bigrams, Latin char n-grams, TF-IDF weighted) gives P(entry | text); the cosine to the
 * nearest training question of that entry guards against out-of-domain text, which a
 * discriminative model alone happily assigns to some entry.
 */
export class Matcher {
  private readonly postings: { ex: Int32Array; val: Float32Array }[];
  private readonly high: number;
  private readonly medium: number;
  private readonly simFloor: number;
  private readonly simFull: number;

  private constructor(
    private readonly labels: string[],
    private readonly vec: TfidfVectorizer,
    private readonly model: SoftmaxRegression,
    private readonly exLabel: Int32Array,
    examples: SparseVec[],
    private readonly opts: MatcherOptions,
  ) {
    const o = { ...DEFAULTS, ...opts };
    this.high = o.high;
    this.medium = o.medium;
    this.simFloor = o.simFloor;
    this.simFull = o.simFull;
    // inverted index feature -> (example, weight) for fast nearest-question cosine
    const lists: { ex: number[]; val: number[] }[] = Array.from({ length: vec.dim }, () => ({ ex: [], val: [] }));
    examples.forEach((x, e) => {
      for (let i = 0; i < x.idx.length; i++) {
        lists[x.idx[i]].ex.push(e);
        lists[x.idx[i]].val.push(x.val[i]);
      }
    });
    this.postings = lists.map((l) => ({ ex: Int32Array.from(l.ex), val: Float32Array.from(l.val) }));
  }

  static train(examples: { label: string; text: string }[], opts: MatcherOptions = {}): Matcher {
    if (!examples.length) throw new Error('Matcher.train: no examples');
    const labels = [...new Set(examples.map((e) => e.label))];
    const labelIx = new Map(labels.map((l, i) => [l, i]));
    const feats = examples.map((e) => textFeatures(e.text, opts.features));
    const vec = TfidfVectorizer.fit(feats);
    const X = feats.map((f) => vec.transform(f));
    const y = examples.map((e) => labelIx.get(e.label)!);
    const model = new SoftmaxRegression(vec.dim, labels.length).train(X, y, { epochs: 30, lr: 0.5, l2: 1e-5, ...opts.train });
    return new Matcher(labels, vec, model, Int32Array.from(y), X, opts);
  }

  get size(): number {
    return this.labels.length;
  }

  /** Raw class probabilities and per-class nearest-question cosine (for evaluation and tuning). */
  analyse(text: string): { proba: Float64Array; sim: Float64Array; nnz: number } {
    const x = this.vec.transform(textFeatures(text, this.opts.features));
    const proba = this.model.proba(x);
    const simEx = new Float64Array(this.exLabel.length);
    for (let i = 0; i < x.idx.length; i++) {
      const p = this.postings[x.idx[i]];
      const v = x.val[i];
      for (let k = 0; k < p.ex.length; k++) simEx[p.ex[k]] += v * p.val[k];
    }
    const sim = new Float64Array(this.labels.length);
    for (let e = 0; e < simEx.length; e++) if (simEx[e] > sim[this.exLabel[e]]) sim[this.exLabel[e]] = simEx[e];
    return { proba, sim, nnz: x.idx.length };
  }

  /** Top-k entries with calibrated scores; level from the configured thresholds. */
  match(text: string, k = 3): MatchResult {
    const { proba, sim, nnz } = this.analyse(text);
    if (nnz === 0) return { top: [], confidence: 0, level: 'low' };
    const span = this.simFull - this.simFloor;
    const scored: MatchCandidate[] = this.labels.map((id, c) => {
      const guard = Math.min(1, Math.max(0, (sim[c] - this.simFloor) / span));
      return { id, score: proba[c] * guard };
    });
    scored.sort((a, b) => b.score - a.score);
    const top = scored.slice(0, k).filter((c) => c.score > 0);
    const confidence = top[0]?.score ?? 0;
    const level = confidence >= this.high ? 'high' : confidence >= this.medium ? 'medium' : 'low';
    return { top, confidence, level };
  }

  /** Most probable label by the regression alone (the intent-classification decision). */
  classify(text: string): string {
    const proba = this.model.proba(this.vec.transform(textFeatures(text, this.opts.features)));
    let best = 0;
    for (let c = 1; c < proba.length; c++) if (proba[c] > proba[best]) best = c;
    return this.labels[best];
  }
}
