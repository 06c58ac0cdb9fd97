import type { Db } from '../storage/db';
import type { SlaTargets } from './model';
import { aggregateRollup, rollupServes } from './rollup';
import { EFFECTIVE_TOPIC, addAnswer, addTopic, allTimeParams, countColumns, periodMap, readCounts, whereClause, type Aggregates, type Filter, type Period } from './measures';

export function periodExpr(p: Period | undefined): string {
  if (!p) return "''";
  if (p === 'day') return 'substr(i.started_at, 1, 10)';
  if (p === 'month') return 'substr(i.started_at, 1, 7)';
  return "date(i.started_at, 'weekday 0', '-6 days')"; // Monday of the ISO week
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
  const { out, get } = periodMap();
  const p = periodExpr(period);
  const w1 = whereClause(f, { table: 'base', surveysJoined: true });
  const rows = await db.all<Record<string, number | string | null>>(
    `SELECT ${p} AS p, ${countColumns().map(([k, e]) => `${e} AS ${k}`).join(', ')}
     FROM interactions i LEFT JOIN surveys s ON s.interaction_id = i.id
     WHERE ${w1.sql} ${period ? 'GROUP BY p' : ''}`,
    [...allTimeParams(sla), ...w1.params],
  );
  for (const r of rows) readCounts(get(String(r.p)), (k) => Number(r[k] ?? 0));

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

  const w2 = whereClause(f, { table: 'base', surveysJoined: false });
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
