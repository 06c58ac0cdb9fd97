import { textFeatures, type FeatureOptions } from './features';
import { Softmax, TfidfVectorizer, type SparseVec, type TrainOptions } from './ml';
import { calibrated, candidateFeatures, type Calibration } from './calibrate';
import { stripWrappers } from './wrappers';

export type { Calibration };
export type MatchOutcome = 'answer' | 'suggest' | 'fallback';

export interface MatchCandidate {
  id: string;
  score: number; // calibrated confidence 0..1
}

export interface MatchResult {
  /** answer: reply with `id`; suggest: offer `suggestions`; fallback: none fits. */
  outcome: MatchOutcome;
  /** Best entry (also set for suggest/fallback, for logging); undefined when nothing scored. */
  id?: string;
  /** Calibrated confidence that `id` is the right entry. */
  confidence: number;
  /** Ranked candidates scoring at least the suggestion floor (never near-zero ones). */
  suggestions: MatchCandidate[];
  /** Older names: `level` high/medium/low = answer/suggest/fallback; `top` = suggestions. */
  level: 'high' | 'medium' | 'low';
  top: MatchCandidate[];
}

export interface MatcherOptions {

  /** From fitCalibration (src/nlp/calibrate.ts); without it a fixed heuristic combination is used. */
  calibration?: Calibration;
  features?: FeatureOptions;
  train?: TrainOptions;
  /** Confidence at or above which the bot answers. */
  answerAt?: number;
  /** Confidence at or above which an entry is offered as a suggestion. */
  suggestAt?: number;
}

const DEFAULTS = { answerAt: 0.5, suggestAt: 0.15 };

interface Analysis {
  proba: Float64Array;
  /** per entry: best cosine to one of its phrasings */
  cos: Float64Array;
  /** per entry: best share of one phrasing's TF-IDF mass that the query contains */
  cover: Float64Array;
  nnz: number;
  /** share of the query's TF-IDF mass on features the KB knows */
  known: number;
}

/**
 * Knowledge-base matcher: a softmax classifier over entries combined with retrieval against
 * every phrasing (cosine and coverage), on the text with greetings and politeness wrappers
 * removed. See docs/MATCHING.md for how the combination and thresholds were chosen.
 */
export class Matcher {
  private readonly postings: { ex: Int32Array; val: Float32Array }[];
  private readonly answerAt: number;
  private readonly suggestAt: number;

  private constructor(
    private readonly labels: string[],
    private readonly vec: TfidfVectorizer,
    private readonly model: Softmax,
    private readonly exLabel: Int32Array,
    examples: SparseVec[],
    private readonly opts: MatcherOptions,
  ) {
    this.answerAt = opts.answerAt ?? opts.calibration?.answerAt ?? DEFAULTS.answerAt;
    this.suggestAt = opts.suggestAt ?? opts.calibration?.suggestAt ?? DEFAULTS.suggestAt;
    // inverted index feature -> (example, weight) for fast retrieval over every phrasing
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
    const feats = examples.map((e) => textFeatures(stripWrappers(e.text), opts.features));
    const vec = TfidfVectorizer.fit(feats);
    const X = feats.map((f) => vec.transform(f));
    const y = examples.map((e) => labelIx.get(e.label)!);
    const model = new Softmax(vec.dim, labels.length).train(X, y, { epochs: 30, lr: 0.5, l2: 1e-5, ...opts.train });
    return new Matcher(labels, vec, model, Int32Array.from(y), X, opts);
  }

  get size(): number {
    return this.labels.length;
  }

  get thresholds(): { answerAt: number; suggestAt: number } {
    return { answerAt: this.answerAt, suggestAt: this.suggestAt };
  }

  get entryIds(): string[] {
    return [...this.labels];
  }

  /** Raw class probabilities and retrieval scores per entry (for evaluation and tuning). */
  analyse(text: string): Analysis {
    const feats = textFeatures(stripWrappers(text), this.opts.features);
    const x = this.vec.transform(feats);
    const proba = this.model.proba(x);
    const n = this.exLabel.length;
    const dot = new Float64Array(n);
    const sq = new Float64Array(n); // squared mass of each phrasing found in the query
    for (let i = 0; i < x.idx.length; i++) {
      const p = this.postings[x.idx[i]];
      const v = x.val[i];
      for (let k = 0; k < p.ex.length; k++) {
        dot[p.ex[k]] += v * p.val[k];
        sq[p.ex[k]] += p.val[k] * p.val[k];
      }
    }
    const cos = new Float64Array(this.labels.length);
    const cover = new Float64Array(this.labels.length);
    for (let e = 0; e < n; e++) {
      const c = this.exLabel[e];
      if (dot[e] > cos[c]) cos[c] = dot[e];
      if (sq[e] > cover[c]) cover[c] = sq[e];
    }
    return { proba, cos, cover, nnz: x.idx.length, known: this.vec.knownShare(feats) };
  }

  /** Per-entry confidence from one analysis. */
  private scores(a: Analysis): Float64Array {
    const s = new Float64Array(this.labels.length);
    const cal = this.opts.calibration;
    if (!cal) {
      for (let c = 0; c < s.length; c++) s[c] = combine(a.proba[c], a.cos[c], a.cover[c]);
      return s;
    }
    // best and second-best probabilities, for each candidate's margin over the others
    let b1 = 0;
    let b2 = 0;
    for (const p of a.proba) if (p > b1) (b2 = b1), (b1 = p);
    else if (p > b2) b2 = p;
    for (let c = 0; c < s.length; c++) {
      const other = a.proba[c] === b1 ? b2 : b1;
      s[c] = calibrated(cal.coef, candidateFeatures(a.proba[c], other, a.cos[c], a.cover[c], a.known));
    }
    return s;
  }

  /** Outcome, best entry, calibrated confidence and ranked suggestions for a customer message. */
  match(text: string, locale?: string | number, k = 3): MatchResult {
    if (typeof locale === 'number') k = locale; // older call form match(text, k)
    const a = this.analyse(text);
    if (a.nnz === 0) return result('fallback', undefined, 0, []);
    const s = this.scores(a);
    const ranked = this.labels.map((id, c) => ({ id, score: s[c] })).sort((x, y) => y.score - x.score);
    const best = ranked[0];
    const suggestions = ranked.slice(0, k).filter((c) => c.score >= this.suggestAt);
    const outcome: MatchOutcome = best.score >= this.answerAt ? 'answer' : suggestions.length ? 'suggest' : 'fallback';
    return result(outcome, best.score > 0 ? best.id : undefined, best.score, suggestions);
  }

  /** Most probable label, or undefined when its confidence is below `answerAt` (out of scope). */
  classify(text: string, answerAt = this.answerAt): string | undefined {
    const a = this.analyse(text);
    const s = this.scores(a);
    let best = 0;
    for (let c = 1; c < s.length; c++) if (s[c] > s[best]) best = c;
    return s[best] >= answerAt ? this.labels[best] : undefined;
  }

  /** Label with the highest classifier probability, never none (closed-set intent accuracy). */
  classifyClosed(text: string): string {
    const proba = this.model.proba(this.vec.transform(textFeatures(stripWrappers(text), this.opts.features)));
    let best = 0;
    for (let c = 1; c < proba.length; c++) if (proba[c] > proba[best]) best = c;
    return this.labels[best];
  }
}

/** Classifier probability tempered by how well the best phrasing of the entry is found in the text. */
export function combine(p: number, cos: number, cover: number): number {
  const evidence = Math.max(cos, cover);
  const guard = Math.min(1, Math.max(0, (evidence - 0.1) / 0.35));
  return p * guard;
}

function result(outcome: MatchOutcome, id: string | undefined, confidence: number, suggestions: MatchCandidate[]): MatchResult {
  const level = outcome === 'answer' ? 'high' : outcome === 'suggest' ? 'medium' : 'low';
  return { outcome, id, confidence, suggestions, level, top: suggestions };
}
