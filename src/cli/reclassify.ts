/**
 * npm run reclassify -- [--db FILE] [--limit N]
 * Re-tags stored feedback with the current sentiment engine and topic tagger, and predicts S/A again for ended
 * interactions not predicted by the current quality model (src/nlp/quality), with a progress bar on stderr.
 * A row is re-tagged when its sentiment model id/version (feedback.model_id/model_version) or its topic tagger
 * id/version (feedback.topic_model_id/topic_model_version: taxonomy version, or learned topic model + taxonomy)
 * differs from the current ones. Resumable: rows already tagged by the current models are never queued again, so a
 * second run (or a run after an interrupted one) only does what is left. `--limit N` stops after N rows.
 * Last stdout line: JSON { task, queued, processed, remaining, model, topic_model, jobs, predicted }.
 * Environment: DATABASE_PATH (when no --db), CLASSIFIER_*, MODELS_DIR, TAXONOMY_PATH (see docs/CLASSIFICATION.md).
 */
import '../preload'; // first: keeps dotenv quiet so stdout holds only the output
import cliProgress from 'cli-progress';
import { Db } from '../storage/db';
import { drainUntilIdle } from '../nlp/classify';
import { cliClassification } from './classification';
import { cliArgs } from './args';
import { createQuality } from '../nlp/quality';
import { InteractionRepo } from '../storage/interactions';

function parseArgs(argv: string[]): { db?: string; limit: number; help: boolean } {
  const { values } = cliArgs(argv, { strings: ['db', 'limit'], booleans: ['help'] });
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 1)) throw new Error('--limit must be a positive integer');
  return { db: values.db as string | undefined, limit, help: values.help === true };
}

/**
 * Ended interactions not predicted by the current quality model (src/nlp/quality) are predicted again, after the
 * feedback; null when the model file is missing (a warning says so).
 */
async function repredict(db: Db, env: Record<string, string | undefined>, limit: number) {
  const transcripts = new InteractionRepo(db, (s) => s); // only read here, so no redaction is needed
  const quality = createQuality(db, (id) => transcripts.transcript(id), env, {
    warn: (m, f) => process.stderr.write(`warning: ${m} ${JSON.stringify(f ?? {})}\n`),
    onError: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
    backoffMs: 200,
  });
  if (!quality) return null;
  // nothing has ended: no need to load the model (tens of MB) at all
  if (!(await quality.anyEnded())) return { model: null, queued: 0, processed: 0, remaining: 0, jobs: {} };
  const queued = await quality.enqueueStale();
  const total = Math.min(queued, limit);
  const bar = new cliProgress.SingleBar({ format: 'predict S/A [{bar}] {value}/{total} interactions {eta}s left', stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  let processed = 0;
  while (processed < limit && (await quality.processOne())) bar.update(Math.min(++processed, total));
  bar.stop();
  return { model: `${quality.info.id}@${quality.info.version}`, queued, processed, remaining: await quality.countStale(), jobs: await quality.counts() };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write('usage: npm run --silent reclassify -- [--db FILE] [--limit N]\n');
    return;
  }
  const env = process.env;
  const db = await Db.open(args.db ?? (env.DATABASE_PATH || './data/bot.db'));
  try {
    const { engine, pipeline, queue } = await cliClassification(db, env);
    const current = { sentiment: engine.info, topics: pipeline.topicModel };
    const queued = await queue.enqueueStale(current);
    const total = Math.min(queued, args.limit);
    const bar = new cliProgress.SingleBar({ format: 'reclassify [{bar}] {value}/{total} {eta}s left', stream: process.stderr }, cliProgress.Presets.shades_classic);
    bar.start(total, 0);
    const done = await drainUntilIdle(queue, (n) => bar.update(Math.min(n, total)), args.limit);
    bar.stop();
    const remaining = await queue.countStale(current);
    const jobs = await queue.counts();
    const predicted = await repredict(db, env, args.limit);
    process.stdout.write(
      JSON.stringify({
        task: 'reclassify',
        queued,
        processed: done,
        remaining,
        model: `${current.sentiment.id}@${current.sentiment.version}`,
        topic_model: `${current.topics.id}@${current.topics.version}`,
        jobs,
        predicted,
      }) + '\n',
    );
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  process.stderr.write(`reclassify: ${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
});
