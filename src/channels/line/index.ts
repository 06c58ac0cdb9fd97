import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log';
import { clip } from '../activity';
import { OutboundClient, OutboundError } from '../outbound';
import { header, hmacSha256, safeEqual } from '../signature';
import type { InboundEvent, OutMessage, Platform, RawRequest, SendOutcome, WebhookAnswer } from '../types';
import type { RetrySettings } from '../outbound';

export interface LineSettings {
  channelSecret: string;
  accessToken: string;
  apiBaseUrl: string;
  /** A reply token older than this is not tried (LINE: use it promptly, once). */
  replyTokenTtlMs: number;
}

const MEDIA = new Set(['image', 'video', 'audio', 'file', 'sticker', 'location']);
const MAX_MESSAGES = 5; // per reply or push call
const MAX_QUICK = 13;

/** LINE Messaging API: webhook with x-line-signature, reply token while valid else push, quick replies with postbacks. */
export class LinePlatform implements Platform {
  readonly id = 'line' as const;
  readonly passiveWaitMs = 0;
  private readonly http: OutboundClient;

  constructor(private readonly s: LineSettings, log: Logger, retry: RetrySettings, private readonly now: () => number = Date.now) {
    this.http = new OutboundClient({ name: 'line', log, ...retry, ratePerSecond: retry.ratePerSecond ?? 100 });
  }

  async handle(req: RawRequest): Promise<WebhookAnswer> {
    if (req.method !== 'POST') return { status: 405, body: { error: 'POST only' } };
    const sig = header(req.headers, 'x-line-signature');
    if (!sig) return { status: 401, body: { error: 'missing x-line-signature' } };
    if (!safeEqual(sig, hmacSha256(this.s.channelSecret, req.body, 'base64'))) return { status: 401, body: { error: 'bad x-line-signature' } };
    const body = JSON.parse(req.body.toString('utf8')) as { events?: unknown };
    if (!Array.isArray(body.events)) return { status: 400, body: { error: 'events must be a list' } };
    const events: InboundEvent[] = [];
    for (const ev of body.events as any[]) {
      const e = this.event(ev);
      if (e) events.push(e);
    }
    // LINE's verify button sends an empty list; it only needs the 200.
    return { status: 200, body: {}, events };
  }

  private event(ev: any): InboundEvent | undefined {
    const userId = ev?.source?.userId;
    if (typeof userId !== 'string' || !userId) return undefined;
    // Groups and rooms answer into the group; one-to-one chats to the user.
    const chatId = ev.source.type === 'group' ? ev.source.groupId : ev.source.type === 'room' ? ev.source.roomId : userId;
    const eventId = typeof ev.webhookEventId === 'string' ? ev.webhookEventId : `${chatId}:${ev.timestamp}:${ev.message?.id ?? ev.type}`;
    const reply = typeof ev.replyToken === 'string' ? { replyToken: ev.replyToken, at: this.now() } : undefined;
    const base = { eventId, chatId, userId, at: typeof ev.timestamp === 'number' ? ev.timestamp : this.now(), reply };
    if (ev.type === 'follow') return { ...base, kind: 'follow' };
    if (ev.type === 'postback' && typeof ev.postback?.data === 'string') {
      const id = /^c=(\d+)$/.exec(ev.postback.data)?.[1];
      return { ...base, kind: 'choice', choiceId: id, text: id ? undefined : ev.postback.data };
    }
    if (ev.type !== 'message') return undefined; // unfollow, join, read ... nothing to answer
    if (ev.message?.type === 'text' && typeof ev.message.text === 'string') return { ...base, kind: 'message', text: ev.message.text };
    if (MEDIA.has(ev.message?.type)) return { ...base, kind: 'media', media: ev.message.type };
    return undefined;
  }

  async send(chatId: string, messages: OutMessage[], reply?: InboundEvent['reply']): Promise<SendOutcome> {
    const all = messages.map((m) => this.message(m));
    let rest = all;
    const token = reply?.replyToken;
    if (typeof token === 'string' && this.now() - Number(reply!.at) < this.s.replyTokenTtlMs) {
      try {
        await this.http.request('POST', `${this.s.apiBaseUrl}/v2/bot/message/reply`, { replyToken: token, messages: all.slice(0, MAX_MESSAGES) }, this.auth());
        rest = all.slice(MAX_MESSAGES);
      } catch (err) {
        // An expired or used token is a 400: the messages go by push instead.
        if (!(err instanceof OutboundError && err.status === 400)) throw err;
      }
    }
    for (let i = 0; i < rest.length; i += MAX_MESSAGES) {
      // The retry key makes a retried push idempotent on LINE's side.
      await this.http.request('POST', `${this.s.apiBaseUrl}/v2/bot/message/push`, { to: chatId, messages: rest.slice(i, i + MAX_MESSAGES) }, { ...this.auth(), 'x-line-retry-key': randomUUID() });
    }
    return { sent: messages.length };
  }

  /** A new follower has not written yet: their LINE profile's language picks the greeting's. */
  async enrich(e: InboundEvent): Promise<InboundEvent> {
    if (e.kind !== 'follow' || e.locale) return e;
    const p = await this.http.request<{ language?: string; displayName?: string }>('GET', `${this.s.apiBaseUrl}/v2/bot/profile/${encodeURIComponent(e.userId)}`, undefined, this.auth());
    return { ...e, locale: typeof p?.language === 'string' ? p.language : undefined, userName: typeof p?.displayName === 'string' ? p.displayName : e.userName };
  }

  private message(m: OutMessage): Record<string, unknown> {
    const msg: Record<string, unknown> = { type: 'text', text: clip(m.text || '…', 5000) };
    if (m.choices.length) {
      msg.quickReply = {
        items: m.choices.slice(0, MAX_QUICK).map((c) => ({
          type: 'action',
          action: { type: 'postback', label: clip(c.title, 20), data: `c=${c.id}`, displayText: clip(c.title, 300) },
        })),
      };
    }
    return msg;
  }

  private auth() {
    return { authorization: `Bearer ${this.s.accessToken}` };
  }
}
