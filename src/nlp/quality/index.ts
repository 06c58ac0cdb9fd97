import { existsSync } from 'node:fs';
import type { Db } from '../../storage/db';
import { loadQualityModel } from './cli';
import { QualityRepo } from './repo';
import type { TranscriptRow } from './transcript';

export { QualityRepo } from './repo';
export type { QualityRow } from './repo';

/**
 * The predicted-quality part of the background queue, or undefined (with a warning) when the model file is
 * missing. Model path: QUALITY_MODEL, default MODELS_DIR/quality/quality.json.
 */
export function createQuality(
  db: Db,
  transcript: (interactionId: string) => Promise<TranscriptRow[]>,
  env: Record<string, string | undefined>,
  opts: { warn?: (m: string, f?: Record<string, unknown>) => void; onError?: (m: string, f: Record<string, unknown>) => void; backoffMs?: number } = {},
): QualityRepo | undefined {
  const path = env.QUALITY_MODEL || `${env.MODELS_DIR || 'models'}/quality/quality.json`;
  if (!existsSync(path)) {
    opts.warn?.('predicted-quality model not found; interactions get no predicted satisfaction', { path });
    return undefined;
  }
  return new QualityRepo(db, () => loadQualityModel(path), transcript, { onError: opts.onError, backoffMs: opts.backoffMs });
}
