import { ActivityTypes } from 'botbuilder';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { startDirectLine, type DirectLineTestServer } from './helpers/directline';

// botframework-directlinejs is written for browsers: give it XMLHttpRequest and WebSocket.
(globalThis as any).XMLHttpRequest ??= ((await import('xhr2' as string)) as { default: unknown }).default;
(globalThis as any).WebSocket ??= WebSocket;
const { DirectLine, ConnectionStatus } = await import('botframework-directlinejs');

const SECRET = 'test-directline-secret';
let bot: TestBot;
let skewMs = 0;
const dl = () => `${bot.app.url}/directline/v3/directline`;
const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });

beforeAll(async () => {
  bot = await startTestBot({ DIRECTLINE_SECRET: SECRET }, { now: () => new Date(Date.now() + skewMs) });
});
afterAll(async () => bot?.stop());

async function generate(): Promise<{ conversationId: string; token: string; expires_in: number }> {
  const r = await fetch(`${dl()}/tokens/generate`, { method: 'POST', headers: auth(SECRET), body: '{}' });
  expect(r.status).toBe(200);
  return r.json();
}

/** Collect activities from a directlinejs client until `done` holds. */
function collect(client: InstanceType<typeof DirectLine>, done: (all: any[]) => boolean, timeoutMs = 20_000): Promise<any[]> {
  const all: any[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`timed out with ${all.length} activities: ${all.map((a) => a.type + ':' + a.text).join(' | ').slice(0, 700)}`));
    }, timeoutMs);
    const sub = client.activity$.subscribe({
      next: (a: any) => {
        all.push(a);
        if (done(all)) {
          clearTimeout(timer);
          sub.unsubscribe();
          resolve(all);
        }
      },
      error: reject,
    });
  });
}

/** True once a directlinejs client reports FailedToConnect (it does on a 4xx when connecting). */
async function failsToConnect(client: InstanceType<typeof DirectLine>): Promise<boolean> {
  const failed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    client.connectionStatus$.subscribe((s: number) => s === ConnectionStatus.FailedToConnect && (clearTimeout(timer), resolve(true)));
    client.activity$.subscribe({ error: () => undefined });
  });
  client.end();
  return failed;
}

function post(client: InstanceType<typeof DirectLine>, activity: any): Promise<string> {
  return new Promise((resolve, reject) => client.postActivity(activity).subscribe({ next: resolve, error: reject }));
}

describe('self-hosted Direct Line with botframework-directlinejs', () => {
  for (const webSocket of [true, false]) {
    it(`welcomes on start and answers a Chinese question (${webSocket ? 'WebSocket' : 'polling'})`, async () => {
      const { token } = await generate();
      const client = new DirectLine({ token, domain: dl(), webSocket, pollingInterval: 200, conversationStartProperties: { locale: 'zh-CN' } } as any);
      const welcome = await collect(client, (all) => all.some((a) => /智能客服助手/.test(a.text ?? '')));
      expect(welcome[0].from.role).toBe('bot');
      const id = await post(client, { type: 'message', text: '怎么查快递单号', locale: 'zh-CN', from: { id: 'spoofed', role: 'bot' } });
      const rest = await collect(client, (all) => all.some((a) => /快递单号和最新物流/.test(a.text ?? '')));
      const echo = rest.find((a) => a.id === id)!;
      expect(echo.text).toBe('怎么查快递单号');
      expect(echo.from.role).toBe('user');
      expect(echo.from.id).toMatch(/^dl_/); // the token's user, never what the client claims
      client.end();
    });
  }

  it('resumes a conversation from its id and token: the history is replayed, then new activities arrive', async () => {
    const { token, conversationId } = await generate();
    const first = new DirectLine({ token, domain: dl(), webSocket: true, conversationStartProperties: { locale: 'en' } } as any);
    await collect(first, (all) => all.some((a) => /customer-service assistant/.test(a.text ?? '')));
    await post(first, { type: 'message', text: 'hello', locale: 'en', from: { id: 'x' } });
    await collect(first, (all) => all.some((a) => /How can I help you today/.test(a.text ?? '')));
    first.end();

    const again = new DirectLine({ token, conversationId, domain: dl(), webSocket: true } as any);
    const history = await collect(again, (all) => all.some((a) => /How can I help you today/.test(a.text ?? '')));
    expect(history.map((a) => a.text)).toEqual([expect.stringMatching(/assistant/), 'hello', expect.stringMatching(/How can I help/)]);
    again.end();
  });

  it('refuses a token for another conversation with 403, over REST and WebSocket', async () => {
    const a = await generate();
    const b = await generate();
    await fetch(`${dl()}/conversations`, { method: 'POST', headers: auth(b.token), body: '{}' });
    const cid = b.conversationId;
    expect((await fetch(`${dl()}/conversations/${cid}/activities`, { headers: auth(a.token) })).status).toBe(403);
    expect((await fetch(`${dl()}/conversations/${cid}`, { headers: auth(a.token) })).status).toBe(403);
    const p = await fetch(`${dl()}/conversations/${cid}/activities`, { method: 'POST', headers: auth(a.token), body: JSON.stringify({ type: 'message', text: 'x' }) });
    expect(p.status).toBe(403);
    const ws = new WebSocket(`${dl().replace('http', 'ws')}/conversations/${cid}/stream?t=${encodeURIComponent(a.token)}`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
    // directlinejs with the wrong token cannot connect to that conversation
    expect(await failsToConnect(new DirectLine({ token: a.token, conversationId: cid, domain: dl(), webSocket: false } as any))).toBe(true);
  });

  it('refuses an expired token with 401, and a refreshed token keeps working', async () => {
    const { token, conversationId } = await generate();
    expect((await fetch(`${dl()}/conversations`, { method: 'POST', headers: auth(token), body: '{}' })).status).toBe(201);
    const refreshed = await (await fetch(`${dl()}/tokens/refresh`, { method: 'POST', headers: auth(token) })).json();
    expect(refreshed.conversationId).toBe(conversationId);
    skewMs = 31 * 60_000; // 30 minutes default lifetime
    try {
      const r = await fetch(`${dl()}/conversations/${conversationId}/activities`, { headers: auth(token) });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ error: 'token expired' });
      expect((await fetch(`${dl()}/tokens/refresh`, { method: 'POST', headers: auth(token) })).status).toBe(401);
      expect((await fetch(`${dl()}/conversations/${conversationId}/activities`, { headers: auth('dl1.forged.sig') })).status).toBe(401);
      expect((await fetch(`${dl()}/conversations/${conversationId}/activities`)).status).toBe(401);
      expect(await failsToConnect(new DirectLine({ token, conversationId, domain: dl(), webSocket: false } as any))).toBe(true);
    } finally {
      skewMs = 0;
    }
    expect((await fetch(`${dl()}/conversations/${conversationId}/activities`, { headers: auth(refreshed.token) })).status).toBe(200);
  });

  it('keeps the bot-reply connector closed to callers without the key', async () => {
    const { token, conversationId } = await generate();
    await fetch(`${dl()}/conversations`, { method: 'POST', headers: auth(token), body: '{}' });
    const r = await fetch(`${bot.app.url}/directline/connector/wrong-key/v3/conversations/${conversationId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'fake bot message' }),
    });
    expect(r.status).toBe(403);
  });
});

describe('proactive messages to a Direct Line conversation', () => {
  let idleBot: TestBot;
  beforeAll(async () => {
    idleBot = await startTestBot({ DIRECTLINE_SECRET: SECRET }, { survey: { settings: { idleTimeoutSeconds: 1 }, idleTickMs: 200 } });
  });
  afterAll(async () => idleBot?.stop());

  it('delivers the idle-timeout survey through the loopback connector to the stream', async () => {
    const domain = `${idleBot.app.url}/directline/v3/directline`;
    const { token } = await (await fetch(`${domain}/tokens/generate`, { method: 'POST', headers: auth(SECRET), body: '{}' })).json();
    const client = new DirectLine({ token, domain, webSocket: true, conversationStartProperties: { locale: 'en' } } as any);
    await collect(client, (all) => all.some((a) => /assistant/.test(a.text ?? '')));
    await post(client, { type: 'message', text: 'I forgot my password, how can I reset it?', locale: 'en', from: { id: 'x' } });
    const got = await collect(client, (all) => all.some((a) => a.attachments?.length), 15_000);
    const q = got.find((a) => a.attachments?.length)!;
    expect(q.text).toMatch(/how satisfied are you/i);
    expect(q.from.role).toBe('bot');
    expect(q.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    client.end();
  });
});

describe('/chat page assets and its same-origin token endpoint', () => {
  it('serves the local Web Chat bundle and refuses token requests from other origins', async () => {
    const js = await fetch(`${bot.app.url}/chat/webchat.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(await js.text()).toContain('WebChat');
    const page = await fetch(`${bot.app.url}/chat`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const host = new URL(bot.app.url).host;
    const ok = await fetch(`${bot.app.url}/chat/token`, { method: 'POST', headers: { origin: `http://${host}` } });
    expect(ok.status).toBe(200);
    const t = await ok.json();
    expect(t).toMatchObject({ domain: '/directline/v3/directline', expires_in: 1800 });
    expect(t.userId).toMatch(/^dl_/);
    expect((await fetch(`${bot.app.url}/chat/token`, { method: 'POST', headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await fetch(`${bot.app.url}/chat/token`, { method: 'POST', headers: { origin: 'null' } })).status).toBe(403);
    // the demo token cannot mint tokens for other conversations
    expect((await fetch(`${dl()}/tokens/generate`, { method: 'POST', headers: auth(t.token), body: '{}' })).status).toBe(403);
  });
});

describe('1,000 messages in one conversation (echo bot)', () => {
  let dl: DirectLineTestServer;
  let url: string;

  beforeAll(async () => {
    dl = await startDirectLine(SECRET, async (ctx) => {
      if (ctx.activity.type === ActivityTypes.Message) await ctx.sendActivity(`echo ${ctx.activity.text}`);
    });
    url = dl.url;
  });
  afterAll(async () => dl?.close());

  it('pages through 2,000 activities by watermark with none lost or duplicated, and streams them all', async () => {
    const conv = await (await fetch(`${url}/conversations`, { method: 'POST', headers: auth(SECRET), body: '{}' })).json();
    const cid = conv.conversationId;
    const streamed: any[] = [];
    const ws = new WebSocket(conv.streamUrl);
    ws.on('message', (m) => String(m) && streamed.push(...JSON.parse(String(m)).activities));
    await new Promise((r) => ws.on('open', r));

    const N = 1000;
    const ids: string[] = [];
    // 10 senders at once, 100 messages each, in order per sender
    await Promise.all(
      Array.from({ length: 10 }, async (_, s) => {
        for (let i = 0; i < N / 10; i++) {
          const n = s * (N / 10) + i;
          const r = await fetch(`${url}/conversations/${cid}/activities`, { method: 'POST', headers: auth(conv.token), body: JSON.stringify({ type: 'message', text: `m${n}` }) });
          expect(r.status).toBe(200);
          ids.push((await r.json()).id);
        }
      }),
    );
    expect(new Set(ids).size).toBe(N);

    const paged: any[] = [];
    let watermark = '';
    let pages = 0;
    for (;;) {
      const page = await (await fetch(`${url}/conversations/${cid}/activities?watermark=${watermark}`, { headers: auth(conv.token) })).json();
      pages++;
      if (!page.activities.length) break;
      paged.push(...page.activities);
      watermark = page.watermark;
    }
    expect(pages).toBe(2 * N / 100 + 1);
    expect(paged).toHaveLength(2 * N);
    expect(new Set(paged.map((a) => a.id)).size).toBe(2 * N);
    const userTexts = paged.filter((a) => a.from.role === 'user').map((a) => a.text);
    const echoTexts = paged.filter((a) => a.from.role === 'bot').map((a) => a.text);
    expect([...userTexts].sort()).toEqual(Array.from({ length: N }, (_, n) => `m${n}`).sort());
    expect([...echoTexts].sort()).toEqual(Array.from({ length: N }, (_, n) => `echo m${n}`).sort());
    // every echo comes after the message it answers
    const pos = new Map(paged.map((a, i) => [a.id, i]));
    for (const e of paged.filter((a) => a.from.role === 'bot')) expect(pos.get(e.replyToId)!).toBeLessThan(pos.get(e.id)!);

    await expect.poll(() => streamed.length, { timeout: 10_000 }).toBe(2 * N);
    expect(streamed.map((a) => a.id)).toEqual(paged.map((a) => a.id));
    ws.close();
  }, 120_000);

  it('botframework-directlinejs posts 1,000 messages and, polling by watermark, receives every one and its echo once', async () => {
    const token = (await (await fetch(`${url}/tokens/generate`, { method: 'POST', headers: auth(SECRET), body: '{}' })).json()).token;
    const client = new DirectLine({ token, domain: url, webSocket: false, pollingInterval: 200 } as any);
    const N = 1000;
    const received = collect(client, (all) => all.filter((a) => a.from?.role === 'bot').length >= N, 100_000);
    // 10 at a time, as a busy customer typing fast would never do but a proxy might
    for (let i = 0; i < N; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          new Promise<string>((resolve, reject) => client.postActivity({ type: 'message', from: { id: 'u-load', role: 'user' }, text: `d${i + k}` } as any).subscribe({ next: resolve, error: reject })),
        ),
      );
    }
    const all = await received;
    const ids = all.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length); // nothing delivered twice
    const user = all.filter((a) => a.from?.role !== 'bot').map((a) => a.text);
    const echo = all.filter((a) => a.from?.role === 'bot').map((a) => a.text);
    expect([...user].sort()).toEqual(Array.from({ length: N }, (_, n) => `d${n}`).sort());
    expect([...echo].sort()).toEqual(Array.from({ length: N }, (_, n) => `echo d${n}`).sort());
    client.end();
  }, 150_000);
});
