import { Softmax, TfidfVectorizer, type SparseVec, type TrainOptions } from '../ml';
import { labelDist } from './data';
import { allFeatures, dialogueFeatures } from './features';
import { meanScore } from './metrics';
import { HEADS, type Dialogue, type Head } from './types';

export interface QualitySettings {
  minDf: number;
  train: TrainOptions;
  /** Softmax temperature applied at prediction time (chosen by cross-validation). */
  temperature: number;
  /** Models per head, each from its own shuffle seed; their probabilities are averaged. */
  ensemble?: number;
  /** Han character trigrams besides bigrams. */
  hanTrigrams?: boolean;
}
// Chosen by 5-fold cross-validation on train_zh + train_en (docs/CLASSIFICATION.md): l2 1e-4..1e-6, epochs 10-30,
// Han trigrams (worse), ensemble 1 vs 3 (better); the temperature is chosen by the training recipe.
export const DEFAULT_SETTINGS: QualitySettings = { minDf: 2, train: { epochs: 10, lr: 0.5, l2: 3e-6, seed: 1 }, temperature: 1, ensemble: 3 };

export interface QualityModelJson {
  kind: 'quality';
  id: string;
  version: string;
  settings: QualitySettings;
  vocab: string; // feature strings joined by \n (one JSON string parses much faster than 170k)
  idf: string; // base64 Float32Array
  unseenIdf: number;
  heads: Record<Head, { w: string; b: number[] }[]>;
  trainedOn: Record<string, unknown>;
}

// weights are stored as float32: half the file, and the precision a prediction needs
const b64 = (a: Float32Array | Float64Array) => {
  const f = a instanceof Float32Array ? a : Float32Array.from(a);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
};
const unb64 = (s: string) => {
  const buf = Buffer.from(s, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};

/** Sharpens (t < 1) or flattens (t > 1) a distribution: p^(1/t), renormalised. */
export function soften(p: ArrayLike<number>, t: number): number[] {
  if (t === 1) return Array.from(p);
  const q = Array.from(p, (x) => Math.pow(Math.max(x, 1e-12), 1 / t));
  const s = q.reduce((a, b) => a + b, 0);
  return q.map((x) => x / s);
}

/** Soft-label softmax regression over role- and position-tagged n-grams of the whole dialogue, one head per dimension. */
export class QualityModel {
  constructor(
    readonly vec: TfidfVectorizer,
    readonly heads: Record<Head, Softmax[]>,
    readonly settings: QualitySettings,
    readonly id = 'quality-linear',
    readonly version = 'dev',
    readonly trainedOn: Record<string, unknown> = {},
  ) {}

  /** `feats` (allFeatures of each dialogue) may be passed in so cross-validation featurises once. */
  static fit(
    data: Dialogue[],
    settings: QualitySettings = DEFAULT_SETTINGS,
    meta: { id?: string; version?: string; trainedOn?: Record<string, unknown>; feats?: string[][] } = {},
  ): QualityModel {
    const feats = meta.feats ?? data.map((d) => allFeatures(dialogueFeatures(d, settings)));
    const vec = TfidfVectorizer.fit(feats, settings.minDf);
    const X = feats.map((f) => vec.transform(f));
    const heads = {} as Record<Head, Softmax[]>;
    for (const h of HEADS) {
      const rows = data.map((d, i) => [X[i], labelDist(d, h)] as const).filter((r) => r[1]);
      heads[h] = Array.from({ length: settings.ensemble ?? 1 }, (_, k) =>
        new Softmax(vec.dim, 5).train(rows.map((r) => r[0]), rows.map((r) => r[1]!), { ...settings.train, seed: (settings.train.seed ?? 1) + k }),
      );
    }
    return new QualityModel(vec, heads, settings, meta.id, meta.version, meta.trainedOn);
  }

  vectorize(d: Dialogue): SparseVec {
    return this.vec.transform(allFeatures(dialogueFeatures(d, this.settings)));
  }

  /** Average of the members' probabilities (temperature 1). */
  raw(h: Head, x: SparseVec): Float64Array {
    const ms = this.heads[h];
    if (ms.length === 1) return ms[0].proba(x);
    const p = new Float64Array(5);
    for (const m of ms) {
      const q = m.proba(x);
      for (let c = 0; c < 5; c++) p[c] += q[c] / ms.length;
    }
    return p;
  }

  predictVec(x: SparseVec): Record<Head, number[]> {
    const t = this.settings.temperature;
    return { S: soften(this.raw('S', x), t), A: soften(this.raw('A', x), t) };
  }

  predict(d: Dialogue): Record<Head, number[]> {
    return this.predictVec(this.vectorize(d));
  }

  /**
   * Prediction with each turn's push on the expected S: the first-order effect of its features,
   * sum over classes of x_f w_fc p_c (score_c - E[S]). A feature shared by several turns is split by count.
   */
  explain(d: Dialogue): { S: number[]; A: number[]; turnWeights: number[] } {
    const df = dialogueFeatures(d, this.settings);
    const x = this.vec.transform(allFeatures(df));
    const pred = this.predictVec(x);
    const effect = new Map<number, number>();
    for (const head of this.heads.S) {
      const p = head.proba(x);
      const e = meanScore(p);
      for (let i = 0; i < x.idx.length; i++) {
        let s = 0;
        for (let c = 0; c < 5; c++) s += head.w[x.idx[i] * 5 + c] * p[c] * (c - 2 - e);
        effect.set(x.idx[i], (effect.get(x.idx[i]) ?? 0) + (s * x.val[i]) / this.heads.S.length);
      }
    }
    const total = new Map<number, number>();
    const perTurn = df.turns.map((fs) => {
      const m = new Map<number, number>();
      for (const f of fs) {
        const j = this.vec.vocab.get(f);
        if (j !== undefined) m.set(j, (m.get(j) ?? 0) + 1);
      }
      for (const [j, n] of m) total.set(j, (total.get(j) ?? 0) + n);
      return m;
    });
    const turnWeights = perTurn.map((m) => {
      let s = 0;
      for (const [j, n] of m) s += ((effect.get(j) ?? 0) * n) / total.get(j)!;
      return Math.round(s * 1e4) / 1e4;
    });
    return { ...pred, turnWeights };
  }

  toJson(): QualityModelJson {
    const names = new Array<string>(this.vec.dim);
    for (const [f, j] of this.vec.vocab) names[j] = f.replace(/\n/g, ' ');
    const vocab = names.join('\n');
    const heads = {} as QualityModelJson['heads'];
    for (const h of HEADS) heads[h] = this.heads[h].map((m) => ({ w: b64(m.w), b: Array.from(m.b) }));
    return { kind: 'quality', id: this.id, version: this.version, settings: this.settings, vocab, idf: b64(this.vec.idf), unseenIdf: this.vec.unseenIdf, heads, trainedOn: this.trainedOn };
  }

  static fromJson(j: QualityModelJson): QualityModel {
    if (j?.kind !== 'quality' || typeof j.vocab !== 'string') throw new Error('not a quality model file');
    const vec = new TfidfVectorizer();
    j.vocab.split('\n').forEach((f, i) => vec.vocab.set(f, i));
    vec.idf = unb64(j.idf);
    vec.unseenIdf = j.unseenIdf;
    const heads = {} as Record<Head, Softmax[]>;
    for (const h of HEADS) {
      heads[h] = j.heads[h].map((hj) => {
        const m = new Softmax(vec.dim, 5);
        m.w.set(unb64(hj.w));
        m.b.set(hj.b);
        return m;
      });
    }
    return new QualityModel(vec, heads, j.settings, j.id, j.version, j.trainedOn);
  }
}
