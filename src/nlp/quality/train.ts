import { mulberry32 } from '../ml';
import { score, type Figures } from './evaluate';
import { QualityModel, soften, type QualitySettings } from './model';
import type { Dialogue, Head } from './types';
import { allFeatures, dialogueFeatures } from './features';

/** Feature strings per data set and feature option, so the grid featurises once. */
const cache = new WeakMap<Dialogue[], Map<string, string[][]>>();

/** k folds by a seeded shuffle of the ids (en translations share ids with zh, so folds never split a pair). */
export function folds(data: Dialogue[], k: number, seed = 1): number[] {
  const ids = [...new Set(data.map((d) => d.id))].sort();
  const rnd = mulberry32(seed);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  const fold = new Map(ids.map((id, i) => [id, i % k]));
  return data.map((d) => fold.get(d.id)!);
}

/** Out-of-fold probabilities at temperature 1 (the temperature is tuned on these afterwards). */
export function outOfFold(data: Dialogue[], settings: QualitySettings, k = 5): Record<Head, number[]>[] {
  const f = folds(data, k);
  const key = String(!!settings.hanTrigrams);
  if (!cache.has(data)) cache.set(data, new Map());
  const byOpt = cache.get(data)!;
  const feats = byOpt.get(key) ?? data.map((d) => allFeatures(dialogueFeatures(d, settings)));
  byOpt.set(key, feats);
  const preds = new Array<Record<Head, number[]>>(data.length);
  const raw = { ...settings, temperature: 1 };
  for (let i = 0; i < k; i++) {
    const keep = data.map((_, j) => f[j] !== i);
    const model = QualityModel.fit(data.filter((_, j) => keep[j]), raw, { feats: feats.filter((_, j) => keep[j]) });
    data.forEach((_, j) => {
      if (!keep[j]) preds[j] = model.predictVec(model.vec.transform(feats[j]));
    });
  }
  return preds;
}

/** Figures of out-of-fold predictions at temperature t, per group (e.g. language). */
export function scoreGroups(data: Dialogue[], preds: Record<Head, number[]>[], t: number, groups: (d: Dialogue) => string = () => 'all'): Record<string, Figures> {
  const out: Record<string, Figures> = {};
  for (const g of new Set(data.map(groups))) {
    const idx = data.map((d, i) => (groups(d) === g ? i : -1)).filter((i) => i >= 0);
    out[g] = score(idx.map((i) => data[i]), (_, n) => ({ S: soften(preds[idx[n]].S, t), A: soften(preds[idx[n]].A, t) }));
  }
  return out;
}
