import { LexicalClassifier, LEXICAL_MODEL_PATH } from './lexical';
import { ConfigError } from '../../configError';
import { DEFAULT_TRANSFORMER_MODEL, TRANSFORMER_TASKS, TransformerClassifier, type TransformerTask } from './transformer';
import { withRules } from './rules';
import type { Classifier } from './types';

export interface ClassifierConfig {
  engine: 'transformer' | 'lexical';
  modelsDir: string;
  modelId: string;
  allowRemote: boolean;
  lexicalPath: string;
  task: TransformerTask;
}

export interface ClassifierHealth {
  ok: boolean;
  requested: ClassifierConfig['engine'];
  engine: ClassifierConfig['engine'] | 'none';
  model?: string;
  warning?: string;
}

let health: ClassifierHealth = { ok: false, requested: 'transformer', engine: 'none', warning: 'not loaded yet' };

/** Status of the loaded classifier, for the /healthz route. */
export function classifierHealth(): ClassifierHealth {
  return { ...health };
}

/** CLASSIFIER_ENGINE, CLASSIFIER_MODEL, CLASSIFIER_ALLOW_REMOTE, MODELS_DIR → config (env passed in). */
export function classifierConfigFromEnv(env: Record<string, string | undefined>): ClassifierConfig {
  // lexical is the default: it measured better and faster than the embedded tiny BERT (docs/CLASSIFICATION.md)
  const raw = env.CLASSIFIER_ENGINE || 'lexical';
  if (raw !== 'lexical' && raw !== 'transformer') throw new ConfigError('.env', 'CLASSIFIER_ENGINE', `must be lexical or transformer, got "${raw}"`);
  const engine = raw;
  const task = (env.CLASSIFIER_TASK || 'text-classification') as TransformerTask;
  if (!TRANSFORMER_TASKS.includes(task)) throw new ConfigError('.env', 'CLASSIFIER_TASK', `must be one of ${TRANSFORMER_TASKS.join(', ')}, got "${task}"`);
  if (env.CLASSIFIER_ALLOW_REMOTE && !['true', 'false'].includes(env.CLASSIFIER_ALLOW_REMOTE)) throw new ConfigError('.env', 'CLASSIFIER_ALLOW_REMOTE', 'must be true or false');
  const modelsDir = env.MODELS_DIR || 'models';
  return {
    engine,
    modelsDir,
    modelId: env.CLASSIFIER_MODEL || DEFAULT_TRANSFORMER_MODEL,
    allowRemote: env.CLASSIFIER_ALLOW_REMOTE === 'true',
    lexicalPath: env.CLASSIFIER_LEXICAL_MODEL || `${modelsDir}/lexical/sentiment.json`,
    task,
  };
}

type Warn = (msg: string, fields?: Record<string, unknown>) => void;

/**
 * Build the configured engine. A missing or corrupt transformer model falls back to the lexical
 * engine with a warning (log + classifierHealth()); it never throws for that reason.
 */
export async function createClassifier(
  cfg: Partial<ClassifierConfig> = {},
  warn: Warn = (m, f) => process.stderr.write(JSON.stringify({ level: 'warn', msg: m, ...f }) + '\n'),
): Promise<Classifier> {
  // Short affirmations and non-comments are neutral by rule in front of whichever engine loads.
  return withRules(await loadEngine(cfg, warn));
}

async function loadEngine(
  cfg: Partial<ClassifierConfig> = {},
  warn: Warn = (m, f) => process.stderr.write(JSON.stringify({ level: 'warn', msg: m, ...f }) + '\n'),
): Promise<Classifier> {
  const c: ClassifierConfig = { ...classifierConfigFromEnv({}), lexicalPath: LEXICAL_MODEL_PATH, ...cfg };
  if (c.engine === 'transformer') {
    try {
      const t = await TransformerClassifier.load({ modelsDir: c.modelsDir, modelId: c.modelId, allowRemote: c.allowRemote, task: c.task });
      health = { ok: true, requested: 'transformer', engine: 'transformer', model: `${t.info.id}@${t.info.version}` };
      return t;
    } catch (err) {
      const warning = `transformer model "${c.modelId}" unusable, using lexical engine: ${(err as Error).message}`.slice(0, 500);
      warn('classifier fallback', { warning });
      const lex = LexicalClassifier.load(c.lexicalPath);
      health = { ok: false, requested: 'transformer', engine: 'lexical', model: `${lex.info.id}@${lex.info.version}`, warning };
      return lex;
    }
  }
  const lex = LexicalClassifier.load(c.lexicalPath);
  health = { ok: true, requested: 'lexical', engine: 'lexical', model: `${lex.info.id}@${lex.info.version}` };
  return lex;
}
