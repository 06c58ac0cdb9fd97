import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** A request the stand-in received. */
export interface PlatformCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: any;
  /** Epoch ms when it arrived. */
  at: number;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
type Route = (call: PlatformCall) => Answer | undefined;

/**
 * A local stand-in of a messaging platform's API on 127.0.0.1: records every call and answers as the
 * platform documents (routes per platform below). fail() makes the next matching calls fail first.
 */
export class PlatformStub {
  readonly calls: PlatformCall[] = [];
  url = '';
  private server?: Server;
  private faults: { path: RegExp; left: number; answer: Answer }[] = [];
  private waiters: (() => void)[] = [];

  constructor(private readonly route: Route) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: any = raw;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          /* keep text */
        }
        const call: PlatformCall = { method: req.method ?? 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams), headers: req.headers, body, at: Date.now() };
        this.calls.push(call);
        const fault = this.faults.find((f) => f.left > 0 && f.path.test(call.path));
        let a: Answer;
        if (fault) {
          fault.left--;
          a = fault.answer;
        } else a = this.route(call) ?? { status: 404, body: { message: 'Not found' } };
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(JSON.stringify(a.body));
        this.waiters.splice(0).forEach((w) => w());
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  fail(path: RegExp, times: number, status: number, body: unknown = {}, headers?: Record<string, string>): void {
    this.faults.push({ path, left: times, answer: { status, body, headers } });
  }

  on(path: RegExp): PlatformCall[] {
    return this.calls.filter((c) => path.test(c.path));
  }

  /** Waits until `count` calls match. */
  async waitFor(path: RegExp, count = 1, ms = 8000): Promise<PlatformCall[]> {
    const end = Date.now() + ms;
    for (;;) {
      const got = this.on(path);
      if (got.length >= count) return got;
      if (Date.now() > end) throw new Error(`stand-in: ${got.length}/${count} calls to ${path}; calls: ${this.calls.map((c) => c.path).join(', ')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  reset(): void {
    this.calls.length = 0;
  }

  async stop(): Promise<void> {
    (this.server as any)?.closeAllConnections?.();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const bearer = (c: PlatformCall, token: string) => c.headers.authorization === `Bearer ${token}`;

// ---------- LINE Messaging API ----------
export const LINE = { secret: 'line-channel-secret', token: 'line-access-token' };

/** Reply tokens are single-use: a second use is a 400 "Invalid reply token", as on LINE. */
export function lineStub(profiles: Record<string, { displayName: string; language?: string }> = {}): PlatformStub {
  const used = new Set<string>();
  return new PlatformStub((c) => {
    if (!bearer(c, LINE.token)) return { status: 401, body: { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' } };
    if (c.method === 'POST' && c.path === '/v2/bot/message/reply') {
      if (used.has(c.body.replyToken) || String(c.body.replyToken).startsWith('expired')) return { status: 400, body: { message: 'Invalid reply token' } };
      used.add(c.body.replyToken);
      return { status: 200, body: {} };
    }
    if (c.method === 'POST' && c.path === '/v2/bot/message/push') return { status: 200, body: { sentMessages: c.body.messages.map((_: unknown, i: number) => ({ id: String(1000 + i) })) } };
    const m = /^\/v2\/bot\/profile\/(.+)$/.exec(c.path);
    if (c.method === 'GET' && m) {
      const p = profiles[decodeURIComponent(m[1])];
      return p ? { status: 200, body: { userId: m[1], ...p } } : { status: 404, body: { message: 'Not found' } };
    }
    return undefined;
  });
}

export const lineSign = (body: string, secret = LINE.secret) => createHmac('sha256', secret).update(body).digest('base64');

let seq = 0;
const ulid = () => `01HTEST${String(++seq).padStart(19, '0')}`;

/** A LINE webhook event in the documented shape (one-to-one chat). */
export function lineEvent(userId: string, kind: { text: string } | { postback: string } | { follow: true } | { media: string }, o: { eventId?: string; redelivery?: boolean; replyToken?: string } = {}) {
  const base = {
    timestamp: Date.now(),
    source: { type: 'user', userId },
    webhookEventId: o.eventId ?? ulid(),
    deliveryContext: { isRedelivery: !!o.redelivery },
    mode: 'active',
    replyToken: o.replyToken ?? `rt-${ulid()}`,
  };
  if ('text' in kind) return { ...base, type: 'message', message: { type: 'text', id: String(++seq), quoteToken: 'q', text: kind.text } };
  if ('postback' in kind) return { ...base, type: 'postback', postback: { data: kind.postback } };
  if ('follow' in kind) return { ...base, type: 'follow', follow: { isUnblocked: false } };
  if (kind.media === 'sticker') return { ...base, type: 'message', message: { type: 'sticker', id: String(++seq), packageId: '446', stickerId: '1988', stickerResourceType: 'STATIC', keywords: ['happy'] } };
  return { ...base, type: 'message', message: { type: kind.media, id: String(++seq), contentProvider: { type: 'line' } } };
}

// ---------- Telegram Bot API ----------
export const TELEGRAM = { token: '123456:TEST-token_abc', secret: 'tg-webhook-secret_1' };

export function telegramStub(): PlatformStub {
  let id = 100;
  return new PlatformStub((c) => {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(c.path);
    if (!m) return undefined;
    if (m[1] !== TELEGRAM.token) return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    switch (m[2]) {
      case 'sendMessage':
        if (!c.body?.chat_id || !c.body.text) return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } };
        return { status: 200, body: { ok: true, result: { message_id: ++id, chat: { id: c.body.chat_id, type: 'private' }, date: Math.floor(Date.now() / 1000), text: c.body.text } } };
      case 'answerCallbackQuery':
        return { status: 200, body: { ok: true, result: true } };
      case 'setWebhook':
        return { status: 200, body: { ok: true, result: true, description: 'Webhook was set' } };
      case 'getWebhookInfo':
        return { status: 200, body: { ok: true, result: { url: '', has_custom_certificate: false, pending_update_count: 0 } } };
      default:
        return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    }
  });
}

let updateId = 500_000;
const tgUser = (id: number, lang?: string) => ({ id, is_bot: false, first_name: 'Mei', language_code: lang });

export function telegramUpdate(userId: number, kind: { text: string } | { callback: string } | { media: 'sticker' | 'photo' | 'voice' }, o: { updateId?: number; lang?: string } = {}) {
  const update_id = o.updateId ?? ++updateId;
  const chat = { id: userId, first_name: 'Mei', type: 'private' };
  const date = Math.floor(Date.now() / 1000);
  if ('callback' in kind)
    return { update_id, callback_query: { id: String(update_id * 7), from: tgUser(userId, o.lang), message: { message_id: 9, chat, date, text: 'q' }, chat_instance: '-1', data: kind.callback } };
  const media =
    'media' in kind
      ? kind.media === 'sticker'
        ? { sticker: { file_id: 'f', file_unique_id: 'u', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: '😀' } }
        : kind.media === 'photo'
          ? { photo: [{ file_id: 'f', file_unique_id: 'u', width: 90, height: 90 }] }
          : { voice: { file_id: 'f', file_unique_id: 'u', duration: 2, mime_type: 'audio/ogg' } }
      : { text: kind.text };
  return { update_id, message: { message_id: update_id, from: tgUser(userId, o.lang), chat, date, ...media } };
}

// ---------- WeChat Official Account ----------
export const WECHAT = { token: 'wechat-token', appId: 'wx1234567890abcdef', secret: 'wechat-app-secret', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', oa: 'gh_0123456789ab' };

/** Issues access tokens (expires_in 7200) and takes customer-service messages; `revoke()` invalidates the current token (errcode 40001). */
export function wechatStub(): PlatformStub & { revoke(): void; tokensIssued(): number } {
  let current = '';
  let n = 0;
  const stub = new PlatformStub((c) => {
    if (c.path === '/cgi-bin/token') {
      if (c.query.appid !== WECHAT.appId || c.query.secret !== WECHAT.secret) return { status: 200, body: { errcode: 40013, errmsg: 'invalid appid' } };
      current = `AT_${++n}`;
      return { status: 200, body: { access_token: current, expires_in: 7200 } };
    }
    if (c.path === '/cgi-bin/message/custom/send') {
      if (!current || c.query.access_token !== current) return { status: 200, body: { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' } };
      return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    }
    return undefined;
  }) as PlatformStub & { revoke(): void; tokensIssued(): number };
  stub.revoke = () => void (current = 'revoked');
  stub.tokensIssued = () => n;
  return stub;
}

export const wechatSignature = (token: string, ...parts: string[]) => createHash('sha1').update([token, ...parts].sort().join('')).digest('hex');

/** Query string WeChat adds to each push. */
export function wechatQuery(o: { encrypt?: string; token?: string; openid?: string } = {}): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  const q = new URLSearchParams({ signature: wechatSignature(o.token ?? WECHAT.token, timestamp, nonce), timestamp, nonce, openid: o.openid ?? 'o_user' });
  if (o.encrypt !== undefined) {
    q.set('encrypt_type', 'aes');
    q.set('msg_signature', wechatSignature(o.token ?? WECHAT.token, timestamp, nonce, o.encrypt));
  }
  return q.toString();
}

/** A WeChat push in the documented XML form. */
export function wechatXml(openid: string, kind: { text: string; menuId?: string } | { event: 'subscribe' | 'unsubscribe' } | { media: 'image' | 'voice'; recognition?: string }, msgId = String(Date.now() * 1000 + ++seq)): string {
  const head = `<ToUserName><![CDATA[${WECHAT.oa}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>`;
  if ('event' in kind) return `<xml>${head}<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${kind.event}]]></Event></xml>`;
  if ('media' in kind) {
    const extra = kind.media === 'image' ? '<PicUrl><![CDATA[http://127.0.0.1/p.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>' : `<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format>${kind.recognition ? `<Recognition><![CDATA[${kind.recognition}]]></Recognition>` : ''}`;
    return `<xml>${head}<MsgType><![CDATA[${kind.media}]]></MsgType>${extra}<MsgId>${msgId}</MsgId></xml>`;
  }
  const menu = kind.menuId ? `<bizmsgmenuid>${kind.menuId}</bizmsgmenuid>` : '';
  return `<xml>${head}<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${kind.text}]]></Content><MsgId>${msgId}</MsgId>${menu}</xml>`;
}

// ---------- WhatsApp Cloud API ----------
export const WHATSAPP = { verify: 'wa-verify-token', secret: 'wa-app-secret', token: 'wa-access-token', phoneId: '106540352242922' };

export function whatsappStub(): PlatformStub {
  let n = 0;
  return new PlatformStub((c) => {
    if (c.path !== `/${WHATSAPP.phoneId}/messages`) return undefined;
    if (!bearer(c, WHATSAPP.token)) return { status: 401, body: { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } } };
    if (c.body?.messaging_product !== 'whatsapp') return { status: 400, body: { error: { message: '(#100) The parameter messaging_product is required.', code: 100 } } };
    return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: c.body.to, wa_id: c.body.to }], messages: [{ id: `wamid.TEST${++n}` }] } };
  });
}

export const whatsappSign = (body: string, secret = WHATSAPP.secret) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A WhatsApp Business Account notification with one inbound message, in the documented shape. */
export function whatsappNotification(waId: string, kind: { text: string } | { button: { id: string; title: string } } | { list: { id: string; title: string } } | { media: 'image' | 'sticker' | 'audio' }, o: { id?: string; timestamp?: number } = {}) {
  const msg: Record<string, unknown> = { from: waId, id: o.id ?? `wamid.IN${Date.now()}${++seq}`, timestamp: String(o.timestamp ?? Math.floor(Date.now() / 1000)) };
  if ('text' in kind) Object.assign(msg, { type: 'text', text: { body: kind.text } });
  else if ('button' in kind) Object.assign(msg, { type: 'interactive', interactive: { type: 'button_reply', button_reply: kind.button } });
  else if ('list' in kind) Object.assign(msg, { type: 'interactive', interactive: { type: 'list_reply', list_reply: { ...kind.list, description: '' } } });
  else Object.assign(msg, { type: kind.media, [kind.media]: { mime_type: kind.media === 'image' ? 'image/jpeg' : kind.media === 'sticker' ? 'image/webp' : 'audio/ogg', sha256: 'x', id: 'media1' } });
  return {
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: WHATSAPP.phoneId }, contacts: [{ profile: { name: 'Ana' }, wa_id: waId }], messages: [msg] },
      }],
    }],
  };
}

/** Safe mode, written here from WeChat's description (not with the code under test): AES-256-CBC, iv = key[0..16]. */
export function wechatEncrypt(xml: string, aesKey = WECHAT.aesKey, appId = WECHAT.appId): string {
  const key = Buffer.from(aesKey + '=', 'base64');
  const msg = Buffer.from(xml);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  let plain = Buffer.concat([randomBytes(16), len, msg, Buffer.from(appId)]);
  const pad = 32 - (plain.length % 32);
  plain = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

export function wechatDecrypt(b64: string, aesKey = WECHAT.aesKey): { xml: string; appId: string } {
  const key = Buffer.from(aesKey + '=', 'base64');
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const raw = Buffer.concat([d.update(Buffer.from(b64, 'base64')), d.final()]);
  const plain = raw.subarray(0, raw.length - raw[raw.length - 1]);
  const len = plain.readUInt32BE(16);
  return { xml: plain.subarray(20, 20 + len).toString(), appId: plain.subarray(20 + len).toString() };
}
