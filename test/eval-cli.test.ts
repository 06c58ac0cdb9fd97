import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../src/csv';
import { bestThreshold, binaryMetrics, classificationMetrics } from '../src/cli/eval';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'eval-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const csv = (rows: string[][]) =>
  rows.map((r) => r.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\r\n') + '\r\n';

async function evalCli(args: string[]): Promise<any> {
  const { stdout } = await run('npx', ['tsx', 'src/cli/eval.ts', ...args], { cwd: process.cwd(), timeout: 60_000 });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

const intents: Record<string, string[]> = {
  card_lost: ['I lost my card', 'my card was stolen', 'cannot find my card anywhere', 'someone took my card', 'card missing, please block it'],
  refund: ['I want a refund', 'how do I get my money back', 'refund my purchase', 'please return my money', 'where is my refund'],
  pin: ['I forgot my PIN', 'how do I change my PIN', 'my PIN is blocked', 'reset the PIN code', 'wrong PIN too many times'],
};

/** Exactly the documented command: `npm run --silent eval -- ...`; stdout must end in one JSON line. */
async function npmEval(args: string[]): Promise<any> {
  const { stdout } = await run('npm', ['run', '--silent', 'eval', '--', ...args], { cwd: process.cwd(), timeout: 90_000 });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

// Each case spawns tsx and loads jieba: seconds on a busy 2-core machine.
describe('eval CLI', { timeout: 90_000 }, () => {
  it('intent: trains on one CSV, classifies another, last line is JSON', async () => {
    const train = [['text', 'intent']];
    for (const [l, qs] of Object.entries(intents)) for (const q of qs) train.push([q, l]);
    const test = [['text', 'intent'], ['my card got stolen, block it', 'card_lost'], ['give me a refund, please', 'refund'], ['I forgot the PIN', 'pin'], ['lost card', 'card_lost']];
    writeFileSync(join(dir, 'train.csv'), csv(train));
    writeFileSync(join(dir, 'test.csv'), csv(test));
    const r = await evalCli(['intent', '--train', join(dir, 'train.csv'), '--test', join(dir, 'test.csv'), '--text', 'text', '--label', 'intent']);
    expect(r.task).toBe('intent');
    expect(r.n).toBe(4);
    expect(r.accuracy).toBe(1);
    expect(r.macro_f1).toBe(1);
    expect(r.ms_per_query).toBeGreaterThan(0);
  });

  it('intent --oos: rows with that label are out of scope; a prediction below the threshold counts as none', async () => {
    const train = [['text', 'intent']];
    for (const [l, qs] of Object.entries(intents)) for (const q of qs) train.push([q, l]);
    const test = [
      ['text', 'intent'],
      ['my card got stolen, block it', 'card_lost'],
      ['I forgot the PIN', 'pin'],
      ['what is the tallest mountain in europe', 'NONE'],
      ['recommend a pizza place downtown', 'NONE'],
    ];
    writeFileSync(join(dir, 'train-oos.csv'), csv(train));
    writeFileSync(join(dir, 'test-oos.csv'), csv(test));
    const args = ['intent', '--train', join(dir, 'train-oos.csv'), '--test', join(dir, 'test-oos.csv'), '--text', 'text', '--label', 'intent'];
    // the threshold is fitted on folds of train (15 rows here: a rough one, but never from the test file)
    const r = await evalCli([...args, '--oos', 'NONE']);
    expect(r.oos).toBe('NONE');
    expect(r.oos_rows).toBe(2);
    expect(r.answer_at).toBeGreaterThan(0);
    expect(r.answer_at).toBeLessThan(1);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.5);
    // with a given threshold: the two questions are answered, the two off-topic rows are none
    const fixed = await evalCli([...args, '--oos', 'NONE', '--answer-at', '0.5']);
    expect(fixed.answer_at).toBe(0.5);
    expect(fixed.accuracy).toBe(1);
    // without --oos every row is forced onto an intent, so the two out-of-scope rows are wrong
    const closed = await evalCli(args);
    expect(closed.accuracy).toBe(0.5);
  }, 240_000);

  it('pairs: model and char-Jaccard baseline on a tiny paraphrase set', async () => {
    const rows = [['sentence1', 'sentence2', 'label']];
    const same = [['花呗怎么还款', '花呗如何还款'], ['借呗怎么提额', '借呗如何提高额度'], ['花呗可以分期吗', '花呗能分期吗'], ['借呗怎么还款', '借呗如何还钱']];
    const diff = [['花呗怎么还款', '借呗怎么还款'], ['花呗可以分期吗', '借呗可以分期吗'], ['借呗怎么提额', '花呗怎么提额'], ['花呗怎么开通', '借呗怎么关闭']];
    for (let k = 0; k < 6; k++) {
      for (const [a, b] of same) rows.push([a, b, '1']);
      for (const [a, b] of diff) rows.push([a, b, '0']);
    }
    writeFileSync(join(dir, 'train.csv'), csv(rows));
    writeFileSync(join(dir, 'dev.csv'), csv([rows[0], ['花呗如何分期', '花呗能不能分期', '1'], ['借呗如何分期', '花呗如何分期', '0']]));
    const r = await evalCli(['pairs', '--test', join(dir, 'dev.csv'), '--a', 'sentence1', '--b', 'sentence2', '--label', 'label']);
    expect(r.task).toBe('pairs');
    expect(r.n).toBe(2);
    for (const k of ['accuracy', 'f1', 'precision', 'recall']) {
      expect(r[k]).toBeGreaterThanOrEqual(0);
      expect(r[k]).toBeLessThanOrEqual(1);
      expect(r.baseline[k]).toBeGreaterThanOrEqual(0);
    }
    expect(r.baseline.method).toBe('char_jaccard');
  });

  it('fails with a clear message on a missing column', async () => {
    writeFileSync(join(dir, 'bad.csv'), csv([['x', 'y'], ['a', 'b']]));
    await expect(evalCli(['intent', '--train', join(dir, 'bad.csv'), '--test', join(dir, 'bad.csv'), '--text', 'text', '--label', 'y'])).rejects.toThrow(/no column "text"/);
  });
});

describe('eval helpers', () => {
  it('parses quoted CSV fields with commas, quotes and newlines', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi""\nthere"\n1,\n')).toEqual([['a', 'b'], ['x, y', 'say "hi"\nthere'], ['1', '']]);
  });

  it('computes accuracy, macro F1 and binary metrics', () => {
    expect(classificationMetrics(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'b'])).toEqual({ accuracy: 0.75, macro_f1: (2 / 3 + 0.8) / 2 });
    expect(binaryMetrics([1, 1, 0, 0], [1, 0, 1, 0])).toEqual({ accuracy: 0.5, f1: 0.5, precision: 0.5, recall: 0.5 });
  });

  it('picks the F1-best threshold', () => {
    const t = bestThreshold([0.9, 0.8, 0.3, 0.2], [1, 1, 0, 0]);
    expect(t).toBeGreaterThan(0.3);
    expect(t).toBeLessThan(0.8);
  });

  it('sentiment: npm run --silent eval prints n, accuracy, macro_f1, texts_per_s, engine on its last line', async () => {
    const rows = [['review', 'label'], ['味道很好，送餐也快，下次还点', '1'], ['太难吃了，还送晚了一个小时', '0'], ['服务态度非常好', '1'], ['Terrible service, never again', '0']];
    writeFileSync(join(dir, 'sent.csv'), csv(rows));
    const r = await npmEval(['sentiment', '--test', join(dir, 'sent.csv'), '--text', 'review', '--label', 'label', '--map', '0=negative,1=positive']);
    expect(r).toMatchObject({ task: 'sentiment', n: 4, engine: 'lexical' });
    expect(r.accuracy).toBeGreaterThanOrEqual(0.75); // clear-cut texts
    for (const k of ['macro_f1', 'texts_per_s']) expect(typeof r[k]).toBe('number');
  });

  it('topics: ids separated by ";" give micro_f1, macro_f1 and per_topic', async () => {
    const rows = [['review', 'topics'], ['回复太慢了，等了两个小时', 'response_speed'], ['客服态度很差', 'attitude'], ['价格不透明，有隐藏收费', 'price_transparency']];
    writeFileSync(join(dir, 'topics.csv'), csv(rows));
    const r = await npmEval(['topics', '--test', join(dir, 'topics.csv'), '--text', 'review', '--topics', 'topics']);
    expect(r.n).toBe(3);
    for (const k of ['micro_f1', 'macro_f1']) expect(r[k]).toBeGreaterThanOrEqual(0);
    expect(typeof r.per_topic).toBe('object');
  });
});

describe('figure commands without the shared data', { timeout: 90_000 }, () => {
  it('eval and bench:classify fail with one line naming the file and where the data comes from', async () => {
    const missing = join(dir, 'no-such-dir', 'dev.csv');
    for (const [cmd, args] of [
      ['src/cli/eval.ts', ['intent', '--train', missing, '--test', missing, '--text', 'text', '--label', 'category']],
      ['bench/classify.ts', ['--data', join(dir, 'no-such-dir')]],
    ] as const) {
      const err = await run('npx', ['tsx', cmd, ...args], { cwd: process.cwd(), timeout: 60_000 }).then(() => undefined, (e) => e as { code: number; stderr: string; stdout: string });
      expect(err, cmd).toBeDefined();
      expect(err!.code).toBe(1);
      const lines = err!.stderr.trim().split('\n');
      expect(lines, cmd).toHaveLength(1);
      expect(lines[0]).toMatch(/no-such-dir.*not found: .*\.\.\/shared\/data.*README "Measured figures"/);
      expect(err!.stdout).toBe('');
    }
  });
});
