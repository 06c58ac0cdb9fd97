import type { Db } from '../../storage/db';
import type { Taxonomy } from '../taxonomy';
import { classifierConfigFromEnv, createClassifier } from './engine';
import { ClassificationPipeline } from './pipeline';
import { ClassificationQueue, type QueueOptions } from './queue';
import { TopicTagger } from './topics';

export { classifierHealth, createClassifier, classifierConfigFromEnv } from './engine';
export { ClassificationPipeline } from './pipeline';
export { ClassificationQueue, drainUntilIdle } from './queue';
export { TopicTagger } from './topics';
export type { Classification, Classifier, Sentiment, TopicTag } from './types';

/**
 * Everything the app needs: engine (with fallback), topic tagger, pipeline and the queue.
 * Call queue.start() after the server is up and `await queue.stop()` on shutdown; after
 * inserting a feedback row call `queue.enqueue(id)`.
 */
export async function createClassification(
  db: Db,
  env: Record<string, string | undefined>,
  opts: QueueOptions & { warn?: (msg: string, fields?: Record<string, unknown>) => void; taxonomy: Taxonomy },
) {
  const cfg = classifierConfigFromEnv(env);
  const engine = await createClassifier(cfg, opts.warn);
  const tagger = TopicTagger.load(opts.taxonomy, `${cfg.modelsDir}/lexical/topics.json`);
  const pipeline = new ClassificationPipeline(engine, tagger);
  const queue = new ClassificationQueue(db, pipeline, opts);
  return { engine, pipeline, queue };
}
