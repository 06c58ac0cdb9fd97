export type ChannelId = 'line' | 'telegram' | 'wechat' | 'whatsapp';

/** What a webhook delivered, in platform-neutral form (stored until processed, so it must be JSON). */
export interface InboundEvent {
  /** The platform's id of the delivery (LINE webhookEventId, Telegram update_id, WeChat MsgId, WhatsApp message id). */
  eventId: string;
  /** The platform's id of the customer's chat: the reply address. */
  chatId: string;
  userId: string;
  userName?: string;
  kind: 'message' | 'choice' | 'follow' | 'media';
  text?: string;
  /** A native button's short id (see ChoiceStore). */
  choiceId?: string;
  /** Media type for kind 'media' (image, sticker, voice ...). */
  media?: string;
  locale?: string;
  /** Epoch ms when the platform received it. */
  at: number;
  /** Platform data a reply needs (LINE reply token, Telegram callback query id). */
  reply?: Record<string, string | number>;
}

export interface Choice {
  title: string;
  /** Short id the button carries back. */
  id: string;
}

/** One outgoing message: text (the Adaptive Card's text fallback when the bot sent a card) and native buttons. */
export interface OutMessage {
  text: string;
  choices: Choice[];
}

/** Why an outgoing message was not sent (logged by the host). */
export type SendOutcome = { sent: number; skipped?: string };

/** Webhook request as the adapters see it: raw body for signatures, headers, query. */
export interface RawRequest {
  method: string;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string>;
}

export interface WebhookAnswer {
  status: number;
  body?: string | Record<string, unknown>;
  contentType?: string;
  /** Events to process once (after the answer unless `awaitReply`). */
  events?: InboundEvent[];
  /** WeChat: the answer may carry the reply (passive reply); the adapter builds it when the turn ends in time. */
  passive?: (messages: OutMessage[]) => WebhookAnswer | undefined;
}

/** One platform: verifies and parses its webhook, and sends through its API. */
export interface Platform {
  readonly id: ChannelId;
  /** ms the webhook may wait for the turn to answer in the response (WeChat's 5-second window); 0 = acknowledge at once. */
  readonly passiveWaitMs: number;
  /** The customer-service window, when the platform has one; `template`: a survey can still go as an approved template. */
  readonly window?: { hours: number; maxMessages?: number; template?: boolean };
  handle(req: RawRequest): Promise<WebhookAnswer>;
  /** Sends messages to one chat; `reply` is the inbound event's reply data when this answers it. */
  send(chatId: string, messages: OutMessage[], reply?: InboundEvent['reply'], opts?: { windowOpen: boolean }): Promise<SendOutcome>;
  /** Looks up what the webhook does not carry (LINE: the profile's language on follow), before the turn. */
  enrich?(e: InboundEvent): Promise<InboundEvent>;
}
