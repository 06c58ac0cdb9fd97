import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { describeBrowser, launchChromium } from './helpers/browser';
import { startTestBot, type TestBot } from './helpers/app';

const XSS = '<img src=x onerror="window.__xss=1">快递到哪了';
let tb: TestBot;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  tb = await startTestBot({}, { handoff: { heartbeatMs: 500, tickMs: 200, agentTimeoutSeconds: 60, waitLimitSeconds: 3600 } });
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
  page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await tb?.stop();
});

describeBrowser('agent console in a real browser', () => {
  it('serves the page with a CSP and no inline script', async () => {
    const r = await fetch(`${tb.app.url}/agent`);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await r.text()).not.toMatch(/<script>|onclick=/);
  });

  it('logs in, accepts, exchanges messages and resolves', async () => {
    const customer = tb.customer({ locale: 'zh-CN' });
    await customer.say('怎么申请退款');
    await customer.say('转人工');
    await customer.say(XSS);

    await page.goto(`${tb.app.url}/agent`);
    await page.fill('#username', 'alice');
    await page.fill('#password', 'wrong');
    await page.click('#login button[type=submit]');
    await page.waitForFunction(() => document.getElementById('loginError')!.textContent !== '');
    await page.fill('#password', 'agent-demo');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#queue li');
    expect(await page.textContent('#queue li')).toContain('已等待');
    await page.click('#queue li');
    await page.waitForSelector('#detail:not([hidden])');
    await page.click('#accept');
    await page.waitForSelector('#mine li');
    await page.waitForFunction(() => !(document.getElementById('send') as HTMLButtonElement).disabled);
    expect(customer.texts(customer.newReplies())).toContain('人工客服 Alice 已加入对话');
    // The customer's markup is shown as text, never run.
    expect(await page.textContent('#transcript')).toContain(XSS);
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
    expect(await page.textContent('#matches')).not.toBe('无');

    await customer.say('订单号是 42');
    await page.waitForFunction(() => document.getElementById('transcript')!.textContent!.includes('订单号是 42'));

    const n = tb.channel.forConversation(customer.conversationId).length;
    await page.fill('#replyText', '您好，我来帮您查订单 42。');
    await page.click('#send');
    const got = await tb.channel.waitFor(customer.conversationId, n + 1);
    expect(got.at(-1)!.text).toBe('您好，我来帮您查订单 42。');
    await page.fill('#noteText', '客户很着急');
    await page.click('#noteForm button');
    await page.waitForFunction(() => document.getElementById('notes')!.textContent!.includes('客户很着急'));

    // The page's cookie session alone cannot write: the CSRF header is required.
    const noCsrf = await page.evaluate(() => fetch('/api/agent/conversations/1/note', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' }).then((r) => r.status));
    expect(noCsrf).toBe(403);

    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/agent-console.png' });

    const m = tb.channel.forConversation(customer.conversationId).length;
    await page.click('#resolve');
    // the closing message with the agent's name, then the survey
    const survey = await tb.channel.waitFor(customer.conversationId, m + 2);
    expect(survey[m].text).toContain('人工客服 Alice 已结束本次服务');
    expect(survey.slice(m + 1).map((a) => a.text).join('\n')).toMatch(/满意|评分|评价/);
    await page.waitForFunction(() => /客户已收到结束语和满意度问卷/.test(document.getElementById('statusNote')!.textContent!));
    expect(await page.isVisible('#accept')).toBe(false); // no Accept on a resolved conversation
    await page.waitForFunction(() => document.getElementById('mine')!.children.length === 0);
    const row = await tb.app.db.get<any>('SELECT s.agent_id FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ?', [customer.conversationId]);
    expect(row.agent_id).toBe('alice');

    // English labels.
    await page.selectOption('#lang', 'en');
    expect(await page.textContent('#accept')).toBe('Accept');
  }, 40_000);
});
