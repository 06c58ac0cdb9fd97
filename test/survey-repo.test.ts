import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { InteractionRepo } from '../src/storage/interactions';
import { loadSurveyConfig } from '../src/survey/definitions';
import { Eligibility } from '../src/survey/eligibility';
import { FollowupRepo, createFollowupForNegativeFeedback } from '../src/survey/followups';
import { SurveyRepo } from '../src/survey/surveyRepo';

let db: Db;
let clock: Date;
const now = () => clock;
beforeEach(async () => {
  db = await openTestDb(':memory:');
  clock = new Date('2026-01-10T10:00:00Z');
});
afterEach(() => db.close());

async function interaction(userId = 'u1', turns = 2, isTest = false) {
  const ir = new InteractionRepo(db, (s) => s, now);
  const i = await ir.open({ conversationId: `c-${Math.random()}`, userId, channel: 'webchat', isTest });
  await ir.update(i.id, { customer_turns: turns });
  return i.id;
}

describe('SurveyRepo', () => {
  it('offers, saves answers immediately (upsert), completes and counts response rates', async () => {
    const repo = new SurveyRepo(db, now);
    const iid = await interaction();
    const sid = await repo.offer({ interactionId: iid, userId: 'u1', definitionId: 'short', definitionVersion: 1, trigger: 'goodbye', channel: 'webchat', locale: 'en' });
    expect((await repo.get(sid))!.status).toBe('offered');
    await repo.answer(sid, { itemId: 'csat', kind: 'csat', value: 2, rawText: '2', mode: 'typed' });
    await repo.answer(sid, { itemId: 'csat', kind: 'csat', value: 4, rawText: '4', mode: 'card' });
    const a = await repo.answers(sid);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ value: 4, input_mode: 'card' });
    expect((await repo.get(sid))!.status).toBe('started');
    await repo.complete(sid);
    const iid2 = await interaction('u2');
    const sid2 = await repo.offer({ interactionId: iid2, userId: 'u2', definitionId: 'short', definitionVersion: 1, trigger: 'goodbye', channel: 'msteams' });
    await repo.decline(sid2);
    expect(await repo.responseRates()).toEqual({ offered: 2, started: 1, completed: 1, responseRate: 0.5, completionRate: 0.5 });
    expect((await repo.list({ complete: true })).map((s) => s.id)).toEqual([sid]);
    expect((await repo.list({ channel: 'msteams' })).map((s) => s.id)).toEqual([sid2]);
    expect(await repo.list({ from: '2026-01-11T00:00:00Z' })).toHaveLength(0);
  });

  it('marks surveys left open as incomplete after the idle limit', async () => {
    const repo = new SurveyRepo(db, now);
    const sid = await repo.offer({ interactionId: await interaction(), userId: 'u1', definitionId: 'd', definitionVersion: 1, trigger: 'goodbye', channel: 'webchat' });
    await repo.answer(sid, { itemId: 'csat', kind: 'csat', value: 5, mode: 'typed' });
    expect(await repo.expireStale('2026-01-10T09:00:00Z')).toBe(0);
    expect(await repo.expireStale('2026-01-10T10:30:00Z')).toBe(1);
    expect((await repo.get(sid))!.status).toBe('incomplete');
  });
});

describe('Eligibility', () => {
  it('applies test traffic, min turns, one per interaction and the cool-down, logging reasons', async () => {
    const cfg = loadSurveyConfig('models/surveys.yaml');
    const repo = new SurveyRepo(db, now);
    const el = new Eligibility(new InteractionRepo(db, (s) => s, now), repo, () => ({ ...cfg.settings, minCustomerTurns: 2 }), now);
    expect(await el.decide(await interaction('t', 3, true), 'goodbye')).toMatchObject({ eligible: false, reason: 'test_traffic' });
    expect(await el.decide(await interaction('u1', 1), 'goodbye')).toMatchObject({ eligible: false, reason: 'too_few_turns' });
    const iid = await interaction('u1', 2);
    expect(await el.decide(iid, 'goodbye')).toEqual({ eligible: true });
    await repo.offer({ interactionId: iid, userId: 'u1', definitionId: 'd', definitionVersion: 1, trigger: 'goodbye', channel: 'webchat' });
    expect(await el.decide(iid, 'goodbye')).toMatchObject({ eligible: false, reason: 'already_surveyed' });
    clock = new Date('2026-01-16T10:00:00Z');
    expect(await el.decide(await interaction('u1', 2), 'goodbye')).toMatchObject({ eligible: false, reason: 'cooldown' });
    clock = new Date('2026-01-17T10:00:01Z');
    const later = await interaction('u1', 2);
    expect(await el.decide(later, 'goodbye')).toEqual({ eligible: true });
    const ev = await db.all<{ detail: string }>("SELECT detail FROM interaction_events WHERE kind = 'survey_eligibility' AND interaction_id = ?", [iid]);
    expect(ev.map((e) => JSON.parse(e.detail).reason ?? 'eligible')).toEqual(['eligible', 'already_surveyed']);
  });
});

describe('follow-ups', () => {
  it('opens a follow-up for negative feedback with a 24 h clock, once', async () => {
    const repo = new SurveyRepo(db, now);
    const iid = await interaction();
    const fid = await repo.addFeedback({ interactionId: iid, text: 'terrible', language: 'en' });
    const id1 = await createFollowupForNegativeFeedback(db, fid, { now });
    const id2 = await createFollowupForNegativeFeedback(db, fid, { now });
    expect(id1).toBe(id2);
    const rows = await new FollowupRepo(db).list();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: 'negative_feedback', owner: 'service-quality', due_at: '2026-01-11T10:00:00.000Z', status: 'open' });
    expect(await createFollowupForNegativeFeedback(db, 9999)).toBeUndefined();
  });
});
