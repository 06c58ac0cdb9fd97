/**
 * Indicator benchmark: generates N interactions (prepared statements, big transactions), then times a
 * full report (all indicators + alert rules) and the CSV importer.
 *   npx tsx bench/indicators.ts [--scales 10000,100000,1000000] [--csv-max 100000] [--keep] [--gen-only]
 *   npx tsx bench/indicators.ts --db FILE        (reuse a generated database; skips generation)
 *   npx tsx bench/indicators.ts --trigger-cost   (10k survey-answer inserts with and without the rollup triggers)
 */
import '../src/preload'; // first: keeps dotenv quiet so stdout holds only the figures
import sqlite3 from 'sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Db } from '../src/storage/db';
import { buildReport, importCsv, IMPORT_COLUMNS, loadIndicatorModel, refreshRollup } from '../src/indicators/index';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const scales = arg('scales', '10000,100000,1000000').split(',').map(Number);
const genOnly = process.argv.includes("--gen-only");
const csvMax = Number(arg('csv-max', '100000'));

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const wait = (db: sqlite3.Database, sql: string) => new Promise<void>((res, rej) => db.exec(sql, (e) => (e ? rej(e) : res())));
const barrier = (db: sqlite3.Database) => new Promise<void>((res, rej) => db.get('SELECT 1', (e) => (e ? rej(e) : res())));

/** Buffers rows and writes them ROWS at a time through one prepared multi-row INSERT (far fewer statements). */
class BulkInsert {
  static ROWS = 200;
  private buf: unknown[] = [];
  private count = 0;
  private stmt: sqlite3.Statement;
  constructor(private db: sqlite3.Database, private head: string, private cols: number) {
    this.stmt = db.prepare(this.sql(BulkInsert.ROWS));
  }
  private sql(rows: number) {
    return `${this.head} VALUES ${Array.from({ length: rows }, () => `(${new Array(this.cols).fill('?').join(',')})`).join(',')}`;
  }
  add(row: unknown[]) {
    this.buf.push(...row);
    if (++this.count === BulkInsert.ROWS) {
      this.stmt.run(this.buf as any);
      this.buf = [];
      this.count = 0;
    }
  }
  flush() {
    if (this.count) this.db.run(this.sql(this.count), this.buf as any);
    this.buf = [];
    this.count = 0;
    this.stmt.finalize();
  }
}

async function generate(path: string, n: number): Promise<number> {
  const raw = new sqlite3.Database(path);
  raw.serialize(); // statements run in order, so COMMIT follows the last flush
  await wait(raw, 'PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;');
  const insI = new BulkInsert(raw, `INSERT INTO interactions (id, conversation_id, user_id, channel, locale, started_at, last_activity_at, handled_by, agent_id, resolved,
    complaint, first_reply_seconds, queue_wait_seconds, complaint_first_response_hours, complaint_closed_hours, repeat_contact_7d)`, 16);
  const insS = new BulkInsert(raw, `INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, locale, agent_id, status, offered_at)`, 11);
  const insA = new BulkInsert(raw, `INSERT INTO survey_answers (survey_id, item_id, kind, value, input_mode, answered_at)`, 6);
  const insF = new BulkInsert(raw, `INSERT INTO feedback (id, interaction_id, survey_id, text, created_at, sentiment)`, 6);
  const insT = new BulkInsert(raw, `INSERT INTO feedback_topics (feedback_id, source, topic, sentiment)`, 4);
  const run = (b: BulkInsert, row: unknown[]) => b.add(row);
  const r = rng(42);
  const channels = ['webchat', 'directline', 'msteams', 'line'];
  const locales = ['zh-CN', 'zh-TW', 'en'];
  const topics = ['response_speed', 'attitude', 'professionalism', 'resolution', 'process', 'price_transparency', 'complaint_handling', 'product_quality'];
  const sents = ['negative', 'neutral', 'positive'];
  const t0 = Date.now();
  const start = Date.UTC(2025, 0, 1);
  let fid = 0;
  await wait(raw, 'BEGIN');
  for (let i = 0; i < n; i++) {
    const id = `g${i}`;
    const at = new Date(start + Math.floor((i / n) * 365 * 86400_000) + Math.floor(r() * 3600_000)).toISOString();
    const agent = r() < 0.3;
    const complaint = r() < 0.05 ? 1 : 0;
    const mood = r(); // drives correlated answers
    const res = mood > 0.3 ? 'yes' : mood > 0.15 ? 'partly' : 'no';
    run(insI, [id, `c${i}`, `u${i % 50000}`, channels[i % 4], locales[i % 3], at, at, agent ? 'agent' : 'bot', agent ? `a${i % 40}` : null, r() < 0.5 ? res : null,
      complaint, agent ? Math.floor(r() * 1200) : null, agent ? Math.floor(r() * 900) : null, complaint ? r() * 40 : null, complaint ? r() * 240 : null, r() < 0.1 ? 1 : 0]);
    if (r() < 0.7) {
      const roll = r();
      const status = roll < 0.6 ? 'complete' : roll < 0.7 ? 'incomplete' : roll < 0.9 ? 'declined' : 'offered';
      const sid = `s${i}`;
      run(insS, [sid, id, `u${i % 50000}`, 'default', 1, 'goodbye', channels[i % 4], locales[i % 3], null, status, at]);
      if (status === 'complete' || status === 'incomplete') {
        const five = () => Math.max(1, Math.min(5, Math.round(1 + mood * 4 + (r() - 0.5) * 1.5)));
        const items: Array<[string, string, number]> = [
          ['csat', 'csat', five()],
          ['nps', 'nps', Math.max(0, Math.min(10, Math.round(mood * 10 + (r() - 0.5) * 3)))],
          ['ces', 'ces', Math.max(1, Math.min(7, Math.round(1 + mood * 6 + (r() - 0.5) * 2)))],
          ['resolved', 'resolved', res === 'yes' ? 1 : res === 'partly' ? 0.5 : 0],
          ['rating_response_speed', 'rating', five()],
          ['rating_attitude', 'rating', five()],
          ['rating_professionalism', 'rating', five()],
          ['rating_resolution', 'rating', five()],
        ];
        for (const [item, kind, v] of items) if (status === 'complete' || r() < 0.5) if (r() > 0.05) run(insA, [sid, item, kind, v, 'button', at]);
        if (r() < 0.15) {
          fid++;
          run(insF, [fid, id, sid, 'generated comment', at, sents[mood < 0.3 ? 0 : mood < 0.6 ? 1 : 2]]);
          const t1 = Math.floor(r() * topics.length);
          run(insT, [fid, 'model', topics[t1], sents[Math.floor(r() * 3)]]);
          if (r() < 0.3) run(insT, [fid, 'model', topics[(t1 + 1) % topics.length], sents[Math.floor(r() * 3)]]);
        }
      }
    }
    if (i % 20000 === 19999) await barrier(raw); // keep the statement queue (and memory) bounded
    if (i % 200000 === 199999) await wait(raw, 'COMMIT; BEGIN');
  }
  for (const b of [insI, insS, insA, insF, insT]) b.flush();
  await wait(raw, 'COMMIT');
  const secs = (Date.now() - t0) / 1000;
  await wait(raw, 'PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;');
  await new Promise<void>((res) => raw.close(() => res()));
  return secs;
}

function csvFor(n: number): string {
  const r = rng(7);
  const lines = [IMPORT_COLUMNS.join(',')];
  for (let i = 0; i < n; i++) {
    const at = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
    const v = (k: number) => 1 + Math.floor(r() * k);
    lines.push([`imp${i}`, at, 'phone', 'zh-CN', r() < 0.3 ? 'agent' : 'bot', '', v(5), v(11) - 1, v(7), ['yes', 'partly', 'no'][v(3) - 1], v(5), v(5), v(5), v(5),
      Math.floor(r() * 1200), r() < 0.05 ? 1 : 0, '', r() < 0.1 ? `"comment ${i}, call 13812345678"` : ''].join(','));
  }
  return lines.join('\n');
}

async function timeReports(db: Db, n: number, dir: string, genSecs: number | null) {
  const model = loadIndicatorModel('models/indicators.yaml');
  const secs = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return (performance.now() - t) / 1000;
  };
  const tBuild = await secs(() => refreshRollup(db, model.sla)); // first report after generation builds the rollup
  let rep: Awaited<ReturnType<typeof buildReport>> | undefined;
  const tReport = await secs(async () => (rep = await buildReport(db, model, {}, { alerts: false })));
  let full: Awaited<ReturnType<typeof buildReport>> | undefined;
  const tFull = await secs(async () => (full = await buildReport(db, model, {}, { store: true })));
  const tSeg = await secs(() => buildReport(db, model, { channel: 'webchat', from: '2025-06-01', to: '2025-06-30' }, { store: false }));
  const tAgent = await secs(() => buildReport(db, model, { agentId: 'a7', from: '2025-06-01', to: '2025-06-30' }, { store: false }));
  // one new interaction + survey answer marks today dirty: the next full report recomputes that day only
  await db.run(`INSERT INTO interactions (id, conversation_id, user_id, channel, started_at, last_activity_at) VALUES ('late' || abs(random()), 'late', 'u', 'webchat', '2025-12-30T10:00:00.000Z', '2025-12-30T10:00:00.000Z')`);
  const tDirty = await secs(() => buildReport(db, model, {}, { store: false }));
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(
    `n=${n}: ${genSecs === null ? '' : `generate ${Math.round(n / genSecs)} interactions/s (${genSecs.toFixed(1)} s); `}rollup build ${tBuild.toFixed(2)} s; ` +
      `indicators ${tReport.toFixed(2)} s; full report incl. ${model.alerts.length} alert rules ${tFull.toFixed(2)} s (${full!.alerts.length} alerts); ` +
      `one-month one-channel segment ${tSeg.toFixed(2)} s; one-month agent segment (base SQL) ${tAgent.toFixed(2)} s; full report after a write ${tDirty.toFixed(2)} s; ` +
      `csi ${rep!.csi} grade ${rep!.grade}; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; load ${load}`,
  );
  if (n <= csvMax) {
    const csvPath = join(dir, 'in.csv');
    writeFileSync(csvPath, csvFor(n));
    const imp = await importCsv(db, { path: csvPath });
    console.log(`n=${n}: CSV import ${Math.round(imp.imported / imp.seconds)} rows/s (${imp.imported} rows, ${imp.seconds.toFixed(1)} s); peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; load ${loadavg()[0].toFixed(1)}`);
  }
}

/** Chat write path: 10k single-statement survey-answer inserts (autocommit), with and without the rollup triggers. */
async function triggerCost() {
  for (const withTriggers of [true, false, true, false]) {
    const dir = mkdtempSync(join(tmpdir(), 'indtrig-'));
    const db = await Db.open(join(dir, 't.db'));
    if (!withTriggers) for (const t of ['a_ins', 'a_del', 'a_upd']) await db.exec(`DROP TRIGGER indicator_dirty_${t}`);
    await db.transaction(async (tx) => {
      for (let i = 0; i < 2500; i++) {
        const at = new Date(Date.UTC(2026, 0, 1) + i * 600_000).toISOString();
        await tx.runRaw(`INSERT INTO interactions (id, conversation_id, user_id, channel, started_at, last_activity_at) VALUES (?, ?, 'u', 'web', ?, ?)`, [`i${i}`, `c${i}`, at, at]);
        await tx.runRaw(`INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, status, offered_at) VALUES (?, ?, 'u', 'd', 1, 'goodbye', 'web', 'started', ?)`, [`s${i}`, `i${i}`, at]);
      }
    });
    const items = ['csat', 'nps', 'ces', 'resolved'];
    const t = performance.now();
    for (let i = 0; i < 10000; i++)
      await db.run(`INSERT INTO survey_answers (survey_id, item_id, kind, value, input_mode, answered_at) VALUES (?, ?, 'rating', 4, 'button', '2026-01-01')`, [`s${i % 2500}`, items[Math.floor(i / 2500)]]);
    const ms = performance.now() - t;
    // the same 10k inserts again (after deleting them) inside one transaction: the SQL cost without commits
    await db.exec('DELETE FROM survey_answers');
    const t2 = performance.now();
    await db.transaction(async (tx) => {
      for (let i = 0; i < 10000; i++)
        await tx.runRaw(`INSERT INTO survey_answers (survey_id, item_id, kind, value, input_mode, answered_at) VALUES (?, ?, 'rating', 4, 'button', '2026-01-01')`, [`s${i % 2500}`, items[Math.floor(i / 2500)]]);
    });
    const ms2 = performance.now() - t2;
    console.log(
      `10k survey-answer inserts ${withTriggers ? 'with' : 'without'} triggers: autocommit ${ms.toFixed(0)} ms (${((ms / 10000) * 1000).toFixed(0)} µs each); ` +
        `in one transaction ${ms2.toFixed(0)} ms (${((ms2 / 10000) * 1000).toFixed(0)} µs each); load ${loadavg()[0].toFixed(1)}`,
    );
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}; node ${process.version}; ${new Date().toISOString()}; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  if (process.argv.includes('--trigger-cost')) return triggerCost();
  const existing = arg('db', '');
  if (existing) {
    const db = await Db.open(existing);
    const n = (await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM interactions'))!.c;
    const tmp = mkdtempSync(join(tmpdir(), 'indbench-'));
    await timeReports(db, n, tmp, null);
    rmSync(tmp, { recursive: true, force: true });
    return db.close();
  }
  for (const n of scales) {
    const dir = mkdtempSync(join(tmpdir(), 'indbench-'));
    const path = join(dir, 'bench.db');
    (await Db.open(path)).close();
    const genSecs = await generate(path, n);
    if (genOnly) {
      console.log(`generated ${n} in ${genSecs.toFixed(1)} s: ${path}`);
      continue;
    }
    const db = await Db.open(path);
    await timeReports(db, n, dir, genSecs);
    await db.close();
    if (process.argv.includes('--keep')) console.log(`kept ${path}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
