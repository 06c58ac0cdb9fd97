/**
 * npm run reclassify -- [--db FILE] [--limit N]
 * Re-tags stored feedback with the current sentiment engine and topic tagger, with a progress bar on stderr.
 * A row is re-tagged when its sentiment model id/version (feedback.model_id/model_version) or its topic tagger
 * id/version (feedback.topic_model_id/topic_model_version: taxonomy version, or learned topic model + taxonomy)
 * differs from the current ones. Resumable: rows already tagged by the current models are never queued again, so a
 * second run (or a run after an interrupted one) only does what is left. `--limit N` stops after N rows.
 * Last stdout line: JSON { task, queued, processed, remaining, model, topic_model, jobs }.
 * Environment: DATABASE_PATH (when no --db), CLASSIFIER_*, MODELS_DIR, TAXONOMY_PATH (see docs/CLASSIFICATION.md).
 */
import '../preload'; // first: keeps dotenv quiet so stdout holds only the output
import cliProgress from 'cli-progress';
import { Db } from '../storage/db';
import { drainUntilIdle } from '../nlp/classify';
import { cliClassification } from './classification';
import { cliArgs } from './args';

function parseArgs(argv: string[]): { db?: string; limit: number; help: boolean } {
  const { values } = cliArgs(argv, { strings: ['db', 'limit'], booleans: ['help'] });
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 1)) throw new Error('--limit must be a positive integer');
  return { db: values.db as string | undefined, limit, help: values.help === true };
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
    process.stdout.write(
      JSON.stringify({
        task: 'reclassify',
        queued,
        processed: done,
        remaining,
        model: `${current.sentiment.id}@${current.sentiment.version}`,
        topic_model: `${current.topics.id}@${current.topics.version}`,
        jobs,
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
