import '../preload'; // first: keeps dotenv quiet so stdout holds only the output
import cliProgress from 'cli-progress';
import { Db } from '../storage/db';
import { classifierConfigFromEnv, createClassifier } from '../nlp/classify/engine';
import { ClassificationPipeline } from '../nlp/classify/pipeline';
import { ClassificationQueue } from '../nlp/classify/queue';
import { TopicTagger } from '../nlp/classify/topics';
import { loadTaxonomy } from '../nlp/taxonomy';

/**
 * Re-tag stored feedback with the current model. Resumable: only rows whose model id/version
 * differ from the current engine's are queued, so a second run continues where one stopped.
 */
async function main() {
  const env = process.env;
  const db = await Db.open(env.DATABASE_PATH || './data/bot.db');
  const engine = await createClassifier(classifierConfigFromEnv(env));
  const pipeline = new ClassificationPipeline(engine, TopicTagger.load(loadTaxonomy(env.TAXONOMY_PATH || 'models/taxonomy.yaml')));
  const queue = new ClassificationQueue(db, pipeline, { onError: (m, f) => console.error(m, JSON.stringify(f)) });
  const { id, version } = engine.info;
  const rows = await db.all<{ id: number }>(
    `SELECT id FROM feedback WHERE model_id IS NULL OR model_id <> ? OR model_version IS NULL OR model_version <> ? ORDER BY id`,
    [id, version],
  );
  for (const r of rows) await queue.enqueue(r.id);
  const bar = new cliProgress.SingleBar({ format: 'reclassify [{bar}] {value}/{total} {eta}s left' }, cliProgress.Presets.shades_classic);
  bar.start(rows.length, 0);
  let done = 0;
  while (true) {
    const n = await queue.drain(() => bar.update(Math.min(++done, rows.length)));
    if (n === 0) break;
  }
  bar.stop();
  const counts = await queue.counts();
  await db.close();
  console.log(JSON.stringify({ task: 'reclassify', queued: rows.length, model: `${id}@${version}`, jobs: counts }));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
