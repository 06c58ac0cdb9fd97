import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { LexicalClassifier } from '../src/nlp/classify/lexical';
import { ClassificationPipeline } from '../src/nlp/classify/pipeline';
import { ClassificationQueue } from '../src/nlp/classify/queue';
import { TopicTagger } from '../src/nlp/classify/topics';
import { loadTaxonomy } from '../src/nlp/taxonomy';

async function addFeedback(db: Db, text: string): Promise<number> {
  const now = new Date().toISOString();
  await db.run(
    `INSERT OR IGNORE INTO interactions(id, conversation_id, user_id, channel, started_at, last_activity_at) VALUES ('i1','c1','u1','test',?,?)`,
    [now, now],
  );
  const r = await db.run(`INSERT INTO feedback(interaction_id, text, created_at) VALUES ('i1', ?, ?)`, [text, now]);
  return r.lastID;
}

const pipeline = () => new ClassificationPipeline(LexicalClassifier.load(), new TopicTagger(loadTaxonomy()));

async function waitFor(fn: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ClassificationQueue', () => {
  it('survives a restart: jobs enqueued before a shutdown are classified after reopening the file DB', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nlp-queue-')), 'q.db');
    let db = await openTestDb(path);
    const q1 = new ClassificationQueue(db, pipeline(), { pollMs: 20 });
    const a = await addFeedback(db, '送餐太慢了，饭都凉了');
    const b = await addFeedback(db, 'Great service, thank you!');
    await q1.enqueue(a);
    await q1.enqueue(b);
    // simulate a crash in the middle of a job
    await db.run(`UPDATE classification_jobs SET status='running' WHERE feedback_id=?`, [a]);
    await db.close();

    db = await openTestDb(path);
    const q2 = new ClassificationQueue(db, pipeline(), { pollMs: 20 });
    q2.start();
    await waitFor(async () => (await q2.counts()).done === 2);
    await q2.stop();
    const rows = await db.all<{ id: number; sentiment: string; model_id: string; model_version: string; classified_at: string }>(
      'SELECT id, sentiment, model_id, model_version, classified_at FROM feedback ORDER BY id',
    );
    expect(rows.map((r) => r.sentiment)).toEqual(['negative', 'positive']);
    expect(rows.every((r) => r.model_id === 'lexical-sentiment' && r.model_version && r.classified_at)).toBe(true);
    const topics = await db.all<{ topic: string; sentiment: string }>(
      `SELECT topic, sentiment FROM feedback_topics WHERE feedback_id=? AND source='model' ORDER BY topic`,
      [a],
    );
    expect(topics).toEqual(expect.arrayContaining([{ topic: 'response_speed', sentiment: 'negative' }]));
    await db.close();
  });

  it('records the topic tagger id/version on every model tag and on the feedback row; human tags keep NULL', async () => {
    const db = await openTestDb(':memory:');
    const a = await addFeedback(db, '送餐太慢了，服务态度也很差');
    const b = await addFeedback(db, '没有');
    await db.run(`INSERT INTO feedback_topics(feedback_id, source, topic, sentiment) VALUES (?, 'human', 'price_transparency', 'negative')`, [a]);
    const q = new ClassificationQueue(db, pipeline());
    await q.enqueue(a);
    await q.enqueue(b);
    expect(await q.drain()).toBe(2);
    const tags = await db.all<{ source: string; topic: string; model_id: string | null; model_version: string | null }>(
      'SELECT source, topic, model_id, model_version FROM feedback_topics WHERE feedback_id = ? ORDER BY source, topic',
      [a],
    );
    expect(tags.filter((t) => t.source === 'model').map((t) => t.topic)).toEqual(expect.arrayContaining(['attitude', 'response_speed']));
    for (const t of tags.filter((x) => x.source === 'model')) expect(t).toMatchObject({ model_id: 'taxonomy', model_version: '1' });
    expect(tags.filter((t) => t.source === 'human')).toEqual([{ source: 'human', topic: 'price_transparency', model_id: null, model_version: null }]);
    // the tagger is recorded on the item too, also when it found no topic ("没有")
    const rows = await db.all<{ topic_model_id: string; topic_model_version: string }>('SELECT topic_model_id, topic_model_version FROM feedback ORDER BY id');
    expect(rows).toEqual([
      { topic_model_id: 'taxonomy', topic_model_version: '1' },
      { topic_model_id: 'taxonomy', topic_model_version: '1' },
    ]);
    await db.close();
  });

  it('topic tagger ids: taxonomy version alone, or the learned model id with model and taxonomy versions', () => {
    const taxonomy = loadTaxonomy();
    expect(new TopicTagger(taxonomy).info).toEqual({ id: 'taxonomy', version: String(taxonomy.version) });
    expect(new TopicTagger({ ...taxonomy, version: 3 }, { id: 'lexical-topics', version: '2026-01-01', topics: {}, threshold: 0.5 }).info).toEqual({
      id: 'lexical-topics',
      version: '2026-01-01+taxonomy-v3',
    });
  });

  it('retries a failing job, then marks it failed with the error, without losing it', async () => {
    const db = await openTestDb(':memory:');
    const id = await addFeedback(db, 'whatever');
    let calls = 0;
    const failing = {
      classify: async () => {
        calls++;
        throw new Error('model exploded');
      },
    } as unknown as ClassificationPipeline;
    const q = new ClassificationQueue(db, failing, { maxAttempts: 3, backoffMs: 1 });
    await q.enqueue(id);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
      await q.drain();
    }
    expect(calls).toBe(3);
    const job = await db.get<{ status: string; attempts: number; last_error: string }>('SELECT * FROM classification_jobs WHERE feedback_id=?', [id]);
    expect(job).toMatchObject({ status: 'failed', attempts: 3, last_error: 'model exploded' });
    await db.close();
  });
});
