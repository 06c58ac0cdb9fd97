import type { Db } from '../storage/db';
import { spearman } from '../nlp/quality/metrics';
import { whereClause, type Filter } from './measures';
import { meanCi, pct, Z95, type Interval } from './stats';

/**
 * Predicted satisfaction (src/nlp/quality) over every ended interaction, beside (never mixed into) surveyed CSAT.
 * "satisfied_pct" is the mean predicted probability of S >= 1 (satisfied or very satisfied), in percent, so it reads
 * like CSAT % (share answering 4-5) while being a model estimate for everyone.
 */
export interface PredictedReport {
  label: string;
  model: string | null;
  /** ended interactions in the window and segment */
  interactions: number;
  /** of those, predicted; coverage_pct = predicted / interactions */
  predicted: number;
  coverage_pct: number | null;
  /** predicted with no customer text to read (kept out of the figures below) */
  no_text: number;
  n: number;
  satisfied_pct: { value: number | null; n: number; ci: Interval | null };
  s_mean: { value: number | null; n: number; ci: Interval | null };
  a_mean: { value: number | null; n: number; ci: Interval | null };
  surveyed: { csat_pct: number | null; n: number; coverage_pct: number | null };
  /** non-response gap: predicted satisfied % of respondents minus that of non-respondents */
  gap: {
    respondents: { value: number | null; n: number; ci: Interval | null };
    non_respondents: { value: number | null; n: number; ci: Interval | null };
    difference: number | null;
    ci: Interval | null;
  };
  /** predicted against the answered CSAT of the same interactions */
  calibration: {
    n: number;
    spearman: number | null;
    buckets: { bucket: string; n: number; predicted_pct: number | null; surveyed_pct: number | null; surveyed_ci: Interval | null; csat_mean: number | null }[];
  };
  series: { period: string; predicted_pct: number | null; predicted_n: number; surveyed_pct: number | null; surveyed_n: number }[];
  lowest_unsurveyed: { interaction_id: string; started_at: string; channel: string; locale: string | null; satisfied_pct: number; s_mean: number; a_mean: number }[];
}

interface Row {
  id: string;
  started_at: string;
  channel: string;
  locale: string | null;
  s_mean: number | null;
  a_mean: number | null;
  s_dist: string | null;
  turns: number | null;
  model: string | null;
  csat: number | null;
  responded: number;
}

const BUCKETS = [0, 20, 40, 60, 80, 100.0001];
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Mean with its normal 95% CI, clamped to the scale [lo, hi] (a small sample's interval would leave it). */
function stat(xs: number[], lo = 0, hi = 100) {
  let s = 0;
  let s2 = 0;
  for (const x of xs) (s += x), (s2 += x * x);
  const m = meanCi(xs.length, s, s2);
  return { ...m, ci: m.ci ? { low: Math.max(lo, m.ci.low), high: Math.min(hi, m.ci.high) } : null };
}

/** P(S >= 1) of a stored distribution, in percent. */
const satisfied = (dist: string) => {
  const d = JSON.parse(dist) as Record<string, number>;
  return 100 * ((d['1'] ?? 0) + (d['2'] ?? 0));
};

export async function predictedReport(db: Db, f: Filter, opts: { lowest?: number } = {}): Promise<PredictedReport> {
  const w = whereClause(f, { table: 'base', surveysJoined: false });
  const rows = await db.all<Row>(
    `SELECT i.id, i.started_at, i.channel, i.locale, q.s_mean, q.a_mean, q.s_dist, q.turns, q.model_id || '@' || q.model_version AS model,
       (SELECT MAX(a.value) FROM surveys s JOIN survey_answers a ON a.survey_id = s.id
          WHERE s.interaction_id = i.id AND a.item_id = 'csat' AND a.skipped = 0 AND a.value IS NOT NULL) AS csat,
       EXISTS (SELECT 1 FROM surveys s WHERE s.interaction_id = i.id AND s.status IN ('complete', 'incomplete')) AS responded
     FROM interactions i LEFT JOIN interaction_quality q ON q.interaction_id = i.id
     WHERE ${w.sql} AND i.ended_at IS NOT NULL`,
    w.params,
  );
  const predicted = rows.filter((r) => r.s_dist !== null);
  const withText = predicted.filter((r) => (r.turns ?? 0) > 0).map((r) => ({ ...r, sat: satisfied(r.s_dist!) }));
  const models = new Map<string, number>();
  for (const r of predicted) models.set(r.model!, (models.get(r.model!) ?? 0) + 1);

  const resp = withText.filter((r) => r.responded);
  const non = withText.filter((r) => !r.responded);
  const gr = stat(resp.map((r) => r.sat));
  const gn = stat(non.map((r) => r.sat));
  let difference: number | null = null;
  let ci: Interval | null = null;
  if (gr.value !== null && gn.value !== null && resp.length > 1 && non.length > 1) {
    const v = (xs: number[], m: number) => xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
    const se = Math.sqrt(v(resp.map((r) => r.sat), gr.value) / resp.length + v(non.map((r) => r.sat), gn.value) / non.length);
    difference = r2(gr.value - gn.value);
    ci = { low: r2(difference - Z95 * se), high: r2(difference + Z95 * se) };
  }

  const answered = withText.filter((r) => r.csat !== null);
  const buckets = BUCKETS.slice(0, -1).map((lo, k) => {
    const hi = BUCKETS[k + 1];
    const inB = answered.filter((r) => r.sat >= lo && r.sat < hi);
    const sp = pct(inB.filter((r) => r.csat! >= 4).length, inB.length);
    return {
      bucket: `${lo}-${Math.round(hi)}%`,
      n: inB.length,
      predicted_pct: stat(inB.map((r) => r.sat)).value,
      surveyed_pct: sp.value,
      surveyed_ci: sp.ci,
      csat_mean: stat(inB.map((r) => r.csat!), 1, 5).value,
    };
  });
  const rho = answered.length >= 3 ? spearman(answered.map((r) => r.sat), answered.map((r) => r.csat!)) : NaN;

  const byDay = new Map<string, { p: number[]; s: number[] }>();
  for (const r of rows) {
    const d = r.started_at.slice(0, 10);
    if (!byDay.has(d)) byDay.set(d, { p: [], s: [] });
  }
  for (const r of withText) byDay.get(r.started_at.slice(0, 10))!.p.push(r.sat);
  for (const r of rows) if (r.csat !== null) byDay.get(r.started_at.slice(0, 10))!.s.push(r.csat >= 4 ? 100 : 0);
  const series = [...byDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, v]) => ({ period, predicted_pct: stat(v.p).value, predicted_n: v.p.length, surveyed_pct: stat(v.s).value, surveyed_n: v.s.length }));

  const surveyedN = rows.filter((r) => r.csat !== null).length;
  const csat = pct(rows.filter((r) => r.csat !== null && r.csat >= 4).length, surveyedN);
  return {
    label: 'predicted from the transcript (model estimate, not a survey answer)',
    model: [...models.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null,
    interactions: rows.length,
    predicted: predicted.length,
    coverage_pct: rows.length ? r2((100 * predicted.length) / rows.length) : null,
    no_text: predicted.length - withText.length,
    n: withText.length,
    satisfied_pct: stat(withText.map((r) => r.sat)),
    s_mean: stat(withText.map((r) => r.s_mean!), -2, 2),
    a_mean: stat(withText.map((r) => r.a_mean!), -2, 2),
    surveyed: { csat_pct: csat.value, n: surveyedN, coverage_pct: rows.length ? r2((100 * surveyedN) / rows.length) : null },
    gap: { respondents: gr, non_respondents: gn, difference, ci },
    calibration: { n: answered.length, spearman: Number.isFinite(rho) ? r2(rho) : null, buckets },
    series,
    lowest_unsurveyed: withText
      .filter((r) => !r.responded)
      .sort((a, b) => a.sat - b.sat || a.s_mean! - b.s_mean!)
      .slice(0, opts.lowest ?? 10)
      .map((r) => ({ interaction_id: r.id, started_at: r.started_at, channel: r.channel, locale: r.locale, satisfied_pct: r2(r.sat), s_mean: r.s_mean!, a_mean: r.a_mean! })),
  };
}

/** Alert keys: predicted.satisfied_pct, predicted.s_mean, predicted.a_mean, predicted.gap, predicted.coverage_pct. */
export function predictedValue(p: PredictedReport | null | undefined, key: string): { value: number | null; n: number } {
  if (!p) return { value: null, n: 0 };
  switch (key) {
    case 'satisfied_pct':
    case 's_mean':
    case 'a_mean':
      return { value: p[key].value, n: p[key].n };
    case 'gap':
      return { value: p.gap.difference, n: p.gap.respondents.n + p.gap.non_respondents.n };
    case 'coverage_pct':
      return { value: p.coverage_pct, n: p.interactions };
  }
  return { value: null, n: 0 };
}
