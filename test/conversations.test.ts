import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFiles, loadCases, runAll } from '../src/cli/conversations';
import { loadYamlCases } from '../src/conversations/cases';
import { summarise } from '../src/conversations/runner';
import { startTestBot, type TestBot } from './helpers/app';

// The scripted conversations in test/conversations/*.yaml, played over real HTTP against the real bot.
describe('conversation tests (test/conversations/*.yaml)', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => {
    await bot.stop();
  });

  it('every scripted conversation passes', async () => {
    const files = defaultFiles();
    expect(files.length).toBeGreaterThanOrEqual(3);
    const cases = loadCases(files, bot.app.kb);
    const results = await runAll({ botUrl: bot.app.url, db: bot.app.db }, cases, 3);
    const failed = results.filter((r) => !r.passed).map((r) => `${r.case.name}: ${r.steps.flatMap((s) => s.failures).join('; ')}${r.error ?? ''}`);
    expect(failed).toEqual([]);
    expect(summarise(results).rates.acts.rate).toBe(1);
  }, 180_000);

  it('fails a case whose expectation the bot does not meet, naming what it did instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conv-'));
    const file = join(dir, 'wrong.yaml');
    writeFileSync(
      file,
      [
        'conversations:',
        '  - name: wrong entry',
        '    locale: en',
        '    steps:',
        '      - say: How do I reset my password?',
        '        expect: { answer: billing.invoice }',
        '  - name: survey expected too early',
        '    locale: zh-CN',
        '    steps:',
        '      - say: 你好',
        '        expect: { survey: true }',
      ].join('\n'),
    );
    const results = await runAll({ botUrl: bot.app.url, db: bot.app.db }, loadCases([file], bot.app.kb));
    expect(results.map((r) => r.passed)).toEqual([false, false]);
    expect(results[0].steps[0].failures[0]).toMatch(/expected answer billing.invoice, answered account.reset_password/);
    expect(results[1].steps[0].failures[0]).toMatch(/survey started/);
  }, 60_000);
});

describe('conversation files are validated', () => {
  const write = (body: string) => {
    const f = join(mkdtempSync(join(tmpdir(), 'conv-')), 'c.yaml');
    writeFileSync(f, body);
    return f;
  };
  it('names the bad field', () => {
    expect(() => loadYamlCases(write('conversations: []'))).toThrow(/conversations: must be a non-empty list/);
    expect(() => loadYamlCases(write('conversations:\n  - { name: a, locale: fr, steps: [{ say: hi }] }'))).toThrow(/conversations\[0\]\.locale/);
    expect(() => loadYamlCases(write('conversations:\n  - { name: a, locale: en, steps: [{ say: hi, expect: { answr: x } }] }'))).toThrow(/steps\[0\]\.expect\.answr: unknown expectation/);
    expect(() => loadYamlCases(write('conversations:\n  - { name: a, locale: en, steps: [{ say: hi, expect: { survey: yes please } }] }'))).toThrow(/expect\.survey: must be a boolean/);
    expect(() => loadYamlCases(write('conversations: [oops'))).toThrow(/not readable YAML/);
  });
});
