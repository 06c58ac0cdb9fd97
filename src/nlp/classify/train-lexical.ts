import { writeFileSync } from 'node:fs';
import { features } from './features';
import { LinearModel, type LinearModelJson } from './linear';
import type { LexicalModelFile, ZhModelJson } from './lexical';
import { SENTIMENTS, type Sentiment } from './types';

type Row = { text: string; label: Sentiment; source?: string };
const HAN = /\p{Script=Han}/u;

/**
 * Train the lexical sentiment model: a shared 3-class model over all rows (classes weighted so
 * each class counts fairly) plus, when there are Chinese rows, a binary Chinese ensemble
 * (`trainChinese`) that the engine routes Chinese text to.
 */
export function trainLexicalSentiment(
  rows: Row[],
  opts: { epochs?: number; version?: string; log?: (m: string) => void; onProgress?: (done: number, total: number) => void } = {},
): LexicalModelFile {
  const log = opts.log ?? (() => undefined);
  const epochs = opts.epochs ?? 4;
  const zhCount = rows.filter((r) => r.label !== 'neutral' && HAN.test(r.text)).length;
  const experts = ZH_EXPERT_SOURCES.filter((s) => rows.some((r) => r.source === s)).length;
  // progress in training epochs: the shared model's, then the Chinese ensemble's (see trainChinese)
  const total = epochs + (zhCount ? 4 + 8 * experts + 3 : 0);
  let done = 0;
  const tick = () => opts.onProgress?.(++done, total);
  const labels = [...SENTIMENTS];
  const perClass = new Map<string, number>();
  for (const r of rows) perClass.set(r.label, (perClass.get(r.label) ?? 0) + 1);
  const t0 = Date.now();
  const xs = rows.map((r) => features(r.text));
  const data = rows.map((r, i) => ({
    x: xs[i],
    y: labels.indexOf(r.label),
    // balance classes: neutral exists only in English data and is rare
    w: Math.min(3, rows.length / (labels.length * (perClass.get(r.label) ?? 1))),
  }));
  log(`features for ${rows.length} texts in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  const model = LinearModel.train(data, labels, { epochs, minCount: 2, onEpoch: tick });
  log(`shared model trained in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  const zhIdx = rows.flatMap((r, i) => (r.label !== 'neutral' && HAN.test(r.text) ? [i] : []));
  const zh = zhIdx.length ? trainChinese(zhIdx.map((i) => ({ ...rows[i], x: xs[i] })), log, 2, tick) : undefined;
  const version = opts.version ?? new Date().toISOString().slice(0, 10);
  return { id: 'lexical-sentiment', version, neutralBelow: 0, ...model.toJson(), ...(zh ? { zh } : {}) };
}

/** Sources that get an in-domain expert in the Chinese ensemble. */
export const ZH_EXPERT_SOURCES = ['waimai_10k', 'chnsenticorp_htl'];

/**
 * Binary Chinese ensemble over the same `features`: a general model (lr 0.2, the big
 * online_shopping_10_cats set weighted 0.5 so it does not swamp waimai/hotel), one expert per
 * `ZH_EXPERT_SOURCES` trained on that source only (lr 0.1, 8 epochs), and a domain model whose probabilities gate
 * the experts: logit = general + gate * sum_d P(d | text) * expert_d. Settings were chosen on a
 * 10% split of the waimai/hotel train rows (see docs/CLASSIFICATION.md).
 */
export function trainChinese(rows: (Row & { x: Map<string, number> })[], log: (m: string) => void, gate = 2, onEpoch?: () => void): ZhModelJson {
  const t0 = Date.now();
  const y = (r: Row) => (r.label === 'positive' ? 1 : 0);
  const bin = ['negative', 'positive'];
  const general = LinearModel.train(
    rows.map((r) => ({ x: r.x, y: y(r), w: r.source === 'online_shopping_10_cats' ? 0.5 : 1 })),
    bin,
    { epochs: 4, lr: 0.2, minCount: 2, onEpoch },
  );
  const experts: Record<string, LinearModelJson> = {};
  for (const s of ZH_EXPERT_SOURCES) {
    const own = rows.filter((r) => r.source === s);
    if (own.length) experts[s] = LinearModel.train(own.map((r) => ({ x: r.x, y: y(r) })), bin, { epochs: 8, lr: 0.1, minCount: 2, onEpoch }).toJson();
  }
  const domains = [...Object.keys(experts), 'other'];
  const domain = LinearModel.train(
    rows.map((r) => ({ x: r.x, y: domains.includes(r.source ?? '') ? domains.indexOf(r.source!) : domains.length - 1 })),
    domains,
    { epochs: 3, lr: 0.3, minCount: 20, onEpoch },
  );
  log(`zh ensemble trained in ${((Date.now() - t0) / 1000).toFixed(1)}s (experts: ${Object.keys(experts).join(', ') || 'none'})`);
  return { general: general.toJson(), experts, domain: domain.toJson(1e-2), gate };
}

export function saveJson(path: string, obj: unknown): void {
  writeFileSync(path, JSON.stringify(obj));
}
