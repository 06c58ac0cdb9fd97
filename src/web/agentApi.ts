/** Agent console: /agent page and /api/agent/* (all behind an agent session). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type restify from 'restify';
import type { HandoffHub, HubEvent } from '../handoff/hub';
import type { Handoff, HandoffQueue } from '../handoff/queue';
import type { Logger } from '../log';
import type { Db } from '../storage/db';
import type { InteractionRepo } from '../storage/interactions';
import { registerAuthRoutes, requireSession, type Account, type SessionStore } from './auth';
import { route, type AuthedRequest } from './http';
import { jsonOnly } from './jsonOnly';
import type { LoginLimits } from './loginLimiter';

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public', 'agent');
// A Map, not an object literal: `constructor` or `toString` must be unknown names (404), not inherited members.
const ASSETS = new Map<string, [string, string]>([
  ['app.js', [join(PUBLIC_DIR, 'app.js'), 'text/javascript; charset=utf-8']],
  ['style.css', [join(PUBLIC_DIR, 'style.css'), 'text/css; charset=utf-8']],
]);
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const MAX_TEXT = 2000;

export interface AgentApiDeps {
  hub: HandoffHub;
  queue: HandoffQueue;
  db: Db;
  interactions: InteractionRepo;
  accounts: Account[];
  sessions: SessionStore;
  log: Logger;
  heartbeatMs: number;
  now?: () => Date;
  loginLimits?: Partial<LoginLimits>;
}

type Req = AuthedRequest;

export function registerAgentRoutes(server: restify.Server, d: AgentApiDeps): void {
  const now = d.now ?? (() => new Date());
  registerAuthRoutes(server, { prefix: '/api/agent', role: 'agent', accounts: d.accounts, sessions: d.sessions, log: d.log, limits: d.loginLimits });
  const session = requireSession(d.sessions, 'agent');
  // Any authenticated call counts as the agent being present (besides the event stream heartbeat).
  const seen: restify.RequestHandler = (req, _res, next) => {
    d.queue.seen((req as Req).account.id).then(() => next(), (err) => next(err));
  };
  const guard = [session, seen, jsonOnly];
  // Errors are answered by route(): HttpError as itself, anything else logged once as a 500.
  const wrap = (fn: (req: Req, res: restify.Response) => Promise<void>) => route(d.log, async (req: restify.Request, res: restify.Response) => fn(req as Req, res));
  const waitSeconds = (h: Handoff) => Math.max(0, Math.round((now().getTime() - Date.parse(h.queued_at)) / 1000));
  const text = (req: restify.Request, key: string): string | undefined => {
    const v = (req.body as Record<string, unknown> | undefined)?.[key];
    return typeof v === 'string' && v.trim() && v.length <= MAX_TEXT ? v.trim() : undefined;
  };
  /** The handoff when this agent may see it (queued, or assigned to them); otherwise the response is sent. */
  const load = async (req: Req, res: restify.Response): Promise<Handoff | undefined> => {
    const h = /^\d+$/.test(req.params.id) ? await d.queue.get(Number(req.params.id)) : undefined;
    if (!h) return void res.send(404, { error: 'no such conversation' });
    // an agent keeps seeing their own conversation after it ends, so a repeated resolve is a 409, not a 403
    if (h.status === 'queued' || h.agent_id === req.account.id) return h;
    return void res.send(403, { error: 'not your conversation' });
  };
  const summary = async (h: Handoff) => {
    const last = await d.db.get<{ text: string | null }>("SELECT text FROM transcript WHERE interaction_id = ? AND role = 'customer' ORDER BY id DESC LIMIT 1", [h.interaction_id]);
    return { id: h.id, interactionId: h.interaction_id, reason: h.reason, priority: h.priority, status: h.status, agentId: h.agent_id, locale: h.locale, queuedAt: h.queued_at, waitSeconds: waitSeconds(h), lastCustomerText: last?.text ?? '' };
  };

  const page = async (_req: restify.Request, res: restify.Response) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' });
    res.end(readFileSync(join(PUBLIC_DIR, 'index.html')));
  };
  server.get('/agent', page);
  server.get('/agent/', page);
  server.get('/agent/assets/:name', async (req, res) => {
    const a = typeof req.params.name === 'string' ? ASSETS.get(req.params.name) : undefined;
    res.writeHead(a ? 200 : 404, { 'content-type': a ? a[1] : 'text/plain', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(a ? readFileSync(a[0]) : 'not found');
  });

  const api = '/api/agent';
  server.get(`${api}/agents`, ...guard, wrap(async (_req, res) => {
    res.send({ agents: d.accounts.filter((a) => a.role === 'agent').map((a) => ({ id: a.id, name: a.name })) });
  }));

  server.get(`${api}/queue`, ...guard, wrap(async (req, res) => {
    const queued = await d.queue.list();
    const mine = await d.db.all<Handoff>("SELECT * FROM handoffs WHERE status = 'assigned' AND agent_id = ? ORDER BY accepted_at", [req.account.id]);
    // Each waiting customer with the minutes they were told (else what they would be told now): one figure for both sides.
    const queue = await Promise.all(queued.map(async (h, i) => ({
      ...(await summary(h)), position: i + 1, estimatedWaitMinutes: (await d.hub.toldWaitMinutes(h)) ?? (await d.hub.waitEstimate(i + 1)).minutes,
    })));
    const next = await d.hub.waitEstimate(queued.length + 1); // what the next customer to ask would be told
    res.send({ queue, mine: await Promise.all(mine.map(summary)), estimatedWaitSeconds: next.seconds, estimatedWaitMinutes: next.minutes });
  }));

  server.get(`${api}/conversations/:id`, ...guard, wrap(async (req, res) => {
    const h = await load(req, res);
    if (!h) return;
    const interaction = (await d.interactions.get(h.interaction_id))!;
    const transcript = await d.interactions.transcript(h.interaction_id);
    let lastMatches: unknown = null;
    for (const r of transcript) {
      const meta = r.meta ? (JSON.parse(r.meta) as { top?: unknown; level?: unknown; confidence?: unknown }) : undefined;
      if (r.role === 'bot' && meta?.top) lastMatches = { level: meta.level, confidence: meta.confidence, top: meta.top };
    }
    // The customer's recent survey answers and tagged feedback, across their interactions.
    const surveys = await d.db.all(
      `SELECT s.id, s.interaction_id AS interactionId, s.trigger, s.status, s.offered_at AS offeredAt, a.item_id AS item, a.value, a.value_text AS valueText
         FROM surveys s LEFT JOIN survey_answers a ON a.survey_id = s.id WHERE s.user_id = ? ORDER BY s.offered_at DESC LIMIT 60`,
      [interaction.user_id],
    );
    const feedback = await d.db.all(
      `SELECT f.id, f.text, COALESCE(f.human_sentiment, f.sentiment) AS sentiment, f.created_at AS createdAt, GROUP_CONCAT(ft.topic) AS topics
         FROM feedback f JOIN interactions i ON i.id = f.interaction_id LEFT JOIN feedback_topics ft ON ft.feedback_id = f.id
        WHERE i.user_id = ? GROUP BY f.id ORDER BY f.created_at DESC LIMIT 10`,
      [interaction.user_id],
    );
    const notes = await d.db.all('SELECT agent_id AS agentId, text, created_at AS at FROM handoff_notes WHERE handoff_id = ? ORDER BY id', [h.id]);
    res.send({
      handoff: await summary(h),
      interaction: { id: interaction.id, locale: interaction.locale, channel: interaction.channel, complaint: !!interaction.complaint, startedAt: interaction.started_at },
      transcript: transcript.map((r) => ({ id: r.id, at: r.at, role: r.role, text: r.text ?? '' })),
      lastMatches,
      surveys,
      feedback,
      notes,
      history: await d.hub.history(h.interaction_id), // the customer's recent interactions, oldest first
    });
  }));

  server.post(`${api}/conversations/:id/accept`, ...guard, wrap(async (req, res) => {
    // A lost race is a conflict (409), not a permission problem.
    const h = /^\d+$/.test(req.params.id) ? await d.queue.get(Number(req.params.id)) : undefined;
    if (!h) return void res.send(404, { error: 'no such conversation' });
    if (h.status !== 'queued') return void res.send(409, { error: 'already taken' });
    if (!(await d.hub.accept(h, req.account.id))) return void res.send(409, { error: 'already taken' });
    res.send(200, { ok: true, handoff: await summary((await d.queue.get(h.id))!) });
  }));

  const held = async (req: Req, res: restify.Response): Promise<Handoff | undefined> => {
    const h = await load(req, res);
    if (h && h.status !== 'assigned') return void res.send(409, { error: h.status === 'queued' ? 'accept the conversation first' : `the conversation is ${h.status}` });
    return h;
  };

  server.post(`${api}/conversations/:id/transfer`, ...guard, wrap(async (req, res) => {
    const to = text(req, 'to');
    if (!to || !d.accounts.some((a) => a.id === to && a.role === 'agent') || to === req.account.id) return void res.send(400, { error: 'to must be another agent id' });
    const h = await held(req, res);
    if (!h) return;
    if (!(await d.hub.transfer(h, req.account.id, to))) return void res.send(409, { error: 'transfer failed' });
    res.send(200, { ok: true });
  }));

  server.post(`${api}/conversations/:id/note`, ...guard, wrap(async (req, res) => {
    const t = text(req, 'text');
    if (!t) return void res.send(400, { error: `text required (1..${MAX_TEXT} chars)` });
    const h = await load(req, res);
    if (!h) return;
    await d.hub.note(h, req.account.id, t);
    res.send(201, { ok: true });
  }));

  server.post(`${api}/conversations/:id/messages`, ...guard, wrap(async (req, res) => {
    const t = text(req, 'text');
    if (!t) return void res.send(400, { error: `text required (1..${MAX_TEXT} chars)` });
    const clientId = (req.body as Record<string, unknown> | undefined)?.clientId;
    if (clientId !== undefined && (typeof clientId !== 'string' || !/^[\w-]{1,64}$/.test(clientId))) return void res.send(400, { error: 'clientId must be 1..64 letters, digits, _ or -' });
    const h = await held(req, res);
    if (!h) return;
    // a replayed request with the same clientId is acknowledged, not sent to the customer twice
    const sent = await d.hub.agentMessage(h, req.account.id, t, clientId as string | undefined);
    res.send(sent ? 201 : 200, { ok: true, duplicate: !sent });
  }));

  server.post(`${api}/conversations/:id/resolve`, ...guard, wrap(async (req, res) => {
    const h = await held(req, res);
    if (!h) return;
    const r = await d.hub.resolve(h, req.account.id);
    if (!r) return void res.send(409, { error: 'resolve failed' });
    res.send(200, { ok: true, ...r });
  }));

  // Server-sent events: queue changes for everyone, messages and assignments for this agent only.
  server.get(`${api}/events`, ...guard, (req, res, next) => {
    const me = (req as Req).account.id;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('hello', { agentId: me, heartbeatMs: d.heartbeatMs });
    const onHub = (e: HubEvent) => {
      if (e.type === 'queue') send('queue', {});
      else if (e.agentId === me) send(e.type, e);
    };
    const beat = setInterval(() => {
      res.write(': heartbeat\n\n');
      void d.queue.seen(me).catch(() => undefined);
    }, d.heartbeatMs);
    const end = () => {
      clearInterval(beat);
      d.hub.events.off('hub', onHub);
      d.hub.events.off('stop', stop);
    };
    const stop = () => {
      end();
      res.end();
    };
    d.hub.events.on('hub', onHub);
    d.hub.events.on('stop', stop);
    req.on('close', end);
    next(false);
  });
}
