/** Multinomial logistic regression over sparse features, trained with AdaGrad. */
export interface LinearModelJson {
  labels: string[];
  weights: Record<string, number[]>;
}

export class LinearModel {
  constructor(
    readonly labels: string[],
    readonly weights: Map<string, Float64Array>,
  ) {}

  static fromJson(j: LinearModelJson): LinearModel {
    if (!Array.isArray(j?.labels) || typeof j.weights !== 'object') throw new Error('not a linear model file');
    const w = new Map<string, Float64Array>();
    for (const [k, v] of Object.entries(j.weights)) w.set(k, Float64Array.from(v));
    return new LinearModel(j.labels, w);
  }

  toJson(prune = 1e-3): LinearModelJson {
    const weights: Record<string, number[]> = {};
    for (const [k, v] of this.weights) {
      if (Math.max(...v.map(Math.abs)) < prune) continue;
      weights[k] = Array.from(v, (x) => Math.round(x * 1e4) / 1e4);
    }
    return { labels: this.labels, weights };
  }

  probs(x: Map<string, number>): number[] {
    const k = this.labels.length;
    const z = new Array<number>(k).fill(0);
    for (const [f, v] of x) {
      const w = this.weights.get(f);
      if (w) for (let i = 0; i < k; i++) z[i] += w[i] * v;
    }
    const m = Math.max(...z);
    const e = z.map((s) => Math.exp(s - m));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((s) => s / sum);
  }

  static train(
    data: { x: Map<string, number>; y: number; w?: number }[],
    labels: string[],
    opts: { epochs?: number; lr?: number; l2?: number; minCount?: number; seed?: number; onEpoch?: () => void } = {},
  ): LinearModel {
    const { epochs = 4, lr = 0.5, l2 = 1e-6, minCount = 2 } = opts;
    const k = labels.length;
    const counts = new Map<string, number>();
    for (const d of data) for (const f of d.x.keys()) counts.set(f, (counts.get(f) ?? 0) + 1);
    // dense index per kept feature: Map lookups in the inner loop made training several times slower
    const index = new Map<string, number>();
    for (const [f, c] of counts) if (c >= minCount || f.startsWith('__')) index.set(f, index.size);
    const W = new Float64Array(index.size * k);
    const G = new Float64Array(index.size * k).fill(1e-8);
    const rows = data.map((d) => {
      const idx: number[] = [];
      const val: number[] = [];
      for (const [f, v] of d.x) {
        const i = index.get(f);
        if (i !== undefined) (idx.push(i * k), val.push(v));
      }
      return { idx: Int32Array.from(idx), val: Float64Array.from(val) };
    });
    let seed = opts.seed ?? 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const order = data.map((_, i) => i);
    const z = new Float64Array(k);
    for (let e = 0; e < epochs; e++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const n of order) {
        const { idx, val } = rows[n];
        z.fill(0);
        for (let t = 0; t < idx.length; t++) for (let c = 0; c < k; c++) z[c] += W[idx[t] + c] * val[t];
        let m = -Infinity;
        for (let c = 0; c < k; c++) m = Math.max(m, z[c]);
        let sum = 0;
        for (let c = 0; c < k; c++) sum += (z[c] = Math.exp(z[c] - m));
        const y = data[n].y;
        const sw = data[n].w ?? 1;
        for (let t = 0; t < idx.length; t++) {
          const b = idx[t];
          for (let c = 0; c < k; c++) {
            const grad = sw * (z[c] / sum - (c === y ? 1 : 0)) * val[t] + l2 * W[b + c];
            G[b + c] += grad * grad;
            W[b + c] -= (lr * grad) / Math.sqrt(G[b + c]);
          }
        }
      }
      opts.onEpoch?.();
    }
    const weights = new Map<string, Float64Array>();
    for (const [f, i] of index) weights.set(f, W.slice(i * k, i * k + k));
    const model = new LinearModel(labels, weights);
    return model;
  }
}
