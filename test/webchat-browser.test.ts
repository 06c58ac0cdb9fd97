import { mkdirSync } from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { describeBrowser, launchChromium } from './helpers/browser';

// The real Web Chat bundle in headless Debian Chromium, against the bot's own Direct Line.
const SHOTS = 'test-artifacts';

let bot: TestBot;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  bot = await startTestBot();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

async function openChat(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  await page.goto(url);
  return { page, errors };
}

const transcript = (page: Page) => page.locator('#webchat');
const lastCard = (page: Page) => page.locator('.ac-adaptiveCard').last();

/** Wait until the transcript shows `text` at least `n` times. */
async function see(page: Page, text: string, n = 1, timeout = 20_000): Promise<void> {
  await expect.poll(async () => (await transcript(page).innerText()).split(text).length - 1, { timeout }).toBeGreaterThanOrEqual(n);
}

async function type(page: Page, text: string): Promise<void> {
  const box = page.locator('[data-id="webchat-sendbox-input"]');
  await box.fill(text);
  await box.press('Enter');
}

/** Click a button of the newest Adaptive Card, then wait for the next question. */
async function click(page: Page, title: string, next: string): Promise<void> {
  await lastCard(page).getByRole('button', { name: title, exact: true }).click();
  await see(page, next);
}

async function conversationId(page: Page): Promise<string> {
  return page.evaluate(() => (window as any).chatDemo.state.conversationId as string);
}

async function answers(conversation: string) {
  return bot.app.db.all<{ item_id: string; value: number | null; value_text: string | null; input_mode: string; skipped: number }>(
    `SELECT a.* FROM survey_answers a JOIN surveys s ON s.id = a.survey_id JOIN interactions i ON i.id = s.interaction_id
     WHERE i.conversation_id = ? ORDER BY a.answered_at, a.rowid`,
    [conversation],
  );
}
async function surveyStatus(conversation: string) {
  return bot.app.db.get<{ status: string; locale: string; definition_id: string }>(
    'SELECT s.status, s.locale, s.definition_id FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ?',
    [conversation],
  );
}
/** An agent took part, so the full (default) survey is offered on goodbye. */
async function agentHandled(conversation: string) {
  await bot.app.db.run("UPDATE interactions SET handled_by = 'agent', agent_id = 'agent-1' WHERE conversation_id = ?", [conversation]);
}

describeBrowser('Web Chat on /chat in headless Chromium', () => {
  it('welcomes, answers a Chinese question, and runs the whole survey by card clicks and a typed answer', async () => {
    const { page, errors } = await openChat(`${bot.app.url}/chat?locale=zh-CN`);
    await see(page, '您好！我是智能客服助手');
    await page.screenshot({ path: `${SHOTS}/webchat-1-welcome.png` });

    await type(page, '帮我查一下订单物流');
    await see(page, '快递单号');
    await see(page, '这个回答解决您的问题了吗');
    // the bot's suggested actions are rendered as buttons under the transcript
    await page.locator('.webchat__suggested-actions').getByRole('button', { name: '部分解决', exact: true }).waitFor();
    await page.screenshot({ path: `${SHOTS}/webchat-2-answer.png` });

    const cid = await conversationId(page);
    await agentHandled(cid);
    await type(page, '再见');
    await see(page, '感谢您的咨询，再见！');
    await see(page, '您对本次服务的总体满意度如何');
    await page.screenshot({ path: `${SHOTS}/webchat-3-survey-card.png` });

    await click(page, '★★★★★', '您的问题解决了吗');
    await click(page, '是', '您有多大可能向朋友推荐我们');
    await click(page, '9', '这次办理事情有多容易');
    await click(page, '6', '请为响应速度打分');
    await click(page, '★★★★★', '请为服务态度打分');
    await click(page, '★★★★', '请为专业能力打分');
    await click(page, '★★★★★', '您对我们还有什么建议吗');
    await page.screenshot({ path: `${SHOTS}/webchat-4-open-question.png` });
    await type(page, '客服回复很快，谢谢');
    await see(page, '感谢您的评价！');
    await page.waitForTimeout(500); // let Web Chat scroll to the newest message
    await page.screenshot({ path: `${SHOTS}/webchat-5-thanks.png` });

    expect(await surveyStatus(cid)).toMatchObject({ status: 'complete', locale: 'zh-CN', definition_id: 'default' });
    const a = await answers(cid);
    expect(a.map((x) => [x.item_id, x.value ?? x.value_text])).toEqual([
      ['csat', 5], ['resolved', 1], ['nps', 9], ['ces', 6], ['rating_response_speed', 5], ['rating_attitude', 4], ['rating_professionalism', 5],
      ['open', '客服回复很快，谢谢'],
    ]);
    expect(a.slice(0, 7).every((x) => x.input_mode === 'card')).toBe(true);
    expect(a[7].input_mode).toBe('typed');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('switches to Traditional Chinese, reloads mid-survey, resumes the conversation and finishes the survey', async () => {
    const { page } = await openChat(`${bot.app.url}/chat?locale=zh-CN`);
    await see(page, '您好！我是智能客服助手');
    await page.selectOption('#locale', 'zh-TW');
    await type(page, '我想申請退款');
    await see(page, '這個回答解決您的問題了嗎');
    const cid = await conversationId(page);
    await agentHandled(cid);
    await type(page, '再見');
    await see(page, '您對本次服務的整體滿意度如何');
    await click(page, '★★★★', '您的問題解決了嗎');
    await click(page, '部分', '您有多大可能向朋友推薦我們');
    await page.screenshot({ path: `${SHOTS}/webchat-6-before-reload.png` });

    await page.reload();
    // The same conversation comes back with its history, still in Traditional Chinese.
    await see(page, '您有多大可能向朋友推薦我們');
    await see(page, '我想申請退款');
    expect(await conversationId(page)).toBe(cid);
    expect(await page.locator('#locale').inputValue()).toBe('zh-TW');
    await page.screenshot({ path: `${SHOTS}/webchat-7-after-reload.png` });

    await click(page, '跳過', '這次辦理事情有多容易');
    await click(page, '7', '請為回應速度評分');
    await click(page, '★★★★★', '請為服務態度評分');
    await click(page, '★★★★★', '請為專業能力評分');
    await click(page, '★★★★', '您對我們還有什麼建議嗎');
    await type(page, '退款速度可以再快一點');
    await see(page, '感謝您的評價！');
    await page.waitForTimeout(500); // let Web Chat scroll to the newest message
    await page.screenshot({ path: `${SHOTS}/webchat-8-finished.png` });

    expect(await surveyStatus(cid)).toMatchObject({ status: 'complete', locale: 'zh-TW' });
    const a = await answers(cid);
    expect(a.map((x) => [x.item_id, x.skipped ? 'skipped' : x.value ?? x.value_text])).toEqual([
      ['csat', 4], ['resolved', 0.5], ['nps', 'skipped'], ['ces', 7], ['rating_response_speed', 5], ['rating_attitude', 5], ['rating_professionalism', 4],
      ['open', '退款速度可以再快一點'],
    ]);
    await page.close();
  }, 120_000);
});
