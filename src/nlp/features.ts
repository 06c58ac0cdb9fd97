import { normalizeText, tokenize } from './segment';

/** A sparse, usually L2-normalised vector: parallel arrays of feature index and value. */
export interface SparseVec {
  idx: Int32Array;
  val: Float32Array;
}

export interface FeatureOptions {
  wordBigrams?: boolean; // stemmed word bigrams
  hanBigrams?: boolean; // Han character bigrams (robust to segmentation errors)
  latinGrams?: number[]; // Latin character n-gram sizes, e.g. [3, 4] (robust to typos)
}

const DEFAULTS: Required<FeatureOptions> = { wordBigrams: true, hanBigrams: true, latinGrams: [3, 4] };
const HAN_RUN_G = /\p{Script=Han}+/gu;
const LATIN_WORD_G = /[a-z0-9]+/g;

/** Feature strings of a text (with repeats, so term frequency is kept); prefixes keep kinds apart. */
export function textFeatures(text: string, opts: FeatureOptions = {}): string[] {
  const o = { ...DEFAULTS, ...opts };
  const out: string[] = [];
  const toks = tokenize(text);
  for (const t of toks) out.push('w:' + t);
  if (o.wordBigrams) for (let i = 0; i + 1 < toks.length; i++) out.push('b:' + toks[i] + ' ' + toks[i + 1]);
  const norm = normalizeText(text);
  if (o.hanBigrams) {
    for (const run of norm.match(HAN_RUN_G) ?? []) {
      for (let i = 0; i + 1 < run.length; i++) out.push('h:' + run.slice(i, i + 2));
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

/** Count occurrences of each string. */
export function counts(feats: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of feats) m.set(f, (m.get(f) ?? 0) + 1);
  return m;
}

/**
 * TF-IDF with a vocabulary fixed at fit time: sublinear tf (1 + ln tf), smoothed idf,
 * L2 normalisation. Features never seen in training are dropped, which is what makes an
 * out-of-domain query come out as a near-empty vector.
 */
export class TfidfVectorizer {
  readonly vocab = new Map<string, number>();
  idf = new Float32Array(0);
  unseenIdf = 1;

  static fit(docs: string[][], minDf = 1): TfidfVectorizer {
    const v = new TfidfVectorizer();
    const df = new Map<string, number>();
    for (const d of docs) for (const f of new Set(d)) df.set(f, (df.get(f) ?? 0) + 1);
    const idf: number[] = [];
    for (const [f, n] of df) {
      if (n < minDf) continue;
      v.vocab.set(f, idf.length);
      idf.push(Math.log((1 + docs.length) / (1 + n)) + 1);
    }
    v.idf = Float32Array.from(idf);
    v.unseenIdf = Math.log(1 + docs.length) + 1;
    return v;
  }

  get dim(): number {
    return this.idf.length;
  }

  transform(feats: string[]): SparseVec {
    const c = counts(feats);
    const idx: number[] = [];
    const val: number[] = [];
    let norm = 0;
    for (const [f, n] of c) {
      const j = this.vocab.get(f);
      if (j === undefined) {
        // unseen features still count in the norm (with the idf of a brand-new feature), so a
        // query made mostly of unknown words keeps only a small known part
        const w = (1 + Math.log(n)) * this.unseenIdf;
        norm += w * w;
        continue;
      }
      const w = (1 + Math.log(n)) * this.idf[j];
      idx.push(j);
      val.push(w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    return { idx: Int32Array.from(idx), val: Float32Array.from(val, (x) => x / norm) };
  }
}

/** Dot product of two sparse vectors (indices need not be sorted). */
export function sparseDot(a: SparseVec, b: SparseVec): number {
  if (a.idx.length > b.idx.length) [a, b] = [b, a];
  const m = new Map<number, number>();
  for (let i = 0; i < a.idx.length; i++) m.set(a.idx[i], a.val[i]);
  let s = 0;
  for (let i = 0; i < b.idx.length; i++) {
    const x = m.get(b.idx[i]);
    if (x !== undefined) s += x * b.val[i];
  }
  return s;
}
