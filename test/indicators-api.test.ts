import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import restify from 'restify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { importCsv } from '../src/indicators/importCsv';
import { registerIndicatorRoutes } from '../src/web/indicatorsApi';
import { IMPORT_COLUMNS } from '../src/indicators/importCsv';

// same rows as test/indicators-report.test.ts (4 good, 4 bad)
const SAMPLE = [
  '\uFEFF' + IMPORT_COLUMNS.join(','),
  'i1,2026-01-05T10:00:00Z,web,en,bot,,5,10,7,yes,5,5,5,5,60,0,,"Great, fast"',
  'i2,2026-01-05T11:00:00Z,web,zh-CN,agent,a1,4,8,5,partly,4,5,4,4,900,1,30,"slow ""reply""\nsecond line"',
  'i3,2026-01-06T09:00:00Z,web,en,bot,,2,3,2,no,2,1,3,1,300,0,,',
  'i4,2026-01-06 12:00,teams,en-US,agent,a2,,9,,yes,,,,,,1,10,call me 13812345678',
  'i5,2026-01-06T12:00:00Z,web,en,bot,,6,,,,,,,,,0,,',
  'i6,yesterday,web,en,bot,,5,,,,,,,,,0,,',
  'i7,2026-01-06T12:00:00Z,web,en,robot,,5,,,,,,,,,0,,',
  'i8,2026-02-30T12:00:00Z,web,en,bot,,5,,,maybe,,,,,,0,,',
].join('\r\n');

const REQUIRED = ['n', 'csat_pct', 'csat_mean', 'nps', 'ces_mean', 'fcr_pct', 'response_rate_pct', 'sla', 'dimensions', 'csi', 'grade', 'fuzzy', 'alerts', 'model_version'];

let dir: string;
let db: Db;
let server: restify.Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ind-api-'));
  db = await openTestDb(join(dir, 'bot.db'));
  await importCsv(db, { text: SAMPLE });
  server = restify.createServer();
  expect(registerIndicatorRoutes(server, { db, analystToken: 'sekret' })).toBe(true);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as any).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { Authorization: 'Bearer sekret' };

describe('indicators API', () => {
  it('401 without or with a wrong token', async () => {
    expect((await fetch(`${base}/api/indicators`)).status).toBe(401);
    expect((await fetch(`${base}/api/indicators`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${base}/api/alerts`)).status).toBe(401);
  });

  it('serves the report JSON with segment filters', async () => {
    const r = await (await fetch(`${base}/api/indicators`, { headers: auth })).json();
    for (const k of REQUIRED) expect(r).toHaveProperty(k);
    expect(r.n).toBe(4);
    expect(r.csat_pct).toBe(66.67);
    const teams = await (await fetch(`${base}/api/indicators?channel=teams&handled_by=agent`, { headers: auth })).json();
    expect(teams.n).toBe(1);
    expect((await fetch(`${base}/api/indicators?from=garbage`, { headers: auth })).status).toBe(400);
  });

  it('lists and acknowledges alerts', async () => {
    const { alerts } = await (await fetch(`${base}/api/alerts?open=1`, { headers: auth })).json();
    expect(alerts.length).toBeGreaterThan(0);
    const csat = alerts.find((a: any) => a.indicator === 'csat_pct');
    expect(csat.interaction_ids).toEqual(['i3']);
    const ack = await fetch(`${base}/api/alerts/${csat.id}/ack`, { method: 'POST', headers: { ...auth, 'X-Analyst': 'ana' } });
    expect(ack.status).toBe(200);
    expect((await ack.json()).alert.acknowledged_by).toBe('ana');
    expect((await fetch(`${base}/api/alerts/99999/ack`, { method: 'POST', headers: auth })).status).toBe(404);
    const open = await (await fetch(`${base}/api/alerts?open=1`, { headers: auth })).json();
    expect(open.alerts.find((a: any) => a.id === csat.id)).toBeUndefined();
  });

  it('registers nothing without a token', () => {
    expect(registerIndicatorRoutes(restify.createServer(), { db })).toBe(false);
  });
});

describe('report CLI', () => {
  it('imports a CSV and prints the JSON report as the last stdout line; writes html', async () => {
    const csv = join(dir, 'in.csv');
    writeFileSync(csv, SAMPLE);
    const cliDb = join(dir, 'cli.db');
    const run = promisify(execFile);
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/report.ts', '--import', csv, '--db', cliDb, '--format', 'json'], { cwd: process.cwd() });
    expect(stderr).toMatch(/8 rows read, 4 imported, 4 rejected/);
    expect(stderr).toMatch(/row 6: csat/);
    const last = JSON.parse(stdout.trim().split('\n').pop()!);
    for (const k of REQUIRED) expect(last).toHaveProperty(k);
    expect(last).toMatchObject({ n: 4, nps: 25, fcr_pct: 50, model_version: 1 });
    expect(last.sla.enquiry_first_reply).toMatchObject({ compliance_pct: 66.67, n: 3 });
    const html = join(dir, 'r.html');
    await run(process.execPath, ['--import', 'tsx', 'src/cli/report.ts', '--db', cliDb, '--format', 'html', '--out', html]);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain('<svg');
    expect(text).not.toMatch(/<script|<link|src=/);
  }, 30_000);
});
