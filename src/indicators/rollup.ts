import type { Db } from '../storage/db';
import { EFFECTIVE_TOPIC, TIME_MEASURES, addAnswer, addTopic, allTimeParams, countColumns, nextDay, periodMap, readCounts, whereClause, type Aggregates, type Filter, type Period } from './measures';
import type { SlaTargets } from './model';

/**
 * Daily rollup (migration 009). Triggers mark touched days in indicator_dirty_days; `refreshRollup` recomputes
 * those days from the base tables, a few days per transaction so chat writes are never blocked for long.
 * Key: (day, channel, locale, handled_by, definition_id). Agent and topic segments are not in the key (an agent
 * key multiplies the answer histogram rows by the number of agents), so they use the base-table SQL.
 */
const KEY = ['day', 'channel', 'locale', 'handled_by', 'definition_id'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Days per refresh transaction: bounds how long a refresh holds the write lock. */
const DAYS_PER_TX = 7;

/** True when the rollup can answer this filter exactly: whole-day window, no agent / topic segment. */
export function rollupServes(f: Filter): boolean {
  if (f.agentId || f.topic) return false;
  if (f.from && !DATE.test(f.from)) return false;
  if (f.to && !DATE.test(f.to)) return false;
  return true;
}

const segSql = `substr(i.started_at, 1, 10), i.channel, COALESCE(i.locale, ''), i.handled_by, COALESCE(s.definition_id, '')`;

/** Recompute days [first, last] from base tables (caller holds the transaction). Same SQL shape as aggregateSql. */
async function rebuildDays(tx: Db, sla: SlaTargets, first: string, last: string): Promise<void> {
  const range = [first, nextDay(last)];
  for (const t of ['ops', 'answers', 'topics']) await tx.runRaw(`DELETE FROM indicator_rollup_${t} WHERE day >= ? AND day <= ?`, [first, last]);
  const counts = countColumns();
  await tx.runRaw(
    `INSERT INTO indicator_rollup_ops (${KEY.join(', ')}, ${counts.map(([k]) => k).join(', ')})
     SELECT ${segSql}, ${counts.map(([, e]) => e).join(', ')}
     FROM interactions i LEFT JOIN surveys s ON s.interaction_id = i.id
     WHERE i.is_test = 0 AND i.started_at >= ? AND i.started_at < ?
     GROUP BY 1, 2, 3, 4, 5`,
    [...allTimeParams(sla), ...range],
  );
  await tx.runRaw(
    `INSERT INTO indicator_rollup_ops (${KEY.join(', ')}, interactions, complaints, feedback)
     SELECT ${segSql}, 0, 0, COUNT(*)
     FROM interactions i CROSS JOIN feedback f ON f.interaction_id = i.id LEFT JOIN surveys s ON s.interaction_id = i.id
     WHERE i.is_test = 0 AND i.started_at >= ? AND i.started_at < ?
     GROUP BY 1, 2, 3, 4, 5
     ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET feedback = excluded.feedback`,
    range,
  );
  await tx.runRaw(
    `INSERT INTO indicator_rollup_answers (${KEY.join(', ')}, item_id, value, c)
     SELECT ${segSql}, a.item_id, a.value, COUNT(*)
     FROM interactions i CROSS JOIN surveys s ON s.interaction_id = i.id CROSS JOIN survey_answers a ON a.survey_id = s.id
     WHERE i.is_test = 0 AND i.started_at >= ? AND i.started_at < ? AND a.skipped = 0 AND a.value IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    range,
  );
  await tx.runRaw(
    `INSERT INTO indicator_rollup_topics (${KEY.join(', ')}, topic, sentiment, c)
     SELECT ${segSql}, t.topic, COALESCE(t.sentiment, f.human_sentiment, f.sentiment, ''), COUNT(*)
     FROM interactions i CROSS JOIN feedback f ON f.interaction_id = i.id CROSS JOIN feedback_topics t ON t.feedback_id = f.id
       LEFT JOIN surveys s ON s.interaction_id = i.id
     WHERE i.is_test = 0 AND i.started_at >= ? AND i.started_at < ? AND ${EFFECTIVE_TOPIC}
     GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    range,
  );
}

/** Groups sorted days into runs of consecutive days, at most `max` days each. */
export function dayRuns(days: string[], max = DAYS_PER_TX): Array<[string, string]> {
  const runs: Array<[string, string]> = [];
  for (const d of days) {
    const cur = runs[runs.length - 1];
    if (cur && nextDay(cur[1]) === d && (Date.parse(d) - Date.parse(cur[0])) / 86400_000 < max) cur[1] = d;
    else runs.push([d, d]);
  }
  return runs;
}

/**
 * Brings the rollup up to date: rebuilds everything when the SLA targets changed (met/score depend on them),
 * then every dirty day. Returns the number of days recomputed.
 */
export async function refreshRollup(db: Db, sla: SlaTargets): Promise<number> {
  const key = JSON.stringify(TIME_MEASURES.map((m) => [m.key, m.target(sla)]));
  const meta = await db.get<{ value: string }>(`SELECT value FROM indicator_rollup_meta WHERE key = 'sla'`);
  if (meta?.value !== key) {
    await db.transaction(async (tx) => {
      await tx.execRaw(`DELETE FROM indicator_rollup_ops; DELETE FROM indicator_rollup_answers; DELETE FROM indicator_rollup_topics;
        INSERT OR IGNORE INTO indicator_dirty_days (day) SELECT DISTINCT substr(started_at, 1, 10) FROM interactions;`);
      await tx.runRaw(`INSERT INTO indicator_rollup_meta (key, value) VALUES ('sla', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key]);
    });
  }
  const days = (await db.all<{ day: string }>('SELECT day FROM indicator_dirty_days ORDER BY day')).map((r) => r.day);
  for (const [first, last] of dayRuns(days)) {
    await db.transaction(async (tx) => {
      // one write transaction: a chat write waits for it and then marks its day dirty again
      await tx.runRaw('DELETE FROM indicator_dirty_days WHERE day >= ? AND day <= ?', [first, last]);
      await rebuildDays(tx, sla, first, last);
    });
  }
  return days.length;
}

function periodOfDay(p: Period | undefined): string {
  if (!p) return "''";
  if (p === 'day') return 'day';
  if (p === 'month') return 'substr(day, 1, 7)';
  return "date(day, 'weekday 0', '-6 days')";
}

/** Same result as aggregateSql for filters where rollupServes(f); reads only the rollup tables. */
export async function aggregateRollup(db: Db, sla: SlaTargets, f: Filter, period?: Period): Promise<Map<string, Aggregates>> {
  await refreshRollup(db, sla);
  const { out, get } = periodMap();
  const p = periodOfDay(period);
  const w = whereClause(f, { table: 'rollup' });
  const by = period ? 'GROUP BY p' : '';
  const sums = [...countColumns().map(([k]) => k), 'feedback'];
  const rows = await db.all<Record<string, number | string | null>>(
    `SELECT ${p} AS p, ${sums.map((c) => `SUM(${c}) AS ${c}`).join(', ')} FROM indicator_rollup_ops WHERE ${w.sql} ${by}`,
    w.params,
  );
  for (const r of rows) {
    const a = get(String(r.p));
    const n = (k: string) => Number(r[k] ?? 0);
    readCounts(a, n);
    a.feedback = n('feedback');
  }
  await db.each<{ p: string; item_id: string; value: number; c: number }>(
    `SELECT ${p} AS p, item_id, value, SUM(c) AS c FROM indicator_rollup_answers WHERE ${w.sql} GROUP BY p, item_id, value`,
    w.params,
    (r) => {
      addAnswer(get(String(r.p)), r.item_id, Number(r.value), r.c);
    },
  );
  await db.each<{ p: string; topic: string; sent: string; c: number }>(
    `SELECT ${p} AS p, topic, sentiment AS sent, SUM(c) AS c FROM indicator_rollup_topics WHERE ${w.sql} GROUP BY p, topic, sentiment`,
    w.params,
    (r) => {
      addTopic(get(String(r.p)), r.topic, r.sent, r.c);
    },
  );
  return out;
}
