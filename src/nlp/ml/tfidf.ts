import { counts, type SparseVec } from './sparse';

/**
 * TF-IDF with a vocabulary fixed at fit time: sublinear tf (1 + ln tf), smoothed idf,
 * L2 normalisation. Features never seen in training are dropped but still count in the norm
 * (with the idf of a brand-new feature), so a query made mostly of unknown words keeps only a
 * small known part: that is what lets an out-of-scope query come out weak.
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

  /** `weight` scales each feature's contribution by its kind (e.g. prefix), default 1. */
  /** Share of a text's TF-IDF mass that falls on features seen in training (0..1). */
  knownShare(feats: string[]): number {
    let known = 0;
    let all = 0;
    for (const [f, n] of counts(feats)) {
      const j = this.vocab.get(f);
      const w = (1 + Math.log(n)) * (j === undefined ? this.unseenIdf : this.idf[j]);
      all += w * w;
      if (j !== undefined) known += w * w;
    }
    return all ? known / all : 0;
  }

  transform(feats: string[], weight?: (f: string) => number): SparseVec {
    const c = counts(feats);
    const idx: number[] = [];
    const val: number[] = [];
    let norm = 0;
    for (const [f, n] of c) {
      const k = weight ? weight(f) : 1;
      const j = this.vocab.get(f);
      if (j === undefined) {
        const w = (1 + Math.log(n)) * this.unseenIdf * k;
        norm += w * w;
        continue;
      }
      const w = (1 + Math.log(n)) * this.idf[j] * k;
      idx.push(j);
      val.push(w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    return { idx: Int32Array.from(idx), val: Float32Array.from(val, (x) => x / norm) };
  }
}
