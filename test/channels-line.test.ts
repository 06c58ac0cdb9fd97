import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { Agent } from './helpers/agent';
import { LINE, lineEvent, lineSign, lineStub, type PlatformStub } from './helpers/platforms';

let tb: TestBot;
let line: PlatformStub;
const url = () => `${tb.app.url}/api/channels/line`;

async function post(events: unknown[], sign: string | null = 'good') {
  const body = JSON.stringify({ destination: 'Uaaaabbbbccccddddeeeeffff00001111', events });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (sign === 'good') headers['x-line-signature'] = lineSign(body);
  else if (sign) headers['x-line-signature'] = sign;
  return fetch(url(), { method: 'POST', headers, body });
}
/** Texts LINE was asked to deliver to this user, by reply or push, in order. */
const delivered = (userId?: string) =>
  line.calls
    .filter((c) => c.path === '/v2/bot/message/reply' || (c.path === '/v2/bot/message/push' && (!userId || c.body.to === userId)))
    .flatMap((c) => c.body.messages as any[]);
async function waitDelivered(n: number, userId?: string) {
  const end = Date.now() + 8000;
  while (delivered(userId).length < n) {
    if (Date.now() > end) throw new Error(`only ${delivered(userId).length}/${n} messages: ${JSON.stringify(delivered(userId).map((m) => m.text))}`);
    await new Promise((r) => setTimeout(r, 30));
  }
  return delivered(userId);
}
/** Sends a text and returns the new messages once the reply arrived (the call count settles). */
async function say(userId: string, text: string | { postback: string }) {
  const before = line.calls.length;
  const n = line.on(SENDS).length;
  const r = await post([lineEvent(userId, typeof text === 'string' ? { text } : text)]);
  expect(r.status).toBe(200);
  const got = await line.waitFor(SENDS, n + 1);
  return got.filter((c) => line.calls.indexOf(c) >= before).flatMap((c) => c.body.messages as any[]);
}
const SENDS = /^\/v2\/bot\/message\/(reply|push)$/;

beforeAll(async () => {
  line = await lineStub({ U_tw: { displayName: '小美', language: 'zh-TW' } }).start();
  tb = await startTestBot(
    { LINE_CHANNEL_SECRET: LINE.secret, LINE_CHANNEL_ACCESS_TOKEN: LINE.token, LINE_API_BASE_URL: line.url, CHANNELS_RETRY_BASE_MS: '10' },
    { handoff: { heartbeatMs: 200, tickMs: 100 } },
  );
}, 180_000);
afterAll(async () => {
  await tb?.stop();
  await line?.stop();
});

describe('LINE channel', () => {
  it('is listed in /healthz', async () => {
    const h = await (await fetch(`${tb.app.url}/healthz`)).json();
    expect(h.channels).toEqual(['line']);
  });

  it('answers 401 to a bad or missing x-line-signature and processes nothing', async () => {
    const ev = lineEvent('U_bad', { text: 'I forgot my password' });
    expect((await post([ev], null)).status).toBe(401);
    expect((await post([ev], lineSign(JSON.stringify({ events: [ev] }), 'wrong-secret'))).status).toBe(401);
    expect((await post([ev], 'not base64 at all')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(line.calls).toHaveLength(0);
    expect(await tb.app.db.get("SELECT COUNT(*) AS n FROM channel_events WHERE channel = 'line'")).toEqual({ n: 0 });
    expect(await tb.app.db.get("SELECT COUNT(*) AS n FROM interactions WHERE channel = 'line'")).toEqual({ n: 0 });
  });

  it('answers the console verify request (no events) with 200', async () => {
    expect((await post([])).status).toBe(200);
  });

  it('greets a new follower in the language of their LINE profile, through the reply token', async () => {
    const ev = lineEvent('U_tw', { follow: true });
    expect((await post([ev])).status).toBe(200);
    const [call] = await line.waitFor(/\/message\/reply$/);
    expect(call.body.replyToken).toBe(ev.replyToken);
    expect(call.headers.authorization).toBe(`Bearer ${LINE.token}`);
    expect(call.body.messages[0].text).toMatch(/您好！我是智慧客服助理/);
    expect(line.on(/\/v2\/bot\/profile\/U_tw$/)).toHaveLength(1);
  });

  it('answers a question with the KB answer and the resolved question as quick replies with postbacks', async () => {
    const msgs = await say('U_en', 'I forgot my password, how can I reset it?');
    expect(msgs[0].text).toMatch(/password/i);
    const ask = msgs.at(-1);
    expect(ask.quickReply.items.length).toBe(3);
    for (const it of ask.quickReply.items) {
      expect(it.action.type).toBe('postback');
      expect(it.action.data).toMatch(/^c=\d+$/);
      expect(it.action.displayText).toBe(it.action.label);
    }
    const row = await tb.app.db.get<any>("SELECT channel, user_id FROM interactions WHERE conversation_id = 'line:U_en'");
    expect(row).toEqual({ channel: 'line', user_id: 'line:U_en' });
  });

  it('processes a redelivered event once', async () => {
    const ev = lineEvent('U_dup', { text: 'What are your opening hours?' });
    const n = line.calls.length;
    expect((await post([ev])).status).toBe(200);
    await line.waitFor(/\/message\/(reply|push)$/, line.on(/\/message\/(reply|push)$/).length + 1);
    const again = { ...ev, deliveryContext: { isRedelivery: true } };
    expect((await post([again])).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect(line.calls.slice(n).filter((c) => /\/message\//.test(c.path))).toHaveLength(1);
    const t = await tb.app.db.get<any>("SELECT COUNT(*) AS n FROM transcript t JOIN interactions i ON i.id = t.interaction_id WHERE i.conversation_id = 'line:U_dup' AND t.role = 'customer'");
    expect(t.n).toBe(1);
  });

  it('answers a sticker, an image and a voice message politely in text', async () => {
    for (const media of ['sticker', 'image', 'audio']) {
      const n = line.on(SENDS).length;
      expect((await post([lineEvent('U_media', { media })])).status).toBe(200);
      const got = await line.waitFor(SENDS, n + 1);
      expect(got.at(-1)!.body.messages).toHaveLength(1);
      expect(got.at(-1)!.body.messages[0].text).toMatch(/only read text messages/);
    }
    // not a turn of the bot: no interaction is opened for a sticker
    expect(await tb.app.db.get("SELECT COUNT(*) AS n FROM interactions WHERE conversation_id = 'line:U_media'")).toEqual({ n: 0 });
  });

  it('falls back to push when the reply token is no longer valid', async () => {
    const n = line.on(/\/message\/push$/).length;
    await post([lineEvent('U_late', { text: 'What are your opening hours?' }, { replyToken: 'expired-token' })]);
    const pushes = await line.waitFor(/\/message\/push$/, n + 1);
    expect(pushes.at(-1)!.body.to).toBe('U_late');
    expect(pushes.at(-1)!.headers['x-line-retry-key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('retries a 500 and a 429 from LINE and still delivers', async () => {
    line.fail(/\/message\/reply$/, 1, 500, { message: 'Internal error' });
    line.fail(/\/message\/reply$/, 1, 429, { message: 'The API rate limit has been exceeded.' }, { 'retry-after': '0' });
    const ev = lineEvent('U_retry', { text: 'What are your opening hours?' });
    const n = line.on(/\/message\/reply$/).length;
    await post([ev]);
    const calls = (await line.waitFor(/\/message\/reply$/, n + 3)).slice(n);
    expect(calls.map((c) => c.body.replyToken)).toEqual([ev.replyToken, ev.replyToken, ev.replyToken]);
    expect(calls[2].body.messages[0].text).toMatch(/9:00-21:00/);
  });

  it('runs a whole survey with quick-reply postbacks', async () => {
    const user = 'U_survey';
    await say(user, '忘记密码了怎么办');
    const start = await say(user, '再见');
    const q1 = start.at(-1);
    expect(q1.text).toMatch(/总体满意度/);
    const five = q1.quickReply.items.find((i: any) => i.action.label.startsWith('★★★★★'));
    expect(five, JSON.stringify(q1.quickReply.items)).toBeTruthy();
    const next = await say(user, { postback: five.action.data });
    expect(next.at(-1).text).toMatch(/改进|建议|意见|better|说/);
    const end = await say(user, '客服很耐心');
    expect(end.at(-1).text).toBe('感谢您的评价！');
    const answers = await tb.app.db.all<any>(
      "SELECT a.item_id, a.value, a.input_mode FROM survey_answers a JOIN surveys s ON s.id = a.survey_id JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = 'line:U_survey' ORDER BY a.answered_at, a.rowid",
    );
    expect(answers[0]).toMatchObject({ item_id: 'csat', value: 5, input_mode: 'button' });
    expect(answers.map((a) => a.item_id)).toContain('open');
  });

  it("relays an agent's reply to the LINE customer by push", async () => {
    const user = 'U_handoff';
    await say(user, '转人工');
    const alice = await new Agent(() => tb.app.url, 'alice').login();
    const h = await tb.app.db.get<any>("SELECT h.id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = 'line:U_handoff'");
    const item = { id: h.id };
    expect((await alice.fetch(`/api/agent/conversations/${item.id}/accept`, {})).status).toBe(200);
    const conv = await alice.json(`/api/agent/conversations/${item.id}`);
    expect(conv.interaction.channel).toBe('line');
    const n = delivered(user).length;
    expect((await alice.fetch(`/api/agent/conversations/${item.id}/messages`, { text: '您好，我是 Alice。' })).status).toBe(201);
    const got = await waitDelivered(n + 1, user);
    expect(got.map((m) => m.text)).toContain('您好，我是 Alice。');
    // resolving starts the agent-handled survey on LINE, with its quick replies
    const before = delivered(user).length;
    expect((await alice.json(`/api/agent/conversations/${item.id}/resolve`, {})).surveyStarted).toBe(true);
    const survey = (await waitDelivered(before + 1, user)).slice(before);
    expect(survey.map((m) => m.text).join('\n')).toMatch(/满意/);
    expect(survey.at(-1).quickReply.items.length).toBeGreaterThanOrEqual(5);
  });
});
