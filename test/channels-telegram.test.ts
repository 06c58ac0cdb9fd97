import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { TELEGRAM, telegramStub, telegramUpdate, type PlatformStub } from './helpers/platforms';

const run = promisify(execFile);
let tb: TestBot;
let tg: PlatformStub;
const SEND = /\/sendMessage$/;

async function post(update: unknown, secret: string | null = TELEGRAM.secret) {
  return fetch(`${tb.app.url}/api/channels/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
    body: JSON.stringify(update),
  });
}
/** Posts an update and returns the sendMessage bodies it caused. */
async function say(update: any, expect = 1) {
  const chat = String((update.message ?? update.callback_query.message).chat.id);
  const mine = () => tg.on(SEND).filter((c) => c.body.chat_id === chat);
  const n = mine().length;
  const r = await post(update);
  if (r.status !== 200) throw new Error(`webhook ${r.status}`);
  const end = Date.now() + 8000;
  while (mine().length < n + expect) {
    if (Date.now() > end) throw new Error(`chat ${chat}: ${mine().length - n}/${expect} messages`);
    await new Promise((r) => setTimeout(r, 30));
  }
  await new Promise((r) => setTimeout(r, 150)); // the rest of the turn's messages
  return mine().slice(n).map((c) => c.body);
}

beforeAll(async () => {
  tg = await telegramStub().start();
  tb = await startTestBot({ TELEGRAM_BOT_TOKEN: TELEGRAM.token, TELEGRAM_WEBHOOK_SECRET: TELEGRAM.secret, TELEGRAM_API_BASE_URL: tg.url, CHANNELS_RETRY_BASE_MS: '10' });
}, 180_000);
afterAll(async () => {
  await tb?.stop();
  await tg?.stop();
});

describe('Telegram channel', () => {
  it('answers 401 to a missing or wrong secret-token header and processes nothing', async () => {
    const u = telegramUpdate(7001, { text: 'hello' });
    expect((await post(u, null)).status).toBe(401);
    expect((await post(u, 'wrong-secret')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.calls).toHaveLength(0);
    expect(await tb.app.db.get("SELECT COUNT(*) AS n FROM channel_events WHERE channel = 'telegram'")).toEqual({ n: 0 });
  });

  it('answers a malformed update with 400, and the server keeps serving', async () => {
    const r = await fetch(`${tb.app.url}/api/channels/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM.secret }, body: '{"update_id": ' });
    expect(r.status).toBe(400);
    expect((await post({ foo: 1 })).status).toBe(400);
    expect((await fetch(`${tb.app.url}/healthz`)).status).toBe(200);
  });

  it('greets on /start in the language of language_code', async () => {
    const [m] = await say(telegramUpdate(7002, { text: '/start' }, { lang: 'zh-hant' }));
    expect(m.chat_id).toBe('7002');
    expect(m.text).toMatch(/您好！我是智慧客服助理/);
  });

  it('answers a question with sendMessage and an inline keyboard of callback buttons', async () => {
    const msgs = await say(telegramUpdate(7003, { text: 'How do I reset my password?' }, { lang: 'en' }), 2);
    expect(msgs[0].text).toMatch(/password/i);
    const kb = msgs.at(-1).reply_markup.inline_keyboard.flat();
    expect(kb.map((b: any) => b.text)).toEqual(['Yes', 'Partly', 'No']);
    for (const b of kb) expect(b.callback_data).toMatch(/^c:\d+$/);
  });

  it('processes a redelivered update (same update_id) once', async () => {
    const u = telegramUpdate(7004, { text: 'What are your opening hours?' });
    await say(u);
    const n = tg.on(SEND).length;
    expect((await post(u)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect(tg.on(SEND).length).toBe(n);
  });

  it('answers stickers, photos and voice politely in text', async () => {
    for (const media of ['sticker', 'photo', 'voice'] as const) {
      const [m] = await say(telegramUpdate(7005, { media }, { lang: 'zh-hans' }));
      expect(m.text).toMatch(/只能读懂文字消息/);
    }
  });

  it('waits out a 429 with retry_after and delivers', async () => {
    tg.fail(SEND, 1, 429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    const n = tg.calls.length;
    await say(telegramUpdate(7006, { text: 'What are your opening hours?' }), 3); // the refused call, its retry, the follow-up question
    const sends = tg.calls.slice(n).filter((c) => SEND.test(c.path));
    expect(sends[0].body).toEqual(sends[1].body);
    expect(sends[1].body.text).toMatch(/9:00-21:00/);
    expect(sends[1].at - sends[0].at).toBeGreaterThanOrEqual(950); // retry_after: 1 second
  });

  it('runs a whole survey with inline-keyboard callback queries', async () => {
    const user = 7010;
    await say(telegramUpdate(user, { text: '忘记密码了怎么办' }, { lang: 'zh-hans' }), 2);
    const start = await say(telegramUpdate(user, { text: '再见' }, { lang: 'zh-hans' }), 3);
    const q = start.at(-1);
    expect(q.text).toMatch(/总体满意度/);
    const four = q.reply_markup.inline_keyboard.flat().find((b: any) => b.text.startsWith('★★★★ '));
    expect(four).toBeTruthy();
    const acks = tg.on(/answerCallbackQuery$/).length;
    const next = await say(telegramUpdate(user, { callback: four.callback_data }, { lang: 'zh-hans' }));
    expect(tg.on(/answerCallbackQuery$/).length).toBe(acks + 1);
    expect(next.at(-1).text).toMatch(/建议|改进|意见/);
    const end = await say(telegramUpdate(user, { text: '回答很快，很满意' }, { lang: 'zh-hans' }));
    expect(end.at(-1).text).toBe('感谢您的评价！');
    const a = await tb.app.db.get<any>(
      "SELECT a.value, a.input_mode FROM survey_answers a JOIN surveys s ON s.id = a.survey_id JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = 'telegram:7010' AND a.item_id = 'csat'",
    );
    expect(a).toEqual({ value: 4, input_mode: 'button' });
  });

  it('a button from another chat does not resolve here', async () => {
    const other = await say(telegramUpdate(7020, { text: 'How do I reset my password?' }, { lang: 'en' }), 2);
    const data = other.at(-1).reply_markup.inline_keyboard.flat()[0].callback_data;
    const [m] = await say(telegramUpdate(7021, { callback: data }, { lang: 'en' }));
    expect(m.text).toMatch(/button has expired/);
  });

  it('npm run telegram:webhook registers the webhook with its secret token', async () => {
    const env = { ...process.env, TELEGRAM_BOT_TOKEN: TELEGRAM.token, TELEGRAM_WEBHOOK_SECRET: TELEGRAM.secret, TELEGRAM_API_BASE_URL: tg.url };
    const { stdout } = await run('npx', ['tsx', 'src/cli/telegram-webhook.ts', 'https://bot.example.com/'], { env, cwd: process.cwd() });
    expect(stdout).toMatch('webhook set: https://bot.example.com/api/channels/telegram');
    const [call] = tg.on(/\/setWebhook$/);
    expect(call.path).toBe(`/bot${TELEGRAM.token}/setWebhook`);
    expect(call.body).toMatchObject({ url: 'https://bot.example.com/api/channels/telegram', secret_token: TELEGRAM.secret, allowed_updates: ['message', 'callback_query'] });
    const bad = await run('npx', ['tsx', 'src/cli/telegram-webhook.ts', 'http://bot.example.com'], { env }).catch((e) => e);
    expect(bad.code).toBe(2);
    const off = await run('npx', ['tsx', 'src/cli/telegram-webhook.ts', 'https://bot.example.com'], { env: { ...env, TELEGRAM_BOT_TOKEN: '' , TELEGRAM_WEBHOOK_SECRET: '' } }).catch((e) => e);
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/TELEGRAM_BOT_TOKEN/);
  }, 120_000);
});
