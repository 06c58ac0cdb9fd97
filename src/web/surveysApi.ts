import { timingSafeEqual } from 'node:crypto';
import type restify from 'restify';
import type { FollowupRepo } from '../survey/followups';
import { BOM, csvLine } from '../csv';
import type { AnswerRow, SurveyCursor, SurveyFilter, SurveyRepo, SurveyRow } from '../survey/surveyRepo';

export interface SurveyRoutesDeps {
  /** ANALYST_API_TOKEN; the routes are not registered when it is unset. */
  token?: string;
  surveys: SurveyRepo;
  followups: FollowupRepo;
  /** Item ids of every configured definition, in order: one CSV column each. */
  items: string[];
}

const CSV_HEAD = ['interaction_id', 'survey_id', 'channel', 'locale', 'trigger', 'definition_id', 'definition_version', 'status', 'offered_at', 'started_at', 'ended_at', 'agent_id'];
const PAGE = 1000;

function authorised(req: restify.Request, token: string): boolean {
  const h = req.header('authorization') ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(h);
  if (!m) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isoParam(v: unknown): string | undefined | null {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return null;
  return new Date(v).toISOString();
}

/** from/to (ISO dates), channel, complete=true|false; a string error when invalid. */
function parseFilter(q: Record<string, unknown>): SurveyFilter | string {
  const from = isoParam(q.from);
  const to = isoParam(q.to);
  if (from === null) return 'from: must be an ISO date';
  if (to === null) return 'to: must be an ISO date';
  let complete: boolean | undefined;
  if (q.complete !== undefined && q.complete !== '') {
    if (q.complete !== 'true' && q.complete !== 'false') return 'complete: must be true or false';
    complete = q.complete === 'true';
  }
  const channel = typeof q.channel === 'string' && q.channel ? q.channel : undefined;
  return { from, to, channel, complete };
}

/** limit=1..1000 and after=<next cursor>; a string error when invalid. */
function parsePage(q: Record<string, unknown>): { limit: number; after?: SurveyCursor } | string {
  let limit = PAGE;
  if (q.limit !== undefined && q.limit !== '') {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE) return `limit: must be an integer in 1..${PAGE}`;
  }
  if (q.after === undefined || q.after === '') return { limit };
  try {
    const c = JSON.parse(Buffer.from(String(q.after), 'base64url').toString('utf8'));
    if (typeof c?.offeredAt === 'string' && typeof c?.id === 'string') return { limit, after: { offeredAt: c.offeredAt, id: c.id } };
  } catch {
    /* fall through */
  }
  return 'after: must be the next cursor of a previous page';
}

const cursorOf = (r: SurveyRow) => Buffer.from(JSON.stringify({ offeredAt: r.offered_at, id: r.id })).toString('base64url');


function answerCell(a: AnswerRow | undefined): unknown {
  if (!a || a.skipped) return '';
  return a.kind === 'open' || a.kind === 'resolved' ? a.value_text : a.value;
}

export function surveysCsvHead(items: string[]): string {
  return BOM + csvLine([...CSV_HEAD, ...items]);
}

export function surveysCsvLines(rows: (SurveyRow & { answers: AnswerRow[] })[], items: string[]): string {
  let out = '';
  for (const r of rows) {
    const byItem = new Map(r.answers.map((a) => [a.item_id, a]));
    const cells = [r.interaction_id, r.id, r.channel, r.locale, r.trigger, r.definition_id, r.definition_version, r.status, r.offered_at, r.started_at, r.ended_at, r.agent_id];
    out += csvLine([...cells, ...items.map((i) => answerCell(byItem.get(i)))]);
  }
  return out;
}

export function registerSurveyRoutes(server: restify.Server, deps: SurveyRoutesDeps): boolean {
  const token = deps.token;
  if (!token) return false;
  // Errors thrown by a handler are answered by route() (src/web/http.ts), applied to every handler by the app.
  const guard = (handler: (req: restify.Request, res: restify.Response) => Promise<void>) => async (req: restify.Request, res: restify.Response) => {
    if (!authorised(req, token)) {
      res.header('WWW-Authenticate', 'Bearer');
      res.send(401, { error: 'missing or invalid bearer token' });
      return;
    }
    await handler(req, res);
  };

  server.get('/api/surveys', guard(async (req, res) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const f = parseFilter(q);
    if (typeof f === 'string') return void res.send(400, { error: f });
    const page = parsePage(q);
    if (typeof page === 'string') return void res.send(400, { error: page });
    const surveys = await deps.surveys.list(f, page.limit, page.after);
    const next = surveys.length === page.limit ? cursorOf(surveys[surveys.length - 1]) : null;
    res.send(200, { count: surveys.length, total: await deps.surveys.count(f), next, rates: await deps.surveys.responseRates(f), surveys });
  }));

  server.get('/api/surveys.csv', guard(async (req, res) => {
    const f = parseFilter((req.query ?? {}) as Record<string, unknown>);
    if (typeof f === 'string') return void res.send(400, { error: f });
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="surveys.csv"' });
    res.write(surveysCsvHead(deps.items));
    // page through so memory stays flat however many surveys match
    for (let after: SurveyCursor | undefined; ; ) {
      const rows = await deps.surveys.list(f, PAGE, after);
      if (rows.length) res.write(surveysCsvLines(rows, deps.items));
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = { offeredAt: last.offered_at, id: last.id };
    }
    res.end();
  }));

  server.get('/api/followups', guard(async (req, res) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const status = typeof q.status === 'string' && q.status ? q.status : undefined;
    const followups = await deps.followups.list({ status });
    res.send(200, { count: followups.length, followups });
  }));
  return true;
}
