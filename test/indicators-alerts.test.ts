import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { buildReport, importCsv, IMPORT_COLUMNS, periodStart, validateIndicatorModel } from '../src/indicators/index';
import { SPEC_SLA, THREE_GRADES } from './helpers/indicatorModel';

const model = (rule: Record<string, unknown>) =>
  validateIndicatorModel({
    version: 2,
    min_sample: 1,
    grades: THREE_GRADES,
    sla: SPEC_SLA,
    dimensions: { children: [{ id: 'speed', weight: 1, signal: { survey: 'rating_response_speed' } }] },
    alerts: [rule],
  });

let db: Db;
beforeAll(async () => {
  db = await openTestDb(':memory:');
  // days 1-9: CSAT 100 % or 75 %; day 10: 0 %
  const rows = [IMPORT_COLUMNS.join(',')];
  const blank = new Array(IMPORT_COLUMNS.length - 7).fill('').join(',');
  for (let d = 1; d <= 10; d++)
    for (let k = 0; k < 4; k++) {
      const csat = d === 10 ? 2 : k === 3 && d % 2 ? 2 : 5;
      rows.push(`d${d}k${k},2026-03-${String(d).padStart(2, '0')}T10:0${k}:00Z,web,en,bot,,${csat},${blank}`);
    }
  const r = await importCsv(db, { text: rows.join('\n') });
  expect(r.imported).toBe(40);
});
afterAll(() => db.close());

describe('drop alerts against own history', () => {
  it('EWMA flags the last day and names its interactions', async () => {
    const m = model({ id: 'drop', kind: 'drop', indicator: 'csat_pct', method: 'ewma', period: 'day', history: 9, lambda: 0.3, L: 3 });
    const r = await buildReport(db, m, {});
    expect(r.alerts).toHaveLength(1);
    const a = r.alerts[0] as any;
    expect(a).toMatchObject({ rule_id: 'drop', kind: 'drop', indicator: 'csat_pct', window_from: '2026-03-10', window_to: '2026-03-11', value: 0, n: 4 });
    expect(a.interaction_ids.sort()).toEqual(['d10k0', 'd10k1', 'd10k2', 'd10k3']);
    expect(a.limit).toBeGreaterThan(60);
  });
  it('CUSUM flags it too; a window ending on day 9 does not', async () => {
    const m = model({ id: 'drop', kind: 'drop', indicator: 'csat_pct', method: 'cusum', period: 'day', history: 9 });
    expect((await buildReport(db, m, {})).alerts).toHaveLength(1);
    expect((await buildReport(db, m, { to: '2026-03-09' })).alerts).toHaveLength(0);
  });
  it('period starts: Monday weeks, months', () => {
    expect(periodStart('2026-03-11T10:00:00Z', 'week')).toBe('2026-03-09');
    expect(periodStart('2026-03-09', 'week', 1)).toBe('2026-03-02');
    expect(periodStart('2026-03-31', 'month', 1)).toBe('2026-02-01');
    expect(periodStart('2026-03-01', 'day', 1)).toBe('2026-02-28');
  });
});
