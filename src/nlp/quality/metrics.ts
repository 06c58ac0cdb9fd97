/** STC-3 normalised match distance: L1 between cumulative sums over the first 4 points, / 4. */
export function nmd(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let P = 0;
  let Q = 0;
  let s = 0;
  for (let i = 0; i < 4; i++) {
    P += p[i];
    Q += q[i];
    s += Math.abs(P - Q);
  }
  return s / 4;
}

/** Expected score on -2..2. */
export function meanScore(p: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < 5; i++) m += p[i] * (i - 2);
  return m;
}

function ranks(x: number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation (average ranks for ties); NaN when either side is constant. */
export function spearman(a: number[], b: number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const ma = ra.reduce((s, v) => s + v, 0) / n;
  const mb = rb.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return da && db ? num / Math.sqrt(da * db) : NaN;
}

/** Mean of the distributions: the training prior. */
export function averageDist(ds: ArrayLike<number>[]): number[] {
  const s = [0, 0, 0, 0, 0];
  for (const d of ds) for (let i = 0; i < 5; i++) s[i] += d[i] / ds.length;
  return s;
}
