/**
 * npm run --silent test:conversations -- [FILES] [--concurrency N] [--json]
 *
 * Plays scripted conversations against the real bot over HTTP, as a channel does, and checks what it answered,
 * suggested, stored and followed up. FILES are YAML files of conversations (default: test/conversations/*.yaml)
 * or the development set ../shared/data/conversations/dev.json, read as it is. The bot is started in-process on
 * 127.0.0.1 with a fresh SQLite database, so a run never touches real data. Prints a table of failures and rates,
 * then one last line of JSON with the rate per category. Exit code 1 when a case fails.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { ConfigError } from '../configError';
import { createLogger } from '../log';
import { devCases, loadYamlCases, type Case } from '../conversations/cases';
import { ReplyChannel, runCase, summarise, type CaseResult, type Target } from '../conversations/runner';
import type { KnowledgeBase } from '../nlp/kb';
import { t } from '../../dialogs/strings';
import type { Locale } from '../nlp/locale';

const DEFAULT_DIR = 'test/conversations';

/** Reads FILES (YAML conversations or dev.json) into cases; the KB supplies the set-up question of dev cases. */
export function loadCases(files: string[], kb: KnowledgeBase): Case[] {
  const setup = {
    // an entry's own first phrasing: the set-up turn must be answered directly whatever the matcher does with paraphrases
    question: (l: string) => kb.entries.find((e) => e.id === 'account.reset_password')?.questions[l as Locale]?.[0] ?? kb.entries[0].questions[l as Locale][0],
    partly: (l: string) => t('resolvedPartly', l as Locale),
    yes: (l: string) => t('resolvedYes', l as Locale),
  };
  return files.flatMap((f) => (f.endsWith('.json') ? devCases(f, setup) : loadYamlCases(f)));
}

export function defaultFiles(dir = DEFAULT_DIR): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f)) : [];
}

/** Runs cases with a few conversations at a time (each conversation's turns stay in order). */
export async function runAll(target: Target, cases: Case[], concurrency = 4, onDone: (r: CaseResult) => void = () => undefined): Promise<CaseResult[]> {
  const channel = await new ReplyChannel().start();
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, concurrency) }, async () => {
        while (next < cases.length) {
          const i = next++;
          results[i] = await runCase(target, channel, cases[i]);
          onDone(results[i]);
        }
      }),
    );
  } finally {
    await channel.stop();
  }
  return results;
}

function pad(s: string, n: number): string {
  const w = [...s].reduce((a, c) => a + (/[\u1100-\uffff]/.test(c) ? 2 : 1), 0);
  return s + ' '.repeat(Math.max(0, n - w));
}

export function table(results: CaseResult[]): string {
  const lines: string[] = [];
  const failed = results.filter((r) => !r.passed);
  if (failed.length) {
    lines.push('FAILED');
    for (const r of failed) {
      const step = r.steps.find((s) => s.failures.length) ?? r.steps[r.steps.length - 1];
      lines.push(`  ${pad(r.case.category, 18)} ${pad(r.case.locale, 6)} ${pad(r.case.name, 22)} ${JSON.stringify(step?.say ?? '')}`);
      for (const f of step?.failures ?? []) lines.push(`      ${f}`);
      if (r.error) lines.push(`      error: ${r.error}`);
    }
    lines.push('');
  }
  const s = summarise(results);
  lines.push(`${pad('category', 20)} ${pad('passed', 8)} ${pad('total', 6)} rate`);
  for (const [k, v] of Object.entries(s.rates)) lines.push(`${pad(k, 20)} ${pad(String(v.passed), 8)} ${pad(String(v.total), 6)} ${v.rate.toFixed(3)}`);
  if (s.answer) {
    lines.push('');
    lines.push(`${pad('answers', 20)} ${pad('direct', 8)} ${pad('found', 8)} wrong`);
    for (const [l, v] of Object.entries(s.answer.byLocale)) lines.push(`${pad(l, 20)} ${pad(v.direct.toFixed(3), 8)} ${pad(v.found.toFixed(3), 8)} ${v.wrong.toFixed(3)}`);
    lines.push(`${pad('all', 20)} ${pad(s.answer.direct.toFixed(3), 8)} ${pad(s.answer.found.toFixed(3), 8)} ${s.answer.wrong.toFixed(3)}`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const files: string[] = [];
  let concurrency = 4;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--concurrency') concurrency = Number(argv[++i]) || 1;
    else if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write('usage: npm run --silent test:conversations -- [FILES...] [--concurrency N]\n  FILES: YAML conversations (default test/conversations/*.yaml) or ../shared/data/conversations/dev.json\n');
      return 0;
    } else files.push(argv[i]);
  }
  const list = files.length ? files : defaultFiles();
  const missing = list.filter((f) => !existsSync(f));
  if (missing.length) {
    process.stderr.write(`test:conversations: no such file: ${missing.join(', ')}${missing.some((m) => m.includes('shared/data')) ? ' (the development set comes with the shared data checkout next to the repo: ../shared/data)' : ''}\n`);
    return 2;
  }
  if (!list.length) {
    process.stderr.write(`test:conversations: no files given and none in ${DEFAULT_DIR}\n`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'conversations-'));
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: join(dir, 'bot.db'), LOG_LEVEL: 'error', MicrosoftAppId: '', MicrosoftAppPassword: '' });
  const app = await createApp(config, { log: createLogger('error', () => undefined) });
  try {
    const cases = loadCases(list, app.kb);
    const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'conversations [{bar}] {value}/{total}', stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(cases.length, 0);
    const results = await runAll({ botUrl: app.url, db: app.db }, cases, concurrency, () => bar?.increment());
    bar?.stop();
    process.stdout.write(table(results) + '\n');
    const s = summarise(results);
    process.stdout.write(JSON.stringify({ files: list, cases: s.cases, passed: s.passed, rates: Object.fromEntries(Object.entries(s.rates).map(([k, v]) => [k, v.rate])), counts: s.rates, answer: s.answer }) + '\n');
    return s.passed === s.cases ? 0 : 1;
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && /conversations\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`test:conversations: ${err instanceof ConfigError ? err.message : (err as Error).stack ?? err}\n`);
      process.exit(2);
    },
  );
}
