import { FeatureIndex, Softmax } from '../ml';

/** Named-feature JSON of a linear model, the format of the committed sentiment/topic files. */
export interface LinearModelJson {
  labels: string[];
  weights: Record<string, number[]>;
}

/**
 * A softmax model over named features (the sentiment and topic models): the ML core's
 * `Softmax` plus the feature names, serialised as `LinearModelJson`. Features carry their
 * own bias term (`__bias`), so the core's bias is off.
 */
export class LinearModel {
  private constructor(
    readonly labels: string[],
    private readonly index: FeatureIndex,
    private readonly model: Softmax,
  ) {}

  static fromJson(j: LinearModelJson): LinearModel {
    if (!Array.isArray(j?.labels) || typeof j.weights !== 'object') throw new Error('not a linear model file');
    const names = Object.keys(j.weights);
    const k = j.labels.length;
    const w = new Float64Array(names.length * k);
    names.forEach((n, i) => w.set(j.weights[n].slice(0, k), i * k));
    return new LinearModel(j.labels, FeatureIndex.of(names), new Softmax(names.length, k, w));
  }

  toJson(prune = 1e-3): LinearModelJson {
    const weights: Record<string, number[]> = {};
    const k = this.labels.length;
    this.index.names().forEach((n, i) => {
      const v = this.model.w.subarray(i * k, i * k + k);
      if (Math.max(...Array.from(v, Math.abs)) < prune) return;
      weights[n] = Array.from(v, (x) => Math.round(x * 1e4) / 1e4);
    });
    return { labels: this.labels, weights };
  }

  probs(x: Map<string, number>): number[] {
    return Array.from(this.model.proba(this.index.encode(x)));
  }

  /** AdaGrad training; features seen in fewer than `minCount` rows are dropped (except `__*`). */
  static train(
    data: { x: Map<string, number>; y: number; w?: number }[],
    labels: string[],
    opts: { epochs?: number; lr?: number; l2?: number; minCount?: number; seed?: number; onEpoch?: () => void } = {},
  ): LinearModel {
    const { epochs = 4, lr = 0.5, l2 = 1e-6, minCount = 2, seed = 7 } = opts;
    const df = new Map<string, number>();
    for (const d of data) for (const f of d.x.keys()) df.set(f, (df.get(f) ?? 0) + 1);
    const index = FeatureIndex.of([...df].filter(([f, c]) => c >= minCount || f.startsWith('__')).map(([f]) => f));
    const X = data.map((d) => index.encode(d.x));
    const model = new Softmax(index.size, labels.length).train(
      X,
      data.map((d) => d.y),
      { epochs, lr, l2, seed, optimizer: 'adagrad', bias: false, weights: data.map((d) => d.w ?? 1), onEpoch: opts.onEpoch && (() => opts.onEpoch!()) },
    );
    return new LinearModel(labels, index, model);
  }
}
