import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { IMPORT_COLUMNS } from '../src/indicators/importCsv';
import { Db } from '../src/storage/db';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function report(args: string[]): Promise<{ json: any; stderr: string }> {
  const { stdout, stderr } = await run('npx', ['tsx', 'src/cli/report.ts', ...args], {
    cwd: process.cwd(),
    timeout: 90_000,
    env: { ...process.env, DOTENV_CONFIG_QUIET: 'true', TAXONOMY_PATH: '', MODELS_DIR: '', CLASSIFIER_ENGINE: 'lexical' },
  });
  const lines = stdout.trim().split('\n');
  return { json: JSON.parse(lines[lines.length - 1]), stderr };
}

// columns: id,ts,channel,locale,handled_by,agent,csat,nps,ces,resolved,speed,attitude,prof,res,first_reply,complaint,complaint_h,comment
const CSV = [
  IMPORT_COLUMNS.join(','),
  'h1,2026-01-05T10:00:00Z,web,zh-CN,bot,,2,3,2,no,1,2,2,1,900,1,30,送餐太慢了，等了两个小时，饭都凉了',
  'h2,2026-01-05T11:00:00Z,web,en,agent,a1,5,10,7,yes,5,5,5,5,60,0,,"The agent was very friendly and quick, great service"',
  'h3,2026-01-06T09:00:00Z,web,zh-CN,bot,,4,8,5,yes,4,5,4,4,300,0,,客服态度很好，很耐心',
  'h4,2026-01-06T10:00:00Z,web,en,bot,,3,7,4,partly,3,3,3,3,120,0,,',
].join('\r\n');

// Spawns tsx and loads the lexical engine (jieba): seconds on a busy 2-core machine.
describe('report CLI --import', { timeout: 120_000 }, () => {
  it('classifies the imported comments through the queue before computing the report', async () => {
    const csv = join(dir, 'past.csv');
    const db = join(dir, 'bot.db');
    writeFileSync(csv, CSV);
    const { json, stderr } = await report(['--import', csv, '--db', db, '--format', 'json', '--no-store-alerts']);
    expect(stderr).toMatch(/4 rows read, 4 imported, 0 rejected, 3 new or changed comments/);
    expect(stderr).toMatch(/classified 3 comments with lexical-sentiment@\S+, topics taxonomy@1/);
    // topics with sentiment straight after the import (before the fix: [] because nothing classified them)
    expect(json.topics.length).toBeGreaterThan(0);
    for (const t of json.topics) {
      expect(t.positive + t.neutral + t.negative).toBe(t.mentions);
      expect(t.net_sentiment).not.toBeNull();
    }
    const speed = json.topics.find((t: any) => t.topic === 'response_speed');
    expect(speed.negative).toBeGreaterThanOrEqual(1);
    expect(json.topics.find((t: any) => t.topic === 'attitude').positive).toBeGreaterThanOrEqual(1);

    const d = await Db.open(db);
    try {
      const fb = await d.all<any>('SELECT sentiment, model_id, topic_model_id, topic_model_version, classified_at FROM feedback ORDER BY id');
      expect(fb.map((f) => f.sentiment)).toEqual(['negative', 'positive', 'positive']);
      expect(fb.every((f) => f.model_id === 'lexical-sentiment' && f.topic_model_id === 'taxonomy' && f.topic_model_version === '1' && f.classified_at)).toBe(true);
      expect(await d.all("SELECT DISTINCT model_id, model_version FROM feedback_topics WHERE source = 'model'")).toEqual([{ model_id: 'taxonomy', model_version: '1' }]);
      expect(await d.all('SELECT status, COUNT(*) AS n FROM classification_jobs GROUP BY status')).toEqual([{ status: 'done', n: 3 }]);
    } finally {
      await d.close();
    }

    // re-importing the same file changes no comment: nothing is classified again, same topics
    const again = await report(['--import', csv, '--db', db, '--format', 'json', '--no-store-alerts']);
    expect(again.stderr).toMatch(/0 new or changed comments/);
    expect(again.stderr).not.toMatch(/classified/);
    expect(again.json.topics).toEqual(json.topics);
  });
});
