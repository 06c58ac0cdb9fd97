import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from './helpers/agent';
import { testDatabaseUrl } from './helpers/db';
import { startInstances, type Instances } from './helpers/instances';

// Two real instances (own HTTP servers, own pools) on one PostgreSQL schema, no sticky sessions.
const on = !!testDatabaseUrl && process.env.TEST_ENGINE === 'postgres';
let m: Instances;
beforeAll(async () => {
  if (!on) return;
  m = await startInstances(
    2,
    {},
    {
      survey: { settings: { idleTimeoutSeconds: 1, proactiveChannels: ['emulator'] }, idleTickMs: 100 },
      handoff: { heartbeatMs: 200, tickMs: 100, agentTimeoutSeconds: 60, waitLimitSeconds: 3600, defaultWaitSeconds: 240 },
    },
  );
}, 120_000);
afterAll(async () => m?.stop());

const submit = (item: string, value: unknown) => ({ value: { surveyItem: item, value } });
const db = () => m.apps[0].db;

describe.skipIf(!on)('two instances on one PostgreSQL', () => {
  it('carries one conversation through a whole survey with every turn on the other instance', async () => {
    const c = m.customer({ locale: 'en-US' }); // turn n goes to instance n % 2
    await c.say('I forgot my password, how can I reset it?');
    await db().run("UPDATE interactions SET handled_by = 'agent', agent_id = 'agent-1' WHERE conversation_id = ?", [c.conversationId]);
    expect(c.texts(await c.say('bye'))).toMatch(/Overall, how satisfied/);
    expect(c.texts(await c.say(undefined, submit('csat', 4)))).toMatch(/problem resolved/);
    expect(c.texts(await c.say(undefined, submit('resolved', 'yes')))).toMatch(/recommend/);
    expect(c.texts(await c.say('8'))).toMatch(/How easy/); // typed
    await c.say(undefined, submit('ces', 6));
    await c.say(undefined, submit('rating_response_speed', 5));
    await c.say(undefined, submit('rating_attitude', 4));
    expect(c.texts(await c.say(undefined, submit('rating_professionalism', 5)))).toMatch(/Anything we could do better/);
    expect(c.texts(await c.say('Quick and friendly, thanks'))).toBe('Thank you for your feedback!');
    const answers = await db().all<{ item_id: string; value: number | null }>(
      `SELECT a.item_id, a.value FROM survey_answers a JOIN surveys s ON s.id = a.survey_id JOIN interactions i ON i.id = s.interaction_id
        WHERE i.conversation_id = ? ORDER BY a.answered_at`,
      [c.conversationId],
    );
    expect(answers.map((a) => a.item_id)).toEqual(['csat', 'resolved', 'nps', 'ces', 'rating_response_speed', 'rating_attitude', 'rating_professionalism', 'open']);
    expect(answers.find((a) => a.item_id === 'nps')?.value).toBe(8);
    const s = await db().get<{ status: string }>('SELECT s.status FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ?', [c.conversationId]);
    expect(s?.status).toBe('complete');
  });

  it('runs two simultaneous messages of one conversation on two instances one after the other, and a redelivery once', async () => {
    const c = m.customer({ locale: 'en-US' });
    await c.say('hello');
    const a1 = c.activity({ text: 'How do I reset my password?' });
    const a2 = c.activity({ text: 'bye' });
    // both at once, one per instance; the second is also redelivered to the first instance
    const rs = await Promise.all([
      fetch(`${m.apps[0].url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a1) }),
      fetch(`${m.apps[1].url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a2) }),
      fetch(`${m.apps[0].url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a2) }),
    ]);
    expect(rs.map((r) => r.status < 300)).toEqual([true, true, true]);
    // Either order is valid (if 'bye' runs first the survey takes the other message), but each ran once.
    const byes = await db().get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM transcript t JOIN interactions i ON i.id = t.interaction_id WHERE i.conversation_id = ? AND t.role = 'customer' AND t.text = 'bye'",
      [c.conversationId],
    );
    expect(byes?.n).toBe(1);
    const processed = await db().get<{ n: number }>('SELECT COUNT(*) AS n FROM processed_activities WHERE conversation_id = ?', [c.conversationId]);
    expect(processed?.n).toBe(3);
  });

  it('offers the idle survey once, not once per instance', async () => {
    const c = m.customer({ locale: 'en-US' });
    await c.say('How do I reset my password?');
    const deadline = Date.now() + 8000;
    let fired = 0;
    while (Date.now() < deadline) {
      fired = (await db().get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM interaction_events e JOIN interactions i ON i.id = e.interaction_id WHERE i.conversation_id = ? AND e.kind = 'idle_timeout_fired'",
        [c.conversationId],
      ))!.n;
      if (fired) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(fired).toBe(1);
    await new Promise((r) => setTimeout(r, 1500)); // several more ticks on both instances
    const offers = m.channel.forConversation(c.conversationId).filter((a) => /how satisfied/i.test(a.text ?? ''));
    expect(offers).toHaveLength(1);
    const events = await db().get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM interaction_events e JOIN interactions i ON i.id = e.interaction_id WHERE i.conversation_id = ? AND e.kind = 'idle_timeout_fired'",
      [c.conversationId],
    );
    expect(events?.n).toBe(1);
  });

  it('lets an agent on instance B take over a customer who writes to instance A, both ways, live', async () => {
    const c = m.customer({ locale: 'zh-CN' }, () => 0); // the customer's channel reaches instance A only
    expect(c.texts(await c.say('转人工'))).toContain('第 1 位');
    const b = () => m.apps[1].url;
    const alice = await new Agent(b, 'alice').login();
    const q = await alice.json('/api/agent/queue');
    const h = q.queue.find((x: any) => x.conversationId === c.conversationId) ?? q.queue[0];
    expect((await alice.fetch(`/api/agent/conversations/${h.id}/accept`, {})).status).toBe(200);
    const events = await alice.stream(); // the console's live stream is held by instance B
    await c.say('我的订单还没到');
    const relayed = await events.waitFor((e) => e.event === 'message' && e.data.role === 'customer', 8000);
    expect(relayed.data.text).toContain('订单');
    const before = m.channel.forConversation(c.conversationId).length;
    expect((await alice.fetch(`/api/agent/conversations/${h.id}/messages`, { text: '您好，我是 Alice，正在查询。' })).status).toBe(201);
    const got = await m.channel.waitFor(c.conversationId, before + 1);
    expect(got[got.length - 1].text).toContain('Alice');
    events.close();
  });
});
