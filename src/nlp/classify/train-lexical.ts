import { writeFileSync } from 'node:fs';
import { features } from './features';
import { LinearModel } from './linear';
import type { LexicalModelFile } from './lexical';
import { SENTIMENTS, type Sentiment } from './types';

/** Train the lexical sentiment model; classes are weighted so each source/class pair counts fairly. */
export function trainLexicalSentiment(
  rows: { text: string; label: Sentiment; source?: string }[],
  opts: { epochs?: number; version?: string; log?: (m: string) => void } = {},
): LexicalModelFile {
  const log = opts.log ?? (() => undefined);
  const labels = [...SENTIMENTS];
  const perClass = new Map<string, number>();
  for (const r of rows) perClass.set(r.label, (perClass.get(r.label) ?? 0) + 1);
  const t0 = Date.now();
  const data = rows.map((r) => ({
    x: features(r.text),
    y: labels.indexOf(r.label),
    // balance classes: neutral exists only in English data and is rare
    w: Math.min(3, rows.length / (labels.length * (perClass.get(r.label) ?? 1))),
  }));
  log(`features for ${rows.length} texts in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  const model = LinearModel.train(data, labels, { epochs: opts.epochs ?? 4, minCount: 2 });
  log(`trained in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  const version = opts.version ?? new Date().toISOString().slice(0, 10);
  return { id: 'lexical-sentiment', version, neutralBelow: 0, ...model.toJson() };
}

export function saveJson(path: string, obj: unknown): void {
  writeFileSync(path, JSON.stringify(obj));
}
