// Load benchmark: simulated customers run whole conversations over real HTTP on loopback —
// a question, an answer, goodbye, the full survey (card submits and typed answers) and an open text —
// at several concurrency levels, against a bare restify endpoint measured in the same run.
// Bounded: each level stops after --conversations per level or --seconds, whichever first.
// --think-ms N: each customer pauses about N ms (0.5-1.5 x N) before each turn, as people do;
// 0 (the default) is a closed loop that measures saturation throughput.
// Usage: npm run bench:load -- [--levels 10,100,500] [--conversations 1000] [--seconds 60] [--think-ms 0]
//        [--database-url postgres://... [--instances 2]]: also PostgreSQL with 1 instance and with N instances
//        (each turn to the next instance, no sticky sessions), each on a fresh schema, in the same run.
import '../src/preload'; // first: keeps dotenv quiet so stdout holds only the figures
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { Db } from '../src/storage/db';
import { activity, argNum, startServer, startSink, stopServer, summarize, tempDb } from './lib';

const levels = (process.argv.includes('--levels') ? process.argv[process.argv.indexOf('--levels') + 1] : '10,100,500').split(',').map(Number);
const PER_LEVEL = argNum('conversations', 1000);
const SECONDS = argNum('seconds', 60);
const THINK_MS = argNum('think-ms', 0);
const arg = (name: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);
const DATABASE_URL = arg('database-url');
const INSTANCES = argNum('instances', 2);

type Turn = { text?: string; value?: unknown; surveyAnswer?: boolean };
const SCRIPT: Turn[] = [
  { text: 'How do I reset my password?' },
  { text: 'thanks' },
  { text: 'bye' },
  { value: { surveyItem: 'csat', value: 4 }, surveyAnswer: true },
  { value: { surveyItem: 'resolved', value: 'yes' }, surveyAnswer: true },
  { text: '9', surveyAnswer: true },
  { value: { surveyItem: 'ces', value: 6 }, surveyAnswer: true },
  { text: '5', surveyAnswer: true },
  { value: { surveyItem: 'rating_attitude', value: 4 }, surveyAnswer: true },
  { text: '5分', surveyAnswer: true },
  { text: 'Quick and clear answer, but the app login page is confusing.', surveyAnswer: true },
];

/** A models folder like ./models whose survey selection gives bot-only contacts the full survey. */
function fullSurveyModels(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-models-'));
  for (const f of readdirSync('models')) if (f !== 'surveys.yaml') symlinkSync(resolve('models', f), join(dir, f));
  const cfg = YAML.parse(readFileSync('models/surveys.yaml', 'utf8'));
  cfg.selection = cfg.selection.map((r: { outcome?: string; definition: string }) => (r.outcome === 'bot_only' ? { ...r, definition: 'default' } : r));
  writeFileSync(join(dir, 'surveys.yaml'), YAML.stringify(cfg));
  return dir;
}

const think = () => (THINK_MS > 0 ? new Promise((r) => setTimeout(r, THINK_MS * (0.5 + Math.random()))) : Promise.resolve());

async function level(ports: number | number[], sink: string, label: string, concurrency: number) {
  const list = Array.isArray(ports) ? ports : [ports];
  const latencies: number[] = [];
  let conversations = 0;
  let errors = 0;
  let answersSent = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const k = next++;
        if (k >= PER_LEVEL) return;
        const conv = `${label}-${concurrency}-${k}`;
        let ok = true;
        for (let t = 0; t < SCRIPT.length; t++) {
          const turn = SCRIPT[t];
          await think();
          const body = JSON.stringify(activity(sink, conv, `load-user-${conv}`, t, turn.text ?? '', turn.value));
          const t0 = performance.now();
          try {
            const res = await fetch(`http://127.0.0.1:${list[t % list.length]}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
            await res.arrayBuffer();
            if (res.status >= 300) throw new Error(String(res.status));
            if (turn.surveyAnswer) answersSent++;
          } catch {
            errors++;
            ok = false;
          }
          latencies.push(performance.now() - t0);
          if (!ok) break;
        }
        if (ok) conversations++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { concurrency, conversations, conversations_per_s: +(conversations / seconds).toFixed(1), ...summarize(latencies, seconds), errors, answersSent };
}

/** A fresh schema on the PostgreSQL server, as a DATABASE_URL whose connections use it. */
async function freshSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const pg = (await import('pg')).default;
  const name = `bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA ${name}`);
  await c.end();
  const u = new URL(DATABASE_URL!);
  u.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: DATABASE_URL });
      await d.connect();
      await d.query(`DROP SCHEMA ${name} CASCADE`);
      await d.end();
    },
  };
}

/** PostgreSQL with 1 instance, then with INSTANCES instances taking turns, on fresh schemas. */
async function onPostgres(sink: string, models: string, c: number) {
  const out: Record<string, unknown> = {};
  for (const n of [...new Set([1, INSTANCES])]) {
    const schema = await freshSchema();
    const ports = Array.from({ length: n }, (_, i) => 40300 + c + i * 7);
    const servers = [];
    for (const port of ports) servers.push(await startServer('src/index.ts', { DATABASE_URL: schema.url, MODELS_DIR: models }, port));
    const run = await level(ports, sink, `pg${n}`, c);
    await Promise.all(servers.map(stopServer));
    const { Db: D } = await import('../src/storage/db');
    const db = await D.open(schema.url);
    const stored = (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM survey_answers'))!.n;
    await db.close();
    await schema.drop();
    out[`instances_${n}`] = { ...run, survey_answers_stored: stored, all_answers_stored: stored === run.answersSent };
    console.error(JSON.stringify({ concurrency: c, postgres_instances: n, turns_per_s: run.turns_per_s, p99: (run as any).p99_ms, errors: run.errors }));
  }
  return out;
}

async function main() {
  const sink = await startSink();
  const models = fullSurveyModels();
  const results = [];
  for (const c of levels) {
    const basePort = 40100 + c;
    const base = await startServer('bench/bareRestify.ts', {}, basePort);
    const baseline = await level(basePort, sink.url, 'base', c);
    await stopServer(base);

    const dbPath = tempDb();
    const botPort = 40200 + c;
    const bot = await startServer('src/index.ts', { DATABASE_PATH: dbPath, MODELS_DIR: models }, botPort);
    const run = await level(botPort, sink.url, 'bot', c);
    await stopServer(bot);
    const db = await Db.open(dbPath);
    const stored = (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM survey_answers"))!.n;
    await db.close();
    const postgres = DATABASE_URL ? await onPostgres(sink.url, models, c) : undefined;
    const row = {
      concurrency: c,
      bot: run,
      ...(postgres ? { postgres } : {}),
      bare_restify: baseline,
      ratio_turns_per_s: +(run.turns_per_s / baseline.turns_per_s).toFixed(3),
      survey_answers_sent: run.answersSent,
      survey_answers_stored: stored,
      all_answers_stored: stored === run.answersSent,
    };
    console.error(JSON.stringify(row));
    results.push(row);
  }
  await sink.close();
  console.log(JSON.stringify({ bench: 'load', think_ms: THINK_MS, machine: `${(await import('node:os')).cpus().length} cores`, levels: results }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
