import { timingSafeEqual } from 'node:crypto';
import type restify from 'restify';
import type { FollowupRepo } from '../survey/followups';
import type { AnswerRow, SurveyFilter, SurveyRepo, SurveyRow } from '../survey/surveyRepo';

export interface SurveyRoutesDeps {
  /** ANALYST_API_TOKEN; the routes are not registered when it is unset. */
  token?: string;
  surveys: SurveyRepo;
  followups: FollowupRepo;
}

const CSV_ITEMS = [
  'csat', 'resolved', 'nps', 'ces', 'rating_response_speed', 'rating_attitude', 'rating_professionalism',
  'rating_resolution', 'rating_price_transparency', 'rating_complaint_handling', 'open',
];
const CSV_HEAD = ['interaction_id', 'survey_id', 'channel', 'locale', 'trigger', 'definition_id', 'definition_version', 'status', 'offered_at', 'started_at', 'ended_at', 'agent_id', ...CSV_ITEMS];

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

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function answerCell(a: AnswerRow | undefined): unknown {
  if (!a || a.skipped) return '';
  return a.kind === 'open' || a.kind === 'resolved' ? a.value_text : a.value;
}

export function surveysCsv(rows: (SurveyRow & { answers: AnswerRow[] })[]): string {
  const lines = [CSV_HEAD.join(',')];
  for (const r of rows) {
    const byItem = new Map(r.answers.map((a) => [a.item_id, a]));
    const cells = [r.interaction_id, r.id, r.channel, r.locale, r.trigger, r.definition_id, r.definition_version, r.status, r.offered_at, r.started_at, r.ended_at, r.agent_id];
    lines.push([...cells, ...CSV_ITEMS.map((i) => answerCell(byItem.get(i)))].map(csvCell).join(','));
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

export function registerSurveyRoutes(server: restify.Server, deps: SurveyRoutesDeps): boolean {
  const token = deps.token;
  if (!token) return false;
  const guard = (handler: (req: restify.Request, res: restify.Response) => Promise<void>) => async (req: restify.Request, res: restify.Response) => {
    if (!authorised(req, token)) {
      res.header('WWW-Authenticate', 'Bearer');
      res.send(401, { error: 'missing or invalid bearer token' });
      return;
    }
    await handler(req, res);
  };

  server.get('/api/surveys', guard(async (req, res) => {
    const f = parseFilter((req.query ?? {}) as Record<string, unknown>);
    if (typeof f === 'string') return void res.send(400, { error: f });
    const surveys = await deps.surveys.list(f);
    res.send(200, { count: surveys.length, rates: await deps.surveys.responseRates(f), surveys });
  }));

  server.get('/api/surveys.csv', guard(async (req, res) => {
    const f = parseFilter((req.query ?? {}) as Record<string, unknown>);
    if (typeof f === 'string') return void res.send(400, { error: f });
    const body = surveysCsv(await deps.surveys.list(f, 100_000));
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="surveys.csv"' });
    res.end(body);
  }));

  server.get('/api/followups', guard(async (req, res) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const status = typeof q.status === 'string' && q.status ? q.status : undefined;
    const followups = await deps.followups.list({ status });
    res.send(200, { count: followups.length, followups });
  }));
  return true;
}
