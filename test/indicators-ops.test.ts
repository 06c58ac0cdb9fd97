import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffQueue } from '../src/handoff/queue';
import { buildReport, loadIndicatorModel } from '../src/indicators/index';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { InteractionRepo } from '../src/storage/interactions';

// One clock for the interaction repo and the handoff queue, moved by hand.
let clock = new Date('2026-01-05T09:00:00.000Z');
const now = () => clock;
const at = (iso: string) => (clock = new Date(iso));
const plus = (s: number) => (clock = new Date(clock.getTime() + s * 1000));

let db: Db;
let repo: InteractionRepo;
let hq: HandoffQueue;
const ids: Record<string, string> = {};

async function open(name: string, iso: string, userId: string) {
  at(iso);
  const i = await repo.open({ conversationId: `c-${name}`, userId, channel: 'web', locale: 'en' });
  ids[name] = i.id;
  return i;
}

/** enqueue → accept after `wait` s → transfers → resolve after `handle` s (or cancel). */
async function handoff(name: string, wait: number, transfers: string[], handle: number | 'cancel') {
  const h = await hq.enqueue(ids[name], 'customer_request', 'en');
  plus(wait);
  expect(await hq.accept(h.id, 'a1')).toBe(true);
  let agent = 'a1';
  for (const to of transfers) {
    expect(await hq.transfer(h.id, agent, to)).toBe(true);
    agent = to;
  }
  plus(handle === 'cancel' ? 5 : handle);
  if (handle === 'cancel') expect(await hq.cancel(ids[name])).toBe(true);
  else expect(await hq.resolve(h.id, agent)).toBeTruthy();
}

beforeAll(async () => {
  db = await openTestDb(':memory:');
  repo = new InteractionRepo(db, (t) => t, now);
  hq = new HandoffQueue(db, now);
  await open('i1', '2026-01-05T09:00:00.000Z', 'u1');
  await open('i2', '2026-01-08T09:00:00.000Z', 'u1'); // u1 again 3 days later: repeat
  await open('i3', '2026-01-06T09:00:00.000Z', 'u2');
  await open('i4', '2026-01-16T09:00:00.000Z', 'u1'); // last u1 contact 8 days before: not a repeat
  await open('i5', '2026-01-07T09:00:00.000Z', 'unknown'); // no user id: not applicable
  await open('i6', '2026-01-13T08:59:00.000Z', 'u2'); // 6 d 23 h 59 min after i3: repeat
  // handoffs (src/handoff/queue.ts writes queue_wait_seconds, transfers, handling_seconds, handled_by)
  at('2026-01-05T09:01:00.000Z');
  await handoff('i1', 30, [], 300);
  at('2026-01-08T09:01:00.000Z');
  await handoff('i2', 60, ['a2'], 600);
  at('2026-01-06T09:01:00.000Z');
  await handoff('i3', 90, ['a2', 'a3'], 900);
  at('2026-01-16T09:01:00.000Z');
  await handoff('i4', 20, ['a2'], 'cancel'); // accepted, transferred once, the customer left: still handled_by bot
});
afterAll(() => db.close());

describe('repeat contact within 7 days (InteractionRepo.open)', () => {
  it('is 1 when the same user started another interaction in the previous 7 days, else 0; NULL without a user id', async () => {
    const rows = await db.all<{ id: string; repeat_contact_7d: number | null }>('SELECT id, repeat_contact_7d FROM interactions');
    const by = Object.fromEntries(rows.map((r) => [r.id, r.repeat_contact_7d]));
    expect(Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, by[id]]))).toEqual({ i1: 0, i2: 1, i3: 0, i4: 0, i5: null, i6: 1 });
  });

  it('feeds the repeat_contact leaf: 2 repeats of 5 known contacts -> 100 − 40 = 60', async () => {
    const r = await buildReport(db, loadIndicatorModel('models/indicators.yaml'), {}, { alerts: false });
    expect(r.dimensions.resolution.indicators!.repeat_contact).toMatchObject({ score: 60, n: 5, signal: 'measure:repeat_contact' });
  });
});

describe('handoff operations figures in the report', () => {
  it('mean handling time, transfer rate and agent resolution share, hand-computed, on both aggregation paths', async () => {
    const model = loadIndicatorModel('models/indicators.yaml');
    const rollup = await buildReport(db, model, { from: '2026-01-01', to: '2026-01-31' }, { alerts: false });
    const base = await buildReport(db, model, { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }, { alerts: false });
    // handling_seconds 300, 600, 900 (accept → resolve): mean 600, sd 300, half = 1.959964·300/√3 = 339.476
    // transfers: 3 of the 4 accepted handoffs (i2, i3, i4) -> 75 %, Wilson 30.06..95.44
    // agent-handled (resolved by an agent): 3 of 6 interactions -> 50 %, Wilson 18.76..81.24
    const expected = {
      handling_seconds_mean: { value: 600, n: 3, ci: { low: 260.524, high: 939.476 } },
      transfer_rate_pct: { value: 75, n: 4, ci: { low: 30.06, high: 95.44 }, transferred: 3 },
      agent_resolution_share_pct: { value: 50, n: 6, ci: { low: 18.76, high: 81.24 }, agent: 3 },
    };
    expect(rollup.operations).toEqual(expected);
    expect(base.operations).toEqual(expected);
    expect(rollup.stats.transfer_rate_pct).toEqual({ value: 75, n: 4, ci: { low: 30.06, high: 95.44 } });
    expect(rollup.stats.handling_seconds_mean.value).toBe(600);
    expect(rollup.stats.agent_resolution_share_pct.value).toBe(50);
    // existing keys are unchanged
    expect(rollup.n).toBe(6);
    expect(rollup.sla.enquiry_first_reply).toMatchObject({ n: 0 });
    expect(Object.keys(rollup)).toEqual(expect.arrayContaining(['n', 'csat_pct', 'nps', 'sla', 'dimensions', 'csi', 'grade', 'fuzzy', 'topics', 'alerts', 'model_version']));
    // segment: agent-handled only
    const agents = await buildReport(db, model, { handledBy: 'agent' }, { alerts: false });
    expect(agents.operations.agent_resolution_share_pct).toMatchObject({ value: 100, n: 3 });
    expect(agents.operations.transfer_rate_pct).toMatchObject({ value: 66.67, n: 3, transferred: 2 });
  });

  it('alert rules can name the operations figures; evidence = the transferred interactions', async () => {
    const model = loadIndicatorModel('models/indicators.yaml');
    const withRule = { ...model, alerts: [{ id: 'transfers_high', kind: 'threshold' as const, indicator: 'transfer_rate_pct', above: 50, minN: 1 }] };
    const r = await buildReport(db, withRule, { from: '2026-01-01', to: '2026-01-31' });
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({ rule_id: 'transfers_high', value: 75, limit: 50, n: 4 });
    expect([...(r.alerts[0] as { interaction_ids: string[] }).interaction_ids].sort()).toEqual([ids.i2, ids.i3, ids.i4].sort());
  });
});
