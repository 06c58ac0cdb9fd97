import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { Agent } from './helpers/agent';
import type { Customer } from './helpers/channel';

// The idle-timeout survey (1 s here) must not fire while the customer waits for, or talks to, a person:
// it would take the survey slot and the agent-handled survey after resolve would be refused.
let tb: TestBot;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  tb = await startTestBot(
    {},
    {
      survey: { settings: { idleTimeoutSeconds: 1, proactiveChannels: ['emulator'] }, idleTickMs: 100 },
      handoff: { heartbeatMs: 200, tickMs: 100, agentTimeoutSeconds: 60, waitLimitSeconds: 3600 },
    },
  );
});
afterAll(async () => tb?.stop());

const surveysOf = (c: Customer) =>
  tb.app.db.all<{ trigger: string; agent_id: string | null }>(
    'SELECT s.trigger, s.agent_id FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ?',
    [c.conversationId],
  );
const idleFired = async (c: Customer) =>
  (
    await tb.app.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM interaction_events e JOIN interactions i ON i.id = e.interaction_id WHERE i.conversation_id = ? AND e.kind = 'idle_timeout_fired'",
      [c.conversationId],
    )
  )!.n;

describe('idle-timeout survey and handoff', () => {
  it('does not survey a queued or held customer; the agent-handled survey credits the agent', async () => {
    const control = tb.customer({ locale: 'en-US' }); // answered, never handed off: gets the idle survey
    const c = tb.customer({ locale: 'en-US' });
    await control.say('I forgot my password, how can I reset it?');
    await c.say('I forgot my password, how can I reset it?');
    expect(c.texts(await c.say('agent'))).toMatch(/number \d+ in the queue/);

    await sleep(2500); // queued and quiet well past the idle timeout
    expect(await idleFired(control)).toBe(1);
    expect(await surveysOf(control)).toMatchObject([{ trigger: 'idle_timeout' }]);
    expect(await idleFired(c)).toBe(0);
    expect(await surveysOf(c)).toEqual([]);
    expect(c.newReplies().filter((a) => a.type === 'message')).toHaveLength(0);

    const alice = await new Agent(() => tb.app.url, 'alice').login();
    const h = await tb.app.db.get<{ id: number }>('SELECT h.id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ?', [c.conversationId]);
    await alice.json(`/api/agent/conversations/${h!.id}/accept`, {});
    await alice.json(`/api/agent/conversations/${h!.id}/messages`, { text: 'Hi, Alice here.' });
    const touched = await tb.app.db.get<{ last_activity_at: string }>('SELECT last_activity_at FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    expect(Date.now() - Date.parse(touched!.last_activity_at)).toBeLessThan(2000); // agent messages move the idle clock too

    await sleep(2000); // held by the agent, customer quiet
    expect(await idleFired(c)).toBe(0);
    expect(await surveysOf(c)).toEqual([]);

    const n = tb.channel.forConversation(c.conversationId).length;
    expect((await alice.json(`/api/agent/conversations/${h!.id}/resolve`, {})).surveyStarted).toBe(true);
    await tb.channel.waitFor(c.conversationId, n + 1);
    expect(await surveysOf(c)).toEqual([{ trigger: 'agent_resolved', agent_id: 'alice' }]);
  }, 20_000);
});
