import type { Db } from '../storage/db';
import type { SlaTargets } from './model';
import { aggregateRollup, rollupServes } from './rollup';

/** Segment and window. Dates are ISO strings; a date-only `to` includes that whole day. */
export interface Filter {
  from?: string;
  to?: string;
  channel?: string;
  locale?: string;
  handledBy?: string;
  agentId?: string;
  topic?: string;
  definitionId?: string;
}

export type Period = 'day' | 'week' | 'month';

export interface TimeAgg {
  n: number;
  met: number;
  scoreSum: number;
  /** sum of squared per-interaction scores (for the variance behind the CSI interval) */
  scoreSq: number;
}

/** Everything the indicator formulas need, as counts: memory does not grow with the rows. */
export interface Aggregates {
  interactions: number;
  complaints: number;
  offered: number;
  responded: number;
  times: Record<'first_reply' | 'queue_wait' | 'complaint_first_response' | 'complaint_closed' | 'transaction', TimeAgg>;
  fcr: { n: number; yes: number };
  repeat: { n: number; yes: number };
  /** item id -> value -> count (skipped and missing answers are not in it). */
  hist: Map<string, Map<number, number>>;
  feedback: number;
  topics: Map<string, { mentions: number; positive: number; neutral: number; negative: number }>;
  /** handoff operations: handling_seconds (n, sum, sum of squares), accepted handoffs with ≥ 1 transfer, agent-handled interactions */
  handling: { n: number; sum: number; sumSq: number };
  transferred: number;
  agentHandled: number;
}

export function emptyAggregates(): Aggregates {
  const t = () => ({ n: 0, met: 0, scoreSum: 0, scoreSq: 0 });
  return {
    interactions: 0,
    complaints: 0,
    offered: 0,
    responded: 0,
    times: { first_reply: t(), queue_wait: t(), complaint_first_response: t(), complaint_closed: t(), transaction: t() },
    fcr: { n: 0, yes: 0 },
    repeat: { n: 0, yes: 0 },
    hist: new Map(),
    feedback: 0,
    topics: new Map(),
    handling: { n: 0, sum: 0, sumSq: 0 },
    transferred: 0,
    agentHandled: 0,
  };
}

/** Human topic tags win over the model's for the same feedback. */
/** Count `c` answers of value `value` to item `item` (both aggregation paths fill the same histogram). */
export function addAnswer(a: Aggregates, item: string, value: number, c: number): void {
  let h = a.hist.get(item);
  if (!h) a.hist.set(item, (h = new Map()));
  h.set(value, (h.get(value) ?? 0) + c);
}

/** Count `c` mentions of `topic` with sentiment `sent` (null or unknown counts as a mention only). */
export function addTopic(a: Aggregates, topic: string, sent: string | null, c: number): void {
  let t = a.topics.get(topic);
  if (!t) a.topics.set(topic, (t = { mentions: 0, positive: 0, neutral: 0, negative: 0 }));
  t.mentions += c;
  if (sent === 'positive' || sent === 'neutral' || sent === 'negative') t[sent] += c;
}

export const EFFECTIVE_TOPIC = `(t.source = 'human' OR NOT EXISTS (SELECT 1 FROM feedback_topics h WHERE h.feedback_id = t.feedback_id AND h.source = 'human'))`;

export function nextDay(date: string): string {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** WHERE clause over `i` (interactions) and `s` (surveys, when joined). */
export function whereClause(f: Filter, surveysJoined: boolean): { sql: string; params: (string | number)[] } {
  const parts = ['i.is_test = 0'];
  const params: (string | number)[] = [];
  if (f.from) parts.push('i.started_at >= ?'), params.push(f.from);
  if (f.to) {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(f.to);
    parts.push('i.started_at < ?'), params.push(dateOnly ? nextDay(f.to) : f.to);
  }
  if (f.channel) parts.push('i.channel = ?'), params.push(f.channel);
  if (f.locale) parts.push('i.locale = ?'), params.push(f.locale);
  if (f.handledBy) parts.push('i.handled_by = ?'), params.push(f.handledBy);
  if (f.agentId) parts.push('i.agent_id = ?'), params.push(f.agentId);
  if (f.topic) {
    parts.push(
      `EXISTS (SELECT 1 FROM feedback f2 JOIN feedback_topics t ON t.feedback_id = f2.id WHERE f2.interaction_id = i.id AND t.topic = ? AND ${EFFECTIVE_TOPIC})`,
    );
    params.push(f.topic);
  }
  if (f.definitionId) {
    if (surveysJoined) parts.push('s.definition_id = ?');
    else parts.push('EXISTS (SELECT 1 FROM surveys s WHERE s.interaction_id = i.id AND s.definition_id = ?)');
    params.push(f.definitionId);
  }
  return { sql: parts.join(' AND '), params };
}

export function periodExpr(p: Period | undefined): string {
  if (!p) return "''";
  if (p === 'day') return 'substr(i.started_at, 1, 10)';
  if (p === 'month') return 'substr(i.started_at, 1, 7)';
  return "date(i.started_at, 'weekday 0', '-6 days')"; // Monday of the ISO week
}

/** 100 when met, falling linearly to 0 at twice the target (per interaction; NULL stays out of SUM). */
const timeScore = (col: string) => `CASE WHEN ${col} <= ? THEN 100.0 ELSE MAX(0.0, 100.0 * (2.0 - ${col} / ?)) END`;

/**
 * Per time column: [n, met, score, score²] expressions (COUNT, SUM(met), SUM(score), SUM(score²)), shared by the
 * base SQL and the rollup refresh; `timeAggParams(target)` gives their bound values in order.
 */
export function timeAggSql(col: string): [string, string, string, string] {
  const sc = timeScore(col);
  return [`COUNT(${col})`, `SUM(${col} <= ?)`, `SUM(${sc})`, `SUM((${sc}) * (${sc}))`];
}
export const timeAggParams = (t: number): number[] => new Array(7).fill(t); // met 1, score 2, score² 4

/**
 * Handoff operations, as [rollup column, expression]: handling_seconds n / sum / sum of squares (set when an agent
 * resolves), accepted handoffs (queue_wait_seconds is set by the accept) with at least one transfer, agent-handled.
 */
export const OPS_COLUMNS: ReadonlyArray<[string, string]> = [
  ['handling_n', 'COUNT(i.handling_seconds)'],
  ['handling_sum', 'SUM(i.handling_seconds)'],
  ['handling_sq', 'SUM(i.handling_seconds * i.handling_seconds)'],
  ['transferred', 'SUM(i.queue_wait_seconds IS NOT NULL AND i.transfers > 0)'],
  ['agent_handled', "SUM(i.handled_by = 'agent')"],
];

/** Copies the handoff operations sums of one result row (keyed by OPS_COLUMNS names) into `a`. */
export function readOps(a: Aggregates, n: (k: string) => number): void {
  a.handling = { n: n('handling_n'), sum: n('handling_sum'), sumSq: n('handling_sq') };
  a.transferred = n('transferred');
  a.agentHandled = n('agent_handled');
}

/**
 * Aggregates for a window and segment, per period. Whole-day windows without an agent/topic segment read the
 * daily rollup (after refreshing dirty days); anything else, or a rollup that cannot be refreshed (e.g. a
 * read-only database), uses the base-table SQL.
 */
export async function aggregate(db: Db, sla: SlaTargets, f: Filter, period?: Period, opts: { rollup?: boolean } = {}): Promise<Map<string, Aggregates>> {
  if (opts.rollup !== false && rollupServes(f)) {
    try {
      return await aggregateRollup(db, sla, f, period);
    } catch (err) {
      if (!/no such table|readonly|SQLITE_BUSY/i.test(String(err))) throw err;
    }
  }
  return aggregateSql(db, sla, f, period);
}

/**
 * Runs the GROUP BY queries on the base tables; CROSS JOIN pins the join order (interactions first, then covering indexes), which
 * SQLite otherwise sometimes reverses into a scan of every answer with two lookups each.
 * Returns aggregates per period key ('' without a period). */
export async function aggregateSql(db: Db, sla: SlaTargets, f: Filter, period?: Period): Promise<Map<string, Aggregates>> {
  const out = new Map<string, Aggregates>();
  const get = (k: string) => {
    let a = out.get(k);
    if (!a) out.set(k, (a = emptyAggregates()));
    return a;
  };
  const p = periodExpr(period);
  const cols: Array<[keyof Aggregates['times'], string, number]> = [
    ['first_reply', 'i.first_reply_seconds', sla.enquiry_first_reply],
    ['queue_wait', 'i.queue_wait_seconds', sla.enquiry_first_reply],
    ['complaint_first_response', 'i.complaint_first_response_hours', sla.complaint_initial],
    ['complaint_closed', 'i.complaint_closed_hours', sla.complaint_closed],
    ['transaction', 'i.transaction_days', sla.transaction],
  ];
  const timeSql = cols
    .map(([k, c]) => {
      const [n, met, score, sq] = timeAggSql(c);
      return `${n} AS ${k}_n, ${met} AS ${k}_met, ${score} AS ${k}_score, ${sq} AS ${k}_sq`;
    })
    .join(', ');
  const timeParams = cols.flatMap(([, , t]) => timeAggParams(t));

  const w1 = whereClause(f, true);
  const rows = await db.all<Record<string, number | string | null>>(
    `SELECT ${p} AS p, COUNT(*) AS n, SUM(i.complaint) AS complaints, ${timeSql},
       COUNT(i.resolved) AS fcr_n, SUM(i.resolved = 'yes') AS fcr_yes,
       COUNT(i.repeat_contact_7d) AS rep_n, SUM(i.repeat_contact_7d) AS rep_yes,
       COUNT(s.id) AS offered, SUM(s.status IN ('complete', 'incomplete')) AS responded,
       ${OPS_COLUMNS.map(([k, e]) => `${e} AS ${k}`).join(', ')}
     FROM interactions i LEFT JOIN surveys s ON s.interaction_id = i.id
     WHERE ${w1.sql} ${period ? 'GROUP BY p' : ''}`,
    [...timeParams, ...w1.params],
  );
  for (const r of rows) {
    const a = get(String(r.p));
    const n = (k: string) => Number(r[k] ?? 0);
    a.interactions = n('n');
    a.complaints = n('complaints');
    for (const [k] of cols) a.times[k] = { n: n(`${k}_n`), met: n(`${k}_met`), scoreSum: n(`${k}_score`), scoreSq: n(`${k}_sq`) };
    a.fcr = { n: n('fcr_n'), yes: n('fcr_yes') };
    a.repeat = { n: n('rep_n'), yes: n('rep_yes') };
    a.offered = n('offered');
    a.responded = n('responded');
    readOps(a, n);
  }

  await db.each<{ p: string; item_id: string; value: number; c: number }>(
    `SELECT ${p} AS p, a.item_id, a.value, COUNT(*) AS c
     FROM interactions i CROSS JOIN surveys s ON s.interaction_id = i.id CROSS JOIN survey_answers a ON a.survey_id = s.id
     WHERE ${w1.sql} AND a.skipped = 0 AND a.value IS NOT NULL
     GROUP BY p, a.item_id, a.value`,
    w1.params,
    (r) => {
      addAnswer(get(String(r.p)), r.item_id, Number(r.value), r.c);
    },
  );

  const w2 = whereClause(f, false);
  const fb = await db.all<{ p: string; c: number }>(
    `SELECT ${p} AS p, COUNT(*) AS c FROM interactions i JOIN feedback f ON f.interaction_id = i.id WHERE ${w2.sql} ${period ? 'GROUP BY p' : ''}`,
    w2.params,
  );
  for (const r of fb) get(String(r.p)).feedback = r.c;
  await db.each<{ p: string; topic: string; sent: string | null; c: number }>(
    `SELECT ${p} AS p, t.topic, COALESCE(t.sentiment, f.human_sentiment, f.sentiment) AS sent, COUNT(*) AS c
     FROM interactions i CROSS JOIN feedback f ON f.interaction_id = i.id CROSS JOIN feedback_topics t ON t.feedback_id = f.id
     WHERE ${w2.sql} AND ${EFFECTIVE_TOPIC}
     GROUP BY p, t.topic, sent`,
    w2.params,
    (r) => {
      addTopic(get(String(r.p)), r.topic, r.sent, r.c);
    },
  );
  return out;
}
