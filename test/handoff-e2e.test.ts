import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { Agent } from './helpers/agent';
import type { CapturedActivity, Customer } from './helpers/channel';

let tb: TestBot;
const base = () => tb.app.url;
const messages = (r: CapturedActivity[]) => r.filter((a) => a.type === 'message');

beforeAll(async () => {
  tb = await startTestBot({}, { handoff: { heartbeatMs: 200, tickMs: 100, agentTimeoutSeconds: 60, waitLimitSeconds: 3600, defaultWaitSeconds: 240 } });
});
afterAll(async () => tb?.stop());

async function handoffOf(c: Customer) {
  return tb.app.db.get<any>('SELECT h.* FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ? ORDER BY h.id DESC', [c.conversationId]);
}

describe('human handoff end to end over HTTP', () => {
  it('queues, relays both ways, survives a restart, resolves into the agent-handled survey', async () => {
    const customer = tb.customer({ locale: 'zh-CN' });
    const queued = await customer.say('转人工');
    const text = customer.texts(messages(queued));
    expect(text).toContain('第 1 位');
    expect(text).toContain('预计等待约 4 分钟'); // configured default while nothing was accepted yet
    const initiate = queued.find((a) => a.type === 'event' && a.name === 'handoff.initiate');
    expect(initiate, 'handoff.initiate event').toBeTruthy();
    expect(JSON.stringify(initiate!.attachments)).toContain('转人工');

    expect((await fetch(`${base()}/api/agent/queue`)).status).toBe(401);
    const alice = await new Agent(base, 'alice').login();
    const bob = await new Agent(base, 'bob').login();
    const q = await alice.json('/api/agent/queue');
    expect(q.queue).toHaveLength(1);
    expect(q.queue[0].waitSeconds).toBeGreaterThanOrEqual(0);
    const id = q.queue[0].id;

    // While queued the bot is silent, but the message is kept.
    expect(messages(await customer.say('还在吗？'))).toHaveLength(0);

    expect((await alice.fetch(`/api/agent/conversations/${id}/accept`, {})).status).toBe(200);
    expect((await bob.fetch(`/api/agent/conversations/${id}/accept`, {})).status).toBe(409);
    expect((await bob.fetch(`/api/agent/conversations/${id}`)).status).toBe(403);
    expect((await bob.fetch(`/api/agent/conversations/${id}/messages`, { text: 'hi' })).status).toBe(403);
    expect(customer.texts(customer.newReplies())).toContain('人工客服 Alice 已加入对话');

    const events = await alice.stream();
    await customer.say('我的订单还没到，电话 13812345678');
    const relayed = await events.waitFor((e) => e.event === 'message' && e.data.role === 'customer');
    expect(relayed.data.text).toContain('订单');
    expect(relayed.data.text).not.toContain('13812345678'); // redacted before it leaves the store
    const conv = await alice.json(`/api/agent/conversations/${id}`);
    expect(conv.interaction.locale).toBe('zh-CN');
    expect(conv.transcript.map((r: any) => r.text)).toEqual(expect.arrayContaining(['转人工', '还在吗？']));

    const before = tb.channel.forConversation(customer.conversationId).length;
    expect((await alice.fetch(`/api/agent/conversations/${id}/messages`, { text: '您好，我是 Alice，正在为您查询。' })).status).toBe(201);
    const got = await tb.channel.waitFor(customer.conversationId, before + 1);
    expect(got.at(-1)!.text).toBe('您好，我是 Alice，正在为您查询。');
    customer.newReplies();
    expect((await alice.fetch(`/api/agent/conversations/${id}/note`, { text: 'order 42 delayed' })).status).toBe(201);
    await tb.restart(); // with the event stream still open: close() must end it, not hang
    events.close();
    const after = await alice.json(`/api/agent/conversations/${id}`);
    expect(after.handoff.status).toBe('assigned');
    expect(after.handoff.agentId).toBe('alice');
    expect(after.notes[0].text).toBe('order 42 delayed');
    expect(messages(await customer.say('好的谢谢'))).toHaveLength(0); // still held after the restart

    const n = tb.channel.forConversation(customer.conversationId).length;
    const r = await alice.json(`/api/agent/conversations/${id}/resolve`, {});
    expect(r.surveyStarted).toBe(true);
    const survey = await tb.channel.waitFor(customer.conversationId, n + 1);
    expect(survey.slice(n).map((a) => a.text).join('\n')).toMatch(/满意|评分|评价/);
    const row = await tb.app.db.get<any>('SELECT s.agent_id, s.trigger FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ?', [customer.conversationId]);
    expect(row).toEqual({ agent_id: 'alice', trigger: 'agent_resolved' });
    const m = await tb.app.db.get<any>('SELECT handled_by, agent_id, queue_wait_seconds, first_reply_seconds, handling_seconds FROM interactions WHERE conversation_id = ?', [customer.conversationId]);
    expect(m.handled_by).toBe('agent');
    expect(m.agent_id).toBe('alice');
    for (const k of ['queue_wait_seconds', 'first_reply_seconds', 'handling_seconds']) expect(m[k], k).toBeGreaterThan(0);
    expect(m.first_reply_seconds).toBeGreaterThanOrEqual(m.queue_wait_seconds);
    // Released: the customer's answer goes to the survey, not to the agent.
    expect(await handoffOf(customer)).toMatchObject({ status: 'resolved' });
  }, 30_000);

  it('exactly one of four concurrent accepts wins', async () => {
    const customer = tb.customer({ locale: 'en' });
    await customer.say('agent');
    const alice = await new Agent(base, 'alice').login();
    const bob = await new Agent(base, 'bob').login();
    const h = await handoffOf(customer);
    const res = await Promise.all([alice, bob, alice, bob].map((a) => a.fetch(`/api/agent/conversations/${h.id}/accept`, {})));
    expect(res.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    // The winner transfers to the other agent, who then holds it alone.
    const winner = (await handoffOf(customer)).agent_id === 'alice' ? alice : bob;
    const other = winner === alice ? bob : alice;
    expect((await winner.fetch(`/api/agent/conversations/${h.id}/transfer`, { to: 'nobody' })).status).toBe(400);
    expect((await other.fetch(`/api/agent/conversations/${h.id}/transfer`, { to: winner.id })).status).toBe(403);
    expect((await winner.fetch(`/api/agent/conversations/${h.id}/transfer`, { to: other.id })).status).toBe(200);
    expect((await winner.fetch(`/api/agent/conversations/${h.id}`)).status).toBe(403);
    expect((await other.json(`/api/agent/conversations/${h.id}`)).handoff.agentId).toBe(other.id);
    expect((await tb.app.db.get<any>('SELECT transfers FROM interactions WHERE conversation_id = ?', [customer.conversationId])).transfers).toBe(1);
    expect((await fetch(`${base()}/api/agent/events`)).status).toBe(401);
  });

  it('cancel leaves the queue and the bot answers again', async () => {
    const customer = tb.customer({ locale: 'en' });
    expect(customer.texts(await customer.say('agent'))).toMatch(/number \d+ in the queue/);
    expect(customer.texts(await customer.say('cancel'))).toContain('left the queue');
    expect(await handoffOf(customer)).toMatchObject({ status: 'cancelled' });
    expect(messages(await customer.say('hello')).length).toBeGreaterThan(0);
  });

  it('a complaint goes to the front of the queue with priority', async () => {
    const a = tb.customer({ locale: 'en' });
    await a.say('agent');
    const c = tb.customer({ locale: 'zh-CN' });
    expect(c.texts(await c.say('我要投诉你们的快递员'))).toContain('第 1 位');
    expect(await handoffOf(c)).toMatchObject({ reason: 'complaint', priority: 10 });
    const i = await tb.app.db.get<any>('SELECT complaint FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    expect(i.complaint).toBe(1);
    // First message was the complaint: resolving still starts the agent-handled survey.
    const bob = await new Agent(base, 'bob').login();
    const h = await handoffOf(c);
    await bob.json(`/api/agent/conversations/${h.id}/accept`, {});
    await bob.json(`/api/agent/conversations/${h.id}/messages`, { text: '非常抱歉，我来处理。' });
    const n = tb.channel.forConversation(c.conversationId).length;
    expect((await bob.json(`/api/agent/conversations/${h.id}/resolve`, {})).surveyStarted).toBe(true);
    await tb.channel.waitFor(c.conversationId, n + 1);
    c.newReplies();
    const m = await tb.app.db.get<any>('SELECT complaint_first_response_hours, complaint_closed_hours FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    expect(m.complaint_first_response_hours).toBeGreaterThan(0);
    expect(m.complaint_closed_hours).toBeGreaterThan(0);
    // The survey answer reaches the survey dialog (the bot is back, the agent released it).
    const answer = await c.say('4');
    expect(messages(answer).length).toBeGreaterThan(0);
    const s = await tb.app.db.get<any>('SELECT s.id FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ?', [c.conversationId]);
    const answers = await tb.app.db.all<any>('SELECT item_id, value FROM survey_answers WHERE survey_id = ?', [s.id]);
    expect(answers.length).toBeGreaterThan(0);
  });

  it('two low-confidence answers queue the customer', async () => {
    const customer = tb.customer({ locale: 'en' });
    expect(customer.texts(await customer.say('zorp blivet quantum frobnicator'))).not.toMatch(/in the queue/);
    expect(customer.texts(await customer.say('glarb snerk wibble florp'))).toMatch(/number \d+ in the queue/);
    expect(await handoffOf(customer)).toMatchObject({ reason: 'low_confidence', status: 'queued' });
  });

  it('an accepted survey recovery offer queues the customer', async () => {
    const c = tb.customer({ locale: 'en-US' });
    await c.say('I forgot my password, how can I reset it?');
    await c.say('bye');
    expect(JSON.stringify(await c.say('1'))).toMatch(/talk to a person/); // the apology card carries the words
    const done = await c.say(undefined, { value: { surveyItem: '__recovery__', value: 'yes' } });
    expect(c.texts(done)).toMatch(/number \d+ in the queue/);
    expect(await handoffOf(c)).toMatchObject({ reason: 'recovery', status: 'queued' });
    // Recorded on the interaction like the other triggers.
    const i = await tb.app.db.get<any>('SELECT id, handoff_offered, handoff_reason FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    expect(i).toMatchObject({ handoff_offered: 1, handoff_reason: 'recovery' });
    expect((await tb.app.interactions.events(i.id)).some((e) => e.kind === 'handoff_requested' && JSON.parse(e.detail!).reason === 'recovery')).toBe(true);
    expect(messages(await c.say('hello?'))).toHaveLength(0); // held for a person, even though the interaction ended
  });

  it('tells a zh-TW customer the queue position and wait in Traditional Chinese', async () => {
    const c = tb.customer({ locale: 'zh-TW' });
    expect(c.texts(await c.say('轉人工'))).toMatch(/^正在為您轉接真人客服。您目前排在第 \d+ 位，預計等待約 \d+ 分鐘。輸入「取消」可返回智慧助理。$/m);
    expect(c.texts(await c.say('取消'))).toContain('您已退出排隊');
  });

  const status = async (c: Customer, state: string) => {
    const res = await c.post(c.activity({ type: 'event', name: 'handoff.status', value: { state }, text: undefined }));
    expect(res.status).toBeLessThan(300);
  };

  it('handoff.status accepted takes the request out of the built-in queue; completed returns the conversation to the bot', async () => {
    const customer = tb.customer({ locale: 'en' });
    await customer.say('agent');
    const h = await handoffOf(customer);
    const alice = await new Agent(base, 'alice').login();
    expect((await alice.json('/api/agent/queue')).queue.map((x: any) => x.id)).toContain(h.id);

    await status(customer, 'accepted');
    expect(await handoffOf(customer)).toMatchObject({ status: 'external', agent_id: null });
    expect((await alice.json('/api/agent/queue')).queue.map((x: any) => x.id)).not.toContain(h.id);
    expect((await alice.fetch(`/api/agent/conversations/${h.id}/accept`, {})).status).toBe(409);
    expect((await alice.fetch(`/api/agent/conversations/${h.id}`)).status).toBe(403);
    expect(messages(await customer.say('hello, who is this?'))).toHaveLength(0); // the external agent has it; the bot is silent
    const wait = await tb.app.db.get<any>('SELECT queue_wait_seconds FROM interactions WHERE conversation_id = ?', [customer.conversationId]);
    expect(wait.queue_wait_seconds).toBeGreaterThanOrEqual(0);

    await status(customer, 'completed');
    const i = await tb.app.db.get<any>('SELECT id FROM interactions WHERE conversation_id = ?', [customer.conversationId]);
    const ev = (await tb.app.interactions.events(i.id)).filter((e) => e.kind === 'handoff_status').map((e) => JSON.parse(e.detail!).state);
    expect(ev).toEqual(['accepted', 'completed']);
    expect(await handoffOf(customer)).toMatchObject({ status: 'cancelled' });
    expect(messages(await customer.say('hello')).length).toBeGreaterThan(0);
  });

  it('handoff.status failed puts the customer back with the bot, in their language, with the offer to leave a message', async () => {
    const c = tb.customer({ locale: 'zh-CN' });
    await c.say('转人工');
    await status(c, 'accepted'); // held by the external hub, which then gives up
    await status(c, 'failed');
    const notice = c.newReplies().filter((a) => a.type === 'message');
    expect(notice).toHaveLength(1);
    expect(notice[0].text).toContain('抱歉，暂时无法为您转接人工客服，智能助手继续为您服务');
    expect(notice[0].suggestedActions?.actions.map((x) => x.title)).toEqual(['留言']);
    expect(await handoffOf(c)).toMatchObject({ status: 'cancelled' });
    const i = await tb.app.db.get<any>('SELECT id FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    expect((await tb.app.interactions.events(i.id)).map((e) => e.kind)).toContain('handoff_failed');

    expect(c.texts(await c.say('留言'))).toContain('请在一条消息里写下您的留言和联系方式');
    expect(c.texts(await c.say('请回电 13812345678，订单 77 没到'))).toContain('您的留言已转交客服团队');
    const f = await tb.app.db.get<any>('SELECT f.reason, f.note FROM followups f JOIN interactions i ON i.id = f.interaction_id WHERE i.conversation_id = ?', [c.conversationId]);
    expect(f.reason).toBe('left_message');
    expect(f.note).toContain('订单 77');
    expect(f.note).not.toContain('13812345678');
    expect(messages(await c.say('你好')).length).toBeGreaterThan(0); // the bot answers again

    // Declining the offer (any other reply) lets the bot answer it, and the offer lapses.
    const d = tb.customer({ locale: 'en' });
    await d.say('agent');
    await status(d, 'failed');
    expect(d.texts(d.newReplies())).toContain('could not connect you with a person');
    expect(messages(await d.say('hello')).length).toBeGreaterThan(0);
    expect(d.texts(await d.say('Leave a message'))).not.toContain('type your message');
  });
});

describe('wait limit and vanished agents', () => {
  let tb2: TestBot;
  beforeAll(async () => {
    tb2 = await startTestBot({}, { handoff: { heartbeatMs: 100, tickMs: 100, agentTimeoutSeconds: 1, waitLimitSeconds: 1 } });
  });
  afterAll(async () => tb2?.stop());

  it('apologises past the wait limit and turns a left message into a follow-up', async () => {
    const customer = tb2.customer({ locale: 'en' });
    await customer.say('agent');
    const n = tb2.channel.forConversation(customer.conversationId).length;
    const apology = await tb2.channel.waitFor(customer.conversationId, n + 1, 5000);
    expect(apology.at(-1)!.text).toContain('Sorry for the long wait');
    customer.newReplies();
    expect(customer.texts(await customer.say('Leave a message'))).toContain('type your message');
    expect(customer.texts(await customer.say('Please call me back at 13812345678 about order 42'))).toContain('passed to our service team');
    const f = await tb2.app.db.get<any>("SELECT f.reason, f.note FROM followups f JOIN interactions i ON i.id = f.interaction_id WHERE i.conversation_id = ?", [customer.conversationId]);
    expect(f.reason).toBe('left_message');
    expect(f.note).toContain('order 42');
    expect(f.note).not.toContain('13812345678');
    expect(await tb2.app.db.get<any>("SELECT status FROM handoffs ORDER BY id DESC LIMIT 1")).toMatchObject({ status: 'cancelled' });
  });

  it("requeues an agent's conversations when their event stream stays away; a live stream keeps them", async () => {
    const c1 = tb2.customer({ locale: 'en' });
    const c2 = tb2.customer({ locale: 'en' });
    await c1.say('agent');
    await c2.say('agent');
    const alice = await new Agent(() => tb2.app.url, 'alice').login();
    const bob = await new Agent(() => tb2.app.url, 'bob').login();
    const h1 = (await tb2.app.db.get<any>('SELECT h.id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ?', [c1.conversationId])).id;
    const h2 = (await tb2.app.db.get<any>('SELECT h.id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ?', [c2.conversationId])).id;
    const s = await alice.stream();
    await alice.json(`/api/agent/conversations/${h1}/accept`, {});
    await bob.json(`/api/agent/conversations/${h2}/accept`, {});
    await new Promise((r) => setTimeout(r, 2500));
    const status = async (id: number) => (await tb2.app.db.get<any>('SELECT status FROM handoffs WHERE id = ?', [id])).status;
    expect(await status(h1)).toBe('assigned');
    expect(await status(h2)).toBe('queued');
    // The requeued customer is told, with their position; the requeue is recorded.
    expect(tb2.channel.forConversation(c2.conversationId).map((a) => a.text ?? '').join('\n')).toMatch(
      /agent who was helping you has been disconnected\. You are back in the queue as number 1;/,
    );
    const ev = await tb2.app.db.all<any>("SELECT e.detail FROM interaction_events e JOIN interactions i ON i.id = e.interaction_id WHERE i.conversation_id = ? AND e.kind = 'handoff_requeued'", [c2.conversationId]);
    expect(ev.map((e) => JSON.parse(e.detail))).toEqual([{ handoffId: h2, previousAgentId: 'bob', position: 1 }]);
    expect(tb2.channel.forConversation(c1.conversationId).map((a) => a.text ?? '').join('\n')).not.toContain('disconnected');
    s.close();
  });
});

describe('handoff over Direct Line (the Web Chat channel)', () => {
  let tb3: TestBot;
  const SECRET = 'handoff-dl-secret';
  beforeAll(async () => {
    tb3 = await startTestBot({ DIRECTLINE_SECRET: SECRET }, { handoff: { heartbeatMs: 200, tickMs: 100 } });
  });
  afterAll(async () => tb3?.stop());

  it('the agent reply and the survey reach a Direct Line customer', async () => {
    const dl = `${tb3.app.url}/directline/v3/directline`;
    const h = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
    const conv = (await (await fetch(`${dl}/conversations`, { method: 'POST', headers: h, body: JSON.stringify({ locale: 'en-US' }) })).json()) as { conversationId: string };
    const say = (text: string) =>
      fetch(`${dl}/conversations/${conv.conversationId}/activities`, { method: 'POST', headers: h, body: JSON.stringify({ type: 'message', from: { id: 'dl-user-1' }, text, locale: 'en-US' }) });
    const botTexts = async () => {
      const r = (await (await fetch(`${dl}/conversations/${conv.conversationId}/activities`, { headers: h })).json()) as { activities: any[] };
      return r.activities.filter((a) => a.from?.id !== 'dl-user-1' && a.type === 'message').map((a) => a.text as string);
    };
    const until = async (pred: (t: string[]) => boolean) => {
      for (let i = 0; i < 100; i++) {
        const t = await botTexts();
        if (pred(t)) return t;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`not seen; have ${JSON.stringify(await botTexts())}`);
    };
    expect((await say('I want to talk to a person')).status).toBeLessThan(300);
    await until((t) => t.some((x) => /in the queue/.test(x)));
    const alice = await new Agent(() => tb3.app.url, 'alice').login();
    const q = await alice.json('/api/agent/queue');
    await alice.json(`/api/agent/conversations/${q.queue[0].id}/accept`, {});
    await alice.json(`/api/agent/conversations/${q.queue[0].id}/messages`, { text: 'Hi, Alice here.' });
    await until((t) => t.includes('Hi, Alice here.'));
    await alice.json(`/api/agent/conversations/${q.queue[0].id}/resolve`, {});
    await until((t) => t.some((x) => /satisf/i.test(x)));
  }, 20_000);
});
