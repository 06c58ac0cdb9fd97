import type { Db } from '../storage/db';
import { aggregate } from './aggregate';
import { whereClause, type Filter, type Period } from './measures';
import { computeReport, expandIndicator, indicatorValue, type Report } from './compute';
import { leaves, type AlertRule, type IndicatorModel } from './model';
import { cusumDrop, ewmaDrop } from './stats';

export interface AlertInput {
  rule_id: string;
  kind: 'threshold' | 'drop';
  indicator: string;
  window_from: string;
  window_to: string;
  segment: Filter;
  value: number | null;
  limit: number;
  n: number;
  message: string;
  interaction_ids: string[];
}

export interface AlertRow extends AlertInput {
  id: number;
  model_version: number;
  created_at: string;
  updated_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

const EVIDENCE_CAP = 100;

/** Stores, lists and acknowledges alerts (table indicator_alerts, migration 004). */
export class AlertRepo {
  constructor(private readonly db: Db) {}

  /** Upsert by (rule, indicator, window, segment): re-running a report refreshes, never duplicates. */
  async record(a: AlertInput, modelVersion: number, now = new Date().toISOString()): Promise<number> {
    await this.db.run(
      `INSERT INTO indicator_alerts (rule_id, kind, indicator, window_from, window_to, segment, value, limit_value, n, message,
         interaction_ids, model_version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (rule_id, indicator, window_from, window_to, segment) DO UPDATE SET
         value = excluded.value, limit_value = excluded.limit_value, n = excluded.n, message = excluded.message,
         interaction_ids = excluded.interaction_ids, model_version = excluded.model_version, updated_at = excluded.updated_at`,
      [a.rule_id, a.kind, a.indicator, a.window_from, a.window_to, segmentKey(a.segment), a.value, a.limit, a.n, a.message,
        JSON.stringify(a.interaction_ids), modelVersion, now, now],
    );
    const row = await this.db.get<{ id: number }>(
      'SELECT id FROM indicator_alerts WHERE rule_id = ? AND indicator = ? AND window_from = ? AND window_to = ? AND segment = ?',
      [a.rule_id, a.indicator, a.window_from, a.window_to, segmentKey(a.segment)],
    );
    return row!.id;
  }

  async list(opts: { open?: boolean; limit?: number } = {}): Promise<AlertRow[]> {
    const rows = await this.db.all<Record<string, any>>(
      `SELECT * FROM indicator_alerts ${opts.open ? 'WHERE acknowledged_at IS NULL' : ''} ORDER BY updated_at DESC, id DESC LIMIT ?`,
      [opts.limit ?? 200],
    );
    return rows.map(toRow);
  }

  async get(id: number): Promise<AlertRow | undefined> {
    const r = await this.db.get<Record<string, any>>('SELECT * FROM indicator_alerts WHERE id = ?', [id]);
    return r ? toRow(r) : undefined;
  }

  /** Returns false when there is no such alert. Acknowledging twice keeps the first acknowledgement. */
  async acknowledge(id: number, by: string, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db.run(
      'UPDATE indicator_alerts SET acknowledged_at = COALESCE(acknowledged_at, ?), acknowledged_by = COALESCE(acknowledged_by, ?) WHERE id = ?',
      [now, by, id],
    );
    return r.changes > 0;
  }
}

function segmentKey(f: Filter): string {
  const { from: _f, to: _t, ...seg } = f;
  const keys = Object.keys(seg).filter((k) => (seg as any)[k] !== undefined).sort();
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, (seg as any)[k]])));
}

function toRow(r: Record<string, any>): AlertRow {
  return {
    id: r.id,
    rule_id: r.rule_id,
    kind: r.kind,
    indicator: r.indicator,
    window_from: r.window_from,
    window_to: r.window_to,
    segment: JSON.parse(r.segment),
    value: r.value,
    limit: r.limit_value,
    n: r.n,
    message: r.message,
    interaction_ids: JSON.parse(r.interaction_ids),
    model_version: r.model_version,
    created_at: r.created_at,
    updated_at: r.updated_at,
    acknowledged_at: r.acknowledged_at,
    acknowledged_by: r.acknowledged_by,
  };
}

/** SQL condition (over i, and answers via EXISTS) picking the interactions that pull an indicator down. */
function evidenceCondition(model: IndicatorModel, indicator: string): { sql: string; params: (string | number)[] } {
  const answer = (cond: string, params: (string | number)[] = []) => ({
    sql: `EXISTS (SELECT 1 FROM surveys s2 JOIN survey_answers a ON a.survey_id = s2.id WHERE s2.interaction_id = i.id AND a.skipped = 0 AND (${cond}))`,
    params,
  });
  const low = (items: string[]) =>
    answer(items.map((it) => (it === 'resolved' ? `(a.item_id = 'resolved' AND a.value < 1)` : it === 'ces' ? `(a.item_id = 'ces' AND a.value < 5)` : it === 'nps' ? `(a.item_id = 'nps' AND a.value <= 6)` : `(a.item_id = ? AND a.value <= 3)`)).join(' OR ') || '0',
      items.filter((it) => !['resolved', 'ces', 'nps'].includes(it)));
  const sla = model.sla;
  switch (indicator) {
    case 'csat_pct':
    case 'csat_mean':
      return low(['csat']);
    case 'nps':
      return low(['nps']);
    case 'ces_mean':
    case 'ces_easy_pct':
      return low(['ces']);
    case 'fcr_pct':
      return low(['resolved']);
    case 'complaint_rate_pct':
      return { sql: 'i.complaint = 1', params: [] };
    case 'response_rate_pct':
    case 'sla.response_rate':
      return { sql: `EXISTS (SELECT 1 FROM surveys s2 WHERE s2.interaction_id = i.id AND s2.status NOT IN ('complete', 'incomplete'))`, params: [] };
    case 'sla.enquiry_first_reply':
      return { sql: 'i.first_reply_seconds > ?', params: [sla.enquiry_first_reply] };
    case 'sla.complaint_initial':
      return { sql: 'i.complaint_first_response_hours > ?', params: [sla.complaint_initial] };
    case 'sla.complaint_closed':
      return { sql: 'i.complaint_closed_hours > ?', params: [sla.complaint_closed] };
    case 'sla.transaction':
      return { sql: 'i.transaction_days > ?', params: [sla.transaction] };
    // operations figures: the interactions they are computed from (transferred / agent-handled / with a handling time)
    case 'transfer_rate_pct':
      return { sql: 'i.queue_wait_seconds IS NOT NULL AND i.transfers > 0', params: [] };
    case 'agent_resolution_share_pct':
      return { sql: "i.handled_by = 'agent'", params: [] };
    case 'handling_seconds_mean':
      return { sql: 'i.handling_seconds IS NOT NULL', params: [] };
  }
  const dim = indicator.startsWith('dimensions.') ? model.dimensions.filter((d) => d.id === indicator.slice(11)) : model.dimensions;
  const items = leaves(dim).flatMap((l) => ('survey' in l.signal! ? [l.signal.survey] : []));
  return low(items);
}

export async function evidence(db: Db, model: IndicatorModel, f: Filter, indicator: string): Promise<string[]> {
  const w = whereClause(f, { table: 'base', surveysJoined: false });
  const e = evidenceCondition(model, indicator);
  const rows = await db.all<{ id: string }>(
    `SELECT i.id FROM interactions i WHERE ${w.sql} AND ${e.sql} ORDER BY i.started_at DESC LIMIT ${EVIDENCE_CAP}`,
    [...w.params, ...e.params],
  );
  return rows.map((r) => r.id);
}

/** Start of the period `back` periods before the one holding `iso` (UTC). */
export function periodStart(iso: string, period: Period, back = 0): string {
  const d = new Date(iso.length === 10 ? iso + 'T00:00:00Z' : iso);
  d.setUTCHours(0, 0, 0, 0);
  if (period === 'day') d.setUTCDate(d.getUTCDate() - back);
  else if (period === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) - 7 * back);
  else d.setUTCDate(1), d.setUTCMonth(d.getUTCMonth() - back);
  return d.toISOString().slice(0, 10);
}

/** Series of every report indicator by period (one set of GROUP BY queries). */
export async function trend(db: Db, model: IndicatorModel, f: Filter, period: Period): Promise<Array<{ period: string; report: Report }>> {
  const byPeriod = await aggregate(db, model.sla, f, period);
  return [...byPeriod.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([p, a]) => ({ period: p, report: computeReport(model, a, f) }));
}

async function lastActivity(db: Db, f: Filter): Promise<string | null> {
  const w = whereClause(f, { table: 'base', surveysJoined: false });
  const r = await db.get<{ m: string | null }>(`SELECT MAX(i.started_at) AS m FROM interactions i WHERE ${w.sql}`, w.params);
  return r?.m ?? null;
}

async function dropAlerts(db: Db, model: IndicatorModel, f: Filter, rule: AlertRule, end: string): Promise<AlertInput[]> {
  const period = rule.period!;
  const from = periodStart(end, period, rule.history!);
  const series = await trend(db, model, { ...f, from: f.from && f.from > from ? f.from : from, to: f.to }, period);
  const current = periodStart(end, period);
  const last = series.find((s) => s.period === current);
  if (!last) return [];
  const out: AlertInput[] = [];
  for (const key of expandIndicator(last.report, rule.indicator)) {
    const cur = indicatorValue(last.report, key);
    if (cur.value === null || cur.n < rule.minN) continue;
    const history = series
      .filter((s) => s.period < current)
      .map((s) => indicatorValue(s.report, key))
      .filter((v) => v.value !== null && v.n >= rule.minN)
      .map((v) => v.value as number);
    const res = rule.method === 'ewma' ? ewmaDrop(history, cur.value, rule.lambda, rule.L) : cusumDrop(history, cur.value, rule.k, rule.h);
    if (!res || !res.signal) continue;
    const winTo = periodStart(end, period, -1);
    const limit = Math.round(res.limit * 100) / 100;
    out.push({
      rule_id: rule.id,
      kind: 'drop',
      indicator: key,
      window_from: current,
      window_to: winTo,
      segment: f,
      value: cur.value,
      limit,
      n: cur.n,
      message:
        rule.method === 'ewma'
          ? `${key} ${cur.value} in ${period} ${current}: EWMA ${res.statistic.toFixed(2)} below lower control limit ${limit} (baseline mean ${res.mean.toFixed(2)} over ${history.length} ${period}s)`
          : `${key} ${cur.value} in ${period} ${current}: lower CUSUM ${res.statistic.toFixed(2)} above decision limit ${limit} (baseline mean ${res.mean.toFixed(2)} over ${history.length} ${period}s)`,
      interaction_ids: await evidence(db, model, { ...f, from: current, to: `${winTo}T00:00:00.000Z` }, key),
    });
  }
  return out;
}

/** Evaluates every rule for the report's window; threshold rules on the report, drop rules on the trend. */
export async function evaluateAlerts(db: Db, model: IndicatorModel, f: Filter, report: Report): Promise<AlertInput[]> {
  const out: AlertInput[] = [];
  for (const rule of model.alerts) {
    if (rule.kind === 'threshold') {
      for (const key of expandIndicator(report, rule.indicator)) {
        const { value, n } = indicatorValue(report, key);
        if (value === null || n < rule.minN) continue;
        const breach = rule.below !== undefined && value < rule.below ? { limit: rule.below, word: 'below' } : rule.above !== undefined && value > rule.above ? { limit: rule.above, word: 'above' } : null;
        if (!breach) continue;
        out.push({
          rule_id: rule.id,
          kind: 'threshold',
          indicator: key,
          window_from: f.from ?? '',
          window_to: f.to ?? '',
          segment: f,
          value,
          limit: breach.limit,
          n,
          message: `${key} = ${value} (n=${n}) is ${breach.word} ${breach.limit}`,
          interaction_ids: await evidence(db, model, f, key),
        });
      }
    } else {
      const end = f.to ?? (await lastActivity(db, f));
      if (end) out.push(...(await dropAlerts(db, model, f, rule, end)));
    }
  }
  return out;
}
