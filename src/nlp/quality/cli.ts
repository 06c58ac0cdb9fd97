// The quality task of the CLIs: `train -- quality`, `predict -- quality`, `eval -- quality`.
// Progress goes to stderr; stdout holds only results.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readDialogues, toDist } from './data';
import { prior, score } from './evaluate';
import { DEFAULT_SETTINGS, QualityModel, type QualityModelJson, type QualitySettings } from './model';
import { outOfFold, scoreGroups } from './train';
import type { Dialogue } from './types';

export const DEFAULT_MODEL = 'models/quality/quality.json';
const log = (m: string) => process.stderr.write(m + '\n');

export function loadQualityModel(path = DEFAULT_MODEL): QualityModel {
  return QualityModel.fromJson(JSON.parse(readFileSync(path, 'utf8')) as QualityModelJson);
}

/** One JSON line per dialogue: {"id","S":{"-2":p,...},"A":{...}}. */
export function runQualityPredict(args: Record<string, string>, write = (s: string) => process.stdout.write(s)): void {
  if (!args.input) throw new Error('usage: predict quality --input FILE.jsonl [--model models/quality/quality.json]');
  const model = loadQualityModel(args.model);
  for (const d of readDialogues(args.input)) {
    const p = model.predict(d);
    write(JSON.stringify({ id: d.id, S: toDist(p.S), A: toDist(p.A) }) + '\n');
  }
}

/** NMD and Spearman of the model and of the training prior on a labelled file. */
export function runQualityEval(args: Record<string, string>) {
  if (!args.test) throw new Error('usage: eval quality --test FILE.jsonl [--model models/quality/quality.json]');
  const model = loadQualityModel(args.model);
  const test = readDialogues(args.test).filter((d) => d.quality?.S);
  if (!test.length) throw new Error(`${args.test}: no labelled dialogues (quality.S)`);
  const pri = model.trainedOn.prior as Record<'S' | 'A', number[]>;
  const m = score(test, (d) => model.predict(d));
  const p = score(test, () => pri);
  return {
    task: 'quality',
    model: `${model.id}@${model.version}`,
    test: args.test,
    n: test.length,
    NMD_S: m.S.nmd,
    NMD_A: m.A.nmd,
    spearman_S: m.S.spearman,
    spearman_A: m.A.spearman,
    prior: { NMD_S: p.S.nmd, NMD_A: p.A.nmd, spearman_S: p.S.spearman, spearman_A: p.A.spearman },
  };
}

const list = (s: string | undefined, d: number[]) => (s ? s.split(',').map(Number) : d);

/**
 * The recipe: 5-fold cross-validation on the training files over l2 and the temperature,
 * best mean NMD(S)+NMD(A) wins, then one model on all training data. Dev files are never read.
 */
export function runQualityTrain(args: Record<string, string>) {
  const files = (args.train ?? '../shared/data/helpdesk_dch1/train_zh.jsonl,../shared/data/helpdesk_dch1/train_en.jsonl').split(',');
  const data: (Dialogue & { file: string })[] = files.flatMap((f) => readDialogues(f).map((d) => ({ ...d, file: f })));
  const epochs = Number(args.epochs ?? DEFAULT_SETTINGS.train.epochs);
  const l2s = list(args.l2, [DEFAULT_SETTINGS.train.l2!]);
  const temps = list(args.temperature, [1, 0.85, 0.75, 0.65]);
  const k = Number(args.folds ?? 5);
  let best: { settings: QualitySettings; cost: number; cv: unknown } | undefined;
  for (const l2 of l2s) {
    const settings: QualitySettings = { ...DEFAULT_SETTINGS, ensemble: Number(args.ensemble ?? DEFAULT_SETTINGS.ensemble), train: { ...DEFAULT_SETTINGS.train, epochs, l2 } };
    const t0 = Date.now();
    const preds = args.cv !== 'false' && (temps.length > 1 || l2s.length > 1) ? outOfFold(data, settings, k) : undefined;
    for (const t of preds ? temps : []) {
      const cv = scoreGroups(data, preds!, t, (d) => (d as Dialogue & { file: string }).file);
      const figs = Object.values(cv);
      const cost = figs.reduce((s, f) => s + f.S.nmd + f.A.nmd, 0) / figs.length;
      log(`cv l2=${l2} T=${t}: ${Object.entries(cv).map(([g, f]) => `${g.split('/').pop()} S ${f.S.nmd} A ${f.A.nmd} r ${f.S.spearman}`).join(' | ')} (${Math.round((Date.now() - t0) / 1000)} s)`);
      if (!best || cost < best.cost) best = { settings: { ...settings, temperature: t }, cost, cv };
    }
    best ??= { settings: { ...settings, temperature: temps[0] }, cost: NaN, cv: null };
  }
  log(`training on ${data.length} dialogues with ${JSON.stringify(best!.settings)}`);
  const trainedOn = { files: files.map((f) => f.split('/').pop()), n: data.length, prior: prior(data), cv: best!.cv, date: new Date().toISOString().slice(0, 10) };
  const model = QualityModel.fit(data, best!.settings, { id: 'quality-linear', version: args.version ?? '1', trainedOn });
  const out = args.out ?? DEFAULT_MODEL;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(model.toJson()));
  return { task: 'train', kind: 'quality', n: data.length, features: model.vec.dim, settings: best!.settings, out };
}
