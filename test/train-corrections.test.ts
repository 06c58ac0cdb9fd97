import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';

const dir = mkdtempSync(join(tmpdir(), 'train-corr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run train -- topics --corrections', () => {
  it("adds the analysts' corrected labels to the training data", async () => {
    const dbPath = join(dir, 'bot.db');
    const db = await Db.open(dbPath);
    await db.run(`INSERT INTO interactions(id, conversation_id, user_id, channel, started_at, last_activity_at) VALUES ('i1','c1','u1','webchat','2026-01-01','2026-01-01')`);
    const f = await db.run(`INSERT INTO feedback(interaction_id, text, created_at, corrected_by, corrected_at, human_sentiment) VALUES ('i1', '发票开了一个月还没寄到', '2026-01-01', 'ana', '2026-01-02', 'negative')`);
    await db.run(`INSERT INTO feedback_topics(feedback_id, source, topic, sentiment) VALUES (?, 'human', 'process', 'negative')`, [f.lastID]);
    await db.close();
    const csv = join(dir, 'topics.csv');
    writeFileSync(csv, 'review,topics\n送餐很及时,response_speed\n客服态度很好,attitude\n价格太贵了,price_transparency\n');
    const out = join(dir, 'topics.json');
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/train.ts', 'topics', '--train', csv, '--text', 'review', '--topics', 'topics', '--corrections', dbPath, '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, DOTENV_CONFIG_QUIET: 'true' },
    });
    const last = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(last).toMatchObject({ task: 'train', kind: 'topics', n: 4, corrections: 1 });
    expect(existsSync(out)).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')).topics)).toContain('process');
  }, 60_000);
});
