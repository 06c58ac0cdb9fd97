import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'reclassify-cli-'));
const dbPath = join(dir, 'bot.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function reclassify(args: string[] = [], env: Record<string, string> = {}): Promise<any> {
  const { stdout } = await run('npx', ['tsx', 'src/cli/reclassify.ts', '--db', dbPath, ...args], {
    cwd: process.cwd(),
    timeout: 90_000,
    env: { ...process.env, DOTENV_CONFIG_QUIET: 'true', TAXONOMY_PATH: '', MODELS_DIR: '', CLASSIFIER_ENGINE: 'lexical', ...env },
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await Db.open(dbPath);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

type Row = { id: number; sentiment: string | null; model_id: string | null; model_version: string | null; topic_model_id: string | null; topic_model_version: string | null; classified_at: string | null };
const feedback = () => withDb((db) => db.all<Row>('SELECT id, sentiment, model_id, model_version, topic_model_id, topic_model_version, classified_at FROM feedback ORDER BY id'));
const topicRows = () => withDb((db) => db.all<{ feedback_id: number; source: string; topic: string; model_id: string | null; model_version: string | null }>('SELECT feedback_id, source, topic, model_id, model_version FROM feedback_topics ORDER BY feedback_id, source, topic'));

// the current sentiment model's version, read from its header (the file is ~11 MB)
const CURRENT = /"version":"([^"]+)"/.exec(readFileSync('models/lexical/sentiment.json', 'utf8').slice(0, 200))![1];
const TEXTS = ['送餐太慢了，等了两个小时，饭都凉了', 'The agent was very friendly, great service', '客服态度很好，很耐心', '没有', 'delivery was late and the food was cold'];

beforeAll(async () => {
  await withDb(async (db) => {
    const at = '2026-01-05T10:00:00.000Z';
    await db.run(`INSERT INTO interactions (id, conversation_id, user_id, channel, started_at, last_activity_at) VALUES ('i1', 'c1', 'u1', 'web', ?, ?)`, [at, at]);
    for (const [k, text] of TEXTS.entries()) {
      // rows tagged by an old sentiment model (ids 1-3), one never classified (4), one tagged by the current sentiment
      // model but before topic provenance existed (5: only its topic tagger is unknown)
      const old = k < 3 ? ['lexical-sentiment', 'old-version'] : k === 4 ? ['lexical-sentiment', CURRENT] : [null, null];
      const f = await db.run('INSERT INTO feedback (interaction_id, text, created_at, sentiment, model_id, model_version) VALUES (?, ?, ?, ?, ?, ?)', [
        'i1', text, at, old[0] ? 'neutral' : null, old[0], old[1],
      ]);
      if (old[0]) await db.run(`INSERT INTO feedback_topics (feedback_id, source, topic, sentiment, confidence) VALUES (?, 'model', 'other', 'neutral', 0.5)`, [f.lastID]);
    }
    // an analyst's topic label: reclassify never touches it
    await db.run(`INSERT INTO feedback_topics (feedback_id, source, topic, sentiment, confidence) VALUES (1, 'human', 'product_quality', 'negative', 1)`);
  });
});

// Each run spawns tsx and loads the lexical engine (jieba): seconds on a busy 2-core machine.
describe('npm run reclassify', { timeout: 240_000 }, () => {
  let first: Row[];

  it('re-tags rows whose sentiment model or topic tagger differs, with provenance on every model tag', async () => {
    const out = await reclassify();
    expect(out).toMatchObject({ task: 'reclassify', queued: 5, processed: 5, remaining: 0, topic_model: 'taxonomy@1' });
    expect(out.model).toMatch(/^lexical-sentiment@/);
    const version = out.model.split('@')[1];
    expect(version).toBe(CURRENT);
    first = await feedback();
    expect(first.map((r) => r.sentiment)).toEqual(['negative', 'positive', 'positive', 'neutral', 'negative']);
    for (const r of first) expect(r).toMatchObject({ model_id: 'lexical-sentiment', model_version: version, topic_model_id: 'taxonomy', topic_model_version: '1' });
    expect(first.every((r) => r.classified_at)).toBe(true);
    const tags = await topicRows();
    expect(tags.find((t) => t.feedback_id === 1 && t.topic === 'response_speed')).toMatchObject({ source: 'model', model_id: 'taxonomy', model_version: '1' });
    expect(tags.filter((t) => t.source === 'model').every((t) => t.model_id === 'taxonomy' && t.model_version === '1')).toBe(true);
    expect(tags.filter((t) => t.source === 'human')).toEqual([{ feedback_id: 1, source: 'human', topic: 'product_quality', model_id: null, model_version: null }]);
    expect(tags.some((t) => t.feedback_id === 4)).toBe(false); // "没有": no topic, but its row records the tagger
  });

  it('a second run finds nothing to do and changes nothing', async () => {
    const out = await reclassify();
    expect(out).toMatchObject({ queued: 0, processed: 0, remaining: 0 });
    expect(await feedback()).toEqual(first);
  });

  it('a new taxonomy version re-tags everything; an interrupted run resumes without redoing finished rows', async () => {
    const taxonomy = join(dir, 'taxonomy.yaml');
    const text = readFileSync('models/taxonomy.yaml', 'utf8');
    expect(text).toMatch(/^version: 1$/m);
    writeFileSync(taxonomy, text.replace(/^version: 1$/m, 'version: 2'));
    const env = { TAXONOMY_PATH: taxonomy };

    // "interrupted": stops after 2 rows; then a job is left 'running' as by a crash in the middle of a row
    const part = await reclassify(['--limit', '2'], env);
    expect(part).toMatchObject({ queued: 5, processed: 2, remaining: 3, topic_model: 'taxonomy@2' });
    const mid = await feedback();
    const doneIds = mid.filter((r) => r.topic_model_version === '2').map((r) => r.id);
    expect(doneIds).toHaveLength(2);
    const left = mid.filter((r) => r.topic_model_version === '1').map((r) => r.id);
    await withDb((db) => db.run(`UPDATE classification_jobs SET status = 'running' WHERE feedback_id = ?`, [left[0]]));

    const rest = await reclassify([], env);
    expect(rest).toMatchObject({ queued: 3, processed: 3, remaining: 0, jobs: { done: 5 } });
    const after = await feedback();
    expect(after.every((r) => r.topic_model_id === 'taxonomy' && r.topic_model_version === '2')).toBe(true);
    // the rows finished before the interruption were not classified again
    for (const id of doneIds) expect(after.find((r) => r.id === id)!.classified_at).toBe(mid.find((r) => r.id === id)!.classified_at);
    // the sentiment engine did not change, so neither did the sentiments
    expect(after.map((r) => [r.sentiment, r.model_version])).toEqual(first.map((r) => [r.sentiment, r.model_version]));
    expect((await topicRows()).filter((t) => t.source === 'model').every((t) => t.model_version === '2')).toBe(true);

    expect(await reclassify([], env)).toMatchObject({ queued: 0, processed: 0, remaining: 0 });
  });
});
