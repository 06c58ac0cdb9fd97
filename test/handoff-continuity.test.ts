import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { Agent } from './helpers/agent';
import type { CapturedActivity, Customer } from './helpers/channel';

// What the customer hears and the agent sees around a handoff (issue 15 items 1-3, 5, 7).
let tb: TestBot;
const base = () => tb.app.url;
const messages = (r: CapturedActivity[]) => r.filter((a) => a.type === 'message');

beforeAll(async () => {
  tb = await startTestBot({}, { handoff: { heartbeatMs: 200, tickMs: 100, agentTimeoutSeconds: 60, waitLimitSeconds: 3600, defaultWaitSeconds: 150 } });
});
afterAll(async () => tb?.stop());

async function handoffOf(c: Customer) {
  return tb.app.db.get<any>('SELECT h.* FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ? ORDER BY h.id DESC', [c.conversationId]);
}

/** A bot-only interaction that ends in a completed short survey (CSAT + open question). */
async function surveyedFirst(c: Customer, zh: boolean) {
  await c.say(zh ? '忘记密码了怎么办' : 'I forgot my password, how can I reset it?');
  await c.say(zh ? '再见' : 'bye');
  await c.say('4');
  await c.say(zh ? '还行吧' : 'it was ok');
  expect((await tb.app.db.get<any>("SELECT COUNT(*) AS n FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ? AND s.status = 'complete'", [c.conversationId])).n).toBe(1);
}

describe('handoff continuity', () => {
  it('an already surveyed customer still hears the agent close the conversation, and the agent sees why no survey followed', async () => {
    const c = tb.customer({ locale: 'zh-CN' });
    await surveyedFirst(c, true);
    await c.say('我的包裹一直没到');
    expect(c.texts(messages(await c.say('转人工')))).toContain('第 1 位');
    const alice = await new Agent(base, 'alice').login();
    const h = await handoffOf(c);
    expect((await alice.fetch(`/api/agent/conversations/${h.id}/accept`, {})).status).toBe(200);

    // The agent sees the whole recent history: the earlier interaction with its survey, then this one.
    const conv = await alice.json(`/api/agent/conversations/${h.id}`);
    expect(conv.history.length).toBe(2);
    const [earlier, current] = conv.history;
    expect(earlier.current).toBe(false);
    expect(earlier.transcript.map((r: any) => r.text)).toContain('忘记密码了怎么办');
    expect(earlier.surveys[0].answers.map((a: any) => [a.item, a.value ?? a.valueText])).toEqual([['csat', 4], ['open', '还行吧']]);
    expect(earlier.feedback.map((f: any) => f.text)).toEqual(['还行吧']);
    expect(current.current).toBe(true);
    expect(current.transcript.map((r: any) => r.text)).toEqual(expect.arrayContaining(['我的包裹一直没到', '转人工']));

    // Replies go out as the agent: name on `from`, a person in channelData.
    const before = tb.channel.forConversation(c.conversationId).length;
    await alice.json(`/api/agent/conversations/${h.id}/messages`, { text: '您好，我来帮您查包裹。' });
    const sent = (await tb.channel.waitFor(c.conversationId, before + 1)).at(-1)!;
    expect(sent.text).toBe('您好，我来帮您查包裹。');
    expect(sent.from).toMatchObject({ name: 'Alice', role: 'bot' });
    expect((sent as any).channelData.agent).toEqual({ id: 'alice', name: 'Alice', role: 'agent' });

    c.newReplies();
    const r = await alice.json(`/api/agent/conversations/${h.id}/resolve`, {});
    expect(r).toMatchObject({ ok: true, surveyStarted: false, surveySkipped: 'cooldown', closingSent: true });
    const closing = c.texts(messages(c.newReplies()));
    expect(closing).toContain('人工客服 Alice 已结束本次服务');
    expect(closing).not.toMatch(/满意度/);
    const ev = (await tb.app.interactions.events(h.interaction_id)).filter((e) => e.kind === 'survey_not_offered');
    expect(JSON.parse(ev[0].detail!)).toMatchObject({ trigger: 'agent_resolved', reason: 'cooldown', handoffId: h.id });
  });

  it('a customer not yet surveyed gets the closing message in English and then the survey', async () => {
    const c = tb.customer({ locale: 'en-US' });
    await c.say('where is my parcel');
    await c.say('talk to a person');
    const bob = await new Agent(base, 'bob').login();
    const h = await handoffOf(c);
    await bob.json(`/api/agent/conversations/${h.id}/accept`, {});
    const n = tb.channel.forConversation(c.conversationId).length;
    const r = await bob.json(`/api/agent/conversations/${h.id}/resolve`, {});
    expect(r).toMatchObject({ surveyStarted: true, closingSent: true });
    expect(r.surveySkipped).toBeUndefined();
    const got = (await tb.channel.waitFor(c.conversationId, n + 2)).slice(n).map((a) => a.text ?? '');
    expect(got[0]).toMatch(/^Bob has closed this conversation/);
    expect(got.slice(1).join('\n')).toMatch(/how satisfied/i);
  });

  it('"yes please" to the proactive offer of a person queues the customer for that reason, not as "bot unsure"', async () => {
    const c = tb.customer({ locale: 'en-US' });
    await surveyedFirst(c, false);
    const fb = await tb.app.db.get<{ id: number }>('SELECT f.id FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE i.conversation_id = ?', [c.conversationId]);
    c.newReplies();
    expect((await tb.app.survey.recoverNegativeFeedback(fb!.id)).notified).toBe(true);
    expect(c.texts(c.newReplies())).toMatch(/talk to a person now/);
    const queued = c.texts(messages(await c.say('yes please')));
    expect(queued).toMatch(/number 1 in the queue/);
    const h = await handoffOf(c);
    expect(h.reason).toBe('recovery');
    const alice = await new Agent(base, 'alice').login();
    const q = await alice.json('/api/agent/queue');
    expect(q.queue.find((x: any) => x.id === h.id).reason).toBe('recovery');
    // The agent sees the earlier interaction with the negative answer that led here.
    const conv = await alice.json(`/api/agent/conversations/${h.id}`);
    expect(conv.history.flatMap((i: any) => i.transcript.map((r: any) => r.text))).toEqual(expect.arrayContaining(['it was ok', 'yes please']));
    await c.say('cancel');
  });

  it('"no" to that offer is acknowledged, and any other message lapses it and reaches the bot', async () => {
    const c = tb.customer({ locale: 'zh-CN' });
    await surveyedFirst(c, true);
    const fb = await tb.app.db.get<{ id: number }>('SELECT f.id FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE i.conversation_id = ?', [c.conversationId]);
    await tb.app.survey.recoverNegativeFeedback(fb!.id);
    c.newReplies();
    expect(c.texts(await c.say('不用，继续'))).toContain('我们的团队仍会跟进');
    expect(await handoffOf(c)).toBeUndefined();

    await tb.app.survey.recoverNegativeFeedback(fb!.id);
    c.newReplies();
    expect(c.texts(await c.say('怎么申请退款'))).toMatch(/退款/);
    expect(await handoffOf(c)).toBeUndefined();
  });

  it('the console shows each waiting customer the same estimate they were told', async () => {
    const a = tb.customer({ locale: 'en' });
    const b = tb.customer({ locale: 'zh-CN' });
    const toldA = Number(/about (\d+) min/.exec(a.texts(await a.say('agent')))![1]);
    const toldB = Number(/预计等待约 (\d+) 分钟/.exec(b.texts(await b.say('转人工')))![1]);
    const alice = await new Agent(base, 'alice').login();
    const q = await alice.json('/api/agent/queue');
    const ha = await handoffOf(a);
    const hb = await handoffOf(b);
    const qa = q.queue.find((x: any) => x.id === ha.id);
    const qb = q.queue.find((x: any) => x.id === hb.id);
    expect([qa.position, qb.position]).toEqual([1, 2]);
    expect(qa.estimatedWaitMinutes).toBe(toldA);
    expect(qb.estimatedWaitMinutes).toBe(toldB);
    expect(q.estimatedWaitMinutes).toBeGreaterThanOrEqual(qb.estimatedWaitMinutes);
    await a.say('cancel');
    await b.say('取消');
    const empty = await alice.json('/api/agent/queue');
    expect(empty.queue).toEqual([]);
  });
});
