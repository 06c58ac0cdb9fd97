import type { Logger } from '../../log';
import { clip } from '../activity';
import type { RetrySettings } from '../outbound';
import { OutboundClient } from '../outbound';
import { header, safeEqual } from '../signature';
import type { InboundEvent, OutMessage, Platform, RawRequest, SendOutcome, WebhookAnswer } from '../types';

export interface TelegramSettings {
  botToken: string;
  webhookSecret: string;
  apiBaseUrl: string;
}

const MEDIA = ['sticker', 'photo', 'voice', 'audio', 'video', 'video_note', 'document', 'animation', 'location', 'contact'];

/** Telegram Bot API: webhook with the secret-token header, sendMessage with an inline keyboard, callback queries. */
export class TelegramPlatform implements Platform {
  readonly id = 'telegram' as const;
  readonly passiveWaitMs = 0;
  private readonly http: OutboundClient;

  constructor(private readonly s: TelegramSettings, log: Logger, retry: RetrySettings) {
    // Telegram: about 30 messages a second in all; a 429 carries parameters.retry_after in its body.
    this.http = new OutboundClient({
      name: 'telegram', log, ...retry, ratePerSecond: retry.ratePerSecond ?? 30,
      retryAfterFromBody: (b) => (b && b.ok === false && b.error_code === 429 ? (Number(b.parameters?.retry_after) || 1) * 1000 : undefined),
    });
  }

  async handle(req: RawRequest): Promise<WebhookAnswer> {
    if (req.method !== 'POST') return { status: 405, body: { error: 'POST only' } };
    const secret = header(req.headers, 'x-telegram-bot-api-secret-token');
    if (!secret) return { status: 401, body: { error: 'missing X-Telegram-Bot-Api-Secret-Token' } };
    if (!safeEqual(secret, this.s.webhookSecret)) return { status: 401, body: { error: 'bad X-Telegram-Bot-Api-Secret-Token' } };
    const u = JSON.parse(req.body.toString('utf8'));
    if (!u || typeof u !== 'object' || !Number.isInteger(u.update_id)) return { status: 400, body: { error: 'update_id is required' } };
    const e = this.event(u);
    return { status: 200, body: {}, events: e ? [e] : [] };
  }

  private event(u: any): InboundEvent | undefined {
    const eventId = String(u.update_id);
    if (u.callback_query) {
      const q = u.callback_query;
      const chat = q.message?.chat?.id;
      if (chat === undefined || !q.from) return undefined;
      const id = /^c:(\d+)$/.exec(String(q.data ?? ''))?.[1];
      return {
        eventId, chatId: String(chat), userId: String(q.from.id), userName: q.from.first_name, kind: 'choice', choiceId: id,
        locale: q.from.language_code, at: Date.now(), reply: { callbackQueryId: String(q.id) },
      };
    }
    const m = u.message;
    if (!m?.chat || !m.from || m.from.is_bot) return undefined; // edited messages, channel posts ... not answered
    const base = { eventId, chatId: String(m.chat.id), userId: String(m.from.id), userName: m.from.first_name, locale: m.from.language_code, at: Number(m.date) * 1000 || Date.now() };
    if (typeof m.text === 'string') {
      // /start is how a Telegram chat begins: greet, like a LINE follow.
      if (/^\/start(@\w+)?(\s|$)/.test(m.text)) return { ...base, kind: 'follow' };
      return { ...base, kind: 'message', text: m.text };
    }
    const media = MEDIA.find((k) => m[k] !== undefined);
    return media ? { ...base, kind: 'media', media } : undefined;
  }

  async send(chatId: string, messages: OutMessage[], reply?: InboundEvent['reply']): Promise<SendOutcome> {
    // Stop the button's spinner; the answer itself comes as a message.
    if (reply?.callbackQueryId) await this.call('answerCallbackQuery', { callback_query_id: reply.callbackQueryId }).catch(() => undefined);
    for (const m of messages) {
      const body: Record<string, unknown> = { chat_id: chatId, text: clip(m.text || '…', 4096) };
      if (m.choices.length) body.reply_markup = { inline_keyboard: rows(m.choices.map((c) => ({ text: clip(c.title, 64), callback_data: `c:${c.id}` }))) };
      await this.call('sendMessage', body);
    }
    return { sent: messages.length };
  }

  /** Registers the webhook (npm run telegram:webhook). */
  setWebhook(url: string): Promise<unknown> {
    return this.call('setWebhook', { url, secret_token: this.s.webhookSecret, allowed_updates: ['message', 'callback_query'], drop_pending_updates: false });
  }

  getWebhookInfo(): Promise<unknown> {
    return this.call('getWebhookInfo', {});
  }

  private async call(method: string, body: unknown): Promise<any> {
    const r = await this.http.request('POST', `${this.s.apiBaseUrl}/bot${this.s.botToken}/${method}`, body);
    if (!r || r.ok !== true) throw new Error(`telegram ${method}: ${JSON.stringify(r)?.slice(0, 200)}`);
    return r.result;
  }
}

/** Short labels (stars, numbers) side by side, phrases one per row. */
function rows<T extends { text: string }>(buttons: T[]): T[][] {
  const long = buttons.some((b) => [...b.text].length > 12);
  const per = long ? 1 : buttons.length > 6 ? 6 : buttons.length;
  const out: T[][] = [];
  for (let i = 0; i < buttons.length; i += per) out.push(buttons.slice(i, i + per));
  return out;
}
