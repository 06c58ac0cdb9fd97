import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { InteractionRepo } from '../src/storage/interactions';
import { loadSurveyConfig, type SurveySettings } from '../src/survey/definitions';
import { IdleScheduler, type IdleDue } from '../src/survey/idleScheduler';
import { SurveyRepo } from '../src/survey/surveyRepo';

let db: Db;
let clock: Date;
const now = () => clock;
const base = loadSurveyConfig('models/surveys.yaml').settings;
beforeEach(async () => {
  db = await openTestDb(':memory:');
  clock = new Date('2026-01-10T10:00:00Z');
});
afterEach(() => db.close());

async function answered(channel = 'webchat', conversationId = `c-${Math.random()}`) {
  const ir = new InteractionRepo(db, (s) => s, now);
  const i = await ir.open({ conversationId, userId: 'u', channel });
  await ir.update(i.id, { outcome: 'answered', customer_turns: 1 });
  await ir.saveReference({ conversation: { id: conversationId } as any, channelId: channel, user: { id: 'u' } as any, serviceUrl: 'http://127.0.0.1:1' });
  return i.id;
}

function scheduler(offers: IdleDue[], settings: Partial<SurveySettings> = {}) {
  return new IdleScheduler({
    interactions: new InteractionRepo(db, (s) => s, now),
    surveys: new SurveyRepo(db, now),
    settings: () => ({ ...base, idleTimeoutSeconds: 60, proactiveChannels: ['webchat'], ...settings }),
    offer: async (d) => void offers.push(d),
    now,
  });
}

describe('IdleScheduler', () => {
  it('derives due timers from the database, so a fresh scheduler (after a restart) fires them once', async () => {
    const id = await answered();
    const offers: IdleDue[] = [];
    clock = new Date('2026-01-10T10:00:59Z');
    await scheduler(offers).tick();
    expect(offers).toHaveLength(0);
    // "restart": a new scheduler instance over the same database
    clock = new Date('2026-01-10T10:01:01Z');
    await scheduler(offers).tick();
    await scheduler(offers).tick();
    expect(offers.map((o) => o.interactionId)).toEqual([id]);
    expect(offers[0].reference).toMatchObject({ serviceUrl: 'http://127.0.0.1:1' });
  });

  it('skips channels without proactive messages, disabled timeouts, ended and already surveyed interactions', async () => {
    await answered('sms');
    const surveyed = await answered();
    await new SurveyRepo(db, now).offer({ interactionId: surveyed, userId: 'u', definitionId: 'short', definitionVersion: 1, trigger: 'goodbye', channel: 'webchat' });
    const ended = await answered();
    await new InteractionRepo(db, (s) => s, now).end(ended);
    const offers: IdleDue[] = [];
    clock = new Date('2026-01-10T11:00:00Z');
    await scheduler(offers, { idleTimeoutEnabled: false }).tick();
    await scheduler(offers).tick();
    expect(offers).toHaveLength(0);
  });

  it('skips conversations with an open handoff (queued, held by an agent or by an external hub), not closed ones', async () => {
    const ids: Record<string, string> = {};
    for (const status of ['queued', 'assigned', 'external', 'resolved', 'cancelled']) {
      ids[status] = await answered();
      await db.run("INSERT INTO handoffs(interaction_id, reason, status, queued_at) VALUES (?, 'asked', ?, ?)", [ids[status], status, clock.toISOString()]);
    }
    // An open handoff on an earlier (ended) interaction of the same conversation also counts.
    const conv = `c-${Math.random()}`;
    const earlier = await answered('webchat', conv);
    await new InteractionRepo(db, (s) => s, now).end(earlier);
    await db.run("INSERT INTO handoffs(interaction_id, reason, status, queued_at) VALUES (?, 'recovery', 'queued', ?)", [earlier, clock.toISOString()]);
    const later = await answered('webchat', conv);
    const offers: IdleDue[] = [];
    clock = new Date('2026-01-10T11:00:00Z');
    await scheduler(offers).tick();
    expect(offers.map((o) => o.interactionId).sort()).toEqual([ids.resolved, ids.cancelled].sort());
    expect(offers.map((o) => o.interactionId)).not.toContain(later);
  });

  it('marks surveys left open past the abandon limit: unanswered if never answered, else incomplete', async () => {
    const id = await answered();
    const repo = new SurveyRepo(db, now);
    const sid = await repo.offer({ interactionId: id, userId: 'u', definitionId: 'short', definitionVersion: 1, trigger: 'goodbye', channel: 'webchat' });
    const sid2 = await repo.offer({ interactionId: await answered(), userId: 'u2', definitionId: 'short', definitionVersion: 1, trigger: 'goodbye', channel: 'webchat' });
    await repo.answer(sid2, { itemId: 'csat', kind: 'csat', value: 4, mode: 'typed' });
    clock = new Date('2026-01-10T10:31:00Z');
    await scheduler([], { abandonAfterMinutes: 30 }).tick();
    // an ignored survey is not a response: counting it as incomplete inflated the response rate
    expect((await repo.get(sid))!.status).toBe('unanswered');
    expect((await repo.get(sid2))!.status).toBe('incomplete');
  });
});
