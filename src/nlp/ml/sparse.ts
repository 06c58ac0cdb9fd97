/** A sparse vector: parallel arrays of feature index and value (indices need not be sorted). */
export interface SparseVec {
  idx: Int32Array;
  val: Float32Array;
}

/** Dot product of two sparse vectors. */
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

/** Count occurrences of each string. */
export function counts(feats: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of feats) m.set(f, (m.get(f) ?? 0) + 1);
  return m;
}

/**
 * String feature -> index. `encode` maps a named-feature map onto a SparseVec, dropping names
 * outside the vocabulary (unless `grow`, which adds them).
 */
export class FeatureIndex {
  readonly ix = new Map<string, number>();

  static of(names: Iterable<string>): FeatureIndex {
    const f = new FeatureIndex();
    for (const n of names) if (!f.ix.has(n)) f.ix.set(n, f.ix.size);
    return f;
  }

  get size(): number {
    return this.ix.size;
  }

  encode(x: Map<string, number> | [string, number][], grow = false): SparseVec {
    const idx: number[] = [];
    const val: number[] = [];
    for (const [n, v] of x) {
      let j = this.ix.get(n);
      if (j === undefined) {
        if (!grow) continue;
        j = this.ix.size;
        this.ix.set(n, j);
      }
      idx.push(j);
      val.push(v);
    }
    return { idx: Int32Array.from(idx), val: Float32Array.from(val) };
  }

  names(): string[] {
    const out = new Array<string>(this.ix.size);
    for (const [n, j] of this.ix) out[j] = n;
    return out;
  }
}
