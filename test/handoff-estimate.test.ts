import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HandoffHub, type HandoffSettings } from '../src/handoff/hub';
import { HandoffQueue } from '../src/handoff/queue';
import { createLogger } from '../src/log';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { InteractionRepo } from '../src/storage/interactions';
import { startTestBot, type TestBot } from './helpers/app';
import { Agent } from './helpers/agent';

// Estimated wait = position × seconds per conversation (recent average handling time, else the
// default) ÷ agents online (at least 1).
describe('estimated wait (unit)', () => {
  let db: Db;
  let clock: Date;
  let hub: HandoffHub;
  let queue: HandoffQueue;
  const settings: HandoffSettings = { defaultWaitSeconds: 180, waitLimitSeconds: 600, agentTimeoutSeconds: 120, heartbeatMs: 15_000, tickMs: 5_000 };
  beforeEach(async () => {
    db = await openTestDb(':memory:');
    clock = new Date('2026-02-01T12:00:00Z');
    const now = () => clock;
    queue = new HandoffQueue(db, now);
    hub = new HandoffHub({
      db, queue, interactions: new InteractionRepo(db, (s) => s, now), log: createLogger('error'), settings, now,
      leaveMessage: async () => 0, offerSurvey: async () => false, surveyOpen: async () => false,
    });
  });
  afterEach(() => db.close());

  const resolved = async (acceptedAt: string, resolvedAt: string) =>
    db.run("INSERT INTO handoffs(interaction_id, reason, status, queued_at, accepted_at, resolved_at) VALUES ('x', 'asked', 'resolved', ?, ?, ?)", [acceptedAt, acceptedAt, resolvedAt]);

  it('falls back to the default per position with no history and nobody online', async () => {
    expect(await hub.estimatedWaitSeconds(1)).toBe(180);
    expect(await hub.estimatedWaitSeconds(3)).toBe(540);
    expect(await hub.estimatedWaitSeconds(0)).toBe(180); // not queued (yet): as position 1
  });

  it('scales with the position and divides by the agents online', async () => {
    await resolved('2026-02-01T10:00:00Z', '2026-02-01T10:04:00Z'); // 240 s
    await resolved('2026-02-01T11:00:00Z', '2026-02-01T11:06:00Z'); // 360 s → average 300 s
    await db.run("INSERT INTO handoffs(interaction_id, reason, status, queued_at, accepted_at, resolved_at) VALUES ('y', 'asked', 'cancelled', ?, ?, ?)",
      ['2026-02-01T11:00:00Z', '2026-02-01T11:00:00Z', '2026-02-01T11:59:00Z']); // cancelled: not handling time
    expect(await hub.estimatedWaitSeconds(1)).toBe(300); // nobody online counts as one agent
    await queue.seen('alice');
    await queue.seen('bob');
    expect(await queue.agentsOnline(120)).toBe(2);
    expect(await hub.estimatedWaitSeconds(1)).toBe(150);
    expect(await hub.estimatedWaitSeconds(3)).toBe(450);
    clock = new Date('2026-02-01T12:01:30Z');
    await queue.seen('bob'); // alice not seen for 90 s: still online (timeout 120 s)
    clock = new Date('2026-02-01T12:03:00Z'); // alice 180 s, bob 90 s
    expect(await queue.agentsOnline(120)).toBe(1);
    expect(await hub.estimatedWaitSeconds(3)).toBe(900);
    clock = new Date('2026-02-09T12:00:00Z'); // history older than a week is ignored
    expect(await hub.estimatedWaitSeconds(3)).toBe(540);
  });
});

describe('estimated wait in the queue message (e2e)', () => {
  let tb: TestBot;
  beforeAll(async () => {
    tb = await startTestBot({}, { handoff: { heartbeatMs: 200, tickMs: 100, agentTimeoutSeconds: 60, waitLimitSeconds: 3600, defaultWaitSeconds: 120 } });
  });
  afterAll(async () => tb?.stop());

  it('position 1 vs 3, then two agents online halve it', async () => {
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = tb.customer({ locale: 'en' });
      texts.push(c.texts(await c.say('agent')));
    }
    expect(texts[0]).toContain('You are number 1 in the queue; the estimated wait is about 2 min.');
    expect(texts[2]).toContain('You are number 3 in the queue; the estimated wait is about 6 min.');
    const alice = await new Agent(() => tb.app.url, 'alice').login();
    const bob = await new Agent(() => tb.app.url, 'bob').login();
    const q = await alice.json('/api/agent/queue'); // both have called the API: two agents online
    await bob.json('/api/agent/queue');
    expect((await bob.json('/api/agent/queue')).estimatedWaitSeconds).toBe(240); // next customer: position 4 × 120 s ÷ 2
    expect(q.queue).toHaveLength(3);
    const d = tb.customer({ locale: 'en' });
    expect(d.texts(await d.say('agent'))).toContain('You are number 4 in the queue; the estimated wait is about 4 min.');
  });
});
