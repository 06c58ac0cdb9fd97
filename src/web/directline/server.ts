import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TurnQueue } from '../../bots/turnQueue';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type restify from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../log';
import { DirectLineStore, type StoredActivity } from './store';
import { TokenService, type TokenClaims } from './tokens';
import { HttpError, route } from '../http';
import type { RateLimiter } from '../rateLimit';
import { MAX_DEPTH, tooDeep } from '../activityValidation';
import type { LiveBus } from '../../storage/liveBus';

export interface DirectLineOptions {
  server: restify.Server;
  store: DirectLineStore;
  /** DIRECTLINE_SECRET, or the generated one. */
  secret: string;
  tokenTtlSeconds: number;
  /** URL prefix, e.g. /directline; the Direct Line domain is `${origin}${prefix}/v3/directline`. */
  prefix: string;
  /** The bot's turn logic, e.g. (ctx) => bot.run(ctx). */
  logic: (ctx: TurnContext) => Promise<void>;
  onTurnError?: CloudAdapter['onTurnError'];
  log: Logger;
  /** Origins allowed to call the API from a browser ('*' = any; tokens are bearer, no cookies). */
  corsOrigins?: string[];
  botId?: string;
  botName?: string;
  pageSize?: number;
  /** Other instances' appends (several instances on one PostgreSQL): wakes this instance's sockets too. */
  bus?: LiveBus;
  turnTimeoutMs?: number;
  now?: () => Date;
  /** Limits new conversations (tokens/generate, POST conversations) per address; none when unset. */
  conversationLimit?: RateLimiter;
}

type Access = { kind: 'secret' } | { kind: 'token'; claims: TokenClaims };
type Denied = { status: number; error: string };

const ALLOWED_FIELDS = ['type', 'text', 'value', 'name', 'attachments', 'channelData', 'locale', 'localTimestamp', 'localTimezone', 'entities', 'textFormat', 'replyToId'];
const MAX_TEXT = 20_000;
const newId = (n = 16) => randomBytes(n).toString('base64url');

/**
 * A self-hosted subset of Direct Line 3.0: tokens, conversations, activities (polling and WebSocket),
 * and a loopback connector that the bot's replies are posted to. History lives in SQLite.
 */
export class DirectLine {
  readonly tokens: TokenService;
  readonly base: string;
  private readonly adapter: CloudAdapter;
  private readonly connectorKey: string;
  private readonly secretHash: Buffer;
  private readonly turns = new TurnQueue();
  private readonly sockets = new Map<string, Set<Pump>>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly botId: string;
  private readonly botName: string;
  private readonly pageSize: number;
  private closing = false;

  constructor(private readonly o: DirectLineOptions) {
    this.tokens = new TokenService(o.secret, o.tokenTtlSeconds, o.now);
    this.base = `${o.prefix}/v3/directline`;
    // Anonymous adapter: this channel runs in-process and is trusted; replies come back over loopback HTTP.
    this.adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    if (o.onTurnError) this.adapter.onTurnError = o.onTurnError;
    this.connectorKey = createHmac('sha256', o.secret).update('directline-connector').digest('hex').slice(0, 32);
    this.secretHash = createHash('sha256').update(o.secret).digest();
    this.botId = o.botId ?? 'bot';
    this.botName = o.botName ?? 'Bot';
    this.pageSize = o.pageSize ?? 100;
    o.bus?.subscribe('directline', (cid) => {
      for (const p of this.sockets.get(String(cid)) ?? []) p.kick();
    });
    this.routes();
  }

  /** Token for a new conversation (what /tokens/generate returns), for same-origin pages such as /chat. */
  generate(userId?: string): { conversationId: string; token: string; expires_in: number; userId: string } {
    const conversationId = newId(12);
    const uid = userId ?? `dl_${newId(9)}`;
    return { conversationId, userId: uid, ...this.tokens.issue(conversationId, uid) };
  }

  /** Stop taking requests, wait for running turns (their replies need the server), close sockets. */
  async close(): Promise<void> {
    this.closing = true;
    await this.turns.drain(10_000);
    for (const set of this.sockets.values()) for (const p of set) p.ws.terminate();
    this.sockets.clear();
    this.wss.close();
  }

  private routes(): void {
    const s = this.o.server;
    const b = this.base;
    s.opts(`${this.o.prefix}/*`, async (req, res) => {
      this.cors(req, res);
      res.send(204);
    });
    s.post(`${b}/tokens/generate`, this.wrap(async (req, res) => {
      this.limit(req);
      const access = this.access(req);
      if ('status' in access) return res.send(access.status, { error: access.error });
      if (access.kind !== 'secret') return res.send(403, { error: 'tokens/generate needs the Direct Line secret' });
      const user = (req.body as any)?.user;
      const userId = typeof user?.id === 'string' && /^[\w.:@-]{1,64}$/.test(user.id) ? user.id : undefined;
      const { conversationId, token, expires_in } = this.generate(userId);
      res.send(200, { conversationId, token, expires_in });
    }));
    s.post(`${b}/tokens/refresh`, this.wrap(async (req, res) => {
      const access = this.access(req);
      if ('status' in access) return res.send(access.status, { error: access.error });
      if (access.kind !== 'token') return res.send(403, { error: 'tokens/refresh needs a token' });
      const { cid, uid } = access.claims;
      res.send(200, { conversationId: cid, ...this.tokens.issue(cid, uid) });
    }));
    s.post(`${b}/conversations`, this.wrap(async (req, res) => {
      const access = this.access(req);
      if ('status' in access) return res.send(access.status, { error: access.error });
      // The secret mints a new conversation each time; a token's conversation was counted when it was issued.
      if (access.kind === 'secret') this.limit(req);
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as { user?: { id?: unknown }; locale?: unknown };
      const locale = typeof body.locale === 'string' && body.locale.length <= 20 ? body.locale : undefined;
      let cid: string;
      let uid: string;
      if (access.kind === 'token') ({ cid, uid } = access.claims);
      else {
        cid = newId(12);
        uid = typeof body.user?.id === 'string' && /^[\w.:@-]{1,64}$/.test(body.user.id) ? body.user.id : `dl_${newId(9)}`;
      }
      const created = await this.o.store.create(cid, uid, locale);
      const conv = (await this.o.store.get(cid))!;
      if (created) this.turns.run(cid, () => this.startConversation(cid, conv.user_id, locale)).catch(() => undefined);
      res.send(created ? 201 : 200, this.conversationResponse(req, cid, conv.user_id, access, 0));
    }));
    // Reconnect (directlinejs calls this to resume a conversation or to get a new streamUrl).
    s.get(`${b}/conversations/:id`, this.wrap(async (req, res) => {
      const cid = req.params.id as string;
      const conv = await this.o.store.get(cid);
      const denied = this.authorize(req, cid);
      if ('status' in denied) return res.send(denied.status, { error: denied.error });
      if (!conv) return res.send(404, { error: 'conversation not found' });
      res.send(200, this.conversationResponse(req, cid, conv.user_id, denied, watermarkOf(req)));
    }));
    s.get(`${b}/conversations/:id/activities`, this.wrap(async (req, res) => {
      const cid = req.params.id as string;
      const denied = this.authorize(req, cid);
      if ('status' in denied) return res.send(denied.status, { error: denied.error });
      if (!(await this.o.store.get(cid))) return res.send(404, { error: 'conversation not found' });
      const page = await this.o.store.after(cid, watermarkOf(req), this.pageSize);
      res.send(200, { activities: page.activities, watermark: String(page.watermark) });
    }));
    s.post(`${b}/conversations/:id/activities`, this.wrap(async (req, res) => {
      const cid = req.params.id as string;
      const access = this.authorize(req, cid);
      if ('status' in access) return res.send(access.status, { error: access.error });
      const conv = await this.o.store.get(cid);
      if (!conv) return res.send(404, { error: 'conversation not found' });
      // Direct Line takes JSON only; without this a form-encoded body was parsed by restify and accepted.
      if (!/^application\/([\w.+-]+\+)?json$/i.test(req.getContentType() ?? '')) return res.send(415, { error: 'Content-Type must be application/json' });
      const problem = checkActivity(req.body);
      if (problem) return res.send(400, { error: problem });
      const input = req.body as Record<string, any>;
      if (input.type === 'typing') return res.send(200, { id: `${cid}|typing-${newId(4)}` });
      const activity: Record<string, any> = {};
      for (const k of ALLOWED_FIELDS) if (input[k] !== undefined) activity[k] = input[k];
      // Idempotent replays: the client's activity id (Web Chat's channelData.clientActivityID, or a
      // client-set id) is kept in channelData, and a repeat of it is answered with the stored activity.
      const clientId = clientActivityId(input);
      if (clientId !== undefined) activity.channelData = { ...(activity.channelData ?? {}), clientActivityID: clientId };
      const fromId = access.kind === 'token' ? access.claims.uid : typeof input.from?.id === 'string' ? input.from.id : conv.user_id;
      activity.from = { id: fromId, name: typeof input.from?.name === 'string' ? input.from.name : undefined, role: 'user' };
      activity.conversation = { id: cid };
      activity.channelId = 'directline';
      activity.recipient = { id: this.botId, name: this.botName, role: 'bot' };
      const { activity: stored, duplicate } = await this.append(cid, activity, clientId);
      if (duplicate) {
        // Not sent to the bot again; answer once the first copy's turn is done, as for the first post.
        await Promise.race([this.turns.settled(cid), new Promise((r) => setTimeout(r, this.o.turnTimeoutMs ?? 15_000))]);
        return res.send(200, { id: stored.id });
      }
      const turn = this.turns.run(cid, () => this.toBot(cid, stored));
      // Like Azure, answer once the bot has taken the turn, but never hang the client on a slow turn.
      await Promise.race([turn.catch(() => undefined), new Promise((r) => setTimeout(r, this.o.turnTimeoutMs ?? 15_000))]);
      res.send(200, { id: stored.id });
    }));
    // Loopback connector: the bot's replies (serviceUrl) land here and join the history.
    const connector = async (req: restify.Request, res: restify.Response) => {
      if (!safeEqual(String(req.params.key), this.connectorKey)) return res.send(403, { error: 'forbidden' });
      const cid = req.params.id as string;
      if (!(await this.o.store.get(cid))) return res.send(404, { error: 'conversation not found' });
      if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) return res.send(400, { error: 'body must be a JSON activity' });
      const a = { ...(req.body as Record<string, any>) };
      if (typeof a.type !== 'string') return res.send(400, { error: 'activity.type is required' });
      a.conversation = { id: cid };
      a.from = a.from?.id ? { ...a.from, role: 'bot' } : { id: this.botId, name: this.botName, role: 'bot' };
      if (req.params.replyTo) a.replyToId = req.params.replyTo;
      delete a.serviceUrl;
      const { activity } = await this.append(cid, a);
      res.send(200, { id: activity.id });
    };
    s.post(`${this.o.prefix}/connector/:key/v3/conversations/:id/activities`, this.wrap(connector));
    s.post(`${this.o.prefix}/connector/:key/v3/conversations/:id/activities/:replyTo`, this.wrap(connector));
    s.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** CORS and shutdown for every route; errors are answered by route() (HttpError as itself, else a logged 500). */
  private wrap(fn: (req: restify.Request, res: restify.Response) => Promise<unknown>) {
    return route(this.o.log, async (req: restify.Request, res: restify.Response) => {
      this.cors(req, res);
      if (this.closing) return void res.send(503, { error: 'server is shutting down' });
      await fn(req, res);
    });
  }

  /** 429 with Retry-After when this address starts conversations faster than the limit. */
  private limit(req: restify.Request): void {
    const wait = this.o.conversationLimit?.take(req.socket.remoteAddress ?? '') ?? 0;
    if (wait > 0) throw new HttpError(429, 'too many new conversations from this address, try later', { 'Retry-After': String(wait) });
  }

  private cors(req: restify.Request, res: restify.Response): void {
    const origin = req.header('origin');
    const allowed = this.o.corsOrigins ?? ['*'];
    if (!origin) return;
    if (allowed.includes('*')) res.header('Access-Control-Allow-Origin', '*');
    else if (allowed.includes(origin)) {
      res.header('Access-Control-Allow-Origin', origin);
      res.header('Vary', 'Origin');
    } else return;
    res.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, x-ms-bot-agent, x-requested-with');
    res.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.header('Access-Control-Max-Age', '600');
  }

  /** Who is calling: the secret, a valid token, or a 401. */
  private access(req: { headers: IncomingMessage['headers'] }, bearer?: string): Access | Denied {
    const h = bearer ?? /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1]?.trim();
    if (!h) return { status: 401, error: 'missing Authorization: Bearer <secret or token>' };
    if (timingSafeEqual(createHash('sha256').update(h).digest(), this.secretHash)) return { kind: 'secret' };
    const check = this.tokens.verify(h);
    if (!check.ok) return { status: 401, error: check.reason === 'expired' ? 'token expired' : 'invalid token' };
    return { kind: 'token', claims: check.claims };
  }

  /** Access to one conversation: the secret, or a token bound to it (another conversation's token → 403). */
  private authorize(req: { headers: IncomingMessage['headers'] }, cid: string, bearer?: string): Access | Denied {
    const a = this.access(req, bearer);
    if ('status' in a) return a;
    if (a.kind === 'token' && a.claims.cid !== cid) return { status: 403, error: 'token is not valid for this conversation' };
    return a;
  }

  private conversationResponse(req: restify.Request, cid: string, uid: string, access: Access, watermark: number) {
    const { token, expires_in } = this.tokens.issue(cid, access.kind === 'token' ? access.claims.uid : uid);
    const proto = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim() === 'https' ? 'wss' : 'ws';
    const host = req.headers['x-forwarded-host'] ?? req.headers.host;
    const streamUrl = `${proto}://${host}${this.base}/conversations/${encodeURIComponent(cid)}/stream?watermark=${watermark || ''}&t=${encodeURIComponent(token)}`;
    return { conversationId: cid, token, expires_in, streamUrl };
  }

  private async append(cid: string, activity: Record<string, any>, clientId?: string) {
    const out = await this.o.store.append(cid, activity, clientId);
    for (const p of this.sockets.get(cid) ?? []) p.kick();
    this.o.bus?.publish('directline', cid);
    return out;
  }

  /** The welcome turn: a conversationUpdate that adds both the bot and the user (so ServiceBot greets the user). */
  private startConversation(cid: string, uid: string, locale?: string): Promise<void> {
    return this.toBot(cid, {
      id: `${cid}|start`,
      type: 'conversationUpdate',
      from: { id: uid, role: 'user' },
      membersAdded: [
        { id: this.botId, name: this.botName, role: 'bot' },
        { id: uid, role: 'user' },
      ],
      conversation: { id: cid },
      channelId: 'directline',
      recipient: { id: this.botId, name: this.botName, role: 'bot' },
      locale,
      timestamp: new Date().toISOString(),
    });
  }

  private async toBot(cid: string, activity: Record<string, any>): Promise<void> {
    const incoming = { ...activity, serviceUrl: this.serviceUrl(), conversation: { id: cid } };
    await this.adapter.processActivityDirect('', incoming as any, this.o.logic);
  }

  /** Where the bot posts replies: this same server over loopback, with an unguessable key in the path. */
  private serviceUrl(): string {
    const addr = this.o.server.address() as AddressInfo;
    const host = !addr.address || addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}${this.o.prefix}/connector/${this.connectorKey}`;
  }

  /** Never throws: an upgrade error would otherwise be an uncaught exception that ends the process. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node removes its own error listener before 'upgrade': without ours, a reset socket ends the process.
    socket.on('error', () => socket.destroy());
    const fail = (status: number, text: string) => {
      if (!socket.writable) return void socket.destroy();
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    try {
      this.acceptUpgrade(req, socket, head, fail);
    } catch (error) {
      this.o.log.error('directline upgrade failed', { error });
      fail(500, 'Internal Server Error');
    }
  }

  private acceptUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, fail: (status: number, text: string) => void): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://x');
    } catch {
      return fail(400, 'Bad Request');
    }
    const m = url.pathname.startsWith(this.base) ? /^\/conversations\/([^/]+)\/stream$/.exec(url.pathname.slice(this.base.length)) : null;
    if (!m) {
      // Someone else's WebSocket path; when nobody else listens, say so instead of leaving the socket open.
      if (this.o.server.listenerCount('upgrade') <= 1) fail(404, 'Not Found');
      return;
    }
    let cid: string;
    try {
      cid = decodeURIComponent(m[1]);
    } catch {
      return fail(400, 'Bad Request');
    }
    if (this.closing) return fail(503, 'Service Unavailable');
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key']) return fail(400, 'Bad Request');
    const a = this.authorize(req, cid, url.searchParams.get('t') ?? undefined);
    if ('status' in a) return fail(a.status, a.status === 403 ? 'Forbidden' : 'Unauthorized');
    void this.o.store.get(cid).then(
      (conv) => {
        if (!conv) return fail(404, 'Not Found');
        if (socket.destroyed) return;
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          const pump = new Pump(ws, cid, Number(url.searchParams.get('watermark')) || 0, this.o.store, this.pageSize, this.o.log);
          let set = this.sockets.get(cid);
          if (!set) this.sockets.set(cid, (set = new Set()));
          set.add(pump);
          ws.on('close', () => {
            set!.delete(pump);
            if (!set!.size && this.sockets.get(cid) === set) this.sockets.delete(cid);
          });
          ws.on('error', () => ws.terminate());
          ws.on('message', () => undefined); // directlinejs pings with empty messages
          pump.kick();
        });
      },
      () => fail(500, 'Internal Server Error'),
    ).catch((error) => {
      this.o.log.error('directline upgrade failed', { error });
      fail(500, 'Internal Server Error');
    });
  }
}

/** Sends a socket everything after its watermark; kicked on every append, one read loop at a time. */
class Pump {
  private running = false;
  private again = false;

  constructor(
    readonly ws: WebSocket,
    private readonly cid: string,
    private sent: number,
    private readonly store: DirectLineStore,
    private readonly pageSize: number,
    private readonly log: Logger,
  ) {}

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.loop().finally(() => (this.running = false));
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        for (;;) {
          if (this.ws.readyState !== 1) return;
          const page: { activities: StoredActivity[]; watermark: number } = await this.store.after(this.cid, this.sent, this.pageSize);
          if (!page.activities.length) break;
          this.sent = page.watermark;
          this.ws.send(JSON.stringify({ activities: page.activities, watermark: String(page.watermark) }));
        }
      } while (this.again);
    } catch (error) {
      this.log.warn('directline stream failed', { error, conversationId: this.cid });
      this.ws.terminate();
    }
  }
}

function watermarkOf(req: restify.Request): number {
  const w = Number((req.query as Record<string, unknown> | undefined)?.watermark);
  return Number.isInteger(w) && w > 0 ? w : 0;
}

function checkActivity(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'body must be a JSON activity';
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || !a.type) return 'activity.type is required';
  if (a.text !== undefined && typeof a.text !== 'string') return 'activity.text must be a string';
  if (typeof a.text === 'string' && a.text.length > MAX_TEXT) return `activity.text is longer than ${MAX_TEXT} characters`;
  // JSON.parse takes any depth, but JSON.stringify (storing it) overflows the stack: that was a 500.
  if (tooDeep(a, MAX_DEPTH)) return `activity is nested deeper than ${MAX_DEPTH} levels`;
  const cid = a.channelData && typeof a.channelData === 'object' ? (a.channelData as Record<string, unknown>).clientActivityID : undefined;
  for (const v of [a.id, cid])
    if (v !== undefined && (typeof v !== 'string' || !v || v.length > 200)) return 'activity id and channelData.clientActivityID must be strings of 1 to 200 characters';
  return undefined;
}

/** The client's own id for an activity (checked by checkActivity), if it sent one. */
function clientActivityId(a: Record<string, any>): string | undefined {
  const cd = a.channelData;
  if (cd !== undefined && (!cd || typeof cd !== 'object' || Array.isArray(cd))) return undefined; // nowhere to keep it
  return cd?.clientActivityID ?? a.id;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
