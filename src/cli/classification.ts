import { createClassification } from '../nlp/classify';
import type { Db } from '../storage/db';
import { loadTaxonomy } from '../nlp/taxonomy';

/**
 * The classification pipeline and queue for a CLI run (report --import, reclassify): settings from the
 * environment as in the bot, warnings and job errors on stderr (stdout holds the CLI's result), and a
 * short retry back-off so a run does not sit waiting for retries.
 */
export function cliClassification(db: Db, env: Record<string, string | undefined> = process.env) {
  return createClassification(db, env, {
    taxonomy: loadTaxonomy(env.TAXONOMY_PATH || `${env.MODELS_DIR || 'models'}/taxonomy.yaml`),
    warn: (m, f) => process.stderr.write(`warning: ${m} ${JSON.stringify(f ?? {})}\n`),
    onError: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
    backoffMs: 200,
  });
}
