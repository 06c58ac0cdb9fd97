import type { Db } from '../storage/db';
import { aggregate } from './aggregate';
import { emptyAggregates, type Filter } from './measures';
import { AlertRepo, evaluateAlerts } from './alerts';
import { computeReport, type Report } from './compute';
import { kanoReport } from './kano';
import type { IndicatorModel } from './model';

export * from './aggregate';
export * from './measures';
export * from './alerts';
export * from './compute';
export * from './model';
export * from './stats';
export { CsvParser, parseCsv } from '../csv';
export * from './importCsv';
export * from './rollup';
export * from './kano';

/**
 * Full report for a window and segment: indicators, Kano classification, then alert rules; alerts are stored (upsert)
 * when `store` is set and listed in report.alerts with their ids.
 */
export async function buildReport(db: Db, model: IndicatorModel, filter: Filter, opts: { alerts?: boolean; store?: boolean } = {}): Promise<Report> {
  const agg = (await aggregate(db, model.sla, filter)).get('') ?? emptyAggregates();
  const report = computeReport(model, agg, filter);
  // Kano pairs two answers of one survey, which the per-item histograms (and the rollup) do not keep: own query.
  report.kano = await kanoReport(db, filter);
  if (opts.alerts !== false) {
    const found = await evaluateAlerts(db, model, filter, report);
    if (opts.store) {
      const repo = new AlertRepo(db);
      report.alerts = await Promise.all(found.map(async (a) => ({ id: await repo.record(a, model.version), ...a })));
    } else report.alerts = found;
  }
  return report;
}
