import { ActivityTypes } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact } from '../src/nlp/redact';
import { Db } from '../src/storage/db';
import { InteractionRepo } from '../src/storage/interactions';
import { Agent } from './helpers/agent';
import { startTestBot, type TestBot } from './helpers/app';
import { startDirectLine, type DirectLineTestServer } from './helpers/directline';
import { findInDb, trigrams } from './helpers/dbScan';

// Privacy end to end: personal data typed through Direct Line (text, card submissions, messages while waiting for
// and talking to an agent, the agent's notes, the survey's open answer) is redacted before anything is written;
// a data-subject request over the analyst API exports everything about one customer and erases it, keeping only
// the anonymous aggregates.
const SECRET = 'privacy-test-secret';
const PHONE = '13812345678';
const PHONE_INTL = '+86 139 1234 5678';
const EMAIL = 'wang.fang@example.com';
const CN_ID = '11010519491231002X';
const PII = [PHONE, '139 1234 5678', '1391234', EMAIL, 'wang.fang', CN_ID, '110105194912'];

let bot: TestBot;
const dl = () => `${bot.app.url}/directline/v3/directline`;
const hdr = (t: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json', ...extra });

beforeAll(async () => {
  bot = await startTestBot({ DIRECTLINE_SECRET: SECRET }, { handoff: { heartbeatMs: 200, tickMs: 100, waitLimitSeconds: 3600 } });
});
afterAll(async () => bot?.stop());

/** A Web Chat customer over the self-hosted Direct Line, with a user id of our choosing. */
class DlCustomer {
  cid = '';
  token = '';
  constructor(readonly userId: string) {}

  async start(): Promise<this> {
    const g = await (await fetch(`${dl()}/tokens/generate`, { method: 'POST', headers: hdr(SECRET), body: JSON.stringify({ user: { id: this.userId } }) })).json();
    this.cid = g.conversationId;
    this.token = g.token;
    expect((await fetch(`${dl()}/conversations`, { method: 'POST', headers: hdr(this.token), body: JSON.stringify({ locale: 'en-US' }) })).status).toBe(201);
    await this.until((all) => all.some((a) => a.from.role === 'bot'), 'welcome');
    return this;
  }

  async activities(): Promise<any[]> {
    const r = await fetch(`${dl()}/conversations/${this.cid}/activities`, { headers: hdr(this.token) });
    expect(r.status).toBe(200);
    return (await r.json()).activities;
  }

  /** Posts a message; the POST answers once the bot's turn is done, so its replies are stored by then. */
  async send(a: Record<string, unknown>): Promise<string> {
    const r = await fetch(`${dl()}/conversations/${this.cid}/activities`, { method: 'POST', headers: hdr(this.token), body: JSON.stringify({ type: 'message', locale: 'en-US', ...a }) });
    expect(r.status).toBe(200);
    return (await r.json()).id;
  }

  say(text: string): Promise<string> {
    return this.send({ text });
  }

  async until(pred: (all: any[]) => boolean, what: string): Promise<any[]> {
    for (let i = 0; i < 200; i++) {
      const all = await this.activities();
      if (pred(all)) return all;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`not seen: ${what}; have ${JSON.stringify((await this.activities()).map((a) => a.text))}`);
  }
}

const cardOf = (a: any) => a.attachments?.find((x: any) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content;

async function handoffId(cid: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const h = await bot.app.db.get<{ id: number }>('SELECT h.id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ? ORDER BY h.id DESC', [cid]);
    if (h) return h.id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no handoff');
}

/** Answers every survey card: the highest score, "yes", no recovery; the open question by a card submission. */
async function answerSurvey(c: DlCustomer, openText: string): Promise<void> {
  const answered = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const all = await c.until((x) => x.some((a) => a.from.role === 'bot' && cardOf(a) && !answered.has(a.id)) || x.at(-1)?.from.role === 'bot' && !cardOf(x.at(-1)), 'a survey card');
    const q = all.filter((a) => a.from.role === 'bot' && cardOf(a) && !answered.has(a.id)).at(-1);
    if (!q) return;
    answered.add(q.id);
    const body: any[] = cardOf(q).body;
    const data = body.flatMap((b) => b.actions ?? []).map((x: any) => x.data).filter(Boolean);
    if (body.some((b) => b.type === 'Input.Text')) {
      await c.send({ value: { surveyItem: data.find((d: any) => d.value === undefined).surveyItem, value: openText } });
      continue;
    }
    const pick = data.find((d: any) => d.surveyItem === '__recovery__' && d.value === 'no') ??
      data.find((d: any) => d.value === 'yes') ??
      data.filter((d: any) => typeof d.value === 'number').sort((a: any, b: any) => b.value - a.value)[0];
    await c.send({ value: pick });
  }
}

/**
 * One customer's whole journey: a question with a phone number and an e-mail, a request for a person, a message
 * with an ID-card number while queued, the agent's reply and note, the agent-handled survey with an open answer.
 * `marker` is in every text the customer and the agent type, so every stored copy can be found.
 */
async function journey(userId: string, marker: string): Promise<DlCustomer> {
  const c = await new DlCustomer(userId).start();
  await c.say(`How do I reset my password? Call me on ${PHONE} or mail ${EMAIL} ${marker}a`);
  await c.say(`I want to talk to a person ${marker}b`);
  await c.until((all) => all.some((a) => a.from.role === 'bot' && /in the queue/.test(a.text ?? '')), 'queued');
  await c.say(`身份证号 ${CN_ID}，电话 ${PHONE_INTL} ${marker}c`);
  const alice = await new Agent(() => bot.app.url, 'alice').login();
  const h = await handoffId(c.cid);
  await alice.json(`/api/agent/conversations/${h}/accept`, {});
  await alice.json(`/api/agent/conversations/${h}/messages`, { text: `Hi, Alice here ${marker}d.` });
  await c.until((all) => all.some((a) => a.text === `Hi, Alice here ${marker}d.`), 'agent reply');
  expect((await alice.fetch(`/api/agent/conversations/${h}/note`, { text: `Customer gave ${PHONE} and ${EMAIL}, ID ${CN_ID} ${marker}note` })).status).toBe(201);
  await alice.json(`/api/agent/conversations/${h}/resolve`, {});
  await c.until((all) => all.some((a) => a.from.role === 'bot' && /satisf/i.test(a.text ?? '')), 'survey');
  await answerSurvey(c, `Great service, very helpful ${marker}open, write to ${EMAIL} or call ${PHONE}`);
  // The survey is complete and its open answer classified, so nothing changes behind the assertions.
  for (let i = 0; i < 200; i++) {
    const s = await bot.app.db.get<{ status: string; pending: number }>(
      `SELECT s.status, (SELECT COUNT(*) FROM feedback f LEFT JOIN classification_jobs j ON j.feedback_id = f.id
          WHERE f.interaction_id = s.interaction_id AND (j.status IS NULL OR j.status IN ('pending', 'running'))) AS pending
         FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ?`,
      [c.cid],
    );
    if (s?.status === 'complete' && s.pending === 0) return c;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('survey not completed and classified');
}

describe('personal data is redacted before anything is written', () => {
  it('a phone number, e-mail and Chinese ID typed through Direct Line are in no table afterwards', async () => {
    const c = await journey('privacy-pii-1', 'pelicanx');
    expect(await findInDb(bot.app.db, PII)).toEqual([]);

    // Redacted, not dropped: the stored copies carry the placeholders and the rest of the text.
    const all = await c.activities();
    const mine = all.filter((a) => a.from.role === 'user');
    expect(mine.map((a) => a.text ?? a.value?.value)).toEqual(expect.arrayContaining([
      'How do I reset my password? Call me on [PHONE] or mail [EMAIL] pelicanxa',
      '身份证号 [ID]，电话 [PHONE] pelicanxc',
      'Great service, very helpful pelicanxopen, write to [EMAIL] or call [PHONE]',
    ]));
    // Every message was answered (the bot's turn itself gets the text as typed: see the Direct Line test below).
    const asked = all.findIndex((a) => a.text === 'How do I reset my password? Call me on [PHONE] or mail [EMAIL] pelicanxa');
    expect(all[asked + 1].from.role).toBe('bot');
    const db = bot.app.db;
    const texts = (await db.all<{ text: string }>(
      `SELECT t.text FROM transcript t JOIN interactions i ON i.id = t.interaction_id WHERE i.conversation_id = ? AND t.role = 'customer' ORDER BY t.id`,
      [c.cid],
    )).map((r) => r.text);
    expect(texts).toContain('身份证号 [ID]，电话 [PHONE] pelicanxc');
    const note = await db.get<{ text: string }>(`SELECT text FROM handoff_notes WHERE text LIKE '%pelicanxnote%'`);
    expect(note!.text).toBe('Customer gave [PHONE] and [EMAIL], ID [ID] pelicanxnote');
    const fb = await db.get<{ text: string }>(`SELECT text FROM feedback WHERE text LIKE '%pelicanxopen%'`);
    expect(fb!.text).toBe('Great service, very helpful pelicanxopen, write to [EMAIL] or call [PHONE]');
  }, 60_000);

  it('interaction event details are redacted (e.g. the message of a channel-side handoff.status event)', async () => {
    const db = await Db.open(':memory:');
    const repo = new InteractionRepo(db, (s) => redact(s).text);
    const i = await repo.open({ conversationId: 'c1', userId: 'u1', channel: 'directline' });
    await repo.logEvent(i.id, 'handoff_status', { state: 'failed', message: `agent will call ${PHONE}`, nested: [{ note: EMAIL }], handoffId: '4111111111111111' });
    const [e] = await repo.events(i.id);
    // Identifiers (keys ending in id/Id) are kept as they are: the code reads them back.
    expect(JSON.parse(e.detail!)).toEqual({ state: 'failed', message: 'agent will call [PHONE]', nested: [{ note: '[EMAIL]' }], handoffId: '4111111111111111' });
    await db.close();
  });
});

describe('Direct Line: the bot turn gets the text as typed, only the stored copy is redacted', () => {
  let dl: DirectLineTestServer;
  let db: Db;
  let url: string;
  const seen: { text?: string; value?: unknown }[] = [];

  beforeAll(async () => {
    dl = await startDirectLine(SECRET, async (ctx) => {
      if (ctx.activity.type !== ActivityTypes.Message) return;
      seen.push({ text: ctx.activity.text, value: ctx.activity.value });
      // A bot reply is stored as sent: the service's own hotline must reach the customer intact.
      await ctx.sendActivity(`Noted. Our hotline is 400-820-8820, or mail service@example.com.`);
    });
    ({ db, url } = dl);
  });
  afterAll(async () => dl?.close());

  it('text and card values reach the bot unredacted; the history (what a reload replays) has them redacted', async () => {
    const conv = await (await fetch(`${url}/conversations`, { method: 'POST', headers: hdr(SECRET), body: '{}' })).json();
    const post = (a: unknown) => fetch(`${url}/conversations/${conv.conversationId}/activities`, { method: 'POST', headers: hdr(conv.token), body: JSON.stringify(a) });
    const text = `my phone is ${PHONE}, mail ${EMAIL}, ID ${CN_ID}`;
    expect((await post({ type: 'message', text, channelData: { clientActivityID: 'k1' } })).status).toBe(200);
    expect((await post({ type: 'message', value: { surveyItem: 'open', value: `call ${PHONE_INTL}`, score: 5 } })).status).toBe(200);
    expect(seen).toEqual([
      { text, value: undefined },
      { text: undefined, value: { surveyItem: 'open', value: `call ${PHONE_INTL}`, score: 5 } },
    ]);
    const history = (await (await fetch(`${url}/conversations/${conv.conversationId}/activities`, { headers: hdr(conv.token) })).json()).activities;
    const users = history.filter((a: any) => a.from.role === 'user');
    expect(users.map((a: any) => a.text ?? a.value)).toEqual(['my phone is [PHONE], mail [EMAIL], ID [ID]', { surveyItem: 'open', value: 'call [PHONE]', score: 5 }]);
    expect(history.filter((a: any) => a.from.role === 'bot').map((a: any) => a.text)).toEqual(Array(2).fill('Noted. Our hotline is 400-820-8820, or mail service@example.com.'));
    expect(await findInDb(db, PII)).toEqual([]);
    // A replay of the same client activity id is still recognised (channelData is not rewritten) and not re-run.
    expect((await post({ type: 'message', text, channelData: { clientActivityID: 'k1' } })).status).toBe(200);
    expect(seen).toHaveLength(2);
  });
});

describe('data-subject request over the analyst API', () => {
  const USER = 'dsr-subject-1';
  const MARK = 'qzxjvw'; // unusual letters, so its trigrams occur nowhere else in the database
  let subject: DlCustomer;
  let bystander: DlCustomer;
  let bearer: string;
  let csrf: string;
  let cookie: string;
  const api = (p: string) => `${bot.app.url}/api/analyst${p}`;
  const today = new Date().toISOString().slice(0, 10);
  const dashboard = async () => (await (await fetch(api(`/dashboard?from=${today}&to=${today}`), { headers: hdr(bearer) })).json()).report;
  const interactionRows = () => bot.app.db.all(`SELECT id, channel, locale, started_at, handled_by, agent_id, outcome, resolved, customer_turns,
      complaint, first_reply_seconds, queue_wait_seconds, handling_seconds, transfers FROM interactions ORDER BY id`);
  const answerRows = () => bot.app.db.all(`SELECT survey_id, item_id, kind, value, skipped FROM survey_answers ORDER BY survey_id, item_id`);

  beforeAll(async () => {
    subject = await journey(USER, MARK);
    bystander = await journey('dsr-bystander-1', 'wombatq');
    const r = await fetch(api('/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ana', password: 'analyst-demo' }) });
    expect(r.status).toBe(200);
    const j = await r.json();
    bearer = j.token;
    csrf = j.csrf;
    cookie = r.headers.get('set-cookie')!.split(';')[0];
  }, 120_000);

  it('exports everything about the customer, including Direct Line history and handoff notes', async () => {
    const r = await fetch(api(`/subjects/${USER}/export`), { headers: hdr(bearer) });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toMatch(/attachment/);
    const out = await r.json();
    const has = (rows: unknown[], needle: string) => rows.some((x) => JSON.stringify(x).includes(needle));
    expect(out.user_id).toBe(USER);
    expect(out.interactions.length).toBeGreaterThanOrEqual(1);
    expect(out.directline_conversations).toEqual([expect.objectContaining({ id: subject.cid, user_id: USER })]);
    expect(has(out.directline_activities, `${MARK}a`)).toBe(true);
    expect(has(out.directline_activities, `${MARK}open`)).toBe(true);
    for (const m of ['a', 'b', 'c', 'd']) expect(has(out.transcript, MARK + m)).toBe(true);
    expect(out.handoffs).toHaveLength(1);
    expect(out.handoff_notes.map((n: any) => n.text)).toEqual([`Customer gave [PHONE] and [EMAIL], ID [ID] ${MARK}note`]);
    expect(has(out.feedback, `${MARK}open`)).toBe(true);
    expect(has(out.survey_answers, `${MARK}open`)).toBe(true);
    expect(out.survey_answers.some((a: any) => a.item_id === 'csat' && a.value === 5)).toBe(true);
    expect(out.conversation_refs.length).toBeGreaterThanOrEqual(1);
    expect(out.bot_state.length).toBeGreaterThanOrEqual(1);
    expect(out.events.length).toBeGreaterThan(0);
    // Nothing of the other customer.
    expect(JSON.stringify(out)).not.toContain('wombatq');
    expect(JSON.stringify(out)).not.toContain(bystander.cid);
  });

  it('deletes only with the CSRF token and the repeated id, erases every trace, keeps the aggregates, audited', async () => {
    const db = bot.app.db;
    const before = { report: await dashboard(), interactions: await interactionRows(), answers: await answerRows() };
    expect(before.report.n).toBeGreaterThan(0);
    expect((await findInDb(db, [USER, subject.cid, MARK])).length).toBeGreaterThan(0);
    const del = (headers: Record<string, string>, confirm: string) =>
      fetch(api(`/subjects/${USER}/delete`), { method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify({ confirm }) });

    // A cookie session without the CSRF header, or without repeating the id, changes nothing.
    const hitsBefore = (await findInDb(db, [USER, MARK])).length;
    expect((await del({}, USER)).status).toBe(403);
    expect((await del({ 'x-csrf-token': csrf }, 'someone-else')).status).toBe(400);
    expect((await findInDb(db, [USER, MARK])).length).toBe(hitsBefore);

    const r = await del({ 'x-csrf-token': csrf }, USER);
    expect(r.status).toBe(200);
    const { deleted } = await r.json();
    expect(deleted).toMatchObject({ interactions: 1, surveys: 1, directline_conversations: 1, handoff_notes: 1, feedback_texts: 1 });
    for (const k of ['transcript', 'events', 'directline_activities', 'conversation_refs', 'bot_state', 'processed_activities', 'answer_texts']) expect(deleted[k]).toBeGreaterThan(0);

    // No row of any table (FTS index segments included) holds the user id, the conversation id or any text of
    // theirs, except the audit records of the request itself, which name the user id and hold only counts.
    const hits = await findInDb(db, [USER, subject.cid, MARK, ...trigrams(MARK)]);
    expect(hits.filter((h) => h.table !== 'audit_log').map((h) => `${h.table}.${h.column} ${h.needle}`)).toEqual([]);
    expect(hits.map((h) => [h.column, h.row.action, h.needle])).toEqual([
      ['target_id', 'dsr_export', USER],
      ['target_id', 'dsr_delete', USER],
    ]);
    await db.run(`INSERT INTO feedback_fts(feedback_fts) VALUES ('integrity-check')`); // throws (SQLITE_CORRUPT) if the index and the table disagree
    // The other customer is untouched.
    expect((await findInDb(db, ['wombatq'])).map((h) => h.table)).toEqual(expect.arrayContaining(['transcript', 'directline_activities', 'feedback', 'handoff_notes']));
    expect((await fetch(`${dl()}/conversations/${bystander.cid}/activities`, { headers: hdr(bystander.token) })).status).toBe(200);
    // The erased conversation is gone from Direct Line.
    expect((await fetch(`${dl()}/conversations/${subject.cid}/activities`, { headers: hdr(subject.token) })).status).toBe(404);

    // Anonymous aggregates: the same interactions, ratings and measures, and the same report.
    expect(await interactionRows()).toEqual(before.interactions);
    expect(await answerRows()).toEqual(before.answers);
    expect(await dashboard()).toEqual(before.report);

    const { entries } = (await (await fetch(api(`/audit?targetType=user&targetId=${USER}`), { headers: hdr(bearer) })).json()) as { entries: any[] };
    const mine = entries.filter((e) => e.target_type === 'user' && e.target_id === USER);
    expect(mine.map((e) => [e.action, e.actor])).toEqual([['dsr_delete', 'ana'], ['dsr_export', 'ana']]);
    expect(JSON.stringify(mine[0].after)).toContain('directline_activities');
  });
});
