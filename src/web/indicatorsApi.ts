import type { Request, Response, Server } from 'restify';
import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../storage/db';
import { AlertRepo, buildReport, loadIndicatorModel, type Filter, type IndicatorModel } from '../indicators/index';

export interface IndicatorRouteDeps {
  db: Db;
  /** ANALYST_API_TOKEN; the routes are not registered when it is unset. */
  analystToken?: string;
  model?: IndicatorModel;
  modelPath?: string;
  /** Store alerts found while serving a report (default true). */
  storeAlerts?: boolean;
}

const QUERY_KEYS: Record<string, keyof Filter> = {
  from: 'from',
  to: 'to',
  channel: 'channel',
  locale: 'locale',
  handled_by: 'handledBy',
  'handled-by': 'handledBy',
  agent: 'agentId',
  agent_id: 'agentId',
  topic: 'topic',
  definition: 'definitionId',
  definition_id: 'definitionId',
};

function tokenOk(req: Request, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(Array.isArray(h) ? h[0] : h);
  if (!m) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: Response, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

export function filterFromQuery(url: string): Filter {
  const q = new URL(url, 'http://x').searchParams;
  const f: Filter = {};
  for (const [k, v] of q) {
    const key = QUERY_KEYS[k];
    if (key && v) f[key] = v;
  }
  return f;
}

/** GET /api/indicators, GET /api/alerts, POST /api/alerts/:id/ack — all behind the analyst bearer token. */
export function registerIndicatorRoutes(server: Server, deps: IndicatorRouteDeps): boolean {
  const token = deps.analystToken;
  if (!token) return false;
  const model = deps.model ?? loadIndicatorModel(deps.modelPath ?? 'models/indicators.yaml');
  const alerts = new AlertRepo(deps.db);
  // Errors are answered by route() (src/web/http.ts), which the app applies to every handler: never err.message.
  const guard = (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    if (!tokenOk(req, token)) return send(res, 401, { error: 'analyst token required' });
    await fn(req, res);
  };

  server.get('/api/indicators', guard(async (req, res) => {
    const f = filterFromQuery(req.url ?? '');
    if (f.handledBy && f.handledBy !== 'bot' && f.handledBy !== 'agent') return send(res, 400, { error: 'handled_by must be bot or agent' });
    for (const k of ['from', 'to'] as const)
      if (f[k] && Number.isNaN(Date.parse(f[k]!))) return send(res, 400, { error: `${k} must be an ISO-8601 date` });
    send(res, 200, await buildReport(deps.db, model, f, { store: deps.storeAlerts !== false }));
  }));

  server.get('/api/alerts', guard(async (req, res) => {
    const q = new URL(req.url ?? '', 'http://x').searchParams;
    send(res, 200, { alerts: await alerts.list({ open: q.get('open') === '1' || q.get('open') === 'true', limit: Math.min(1000, Number(q.get('limit')) || 200) }) });
  }));

  server.post('/api/alerts/:id/ack', guard(async (req, res) => {
    const raw = String(req.params?.id ?? '');
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(id)) return send(res, 400, { error: 'bad alert id' });
    const by = typeof req.headers['x-analyst'] === 'string' ? (req.headers['x-analyst'] as string) : 'analyst';
    if (!(await alerts.acknowledge(id, by))) return send(res, 404, { error: 'no such alert' });
    send(res, 200, { alert: await alerts.get(id) });
  }));
  return true;
}
