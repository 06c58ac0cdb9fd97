/** Pure statistics used by the indicator system. Every function here is unit-tested against hand values. */

export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Wilson score interval for x successes out of n, as fractions 0..1. */
export function wilson(x: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** A proportion as a percentage with its Wilson 95% CI in percent. */
export function pct(x: number, n: number): { value: number | null; n: number; ci: Interval | null } {
  const ci = wilson(x, n);
  return {
    value: n > 0 ? round((100 * x) / n) : null,
    n,
    ci: ci ? { low: round(ci.low * 100), high: round(ci.high * 100) } : null,
  };
}

/** NPS = %promoters − %detractors with the analytic (multinomial) 95% CI. */
export function nps(promoters: number, passives: number, detractors: number, z = Z95) {
  const n = promoters + passives + detractors;
  if (n === 0) return { value: null, n, promoters, passives, detractors, ci: null };
  const pP = promoters / n;
  const pD = detractors / n;
  const score = pP - pD;
  const se = Math.sqrt((pP + pD - score * score) / n);
  return {
    value: round(100 * score),
    n,
    promoters,
    passives,
    detractors,
    ci: { low: round(Math.max(-100, 100 * (score - z * se))), high: round(Math.min(100, 100 * (score + z * se))) },
  };
}

/** Mean with a normal 95% CI from count, sum and sum of squares (what SQL gives). */
export function meanCi(n: number, sum: number, sumSq: number, z = Z95) {
  if (n === 0) return { value: null, n, ci: null };
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
  const half = z * Math.sqrt(variance / n);
  return { value: round(mean, 3), n, ci: n > 1 ? { low: round(mean - half, 3), high: round(mean + half, 3) } : null };
}

// ---------- AHP ----------

/** Saaty's random consistency index by matrix order. */
export const SAATY_RI = [0, 0, 0, 0.58, 0.9, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59];

export interface AhpResult {
  weights: number[];
  lambdaMax: number;
  ci: number;
  cr: number;
}

/** Principal eigenvector by power iteration; λmax = mean of (Aw)_i / w_i. */
export function ahp(matrix: number[][]): AhpResult {
  const n = matrix.length;
  let w = new Array(n).fill(1 / n);
  for (let iter = 0; iter < 1000; iter++) {
    const next = matrix.map((row) => row.reduce((s, a, j) => s + a * w[j], 0));
    const sum = next.reduce((s, x) => s + x, 0);
    const norm = next.map((x) => x / sum);
    const delta = norm.reduce((s, x, i) => s + Math.abs(x - w[i]), 0);
    w = norm;
    if (delta < 1e-12) break;
  }
  const aw = matrix.map((row) => row.reduce((s, a, j) => s + a * w[j], 0));
  const lambdaMax = aw.reduce((s, x, i) => s + x / w[i], 0) / n;
  const ci = n > 1 ? (lambdaMax - n) / (n - 1) : 0;
  const ri = SAATY_RI[n] ?? 1.59;
  const cr = ri > 0 ? ci / ri : 0;
  return { weights: w, lambdaMax, ci: Math.max(0, ci), cr: Math.max(0, cr) };
}

// ---------- control charts ----------

export interface ControlResult {
  statistic: number;
  limit: number;
  signal: boolean;
  mean: number;
  sd: number;
}

function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}

/**
 * EWMA lower control limit. Baseline = history (mean, sd); the EWMA runs from the baseline mean over
 * history then the current value. Signal when the final EWMA falls below μ − L·σ·√(λ/(2−λ)·(1−(1−λ)^(2t))).
 */
export function ewmaDrop(history: number[], current: number, lambda = 0.3, L = 3): ControlResult | null {
  if (history.length < 2) return null;
  const { mean, sd } = meanSd(history);
  let z = mean;
  const series = [...history, current];
  for (const x of series) z = lambda * x + (1 - lambda) * z;
  const t = series.length;
  const width = L * sd * Math.sqrt((lambda / (2 - lambda)) * (1 - (1 - lambda) ** (2 * t)));
  const limit = mean - width;
  return { statistic: z, limit, signal: sd > 0 ? z < limit : current < mean, mean, sd };
}

/** Lower tabular CUSUM: C_t = max(0, C_{t−1} + (μ − kσ) − x_t); signal when C > hσ. */
export function cusumDrop(history: number[], current: number, k = 0.5, h = 5): ControlResult | null {
  if (history.length < 2) return null;
  const { mean, sd } = meanSd(history);
  let c = 0;
  for (const x of [...history, current]) c = Math.max(0, c + (mean - k * sd) - x);
  const limit = h * sd;
  return { statistic: c, limit, signal: sd > 0 ? c > limit : current < mean, mean, sd };
}

// ---------- Kano ----------

export type KanoAnswer = 'like' | 'must-be' | 'neutral' | 'live-with' | 'dislike';
export type KanoCategory = 'A' | 'O' | 'M' | 'I' | 'R' | 'Q';
export const KANO_ANSWERS: KanoAnswer[] = ['like', 'must-be', 'neutral', 'live-with', 'dislike'];

/** Standard Kano evaluation table: rows functional answer, columns dysfunctional answer. */
export const KANO_TABLE: KanoCategory[][] = [
  ['Q', 'A', 'A', 'A', 'O'],
  ['R', 'I', 'I', 'I', 'M'],
  ['R', 'I', 'I', 'I', 'M'],
  ['R', 'I', 'I', 'I', 'M'],
  ['R', 'R', 'R', 'R', 'Q'],
];

export function kanoCategory(functional: KanoAnswer, dysfunctional: KanoAnswer): KanoCategory {
  const i = KANO_ANSWERS.indexOf(functional);
  const j = KANO_ANSWERS.indexOf(dysfunctional);
  if (i < 0 || j < 0) throw new Error(`unknown Kano answer: ${functional}/${dysfunctional}`);
  return KANO_TABLE[i][j];
}

/** Category of a feature from many respondents: the most frequent, ties broken M > O > A > I > R > Q. */
export function kanoClassify(pairs: Array<[KanoAnswer, KanoAnswer]>) {
  const counts: Record<KanoCategory, number> = { A: 0, O: 0, M: 0, I: 0, R: 0, Q: 0 };
  for (const [f, d] of pairs) counts[kanoCategory(f, d)]++;
  const order: KanoCategory[] = ['M', 'O', 'A', 'I', 'R', 'Q'];
  let best: KanoCategory = 'I';
  let bestN = -1;
  for (const c of order) if (counts[c] > bestN) (best = c), (bestN = counts[c]);
  const base = counts.A + counts.O + counts.M + counts.I;
  return {
    category: pairs.length ? best : null,
    counts,
    better: base ? (counts.A + counts.O) / base : null,
    worse: base ? -(counts.O + counts.M) / base : null,
  };
}
