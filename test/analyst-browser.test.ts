import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { redact } from '../src/nlp/redact';
import { describeBrowser, launchChromium } from './helpers/browser';
import { startTestBot, type TestBot } from './helpers/app';

// The analyst workspace in headless Chromium against the real server (no mocks). The seed below is small on
// purpose: every number asserted here was worked out by hand from these two tables (the arithmetic is in the
// comments next to each expectation), not recomputed with the indicator library.

const XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">问题没有解决';
const PHONE_TEXT = '价格说明还可以，有事请回电 13812345678';

interface SeedRow {
  id: string;
  day: string;
  channel: 'webchat' | 'msteams';
  locale: 'zh-CN' | 'en';
  handledBy: 'bot' | 'agent';
  agent?: 'alice' | 'bob';
  status: 'complete' | 'declined' | 'offered';
  csat?: number;
  nps?: number;
  ces?: number;
  resolved?: 0 | 1;
  firstReply: number | null;
  topic?: string;
  sentiment?: 'positive' | 'neutral' | 'negative';
  text?: string;
}

// Current window 2026-11-16 (Mon) .. 2026-11-29 (Sun): two ISO weeks.
const CUR: SeedRow[] = [
  { id: 'c1', day: '2026-11-16', channel: 'webchat', locale: 'zh-CN', handledBy: 'bot', status: 'complete', csat: 5, nps: 10, ces: 7, resolved: 1, firstReply: 120, topic: 'attitude', sentiment: 'positive', text: '客服态度很好，很耐心' },
  { id: 'c2', day: '2026-11-16', channel: 'webchat', locale: 'en', handledBy: 'bot', status: 'complete', csat: 4, nps: 9, ces: 6, resolved: 1, firstReply: 300, topic: 'attitude', sentiment: 'positive', text: 'The agent was very friendly and helpful' },
  { id: 'c3', day: '2026-11-17', channel: 'msteams', locale: 'zh-CN', handledBy: 'agent', agent: 'alice', status: 'complete', csat: 2, nps: 3, ces: 2, resolved: 0, firstReply: 900, topic: 'response_speed', sentiment: 'negative', text: '客服回复太慢了，等了半小时' },
  { id: 'c4', day: '2026-11-18', channel: 'webchat', locale: 'zh-CN', handledBy: 'agent', agent: 'bob', status: 'complete', csat: 3, nps: 6, ces: 4, resolved: 1, firstReply: 660, topic: 'response_speed', sentiment: 'negative', text: '回复太慢，排队很久' },
  { id: 'c5', day: '2026-11-19', channel: 'webchat', locale: 'en', handledBy: 'bot', status: 'complete', csat: 5, nps: 8, ces: 5, resolved: 1, firstReply: 60, topic: 'resolution', sentiment: 'positive', text: 'Problem solved on the first try' },
  { id: 'c6', day: '2026-11-23', channel: 'msteams', locale: 'en', handledBy: 'agent', agent: 'alice', status: 'complete', csat: 4, nps: 10, ces: 6, resolved: 1, firstReply: 400, topic: 'attitude', sentiment: 'positive', text: 'Very polite and patient agent' },
  { id: 'c7', day: '2026-11-24', channel: 'webchat', locale: 'zh-CN', handledBy: 'bot', status: 'complete', csat: 1, nps: 0, ces: 1, resolved: 0, firstReply: 1200, topic: 'resolution', sentiment: 'negative', text: XSS },
  { id: 'c8', day: '2026-11-25', channel: 'webchat', locale: 'zh-CN', handledBy: 'agent', agent: 'bob', status: 'complete', csat: 5, nps: 9, ces: 7, resolved: 1, firstReply: 200, topic: 'price_transparency', sentiment: 'neutral', text: PHONE_TEXT },
  { id: 'c9', day: '2026-11-27', channel: 'webchat', locale: 'en', handledBy: 'bot', status: 'declined', firstReply: 100 },
  { id: 'c10', day: '2026-11-29', channel: 'msteams', locale: 'zh-CN', handledBy: 'bot', status: 'offered', firstReply: null },
];
// Previous window of the same length: 2026-11-02 .. 2026-11-15.
const PREV: SeedRow[] = [
  { id: 'p1', day: '2026-11-02', channel: 'webchat', locale: 'zh-CN', handledBy: 'bot', status: 'complete', csat: 5, nps: 9, ces: 6, resolved: 1, firstReply: 100, topic: 'attitude', sentiment: 'positive', text: '服务很好' },
  { id: 'p2', day: '2026-11-03', channel: 'webchat', locale: 'en', handledBy: 'bot', status: 'complete', csat: 4, nps: 7, ces: 5, resolved: 1, firstReply: 200, topic: 'resolution', sentiment: 'positive', text: 'Quick fix, thanks' },
  { id: 'p3', day: '2026-11-05', channel: 'msteams', locale: 'zh-CN', handledBy: 'agent', agent: 'alice', status: 'complete', csat: 2, nps: 2, ces: 3, resolved: 0, firstReply: 800, topic: 'response_speed', sentiment: 'negative', text: '等了太久' },
  { id: 'p4', day: '2026-11-09', channel: 'webchat', locale: 'zh-CN', handledBy: 'bot', status: 'complete', csat: 1, nps: 5, ces: 2, resolved: 0, firstReply: 700, topic: 'response_speed', sentiment: 'negative', text: '回复太慢' },
  { id: 'p5', day: '2026-11-12', channel: 'webchat', locale: 'en', handledBy: 'agent', agent: 'bob', status: 'complete', csat: 3, nps: 8, ces: 4, resolved: 1, firstReply: 650, topic: 'other', sentiment: 'neutral', text: 'It was okay' },
  { id: 'p6', day: '2026-11-14', channel: 'webchat', locale: 'zh-CN', handledBy: 'bot', status: 'declined', firstReply: 300 },
];
const FROM = '2026-11-16';
const TO = '2026-11-29';
const MODEL_VERSION = 'lexical-2026.11';

let tb: TestBot;
let browser: Browser;
let page: Page;
/** feedback id by interaction id */
const fid: Record<string, number> = {};
let seededAlert = 0;

async function seed(tb: TestBot) {
  const db = tb.app.db;
  const rows = [...CUR, ...PREV];
  for (const [i, r] of rows.entries()) {
    const at = `${r.day}T${String(9 + (i % 10)).padStart(2, '0')}:00:00.000Z`;
    const user = 'user-' + r.id;
    await db.run(
      `INSERT INTO interactions (id, conversation_id, user_id, channel, locale, started_at, last_activity_at, handled_by, agent_id, resolved, first_reply_seconds)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [r.id, 'conv-' + r.id, user, r.channel, r.locale, at, at, r.handledBy, r.agent ?? null, r.resolved === undefined ? null : r.resolved ? 'yes' : 'no', r.firstReply],
    );
    // As the bot stores them: the customer's words redacted, then the bot's answer.
    await db.run(`INSERT INTO transcript (interaction_id, at, role, text) VALUES (?, ?, 'customer', ?)`, [r.id, at, redact(r.text ?? 'hello').text]);
    await db.run(`INSERT INTO transcript (interaction_id, at, role, text) VALUES (?, ?, 'bot', ?)`, [r.id, at, `bot answer for ${r.id}`]);
    await db.run(
      `INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, locale, agent_id, status, offered_at)
       VALUES (?, ?, ?, 'default', 1, 'goodbye', ?, ?, ?, ?, ?)`,
      // A survey still 'offered' is offered now: the idle scheduler turns older open ones into 'incomplete'.
      ['s-' + r.id, r.id, user, r.channel, r.locale, r.agent ?? null, r.status, r.status === 'offered' ? new Date().toISOString() : at],
    );
    if (r.status !== 'complete') continue;
    const ans = (item: string, kind: string, v: number, vt: string | null = null) =>
      db.run(`INSERT INTO survey_answers (survey_id, item_id, kind, value, value_text, input_mode, answered_at) VALUES (?, ?, ?, ?, ?, 'button', ?)`, ['s-' + r.id, item, kind, v, vt, at]);
    await ans('csat', 'csat', r.csat!);
    await ans('nps', 'nps', r.nps!);
    await ans('ces', 'ces', r.ces!);
    await ans('resolved', 'resolved', r.resolved!, r.resolved ? 'yes' : 'no');
    await ans('rating_attitude', 'rating', r.csat!);
    await ans('rating_response_speed', 'rating', Math.max(1, r.csat! - 1));
    const f = await db.run(
      `INSERT INTO feedback (interaction_id, survey_id, text, language, created_at, sentiment, sentiment_confidence, model_id, model_version, classified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'lexical', ?, ?)`,
      ['' + r.id, 's-' + r.id, redact(r.text!).text, r.locale, at, r.sentiment!, 0.5 + (i % 5) / 10, MODEL_VERSION, at],
    );
    fid[r.id] = f.lastID;
    await db.run(`INSERT INTO feedback_topics (feedback_id, source, topic, sentiment, confidence) VALUES (?, 'model', ?, ?, 0.8)`, [f.lastID, r.topic!, r.sentiment!]);
  }
  // One open alert, older than 1,200 acknowledged ones: the drill-down used to search only the newest 1,000.
  const a = await db.run(
    `INSERT INTO indicator_alerts (rule_id, kind, indicator, window_from, window_to, segment, value, limit_value, n, message, interaction_ids, model_version, created_at, updated_at)
     VALUES ('seeded_csat', 'threshold', 'csat_pct', ?, ?, '{"channel":"msteams"}', 50, 80, 2, 'csat_pct = 50 (n=2) is below 80 [seeded]', '["c3","c7"]', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
    [FROM, TO],
  );
  seededAlert = a.lastID;
  await db.run(
    `WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 1200)
     INSERT INTO indicator_alerts (rule_id, kind, indicator, window_from, window_to, segment, value, limit_value, n, message, interaction_ids, model_version, created_at, updated_at, acknowledged_at, acknowledged_by)
     SELECT 'old_' || x, 'threshold', 'nps', 'w' || x, '', '{}', 1, 2, 3, 'old alert ' || x, '[]', 1, '2026-06-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z', '2026-06-02T00:00:00.000Z', 'someone' FROM k`,
  );
}

beforeAll(async () => {
  tb = await startTestBot();
  await seed(tb);
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 1000 }, locale: 'zh-CN' });
  page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e));
}, 60000);
afterAll(async () => {
  await browser?.close();
  await tb?.stop();
});

type Kpi = { v: string; n: number; d: string };
const kpis = (): Promise<Record<string, Kpi>> =>
  page.$$eval('#kpis [data-kpi]', (els) =>
    Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.kpi, { v: e.querySelector('.kv')!.textContent!, n: Number(/n = (\d+)/.exec(e.querySelector('.ks')!.textContent!)![1]), d: e.querySelector('.delta')!.textContent! }])),
  );
const chartData = (id: string) =>
  page.evaluate((id) => {
    const c = (window as any).Chart.getChart(document.getElementById(id));
    return { labels: c.data.labels as string[], sets: (c.data.datasets as any[]).map((d) => ({ label: d.label as string, data: d.data as (number | null)[] })) };
  }, id);

const FILTERS = ['channel', 'locale', 'handledBy', 'agentId', 'topic'] as const;
/**
 * Sets the shared filter bar (the window defaults to the current one), clicks Apply and waits until `tab` shows
 * exactly that query (an earlier load still in flight cannot be mistaken for it).
 */
async function apply(f: Partial<Record<(typeof FILTERS)[number] | 'period' | 'from' | 'to', string>>, tab: 'dashboard' | 'feedback' = 'dashboard') {
  await page.fill('#filters [name=from]', f.from ?? FROM);
  await page.fill('#filters [name=to]', f.to ?? TO);
  for (const k of FILTERS) await page.selectOption(`#filters [name=${k}]`, f[k] ?? '');
  if (tab === 'dashboard') await page.selectOption('#filters [name=period]', f.period ?? 'day');
  await page.evaluate((tab) => document.getElementById(tab)!.removeAttribute('data-query'), tab);
  await page.click('#apply');
  const want: Record<string, string | null> = { from: FROM, to: TO, ...Object.fromEntries(FILTERS.map((k) => [k, null])), ...f };
  if (tab === 'dashboard') want.period = f.period ?? 'day';
  await page.waitForFunction(
    ([tab, want]) => {
      const q = document.getElementById(tab as string)!.dataset.query;
      if (q === undefined) return false;
      const p = new URLSearchParams(q);
      return Object.entries(want as Record<string, string | null>).every(([k, v]) => p.get(k) === v);
    },
    [tab, want] as const,
  );
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') (f += '"'), i++;
      else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(f), (f = '');
    else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(f), rows.push(row), (row = []), (f = '');
    } else f += c;
  }
  if (f || row.length) row.push(f), rows.push(row);
  return rows;
}

const api = (p: string) => tb.app.url + '/api/analyst' + p;

describeBrowser('analyst workspace in a real browser', () => {
  it('rejects every API without a session', async () => {
    for (const p of ['/meta', '/feedback', '/dashboard', '/export/feedback.csv', '/export/report.csv', '/audit', '/alerts/1', '/goldset/metrics'])
      expect((await fetch(api(p))).status, p).toBe(401);
    for (const p of ['/feedback/1/correction', '/alerts/1/acknowledge', '/feedback/bulk-correction']) {
      const r = await fetch(api(p), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sentiment":"neutral","ids":[1]}' });
      expect(r.status, p).toBe(401);
    }
  });

  it('refuses a wrong password, then logs in as the sample analyst', async () => {
    await page.goto(tb.app.url + '/analyst');
    await page.waitForSelector('#loginForm');
    await page.fill('#loginForm [name=username]', 'ana');
    await page.fill('#loginForm [name=password]', 'wrong-password');
    await page.click('#loginForm [type=submit]');
    await page.waitForFunction(() => document.querySelector('#loginError')!.textContent!.length > 0);
    await page.fill('#loginForm [name=password]', 'analyst-demo');
    await page.click('#loginForm [type=submit]');
    await page.waitForSelector('#login.hidden', { state: 'attached' });
    await page.waitForSelector('#kpis .kpi.csi');
  }, 60000);

  it('dashboard KPIs: value, n and trend against the previous window, as computed by hand (zh-CN)', async () => {
    await apply({});
    await page.waitForFunction(() => ['cTrend', 'cDims', 'cNps', 'cTopics', 'cPriority'].every((id) => (window as any).Chart.getChart(document.getElementById(id))));
    const k = await kpis();
    // current: 10 interactions, 8 complete surveys. previous (11-02..11-15): 6 interactions, 5 complete.
    // CSAT ≥ 4: current 5,4,2,3,5,4,1,5 → 5/8 = 62.5 %; previous 5,4,2,1,3 → 2/5 = 40 % → +22.5
    expect(k.csat).toEqual({ v: '62.5%', n: 8, d: expect.stringMatching(/^▲ 22\.5 /) });
    // NPS: current 10,9,3,6,8,10,0,9 → 4 promoters, 3 detractors → 100·1/8 = 12.5; previous 9,7,2,5,8 → (1 − 2)/5 = −20 → +32.5
    expect(k.nps).toEqual({ v: '12.5', n: 8, d: expect.stringMatching(/^▲ 32\.5 /) });
    // CES mean: 38/8 = 4.75 (shown 4.8); previous 20/5 = 4 → +0.75 (shown 0.8)
    expect(k.ces).toEqual({ v: '4.8', n: 8, d: expect.stringMatching(/^▲ 0\.8 /) });
    // FCR (survey item "resolved"): 1,1,0,1,1,1,0,1 → 6/8 = 75 %; previous 1,1,0,0,1 → 3/5 = 60 % → +15
    expect(k.fcr).toEqual({ v: '75%', n: 8, d: expect.stringMatching(/^▲ 15 /) });
    // response rate: 8 of 10 offered = 80 %; previous 5/6 = 83.33 % → −3.33 (shown ▼ 3.3)
    expect(k.response).toEqual({ v: '80%', n: 10, d: expect.stringMatching(/^▼ 3\.3 /) });
    // first reply ≤ 600 s: 120,300,900,660,60,400,1200,200,100 (one NULL) → 6/9 = 66.67 %; previous 100,200,800,700,650,300 → 3/6 = 50 % → +16.67
    expect(k['sla.enquiry_first_reply']).toEqual({ v: '66.7%', n: 9, d: expect.stringMatching(/^▲ 16\.7 /) });
    // no complaint measures in the seed
    expect(k['sla.complaint_initial']).toMatchObject({ v: '—', n: 0 });
    expect(await page.textContent('#kpis [data-kpi=csi] .kv')).toMatch(/^\d+(\.\d)?$/);
    expect(await page.textContent('#tabs')).toContain('仪表板');
    expect(await page.textContent('#kpis [data-kpi="sla.enquiry_first_reply"] .kl')).toContain('咨询首次回复');
    // the NPS distribution is the 0-10 histogram of the current window
    expect((await chartData('cNps')).sets[0].data).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 1, 2, 2]);
    await page.screenshot({ path: 'test-artifacts/analyst-dashboard-zh.png', fullPage: true });
  }, 60000);

  // Right after the first dashboard load: every filter applied later records its own alerts (newer, open).
  it('an open alert drills down to its interactions and leaves the open list when acknowledged', async () => {
    await apply({});
    const li = page.locator(`#alerts li[data-alert="${seededAlert}"]`);
    await li.waitFor();
    expect(await li.textContent()).toContain('n = 2');
    await li.locator('button').click();
    await page.waitForSelector('#drillTable tbody tr');
    // the alert's interactions, newest first
    expect(await page.$$eval('#drillTable tbody tr', (rs) => rs.map((r) => (r as HTMLElement).dataset.interaction))).toEqual(['c7', 'c3']);
    expect(await page.textContent('#drillTable tbody tr[data-interaction=c3]')).toContain('msteams');
    await page.click('#drillTable tbody tr[data-interaction=c3] button');
    await page.waitForSelector('#transcriptDlg[open]');
    expect(await page.textContent('#transcriptBody')).toContain('客服回复太慢了，等了半小时');
    await page.click('#transcriptDlg button[value=close]');
    expect(await li.textContent()).toContain('渠道 msteams'); // the segment the alert was raised for
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'test-artifacts/analyst-alert-zh.png', fullPage: true });

    await page.click('#ackAlert');
    await li.waitFor({ state: 'detached' });
    const row = await tb.app.db.get<any>('SELECT acknowledged_by, acknowledged_at FROM indicator_alerts WHERE id = ?', [seededAlert]);
    expect(row.acknowledged_by).toBe('ana');
    expect(row.acknowledged_at).toBeTruthy();
    const audit = await tb.app.db.all<any>("SELECT actor, action FROM audit_log WHERE target_type = 'alert' AND target_id = ?", [String(seededAlert)]);
    expect(audit).toEqual([{ actor: 'ana', action: 'acknowledge_alert' }]);
    // still off the open list after a reload, and still found by id (among 1,200 newer alerts)
    await apply({});
    expect(await page.locator(`#alerts li[data-alert="${seededAlert}"]`).count()).toBe(0);
    const dash = await (await page.request.get(api(`/dashboard?from=${FROM}&to=${TO}`))).json();
    expect(dash.open_alerts.some((a: any) => a.id === seededAlert)).toBe(false);
    const detail = await (await page.request.get(api(`/alerts/${seededAlert}`))).json();
    expect(detail.alert.acknowledged_by).toBe('ana');
    expect(detail.interactions.map((i: any) => i.id)).toEqual(['c7', 'c3']);
  }, 60000);

  it('trend by day, week and month', async () => {
    const csat = async () => {
      const d = await chartData('cTrend');
      return { labels: d.labels, csat: d.sets.find((s) => s.label === 'CSAT %')!.data, nps: d.sets.find((s) => s.label === 'NPS')!.data };
    };
    await apply({ period: 'day' });
    // one point per day with interactions; 11-27 and 11-29 have no answers (declined / only offered)
    expect(await csat()).toMatchObject({
      labels: ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-27', '2026-11-29'],
      csat: [100, 0, 0, 100, 100, 0, 100, null, null],
    });
    await apply({ period: 'week' });
    // week of 11-16: CSAT 5,4,2,3,5 → 3/5 = 60 %, NPS 2 promoters 2 detractors of 5 → 0; week of 11-23: 4,1,5 → 2/3 = 66.67 %, NPS (2 − 1)/3 = 33.33
    expect(await csat()).toEqual({ labels: ['2026-11-16', '2026-11-23'], csat: [60, 66.67], nps: [0, 33.33] });
    await apply({ period: 'month' });
    expect(await csat()).toEqual({ labels: ['2026-11'], csat: [62.5], nps: [12.5] });
  }, 60000);

  // [filters, csat, nps, ces, fcr, response rate, first-reply SLA] as [shown value, n]
  const cases: Array<[Record<string, string>, ...Array<[string, number]>]> = [
    // c3, c6, c10: CSAT 2,4 → 1/2; NPS 3,10 → 1 − 1 = 0; CES 8/2; resolved 0,1; 2 of 3 responded; first reply 900,400 → 1/2
    [{ channel: 'msteams' }, ['50%', 2], ['0', 2], ['4', 2], ['50%', 2], ['66.7%', 3], ['50%', 2]],
    // c2, c5, c6, c9: CSAT 4,5,4 → 3/3; NPS 9,8,10 → 2/3 = 66.67; CES 17/3 = 5.67; 3/4 responded; 300,60,400,100 all ≤ 600
    [{ locale: 'en' }, ['100%', 3], ['66.7', 3], ['5.7', 3], ['100%', 3], ['75%', 4], ['100%', 4]],
    // c3, c4, c6, c8: CSAT 2,3,4,5 → 2/4; NPS 3,6,10,9 → 0; CES 19/4 = 4.75; resolved 0,1,1,1; 900,660,400,200 → 2/4
    [{ handledBy: 'agent' }, ['50%', 4], ['0', 4], ['4.8', 4], ['75%', 4], ['100%', 4], ['50%', 4]],
    // c1, c2, c5, c7, c9: CSAT 5,4,5,1 → 3/4; NPS 10,9,8,0 → (2 − 1)/4 = 25; CES 19/4; 4/5 responded; 120,300,60,1200,100 → 4/5
    [{ channel: 'webchat', handledBy: 'bot' }, ['75%', 4], ['25', 4], ['4.8', 4], ['75%', 4], ['80%', 5], ['80%', 5]],
    // c4, c8: CSAT 3,5 → 1/2; NPS 6,9 → 0; CES 11/2 = 5.5; resolved 1,1; 660,200 → 1/2
    [{ agentId: 'bob' }, ['50%', 2], ['0', 2], ['5.5', 2], ['100%', 2], ['100%', 2], ['50%', 2]],
    // c3, c4 (model topic response_speed): CSAT 2,3 → 0/2; NPS 3,6 → −100; CES 6/2 = 3; resolved 0,1; 900,660 → 0/2
    [{ topic: 'response_speed' }, ['0%', 2], ['-100', 2], ['3', 2], ['50%', 2], ['100%', 2], ['0%', 2]],
  ];
  it.each(cases)('filter %j changes the KPIs as computed by hand', async (f, csat, nps, ces, fcr, resp, sla) => {
    await apply(f);
    const k = await kpis();
    const got = (key: string) => [k[key].v, k[key].n];
    expect([got('csat'), got('nps'), got('ces'), got('fcr'), got('response'), got('sla.enquiry_first_reply')]).toEqual([csat, nps, ces, fcr, resp, sla]);
  }, 60000);

  it('the trend compares with the same segment in the previous window', async () => {
    // handled by an agent: previous p3, p5 → CSAT 2,3 → 0 % (current 50 %: +50); NPS 2,8 → −50 (current 0: +50)
    await apply({ handledBy: 'agent' });
    const k = await kpis();
    expect(k.csat.d).toMatch(/^▲ 50 /);
    expect(k.nps.d).toMatch(/^▲ 50 /);
    // topic response_speed: previous p3, p4 → CSAT 0 %, NPS −100: unchanged
    await apply({ topic: 'response_speed' });
    expect((await kpis()).csat.d).toMatch(/^• 0 /);
  }, 60000);

  it('the topic chart plots share of feedback (share_pct) split by sentiment, not raw counts', async () => {
    await apply({});
    const meta = await (await page.request.get(api('/meta'))).json();
    const zh = (id: string) => meta.topics.find((t: any) => t.id === id).name.zh;
    const d = await chartData('cTopics');
    // 8 feedback items: attitude c1,c2,c6 (3/8 = 37.5 %, all positive); resolution c5 positive, c7 negative (2/8 = 25 %);
    // response_speed c3,c4 (25 %, negative); price_transparency c8 (12.5 %, neutral). Sorted by mentions, then id.
    expect(d.labels).toEqual(['attitude', 'resolution', 'response_speed', 'price_transparency'].map(zh));
    expect(d.sets.map((s) => s.data)).toEqual([
      [0, 12.5, 25, 0], // negative
      [0, 0, 0, 12.5], // neutral
      [37.5, 12.5, 0, 0], // positive
    ]);
    // the numbers are the report's share_pct (a filter changes them): webchat has 6 items, attitude c1,c2 → 33.33 %
    await apply({ channel: 'webchat' });
    const w = await chartData('cTopics');
    expect(w.labels[0]).toBe(zh('attitude'));
    expect(w.sets[2].data[0]).toBe(33.33);
  }, 60000);

  it('looks right in English', async () => {
    await page.selectOption('#lang', 'en');
    await apply({});
    await page.waitForFunction(() => document.querySelector('#kpis [data-kpi=csat] .kl')!.textContent === 'CSAT');
    expect(await kpis()).toMatchObject({ csat: { v: '62.5%', n: 8 }, response: { v: '80%', n: 10 } }); // the same figures in either language
    expect(await page.textContent('#tabs')).toContain('Dashboard');
    expect(await page.textContent('#kpis [data-kpi="sla.enquiry_first_reply"]')).toContain('≤ 600 seconds');
    await page.screenshot({ path: 'test-artifacts/analyst-dashboard-en.png', fullPage: true });
  }, 60000);

  it('exports the indicator report of the active filter as CSV (BOM) and JSON', async () => {
    await apply({ channel: 'webchat' });
    const csvHref = (await page.getAttribute('#repCsv', 'href'))!;
    const jsonHref = (await page.getAttribute('#repJson', 'href'))!;
    for (const h of [csvHref, jsonHref]) expect(h).toContain('channel=webchat');
    const res = await page.request.get(tb.app.url + csvHref);
    expect(res.headers()['content-type']).toContain('text/csv');
    const buf = await res.body();
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(buf.toString('utf8').slice(1));
    expect(rows[0]).toEqual(['indicator', 'value', 'n', 'ci_low', 'ci_high']);
    const by = Object.fromEntries(rows.slice(1).map((r) => [r[0], [r[1], r[2]]]));
    // webchat in the window: c1,c2,c4,c5,c7,c8,c9 (7 interactions, 6 responded)
    expect(by.csat_pct).toEqual(['66.67', '6']); // 5,4,3,5,1,5 → 4/6
    expect(by.nps).toEqual(['16.67', '6']); // 10,9,6,8,0,9 → (3 − 2)/6
    expect(by.ces_mean).toEqual(['5', '6']); // 30/6
    expect(by.fcr_pct).toEqual(['83.33', '6']); // 1,1,1,1,0,1 → 5/6
    expect(by.response_rate_pct).toEqual(['85.71', '7']); // 6/7
    expect(by['sla.enquiry_first_reply']).toEqual(['71.43', '7']); // 120,300,660,60,1200,200,100 → 5/7
    expect(by['topic.attitude.share_pct']).toEqual(['33.33', '2']); // c1,c2 of 6 feedback items
    expect(by['topic.resolution.share_pct']).toEqual(['33.33', '2']); // c5,c7
    expect(by['topic.response_speed.share_pct']).toEqual(['16.67', '1']); // c4
    expect(by['topic.price_transparency.share_pct']).toEqual(['16.67', '1']); // c8
    expect(by['topic.resolution.net_sentiment']).toEqual(['0', '2']); // one positive, one negative
    expect(by['topic.other.share_pct']).toBeUndefined(); // p5 is in the previous window

    const j = await (await page.request.get(tb.app.url + jsonHref)).json();
    expect(j.segment).toMatchObject({ from: FROM, to: TO, channel: 'webchat' });
    expect(j.n).toBe(7);
    expect(j.surveys).toEqual({ offered: 7, responded: 6 });
    expect([j.csat_pct, j.nps, j.ces_mean, j.fcr_pct, j.response_rate_pct]).toEqual([66.67, 16.67, 5, 83.33, 85.71]);
    expect(j.sla.enquiry_first_reply).toMatchObject({ compliance_pct: 71.43, n: 7, met: 5 });
    expect(j.nps_distribution).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 1, 2, 1]);
  }, 60000);

  it('feedback table: redacted text, language, sentiment, topics, confidence, model version, ratings; XSS shown literally', async () => {
    await page.click('[data-tab=feedback]');
    await apply({}, 'feedback');
    expect(await page.locator('#fbTable tbody tr[data-id]').count()).toBe(8); // 8 feedback items in the window
    expect(await page.textContent('#fbTotal')).toContain('8');
    const cells = (id: string) =>
      page.$eval(`#fbTable tr[data-id="${fid[id]}"]`, (tr) =>
        Object.fromEntries(['fbtext', 'lang', 'sentiment', 'topics', 'conf', 'model', 'ratings'].map((c) => [c, tr.querySelector('.' + c)!.textContent!.trim()])),
      );
    const c8 = await cells('c8');
    expect(c8).toEqual({
      fbtext: '价格说明还可以，有事请回电 [PHONE]', // stored redacted; the number never reaches the page
      lang: 'zh-CN',
      sentiment: 'neutral',
      topics: 'Transparency & price · neutral',
      conf: '0.70', // 0.5 + (7 mod 5)/10
      model: MODEL_VERSION,
      ratings: 'CSAT 5 · NPS 9 · CES 7 · Resolved yes',
    });
    expect(await cells('c3')).toMatchObject({ lang: 'zh-CN', sentiment: 'negative', topics: 'Response speed · negative', ratings: 'CSAT 2 · NPS 3 · CES 2 · Resolved no' });
    expect(await page.locator('#fbTable tbody').textContent()).not.toContain('13812345678');
    // the customer's <script> is text, never markup
    expect((await cells('c7')).fbtext).toBe(XSS);
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
    expect(await page.locator('#fbTable tbody script, #fbTable tbody img').count()).toBe(0);
    await page.screenshot({ path: 'test-artifacts/analyst-feedback-en.png', fullPage: true });
  }, 60000);

  it("opens an interaction's transcript from the table (redacted, escaped)", async () => {
    await page.click(`#fbTable tr[data-id="${fid.c8}"] .actions button.link`);
    await page.waitForSelector('#transcriptDlg[open]');
    const msgs = await page.$$eval('#transcriptBody .msg', (ms) => ms.map((m) => [m.className, m.querySelector('.mtext')!.textContent]));
    expect(msgs).toEqual([['msg customer', '价格说明还可以，有事请回电 [PHONE]'], ['msg bot', 'bot answer for c8']]);
    await page.screenshot({ path: 'test-artifacts/analyst-transcript-en.png' });
    await page.click('#transcriptDlg button[value=close]');
    await page.click(`#fbTable tr[data-id="${fid.c7}"] .actions button.link`);
    await page.waitForSelector('#transcriptDlg[open]');
    expect(await page.textContent('#transcriptBody .msg.customer .mtext')).toBe(XSS);
    expect(await page.locator('#transcriptBody script, #transcriptBody img').count()).toBe(0);
    await page.click('#transcriptDlg button[value=close]');
  }, 60000);

  it('searches (Chinese, English) and filters the table', async () => {
    const count = () => page.locator('#fbTable tbody tr[data-id]').count();
    const search = async (q: string, sentiment = '') => {
      await page.fill('#feedback [name=q]', q);
      await page.selectOption('#feedback [name=sentiment]', sentiment);
      await page.evaluate(() => document.getElementById('feedback')!.removeAttribute('data-query'));
      await page.click('#fbApply');
      await page.waitForSelector('#feedback[data-query]', { state: 'attached' });
    };
    await search('回复太慢');
    expect(await count()).toBe(2); // c3, c4 (p4 is outside the window)
    await search('friendly');
    expect(await count()).toBe(1);
    await search('', 'positive');
    expect(await count()).toBe(4); // c1, c2, c5, c6
    await search('');
    await apply({ channel: 'msteams' }, 'feedback');
    expect(await count()).toBe(2); // c3, c6
    await apply({}, 'feedback');
    expect(await count()).toBe(8);
  }, 60000);

  it('corrects one row in the editor: human label next to the model label, with audit entries', async () => {
    await page.fill('#feedback [name=q]', 'friendly');
    await page.click('#fbApply');
    await page.waitForFunction(() => document.querySelectorAll('#fbTable tbody tr[data-id]').length === 1);
    const row = page.locator(`#fbTable tr[data-id="${fid.c2}"]`);
    await row.locator('button.edit').click();
    await page.waitForSelector('#editor[open]');
    expect(await page.isChecked('#editTopics input[value=attitude]')).toBe(true); // the model's topic
    await page.selectOption('#editForm [name=sentiment]', 'neutral');
    await page.check('#editTopics input[value=price_transparency]');
    await page.screenshot({ path: 'test-artifacts/analyst-correct-en.png' });
    await page.click('#editSave');
    await page.waitForFunction((id) => document.querySelector(`#fbTable tr[data-id="${id}"].corrected`), fid.c2);
    expect(await row.locator('.sentiment .badge.human').textContent()).toBe('neutral');
    expect(await row.locator('.sentiment .was').textContent()).toBe('positive'); // the model's label stays visible
    expect(await row.locator('.topics .chip.human').allTextContents()).toEqual(['Service attitude', 'Transparency & price']);
    const f = await tb.app.db.get<any>('SELECT sentiment, human_sentiment, corrected_by FROM feedback WHERE id = ?', [fid.c2]);
    expect(f).toEqual({ sentiment: 'positive', human_sentiment: 'neutral', corrected_by: 'ana' });
    const tags = await tb.app.db.all<any>('SELECT source, topic FROM feedback_topics WHERE feedback_id = ? ORDER BY source, topic', [fid.c2]);
    expect(tags).toEqual([{ source: 'human', topic: 'attitude' }, { source: 'human', topic: 'price_transparency' }, { source: 'model', topic: 'attitude' }]);
    await page.click('[data-tab=audit]');
    await page.waitForSelector('#auditTable tbody tr');
    const audit = await page.textContent('#auditTable');
    expect(audit).toContain(`feedback ${fid.c2}`);
    expect(audit).toContain('correct_sentiment');
    expect(audit).toContain('correct_topics');
  }, 60000);

  it('refuses a state-changing request that carries the session cookie but no CSRF token', async () => {
    const before = await tb.app.db.get<any>('SELECT COUNT(*) AS n FROM audit_log');
    const res = await page.request.post(api(`/feedback/${fid.c1}/correction`), { data: { sentiment: 'negative' } });
    expect(res.status()).toBe(403);
    const res2 = await page.request.post(api('/feedback/bulk-correction'), { data: { ids: [fid.c1], sentiment: 'negative' } });
    expect(res2.status()).toBe(403);
    const f = await tb.app.db.get<{ human_sentiment: string | null }>('SELECT human_sentiment FROM feedback WHERE id = ?', [fid.c1]);
    expect(f!.human_sentiment).toBeNull();
    expect(await tb.app.db.get<any>('SELECT COUNT(*) AS n FROM audit_log')).toEqual(before);
  }, 60000);

  it('bulk-corrects selected rows through the UI: human labels beside the model labels, one audit entry per change', async () => {
    await page.click('[data-tab=feedback]');
    await page.fill('#feedback [name=q]', '');
    await apply({}, 'feedback');
    for (const id of ['c5', 'c7', 'c8']) await page.check(`#fbTable tr[data-id="${fid[id]}"] input[type=checkbox]`);
    expect(await page.textContent('#selCount')).toBe('3');
    await page.selectOption('#bulkSentiment', 'negative');
    await page.selectOption('#bulkTopic', 'process');
    const auditBefore = (await tb.app.db.get<any>('SELECT MAX(id) AS m FROM audit_log')).m;
    await page.click('#bulkApply');
    await page.waitForFunction(() => document.querySelector('#bulkMsg')!.textContent === '3 corrected');
    await page.waitForFunction((id) => document.querySelector(`#fbTable tr[data-id="${id}"].corrected`), fid.c8);
    await page.screenshot({ path: 'test-artifacts/analyst-bulk-en.png', fullPage: true });
    const model = { c5: ['positive', 'resolution'], c7: ['negative', 'resolution'], c8: ['neutral', 'price_transparency'] } as const;
    for (const [id, [sent, topic]] of Object.entries(model)) {
      const f = await tb.app.db.get<any>('SELECT sentiment, human_sentiment, corrected_by FROM feedback WHERE id = ?', [fid[id]]);
      expect(f, id).toEqual({ sentiment: sent, human_sentiment: 'negative', corrected_by: 'ana' });
      const tags = await tb.app.db.all<any>('SELECT source, topic FROM feedback_topics WHERE feedback_id = ? ORDER BY source', [fid[id]]);
      expect(tags, id).toEqual([{ source: 'human', topic: 'process' }, { source: 'model', topic }]);
      const row = page.locator(`#fbTable tr[data-id="${fid[id]}"]`);
      expect(await row.locator('.topics .chip.human').textContent()).toBe('Process & convenience');
      expect(await row.locator('.topics .was').textContent()).toBe({ resolution: 'Resolution', price_transparency: 'Transparency & price' }[topic]);
    }
    const audit = await tb.app.db.all<any>('SELECT actor, action, target_type, target_id, before, after FROM audit_log WHERE id > ? ORDER BY id', [auditBefore]);
    expect(audit.map((a) => [a.actor, a.action, a.target_id])).toEqual(
      ['c5', 'c7', 'c8'].flatMap((id) => [['ana', 'correct_sentiment', String(fid[id])], ['ana', 'correct_topics', String(fid[id])]]),
    );
    expect(JSON.parse(audit[0].before)).toEqual({ human_sentiment: null });
    expect(JSON.parse(audit[0].after)).toEqual({ human_sentiment: 'negative' });
    expect(JSON.parse(audit[1].after)).toEqual({ topics: [{ topic: 'process', sentiment: null }] });
    // indicators use the human topics now: process 3 of 8 items, resolution gone, price_transparency only c2 (human)
    const dash = await (await page.request.get(api(`/dashboard?from=${FROM}&to=${TO}`))).json();
    const share = Object.fromEntries(dash.report.topics.map((t: any) => [t.topic, t.share_pct]));
    expect(share).toEqual({ attitude: 37.5, process: 37.5, response_speed: 25, price_transparency: 12.5 });
  }, 60000);

  it('quality tab: precision and recall per sentiment and topic against the gold set, as computed by hand', async () => {
    await page.click('[data-tab=quality]');
    await page.waitForSelector('#qSent tbody tr[data-label]');
    const table = (id: string) =>
      page.$$eval(`${id} tbody tr`, (rs) => Object.fromEntries(rs.map((r) => [(r as HTMLElement).dataset.label, Array.from(r.querySelectorAll('td')).slice(1).map((td) => td.textContent)])));
    // gold set: c2 model positive → analyst neutral; c5 positive → negative; c7 negative → negative; c8 neutral → negative
    // negative: TP c7, FN c5 c8 → P 1/1, R 1/3, F1 2·1·0.333/1.333 = 0.5; neutral: FP c8, FN c2 → 0, 0, F1 undefined;
    // positive: FP c2 c5, nothing to recall → P 0, R undefined
    expect(await table('#qSent')).toEqual({
      negative: ['100%', '33.3%', '50%', '3', '1 / 0 / 2'],
      neutral: ['0%', '0%', '—', '1', '0 / 1 / 1'],
      positive: ['0%', '—', '—', '0', '0 / 2 / 0'],
    });
    // topics (model → analyst): c2 attitude → attitude + price_transparency; c5, c7 resolution → process; c8 price_transparency → process
    expect(await table('#qTopics')).toEqual({
      attitude: ['100%', '100%', '100%', '1', '1 / 0 / 0'],
      price_transparency: ['0%', '0%', '—', '1', '0 / 1 / 1'],
      process: ['—', '0%', '—', '3', '0 / 0 / 3'],
      resolution: ['0%', '—', '—', '0', '0 / 2 / 0'],
    });
    expect(await page.textContent('#qN')).toBe('Gold set: 4 items with a corrected sentiment, 4 with corrected topics');
    await page.screenshot({ path: 'test-artifacts/analyst-quality-en.png', fullPage: true });
  }, 60000);

  it('exports the filtered feedback as JSON and CSV (BOM, CRLF) with the human and model labels', async () => {
    await page.click('[data-tab=feedback]');
    await page.selectOption('#feedback [name=sentiment]', 'negative');
    await apply({ channel: 'webchat' }, 'feedback');
    // effective sentiment negative, webchat, in the window: c4 (model), c5, c7, c8 (analyst) — not c3 (msteams), not p4 (earlier)
    const want = ['c4', 'c5', 'c7', 'c8'].map((id) => fid[id]);
    expect((await page.$$eval('#fbTable tbody tr[data-id]', (rs) => rs.map((r) => Number((r as HTMLElement).dataset.id)))).sort((a, b) => a - b)).toEqual(want);
    const jsonHref = (await page.getAttribute('#fbJson', 'href'))!;
    expect(jsonHref).toContain('sentiment=negative');
    expect(jsonHref).toContain('channel=webchat');
    const items = await (await page.request.get(tb.app.url + jsonHref)).json();
    expect(items.map((x: any) => x.id)).toEqual(want); // oldest first
    const c8 = items.find((x: any) => x.id === fid.c8);
    expect(c8).toMatchObject({ interaction_id: 'c8', text: '价格说明还可以，有事请回电 [PHONE]', language: 'zh-CN', channel: 'webchat', agent_id: 'bob', sentiment: 'neutral', human_sentiment: 'negative', corrected_by: 'ana', model_version: MODEL_VERSION });
    expect(c8.topics.map((t: any) => [t.source, t.topic]).sort()).toEqual([['human', 'process'], ['model', 'price_transparency']]);
    expect(c8.ratings).toMatchObject({ csat: 5, nps: 9, ces: 7, resolved: 'yes' });
    expect(items.find((x: any) => x.id === fid.c4)).toMatchObject({ sentiment: 'negative', human_sentiment: null });

    const res = await page.request.get(tb.app.url + (await page.getAttribute('#fbCsv', 'href'))!);
    const buf = await res.body();
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buf.toString('utf8').slice(1);
    expect(text.split('\r\n').length).toBe(1 + 4 + 1); // header, 4 rows, trailing CRLF
    const rows = parseCsv(text);
    const head = rows[0];
    expect(head.slice(0, 3)).toEqual(['id', 'created_at', 'interaction_id']);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(want);
    const col = (name: string) => head.indexOf(name);
    const r8 = rows.find((r) => Number(r[0]) === fid.c8)!;
    expect(r8[col('text')]).toBe('价格说明还可以，有事请回电 [PHONE]');
    expect([r8[col('model_sentiment')], r8[col('human_sentiment')], r8[col('model_topics')], r8[col('human_topics')], r8[col('corrected_by')]]).toEqual(['neutral', 'negative', 'price_transparency:neutral', 'process', 'ana']);
    expect([r8[col('csat')], r8[col('nps')], r8[col('ces')], r8[col('resolved')], r8[col('agent_id')], r8[col('channel')]]).toEqual(['5', '9', '7', 'yes', 'bob', 'webchat']);
    expect(rows.find((r) => Number(r[0]) === fid.c7)![col('text')]).toBe(XSS);
    expect(text).not.toContain('13812345678');
  }, 60000);

  it('looks right in Chinese on the feedback table and the quality tab', async () => {
    await page.selectOption('#lang', 'zh-CN');
    await page.selectOption('#feedback [name=sentiment]', '');
    await apply({}, 'feedback');
    await page.waitForFunction(() => document.querySelector('#tabs')!.textContent!.includes('反馈审阅'));
    expect(await page.locator('#fbTable tbody tr[data-id]').count()).toBe(8);
    expect(await page.textContent(`#fbTable tr[data-id="${fid.c8}"] .ratings`)).toBe('CSAT 5 · NPS 9 · CES 7 · 已解决 是');
    await page.screenshot({ path: 'test-artifacts/analyst-feedback-zh.png', fullPage: true });
    await page.click('[data-tab=quality]');
    await page.waitForFunction(() => document.querySelector('#qN')!.textContent!.includes('金标准集'));
    await page.screenshot({ path: 'test-artifacts/analyst-quality-zh.png', fullPage: true });
  }, 60000);
});
