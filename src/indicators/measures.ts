import type { SlaTargets } from './model';

/**
 * The leaf of the indicator library: the shapes both aggregation paths (base-table SQL in aggregate.ts, the daily
 * rollup in rollup.ts) fill, and the SQL fragments they share. It imports nothing of theirs, so they do not
 * import each other.
 */

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

/** The timed measures: aggregate key, interaction column, and the SLA target it is scored against. */
export const TIME_MEASURES = [
  { key: 'first_reply', column: 'i.first_reply_seconds', target: (s: SlaTargets) => s.enquiry_first_reply },
  { key: 'queue_wait', column: 'i.queue_wait_seconds', target: (s: SlaTargets) => s.enquiry_first_reply },
  { key: 'complaint_first_response', column: 'i.complaint_first_response_hours', target: (s: SlaTargets) => s.complaint_initial },
  { key: 'complaint_closed', column: 'i.complaint_closed_hours', target: (s: SlaTargets) => s.complaint_closed },
  { key: 'transaction', column: 'i.transaction_days', target: (s: SlaTargets) => s.transaction },
] as const;
export type TimeKey = (typeof TIME_MEASURES)[number]['key'];

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
  times: Record<TimeKey, TimeAgg>;
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
  const times = {} as Record<TimeKey, TimeAgg>;
  for (const m of TIME_MEASURES) times[m.key] = { n: 0, met: 0, scoreSum: 0, scoreSq: 0 };
  return {
    interactions: 0,
    complaints: 0,
    offered: 0,
    responded: 0,
    times,
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

/** Per-period aggregates, created on first use. */
export function periodMap(): { out: Map<string, Aggregates>; get: (k: string) => Aggregates } {
  const out = new Map<string, Aggregates>();
  return {
    out,
    get: (k) => {
      let a = out.get(k);
      if (!a) out.set(k, (a = emptyAggregates()));
      return a;
    },
  };
}

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

/** Human topic tags win over the model's for the same feedback. */
export const EFFECTIVE_TOPIC = `(t.source = 'human' OR NOT EXISTS (SELECT 1 FROM feedback_topics h WHERE h.feedback_id = t.feedback_id AND h.source = 'human'))`;

export function nextDay(date: string): string {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Where a filter's fields live: the base tables (`i` interactions, `s` surveys when joined) or the rollup's key columns. */
export type FilterTarget = { table: 'base'; surveysJoined: boolean } | { table: 'rollup' };

/**
 * The one filter-to-WHERE translation. The rollup has no agent or topic key (rollupServes keeps such filters off it);
 * its `day` column compares like the date part of `i.started_at`.
 */
export function whereClause(f: Filter, target: FilterTarget): { sql: string; params: (string | number)[] } {
  const base = target.table === 'base';
  const col = (name: string) => (base ? `i.${name}` : name);
  const parts = [base ? 'i.is_test = 0' : '1'];
  const params: (string | number)[] = [];
  const time = base ? 'i.started_at' : 'day';
  if (f.from) parts.push(`${time} >= ?`), params.push(f.from);
  if (f.to) parts.push(`${time} < ?`), params.push(/^\d{4}-\d{2}-\d{2}$/.test(f.to) ? nextDay(f.to) : f.to);
  if (f.channel) parts.push(`${col('channel')} = ?`), params.push(f.channel);
  if (f.locale) parts.push(`${col('locale')} = ?`), params.push(f.locale);
  if (f.handledBy) parts.push(`${col('handled_by')} = ?`), params.push(f.handledBy);
  if (base && f.agentId) parts.push('i.agent_id = ?'), params.push(f.agentId);
  if (base && f.topic) {
    parts.push(
      `EXISTS (SELECT 1 FROM feedback f2 JOIN feedback_topics t ON t.feedback_id = f2.id WHERE f2.interaction_id = i.id AND t.topic = ? AND ${EFFECTIVE_TOPIC})`,
    );
    params.push(f.topic);
  }
  if (f.definitionId) {
    if (!base) parts.push('definition_id = ?');
    else if (target.surveysJoined) parts.push('s.definition_id = ?');
    else parts.push('EXISTS (SELECT 1 FROM surveys s WHERE s.interaction_id = i.id AND s.definition_id = ?)');
    params.push(f.definitionId);
  }
  return { sql: parts.join(' AND '), params };
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

/** Bound values for every TIME_MEASURES expression, in order. */
export const allTimeParams = (sla: SlaTargets): number[] => TIME_MEASURES.flatMap((m) => timeAggParams(m.target(sla)));

/** Result-column names of one time measure: `<key>_n`, `_met`, `_score`, `_sq`. */
export const timeColumnNames = (key: string): [string, string, string, string] => [`${key}_n`, `${key}_met`, `${key}_score`, `${key}_sq`];

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

/**
 * Copies one result row of counts into `a`. Both paths name their columns alike: interactions, complaints, the
 * time measures' four columns each, fcr_n/fcr_yes, rep_n/rep_yes, offered, responded, the OPS_COLUMNS, and
 * (rollup only) feedback.
 */
export function readCounts(a: Aggregates, n: (k: string) => number): void {
  a.interactions = n('interactions');
  a.complaints = n('complaints');
  for (const { key } of TIME_MEASURES) {
    const [cn, met, score, sq] = timeColumnNames(key);
    a.times[key] = { n: n(cn), met: n(met), scoreSum: n(score), scoreSq: n(sq) };
  }
  a.fcr = { n: n('fcr_n'), yes: n('fcr_yes') };
  a.repeat = { n: n('rep_n'), yes: n('rep_yes') };
  a.offered = n('offered');
  a.responded = n('responded');
  a.handling = { n: n('handling_n'), sum: n('handling_sum'), sumSq: n('handling_sq') };
  a.transferred = n('transferred');
  a.agentHandled = n('agent_handled');
}

/** The counts every interaction row contributes, as `expr AS name` pairs (base SQL and rollup refresh alike). */
export function countColumns(): Array<[string, string]> {
  return [
    ['interactions', 'COUNT(*)'],
    ['complaints', 'SUM(i.complaint)'],
    ...TIME_MEASURES.flatMap(({ key, column }) => {
      const names = timeColumnNames(key);
      return timeAggSql(column).map((e, j): [string, string] => [names[j], e]);
    }),
    ['fcr_n', 'COUNT(i.resolved)'],
    ['fcr_yes', "SUM(i.resolved = 'yes')"],
    ['rep_n', 'COUNT(i.repeat_contact_7d)'],
    ['rep_yes', 'SUM(i.repeat_contact_7d)'],
    ['offered', 'COUNT(s.id)'],
    ['responded', "SUM(s.status IN ('complete', 'incomplete'))"],
    ...OPS_COLUMNS,
  ];
}
