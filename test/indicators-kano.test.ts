import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { InteractionRepo } from '../src/storage/interactions';
import { SurveyRepo } from '../src/survey/surveyRepo';
import { buildReport, kanoReport, loadIndicatorModel, refreshRollup } from '../src/indicators/index';
import { startTestBot, type TestBot } from './helpers/app';

// value 1..5 = like, must-be, neutral, live-with, dislike (value_text = the key), as the survey dialog stores them
const KEYS = ['like', 'must-be', 'neutral', 'live-with', 'dislike'] as const;
type Key = (typeof KEYS)[number];

let dir: string;
let db: Db;
const model = () => loadIndicatorModel('models/indicators.yaml');

/** One interaction + survey on `day` with the given Kano answers (undefined: not asked; 'skip': skipped). */
async function survey(day: string, channel: string, answers: Record<string, Key | 'skip'>, isTest = false) {
  const now = () => new Date(`${day}T10:00:00Z`);
  const interactions = new InteractionRepo(db, (t) => t, now);
  const surveys = new SurveyRepo(db, now);
  const i = await interactions.open({ conversationId: `c-${Math.random()}`, userId: `u-${Math.random()}`, channel, locale: 'en', isTest });
  const id = await surveys.offer({ interactionId: i.id, userId: i.user_id, definitionId: 'kano_example', definitionVersion: 1, trigger: 'goodbye', channel });
  await surveys.start(id);
  await surveys.answer(id, { itemId: 'csat', kind: 'csat', value: 4, mode: 'card' });
  for (const [item, a] of Object.entries(answers)) {
    if (a === 'skip') await surveys.answer(id, { itemId: item, kind: 'kano', mode: 'typed', rawText: 'skip', skipped: true });
    else await surveys.answer(id, { itemId: item, kind: 'kano', value: KEYS.indexOf(a) + 1, valueText: a, mode: 'card' });
  }
  await surveys.complete(id);
}
const cb = (f: Key | 'skip' | undefined, d: Key | 'skip' | undefined) => {
  const o: Record<string, Key | 'skip'> = {};
  if (f) o.kano_callback_functional = f;
  if (d) o.kano_callback_dysfunctional = d;
  return o;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kano-'));
  db = await openTestDb(join(dir, 'bot.db'));
  // feature "callback" on webchat, 2026-03-02: (functional, dysfunctional) → category by the standard table
  await survey('2026-03-02', 'webchat', cb('like', 'dislike')); // O
  await survey('2026-03-02', 'webchat', cb('like', 'dislike')); // O
  await survey('2026-03-02', 'webchat', cb('like', 'neutral')); // A
  await survey('2026-03-02', 'webchat', cb('neutral', 'dislike')); // M
  await survey('2026-03-02', 'webchat', cb('neutral', 'live-with')); // I
  await survey('2026-03-02', 'webchat', cb('dislike', 'like')); // R
  await survey('2026-03-02', 'webchat', cb('like', 'like')); // Q
  // not pairs: one side only, one side skipped, a test interaction
  await survey('2026-03-02', 'webchat', cb('like', undefined));
  await survey('2026-03-02', 'webchat', cb(undefined, 'dislike'));
  await survey('2026-03-02', 'webchat', cb('like', 'skip'));
  await survey('2026-03-02', 'webchat', cb('like', 'dislike'), true);
  // feature "tracking" on msteams, 2026-03-03: one M and one A (a tie, broken M first)
  await survey('2026-03-03', 'msteams', { kano_tracking_functional: 'must-be', kano_tracking_dysfunctional: 'dislike' }); // M
  await survey('2026-03-03', 'msteams', { kano_tracking_functional: 'like', kano_tracking_dysfunctional: 'must-be' }); // A
  // a survey with no Kano item at all
  await survey('2026-03-03', 'webchat', {});
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

// Hand values. callback: A1 O2 M1 I1 R1 Q1, n 7; category O (2); Better (1+2)/(1+2+1+1) = 0.6; Worse −(2+1)/5 = −0.6.
const CALLBACK = { n: 7, counts: { A: 1, O: 2, M: 1, I: 1, R: 1, Q: 1 }, category: 'O', better: 0.6, worse: -0.6 };
// tracking: M1 A1, n 2; tie → M; Better 1/2 = 0.5; Worse −1/2 = −0.5.
const TRACKING = { n: 2, counts: { A: 1, O: 0, M: 1, I: 0, R: 0, Q: 0 }, category: 'M', better: 0.5, worse: -0.5 };

describe('Kano in the indicator report', () => {
  it('pairs the functional and dysfunctional answers of one survey per feature (base SQL)', async () => {
    expect(await kanoReport(db, {})).toEqual({ callback: CALLBACK, tracking: TRACKING });
  });

  it('is in the report JSON for whole-day windows (rollup path) and timed windows (base path) alike', async () => {
    await refreshRollup(db, model().sla);
    const day = await buildReport(db, model(), { from: '2026-03-01', to: '2026-03-31' }, { alerts: false });
    expect(day.kano).toEqual({ callback: CALLBACK, tracking: TRACKING });
    const timed = await buildReport(db, model(), { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' }, { alerts: false });
    expect(timed.kano).toEqual(day.kano);
    expect(JSON.parse(JSON.stringify(day)).kano.callback.category).toBe('O');
  });

  it('follows the window and segment; absent features give kano: {}', async () => {
    expect((await buildReport(db, model(), { channel: 'msteams' }, { alerts: false })).kano).toEqual({ tracking: TRACKING });
    expect((await buildReport(db, model(), { from: '2026-03-02', to: '2026-03-02' }, { alerts: false })).kano).toEqual({ callback: CALLBACK });
    expect((await buildReport(db, model(), { definitionId: 'default' }, { alerts: false })).kano).toEqual({});
    expect((await buildReport(db, model(), { from: '2026-04-01', to: '2026-04-30' }, { alerts: false })).kano).toEqual({});
  });
});

describe('Kano survey end to end (dialog → survey_answers → report)', () => {
  let bot: TestBot;
  let cfgDir: string;
  beforeAll(async () => {
    // the shipped surveys.yaml plus a rule that selects kano_example for bot-only conversations
    cfgDir = mkdtempSync(join(tmpdir(), 'kano-cfg-'));
    const raw = parse(readFileSync('models/surveys.yaml', 'utf8'));
    raw.selection.unshift({ outcome: 'bot_only', channel: '*', definition: 'kano_example' });
    writeFileSync(join(cfgDir, 'surveys.yaml'), stringify(raw));
    bot = await startTestBot({}, { survey: { configPath: join(cfgDir, 'surveys.yaml') } });
  });
  afterAll(async () => {
    await bot?.stop();
    rmSync(cfgDir, { recursive: true, force: true });
  });

  const card = (r: { attachments?: { contentType: string; content: any }[] }) => r.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;

  it('asks the pair with five buttons, reads a card click and typed words, stores 1..5 with the key, reports the feature', async () => {
    const c = bot.customer({ locale: 'en-US' });
    await c.say('I forgot my password, how can I reset it?');
    const start = await c.say('bye');
    expect(c.texts(start)).toMatch(/call you back instead/);
    const q = start[start.length - 1];
    const buttons = card(q).body.flatMap((b: any) => b.actions ?? []);
    expect(buttons.map((b: any) => [b.title, b.data.value])).toEqual([
      ['I like it', 1], ['I expect it', 2], ["I'm neutral", 3], ['I can live with it', 4], ['I dislike it', 5],
    ]);
    expect(q.text).toMatch(/\n1 I like it\n/);
    const next = await c.say(undefined, { value: { surveyItem: 'kano_callback_functional', value: 1 } });
    expect(c.texts(next)).toMatch(/could not call you back/);
    const bad = await c.say('maybe tomorrow');
    expect(c.texts(bad)).toMatch(/Please answer 1 to 5: 1 I like it/);
    expect(c.texts(await c.say("I don't like it"))).toMatch(/Overall, how satisfied/);
    await c.say('5');

    const db2 = bot.app.db;
    const rows = await db2.all<{ item_id: string; kind: string; value: number; value_text: string; input_mode: string }>(
      `SELECT a.item_id, a.kind, a.value, a.value_text, a.input_mode FROM survey_answers a JOIN surveys s ON s.id = a.survey_id
       JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ? AND a.kind = 'kano' ORDER BY a.item_id DESC`,
      [c.conversationId],
    );
    expect(rows).toEqual([
      { item_id: 'kano_callback_functional', kind: 'kano', value: 1, value_text: 'like', input_mode: 'card' },
      { item_id: 'kano_callback_dysfunctional', kind: 'kano', value: 5, value_text: 'dislike', input_mode: 'typed' },
    ]);
    const report = await buildReport(db2, model(), {}, { alerts: false });
    expect(report.kano).toEqual({ callback: { n: 1, counts: { A: 0, O: 1, M: 0, I: 0, R: 0, Q: 0 }, category: 'O', better: 1, worse: -1 } });
  });
});
