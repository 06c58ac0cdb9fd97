import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { describeBrowser, launchChromium } from './helpers/browser';

// The pages a new team opens first, as a customer, an agent and an analyst would, in headless Chromium:
// landing page, branded web chat, a handoff from Web Chat to the agent console and back, empty states.
// `npm run screenshots` writes the screenshots into docs/screenshots/ (linked from the README).
const SHOTS = process.env.SCREENSHOTS === 'docs' ? 'docs/screenshots' : 'test-artifacts/pages';

let tb: TestBot;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  tb = await startTestBot({}, { handoff: { heartbeatMs: 500, tickMs: 200, agentTimeoutSeconds: 60, waitLimitSeconds: 3600, defaultWaitSeconds: 150 } });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await tb?.stop();
});

/** A page in a browser whose language is `locale`, collecting every console error, page error and failed request. */
async function open(path: string, locale: string, viewport = { width: 1280, height: 820 }): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ locale, viewport });
  contexts.push(ctx);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  await page.goto(tb.app.url + path);
  return { page, errors };
}

const text = (page: Page, sel: string) => page.locator(sel).innerText();
async function see(page: Page, sel: string, wanted: string | RegExp, timeout = 20_000): Promise<void> {
  await expect.poll(async () => (await page.locator(sel).innerText().catch(() => '')), { timeout }).toMatch(wanted);
}
async function chatSay(page: Page, t: string): Promise<void> {
  const box = page.locator('[data-id="webchat-sendbox-input"]');
  await box.fill(t);
  await box.press('Enter');
}
async function login(page: Page, user: string, password: string): Promise<void> {
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#console:not([hidden])');
}

describeBrowser('first pages in headless Chromium', () => {
  it('landing page links chat, agent console, analyst workspace and health, in the browser language', async () => {
    for (const [locale, chat, name] of [['en-US', 'Chat with us', 'Acme Customer Service'], ['zh-CN', '在线咨询', 'Acme 在线客服']] as const) {
      const { page, errors } = await open('/', locale, { width: 1100, height: 640 });
      await see(page, '#name', name);
      await see(page, '#healthText', locale === 'en-US' ? 'Running' : '运行中');
      const links = await page.$$eval('nav a', (as) => as.map((a) => [a.id, a.getAttribute('href'), (a.querySelector('strong') as HTMLElement).innerText]));
      expect(links.map((l) => l[1])).toEqual(['/chat', '/agent', '/analyst', '/healthz']);
      expect(links[0][2]).toBe(chat);
      expect(await page.getAttribute('link[rel=icon]', 'href')).toBe('/favicon.svg');
      await page.screenshot({ path: `${SHOTS}/landing-${locale === 'en-US' ? 'en' : 'zh-CN'}.png` });
      expect(errors).toEqual([]);
    }
    // the demo logins are shown in development only; vitest runs with NODE_ENV=test
    expect((await (await fetch(`${tb.app.url}/ui/site.json`)).json()).demoAccounts).toEqual([]);
    expect((await fetch(`${tb.app.url}/chat/`)).status).toBe(200);
    expect((await fetch(`${tb.app.url}/favicon.ico`)).headers.get('content-type')).toBe('image/svg+xml');
  }, 60_000);

  it('analyst workspace on an empty database: English for an English browser, empty states that say what to do', async () => {
    const { page, errors } = await open('/analyst', 'en-US', { width: 1360, height: 900 });
    await page.waitForSelector('#loginForm');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.inputValue('#lang')).toBe('en');
    await page.fill('#loginForm [name=username]', 'ana');
    await page.fill('#loginForm [name=password]', 'analyst-demo');
    await page.click('#loginForm [type=submit]');
    await page.waitForSelector('#kpis .kpi.csi');
    await see(page, '#cNps + .chart-empty, .chart:has(#cNps) .chart-empty', /No NPS answers in this period/);
    await see(page, '.chart:has(#cTrend) .chart-empty', /no trend/);
    expect(await page.isVisible('#cNps')).toBe(false);
    await page.screenshot({ path: `${SHOTS}/analyst-en.png`, fullPage: true });
    await page.click('#tabs [data-tab=audit]');
    await see(page, '#auditTable', /Nothing audited yet/);
    await page.click('#tabs [data-tab=dashboard]');
    await page.selectOption('#lang', 'zh-CN');
    await see(page, '.chart:has(#cNps) .chart-empty', /该时段没有 NPS 回答/);
    await page.screenshot({ path: `${SHOTS}/analyst-zh-CN.png`, fullPage: true });
    expect(errors).toEqual([]); // no 401 from /me before the first login, no missing favicon
  }, 90_000);

  it('agent console with nobody waiting: empty states, no console errors on load', async () => {
    const { page, errors } = await open('/agent', 'en-US');
    await page.waitForSelector('#login:not([hidden])');
    await login(page, 'bob', 'agent-demo');
    await page.waitForSelector('#mineEmpty:not([hidden])');
    await page.waitForSelector('#queueEmpty:not([hidden])');
    await see(page, '#mineEmpty', /No conversations yet/);
    await see(page, '#queueEmpty', /Nobody is waiting/);
    expect(await text(page, '#estimate')).toBe('');
    expect(errors).toEqual([]); // no 401 from /me before the first login, no missing favicon
  }, 60_000);

  it('a customer in Web Chat is handed to an agent and back: agent avatar and name, closing message, survey', async () => {
    // The customer: branded page, greeting and first questions in English.
    const { page: chat, errors: chatErrors } = await open('/chat?locale=en', 'en-US', { width: 900, height: 900 });
    await see(chat, '#title', 'Acme Customer Service');
    await see(chat, '#greeting', /Ask about orders/);
    await chat.getByRole('button', { name: 'I forgot my password', exact: true }).click();
    await see(chat, '#webchat', /password/i);
    await expect.poll(() => chat.isVisible('#intro')).toBe(false); // the greeting makes room once the customer has spoken
    await chatSay(chat, 'talk to a person');
    await see(chat, '#webchat', /number 1 in the queue/);
    const told = Number(/about (\d+) min/.exec(await text(chat, '#webchat'))![1]);

    // The agent: the queue says why the customer is there and what they were told.
    const { page: agent, errors: agentErrors } = await open('/agent', 'en-US');
    await login(agent, 'alice', 'agent-demo');
    await see(agent, '#queue', /asked for a person/);
    await see(agent, '#queue', new RegExp(`told about ${told} min`));
    await agent.click('#queue li');
    await agent.waitForSelector('#detail:not([hidden])');
    expect(await agent.isVisible('#accept')).toBe(true);
    expect(await agent.isVisible('#resolve')).toBe(false);
    await see(agent, '#transcript', /I forgot my password/);
    await see(agent, '#convMeta', /web chat/);
    await agent.click('#accept');
    await agent.waitForSelector('#resolve:not([hidden])');
    expect(await agent.isVisible('#accept')).toBe(false);
    await see(chat, '#webchat', /Alice from our service team has joined/);
    await agent.fill('#replyText', 'Hi, this is Alice. I can reset that for you.');
    await agent.press('#replyText', 'Enter');

    // In Web Chat the reply is the agent's: their avatar and name, not the bot's.
    await see(chat, '#webchat', /this is Alice/);
    await chat.waitForSelector('img.agent-avatar[alt="Alice"]');
    await see(chat, '#webchat', /Alice · Agent/);
    await chat.waitForTimeout(400);
    await chat.screenshot({ path: `${SHOTS}/chat-en.png` });
    await see(agent, '#transcript', /this is Alice/);
    await agent.screenshot({ path: `${SHOTS}/agent-en.png` });

    // Resolve: the customer hears it with the agent's name, then the survey; the console shows the outcome.
    await agent.click('#resolve');
    await see(agent, '#statusNote', /Resolved\. The customer got your closing message and the satisfaction survey/);
    expect(await agent.isVisible('#accept')).toBe(false);
    expect(await agent.isVisible('#resolve')).toBe(false);
    await see(chat, '#webchat', /Alice has closed this conversation/);
    await see(chat, '#webchat', /how satisfied/i);
    expect(chatErrors).toEqual([]);
    expect(agentErrors).toEqual([]);
  }, 120_000);

  it('the same in Chinese: branded chat, console in 简体中文 with local times and channel names', async () => {
    const { page: chat, errors: chatErrors } = await open('/chat', 'zh-CN', { width: 900, height: 900 });
    await see(chat, '#title', 'Acme 在线客服');
    await see(chat, '#suggestions', /怎么申请退款/);
    await chat.waitForTimeout(600);
    await chat.screenshot({ path: `${SHOTS}/chat-zh-CN.png` });
    await chat.getByRole('button', { name: '我的快递到哪了？', exact: true }).click();
    await see(chat, '#webchat', /快递单号|物流/);
    await chatSay(chat, '转人工');
    await see(chat, '#webchat', /第 \d+ 位/);

    const { page: agent, errors: agentErrors } = await open('/agent', 'zh-CN');
    await login(agent, 'bob', 'agent-demo');
    await see(agent, '#queue', /客户要求人工/);
    await agent.click('#queue li');
    await agent.waitForSelector('#detail:not([hidden])');
    const meta = await text(agent, '#convMeta');
    expect(meta).toContain('网页聊天');
    expect(meta).not.toMatch(/directline|assigned|queued/);
    const page = await agent.locator('body').innerText();
    expect(page).not.toMatch(/\b(AM|PM)\b|Live updates|resolved|assigned/);
    expect(await text(agent, '#stream')).toBe('实时更新已连接');
    const matches = await text(agent, '#matches');
    expect(matches).toMatch(/order\.track \(0\.\d\d\)/);
    expect(matches).not.toContain('(0.00)'); // a candidate that scored nothing is not a match
    await agent.screenshot({ path: `${SHOTS}/agent-zh-CN.png` });
    await agent.selectOption('#lang', 'zh-TW');
    await see(agent, '#queue', /客戶要求真人客服/);
    await chatSay(chat, '取消');
    await agent.waitForSelector('#queueEmpty:not([hidden])');
    await see(agent, '#queueEmpty', /目前無人排隊/);
    expect(chatErrors).toEqual([]);
    expect(agentErrors).toEqual([]);
  }, 120_000);
});
