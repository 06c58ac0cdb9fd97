import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import type { Customer } from './helpers/channel';

const TOKEN = 'test-analyst-token';
let bot: TestBot;
const recoveries: string[] = [];
const feedbackIds: number[] = [];

beforeAll(async () => {
  bot = await startTestBot(
    { ANALYST_API_TOKEN: TOKEN },
    {
      survey: {
        onRecoveryAccepted: async (_ctx, interactionId) => void recoveries.push(interactionId),
        onFeedback: (id) => void feedbackIds.push(id),
      },
    },
  );
});
afterAll(async () => bot?.stop());

const db = () => bot.app.db;
async function surveyOf(c: Customer) {
  return db().get<{ id: string; status: string; definition_id: string; trigger: string; locale: string }>(
    'SELECT s.* FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ?',
    [c.conversationId],
  );
}
async function answersOf(c: Customer) {
  const s = await surveyOf(c);
  return db().all<{ item_id: string; value: number | null; value_text: string | null; raw_text: string | null; input_mode: string; skipped: number }>(
    'SELECT * FROM survey_answers WHERE survey_id = ? ORDER BY answered_at, rowid',
    [s!.id],
  );
}
/** Mark the interaction as handled by an agent, so the full (default) definition is chosen. */
async function agentHandled(c: Customer) {
  await db().run("UPDATE interactions SET handled_by = 'agent', agent_id = 'agent-1' WHERE conversation_id = ?", [c.conversationId]);
}
const submit = (item: string, value: unknown) => ({ value: { surveyItem: item, value } });
const card = (r: { attachments?: { contentType: string; content: any }[] }) => r.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;

describe('satisfaction survey over real HTTP', () => {
  it('runs the full survey in English by card buttons, redacts the open text and thanks in English', async () => {
    const c = bot.customer({ locale: 'en-US' });
    await c.say('I forgot my password, how can I reset it?');
    await agentHandled(c);
    const start = await c.say('bye');
    expect(c.texts(start)).toMatch(/Thank you for contacting us/);
    expect(c.texts(start)).toMatch(/Overall, how satisfied/);
    const q = start[start.length - 1];
    const buttons = card(q).body.flatMap((b: any) => b.actions ?? []);
    expect(buttons.map((b: any) => b.data)).toContainEqual({ surveyItem: 'csat', value: 5 });
    expect(q.text).toMatch(/\(1 very dissatisfied … 5 very satisfied\)/); // text fallback shows the scale
    expect(card(q).body.some((b: any) => b.type === "TextBlock" && b.text === q.text)).toBe(false); // not repeated in the card

    expect(c.texts(await c.say(undefined, submit('csat', 5)))).toMatch(/problem resolved/);
    expect(c.texts(await c.say(undefined, submit('resolved', 'yes')))).toMatch(/recommend/);
    expect(c.texts(await c.say(undefined, submit('nps', 9)))).toMatch(/How easy/);
    await c.say(undefined, submit('ces', 6));
    await c.say(undefined, submit('rating_response_speed', 5));
    await c.say(undefined, submit('rating_attitude', 4));
    expect(c.texts(await c.say(undefined, submit('rating_professionalism', 5)))).toMatch(/Anything we could do better/);
    const end = await c.say(undefined, submit('open', 'Great help. Call me on 138 1234 5678 or mail me at a.b@example.com'));
    expect(c.texts(end)).toBe('Thank you for your feedback!');

    const s = await surveyOf(c);
    expect(s).toMatchObject({ status: 'complete', definition_id: 'default', trigger: 'goodbye', locale: 'en' });
    const a = await answersOf(c);
    expect(a.map((x) => [x.item_id, x.value ?? x.value_text])).toEqual([
      ['csat', 5], ['resolved', 1], ['nps', 9], ['ces', 6], ['rating_response_speed', 5], ['rating_attitude', 4], ['rating_professionalism', 5],
      ['open', 'Great help. Call me on [PHONE] or mail me at [EMAIL]'],
    ]);
    expect(a.every((x) => x.input_mode === 'card')).toBe(true);
    const tr = await db().all<{ text: string }>(
      "SELECT t.text FROM transcript t JOIN interactions i ON i.id = t.interaction_id WHERE i.conversation_id = ? AND t.role = 'customer'",
      [c.conversationId],
    );
    expect(tr[tr.length - 1].text).toBe('Great help. Call me on [PHONE] or mail me at [EMAIL]');
    const fb = await db().get<{ id: number; text: string }>('SELECT id, text FROM feedback WHERE survey_id = ?', [s!.id]);
    expect(fb!.text).toBe('Great help. Call me on [PHONE] or mail me at [EMAIL]');
    expect(feedbackIds).toContain(fb!.id);
  });

  it('runs the full survey in Simplified Chinese by typed text', async () => {
    const c = bot.customer({ locale: 'zh-CN' });
    await c.say('忘记密码了怎么办');
    await agentHandled(c);
    expect(c.texts(await c.say('再见'))).toMatch(/总体满意度/);
    expect(c.texts(await c.say('非常满意'))).toMatch(/问题解决了吗/);
    expect(c.texts(await c.say('是的'))).toMatch(/推荐/);
    await c.say('打9分');
    await c.say('六');
    await c.say('４');
    await c.say('⭐⭐⭐⭐');
    await c.say('4/5');
    expect(c.texts(await c.say('客服很耐心，身份证11010519491231002X'))).toBe('感谢您的评价！');
    const a = await answersOf(c);
    expect(a.map((x) => x.value ?? x.value_text)).toEqual([5, 1, 9, 6, 4, 4, 4, '客服很耐心，身份证[ID]']);
    expect(a.every((x) => x.input_mode === 'typed')).toBe(true);
    expect(a[7].raw_text).toBe('客服很耐心，身份证[ID]');
    expect((await surveyOf(c))!.status).toBe('complete');
  });

  it('runs the survey in Traditional Chinese by suggested-action clicks on a channel without cards', async () => {
    const c = bot.customer({ locale: 'zh-TW', channelId: 'telegram' });
    await c.say('我想申請退款');
    await agentHandled(c);
    const q = await c.say('再見');
    const last = q[q.length - 1];
    expect(last.attachments ?? []).toHaveLength(0);
    const titles = last.suggestedActions!.actions.map((x) => x.title);
    expect(titles[4]).toBe('★★★★★ 非常滿意');
    await c.say(String(last.suggestedActions!.actions[3].value)); // "4"
    const r = await c.say('部分');
    expect(c.texts(r)).toMatch(/推薦/);
    await c.say('跳過');
    await c.say('7');
    await c.say('5');
    await c.say('5');
    await c.say('5');
    expect(c.texts(await c.say('跳過'))).toBe('感謝您的評價！');
    const a = await answersOf(c);
    expect(a.map((x) => [x.item_id, x.skipped ? 'skipped' : x.value])).toEqual([
      ['csat', 4], ['resolved', 0.5], ['nps', 'skipped'], ['ces', 7], ['rating_response_speed', 5], ['rating_attitude', 5], ['rating_professionalism', 5], ['open', 'skipped'],
    ]);
    expect(a[0].input_mode).toBe('button');
  });

  it('gives a bot-only contact the short survey and re-prompts once with the scale', async () => {
    const c = bot.customer({ locale: 'en-US' });
    await c.say('I forgot my password, how can I reset it?');
    expect(c.texts(await c.say('Yes'))).toMatch(/how satisfied are you/i);
    const re = await c.say('purple');
    expect(c.texts(re)).toMatch(/didn't get that.*number from 1 to 5/s);
    const re2 = await c.say('7');
    expect(c.texts(re2)).toMatch(/number from 1 to 5/); // required item: asked again
    expect(c.texts(await c.say('very satisfied'))).toMatch(/Anything we could do better/);
    await c.say('skip');
    const s = await surveyOf(c);
    expect(s).toMatchObject({ definition_id: 'short', trigger: 'resolved_confirmed', status: 'complete' });
    // the bot-handled interaction ends with the survey
    const ended = await db().get<{ ended_at: string | null }>('SELECT ended_at FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    expect(ended!.ended_at).not.toBeNull();
  });

  it('lets the customer stop politely and keeps the partial answers as incomplete', async () => {
    const c = bot.customer({ locale: 'en-US' });
    await c.say('I forgot my password, how can I reset it?');
    await agentHandled(c);
    await c.say('goodbye');
    await c.say('4');
    await c.say('yes');
    expect(c.texts(await c.say('no thanks'))).toMatch(/stopped the survey/);
    expect((await surveyOf(c))!.status).toBe('incomplete');
    expect((await answersOf(c)).map((a) => a.item_id)).toEqual(['csat', 'resolved']);
    // after the survey the bot answers questions again
    expect(c.texts(await c.say('I forgot my password, how can I reset it?'))).toMatch(/Did that solve/);
  });

  it('records a survey stopped before any answer as declined', async () => {
    const c = bot.customer({ locale: 'zh-CN' });
    await c.say('忘记密码了怎么办');
    await c.say('再见');
    expect(c.texts(await c.say('不用了'))).toMatch(/已结束问卷/);
    expect((await surveyOf(c))!.status).toBe('declined');
  });

  it('marks a survey abandoned when the customer starts a new conversation, and applies the cool-down', async () => {
    const userId = `user-abandon-${Date.now()}`;
    const c = bot.customer({ locale: 'en-US', userId });
    await c.say('I forgot my password, how can I reset it?');
    await c.say('bye');
    await c.say('2'); // low CSAT: apology + offer
    const c2 = bot.customer({ locale: 'en-US', userId });
    await c2.say('I forgot my password, how can I reset it?');
    const s = await surveyOf(c);
    expect(s!.status).toBe('incomplete');
    expect((await answersOf(c)).map((a) => [a.item_id, a.value])).toEqual([['csat', 2]]);
    // cool-down: the same customer is not surveyed again within 7 days
    const bye = await c2.say('bye');
    expect(c.texts(bye)).not.toMatch(/satisfied/);
    expect(await surveyOf(c2)).toBeUndefined();
    const ev = await db().get<{ detail: string }>(
      "SELECT e.detail FROM interaction_events e JOIN interactions i ON i.id = e.interaction_id WHERE i.conversation_id = ? AND e.kind = 'survey_eligibility'",
      [c2.conversationId],
    );
    expect(JSON.parse(ev!.detail)).toMatchObject({ eligible: false, reason: 'cooldown', trigger: 'goodbye' });
    // back in the abandoned conversation, a question is not taken as an answer
    expect(c.texts(await c.say('where is my parcel?'))).toMatch(/survey has closed/);
  });

  it('resumes a survey after a server restart', async () => {
    const c = bot.customer({ locale: 'en-US' });
    await c.say('I forgot my password, how can I reset it?');
    await c.say('bye');
    await c.say('5');
    await bot.restart();
    expect(c.texts(await c.say('Faster answers please'))).toBe('Thank you for your feedback!');
    const a = await answersOf(c);
    expect(a.map((x) => x.value ?? x.value_text)).toEqual([5, 'Faster answers please']);
    expect((await surveyOf(c))!.status).toBe('complete');
  });

  it('recovers service on a low CSAT: apology, offer of a person, follow-up with 24 h clock', async () => {
    const c = bot.customer({ locale: 'en-US' });
    await c.say('I forgot my password, how can I reset it?');
    await c.say('bye');
    const r = await c.say('1');
    // one rendering on a card channel: the apology is in the card only
    expect(JSON.stringify(r)).toMatch(/sorry we let you down.*talk to a person/s);
    const done = await c.say(undefined, { value: { surveyItem: '__recovery__', value: 'yes' } });
    expect(c.texts(done)).toMatch(/connecting you with a person/);
    const i = await db().get<{ id: string }>('SELECT id FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    expect(recoveries).toContain(i!.id);
    const f = await db().get<{ reason: string; owner: string; created_at: string; due_at: string; status: string }>('SELECT * FROM followups WHERE interaction_id = ?', [i!.id]);
    expect(f).toMatchObject({ reason: 'low_csat', owner: 'service-quality', status: 'open' });
    expect(Date.parse(f!.due_at) - Date.parse(f!.created_at)).toBe(24 * 3600_000);
    const ev = (await bot.app.interactions.events(i!.id)).map((e) => e.kind);
    expect(ev).toEqual(expect.arrayContaining(['survey_trigger', 'survey_eligibility', 'survey_offered', 'recovery_offered', 'recovery_accepted']));
  });

  it('accepts the offer of a person clicked as a suggested action on a channel without cards', async () => {
    const c = bot.customer({ locale: 'zh-TW', channelId: 'telegram' });
    await c.say('我想申請退款');
    await c.say('再見');
    const r = await c.say('1');
    const offer = r[r.length - 1];
    const yes = offer.suggestedActions!.actions.find((x) => String(x.title).startsWith('是'))!;
    expect(yes.title).toBe('是，轉真人');
    const done = await c.say(String(yes.value));
    expect(c.texts(done)).toMatch(/正在為您轉接真人客服/);
    const i = await db().get<{ id: string }>('SELECT id FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    expect(recoveries).toContain(i!.id);
    const ev = (await bot.app.interactions.events(i!.id)).map((e) => e.kind);
    expect(ev).toContain('recovery_accepted');
    expect(ev).not.toContain('recovery_declined');
  });

  it('accepts the offer of a person typed in words ("I want a human")', async () => {
    const c = bot.customer({ locale: 'en-US', channelId: 'telegram' });
    await c.say('I forgot my password, how can I reset it?');
    await c.say('bye');
    await c.say('2');
    expect(c.texts(await c.say('I want to talk to a human'))).toMatch(/connecting you with a person/);
  });

  it('recovers on "not resolved" and continues the survey when the person is declined', async () => {
    const c = bot.customer({ locale: 'zh-CN' });
    await c.say('忘记密码了怎么办');
    await agentHandled(c);
    await c.say('再见');
    await c.say('3');
    expect(JSON.stringify(await c.say('没有'))).toMatch(/非常抱歉/);
    expect(c.texts(await c.say('不用，继续'))).toMatch(/推荐/);
    const f = await db().get<{ reason: string }>(
      'SELECT f.reason FROM followups f JOIN interactions i ON i.id = f.interaction_id WHERE i.conversation_id = ?',
      [c.conversationId],
    );
    expect(f!.reason).toBe('not_resolved');
  });

  it('offers the survey proactively when an agent resolves the conversation (entry point for the handoff side)', async () => {
    const c = bot.customer({ locale: 'en-US' });
    await c.say('I forgot my password, how can I reset it?');
    await agentHandled(c);
    const i = await db().get<{ id: string }>('SELECT id FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    c.newReplies();
    expect(await bot.app.survey.offerSurvey(i!.id, 'agent_resolved')).toBe(true);
    expect(c.texts(c.newReplies())).toMatch(/Overall, how satisfied/);
    expect(await bot.app.survey.offerSurvey(i!.id, 'agent_resolved')).toBe(false); // one per interaction
    expect(c.texts(await c.say('5'))).toMatch(/problem resolved/);
    expect(await surveyOf(c)).toMatchObject({ trigger: 'agent_resolved', definition_id: 'default', status: 'started' });
  });

  it('follows up an open answer the classifier later tags clearly negative: follow-up, apology and offer of a person', async () => {
    const c = bot.customer({ locale: 'zh-CN' });
    await c.say('忘记密码了怎么办');
    await c.say('再见');
    await c.say('4');
    await c.say('等了太久，非常失望');
    const fb = await db().get<{ id: number; interaction_id: string }>(
      'SELECT f.id, f.interaction_id FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE i.conversation_id = ?',
      [c.conversationId],
    );
    c.newReplies();
    const r = await bot.app.survey.recoverNegativeFeedback(fb!.id);
    expect(r.notified).toBe(true);
    const msg = c.newReplies();
    expect(c.texts(msg)).toMatch(/非常抱歉/);
    expect(msg[0].suggestedActions!.actions.map((a) => a.title)).toEqual(['是，转人工', '不用，继续']);
    const f = await db().get<{ reason: string; due_at: string; created_at: string }>('SELECT * FROM followups WHERE id = ?', [r.followupId!]);
    expect(f!.reason).toBe('negative_feedback');
    // the offer's button text reaches the main dialog's handoff route
    expect(c.texts(await c.say('是，转人工'))).toMatch(/转人工|人工客服/);
    expect(Date.parse(f!.due_at) - Date.parse(f!.created_at)).toBe(24 * 3600_000);
  });

  it('serves the surveys and follow-ups API behind the bearer token', async () => {
    const base = bot.app.url;
    expect((await fetch(`${base}/api/surveys`)).status).toBe(401);
    expect((await fetch(`${base}/api/surveys`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    const all = await (await fetch(`${base}/api/surveys`, auth)).json();
    expect(all.count).toBeGreaterThanOrEqual(8);
    expect(all.rates.offered).toBe(all.count);
    const complete = await (await fetch(`${base}/api/surveys?complete=true&channel=emulator`, auth)).json();
    expect(complete.surveys.every((s: any) => s.status === 'complete' && s.channel === 'emulator')).toBe(true);
    expect(JSON.stringify(all)).not.toMatch(/138 1234 5678|a\.b@example\.com|11010519491231002X/);
    expect((await fetch(`${base}/api/surveys?from=notadate`, auth)).status).toBe(400);
    const future = await (await fetch(`${base}/api/surveys?from=2999-01-01`, auth)).json();
    expect(future.count).toBe(0);
    const csvRes = await fetch(`${base}/api/surveys.csv`, auth);
    expect(csvRes.headers.get('content-type')).toMatch(/text\/csv/);
    const buf = Buffer.from(await csvRes.arrayBuffer());
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = buf.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toMatch(/^interaction_id,survey_id,channel/);
    expect(lines.length - 1).toBe(all.count);
    expect(buf.toString('utf8')).toContain('客服很耐心，身份证[ID]');
    // one column per configured item, including the complaint definition's own item
    expect(lines[0].split(',')).toEqual(expect.arrayContaining(['csat', 'nps', 'ces', 'open', 'rating_complaint_handling']));
    const fu = await (await fetch(`${base}/api/followups`, auth)).json();
    expect(fu.followups.map((f: any) => f.reason)).toEqual(expect.arrayContaining(['low_csat', 'not_resolved']));
    for (const path of ['/api/surveys.csv', '/api/followups']) expect((await fetch(`${base}${path}`)).status).toBe(401);
  });

  it('pages /api/surveys with a keyset cursor: every survey once, in order, with the total', async () => {
    const base = bot.app.url;
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    const all = await (await fetch(`${base}/api/surveys`, auth)).json();
    expect(all.total).toBe(all.count);
    const seen: string[] = [];
    let after = '';
    for (let i = 0; i < 100; i++) {
      const page = await (await fetch(`${base}/api/surveys?limit=3${after ? `&after=${after}` : ''}`, auth)).json();
      expect(page.total).toBe(all.total);
      seen.push(...page.surveys.map((x: any) => x.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual(all.surveys.map((x: any) => x.id));
    expect((await fetch(`${base}/api/surveys?limit=0`, auth)).status).toBe(400);
    expect((await fetch(`${base}/api/surveys?limit=5000`, auth)).status).toBe(400);
    expect((await fetch(`${base}/api/surveys?after=garbage`, auth)).status).toBe(400);
  });
});

describe('idle-timeout trigger', () => {
  let idle: TestBot;
  beforeAll(async () => {
    idle = await startTestBot({}, { survey: { settings: { idleTimeoutSeconds: 1, proactiveChannels: ['emulator'] }, idleTickMs: 200 } });
  });
  afterAll(async () => idle?.stop());

  it('offers the survey proactively after the idle time, and the customer can answer it', async () => {
    const c = idle.customer({ locale: 'en-US' });
    await c.say('I forgot my password, how can I reset it?');
    const all = await idle.channel.waitFor(c.conversationId, 4, 10_000);
    expect(all.slice(2).map((a) => a.text).join('\n')).toMatch(/how satisfied are you/i);
    c.newReplies();
    expect(c.texts(await c.say('4'))).toMatch(/Anything we could do better/);
    await c.say('skip');
    const s = await idle.app.db.get<{ trigger: string; status: string }>(
      'SELECT s.trigger, s.status FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ?',
      [c.conversationId],
    );
    expect(s).toEqual({ trigger: 'idle_timeout', status: 'complete' });
  });

  it('keeps the analyst API off when ANALYST_API_TOKEN is unset', async () => {
    expect((await fetch(`${idle.app.url}/api/surveys`)).status).toBe(404);
  });

  it('does not send proactive messages on channels that do not allow them', async () => {
    const c = idle.customer({ locale: 'en-US', channelId: 'sms' });
    await c.say('I forgot my password, how can I reset it?');
    await new Promise((r) => setTimeout(r, 1800));
    expect(c.newReplies()).toHaveLength(0);
    const n = await idle.app.db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ?',
      [c.conversationId],
    );
    expect(n!.n).toBe(0);
  });
});
