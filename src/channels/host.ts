import type { AddressInfo } from 'node:net';
import { TurnQueue } from '../bots/turnQueue';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import type restify from 'restify';
import type { Logger } from '../log';
import { detectLocale, normalizeLocale, type Locale } from '../nlp/locale';
import type { Db } from '../storage/db';
import { RecentKeys } from '../storage/recentKeys';
import { toDraft, type Draft } from './activity';
import { ChannelStore, connectorKey } from './store';
import { channelText } from './strings';
import { safeEqual } from './signature';
import type { ChannelId, InboundEvent, OutMessage, Platform, RawRequest, WebhookAnswer } from './types';

export interface ChannelHostOptions {
  server: restify.Server;
  db: Db;
  log: Logger;
  /** The bot's turn logic, e.g. (ctx) => bot.run(ctx): the same bot as every other channel. */
  logic: (ctx: TurnContext) => Promise<void>;
  onTurnError?: CloudAdapter['onTurnError'];
  platforms: Platform[];
  now?: () => Date;
  /** Webhooks are `${prefix}/<channel>`. */
  prefix?: string;
}

const BOT = { id: 'bot', name: 'Bot', role: 'bot' };

/**
 * Feeds messaging-app webhooks to the bot as Bot Framework activities and sends its replies back through
 * each platform's API. Like the self-hosted Direct Line, turns run in-process on an anonymous CloudAdapter
 * whose serviceUrl is a loopback connector on this server: replies of a turn are collected and sent when
 * it ends (LINE's reply token, WeChat's passive reply); proactive messages (idle survey, agent replies)
 * posted there through stored conversation references are sent at once, within the platform's window.
 */
export class ChannelHost {
  readonly store: ChannelStore;
  readonly prefix: string;
  private readonly adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  private readonly byId: Map<ChannelId, Platform>;
  private readonly queue = new TurnQueue();
  private readonly turns = new Map<string, Draft[]>();
  private readonly locales = new RecentKeys<Locale>();
  private key = '';
  private closing = false;
  private pruner?: NodeJS.Timeout;

  private constructor(private readonly o: ChannelHostOptions) {
    this.store = new ChannelStore(o.db, o.now);
    this.prefix = o.prefix ?? '/api/channels';
    this.byId = new Map(o.platforms.map((p) => [p.id, p]));
    if (o.onTurnError) this.adapter.onTurnError = o.onTurnError;
  }

  static async create(o: ChannelHostOptions): Promise<ChannelHost> {
    const host = new ChannelHost(o);
    if (!o.platforms.length) return host;
    host.key = await connectorKey(o.db);
    host.routes();
    return host;
  }

  get enabled(): ChannelId[] {
    return [...this.byId.keys()];
  }

  /** Processes events acknowledged before a stop but not yet processed. */
  async start(): Promise<void> {
    for (const p of this.byId.values()) {
      const pending = await this.store.pending(p.id);
      if (pending.length) this.o.log.info('channel: processing events left from before the restart', { channel: p.id, count: pending.length });
      for (const e of pending) void this.queue.run(this.cid(p, e), () => this.handle(p, e));
    }
    const prune = () => this.store.prune(7).catch((error) => this.o.log.warn('channel: prune failed', { error }));
    await prune();
    this.pruner = setInterval(() => void prune(), 6 * 3600_000);
    this.pruner.unref();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.pruner);
    await this.queue.drain(10_000);
  }

  /**
   * Why a proactive survey cannot reach this conversation now (outside the platform's window), or
   * undefined when it can. The survey module skips the survey with this reason.
   */
  async surveyBlocked(channel: string, conversationId: string): Promise<string | undefined> {
    const p = this.byId.get(channel as ChannelId);
    if (!p?.window) return undefined;
    const reason = await this.windowClosed(p, conversationId, 1);
    return reason && p.window.template ? undefined : reason;
  }

  private cid(p: Platform, e: { chatId: string }): string {
    return `${p.id}:${e.chatId}`;
  }

  private routes(): void {
    const s = this.o.server;
    // Signatures are over the raw body: the app's one body reader keeps it as req.rawBody.
    for (const p of this.byId.values()) {
      const handler = async (req: restify.Request, res: restify.Response) => this.webhook(p, req, res);
      s.get(`${this.prefix}/${p.id}`, handler);
      s.post(`${this.prefix}/${p.id}`, handler);
    }
    const connector = async (req: restify.Request, res: restify.Response) => this.connector(req, res);
    s.post(`${this.prefix}/connector/:key/:channel/v3/conversations/:id/activities`, connector);
    s.post(`${this.prefix}/connector/:key/:channel/v3/conversations/:id/activities/:replyTo`, connector);
  }

  private async webhook(p: Platform, req: restify.Request, res: restify.Response): Promise<void> {
    if (this.closing) return void res.send(503, { error: 'server is shutting down' });
    let answer: WebhookAnswer;
    try {
      const raw: RawRequest = {
        method: req.method ?? 'POST',
        body: ((req as any).rawBody as Buffer | undefined) ?? Buffer.alloc(0),
        headers: req.headers,
        query: Object.fromEntries(Object.entries((req.query ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)])),
      };
      answer = await p.handle(raw);
    } catch (error) {
      this.o.log.warn('channel: webhook rejected', { channel: p.id, error: (error as Error).message });
      return void res.send(400, { error: 'malformed webhook request' });
    }
    if (answer.status >= 400) {
      this.o.log.warn('channel: webhook refused', { channel: p.id, status: answer.status, reason: typeof answer.body === 'object' ? answer.body.error : answer.body });
      return this.reply(res, answer);
    }
    try {
      const fresh: InboundEvent[] = [];
      for (const e of answer.events ?? []) {
        if (await this.store.take(p.id, e)) fresh.push(e);
        else this.o.log.info('channel: redelivery ignored', { channel: p.id, eventId: e.eventId });
      }
      if (answer.passive && p.passiveWaitMs > 0 && fresh.length === 1) return this.reply(res, await this.passive(p, fresh[0], answer));
      for (const e of fresh) void this.queue.run(this.cid(p, e), () => this.handle(p, e));
    } catch (error) {
      this.o.log.error('channel: could not take webhook events', { channel: p.id, error });
      return void res.send(500, { error: 'internal error' });
    }
    this.reply(res, answer);
  }

  /** Waits up to the platform's window for the turn; a single reply goes back in the HTTP answer. */
  private async passive(p: Platform, e: InboundEvent, answer: WebhookAnswer): Promise<WebhookAnswer> {
    let state: 'waiting' | 'passive' | 'late' = 'waiting';
    let resolve!: (m: OutMessage[] | undefined) => void;
    const got = new Promise<OutMessage[] | undefined>((r) => (resolve = r));
    void this.queue.run(this.cid(p, e), () =>
      this.handle(p, e, (msgs) => {
        if (state !== 'waiting') return false;
        state = 'passive';
        resolve(msgs);
        return true;
      }),
    ).catch(() => undefined);
    const timer = setTimeout(() => {
      if (state === 'waiting') (state = 'late'), resolve(undefined);
    }, p.passiveWaitMs);
    const msgs = await got;
    clearTimeout(timer);
    if (!msgs) return answer;
    const direct = answer.passive!(msgs);
    if (direct) return direct;
    // More than the passive reply can carry: everything through the API, in order.
    await this.deliver(p, e, msgs).catch(() => undefined);
    return answer;
  }

  private reply(res: restify.Response, a: WebhookAnswer): void {
    if (typeof a.body === 'string') res.sendRaw(a.status, a.body, { 'content-type': a.contentType ?? 'text/plain; charset=utf-8' });
    else res.send(a.status, a.body ?? {});
  }

  /** One event: the bot's turn, then its replies (unless `takePassive` takes them), then marked done. */
  private async handle(p: Platform, e: InboundEvent, takePassive?: (m: OutMessage[]) => boolean): Promise<void> {
    try {
      const msgs = await this.turn(p, e);
      if (!(takePassive?.(msgs) ?? false)) await this.deliver(p, e, msgs);
    } catch (error) {
      this.o.log.error('channel: event processing failed', { channel: p.id, eventId: e.eventId, error });
      takePassive?.([]);
    } finally {
      await this.store.done(p.id, e.eventId).catch((error) => this.o.log.error('channel: could not mark event done', { error }));
    }
  }

  private async deliver(p: Platform, e: InboundEvent, msgs: OutMessage[]): Promise<void> {
    if (!msgs.length) return;
    try {
      const r = await p.send(e.chatId, msgs, e.reply, { windowOpen: true });
      await this.store.sent(p.id, this.cid(p, e), r.sent);
    } catch (error) {
      this.o.log.error('channel: reply not delivered', { channel: p.id, eventId: e.eventId, error: (error as Error).message });
    }
  }

  /** Runs the bot's turn for one event and returns what it said, as platform-neutral messages. */
  private async turn(p: Platform, ev: InboundEvent): Promise<OutMessage[]> {
    const e = p.enrich ? await p.enrich(ev).catch(() => ev) : ev;
    const cid = this.cid(p, e);
    await this.store.inbound(p.id, cid, new Date(e.at));
    const locale = normalizeLocale(e.locale) ?? (e.text ? detectLocale(e.text, this.locales.get(cid) ?? 'en') : this.locales.get(cid));
    if (locale) this.locales.set(cid, locale);
    const base = {
      id: e.eventId,
      channelId: p.id,
      from: { id: `${p.id}:${e.userId}`, name: e.userName, role: 'user' },
      recipient: BOT,
      conversation: { id: cid },
      serviceUrl: this.serviceUrl(p.id),
      locale: e.locale ?? (locale && locale !== 'en' ? locale : undefined),
      timestamp: new Date(e.at).toISOString(),
    };
    let activity: Record<string, unknown>;
    if (e.kind === 'media') return this.prepare(p, cid, [{ text: channelText('media', locale ?? 'en'), choices: [] }]);
    if (e.kind === 'follow') {
      activity = { ...base, type: 'conversationUpdate', membersAdded: [BOT, { id: base.from.id, name: e.userName ?? '' }] };
    } else if (e.kind === 'choice') {
      const c = e.choiceId ? await this.store.resolveChoice(p.id, cid, e.choiceId) : undefined;
      const v = c?.value as { text?: string; value?: unknown } | undefined;
      const text = v ? v.text : e.text;
      if (text === undefined && v?.value === undefined) return this.prepare(p, cid, [{ text: channelText('expiredButton', locale ?? 'en'), choices: [] }]);
      activity = { ...base, type: 'message', text, value: v?.value };
    } else {
      activity = { ...base, type: 'message', text: e.text ?? '' };
    }
    const drafts: Draft[] = [];
    this.turns.set(cid, drafts);
    try {
      await this.adapter.processActivityDirect('', activity as unknown as Activity, this.o.logic);
    } finally {
      if (this.turns.get(cid) === drafts) this.turns.delete(cid);
    }
    return this.prepare(p, cid, drafts);
  }

  /** Gives each button a short id to carry back. */
  private async prepare(p: Platform, cid: string, drafts: Draft[]): Promise<OutMessage[]> {
    const out: OutMessage[] = [];
    for (const d of drafts) {
      const choices = [];
      for (const c of d.choices) choices.push({ title: c.title, id: await this.store.choice(p.id, cid, c.title, { text: c.text, value: c.value }) });
      out.push({ text: d.text, choices });
    }
    return out;
  }

  /** The loopback connector: where the bot's replies and proactive messages arrive. */
  private async connector(req: restify.Request, res: restify.Response): Promise<void> {
    if (!safeEqual(String(req.params.key), this.key)) return void res.send(403, { error: 'forbidden' });
    const p = this.byId.get(req.params.channel as ChannelId);
    const cid = String(req.params.id);
    if (!p || !cid.startsWith(`${p.id}:`)) return void res.send(404, { error: 'unknown channel conversation' });
    let activity: Partial<Activity>;
    try {
      activity = JSON.parse(((req as any).rawBody as Buffer).toString('utf8'));
    } catch {
      return void res.send(400, { error: 'body must be a JSON activity' });
    }
    const id = `${cid}|${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const draft = toDraft(activity);
    if (!draft) return void res.send(200, { id });
    const turn = this.turns.get(cid);
    if (turn) {
      turn.push(draft);
      return void res.send(200, { id });
    }
    const chatId = cid.slice(p.id.length + 1);
    try {
      const closed = p.window ? await this.windowClosed(p, cid, 1) : undefined;
      const [msg] = await this.prepare(p, cid, [draft]);
      const r = await p.send(chatId, [msg], undefined, { windowOpen: !closed });
      if (r.skipped) this.o.log.warn('channel: proactive message not sent', { channel: p.id, conversationId: cid, reason: closed ?? r.skipped });
      else await this.store.sent(p.id, cid, r.sent);
      res.send(200, { id });
    } catch (error) {
      this.o.log.error('channel: proactive message failed', { channel: p.id, conversationId: cid, error: (error as Error).message });
      res.send(502, { error: 'platform did not take the message' });
    }
  }

  /** WhatsApp 24 h, WeChat 48 h and its message count: the reason a message cannot go now. */
  private async windowClosed(p: Platform, cid: string, n: number): Promise<string | undefined> {
    const w = p.window!;
    const state = await this.store.window(p.id, cid);
    if (!state) return `no customer message yet: ${p.id} only allows replies inside its ${w.hours}-hour window`;
    const age = (this.o.now?.() ?? new Date()).getTime() - state.lastInboundAt.getTime();
    if (age > w.hours * 3600_000) return `outside the ${w.hours}-hour customer-service window (last customer message ${state.lastInboundAt.toISOString()})`;
    if (w.maxMessages !== undefined && state.sent + n > w.maxMessages) return `the ${w.maxMessages}-message limit since the customer's last message is reached`;
    return undefined;
  }

  private serviceUrl(channel: ChannelId): string {
    const addr = this.o.server.address() as AddressInfo;
    const host = !addr.address || addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}${this.prefix}/connector/${this.key}/${channel}`;
  }
}
