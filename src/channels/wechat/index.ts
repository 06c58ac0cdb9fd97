import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log';
import { clip } from '../activity';
import type { RetrySettings } from '../outbound';
import { OutboundClient } from '../outbound';
import { safeEqual, sha1Sorted } from '../signature';
import type { InboundEvent, OutMessage, Platform, RawRequest, SendOutcome, WebhookAnswer } from '../types';
import { msgSignature, WeChatCrypto } from './crypto';
import { flatXml, parseFlatXml } from './xml';

export interface WeChatSettings {
  token: string;
  appId: string;
  appSecret: string;
  /** Safe mode when set (43 characters). */
  encodingAesKey?: string;
  apiBaseUrl: string;
  /** How long the webhook waits for the turn to answer passively (WeChat gives 5 s, then retries). */
  passiveWaitMs: number;
  /** Customer-service messages allowed per customer message inside the 48-hour window. */
  windowMaxMessages: number;
}

const MEDIA = new Set(['image', 'voice', 'video', 'shortvideo', 'location', 'link', 'file']);
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
const WINDOW_ERRORS: Record<number, string> = {
  45015: 'WeChat: outside the 48-hour window (errcode 45015)',
  45047: 'WeChat: message limit of the window reached (errcode 45047)',
};

/**
 * WeChat Official Account: GET verification, signed XML in plaintext or safe mode, a passive reply
 * inside the 5-second window, the customer-service message API (msgmenu for choices) after it.
 */
export class WeChatPlatform implements Platform {
  readonly id = 'wechat' as const;
  readonly passiveWaitMs: number;
  readonly window: { hours: number; maxMessages: number };
  private readonly http: OutboundClient;
  private readonly crypto?: WeChatCrypto;
  private token?: { value: string; expiresAt: number };
  private fetching?: Promise<string>;

  constructor(private readonly s: WeChatSettings, private readonly log: Logger, retry: RetrySettings, private readonly now: () => number = Date.now) {
    this.passiveWaitMs = s.passiveWaitMs;
    this.window = { hours: 48, maxMessages: s.windowMaxMessages };
    // errcode -1 is "system busy, retry".
    this.http = new OutboundClient({ name: 'wechat', log, ...retry, ratePerSecond: retry.ratePerSecond ?? 50, retryAfterFromBody: (b) => (b?.errcode === -1 ? 1000 : undefined) });
    if (s.encodingAesKey) this.crypto = new WeChatCrypto(s.encodingAesKey, s.appId);
  }

  async handle(req: RawRequest): Promise<WebhookAnswer> {
    const { signature, timestamp, nonce } = req.query;
    if (!signature || !timestamp || !nonce) return { status: 401, body: { error: 'missing signature, timestamp or nonce' } };
    if (!safeEqual(signature, sha1Sorted([this.s.token, timestamp, nonce]))) return { status: 401, body: { error: 'bad signature' } };
    if (req.method === 'GET') return { status: 200, body: req.query.echostr ?? '', contentType: 'text/plain' };
    let fields = parseFlatXml(req.body.toString('utf8'));
    const encrypted = req.query.encrypt_type === 'aes';
    if (encrypted) {
      if (!this.crypto) return { status: 400, body: { error: 'safe-mode message but WECHAT_ENCODING_AES_KEY is not set' } };
      const enc = fields.Encrypt;
      if (!enc || !safeEqual(req.query.msg_signature, msgSignature(this.s.token, timestamp, nonce, enc))) return { status: 401, body: { error: 'bad msg_signature' } };
      fields = parseFlatXml(this.crypto.decrypt(enc));
    }
    const e = this.event(fields);
    const ok: WebhookAnswer = { status: 200, body: 'success', events: e ? [e] : [] };
    if (!e) return ok;
    // One plain text reply can travel in the answer itself; buttons and several messages need the API.
    ok.passive = (msgs) => {
      if (msgs.length !== 1 || msgs[0].choices.length) return undefined;
      const xml = flatXml({ ToUserName: fields.FromUserName, FromUserName: fields.ToUserName, CreateTime: Math.floor(this.now() / 1000), MsgType: 'text', Content: clip(msgs[0].text, 600) });
      return { status: 200, body: encrypted ? this.sealed(xml) : xml, contentType: 'application/xml' };
    };
    return ok;
  }

  private sealed(xml: string): string {
    const enc = this.crypto!.encrypt(xml);
    const ts = String(Math.floor(this.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    return flatXml({ Encrypt: enc, MsgSignature: msgSignature(this.s.token, ts, nonce, enc), TimeStamp: ts, Nonce: nonce });
  }

  private event(f: Record<string, string>): InboundEvent | undefined {
    const openid = f.FromUserName;
    if (!openid || !f.MsgType) return undefined;
    const at = Number(f.CreateTime) * 1000 || this.now();
    const base = { eventId: f.MsgId || `${openid}:${f.CreateTime}:${f.Event ?? f.MsgType}`, chatId: openid, userId: openid, at, locale: undefined };
    if (f.MsgType === 'event') return f.Event === 'subscribe' ? { ...base, kind: 'follow', locale: 'zh-CN' } : undefined;
    if (f.MsgType === 'text') {
      if (f.bizmsgmenuid) return { ...base, kind: 'choice', choiceId: f.bizmsgmenuid, text: f.Content };
      return { ...base, kind: 'message', text: f.Content ?? '' };
    }
    // With speech recognition on, a voice message carries its text.
    if (f.MsgType === 'voice' && f.Recognition) return { ...base, kind: 'message', text: f.Recognition };
    if (MEDIA.has(f.MsgType)) return { ...base, kind: 'media', media: f.MsgType, locale: 'zh-CN' };
    return undefined;
  }

  async send(chatId: string, messages: OutMessage[], _reply?: InboundEvent['reply'], opts?: { windowOpen: boolean }): Promise<SendOutcome> {
    if (opts && !opts.windowOpen) return { sent: 0, skipped: 'outside the 48-hour customer-service window or over its message limit' };
    let sent = 0;
    for (const m of messages) {
      const body = m.choices.length
        ? { touser: chatId, msgtype: 'msgmenu', msgmenu: { head_content: clip(m.text, 600), list: m.choices.map((c) => ({ id: c.id, content: clip(c.title, 60) })), tail_content: '' } }
        : { touser: chatId, msgtype: 'text', text: { content: clip(m.text || '…', 600) } };
      const r = await this.custom(body);
      if (r.errcode && WINDOW_ERRORS[r.errcode]) {
        this.log.warn('wechat: customer-service message refused', { reason: WINDOW_ERRORS[r.errcode] });
        return { sent, skipped: WINDOW_ERRORS[r.errcode] };
      }
      if (r.errcode) throw new Error(`wechat custom/send: errcode ${r.errcode} ${r.errmsg ?? ''}`);
      sent++;
    }
    return { sent };
  }

  private async custom(body: unknown): Promise<{ errcode?: number; errmsg?: string }> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(attempt > 0);
      const r = await this.http.request<{ errcode?: number; errmsg?: string }>('POST', `${this.s.apiBaseUrl}/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, body);
      if (r?.errcode && TOKEN_ERRORS.has(r.errcode) && attempt === 0) continue; // token revoked or expired early
      return r ?? {};
    }
  }

  /** Cached until 5 minutes before it expires; one fetch at a time. */
  private async accessToken(force: boolean): Promise<string> {
    if (!force && this.token && this.token.expiresAt - 300_000 > this.now()) return this.token.value;
    this.fetching ??= (async () => {
      try {
        const q = `grant_type=client_credential&appid=${encodeURIComponent(this.s.appId)}&secret=${encodeURIComponent(this.s.appSecret)}`;
        const r = await this.http.request<{ access_token?: string; expires_in?: number; errcode?: number; errmsg?: string }>('GET', `${this.s.apiBaseUrl}/cgi-bin/token?${q}`);
        if (!r?.access_token) throw new Error(`wechat token: errcode ${r?.errcode} ${r?.errmsg ?? ''}`);
        this.token = { value: r.access_token, expiresAt: this.now() + (Number(r.expires_in) || 7200) * 1000 };
        return r.access_token;
      } finally {
        this.fetching = undefined;
      }
    })();
    return this.fetching;
  }
}
