import type { Logger } from '../../log';
import { clip } from '../activity';
import { detectLocale } from '../../nlp/locale';
import { channelText } from '../strings';
import type { RetrySettings } from '../outbound';
import { OutboundClient } from '../outbound';
import { header, hmacSha256, safeEqual } from '../signature';
import type { InboundEvent, OutMessage, Platform, RawRequest, SendOutcome, WebhookAnswer } from '../types';

export interface WhatsAppSettings {
  verifyToken: string;
  appSecret: string;
  accessToken: string;
  phoneNumberId: string;
  apiBaseUrl: string;
  /** Approved template sent instead of a survey outside the 24-hour window (its one body parameter is the question). */
  surveyTemplate?: { name: string; language: string };
}

const MEDIA = new Set(['image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'voice']);

/** WhatsApp Cloud API: hub.challenge handshake, X-Hub-Signature-256, interactive buttons and lists, the 24-hour window. */
export class WhatsAppPlatform implements Platform {
  readonly id = 'whatsapp' as const;
  readonly passiveWaitMs = 0;
  readonly window: { hours: number; template: boolean };
  private readonly http: OutboundClient;
  private readonly log: Logger;

  constructor(private readonly s: WhatsAppSettings, log: Logger, retry: RetrySettings) {
    this.http = new OutboundClient({ name: 'whatsapp', log, ...retry, ratePerSecond: retry.ratePerSecond ?? 80 });
    this.log = log;
    this.window = { hours: 24, template: !!s.surveyTemplate };
  }

  async handle(req: RawRequest): Promise<WebhookAnswer> {
    if (req.method === 'GET') {
      const q = req.query;
      if (q['hub.mode'] === 'subscribe' && safeEqual(q['hub.verify_token'], this.s.verifyToken) && q['hub.challenge'])
        return { status: 200, body: q['hub.challenge'], contentType: 'text/plain' };
      return { status: 403, body: { error: 'verification failed: hub.mode or hub.verify_token is wrong' } };
    }
    const sig = header(req.headers, 'x-hub-signature-256');
    if (!sig) return { status: 401, body: { error: 'missing X-Hub-Signature-256' } };
    if (!safeEqual(sig, `sha256=${hmacSha256(this.s.appSecret, req.body, 'hex')}`)) return { status: 401, body: { error: 'bad X-Hub-Signature-256' } };
    const body = JSON.parse(req.body.toString('utf8'));
    if (body?.object !== 'whatsapp_business_account' || !Array.isArray(body.entry)) return { status: 400, body: { error: 'not a whatsapp_business_account notification' } };
    const events: InboundEvent[] = [];
    for (const entry of body.entry) {
      for (const change of Array.isArray(entry?.changes) ? entry.changes : []) {
        const v = change?.value;
        if (change?.field !== 'messages' || !v || (v.metadata?.phone_number_id && v.metadata.phone_number_id !== this.s.phoneNumberId)) continue;
        const names = new Map<string, string>((Array.isArray(v.contacts) ? v.contacts : []).map((c: any) => [String(c.wa_id), c.profile?.name]));
        // statuses (sent, delivered, read) need no answer
        for (const m of Array.isArray(v.messages) ? v.messages : []) {
          const e = this.event(m, names);
          if (e) events.push(e);
        }
      }
    }
    return { status: 200, body: {}, events };
  }

  private event(m: any, names: Map<string, string>): InboundEvent | undefined {
    if (typeof m?.from !== 'string' || typeof m.id !== 'string') return undefined;
    const base = { eventId: m.id, chatId: m.from, userId: m.from, userName: names.get(m.from), at: Number(m.timestamp) * 1000 || Date.now() };
    if (m.type === 'text' && typeof m.text?.body === 'string') return { ...base, kind: 'message', text: m.text.body };
    if (m.type === 'interactive') {
      const r = m.interactive?.button_reply ?? m.interactive?.list_reply;
      if (!r) return undefined;
      const id = /^c:(\d+)$/.exec(String(r.id))?.[1];
      return { ...base, kind: 'choice', choiceId: id, text: typeof r.title === 'string' ? r.title : undefined };
    }
    // A template's quick-reply button: its payload, or its text.
    if (m.type === 'button') return { ...base, kind: 'message', text: String(m.button?.text ?? m.button?.payload ?? '') };
    if (MEDIA.has(m.type)) return { ...base, kind: 'media', media: m.type };
    return undefined;
  }

  async send(chatId: string, messages: OutMessage[], _reply?: InboundEvent['reply'], opts?: { windowOpen: boolean }): Promise<SendOutcome> {
    if (opts && !opts.windowOpen) return this.outsideWindow(chatId, messages);
    for (const m of messages) for (const body of this.bodies(m)) await this.post({ messaging_product: 'whatsapp', recipient_type: 'individual', to: chatId, ...body });
    return { sent: messages.length };
  }

  /** No free-form message outside the 24-hour window: a question goes as the configured template, the rest is skipped. */
  private async outsideWindow(chatId: string, messages: OutMessage[]): Promise<SendOutcome> {
    const t = this.s.surveyTemplate;
    const question = messages.find((m) => m.choices.length);
    if (!t || !question) return { sent: 0, skipped: 'outside the 24-hour customer-service window: free-form messages are not allowed' };
    await this.post({
      messaging_product: 'whatsapp', to: chatId, type: 'template',
      template: { name: t.name, language: { code: t.language }, components: [{ type: 'body', parameters: [{ type: 'text', text: clip(question.text.replace(/\s*\n\s*/g, ' '), 1000) }] }] },
    });
    this.log.info('whatsapp: outside the 24-hour window, question sent as template', { template: t.name });
    return { sent: 1 };
  }

  /** Up to 3 choices as reply buttons, up to 10 as a list; more as several lists (a list holds 10 rows). */
  private bodies(m: OutMessage): Record<string, unknown>[] {
    const text = clip(m.text || '…', m.choices.length ? 1024 : 4096);
    if (!m.choices.length) return [{ type: 'text', text: { body: text, preview_url: false } }];
    if (m.choices.length <= 3)
      return [{ type: 'interactive', interactive: { type: 'button', body: { text }, action: { buttons: m.choices.map((c) => ({ type: 'reply', reply: { id: `c:${c.id}`, title: clip(c.title, 20) } })) } } }];
    const out: Record<string, unknown>[] = [];
    const locale = detectLocale(m.text);
    for (let i = 0; i < m.choices.length; i += 10) {
      const rows = m.choices.slice(i, i + 10).map((c) => ({ id: `c:${c.id}`, title: clip(c.title, 24), ...([...c.title].length > 24 ? { description: clip(c.title, 72) } : {}) }));
      const label = i === 0 ? text : `${clip(m.text.split('\n')[0], 900)} (${i + 1}-${i + rows.length})`;
      out.push({ type: 'interactive', interactive: { type: 'list', body: { text: label }, action: { button: clip(channelText(i === 0 ? 'chooseOne' : 'more', locale), 20), sections: [{ title: clip(m.text.split('\n')[0] || 'Options', 24), rows }] } } });
    }
    return out;
  }

  private post(body: Record<string, unknown>): Promise<unknown> {
    return this.http.request('POST', `${this.s.apiBaseUrl}/${encodeURIComponent(this.s.phoneNumberId)}/messages`, body, { authorization: `Bearer ${this.s.accessToken}` });
  }
}
