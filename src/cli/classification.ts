import { createClassification } from '../nlp/classify';
import type { Db } from '../storage/db';
import { createQuality } from '../nlp/quality';
import { InteractionRepo } from '../storage/interactions';

/**
 * The classification pipeline and queue for a CLI run (report --import, reclassify): settings from the
 * environment as in the bot, warnings and job errors on stderr (stdout holds the CLI's result), and a
 * short retry back-off so a run does not sit waiting for retries.
 */
export async function cliClassification(db: Db, env: Record<string, string | undefined> = process.env) {
  const warn = (m: string, f?: Record<string, unknown>) => process.stderr.write(`warning: ${m} ${JSON.stringify(f ?? {})}\n`);
  // the repository only reads transcripts here, so it needs no redaction
  const transcripts = new InteractionRepo(db, (s) => s);
  const quality = createQuality(db, (id) => transcripts.transcript(id), env, { warn, onError: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`), backoffMs: 200 });
  const c = await createClassification(db, env, {
    quality,
    taxonomyPath: env.TAXONOMY_PATH || `${env.MODELS_DIR || 'models'}/taxonomy.yaml`,
    warn,
    onError: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
    backoffMs: 200,
  });
  return { ...c, quality };
}
