import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './helpers/browser';
import { startTestBot, type TestBot } from './helpers/app';

// The analyst's predicted-satisfaction panel in headless Chromium against the real server: interactions are written by
// the real repository, predicted by the real background worker and model, surveys answered for three of them.

interface Seed {
  locale: string;
  turns: [string, string][];
  csat?: number;
}
const SEEDS: Seed[] = [
  { locale: 'zh-CN', turns: [['customer', '宽带断网了'], ['bot', '已为您派单，师傅今天上门'], ['customer', '修好了，速度很快，谢谢']], csat: 5 },
  { locale: 'en', turns: [['customer', 'How do I reset my password?'], ['bot', 'Tap "Forgot password" on the login page.'], ['customer', 'Worked, thanks a lot!']], csat: 4 },
  { locale: 'zh-CN', turns: [['customer', '退款什么时候到账'], ['agent', '三到五个工作日'], ['customer', '好吧']], csat: 2 },
  { locale: 'zh-CN', turns: [['customer', '投诉！等了一个星期还没发货'], ['bot', '请提供订单号'], ['customer', '早就发过了，根本没人管，太失望了，再也不买了']] },
  { locale: 'en', turns: [['customer', 'You charged me twice'], ['agent', 'Please send your order number by private message'], ['customer', 'I did. Three days, no answer. Awful.']] },
  { locale: 'zh-CN', turns: [['customer', '积分怎么兑换'], ['bot', '在我的-积分商城里兑换'], ['customer', '找到了，谢谢']] },
];

let tb: TestBot;
let browser: Browser;
let page: Page;
const ids: string[] = [];
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  tb = await startTestBot({}, { classifierEnv: { CLASSIFIER_ENGINE: 'lexical' } });
  const repo = tb.app.interactions;
  for (const [k, s] of SEEDS.entries()) {
    const i = await repo.open({ conversationId: 'conv-pred-' + k, userId: 'user-pred-' + k, channel: 'webchat', locale: s.locale });
    ids.push(i.id);
    for (const [role, text] of s.turns) await repo.addTranscript(i.id, { role: role as 'customer' | 'bot' | 'agent', text });
    if (s.csat !== undefined) {
      await tb.app.db.run(
        `INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, locale, status, offered_at)
         VALUES (?, ?, ?, 'default', 1, 'goodbye', 'webchat', ?, 'complete', ?)`,
        ['s-pred-' + k, i.id, 'user-pred-' + k, s.locale, new Date().toISOString()],
      );
      await tb.app.db.run(
        `INSERT INTO survey_answers (survey_id, item_id, kind, value, input_mode, answered_at) VALUES (?, 'csat', 'csat', ?, 'button', ?)`,
        ['s-pred-' + k, s.csat, new Date().toISOString()],
      );
    }
    await repo.end(i.id, 'ended');
  }
  const end = Date.now() + 30_000;
  while ((await tb.app.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM interaction_quality'))!.n < SEEDS.length) {
    if (Date.now() > end) throw new Error('predictions did not arrive');
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1360, height: 1100 } })).newPage();
  page.on('pageerror', (e) => console.error('pageerror', e));
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await tb?.stop();
});

describe('analyst: predicted satisfaction panel', () => {
  it('shows predicted beside surveyed satisfaction, the non-response gap, calibration, and the lowest unsurveyed conversations', async () => {
    await page.goto(tb.app.url + '/analyst');
    await page.selectOption('#lang', 'en');
    await page.fill('#loginForm [name=username]', 'ana');
    await page.fill('#loginForm [name=password]', 'analyst-demo');
    await page.click('#loginForm [type=submit]');
    await page.waitForSelector('#login.hidden', { state: 'attached' });
    await page.fill('#filters [name=from]', today);
    await page.fill('#filters [name=to]', today);
    await page.click('#tabs [data-tab=predicted]');
    await page.waitForFunction(() => document.querySelector('#predicted')!.getAttribute('data-query') !== null);

    const kpi = (k: string) => page.$eval(`#prKpis [data-kpi=${k}]`, (e) => ({ v: e.querySelector('.kv')!.textContent!, s: e.querySelector('.ks')!.textContent!, l: e.querySelector('.kl')!.textContent! }));
    const pred = await kpi('predicted');
    expect(pred.l).toMatch(/Predicted/);
    expect(pred.s).toContain('n = 6');
    expect(pred.s).toContain('coverage 100%');
    const surv = await kpi('surveyed');
    expect(surv.s).toContain('n = 3');
    expect(surv.s).toContain('coverage 50%');
    // 5, 4, 2 -> two of three answered 4-5
    expect(surv.v).toBe('66.7%');
    expect((await kpi('gap')).s).toMatch(/95% CI/);

    const gap = await page.$$eval('#prGap tbody tr', (rows) => rows.map((r) => [r.getAttribute('data-group'), r.children[1].textContent]));
    expect(gap).toEqual([['resp', '3'], ['non', '3']]);
    const cal = await page.$$eval('#prCal tbody tr', (rows) => rows.map((r) => Number(r.children[1].textContent)));
    expect(cal).toHaveLength(5);
    expect(cal.reduce((a, b) => a + b, 0)).toBe(3);

    const chart = await page.evaluate(() => {
      const c = (window as any).Chart.getChart(document.getElementById('cPredicted'));
      return { labels: c.data.labels, sets: c.data.datasets.map((d: any) => ({ label: d.label, data: d.data })) };
    });
    expect(chart.labels).toEqual([today]);
    expect(chart.sets.map((s: any) => s.label)).toEqual(['Predicted satisfied %', 'Surveyed CSAT %']);
    expect(chart.sets[1].data).toHaveLength(1);
    expect(chart.sets[1].data[0]).toBeCloseTo(66.67, 1);

    // only conversations without a survey answer, lowest predicted first
    const low = await page.$$eval('#prLow tbody tr', (rows) => rows.map((r) => ({ id: r.getAttribute('data-id'), pct: parseFloat(r.children[2].textContent!) })));
    expect(low.map((r) => r.id).sort()).toEqual([ids[3], ids[4], ids[5]].sort());
    for (let i = 1; i < low.length; i++) expect(low[i].pct).toBeGreaterThanOrEqual(low[i - 1].pct);
    expect(low[low.length - 1].id).toBe(ids[5]); // the one that ended with thanks is the least worrying
    await page.screenshot({ path: 'test-artifacts/quality-panel.png', fullPage: true });
  }, 60_000);

  it('opens a conversation’s transcript with the turns that weighed most highlighted', async () => {
    await page.click(`#prLow tbody tr[data-id="${ids[3]}"] button`);
    await page.waitForSelector('#transcriptDlg[open]');
    const msgs = await page.$$eval('#transcriptBody .msg', (els) => els.map((e) => ({ cls: e.className, text: e.querySelector('.mtext')!.textContent })));
    expect(msgs.map((m) => m.text)).toEqual(SEEDS[3].turns.map((t) => t[1]));
    const weighed = msgs.filter((m) => m.cls.includes('weigh'));
    expect(weighed.length).toBeGreaterThan(0);
    // the angry last words pulled the prediction down
    expect(msgs[2].cls).toContain('weigh neg');
    expect(await page.textContent('#transcriptBody .pred-head')).toMatch(/quality-linear@/);
    await page.screenshot({ path: 'test-artifacts/quality-transcript.png' });
    await page.click('#transcriptDlg button[value=close]');
  }, 30_000);
});
