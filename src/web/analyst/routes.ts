import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type restify from 'restify';
import { AlertRepo, buildReport, trend, type Filter, type IndicatorModel, type Period, type Report } from '../../indicators';
import { toCsv as reportCsv, toHtml as reportHtml } from '../../indicators/render';
import type { Logger } from '../../log';
import type { Db } from '../../storage/db';
import { audit, CorrectionError, CorrectionService, listAudit, type Correction } from './corrections';
import { deleteSubject, exportSubject } from './dataSubject';
import { BOM, FEEDBACK_COLUMNS, feedbackCsvLine } from './exportCsv';
import { FeedbackRepo, type FeedbackQuery, type PageOpts } from './feedbackRepo';
import { exportGoldSet, goldSetMetrics } from './goldSet';
import { jsonOnly } from '../jsonOnly';
import { HttpError, route, type AuthedRequest } from '../http';
import { registerPredictedRoutes } from './predicted';

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'analyst');
const CHART_JS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'node_modules', 'chart.js', 'dist', 'chart.umd.js');
// A Map, not an object literal: `constructor` or `toString` must be unknown names (404), not inherited members.
const ASSETS = new Map<string, [string, string]>([
  ['app.js', [join(PUBLIC_DIR, 'app.js'), 'text/javascript; charset=utf-8']],
  ['style.css', [join(PUBLIC_DIR, 'style.css'), 'text/css; charset=utf-8']],
  ['i18n.js', [join(PUBLIC_DIR, 'i18n.js'), 'text/javascript; charset=utf-8']],
  ['predicted.js', [join(PUBLIC_DIR, 'predicted.js'), 'text/javascript; charset=utf-8']],
  ['chart.umd.js', [CHART_JS, 'text/javascript; charset=utf-8']],
]);
// No inline script or style anywhere: a customer's text injected into the page could not run even if escaping failed.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

export interface TopicInfo {
  id: string;
  name: { zh: string; en: string };
}

export interface AnalystDeps {
  db: Db;
  model: IndicatorModel;
  topics: TopicInfo[];
  log: Logger;
  /** Session check from src/web/auth.ts: 401 without a valid analyst session, CSRF on writes, sets req.account. */
  requireSession: restify.RequestHandler;
  /** Serve GET /api/analyst/me here (true until the shared auth module registers its own). */
  meRoute?: boolean;
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

export function actorOf(req: restify.Request): string {
  return (req as Partial<AuthedRequest>).account?.id ?? 'unknown';
}

/** A bad query parameter: answered with 400 by route(). */
export class QueryError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

/** A real calendar day (YYYY-MM-DD) or an ISO timestamp; anything else made nextDay() throw: a 500. */
function isDate(v: string): boolean {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return !Number.isNaN(Date.parse(v)) && new Date(v + 'T00:00:00Z').toISOString().slice(0, 10) === v;
  return /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?$/.test(v) && !Number.isNaN(Date.parse(v));
}

export function segmentFilter(q: Record<string, unknown>): Filter {
  const f: Filter = {};
  for (const k of ['from', 'to', 'channel', 'locale', 'handledBy', 'agentId', 'topic'] as const) {
    const v = str(q[k]);
    if (v) f[k] = v;
  }
  for (const k of ['from', 'to'] as const) if (f[k] && !isDate(f[k]!)) throw new QueryError(`${k}: expected a date YYYY-MM-DD`);
  return f;
}

export function feedbackQuery(q: Record<string, unknown>): FeedbackQuery {
  const conf = str(q.maxConfidence);
  return {
    ...segmentFilter(q),
    q: str(q.q),
    sentiment: str(q.sentiment),
    maxConfidence: conf !== undefined ? Number(conf) : undefined,
    uncorrected: q.uncorrected === '1' || q.uncorrected === 'true',
  };
}

/** Window of the same length just before [from, to], for "trend since the previous period". */
function previousWindow(f: Filter): Filter | null {
  if (!f.from || !f.to) return null;
  const day = 86400000;
  const from = Date.parse(f.from.slice(0, 10) + 'T00:00:00Z');
  const to = Date.parse(f.to.slice(0, 10) + 'T00:00:00Z') + day; // exclusive
  if (!(to > from)) return null;
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return { ...f, from: iso(from - (to - from)), to: iso(from - day) };
}

/** Registers /analyst (page and assets) and /api/analyst/* (all behind requireSession). */
export function registerAnalystRoutes(server: restify.Server, deps: AnalystDeps): void {
  const { db, model, log } = deps;
  const guard = deps.requireSession;
  const repo = new FeedbackRepo(db);
  const corrections = new CorrectionService(db, deps.topics.map((t) => t.id));
  const alerts = new AlertRepo(db);
  const send = (res: restify.Response, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
    res.end(body);
  };

  // The shell holds no data; it shows the login form until /api/analyst/me answers 200.
  const page = async (_req: restify.Request, res: restify.Response) =>
    send(res, 200, 'text/html; charset=utf-8', readFileSync(join(PUBLIC_DIR, 'index.html')), { 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' });
  server.get('/analyst', page);
  server.get('/analyst/', page);
  server.get('/analyst/assets/:name', async (req, res) => {
    const a = typeof req.params.name === 'string' ? ASSETS.get(req.params.name) : undefined;
    if (!a) return send(res, 404, 'text/plain', 'not found');
    send(res, 200, a[1], readFileSync(a[0]));
  });

  const api = '/api/analyst';
  // route() answers HttpError (QueryError) as itself and logs anything else once as a 500.
  const wrap = (fn: (req: restify.Request, res: restify.Response) => Promise<void>) =>
    route(log, async (req: restify.Request, res: restify.Response) => {
      try {
        await fn(req, res);
      } catch (err) {
        throw err instanceof CorrectionError ? new HttpError(400, err.message) : err;
      }
    });

  if (deps.meRoute) server.get(`${api}/me`, guard, wrap(async (req, res) => void res.send({ account: actorOf(req) })));

  server.get(`${api}/meta`, guard, wrap(async (req, res) => {
    const distinct = async (col: string) => (await db.all<{ v: string }>(`SELECT DISTINCT ${col} AS v FROM interactions WHERE ${col} IS NOT NULL ORDER BY v LIMIT 200`)).map((r) => r.v);
    res.send({
      account: actorOf(req),
      topics: deps.topics,
      channels: await distinct('channel'),
      locales: await distinct('locale'),
      agents: await distinct('agent_id'),
      grades: model.grades,
    });
  }));

  registerPredictedRoutes(server, { db, api, guard, wrap, filter: segmentFilter });

  server.get(`${api}/dashboard`, guard, wrap(async (req, res) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const f = segmentFilter(q);
    const period = (['day', 'week', 'month'].includes(String(q.period)) ? q.period : 'day') as Period;
    const report = await buildReport(db, model, f, { store: true });
    const prevF = previousWindow(f);
    const previous = prevF ? await buildReport(db, model, prevF, { alerts: false }) : null;
    const series = (await trend(db, model, f, period)).map((p) => ({
      period: p.period, n: p.report.n, csi: p.report.csi, csat_pct: p.report.csat_pct, nps: p.report.nps, ces_mean: p.report.ces_mean, fcr_pct: p.report.fcr_pct,
    }));
    res.send({ report, previous, previous_window: prevF, trend: series, period, open_alerts: await alerts.list({ open: true, limit: 50 }) });
  }));

  /** A positive integer path id, or a QueryError (400). */
  const pathId = (v: unknown): number => {
    const s = String(v ?? '');
    if (!/^\d{1,15}$/.test(s) || Number(s) < 1) throw new QueryError('id: expected a positive integer');
    return Number(s);
  };
  const alertDetail = async (id: number) => {
    const a = await alerts.get(id);
    if (!a) return undefined;
    const ids = a.interaction_ids.slice(0, 100);
    const rows = ids.length
      ? await db.all(`SELECT id, started_at, channel, locale, handled_by, agent_id, outcome, resolved, complaint FROM interactions WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY started_at DESC`, ids)
      : [];
    return { alert: a, interactions: rows };
  };

  // Looked up by id: listing the newest 1000 and searching them missed every older alert (404 for an open one).
  server.get(`${api}/alerts/:id`, guard, wrap(async (req, res) => {
    const d = await alertDetail(pathId(req.params.id));
    if (!d) return void res.send(404, { error: 'no such alert' });
    res.send(d);
  }));

  // Acknowledging takes the alert off the open list (the next report run refreshes it but keeps it acknowledged).
  server.post(`${api}/alerts/:id/acknowledge`, guard, jsonOnly, wrap(async (req, res) => {
    const id = pathId(req.params.id);
    const actor = actorOf(req);
    const at = new Date().toISOString();
    const found = await db.transaction(async (tx) => {
      const a = await tx.get<{ acknowledged_at: string | null }>('SELECT acknowledged_at FROM indicator_alerts WHERE id = ?', [id]);
      if (!a) return false;
      if (a.acknowledged_at) return true; // the first acknowledgement stays; nothing new to audit
      await tx.runRaw('UPDATE indicator_alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL', [at, actor, id]);
      await audit(tx, at, actor, 'acknowledge_alert', 'alert', String(id), { acknowledged_at: null }, { acknowledged_at: at, acknowledged_by: actor });
      return true;
    });
    if (!found) return void res.send(404, { error: 'no such alert' });
    res.send(await alertDetail(id));
  }));

  server.get(`${api}/interactions/:id`, guard, wrap(async (req, res) => {
    const i = await db.get('SELECT id, started_at, ended_at, channel, locale, handled_by, agent_id, outcome, resolved FROM interactions WHERE id = ?', [req.params.id]);
    if (!i) return void res.send(404, { error: 'no such interaction' });
    const transcript = await db.all('SELECT at, role, sender, text FROM transcript WHERE interaction_id = ? ORDER BY id', [req.params.id]);
    res.send({ interaction: i, transcript });
  }));

  server.get(`${api}/feedback`, guard, wrap(async (req, res) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const p: PageOpts = { sort: q.sort === 'confidence' ? 'confidence' : 'created_at', dir: q.dir === 'asc' ? 'asc' : 'desc', limit: Number(q.limit) || 50, cursor: str(q.cursor) };
    const fq = feedbackQuery(q);
    const page = await repo.list(fq, p);
    res.send({ ...page, total: q.count === '0' ? null : await repo.count(fq) });
  }));

  server.get(`${api}/feedback/:id`, guard, wrap(async (req, res) => {
    const f = await repo.get(Number(req.params.id));
    if (!f) return void res.send(404, { error: 'no such feedback' });
    res.send({ feedback: f, audit: await listAudit(db, { targetType: 'feedback', targetId: String(f.id) }) });
  }));

  server.post(`${api}/feedback/:id/correction`, guard, jsonOnly, wrap(async (req, res) => {
    const id = Number(req.params.id);
    const body = (req.body ?? {}) as Correction;
    const n = await corrections.apply([id], { sentiment: body.sentiment, topics: body.topics }, actorOf(req));
    if (!n) return void res.send(404, { error: 'no such feedback' });
    res.send({ feedback: await repo.get(id) });
  }));

  server.post(`${api}/feedback/bulk-correction`, guard, jsonOnly, wrap(async (req, res) => {
    const body = (req.body ?? {}) as Correction & { ids?: unknown };
    const ids = Array.isArray(body.ids) ? body.ids.map((x) => (typeof x === 'number' || (typeof x === 'string' && /^\d+$/.test(x)) ? Number(x) : NaN)) : [];
    if (!ids.length || ids.length > 1000) return void res.send(400, { error: 'ids: give 1 to 1000 feedback ids' });
    // Reject the whole list on any bad id: dropping them silently corrected the valid rest.
    if (!ids.every((n) => Number.isSafeInteger(n) && n > 0)) return void res.send(400, { error: 'ids: every id must be a positive integer' });
    const n = await corrections.apply(ids, { sentiment: body.sentiment, topics: body.topics }, actorOf(req));
    res.send({ corrected: n });
  }));

  server.get(`${api}/audit`, guard, wrap(async (req, res) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    res.send({ entries: await listAudit(db, { targetType: str(q.targetType), targetId: str(q.targetId), before: Number(q.before) || undefined, limit: Number(q.limit) || 100 }) });
  }));

  server.get(`${api}/goldset/metrics`, guard, wrap(async (_req, res) => res.send(await goldSetMetrics(db))));
  server.get(`${api}/goldset`, guard, wrap(async (_req, res) => res.send({ items: await exportGoldSet(db) })));

  server.get(`${api}/export/feedback.csv`, guard, wrap(async (req, res) => {
    const fq = feedbackQuery((req.query ?? {}) as Record<string, unknown>);
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="feedback.csv"', 'cache-control': 'no-store' });
    res.write(BOM + FEEDBACK_COLUMNS.join(',') + '\r\n');
    for await (const r of repo.iterate(fq)) res.write(feedbackCsvLine(r));
    res.end();
  }));

  server.get(`${api}/export/feedback.json`, guard, wrap(async (req, res) => {
    const fq = feedbackQuery((req.query ?? {}) as Record<string, unknown>);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-disposition': 'attachment; filename="feedback.json"', 'cache-control': 'no-store' });
    res.write('[');
    let first = true;
    for await (const r of repo.iterate(fq)) res.write((first ? '' : ',\n') + JSON.stringify(r)), (first = false);
    res.end(']\n');
  }));

  const reportFor = async (req: restify.Request): Promise<{ report: Report; f: Filter; period: Period }> => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const f = segmentFilter(q);
    const period = (['day', 'week', 'month'].includes(String(q.period)) ? q.period : 'week') as Period;
    return { report: await buildReport(db, model, f), f, period };
  };
  server.get(`${api}/export/report.json`, guard, wrap(async (req, res) => {
    const { report } = await reportFor(req);
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify(report, null, 2), { 'content-disposition': 'attachment; filename="report.json"' });
  }));
  server.get(`${api}/export/report.csv`, guard, wrap(async (req, res) => {
    const { report } = await reportFor(req);
    send(res, 200, 'text/csv; charset=utf-8', BOM + reportCsv(report), { 'content-disposition': 'attachment; filename="report.csv"' });
  }));
  server.get(`${api}/report.html`, guard, wrap(async (req, res) => {
    const { report, f, period } = await reportFor(req);
    const points = (await trend(db, model, f, period)).map((p) => ({ period: p.period, csat_pct: p.report.csat_pct, nps: p.report.nps, csi: p.report.csi, n: p.report.n }));
    send(res, 200, 'text/html; charset=utf-8', reportHtml(report, points, period), { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:" });
  }));

  server.get(`${api}/subjects/:userId/export`, guard, wrap(async (req, res) => {
    const data = await exportSubject(db, req.params.userId, actorOf(req));
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify(data, null, 2), { 'content-disposition': 'attachment; filename="subject.json"' });
  }));
  server.post(`${api}/subjects/:userId/delete`, guard, jsonOnly, wrap(async (req, res) => {
    if ((req.body as any)?.confirm !== req.params.userId) return void res.send(400, { error: 'confirm: repeat the user id to delete' });
    res.send({ deleted: await deleteSubject(db, req.params.userId, actorOf(req)) });
  }));
}
