/**
 * npm run --silent report -- [--import FILE] [--db FILE] [--model FILE] [--from D] [--to D] [--channel C] [--locale L]
 *   [--handled-by bot|agent] [--agent ID] [--topic T] [--definition ID] [--period day|week|month]
 *   [--format json|csv|md|html] [--out FILE] [--no-store-alerts] [--no-classify]
 * With --format json the last line of stdout is the report as one JSON object. Import summaries go to stderr.
 * Imported comments are classified (sentiment + topics) through the same pipeline and queue as live feedback before
 * the report is computed, with a progress bar on stderr; `--no-classify` only queues them for the bot's worker.
 */
import '../preload'; // first: keeps dotenv quiet so stdout holds only the output
import { statSync, writeFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { Db } from '../storage/db';
import { ClassificationQueue, drainUntilIdle, type ClassificationPipeline } from '../nlp/classify';
import { cliClassification } from './classification';
import { cliArgs } from './args';
import { buildReport, importCsv, loadIndicatorModel, trend, type Filter, type Period } from '../indicators/index';
import { toCsv, toHtml, toMarkdown, type TrendPoint } from '../indicators/render';

const FLAGS = ['import', 'db', 'model', 'from', 'to', 'channel', 'locale', 'handled-by', 'agent', 'topic', 'definition', 'period', 'format', 'out'];

export function parseArgs(argv: string[]): Record<string, string | boolean> {
  const { values } = cliArgs(argv, { strings: FLAGS, booleans: ['no-store-alerts', 'no-classify', 'help'] });
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return out;
}

export function filterFromArgs(a: Record<string, string | boolean>): Filter {
  const s = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
  const f: Filter = {
    from: s('from'),
    to: s('to'),
    channel: s('channel'),
    locale: s('locale'),
    handledBy: s('handled-by'),
    agentId: s('agent'),
    topic: s('topic'),
    definitionId: s('definition'),
  };
  for (const k of Object.keys(f) as (keyof Filter)[]) if (f[k] === undefined) delete f[k];
  if (f.handledBy && f.handledBy !== 'bot' && f.handledBy !== 'agent') throw new Error('--handled-by must be bot or agent');
  return f;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${readUsage()}\n`);
    return;
  }
  const format = (args.format as string) ?? 'json';
  if (!['json', 'csv', 'md', 'html'].includes(format)) throw new Error('--format must be json, csv, md or html');
  const model = loadIndicatorModel((args.model as string) ?? 'models/indicators.yaml');
  for (const w of model.warnings) process.stderr.write(`warning: ${w}\n`);
  const db = await Db.open((args.db as string) ?? process.env.DATABASE_PATH ?? './data/bot.db');
  try {
    if (typeof args.import === 'string') {
      const size = statSync(args.import).size;
      const bar = size > 2_000_000 && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'import [{bar}] {percentage}% | {rows} rows', stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
      bar?.start(size, 0, { rows: 0 });
      const changed: number[] = [];
      const r = await importCsv(db, { path: args.import }, { onFeedback: (id) => void changed.push(id), onProgress: (rows, bytes) => bar?.update(bytes, { rows }) });
      bar?.stop();
      process.stderr.write(`import ${args.import}: ${r.rows} rows read, ${r.imported} imported, ${r.rows - r.imported} rejected, ${r.feedback} new or changed comments, ${r.seconds.toFixed(2)} s\n`);
      for (const x of r.rejected) process.stderr.write(x.row > 0 ? `  row ${x.row}: ${x.reason}\n` : `  ${x.reason}\n`);
      await classifyImported(db, changed, !args['no-classify']);
    }
    const filter = filterFromArgs(args);
    const report = await buildReport(db, model, filter, { store: !args['no-store-alerts'] });
    let text: string;
    if (format === 'json') text = JSON.stringify(report);
    else if (format === 'csv') text = toCsv(report);
    else if (format === 'md') text = toMarkdown(report);
    else {
      const period = ((args.period as string) ?? 'day') as Period;
      const series = await trend(db, model, filter, period);
      const points: TrendPoint[] = series.map((s) => ({ period: s.period, csat_pct: s.report.csat_pct, nps: s.report.nps, csi: s.report.csi, n: s.report.n }));
      text = toHtml(report, points, period);
    }
    if (typeof args.out === 'string') {
      writeFileSync(args.out, format === 'json' ? text + '\n' : text);
      process.stderr.write(`wrote ${args.out}\n`);
    }
    if (format === 'json') process.stdout.write(text + '\n');
    else if (typeof args.out !== 'string') process.stdout.write(text);
  } finally {
    await db.close();
  }
}

/**
 * Queue the imported comments in classification_jobs (as the live survey does) and, unless told not to, run the
 * queue here until they are done, so the report below already has their sentiment and topics.
 */
async function classifyImported(db: Db, ids: number[], run: boolean): Promise<void> {
  if (!ids.length) return;
  const t0 = Date.now();
  if (!run) {
    // queueing needs no model: the pipeline is only used by the worker (the bot's, on its next start at the latest)
    await new ClassificationQueue(db, undefined as unknown as ClassificationPipeline).enqueueMany(ids);
    process.stderr.write(`${ids.length} comments queued for the bot's classification worker (--no-classify)\n`);
    return;
  }
  const { engine, pipeline, queue } = await cliClassification(db);
  await queue.enqueueMany(ids);
  const bar = new cliProgress.SingleBar({ format: 'classify [{bar}] {value}/{total} comments | {eta}s left', stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar.start(ids.length, 0);
  const done = await drainUntilIdle(queue, (n) => bar.update(Math.min(n, ids.length)));
  bar.stop();
  const jobs = await queue.counts(new Date(t0).toISOString());
  const t = pipeline.topicModel;
  process.stderr.write(
    `classified ${done} comments with ${engine.info.id}@${engine.info.version}, topics ${t.id}@${t.version}, ${((Date.now() - t0) / 1000).toFixed(2)} s` +
      `${jobs.failed ? `; ${jobs.failed} failed (classification_jobs.last_error)` : ''}${jobs.pending ? `; ${jobs.pending} still pending` : ''}\n`,
  );
}

function readUsage(): string {
  return 'usage: npm run --silent report -- [--import FILE] [--db FILE] [--from D --to D --channel C --locale L --handled-by bot|agent --agent ID --topic T --definition ID] [--period day|week|month] --format json|csv|md|html [--out FILE] [--no-store-alerts] [--no-classify]';
}

main().catch((err) => {
  process.stderr.write(`report: ${(err as Error).message}\n`);
  process.exit(1);
});
