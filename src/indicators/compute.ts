import type { Aggregates, Filter } from './measures';
import { gradeOf, leaves, SLA_IDS, type IndicatorModel, type IndicatorNode } from './model';
import type { KanoFeature } from './kano';
import { meanCi, nps as npsStat, pct, Z95, type Interval } from './stats';

export interface Stat {
  value: number | null;
  n: number;
  ci: Interval | null;
}

export interface NodeScore {
  score: number | null;
  n: number;
  weight: number;
  label?: string;
  signal?: string;
  indicators?: Record<string, NodeScore>;
}

export interface TopicRow {
  topic: string;
  mentions: number;
  share_pct: number | null;
  /** Wilson 95% CI of share_pct (mentions out of the feedback items in the window) */
  share_ci: Interval | null;
  positive: number;
  neutral: number;
  negative: number;
  net_sentiment: number | null;
}

export interface Report {
  model_version: number;
  window: { from: string | null; to: string | null };
  segment: Filter;
  n: number;
  surveys: { offered: number; responded: number };
  csat_pct: number | null;
  csat_mean: number | null;
  nps: number | null;
  nps_counts: { promoters: number; passives: number; detractors: number };
  nps_distribution: number[];
  ces_mean: number | null;
  ces_easy_pct: number | null;
  fcr_pct: number | null;
  response_rate_pct: number | null;
  complaint_rate_pct: number | null;
  stats: Record<string, Stat>;
  sla: Record<string, { compliance_pct: number | null; n: number; met: number; target: number; unit: string; ci: Interval | null }>;
  dimensions: Record<string, NodeScore>;
  csi: number | null;
  csi_n: number;
  grade: string | null;
  grade_reason: string | null;
  fuzzy: { grades: string[]; membership: number[] | null; grade: string | null; grade_reason: string | null; n: number };
  topics: TopicRow[];
  /** Handoff figures from the interactions table (src/handoff/queue.ts writes them). */
  operations: {
    handling_seconds_mean: Stat;
    transfer_rate_pct: Stat & { transferred: number };
    agent_resolution_share_pct: Stat & { agent: number };
  };
  priorities: Array<{ dimension: string; importance: number; score: number; gap: number; priority: number }>;
  /** Kano classification per feature (pairs of one survey's functional/dysfunctional answers); filled by buildReport, {} elsewhere. */
  kano: Record<string, KanoFeature>;
  alerts: unknown[];
  warnings: string[];
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** Normalise one survey answer value to 0-100 by its item's scale. */
export function itemScore(item: string, v: number): number {
  if (item === 'nps') return v * 10;
  if (item === 'ces') return ((v - 1) / 6) * 100;
  if (item === 'resolved') return v * 100;
  return ((v - 1) / 4) * 100; // csat and 1-5 ratings
}

function histStats(h: Map<number, number> | undefined) {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (const [v, c] of h ?? []) (n += c), (sum += v * c), (sumSq += v * v * c);
  return { n, sum, sumSq };
}

function countWhere(h: Map<number, number> | undefined, test: (v: number) => boolean): number {
  let c = 0;
  for (const [v, k] of h ?? []) if (test(v)) c += k;
  return c;
}

/** Largest possible variance of a score bounded to 0-100 (all mass at 0 and 100): used when n = 1. */
const MAX_VAR = 50 * 50;

/**
 * Mean of per-unit scores from n, Σx, Σx², and the variance of that mean s²/n with the sample variance
 * s² = (Σx² − n·mean²)/(n − 1). With n = 1, s² is undefined and the bound 50² is used instead.
 */
export function meanAndVar(n: number, sum: number, sumSq: number): { score: number | null; n: number; v: number | null } {
  if (n <= 0) return { score: null, n: 0, v: null };
  const mean = sum / n;
  const s2 = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : MAX_VAR;
  return { score: mean, n, v: s2 / n };
}

/** A leaf's 0-100 score, its n and the variance of the score (every leaf is a mean of per-unit 0-100 scores). */
function leafScore(node: IndicatorNode, a: Aggregates): { score: number | null; n: number; v: number | null } {
  const s = node.signal!;
  if ('survey' in s) {
    const h = a.hist.get(s.survey);
    let n = 0;
    let sum = 0;
    let sq = 0;
    for (const [v, c] of h ?? []) {
      const x = itemScore(s.survey, v);
      (n += c), (sum += x * c), (sq += x * x * c);
    }
    return meanAndVar(n, sum, sq);
  }
  if ('topic' in s) {
    // per mention: positive 100, neutral 50, negative 0
    const t = a.topics.get(s.topic);
    if (!t) return meanAndVar(0, 0, 0);
    return meanAndVar(t.positive + t.neutral + t.negative, 100 * t.positive + 50 * t.neutral, 10000 * t.positive + 2500 * t.neutral);
  }
  const m = s.measure;
  if (m === 'fcr') return meanAndVar(a.fcr.n, 100 * a.fcr.yes, 10000 * a.fcr.yes); // resolved yes 100, else 0
  if (m === 'repeat_contact') {
    const not = a.repeat.n - a.repeat.yes; // not a repeat 100, repeat 0
    return meanAndVar(a.repeat.n, 100 * not, 10000 * not);
  }
  const t = a.times[m];
  return meanAndVar(t.n, t.scoreSum, t.scoreSq);
}

/**
 * Weighted mean over children that have data; weights renormalised over those (missing is not zero).
 * `v` is the delta-method variance Σ (wᵢ/Σw)² vᵢ over those children (weights fixed, children independent).
 */
function scoreNode(node: IndicatorNode, a: Aggregates): { out: NodeScore; v: number | null } {
  if (!node.children) {
    const { score, n, v } = leafScore(node, a);
    const sig = node.signal!;
    const signal = 'survey' in sig ? `survey:${sig.survey}` : 'topic' in sig ? `topic:${sig.topic}` : `measure:${sig.measure}`;
    return { out: { score: score === null ? null : r2(score), n, weight: r2(node.weight * 1e4) / 1e4, signal }, v };
  }
  const indicators: Record<string, NodeScore> = {};
  const parts: Array<{ w: number; score: number; v: number | null }> = [];
  let n = 0;
  for (const c of node.children) {
    const s = scoreNode(c, a);
    indicators[c.id] = s.out;
    if (s.out.score !== null) parts.push({ w: c.weight, score: s.out.score, v: s.v }), (n = Math.max(n, s.out.n));
  }
  const { mean, v } = combine(parts);
  const out: NodeScore = { score: mean === null ? null : r2(mean), n, weight: r2(node.weight * 1e4) / 1e4, indicators };
  if (node.label) out.label = node.label;
  return { out, v };
}

/** Renormalised weighted mean of parts and its variance Σ (wᵢ/Σw)² vᵢ. */
function combine(parts: Array<{ w: number; score: number; v: number | null }>): { mean: number | null; v: number | null } {
  const wSum = parts.reduce((x, p) => x + p.w, 0);
  if (!(wSum > 0)) return { mean: null, v: null };
  let acc = 0;
  let v: number | null = 0;
  for (const p of parts) {
    acc += p.w * p.score;
    v = v === null || p.v === null ? null : v + (p.w / wSum) ** 2 * p.v;
  }
  return { mean: acc / wSum, v };
}

/** Fuzzy comprehensive evaluation B = W·R over survey-item leaves, weighted-average operator M(•,+). */
export function fuzzyEvaluate(model: IndicatorModel, a: Aggregates): Report['fuzzy'] {
  const grades = model.grades;
  const b = new Array(grades.length).fill(0);
  let wSum = 0;
  let n = 0;
  for (const leaf of leaves(model.dimensions)) {
    const s = leaf.signal!;
    if (!('survey' in s)) continue;
    const h = a.hist.get(s.survey);
    const total = histStats(h).n;
    if (!total) continue;
    const row = new Array(grades.length).fill(0);
    for (const [v, c] of h!) row[grades.findIndex((g) => g.name === gradeOf(itemScore(s.survey, v), grades))] += c / total;
    for (let g = 0; g < row.length; g++) b[g] += leaf.globalWeight * row[g];
    wSum += leaf.globalWeight;
    n = Math.max(n, total);
  }
  const names = grades.map((g) => g.name);
  if (wSum === 0) return { grades: names, membership: null, grade: null, grade_reason: 'no survey-item answers in the window', n: 0 };
  const membership = b.map((x) => Math.round((x / wSum) * 1e4) / 1e4);
  const best = membership.indexOf(Math.max(...membership));
  return { grades: names, membership, grade: names[best], grade_reason: null, n };
}

const SLA_UNITS: Record<string, string> = {
  enquiry_first_reply: 'seconds',
  complaint_initial: 'hours',
  transaction: 'working_days',
  complaint_closed: 'hours',
  response_rate: 'percent',
};
const SLA_TIME: Record<string, keyof Aggregates['times']> = {
  enquiry_first_reply: 'first_reply',
  complaint_initial: 'complaint_first_response',
  transaction: 'transaction',
  complaint_closed: 'complaint_closed',
};

/** All indicator formulas over one set of aggregates (pure; no I/O). */
export function computeReport(model: IndicatorModel, a: Aggregates, filter: Filter = {}): Report {
  const csatH = a.hist.get('csat');
  const csatN = histStats(csatH);
  const csatPct = pct(countWhere(csatH, (v) => v >= 4), csatN.n);
  const csatMean = meanCi(csatN.n, csatN.sum, csatN.sumSq);
  const npsH = a.hist.get('nps');
  const nps = npsStat(countWhere(npsH, (v) => v >= 9), countWhere(npsH, (v) => v >= 7 && v < 9), countWhere(npsH, (v) => v <= 6));
  const cesH = a.hist.get('ces');
  const cesN = histStats(cesH);
  const cesMean = meanCi(cesN.n, cesN.sum, cesN.sumSq);
  const cesEasy = pct(countWhere(cesH, (v) => v >= 5), cesN.n);
  const resH = a.hist.get('resolved');
  const fcr = pct(countWhere(resH, (v) => v === 1), histStats(resH).n);
  const response = pct(a.responded, a.offered);
  const complaint = pct(a.complaints, a.interactions);

  const sla: Report['sla'] = {};
  for (const id of SLA_IDS) {
    if (id === 'response_rate') {
      const x = a.responded;
      const met = a.offered && (100 * x) / a.offered >= model.sla.response_rate ? 1 : 0;
      sla[id] = { compliance_pct: a.offered ? (met ? 100 : 0) : null, n: a.offered ? 1 : 0, met, target: model.sla.response_rate, unit: 'percent', ci: null };
      continue;
    }
    const t = a.times[SLA_TIME[id]];
    const p = pct(t.met, t.n);
    sla[id] = { compliance_pct: p.value, n: t.n, met: t.met, target: model.sla[id], unit: SLA_UNITS[id], ci: p.ci };
  }

  const dimensions: Record<string, NodeScore> = {};
  const parts: Array<{ w: number; score: number; v: number | null }> = [];
  for (const d of model.dimensions) {
    const s = scoreNode(d, a);
    dimensions[d.id] = s.out;
    if (s.out.score !== null) parts.push({ w: d.weight, score: s.out.score, v: s.v });
  }
  const combined = combine(parts);
  const csi = combined.mean === null ? null : r2(combined.mean);
  // delta method: Var(CSI) ≈ Σ ωₗ² Var(leaf ℓ) with ωₗ the renormalised global leaf weights (docs/INDICATORS.md)
  const csiCi: Interval | null =
    combined.mean === null || combined.v === null
      ? null
      : {
          low: r2(Math.max(0, combined.mean - Z95 * Math.sqrt(combined.v))),
          high: r2(Math.min(100, combined.mean + Z95 * Math.sqrt(combined.v))),
        };
  const csiN = a.responded;
  let grade: string | null = null;
  let gradeReason: string | null = null;
  if (csi === null) gradeReason = 'no data in the window';
  else if (csiN < model.minSample) gradeReason = `only ${csiN} survey responses; a grade needs at least ${model.minSample}`;
  else grade = gradeOf(csi, model.grades);

  const fuzzy = fuzzyEvaluate(model, a);
  if (fuzzy.membership && fuzzy.n < model.minSample) {
    fuzzy.grade = null;
    fuzzy.grade_reason = `only ${fuzzy.n} answers to the most-answered survey item; a grade needs at least ${model.minSample}`;
  }

  const topics: TopicRow[] = [...a.topics.entries()]
    .map(([topic, t]) => {
      const withSent = t.positive + t.neutral + t.negative;
      return {
        topic,
        mentions: t.mentions,
        share_pct: a.feedback ? r2((100 * t.mentions) / a.feedback) : null,
        share_ci: pct(Math.min(t.mentions, a.feedback), a.feedback).ci,
        positive: t.positive,
        neutral: t.neutral,
        negative: t.negative,
        net_sentiment: withSent ? r2((100 * (t.positive - t.negative)) / withSent) : null,
      };
    })
    .sort((x, y) => y.mentions - x.mentions || x.topic.localeCompare(y.topic));

  const priorities = model.dimensions
    .filter((d) => dimensions[d.id].score !== null)
    .map((d) => {
      const score = dimensions[d.id].score!;
      const importance = r2(d.weight * 1e4) / 1e4;
      return { dimension: d.id, importance, score, gap: r2(100 - score), priority: r2(d.weight * (100 - score)) };
    })
    .sort((x, y) => y.priority - x.priority);

  // operations (handoff): mean handling time of agent-resolved handoffs; transfer rate among handoffs an agent
  // accepted (queue_wait_seconds is set by the accept); share of interactions handled (resolved) by an agent
  const handling = meanCi(a.handling.n, a.handling.sum, a.handling.sumSq);
  const accepted = a.times.queue_wait.n;
  const operations: Report['operations'] = {
    handling_seconds_mean: handling,
    transfer_rate_pct: { ...pct(a.transferred, accepted), transferred: a.transferred },
    agent_resolution_share_pct: { ...pct(a.agentHandled, a.interactions), agent: a.agentHandled },
  };

  const dist = new Array(11).fill(0);
  for (const [v, c] of npsH ?? []) if (v >= 0 && v <= 10) dist[Math.round(v)] += c;

  return {
    model_version: model.version,
    window: { from: filter.from ?? null, to: filter.to ?? null },
    segment: filter,
    n: a.interactions,
    surveys: { offered: a.offered, responded: a.responded },
    csat_pct: csatPct.value,
    csat_mean: csatMean.value,
    nps: nps.value,
    nps_counts: { promoters: nps.promoters, passives: nps.passives, detractors: nps.detractors },
    nps_distribution: dist,
    ces_mean: cesMean.value,
    ces_easy_pct: cesEasy.value,
    fcr_pct: fcr.value,
    response_rate_pct: response.value,
    complaint_rate_pct: complaint.value,
    stats: {
      csat_pct: csatPct,
      csat_mean: csatMean,
      nps: { value: nps.value, n: nps.n, ci: nps.ci },
      ces_mean: cesMean,
      ces_easy_pct: cesEasy,
      fcr_pct: fcr,
      response_rate_pct: response,
      complaint_rate_pct: complaint,
      csi: { value: csi, n: csiN, ci: csiCi },
      handling_seconds_mean: handling,
      transfer_rate_pct: pct(a.transferred, accepted),
      agent_resolution_share_pct: pct(a.agentHandled, a.interactions),
    },
    sla,
    dimensions,
    csi,
    csi_n: csiN,
    grade,
    grade_reason: gradeReason,
    fuzzy,
    topics,
    operations,
    priorities,
    kano: {},
    alerts: [],
    warnings: [...model.warnings],
  };
}

/** Reads a flat indicator key from a report: csat_pct, sla.<id>, dimensions.<id>, csi ... */
export function indicatorValue(r: Report, key: string): { value: number | null; n: number } {
  if (key.startsWith('sla.')) {
    const s = r.sla[key.slice(4)];
    return s ? { value: s.compliance_pct, n: s.n } : { value: null, n: 0 };
  }
  if (key.startsWith('dimensions.')) {
    const d = r.dimensions[key.slice(11)];
    return d ? { value: d.score, n: d.n } : { value: null, n: 0 };
  }
  const s = r.stats[key];
  return s ? { value: s.value, n: s.n } : { value: null, n: 0 };
}

/** Expands "sla.*" / "dimensions.*" to the concrete keys present in a report. */
export function expandIndicator(r: Report, key: string): string[] {
  if (key === 'sla.*') return Object.keys(r.sla).map((k) => `sla.${k}`);
  if (key === 'dimensions.*') return Object.keys(r.dimensions).map((k) => `dimensions.${k}`);
  return [key];
}
