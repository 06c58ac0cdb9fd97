import type { SparseVec } from './features';

export interface TrainOptions {
  epochs?: number;
  lr?: number; // initial learning rate
  l2?: number; // L2 penalty per example
  seed?: number;
}

/** Small deterministic PRNG so training is reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Multinomial logistic regression over sparse inputs, trained by SGD with L2.
 * natural's classifiers are far too slow for 8k examples x 77 classes; this trains in seconds.
 * Weights are stored feature-major (w[f * C + c]) so one sparse feature touches one contiguous run.
 * L2 decay is applied lazily through a global scale factor (w_true = scale * w).
 */
export class SoftmaxRegression {
  readonly w: Float32Array;
  readonly b: Float64Array;
  private scale = 1;

  constructor(
    readonly dim: number,
    readonly classes: number,
  ) {
    this.w = new Float32Array(dim * classes);
    this.b = new Float64Array(classes);
  }

  scores(x: SparseVec, out = new Float64Array(this.classes)): Float64Array {
    const C = this.classes;
    out.set(this.b);
    for (let i = 0; i < x.idx.length; i++) {
      const base = x.idx[i] * C;
      const v = x.val[i] * this.scale;
      for (let c = 0; c < C; c++) out[c] += v * this.w[base + c];
    }
    return out;
  }

  /** Class probabilities (softmax of the scores). */
  proba(x: SparseVec): Float64Array {
    const s = this.scores(x);
    let max = -Infinity;
    for (const v of s) if (v > max) max = v;
    let sum = 0;
    for (let c = 0; c < s.length; c++) sum += s[c] = Math.exp(s[c] - max);
    for (let c = 0; c < s.length; c++) s[c] /= sum;
    return s;
  }

  /** y[n] is a class index, or a target distribution over the classes (soft labels, e.g. annotators' votes). */
  train(X: SparseVec[], y: (number | ArrayLike<number>)[], opts: TrainOptions = {}): this {
    const { epochs = 20, lr = 0.5, l2 = 1e-5, seed = 1 } = opts;
    const rnd = mulberry32(seed);
    const order = X.map((_, i) => i);
    const C = this.classes;
    let t = 0;
    for (let ep = 0; ep < epochs; ep++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const n of order) {
        const eta = lr / (1 + lr * l2 * t++);
        const p = this.proba(X[n]);
        const yn = y[n];
        if (typeof yn === 'number') p[yn] -= 1; // gradient of the log-loss w.r.t. the scores
        else for (let c = 0; c < C; c++) p[c] -= yn[c];
        this.scale *= 1 - eta * l2;
        if (this.scale < 1e-6) this.rescale();
        const x = X[n];
        const g = eta / this.scale;
        for (let i = 0; i < x.idx.length; i++) {
          const base = x.idx[i] * C;
          const v = x.val[i] * g;
          for (let c = 0; c < C; c++) this.w[base + c] -= v * p[c];
        }
        for (let c = 0; c < C; c++) this.b[c] -= eta * p[c];
      }
    }
    this.rescale();
    return this;
  }

  private rescale(): void {
    for (let i = 0; i < this.w.length; i++) this.w[i] *= this.scale;
    this.scale = 1;
  }
}
