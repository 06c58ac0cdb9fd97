import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Db } from '../storage/db';
import type { Case, Expect } from './cases';

/** A bot reply as the channel received it. */
export interface Reply {
  text?: string;
  summary?: string;
  attachments?: { contentType: string; content?: { text?: string; body?: unknown[] } }[];
  channelData?: { reply?: string; kbEntryId?: string; suggestions?: { kbEntryId: string }[] };
  conversation?: { id: string };
}

/**
 * The channel side of Bot Framework on 127.0.0.1: the bot POSTs its replies to this serviceUrl,
 * as it does to the Emulator or a real channel.
 */
export class ReplyChannel {
  private server?: Server;
  private readonly byConversation = new Map<string, Reply[]>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const m = /\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
        if (req.method === 'POST' && m) {
          try {
            const a = JSON.parse(body) as Reply;
            const id = a.conversation?.id ?? decodeURIComponent(m[1]);
            const list = this.byConversation.get(id) ?? [];
            list.push(a);
            this.byConversation.set(id, list);
          } catch {
            /* not JSON: nothing to record */
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: randomUUID() }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this;
  }

  /** Replies of a conversation received since the last call. */
  take(conversationId: string): Reply[] {
    const list = this.byConversation.get(conversationId) ?? [];
    this.byConversation.set(conversationId, []);
    return list;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** The running bot: its /api/messages URL, and its database to read what was stored (surveys, follow-ups). */
export interface Target {
  botUrl: string;
  db: Db;
  /** How long to wait for the background classification of an open answer (ms). */
  classifyTimeoutMs?: number;
}

export interface StepResult {
  say: string;
  replies: string[];
  failures: string[];
}

export interface CaseResult {
  case: Case;
  passed: boolean;
  steps: StepResult[];
  /** dev answer cases: answered directly with the right entry, right entry answered or suggested, another entry answered. */
  score?: { direct: boolean; found: boolean; wrong: boolean };
  error?: string;
}

/** Words of a reply: its text, else its card's text blocks, else its summary. */
export function replyText(r: Reply): string {
  if (r.text) return r.text;
  const parts: string[] = [];
  for (const a of r.attachments ?? []) {
    if (a.content?.text) parts.push(a.content.text);
    for (const b of (a.content?.body ?? []) as { type?: string; text?: string }[]) if (b?.type === 'TextBlock' && b.text) parts.push(b.text);
  }
  return parts.join('\n') || r.summary || '';
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

class Conversation {
  readonly id = `conv-run-${randomUUID()}`;
  readonly userId = `user-run-${randomUUID().slice(0, 8)}`;
  private seq = 0;

  constructor(
    private readonly target: Target,
    private readonly channel: ReplyChannel,
    private readonly locale: string,
    private readonly channelId: string,
  ) {}

  async say(text: string): Promise<Reply[]> {
    const activity = {
      type: 'message',
      id: `${this.id}-${++this.seq}`,
      channelId: this.channelId,
      serviceUrl: this.channel.url,
      timestamp: new Date().toISOString(),
      from: { id: this.userId, name: 'Customer', role: 'user' },
      recipient: { id: 'bot', name: 'Bot', role: 'bot' },
      conversation: { id: this.id },
      locale: this.locale,
      text,
    };
    const res = await fetch(`${this.target.botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    if (res.status >= 300) throw new Error(`bot answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return this.channel.take(this.id);
  }
}

async function surveyOf(db: Db, conversationId: string): Promise<{ id: string; interaction_id: string } | undefined> {
  return db.get<{ id: string; interaction_id: string }>(
    'SELECT s.id, s.interaction_id FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ? ORDER BY s.offered_at DESC LIMIT 1',
    [conversationId],
  );
}

/** Waits until every open answer of the survey is classified (the follow-up decision runs right after). */
async function classified(target: Target, surveyId: string): Promise<boolean> {
  const deadline = Date.now() + (target.classifyTimeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const open = await target.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM feedback f LEFT JOIN classification_jobs j ON j.feedback_id = f.id WHERE f.survey_id = ? AND (j.status IS NULL OR j.status NOT IN ('done', 'failed'))",
      [surveyId],
    );
    if (!open?.n) {
      await sleep(150); // the after-classification hook (follow-up decision) runs just after the job is marked done
      return true;
    }
    await sleep(50);
  }
  return false;
}

async function check(target: Target, conv: Conversation, replies: Reply[], e: Expect): Promise<string[]> {
  const f: string[] = [];
  const answered = replies.filter((r) => r.channelData?.reply === 'answer').map((r) => r.channelData!.kbEntryId!);
  const suggested = replies.flatMap((r) => (r.channelData?.reply === 'suggest' ? (r.channelData.suggestions ?? []).map((s) => s.kbEntryId) : []));
  const kinds = replies.map((r) => r.channelData?.reply ?? 'other');
  const got = answered.length ? `answered ${answered.join(',')}` : suggested.length ? `suggested ${suggested.join(',')}` : `replies [${kinds.join(',')}]`;
  if (e.answer && !answered.includes(e.answer)) f.push(`expected answer ${e.answer}, ${got}`);
  if (e.answerOrSuggest) {
    if (answered.some((id) => id !== e.answerOrSuggest)) f.push(`expected ${e.answerOrSuggest}, wrongly ${got}`);
    else if (!answered.includes(e.answerOrSuggest) && !suggested.includes(e.answerOrSuggest)) f.push(`expected ${e.answerOrSuggest} answered or suggested, ${got}`);
  }
  if (e.suggest && !suggested.includes(e.suggest)) f.push(`expected ${e.suggest} among suggestions, ${got}`);
  if (e.noAnswer && answered.length) f.push(`expected no answer, ${got}`);
  if (e.fallback !== undefined && kinds.includes('fallback') !== e.fallback) f.push(`expected ${e.fallback ? '' : 'no '}fallback, ${got}`);
  if (e.reply && !kinds.includes(e.reply)) f.push(`expected a "${e.reply}" reply, ${got}`);
  if (e.text) {
    const re = new RegExp(e.text);
    if (!replies.some((r) => re.test(replyText(r)))) f.push(`expected text /${e.text}/, got ${JSON.stringify(replies.map(replyText).join(' | ').slice(0, 160))}`);
  }
  if (e.handoff !== undefined) {
    const row = await target.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ?', [conv.id]).catch(() => undefined);
    const asked = await target.db.get<{ r: string | null }>('SELECT handoff_reason AS r FROM interactions WHERE conversation_id = ? ORDER BY started_at DESC LIMIT 1', [conv.id]);
    const handed = (row?.n ?? 0) > 0 || !!asked?.r;
    if (handed !== e.handoff) f.push(`expected ${e.handoff ? '' : 'no '}handoff, ${got}`);
  }
  const survey = e.survey !== undefined || e.stored || e.followup !== undefined ? await surveyOf(target.db, conv.id) : undefined;
  if (e.survey !== undefined && !!survey !== e.survey) f.push(`expected the survey ${e.survey ? 'started' : 'not started'}, ${got}`);
  if (e.stored) {
    const rows = survey ? await target.db.all<{ item_id: string; value: number | null; value_text: string | null }>('SELECT item_id, value, value_text FROM survey_answers WHERE survey_id = ? AND skipped = 0', [survey.id]) : [];
    for (const [item, want] of Object.entries(e.stored)) {
      const row = rows.find((r) => r.item_id === item);
      const have = row ? (typeof want === 'number' ? row.value : row.value_text) : undefined;
      if (have !== want) f.push(`expected ${item} stored as ${want}, got ${have ?? 'nothing'} (reply: ${JSON.stringify(replies.map(replyText).join(' | ').slice(0, 120))})`);
    }
  }
  if (e.followup !== undefined) {
    if (!survey) f.push('expected a survey for the follow-up check, none started');
    else {
      if (!(await classified(target, survey.id))) f.push('open answer not classified in time');
      const n = await target.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM followups WHERE interaction_id = ?', [survey.interaction_id]);
      if ((n?.n ?? 0) > 0 !== e.followup) f.push(`expected ${e.followup ? 'a' : 'no'} follow-up, found ${n?.n ?? 0}`);
    }
  }
  return f;
}

/** Plays one case against the bot; never throws (an error fails the case). */
export async function runCase(target: Target, channel: ReplyChannel, c: Case): Promise<CaseResult> {
  const conv = new Conversation(target, channel, c.locale === 'en' ? 'en-US' : c.locale, c.channel ?? 'emulator');
  const steps: StepResult[] = [];
  let score: CaseResult['score'];
  try {
    for (const step of c.steps) {
      const replies = await conv.say(step.say);
      const failures = step.expect ? await check(target, conv, replies, step.expect) : [];
      steps.push({ say: step.say, replies: replies.map(replyText), failures });
      if (c.scoreAnswer && step === c.steps[0]) {
        const answered = replies.filter((r) => r.channelData?.reply === 'answer').map((r) => r.channelData!.kbEntryId);
        const suggested = replies.flatMap((r) => (r.channelData?.suggestions ?? []).map((s) => s.kbEntryId));
        const direct = answered.includes(c.scoreAnswer);
        score = { direct, found: direct || (!answered.length && suggested.includes(c.scoreAnswer)), wrong: answered.some((id) => id !== c.scoreAnswer) };
      }
      if (failures.length) break;
    }
  } catch (e) {
    return { case: c, passed: false, steps, score, error: String((e as Error).message ?? e) };
  }
  return { case: c, passed: steps.every((s) => !s.failures.length), steps, score };
}

export interface Summary {
  cases: number;
  passed: number;
  rates: Record<string, { passed: number; total: number; rate: number }>;
  answer?: { direct: number; found: number; wrong: number; byLocale: Record<string, { direct: number; found: number; wrong: number; total: number }> };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Rates per category; for dev answer cases also direct / found / wrong, overall and per locale. */
export function summarise(results: CaseResult[]): Summary {
  const rates: Summary['rates'] = {};
  for (const r of results) {
    const k = r.case.category;
    const e = (rates[k] ??= { passed: 0, total: 0, rate: 0 });
    e.total++;
    if (r.passed) e.passed++;
  }
  for (const e of Object.values(rates)) e.rate = r3(e.passed / e.total);
  const scored = results.filter((r) => r.score);
  let answer: Summary['answer'];
  if (scored.length) {
    const agg = (rs: CaseResult[]) => ({
      direct: r3(rs.filter((r) => r.score!.direct).length / rs.length),
      found: r3(rs.filter((r) => r.score!.found).length / rs.length),
      wrong: r3(rs.filter((r) => r.score!.wrong).length / rs.length),
      total: rs.length,
    });
    const byLocale: NonNullable<Summary['answer']>['byLocale'] = {};
    for (const l of [...new Set(scored.map((r) => r.case.locale))]) byLocale[l] = agg(scored.filter((r) => r.case.locale === l));
    const all = agg(scored);
    answer = { direct: all.direct, found: all.found, wrong: all.wrong, byLocale };
  }
  return { cases: results.length, passed: results.filter((r) => r.passed).length, rates, answer };
}
