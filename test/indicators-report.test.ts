import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { importCsv, IMPORT_COLUMNS } from '../src/indicators/importCsv';
import { buildReport, loadIndicatorModel, validateIndicatorModel, AlertRepo, trend, parseCsv } from '../src/indicators/index';
import { SPEC_SLA, THREE_GRADES } from './helpers/indicatorModel';

const H = IMPORT_COLUMNS.join(',');
// columns: id,ts,channel,locale,handled_by,agent,csat,nps,ces,resolved,speed,attitude,prof,res,first_reply,complaint,complaint_h,comment
const SAMPLE = [
  '\uFEFF' + H,
  'i1,2026-01-05T10:00:00Z,web,en,bot,,5,10,7,yes,5,5,5,5,60,0,,"Great, fast"',
  'i2,2026-01-05T11:00:00Z,web,zh-CN,agent,a1,4,8,5,partly,4,5,4,4,900,1,30,"slow ""reply""\nsecond line"',
  'i3,2026-01-06T09:00:00Z,web,en,bot,,2,3,2,no,2,1,3,1,300,0,,',
  'i4,2026-01-06 12:00,teams,en-US,agent,a2,,9,,yes,,,,,,1,10,call me 13812345678',
  'i5,2026-01-06T12:00:00Z,web,en,bot,,6,,,,,,,,,0,,',
  'i6,yesterday,web,en,bot,,5,,,,,,,,,0,,',
  'i7,2026-01-06T12:00:00Z,web,en,robot,,5,,,,,,,,,0,,',
  'i8,2026-02-30T12:00:00Z,web,en,bot,,5,,,maybe,,,,,,0,,',
].join('\r\n');

const SMALL_MODEL = {
  version: 7,
  min_sample: 3,
  grades: { active: 'three', ...THREE_GRADES },
  sla: SPEC_SLA,
  dimensions: {
    children: [
      { id: 'speed', weight: 3, children: [{ id: 'rating', weight: 1, signal: { survey: 'rating_response_speed' } }] },
      { id: 'attitude', weight: 2, children: [{ id: 'rating', weight: 1, signal: { survey: 'rating_attitude' } }] },
    ],
  },
  alerts: [{ id: 'csat_low', kind: 'threshold', indicator: 'csat_pct', below: 80 }],
};

let dir: string;
let db: Db;
const fed: number[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ind-'));
  db = await openTestDb(join(dir, 'bot.db'));
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CSV', () => {
  it('parses quotes, escaped quotes, newlines in quotes, CRLF', () => {
    expect(parseCsv('a,"b,c","d ""e""\nf"\r\n1,,3')).toEqual([['a', 'b,c', 'd "e"\nf'], ['1', '', '3']]);
  });
});

describe('import', () => {
  it('keeps good rows, rejects bad ones with row number and reason', async () => {
    const r = await importCsv(db, { text: SAMPLE }, { onFeedback: (id) => void fed.push(id) });
    expect(r.rows).toBe(8);
    expect(r.imported).toBe(4);
    expect(r.rejected.map((x) => x.row)).toEqual([6, 7, 8, 9]);
    expect(r.rejected[0].reason).toMatch(/^csat: "6"/);
    expect(r.rejected[1].reason).toMatch(/^timestamp/);
    expect(r.rejected[2].reason).toMatch(/^handled_by/);
    expect(r.rejected[3].reason).toMatch(/^timestamp/); // Feb 30
    expect(fed).toHaveLength(3);
    const i4 = await db.get<any>('SELECT * FROM interactions WHERE id = ?', ['i4']);
    expect(i4).toMatchObject({ source: 'import', locale: 'en', started_at: '2026-01-06T12:00:00.000Z', complaint: 1 });
    const texts = (await db.all<{ text: string }>('SELECT text FROM feedback ORDER BY id')).map((x) => x.text);
    expect(texts).toEqual(['Great, fast', 'slow "reply"\nsecond line', 'call me [PHONE]']);
    const s = await db.get<any>("SELECT * FROM surveys WHERE interaction_id = 'i1'");
    expect(s).toMatchObject({ definition_id: 'import', trigger: 'import', status: 'complete' });
    const answers = await db.all<any>("SELECT item_id, value FROM survey_answers WHERE survey_id = 'import:i4' ORDER BY item_id");
    expect(answers).toEqual([{ item_id: 'nps', value: 9 }, { item_id: 'resolved', value: 1 }]); // empty cells are not answers
  });

  it('re-import duplicates nothing', async () => {
    const count = async () =>
      db.get<any>('SELECT (SELECT COUNT(*) FROM interactions) i, (SELECT COUNT(*) FROM surveys) s, (SELECT COUNT(*) FROM survey_answers) a, (SELECT COUNT(*) FROM feedback) f');
    const before = await count();
    const r = await importCsv(db, { text: SAMPLE }, { onFeedback: (id) => void fed.push(id) });
    expect(r.imported).toBe(4);
    expect(await count()).toEqual(before);
    expect(before).toEqual({ i: 4, s: 4, a: 8 * 3 + 2, f: 3 });
    expect(fed).toHaveLength(3); // unchanged comments are not re-queued
  });

  it('rejects only the row whose interaction already has a live survey, not its batch', async () => {
    const mem = await openTestDb(':memory:');
    const at = '2026-01-07T10:00:00.000Z';
    await mem.run(`INSERT INTO interactions (id, conversation_id, user_id, channel, started_at, last_activity_at) VALUES ('live1', 'c', 'u', 'web', ?, ?)`, [at, at]);
    await mem.run(`INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, status, offered_at) VALUES ('sv-live', 'live1', 'u', 'default', 1, 'goodbye', 'web', 'complete', ?)`, [at]);
    const blank = new Array(IMPORT_COLUMNS.length - 7).fill('').join(',');
    const text = [H, `ok1,2026-01-07T09:00:00Z,web,en,bot,,5,${blank}`, `live1,2026-01-07T10:00:00Z,web,en,bot,,1,${blank}`, `ok2,2026-01-07T11:00:00Z,web,en,bot,,4,${blank}`].join('\n');
    const r = await importCsv(mem, { text });
    expect(r.imported).toBe(2);
    expect(r.rejected).toEqual([{ row: 3, reason: 'interaction_id: "live1" already has a live survey (sv-live); not overwritten' }]);
    expect(await mem.all('SELECT id, source FROM interactions ORDER BY id')).toEqual([
      { id: 'live1', source: 'live' }, { id: 'ok1', source: 'import' }, { id: 'ok2', source: 'import' },
    ]);
    expect(await mem.all(`SELECT survey_id, value FROM survey_answers ORDER BY survey_id`)).toEqual([
      { survey_id: 'import:ok1', value: 5 }, { survey_id: 'import:ok2', value: 4 },
    ]);
    await mem.close();
  });

  it('rejects an unknown header column', async () => {
    await expect(importCsv(db, { text: 'interaction_id,timestamp,colour\n1,2026-01-01,red' })).rejects.toThrow(/unknown column "colour"/);
  });
});

describe('report over the imported sample (hand-computed)', () => {
  beforeAll(async () => {
    const f = await db.all<{ id: number; interaction_id: string }>('SELECT id, interaction_id FROM feedback');
    const id = (i: string) => f.find((x) => x.interaction_id === i)!.id;
    const tag = (f: number, source: string, topic: string, sentiment: string, confidence: number | null) =>
      db.run('INSERT INTO feedback_topics (feedback_id, source, topic, sentiment, confidence) VALUES (?, ?, ?, ?, ?)', [f, source, topic, sentiment, confidence]);
    await tag(id('i1'), 'model', 'response_speed', 'positive', 0.9);
    await tag(id('i2'), 'model', 'response_speed', 'negative', 0.8);
    // the analyst's labels replace the model's for i2
    await tag(id('i2'), 'human', 'response_speed', 'neutral', null);
    await tag(id('i2'), 'human', 'attitude', 'negative', null);
  });

  it('headline figures with n and CI', async () => {
    const model = validateIndicatorModel(SMALL_MODEL, 'test');
    expect(model.warnings[0]).toMatch(/weights sum to 5, normalised/);
    const r = await buildReport(db, model, {}, { store: true });
    expect(r.n).toBe(4);
    expect(r.csat_pct).toBe(66.67); // 5,4,2: two of three are 4-5
    expect(r.stats.csat_pct.n).toBe(3);
    expect(r.stats.csat_pct.ci).toEqual({ low: 20.77, high: 93.85 });
    expect(r.csat_mean).toBe(3.667);
    expect(r.nps).toBe(25); // 10,8,3,9
    expect(r.nps_counts).toEqual({ promoters: 2, passives: 1, detractors: 1 });
    expect(r.ces_mean).toBe(4.667);
    expect(r.ces_easy_pct).toBe(66.67);
    expect(r.fcr_pct).toBe(50);
    expect(r.response_rate_pct).toBe(100);
    expect(r.complaint_rate_pct).toBe(50);
    expect(r.sla.enquiry_first_reply).toMatchObject({ compliance_pct: 66.67, n: 3, met: 2 });
    expect(r.sla.complaint_initial).toMatchObject({ compliance_pct: 50, n: 2 });
    expect(r.sla.transaction).toMatchObject({ compliance_pct: null, n: 0 });
    // speed 5,4,2 -> 100,75,25 -> 66.67; attitude 5,5,1 -> 100,100,0 -> 66.67
    expect(r.dimensions.speed).toMatchObject({ score: 66.67, n: 3 });
    expect(r.dimensions.attitude).toMatchObject({ score: 66.67, n: 3 });
    expect(r.csi).toBe(66.67);
    // delta method: speed s² = (33.33² + 8.33² + 41.67²)/2 = 1458.33, /3 = 486.11; attitude s² = (2·33.33² + 66.67²)/2 = 3333.33, /3 = 1111.11;
    // Var(CSI) = 0.6²·486.11 + 0.4²·1111.11 = 352.78, se = 18.782, 66.67 − 1.96·18.782 = 29.86 (upper end clipped at 100)
    expect(r.stats.csi.ci).toEqual({ low: 29.86, high: 100 });
    expect(r.grade).toBe('medium');
    // B = 0.6·[1/3,1/3,1/3] + 0.4·[2/3,0,1/3]
    expect(r.fuzzy.membership).toEqual([0.4667, 0.2, 0.3333]);
    expect(r.fuzzy.grade).toBe('high');
    // share CI: Wilson of 2/3 and 1/3 feedback items
    expect(r.topics).toEqual([
      { topic: 'response_speed', mentions: 2, share_pct: 66.67, share_ci: { low: 20.77, high: 93.85 }, positive: 1, neutral: 1, negative: 0, net_sentiment: 50 },
      { topic: 'attitude', mentions: 1, share_pct: 33.33, share_ci: { low: 6.15, high: 79.23 }, positive: 0, neutral: 0, negative: 1, net_sentiment: -100 },
    ]);
    expect(r.priorities[0]).toMatchObject({ dimension: 'speed', importance: 0.6, gap: 33.33, priority: 20 });
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({ rule_id: 'csat_low', indicator: 'csat_pct', value: 66.67, limit: 80, interaction_ids: ['i3'] });
  });

  it('segments and the withheld grade', async () => {
    const model = validateIndicatorModel({ ...SMALL_MODEL, min_sample: 5 }, 'test');
    const all = await buildReport(db, model, {});
    expect(all.grade).toBeNull();
    expect(all.grade_reason).toMatch(/only 4 survey responses/);
    // the fuzzy grade is withheld the same way, with its own reason (3 answers to the most-answered rating item)
    expect(all.fuzzy.membership).not.toBeNull();
    expect(all.fuzzy.grade).toBeNull();
    expect(all.fuzzy.grade_reason).toBe('only 3 answers to the most-answered survey item; a grade needs at least 5');
    const teams = await buildReport(db, model, { channel: 'teams' });
    expect(teams).toMatchObject({ n: 1, csat_pct: null, nps: 100 });
    expect((await buildReport(db, model, { handledBy: 'agent' })).n).toBe(2);
    expect((await buildReport(db, model, { topic: 'attitude' })).n).toBe(1);
    expect((await buildReport(db, model, { to: '2026-01-05' })).n).toBe(2);
    expect((await buildReport(db, model, { definitionId: 'nope' })).n).toBe(0);
    const days = await trend(db, model, {}, 'day');
    expect(days.map((d) => [d.period, d.report.n])).toEqual([['2026-01-05', 2], ['2026-01-06', 2]]);
  });

  it('alerts are stored once, listed and acknowledged', async () => {
    const model = validateIndicatorModel(SMALL_MODEL, 'test');
    await buildReport(db, model, {}, { store: true });
    const repo = new AlertRepo(db);
    const list = await repo.list();
    expect(list).toHaveLength(1);
    expect(await repo.acknowledge(list[0].id, 'ana')).toBe(true);
    expect(await repo.list({ open: true })).toHaveLength(0);
    expect((await repo.get(list[0].id))!.acknowledged_by).toBe('ana');
    expect(await repo.acknowledge(9999, 'ana')).toBe(false);
  });

  it('the shipped model loads with a consistent AHP matrix', () => {
    const m = loadIndicatorModel('models/indicators.yaml');
    expect(m.dimensionsAhp!.cr).toBeLessThan(0.1);
    expect(m.dimensions.reduce((s, d) => s + d.weight, 0)).toBeCloseTo(1, 9);
    expect(m.gradeVariants.five).toHaveLength(5);
    expect(m.sla).toEqual({ enquiry_first_reply: 600, complaint_initial: 24, transaction: 3, complaint_closed: 168, response_rate: 60 });
  });
});

describe('report figures for people', () => {
  it('rounds floats to two decimals and words the window', async () => {
    const { windowText, toMarkdown } = await import('../src/indicators/render');
    expect(windowText({})).toBe('all recorded data');
    expect(windowText({ from: '2026-11-01' })).toBe('since 2026-11-01');
    expect(windowText({ from: '2026-11-01', to: '2026-11-30' })).toBe('2026-11-01 to 2026-11-30');
    const r: any = {
      model_version: 'v1', window: { from: null, to: null }, segment: {}, n: 3, csi: 0.11956900000000001, grade: null, grade_reason: 'n < 30', csi_n: 3,
      stats: { nps: { value: 33.33333333333333, n: 3, ci: { low: -12.345678, high: 79.99999 } } }, sla: {}, dimensions: {},
      fuzzy: { membership: null, grades: [], n: 0, grade: null }, topics: [], priorities: [{ dimension: 'speed', importance: 0.2500001, score: 71.428571, priority: 7.1428571 }], alerts: [], warnings: [],
    };
    const md = toMarkdown(r);
    expect(md).toContain('period: all recorded data');
    expect(md).toContain('**CSI 0.12**');
    expect(md).toContain('| nps | 33.33 | 3 | -12.35 – 80 |');
    expect(md).toContain('| speed | 0.25 | 71.43 | 7.14 |');
    expect(md).not.toMatch(/\d\.\d{3,}/);
  });
});
