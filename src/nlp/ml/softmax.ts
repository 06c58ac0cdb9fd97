import { mulberry32, shuffle } from './random';
import type { SparseVec } from './sparse';

export interface TrainOptions {
  epochs?: number;
  lr?: number;
  /** L2 penalty per example. */
  l2?: number;
  seed?: number;
  /** 'sgd': decaying step, lazy L2 (fast on many classes); 'adagrad': per-weight steps (sparse text). */
  optimizer?: 'sgd' | 'adagrad';
  /** Learn a per-class bias (off when the features carry their own bias term). */
  bias?: boolean;
  /** Per-example weights (class balancing). */
  weights?: ArrayLike<number>;
  onEpoch?: (epoch: number) => void;
}

/**
 * The one linear model of the project: multinomial logistic regression over sparse inputs.
 * Used by the KB matcher, the question-pair model and the sentiment/topic models.
 * Weights are feature-major (w[f * C + c]) so one sparse feature touches one contiguous run.
 */
export class Softmax {
  readonly w: Float64Array;
  readonly b: Float64Array;

  constructor(
    readonly dim: number,
    readonly classes: number,
    w?: Float64Array,
    b?: Float64Array,
  ) {
    this.w = w ?? new Float64Array(dim * classes);
    this.b = b ?? new Float64Array(classes);
  }

  scores(x: SparseVec, out = new Float64Array(this.classes)): Float64Array {
    const C = this.classes;
    out.set(this.b);
    for (let i = 0; i < x.idx.length; i++) {
      const base = x.idx[i] * C;
      const v = x.val[i];
      for (let c = 0; c < C; c++) out[c] += v * this.w[base + c];
    }
    return out;
  }

  /** Class probabilities (softmax of the scores, optionally divided by a temperature). */
  proba(x: SparseVec, temperature = 1): Float64Array {
    return softmaxInPlace(this.scores(x), temperature);
  }

  /** y[n] is a class index, or a target distribution over the classes (soft labels, e.g. annotators' votes). */
  train(X: SparseVec[], y: ArrayLike<number> | ReadonlyArray<number | ArrayLike<number>>, opts: TrainOptions = {}): this {
    const { epochs = 20, lr = 0.5, l2 = 1e-5, seed = 1, optimizer = 'sgd', bias = true } = opts;
    const rnd = mulberry32(seed);
    const order = shuffle(X.map((_, i) => i), rnd);
    const C = this.classes;
    const G = optimizer === 'adagrad' ? new Float64Array(this.w.length).fill(1e-8) : undefined;
    const p = new Float64Array(C);
    let scale = 1; // sgd: lazy L2 decay, w_true = scale * w
    let t = 0;
    const rescale = () => {
      for (let i = 0; i < this.w.length; i++) this.w[i] *= scale;
      scale = 1;
    };
    for (let ep = 0; ep < epochs; ep++) {
      if (ep > 0) shuffle(order, rnd);
      for (const n of order) {
        const x = X[n];
        const sw = opts.weights ? opts.weights[n] : 1;
        this.scores(x, p);
        if (scale !== 1) for (let c = 0; c < C; c++) p[c] = this.b[c] + (p[c] - this.b[c]) * scale;
        softmaxInPlace(p);
        const yn = y[n]; // gradient of the log-loss w.r.t. the scores
        if (typeof yn === 'number') p[yn] -= 1;
        else for (let c = 0; c < C; c++) p[c] -= yn[c];
        if (G) {
          for (let i = 0; i < x.idx.length; i++) {
            const base = x.idx[i] * C;
            const v = x.val[i];
            for (let c = 0; c < C; c++) {
              const g = sw * p[c] * v + l2 * this.w[base + c];
              G[base + c] += g * g;
              this.w[base + c] -= (lr * g) / Math.sqrt(G[base + c]);
            }
          }
          if (bias) for (let c = 0; c < C; c++) this.b[c] -= lr * 0.1 * sw * p[c];
        } else {
          const eta = lr / (1 + lr * l2 * t++);
          scale *= 1 - eta * l2;
          if (scale < 1e-6) rescale();
          const g = (eta * sw) / scale;
          for (let i = 0; i < x.idx.length; i++) {
            const base = x.idx[i] * C;
            const v = x.val[i] * g;
            for (let c = 0; c < C; c++) this.w[base + c] -= v * p[c];
          }
          if (bias) for (let c = 0; c < C; c++) this.b[c] -= eta * sw * p[c];
        }
      }
      opts.onEpoch?.(ep);
    }
    rescale();
    return this;
  }
}

export function softmaxInPlace(s: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const v of s) if (v > max) max = v;
  let sum = 0;
  for (let c = 0; c < s.length; c++) sum += s[c] = Math.exp((s[c] - max) / temperature);
  for (let c = 0; c < s.length; c++) s[c] /= sum;
  return s;
}
