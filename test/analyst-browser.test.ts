import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './helpers/browser';
import { startTestBot, type TestBot } from './helpers/app';


const XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">差评';
let tb: TestBot;
let browser: Browser;
let page: Page;

async function seed(tb: TestBot) {
  const db = tb.app.db;
  const day = (d: number) => new Date(Date.now() - d * 86400000).toISOString();
  const texts = ['客服回复太慢了，等了半小时', 'The agent was very friendly and helpful', '退款一直没有到账', '態度很好，問題解決了', XSS];
  for (let i = 0; i < 40; i++) {
    const at = day(i % 20);
    const iid = 'int' + i;
    await db.run(`INSERT INTO interactions (id, conversation_id, user_id, channel, locale, started_at, last_activity_at, handled_by, agent_id, resolved, first_reply_seconds)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [iid, 'c' + i, 'user' + (i % 7), i % 3 ? 'webchat' : 'msteams', i % 2 ? 'zh-CN' : 'en', at, at, i % 4 ? 'bot' : 'agent', i % 4 ? null : 'agent1', i % 3 ? 'yes' : 'no', 60 * (i % 15)]);
    await db.run(`INSERT INTO transcript (interaction_id, at, role, text) VALUES (?, ?, 'customer', ?)`, [iid, at, texts[i % 5]]);
    await db.run(`INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, status, offered_at) VALUES (?, ?, ?, 'default', 1, 'goodbye', 'webchat', 'complete', ?)`, ['s' + i, iid, 'user' + (i % 7), at]);
    const ans = (item: string, kind: string, v: number) => db.run(`INSERT INTO survey_answers (survey_id, item_id, kind, value, input_mode, answered_at) VALUES (?, ?, ?, ?, 'button', ?)`, ['s' + i, item, kind, v, at]);
    await ans('csat', 'csat', 1 + ((i * 7) % 5));
    await ans('nps', 'nps', (i * 3) % 11);
    await ans('ces', 'ces', 1 + (i % 7));
    for (const r of ['rating_response_speed', 'rating_attitude', 'rating_professionalism', 'rating_resolution']) await ans(r, 'rating', 1 + ((i + r.length) % 5));
    const neg = i % 5 === 0 || i % 5 === 2 || i % 5 === 4;
    const f = await db.run(`INSERT INTO feedback (interaction_id, survey_id, text, language, created_at, sentiment, sentiment_confidence, model_id, model_version) VALUES (?, ?, ?, ?, ?, ?, ?, 'lexical', 'lexical-1')`,
      [iid, 's' + i, texts[i % 5], i % 5 === 1 ? 'en' : 'zh-CN', at, neg ? 'negative' : 'positive', 0.4 + (i % 6) / 10]);
    const topic = ['response_speed', 'attitude', 'resolution', 'attitude', 'other'][i % 5];
    await db.run(`INSERT INTO feedback_topics (feedback_id, source, topic, sentiment, confidence) VALUES (?, 'model', ?, ?, 0.8)`, [f.lastID, topic, neg ? 'negative' : 'positive']);
  }
}

beforeAll(async () => {
  tb = await startTestBot();
  await seed(tb);
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e));
}, 60000);
afterAll(async () => {
  await browser?.close();
  await tb?.stop();
});

describe('analyst workspace in a real browser', () => {
  it('rejects every API without a session', async () => {
    for (const p of ['/api/analyst/meta', '/api/analyst/feedback', '/api/analyst/dashboard', '/api/analyst/export/feedback.csv', '/api/analyst/audit'])
      expect((await fetch(tb.app.url + p)).status, p).toBe(401);
    const r = await fetch(tb.app.url + '/api/analyst/feedback/1/correction', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sentiment":"neutral"}' });
    expect(r.status).toBe(401);
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
  }, 60000);

  it('shows the dashboard with rendered charts (zh-CN), then in English', async () => {
    await page.waitForSelector('#kpis .kpi.csi');
    await page.waitForFunction(() => ['cTrend', 'cDims', 'cNps', 'cTopics', 'cPriority'].every((id) => (window as any).Chart.getChart(document.getElementById(id))));
    const csi = await page.textContent('#kpis .kpi.csi .kv');
    expect(csi).toMatch(/^\d+(\.\d)?$/);
    expect(await page.textContent('#tabs')).toContain('仪表板');
    await page.screenshot({ path: 'test-artifacts/analyst-dashboard-zh.png', fullPage: true });
    await page.selectOption('#lang', 'en');
    await page.waitForFunction(() => document.querySelector('#tabs')!.textContent!.includes('Dashboard'));
    await page.waitForFunction(() => (window as any).Chart.getChart(document.getElementById('cTrend')));
    await page.screenshot({ path: 'test-artifacts/analyst-dashboard-en.png', fullPage: true });
  }, 60000);

  it('lists feedback escaped (a customer <script> never runs) and filters it', async () => {
    await page.click('[data-tab=feedback]');
    await page.waitForSelector('#fbTable tbody tr[data-id]');
    expect(await page.locator('#fbTable tbody').textContent()).toContain('<script>window.__xss=1</script>');
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
    expect(await page.locator('#fbTable tbody script, #fbTable tbody img').count()).toBe(0);
    await page.fill('#feedback [name=q]', '回复太慢');
    await page.click('#fbApply');
    await page.waitForFunction(() => document.querySelectorAll('#fbTable tbody tr[data-id]').length === 8);
    await page.fill('#feedback [name=q]', '');
    await page.selectOption('#feedback [name=sentiment]', 'positive');
    await page.click('#fbApply');
    await page.waitForFunction(() => document.querySelectorAll('#fbTable tbody tr[data-id]').length === 16);
    await page.screenshot({ path: 'test-artifacts/analyst-feedback-en.png', fullPage: true });
  }, 60000);

  it('corrects a tag and shows the audit entry', async () => {
    const row = page.locator('#fbTable tbody tr[data-id]').first();
    const id = await row.getAttribute('data-id');
    await row.locator('button.edit').click();
    await page.waitForSelector('#editor[open]');
    await page.selectOption('#editForm [name=sentiment]', 'neutral');
    await page.check('#editTopics input[value=price_transparency]');
    await page.screenshot({ path: 'test-artifacts/analyst-correct-en.png' });
    await page.click('#editSave');
    // the row leaves the "positive" filter once its effective sentiment is neutral
    await page.waitForFunction((id) => !document.querySelector(`#fbTable tr[data-id="${id}"]`), id);
    const f = await tb.app.db.get<{ sentiment: string; human_sentiment: string; corrected_by: string }>('SELECT sentiment, human_sentiment, corrected_by FROM feedback WHERE id = ?', [Number(id)]);
    expect(f).toEqual({ sentiment: 'positive', human_sentiment: 'neutral', corrected_by: 'ana' });
    await page.click('[data-tab=audit]');
    await page.waitForSelector('#auditTable tbody tr');
    const audit = await page.textContent('#auditTable');
    expect(audit).toContain(`feedback ${id}`);
    expect(audit).toContain('correct_sentiment');
    expect(audit).toContain('correct_topics');
  }, 60000);

  it('refuses a state-changing request that carries the session cookie but no CSRF token', async () => {
    const res = await page.request.post(tb.app.url + '/api/analyst/feedback/1/correction', { data: { sentiment: 'negative' } });
    expect(res.status()).toBe(403);
    const f = await tb.app.db.get<{ human_sentiment: string | null }>('SELECT human_sentiment FROM feedback WHERE id = 1');
    expect(f!.human_sentiment).not.toBe('negative');
  }, 60000);

  it('exports the filtered feedback as CSV with a BOM', async () => {
    await page.click('[data-tab=feedback]');
    await page.waitForSelector('#fbTable tbody tr[data-id]');
    const href = await page.getAttribute('#fbCsv', 'href');
    expect(href).toContain('sentiment=positive');
    const res = await page.request.get(tb.app.url + href);
    expect(res.headers()['content-type']).toContain('text/csv');
    const buf = await res.body();
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = buf.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0].startsWith('id,created_at,interaction_id')).toBe(true);
    expect(lines.length).toBe(1 + 15); // 16 positive, one corrected to neutral
    expect(lines.some((l) => l.includes('態度很好，問題解決了'))).toBe(true);
    expect(lines.slice(1).every((l) => l.includes(',positive,'))).toBe(true);
  }, 60000);

  it('looks right in Chinese on the feedback table', async () => {
    await page.selectOption('#lang', 'zh-CN');
    await page.selectOption('#feedback [name=sentiment]', '');
    await page.click('#fbApply');
    await page.waitForFunction(() => document.querySelectorAll('#fbTable tbody tr[data-id]').length > 16);
    await page.screenshot({ path: 'test-artifacts/analyst-feedback-zh.png', fullPage: true });
  }, 60000);
});
