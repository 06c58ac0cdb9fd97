import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestBot, type TestBot } from './helpers/app';

// Predicted S/A in the product: a real conversation through the Bot Framework protocol ends, the background worker
// predicts it from the stored transcript (survey answers left out), the report and /api/indicators carry it apart from
// surveyed CSAT, and `npm run reclassify` predicts again when the model version changes.

let bot: TestBot;
const TOKEN = 'quality-e2e-token';
beforeAll(async () => {
  bot = await startTestBot({ ANALYST_API_TOKEN: TOKEN }, { classifierEnv: { CLASSIFIER_ENGINE: 'lexical' } });
}, 120_000);
afterAll(async () => bot?.stop());

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface QRow {
  interaction_id: string;
  model_id: string;
  model_version: string;
  s_dist: string;
  a_dist: string;
  s_mean: number;
  reasons: string;
  turns: number;
}

describe('predicted satisfaction of every interaction', () => {
  it('predicts a bot conversation when it ends, from customer vs bot turns, without the survey answers', async () => {
    const c = bot.customer({ locale: 'zh-CN' });
    await c.say('我的订单一直没发货，怎么申请退款');
    await c.say('还是不行，页面一直报错');
    await c.say('再见');
    const interaction = await waitFor(() => bot.app.db.get<{ id: string }>('SELECT id FROM interactions WHERE conversation_id = ?', [c.conversationId]));
    // answer whatever survey runs until the interaction ends (or skip it)
    for (let i = 0; i < 12; i++) {
      const ended = await bot.app.db.get<{ ended_at: string | null }>('SELECT ended_at FROM interactions WHERE id = ?', [interaction.id]);
      if (ended?.ended_at) break;
      await c.say('2');
    }
    const q = await waitFor(() => bot.app.db.get<QRow>('SELECT * FROM interaction_quality WHERE interaction_id = ?', [interaction.id]));
    expect(q.model_id).toBe('quality-linear');
    expect(q.model_version).toBeTruthy();
    for (const d of [JSON.parse(q.s_dist), JSON.parse(q.a_dist)]) {
      expect(Object.keys(d).sort()).toEqual(['-1', '-2', '0', '1', '2']);
      expect(Object.values(d as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    }
    expect(q.turns).toBeGreaterThanOrEqual(2);
    const reasons = JSON.parse(q.reasons) as { transcriptIds: number[]; role: string; weight: number }[];
    expect(reasons.length).toBeGreaterThan(0);
    const rows = await bot.app.db.all<{ id: number; role: string; meta: string | null }>('SELECT id, role, meta FROM transcript WHERE interaction_id = ?', [interaction.id]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const r of reasons) {
      for (const id of r.transcriptIds) {
        const row = byId.get(id)!;
        expect(row).toBeTruthy();
        expect(row.meta ?? '').not.toMatch(/"survey"/); // survey answers are not model input
        expect(r.role).toBe(row.role === 'customer' ? 'customer' : 'helpdesk');
      }
    }
  }, 60_000);

  it('predicts an interaction that ended without the bot dialog (abandoned, handed off) and reports it apart from CSAT', async () => {
    const repo = bot.app.interactions;
    const i = await repo.open({ conversationId: 'conv-abandoned', userId: 'u-abandoned', channel: 'webchat', locale: 'en' });
    await repo.addTranscript(i.id, { role: 'customer', text: 'My card was charged twice and nobody answers' });
    await repo.addTranscript(i.id, { role: 'agent', text: 'Sorry, please send us your order number by private message.' });
    await repo.addTranscript(i.id, { role: 'customer', text: 'I did that three days ago. Still nothing. Terrible service.' });
    await repo.end(i.id, 'abandoned');
    const q = await waitFor(() => bot.app.db.get<QRow>('SELECT * FROM interaction_quality WHERE interaction_id = ?', [i.id]));
    expect(q.turns).toBe(3);

    const res = await fetch(`${bot.app.url}/api/indicators`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r.predicted.label).toMatch(/predicted/);
    expect(r.predicted.model).toMatch(/^quality-linear@/);
    expect(r.predicted.coverage_pct).toBe(100);
    expect(r.predicted.n).toBe(r.predicted.interactions);
    expect(r.predicted.n).toBeGreaterThanOrEqual(2);
    expect(r.predicted.satisfied_pct.value).toBeGreaterThan(0);
    // surveyed CSAT keeps its own coverage (the response rate), never the predicted one
    expect(r.predicted.surveyed.n).toBeLessThan(r.predicted.n);
    expect(r.predicted.lowest_unsurveyed.map((x: { interaction_id: string }) => x.interaction_id)).toContain(i.id);
  }, 60_000);

  it('npm run reclassify predicts again with a new model version', async () => {
    await bot.app.classification.queue.stop(); // one worker at a time: the bot's would re-predict with its own version
    const file = join(bot.dir, 'quality-v2.json');
    const j = JSON.parse(readFileSync('models/quality/quality.json', 'utf8'));
    writeFileSync(file, JSON.stringify({ ...j, version: j.version + '-test2' }));
    const out = spawnSync('npx', ['tsx', 'src/cli/reclassify.ts', '--db', bot.dbPath], {
      encoding: 'utf8',
      env: { ...process.env, QUALITY_MODEL: file, CLASSIFIER_ENGINE: 'lexical' },
      timeout: 120_000,
    });
    expect(out.status, out.stderr).toBe(0);
    const last = JSON.parse(out.stdout.trim().split('\n').pop()!);
    expect(last.predicted.model).toBe(`quality-linear@${j.version}-test2`);
    expect(last.predicted.queued).toBeGreaterThanOrEqual(2);
    expect(last.predicted.remaining).toBe(0);
    const versions = await bot.app.db.all<{ model_version: string }>('SELECT DISTINCT model_version FROM interaction_quality');
    expect(versions.map((v) => v.model_version)).toEqual([`${j.version}-test2`]);
  }, 150_000);
});
