import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardFactory, MessageFactory } from 'botbuilder';
import { loadConfig } from '../src/config';
import { ConfigError } from '../src/configError';
import { toDraft } from '../src/channels/activity';
import { OutboundClient } from '../src/channels/outbound';
import { WeChatCrypto } from '../src/channels/wechat/crypto';
import { parseFlatXml } from '../src/channels/wechat/xml';
import { createLogger } from '../src/log';
import { startTestBot, type TestBot } from './helpers/app';
import { LINE, lineEvent, lineSign, lineStub, PlatformStub, WECHAT, wechatDecrypt, wechatEncrypt } from './helpers/platforms';

const quiet = createLogger('error');

describe('channel settings', () => {
  const base = { PORT: '0', DATABASE_PATH: ':memory:' };
  const err = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('no ConfigError');
  };

  it('turns a channel on only when its settings are present', () => {
    const none = loadConfig(base).channels;
    for (const k of ['line', 'telegram', 'wechat', 'whatsapp'] as const) expect(none[k]).toBeUndefined();
    const c = loadConfig({ ...base, LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't' }).channels;
    expect(c.line).toMatchObject({ apiBaseUrl: 'https://api.line.me', replyTokenTtlMs: 50_000 });
  });

  it('names the missing or bad key', () => {
    expect(err({ LINE_CHANNEL_SECRET: 's' })).toMatch(/LINE_CHANNEL_ACCESS_TOKEN/);
    expect(err({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't', LINE_API_BASE_URL: 'ftp://x' })).toMatch(/LINE_API_BASE_URL/);
    expect(err({ TELEGRAM_BOT_TOKEN: '123:abc' })).toMatch(/TELEGRAM_WEBHOOK_SECRET/);
    expect(err({ TELEGRAM_BOT_TOKEN: 'nope', TELEGRAM_WEBHOOK_SECRET: 'x' })).toMatch(/TELEGRAM_BOT_TOKEN/);
    expect(err({ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_WEBHOOK_SECRET: 'has spaces' })).toMatch(/TELEGRAM_WEBHOOK_SECRET/);
    expect(err({ WECHAT_TOKEN: 't', WECHAT_APP_ID: 'a' })).toMatch(/WECHAT_APP_SECRET/);
    expect(err({ WECHAT_TOKEN: 't', WECHAT_APP_ID: 'a', WECHAT_APP_SECRET: 's', WECHAT_ENCODING_AES_KEY: 'short' })).toMatch(/WECHAT_ENCODING_AES_KEY/);
    expect(err({ WECHAT_TOKEN: 't', WECHAT_APP_ID: 'a', WECHAT_APP_SECRET: 's', WECHAT_PASSIVE_WAIT_MS: '6000' })).toMatch(/WECHAT_PASSIVE_WAIT_MS/);
    const wa = { WHATSAPP_VERIFY_TOKEN: 'v', WHATSAPP_APP_SECRET: 's', WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_PHONE_NUMBER_ID: '123' };
    expect(err({ ...wa, WHATSAPP_PHONE_NUMBER_ID: '' })).toMatch(/WHATSAPP_PHONE_NUMBER_ID/);
    expect(err({ ...wa, WHATSAPP_PHONE_NUMBER_ID: 'abc' })).toMatch(/WHATSAPP_PHONE_NUMBER_ID/);
    expect(err({ ...wa, WHATSAPP_SURVEY_TEMPLATE: 'no language' })).toMatch(/WHATSAPP_SURVEY_TEMPLATE/);
    expect(err({ CHANNELS_RETRY_ATTEMPTS: '0' })).toMatch(/CHANNELS_RETRY_ATTEMPTS/);
  });
});

describe('outgoing activities on messaging apps', () => {
  it('sends an Adaptive Card as its text fallback with its submit actions as buttons', () => {
    const card = CardFactory.adaptiveCard({ type: 'AdaptiveCard', version: '1.3', body: [{ type: 'ActionSet', actions: [{ type: 'Action.Submit', title: '★', data: { surveyItem: 'csat', value: 1 } }] }] });
    const d = toDraft(MessageFactory.attachment(card, 'How satisfied are you?') as any)!;
    expect(d.text).toBe('How satisfied are you?');
    expect(d.choices).toEqual([{ title: '★', value: { surveyItem: 'csat', value: 1 } }]);
    expect(JSON.stringify(d)).not.toContain('AdaptiveCard');
  });

  it('turns hero-card and suggested-action buttons into choices, and skips typing and events', () => {
    const hero = CardFactory.heroCard('', 'Sorry, I have no good answer.', undefined, [{ type: 'imBack', title: 'Talk to a person', value: 'agent' }]);
    expect(toDraft(MessageFactory.attachment(hero, 'Sorry, I have no good answer.') as any)).toEqual({ text: 'Sorry, I have no good answer.', choices: [{ title: 'Talk to a person', text: 'agent' }] });
    expect(toDraft(MessageFactory.suggestedActions(['Yes', 'No'], 'Solved?') as any)!.choices.map((c) => c.text)).toEqual(['Yes', 'No']);
    expect(toDraft({ type: 'typing' })).toBeUndefined();
    expect(toDraft({ type: 'event', name: 'handoff.initiate' } as any)).toBeUndefined();
  });
});

describe('WeChat safe mode and XML', () => {
  it('decrypts what WeChat encrypts and the reverse; refuses another app id', () => {
    const c = new WeChatCrypto(WECHAT.aesKey, WECHAT.appId);
    const xml = '<xml><Content><![CDATA[你好，世界 😀]]></Content></xml>';
    expect(c.decrypt(wechatEncrypt(xml))).toBe(xml);
    expect(wechatDecrypt(c.encrypt(xml))).toEqual({ xml, appId: WECHAT.appId });
    expect(() => c.decrypt(wechatEncrypt(xml, WECHAT.aesKey, 'wxOTHER'))).toThrow(/another app id/);
    expect(() => c.decrypt('not-base64-at-all')).toThrow();
  });

  it('reads the flat XML with CDATA and plain values, and refuses what is not', () => {
    expect(parseFlatXml('<xml><A><![CDATA[x<y]]></A><B>12</B><C>a &amp; b</C></xml>')).toEqual({ A: 'x<y', B: '12', C: 'a & b' });
    expect(() => parseFlatXml('<html></html>')).toThrow();
  });
});

describe('outbound client', () => {
  let stub: PlatformStub;
  beforeAll(async () => {
    stub = await new PlatformStub((c) => ({ status: 200, body: { ok: true, path: c.path } })).start();
  });
  afterAll(async () => stub?.stop());

  it('retries 5xx and 429 with backoff, and never a 400', async () => {
    const http = new OutboundClient({ name: 't', log: quiet, attempts: 4, baseDelayMs: 5, ratePerSecond: 1000 });
    stub.fail(/^\/a$/, 2, 502, { e: 1 });
    expect(await http.request('POST', `${stub.url}/a`, {})).toEqual({ ok: true, path: '/a' });
    expect(stub.on(/^\/a$/)).toHaveLength(3);
    stub.fail(/^\/b$/, 1, 400, { e: 'bad' });
    await expect(http.request('POST', `${stub.url}/b`, {})).rejects.toThrow(/400/);
    expect(stub.on(/^\/b$/)).toHaveLength(1);
    stub.fail(/^\/c$/, 9, 503, {});
    await expect(http.request('POST', `${stub.url}/c`, {})).rejects.toThrow(/503/);
    expect(stub.on(/^\/c$/)).toHaveLength(4);
  });

  it('keeps to the rate limit', async () => {
    const http = new OutboundClient({ name: 't', log: quiet, attempts: 1, baseDelayMs: 5, ratePerSecond: 4 });
    stub.reset();
    await Promise.all(Array.from({ length: 8 }, () => http.request('GET', `${stub.url}/r`)));
    const at = stub.on(/^\/r$/).map((c) => c.at);
    // a burst of 4, then one every 250 ms
    expect(at[7] - at[0]).toBeGreaterThanOrEqual(900);
  });
});

describe('LINE: surveys by channel rule, the idle survey, and events left by a crash', () => {
  let tb: TestBot;
  let line: PlatformStub;
  beforeAll(async () => {
    line = await lineStub().start();
    // a selection rule for the line channel: bot-only LINE conversations get the complaint definition
    const dir = mkdtempSync(join(tmpdir(), 'surveys-'));
    const yaml = readFileSync('models/surveys.yaml', 'utf8').replace('selection:\n', 'selection:\n  - { outcome: bot_only, channel: line, definition: complaint }\n');
    writeFileSync(join(dir, 'surveys.yaml'), yaml);
    tb = await startTestBot(
      { LINE_CHANNEL_SECRET: LINE.secret, LINE_CHANNEL_ACCESS_TOKEN: LINE.token, LINE_API_BASE_URL: line.url, CHANNELS_RETRY_BASE_MS: '10' },
      { survey: { configPath: join(dir, 'surveys.yaml'), settings: { idleTimeoutSeconds: 1 }, idleTickMs: 200 } },
    );
  }, 180_000);
  afterAll(async () => {
    await tb?.stop();
    await line?.stop();
  });
  const post = (events: unknown[]) => {
    const body = JSON.stringify({ destination: 'U0', events });
    return fetch(`${tb.app.url}/api/channels/line`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': lineSign(body) }, body });
  };
  const pushes = (to: string) => line.on(/\/message\/push$/).filter((c) => c.body.to === to);

  it('offers the idle-timeout survey by push, chosen by the rule for channel line', async () => {
    await post([lineEvent('U_idle', { text: 'What are your opening hours?' })]);
    await line.waitFor(/\/message\/reply$/);
    const end = Date.now() + 10_000;
    while (pushes('U_idle').length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const texts = pushes('U_idle').flatMap((c) => c.body.messages.map((m: any) => m.text)).join('\n');
    expect(pushes('U_idle').at(-1)!.body.messages.at(-1).quickReply.items.length).toBeGreaterThan(1);
    expect(texts).toMatch(/satisfied|满意/);
    const s = await tb.app.db.get<any>("SELECT s.definition_id, s.trigger FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = 'line:U_idle'");
    expect(s).toEqual({ definition_id: 'complaint', trigger: 'idle_timeout' });
  });

  it('processes an event acknowledged just before a crash after the restart', async () => {
    // the webhook took it (the row is what the 200 promised) but the process died before the turn ran
    const ev = lineEvent('U_crash', { text: 'What are your opening hours?' });
    await tb.app.channels.store.take('line', { eventId: ev.webhookEventId, chatId: 'U_crash', userId: 'U_crash', kind: 'message', text: 'What are your opening hours?', at: Date.now(), reply: { replyToken: 'expired-token', at: Date.now() - 120_000 } });
    await tb.restart();
    const end = Date.now() + 8000;
    while (!pushes('U_crash').length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(pushes('U_crash')[0].body.messages[0].text).toMatch(/9:00-21:00/);
    const row = () => tb.app.db.get<any>('SELECT processed_at IS NOT NULL AS done, payload FROM channel_events WHERE event_id = ?', [ev.webhookEventId]);
    while (!(await row()).done && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(await row()).toEqual({ done: 1, payload: null });
  });

  it('refuses an over-long body with 413 and no crash', async () => {
    const r = await fetch(`${tb.app.url}/api/channels/line`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': 'x' }, body: 'x'.repeat(300 * 1024) });
    expect(r.status).toBe(413);
    expect((await fetch(`${tb.app.url}/healthz`)).status).toBe(200);
  });

  it('the connector refuses a wrong key', async () => {
    const r = await fetch(`${tb.app.url}/api/channels/connector/wrong/line/v3/conversations/line%3AU1/activities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'spoof' }) });
    expect(r.status).toBe(403);
  });
});

describe('no channel configured', () => {
  it('lists none in /healthz and has no webhook routes', async () => {
    const tb = await startTestBot();
    try {
      expect((await (await fetch(`${tb.app.url}/healthz`)).json()).channels).toEqual([]);
      expect((await fetch(`${tb.app.url}/api/channels/line`, { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      await tb.stop();
    }
  }, 180_000);
});

describe('WhatsApp lists', () => {
  it('splits a 0-10 scale with Skip into two lists of at most 10 rows, labelled in the question language', async () => {
    const { whatsappStub, WHATSAPP } = await import('./helpers/platforms');
    const { WhatsAppPlatform } = await import('../src/channels/whatsapp');
    const stub = await whatsappStub().start();
    try {
      const wa = new WhatsAppPlatform({ verifyToken: 'v', appSecret: 's', accessToken: WHATSAPP.token, phoneNumberId: WHATSAPP.phoneId, apiBaseUrl: stub.url }, quiet, { attempts: 1, baseDelayMs: 1 });
      const choices = [...Array.from({ length: 11 }, (_, i) => ({ title: String(i), id: String(100 + i) })), { title: '跳过', id: '200' }];
      await wa.send('15550009999', [{ text: '您有多大可能向朋友推荐我们？（0 完全不可能 … 10 非常可能）', choices }]);
      const lists = stub.on(/\/messages$/).map((c) => c.body.interactive);
      expect(lists.map((l) => l.type)).toEqual(['list', 'list']);
      const rows = lists.map((l) => l.action.sections.flatMap((s: any) => s.rows));
      expect(rows.map((r) => r.length)).toEqual([10, 2]);
      expect(rows.flat().map((r: any) => r.id)).toEqual(choices.map((c) => `c:${c.id}`));
      expect(lists[0].action.button).toBe('请选择');
      expect(lists[1].body.text).toMatch(/\(11-12\)$/);
    } finally {
      await stub.stop();
    }
  });
});
