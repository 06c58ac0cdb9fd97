import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { Agent } from './helpers/agent';
import { WECHAT, wechatDecrypt, wechatEncrypt, wechatQuery, wechatSignature, wechatStub, wechatXml, type PlatformStub } from './helpers/platforms';

let tb: TestBot;
let wx: PlatformStub & { revoke(): void; tokensIssued(): number };
const SEND = /\/cgi-bin\/message\/custom\/send$/;
const path = () => `${tb.app.url}/api/channels/wechat`;

async function push(xml: string, query = wechatQuery()) {
  const r = await fetch(`${path()}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
  return { status: r.status, text: await r.text() };
}
/** Fields of a flat WeChat XML reply. */
const fields = (xml: string) => Object.fromEntries([...xml.matchAll(/<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)].map((m) => [m[1], m[2] ?? m[3]]));
const sent = (openid: string) => wx.on(SEND).filter((c) => c.body.touser === openid).map((c) => c.body);
async function waitSent(openid: string, n: number) {
  const end = Date.now() + 8000;
  while (sent(openid).length < n) {
    if (Date.now() > end) throw new Error(`${openid}: ${sent(openid).length}/${n} sent: ${JSON.stringify(sent(openid))}`);
    await new Promise((r) => setTimeout(r, 30));
  }
  await new Promise((r) => setTimeout(r, 100));
  return sent(openid);
}
/** A message whose replies go through the API (more than one, or buttons): answer 'success' then the sends. */
async function say(openid: string, kind: Parameters<typeof wechatXml>[1], n = 1) {
  const before = sent(openid).length;
  const r = await push(wechatXml(openid, kind));
  expect(r).toEqual({ status: 200, text: 'success' });
  return (await waitSent(openid, before + n)).slice(before);
}

beforeAll(async () => {
  wx = await wechatStub().start();
  tb = await startTestBot(
    {
      WECHAT_TOKEN: WECHAT.token, WECHAT_APP_ID: WECHAT.appId, WECHAT_APP_SECRET: WECHAT.secret, WECHAT_ENCODING_AES_KEY: WECHAT.aesKey,
      WECHAT_API_BASE_URL: wx.url, CHANNELS_RETRY_BASE_MS: '10',
    },
    { handoff: { heartbeatMs: 200, tickMs: 100 } },
  );
}, 180_000);
afterAll(async () => {
  await tb?.stop();
  await wx?.stop();
});

describe('WeChat Official Account channel', () => {
  it('answers the GET verification with echostr, and 401 to a bad or missing signature', async () => {
    const ts = '1700000000';
    const nonce = '12345';
    const ok = await fetch(`${path()}?signature=${wechatSignature(WECHAT.token, ts, nonce)}&timestamp=${ts}&nonce=${nonce}&echostr=8837492374`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('8837492374');
    expect((await fetch(`${path()}?signature=${wechatSignature('other', ts, nonce)}&timestamp=${ts}&nonce=${nonce}&echostr=1`)).status).toBe(401);
    expect((await fetch(`${path()}?timestamp=${ts}&nonce=${nonce}&echostr=1`)).status).toBe(401);
  });

  it('answers 401 to a badly signed push and processes nothing', async () => {
    expect((await push(wechatXml('o_bad', { text: '你好' }), wechatQuery({ token: 'wrong' }))).status).toBe(401);
    const enc = wechatEncrypt(wechatXml('o_bad', { text: '你好' }));
    const q = new URLSearchParams(wechatQuery({ encrypt: enc }));
    q.set('msg_signature', 'f'.repeat(40));
    expect((await push(`<xml><ToUserName><![CDATA[${WECHAT.oa}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`, q.toString())).status).toBe(401);
    expect((await push('<xml><broken', wechatQuery())).status).toBe(400);
    await new Promise((r) => setTimeout(r, 200));
    expect(wx.calls).toHaveLength(0);
    expect(await tb.app.db.get("SELECT COUNT(*) AS n FROM channel_events WHERE channel = 'wechat'")).toEqual({ n: 0 });
  });

  it('greets a new subscriber with a passive reply in the HTTP answer', async () => {
    const r = await push(wechatXml('o_new', { event: 'subscribe' }));
    expect(r.status).toBe(200);
    const f = fields(r.text);
    expect(f).toMatchObject({ ToUserName: 'o_new', FromUserName: WECHAT.oa, MsgType: 'text' });
    expect(f.Content).toMatch(/您好！我是智能客服助手/);
    expect(sent('o_new')).toHaveLength(0);
  });

  it('answers a voice message with its recognised text, and an image politely', async () => {
    const img = fields((await push(wechatXml('o_media', { media: 'image' }))).text);
    expect(img.Content).toMatch(/只能读懂文字消息/);
    const voice = await say('o_media', { media: 'voice', recognition: '营业时间是几点' }, 1);
    expect(JSON.stringify(voice)).toMatch(/9:00-21:00|9:00/);
  });

  it('decrypts a safe-mode message and answers with an encrypted, signed passive reply', async () => {
    const enc = wechatEncrypt(wechatXml('o_safe', { text: '你好' }));
    const r = await push(`<xml><ToUserName><![CDATA[${WECHAT.oa}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`, wechatQuery({ encrypt: enc }));
    expect(r.status).toBe(200);
    const outer = fields(r.text);
    expect(outer.MsgSignature).toBe(wechatSignature(WECHAT.token, outer.TimeStamp, outer.Nonce, outer.Encrypt));
    const inner = wechatDecrypt(outer.Encrypt);
    expect(inner.appId).toBe(WECHAT.appId);
    expect(fields(inner.xml)).toMatchObject({ ToUserName: 'o_safe', MsgType: 'text' });
    expect(fields(inner.xml).Content).toMatch(/您好/);
  });

  it('sends several replies and buttons through the customer-service API with one cached access token', async () => {
    const msgs = await say('o_kb', { text: '忘记密码了怎么办' }, 2);
    expect(msgs[0]).toMatchObject({ touser: 'o_kb', msgtype: 'text' });
    expect(msgs[0].text.content).toMatch(/忘记密码/);
    expect(msgs[1].msgtype).toBe('msgmenu');
    expect(msgs[1].msgmenu.list).toHaveLength(3);
    for (const i of msgs[1].msgmenu.list) expect(i.id).toMatch(/^\d+$/);
    await say('o_kb2', { text: '怎么申请退款' }, 2);
    expect(wx.tokensIssued()).toBe(1);
    expect(wx.on(/\/cgi-bin\/token$/)[0].query).toMatchObject({ grant_type: 'client_credential', appid: WECHAT.appId });
  });

  it('gets a new access token when WeChat says the cached one is invalid (40001)', async () => {
    wx.revoke();
    const msgs = await say('o_kb3', { text: '营业时间是几点' }, 2);
    expect(msgs[0].text.content).toMatch(/9:00/);
    expect(wx.tokensIssued()).toBe(2);
  });

  it('processes a retried push (same MsgId) once', async () => {
    const xml = wechatXml('o_dup', { text: '营业时间是几点' }, '998877665544');
    expect((await push(xml)).status).toBe(200);
    expect((await push(xml)).text).toBe('success');
    await waitSent('o_dup', 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(sent('o_dup')).toHaveLength(2);
  });

  it('runs a whole survey with menu messages, answered by bizmsgmenuid', async () => {
    const user = 'o_survey';
    await say(user, { text: '忘记密码了怎么办' }, 2);
    const start = await say(user, { text: '再见' }, 3);
    const q = start.at(-1);
    expect(q.msgtype).toBe('msgmenu');
    expect(q.msgmenu.head_content).toMatch(/总体满意度/);
    const three = q.msgmenu.list.find((i: any) => i.content.startsWith('★★★ '));
    const next = await say(user, { text: three.content, menuId: three.id }, 1);
    expect(JSON.stringify(next)).toMatch(/建议|改进|意见/);
    // the last answer's single reply comes back passively
    const r = await push(wechatXml(user, { text: '态度很好' }));
    expect(fields(r.text).Content).toBe('感谢您的评价！');
    const a = await tb.app.db.get<any>(
      "SELECT a.value, a.input_mode FROM survey_answers a JOIN surveys s ON s.id = a.survey_id JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = 'wechat:o_survey' AND a.item_id = 'csat'",
    );
    expect(a).toEqual({ value: 3, input_mode: 'button' });
  });

  it("relays an agent's reply to the WeChat customer, and skips the survey outside the 48-hour window", async () => {
    const user = 'o_handoff';
    expect(fields((await push(wechatXml(user, { text: '转人工' }))).text).Content).toMatch(/转接人工客服/);
    const h = await tb.app.db.get<any>("SELECT h.id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = 'wechat:o_handoff'");
    const alice = await new Agent(() => tb.app.url, 'alice').login();
    expect((await alice.fetch(`/api/agent/conversations/${h.id}/accept`, {})).status).toBe(200);
    const n = sent(user).length;
    expect((await alice.fetch(`/api/agent/conversations/${h.id}/messages`, { text: '您好，我是 Alice，正在为您查询。' })).status).toBe(201);
    const got = await waitSent(user, n + 1);
    expect(got.map((m) => m.text?.content)).toContain('您好，我是 Alice，正在为您查询。');

    // 49 hours without a word from the customer: nothing free-form may be sent, the survey is skipped with a reason.
    await tb.app.db.run("UPDATE channel_windows SET last_inbound_at = ? WHERE conversation_id = 'wechat:o_handoff'", [new Date(Date.now() - 49 * 3600_000).toISOString()]);
    const before = wx.on(SEND).length;
    const r = await alice.json(`/api/agent/conversations/${h.id}/resolve`, {});
    expect(r.surveyStarted).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(wx.on(SEND).slice(before).filter((c) => c.body.touser === user && /满意/.test(JSON.stringify(c.body)))).toHaveLength(0);
    const ev = await tb.app.db.get<any>(
      "SELECT e.detail FROM interaction_events e JOIN interactions i ON i.id = e.interaction_id WHERE i.conversation_id = 'wechat:o_handoff' AND e.kind = 'survey_eligibility' ORDER BY e.id DESC",
    );
    expect(JSON.parse(ev.detail)).toMatchObject({ eligible: false, reason: 'channel_window' });
    expect(JSON.parse(ev.detail).detail).toMatch(/48-hour/);
  });

  it('stops at the message limit of the window', async () => {
    const user = 'o_limit';
    await say(user, { text: '营业时间是几点' }, 2);
    await tb.app.db.run("UPDATE channel_windows SET sent_since_inbound = 20 WHERE conversation_id = 'wechat:o_limit'");
    // a proactive message (as the hub or the idle survey sends it, through the stored reference) is held back
    const ref = await tb.app.interactions.reference('wechat:o_limit');
    const before = sent(user).length;
    await tb.app.adapter.continueConversationAsync('', ref as any, async (ctx) => void (await ctx.sendActivity('a proactive note')));
    await new Promise((r) => setTimeout(r, 200));
    expect(sent(user)).toHaveLength(before);
    const logs = (tb as any).logs as string[];
    expect(logs.some((l) => l.includes('proactive message not sent') && l.includes('20-message limit')), logs.filter((l) => l.includes('channel')).join('\n')).toBe(true);
    // the customer writes again: the count starts over
    await say(user, { text: '怎么申请退款' }, 2);
    expect((await tb.app.db.get<any>("SELECT sent_since_inbound FROM channel_windows WHERE conversation_id = 'wechat:o_limit'")).sent_since_inbound).toBe(2);
  });
});

describe('WeChat: a turn slower than the passive window', () => {
  it("answers 'success' in time and sends the late reply through the customer-service API", async () => {
    const bot = await startTestBot({ WECHAT_TOKEN: WECHAT.token, WECHAT_APP_ID: WECHAT.appId, WECHAT_APP_SECRET: WECHAT.secret, WECHAT_API_BASE_URL: wx.url, WECHAT_PASSIVE_WAIT_MS: '1' });
    try {
      const t0 = Date.now();
      const r = await fetch(`${bot.app.url}/api/channels/wechat?${wechatQuery()}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: wechatXml('o_late', { event: 'subscribe' }) });
      expect(await r.text()).toBe('success');
      expect(Date.now() - t0).toBeLessThan(4500);
      const [m] = await waitSent('o_late', 1);
      expect(m.text.content).toMatch(/您好！我是智能客服助手/);
    } finally {
      await bot.stop();
    }
  }, 180_000);
});
