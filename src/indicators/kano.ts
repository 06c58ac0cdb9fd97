import type { Db } from '../storage/db';
import { whereClause, type Filter } from './measures';
import { KANO_ANSWERS, kanoClassify, type KanoAnswer, type KanoCategory } from './stats';

/** One feature's Kano result in the report: respondents with both answers, category counts, the modal category, Better/Worse. */
export interface KanoFeature {
  n: number;
  counts: Record<KanoCategory, number>;
  category: KanoCategory | null;
  better: number | null;
  worse: number | null;
}

const SUFFIX_F = '_functional';
const r4 = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);

/**
 * Kano classification per feature for a window and segment, from the base tables (the rollup keeps no pairs).
 * Kano items are `kano_<feature>_functional` / `kano_<feature>_dysfunctional` (src/survey/definitions.ts enforces
 * it), stored with value 1..5 = like, must-be, neutral, live-with, dislike. Only surveys that answered both
 * questions of a feature count; skipped answers are left out. One GROUP BY query: counts per (feature, f, d); the
 * item_id range ('kano_' ≤ id < 'kano`') lets each survey's answers be read from the (survey_id, item_id) index.
 */
export async function kanoReport(db: Db, f: Filter): Promise<Record<string, KanoFeature>> {
  const w = whereClause(f, { table: 'base', surveysJoined: true });
  const rows = await db.all<{ item_id: string; fv: number; dv: number; c: number }>(
    `SELECT fa.item_id, fa.value AS fv, da.value AS dv, COUNT(*) AS c
     FROM interactions i CROSS JOIN surveys s ON s.interaction_id = i.id
       CROSS JOIN survey_answers fa ON fa.survey_id = s.id
       CROSS JOIN survey_answers da ON da.survey_id = s.id
         AND da.item_id = substr(fa.item_id, 1, length(fa.item_id) - ${SUFFIX_F.length}) || '_dysfunctional'
     WHERE ${w.sql} AND fa.item_id >= 'kano_' AND fa.item_id < 'kano\`'
       AND fa.kind = 'kano' AND fa.item_id LIKE 'kano\\_%\\_functional' ESCAPE '\\'
       AND fa.skipped = 0 AND da.skipped = 0 AND fa.value IS NOT NULL AND da.value IS NOT NULL
     GROUP BY fa.item_id, fa.value, da.value
     ORDER BY fa.item_id`,
    w.params,
  );
  const pairs = new Map<string, Array<[KanoAnswer, KanoAnswer]>>();
  for (const r of rows) {
    const fv = KANO_ANSWERS[Number(r.fv) - 1];
    const dv = KANO_ANSWERS[Number(r.dv) - 1];
    if (!fv || !dv) continue; // not a 1..5 whole number: not a Kano answer
    const feature = r.item_id.slice('kano_'.length, -SUFFIX_F.length);
    let list = pairs.get(feature);
    if (!list) pairs.set(feature, (list = []));
    for (let k = 0; k < r.c; k++) list.push([fv, dv]);
  }
  const out: Record<string, KanoFeature> = {};
  for (const [feature, list] of pairs) {
    const k = kanoClassify(list);
    out[feature] = { n: list.length, counts: k.counts, category: k.category, better: r4(k.better), worse: r4(k.worse) };
  }
  return out;
}
