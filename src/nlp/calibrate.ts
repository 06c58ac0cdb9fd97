import { readFileSync, existsSync } from 'node:fs';
import YAML from 'yaml';
import { ConfigError } from '../configError';
import { Softmax, mulberry32, type SparseVec } from './ml';

/** Logistic calibration of candidate scores and the two thresholds, fitted on held-out data. */
export interface Calibration {
  coef: number[];
  answerAt: number;
  suggestAt: number;
}

/** What calibration needs of a trained matcher (structural, so this module does not import it). */
interface Scorer {
  entryIds: string[];
  analyse(text: string): { proba: Float64Array; cos: Float64Array; cover: Float64Array; known: number };
}

/** Features of one candidate entry, from classifier probability and retrieval evidence. */
export function candidateFeatures(p: number, pOther: number, cos: number, cover: number, known: number): number[] {
  const lp = Math.log(Math.max(p, 1e-4)) / 4;
  const ev = Math.max(cos, cover);
  return [1, p, lp, p - pOther, cos, cover, ev, Math.min(cos, cover), p * ev, known, known * ev, known * p];
}

const dense = (f: number[]): SparseVec => ({ idx: Int32Array.from(f.map((_, i) => i)), val: Float32Array.from(f) });

/** Logistic P(candidate is right | features) with the fitted coefficients. */
export function calibrated(coef: number[], f: number[]): number {
  let z = 0;
  for (let i = 0; i < f.length; i++) z += coef[i] * f[i];
  return 1 / (1 + Math.exp(-z));
}

export interface CalibrationReport {
  calibration: Calibration;
  heldOut: { inScope: number; outOfScope: number; answeredRight: number; answeredWrong: number; oosAnswered: number; offered: number; top1: number; balancedAccuracy: number };
}

type Train = (examples: { label: string; text: string }[]) => Scorer;

/**
 * Fits the confidence calibration on data held out from training: K folds over the
 * examples (each fold's phrasings scored by a matcher trained without them) plus explicit
 * out-of-scope texts (every candidate of theirs is wrong). The answer threshold is the lowest
 * one whose held-out wrong answers stay within `maxWrong` (in scope) and `maxOos` (out of scope),
 * a budget under the product's targets (<= 0.02 wrong answers, <= 0.05 out-of-scope answered);
 * with objective 'accuracy' it maximises intent accuracy with "none" as a class instead (HINT3 scoring).
 */
export function fitCalibration(
  train: Train,
  examples: { label: string; text: string }[],
  outOfScope: string[],
  opts: { folds?: number; maxWrong?: number; maxOos?: number; seed?: number; objective?: 'budget' | 'accuracy' } = {},
): CalibrationReport {
  const { folds = 5, maxWrong = 0.015, maxOos = 0.02, seed = 11 } = opts;
  const rnd = mulberry32(seed);
  const fold = examples.map(() => Math.floor(rnd() * folds));
  const oosFold = outOfScope.map(() => Math.floor(rnd() * folds));
  const X: SparseVec[] = [];
  const y: number[] = [];
  const top: { right: boolean; oos: boolean; f: number[] }[] = [];
  const cands: { right: boolean; oos: boolean; f: number[][]; gold?: number }[] = [];
  for (let k = 0; k < folds; k++) {
    const fit = examples.filter((_, i) => fold[i] !== k);
    if (!fit.length) continue;
    const m = train(fit);
    const ids = m.entryIds;
    const held = [
      ...examples.filter((_, i) => fold[i] === k).map((e) => ({ text: e.text, label: e.label as string | undefined })),
      ...outOfScope.filter((_, i) => oosFold[i] === k).map((text) => ({ text, label: undefined })),
    ];
    for (const h of held) {
      const a = m.analyse(h.text);
      const order = ids.map((_, c) => c).sort((p, q) => a.proba[q] - a.proba[p]);
      const rows = order.slice(0, 3).map((c, r) => {
        const other = a.proba[order[r === 0 ? 1 : 0]] ?? 0;
        return { c, f: candidateFeatures(a.proba[c], other, a.cos[c], a.cover[c], a.known) };
      });
      for (const r of rows) {
        X.push(dense(r.f));
        y.push(ids[r.c] === h.label ? 1 : 0);
      }
      cands.push({ right: false, oos: h.label === undefined, f: rows.map((r) => r.f), gold: rows.findIndex((r) => ids[r.c] === h.label) });
    }
  }
  const lr = new Softmax(X[0].idx.length, 2).train(X, y, { epochs: 40, lr: 0.1, l2: 1e-4, bias: false, seed });
  const coef = Array.from({ length: X[0].idx.length }, (_, i) => lr.w[i * 2 + 1] - lr.w[i * 2]);
  // threshold on the calibrated score of the best candidate
  for (const c of cands) {
    const scores = c.f.map((f) => calibrated(coef, f));
    const best = scores.indexOf(Math.max(...scores));
    top.push({ right: best === c.gold, oos: c.oos, f: [scores[best]] });
  }
  // lowest threshold whose held-out wrong answers stay within budget: in-scope texts answered
  // with another entry <= maxWrong of them, out-of-scope texts answered <= maxOos of them
  const sorted = [...top].sort((a, b) => b.f[0] - a.f[0]);
  const nIn = top.filter((t) => !t.oos).length || 1;
  const nOos = top.filter((t) => t.oos).length || 1;
  let wrong = 0;
  let oosWrong = 0;
  let answerAt = 1;
  if (opts.objective === 'accuracy') {
    // intent accuracy with "none" as a class, in-scope and out-of-scope weighted equally
    let acc = 0.5; // nothing answered: every out-of-scope text right
    let best = acc;
    for (let i = 0; i < sorted.length; i++) {
      acc += sorted[i].oos ? -0.5 / nOos : sorted[i].right ? 0.5 / nIn : 0;
      const next = sorted[i + 1]?.f[0] ?? 0;
      if (acc > best && next < sorted[i].f[0]) (best = acc), (answerAt = (sorted[i].f[0] + next) / 2);
    }
  } else
    for (let i = 0; i < sorted.length; i++) {
      if (sorted[i].oos) oosWrong++;
      else if (!sorted[i].right) wrong++;
      if (wrong / nIn > maxWrong || oosWrong / nOos > maxOos) break;
      const next = sorted[i + 1]?.f[0] ?? 0;
      if (next < sorted[i].f[0]) answerAt = (sorted[i].f[0] + next) / 2;
    }
  // suggestions: at least 0.1, and high enough that at most 1 in 10 held-out out-of-scope texts gets any
  const oosTop = top.filter((t) => t.oos).map((t) => t.f[0]).sort((a, b) => b - a);
  const suggestAt = Math.min(answerAt, Math.max(0.1, (oosTop[Math.floor(oosTop.length / 10)] ?? 0) + 1e-6));
  const bestOf = (c: (typeof cands)[number]) => {
    const sc = c.f.map((f) => calibrated(coef, f));
    return sc.indexOf(Math.max(...sc));
  };
  const inScope = cands.filter((c) => !c.oos);
  const answered = top.filter((t) => t.f[0] >= answerAt);
  const offered = cands.filter((c) => !c.oos && c.gold! >= 0 && c.f.some((f, i) => i === c.gold && calibrated(coef, f) >= suggestAt)).length;
  return {
    calibration: { coef, answerAt, suggestAt },
    heldOut: {
      inScope: inScope.length,
      outOfScope: cands.length - inScope.length,
      answeredRight: answered.filter((t) => t.right && !t.oos).length,
      answeredWrong: answered.filter((t) => !t.right && !t.oos).length,
      oosAnswered: answered.filter((t) => t.oos).length,
      offered,
      // top-1 right among in-scope, and intent accuracy with none as a class (in and out weighted equally)
      top1: r4(inScope.filter((c) => c.gold === bestOf(c)).length / (inScope.length || 1)),
      balancedAccuracy: r4(
        0.5 * (answered.filter((t) => t.right && !t.oos).length / nIn) + 0.5 * (1 - answered.filter((t) => t.oos).length / nOos),
      ),
    },
  };
}

const r4 = (x: number) => Math.round(x * 10000) / 10000;

/** Reads a calibration file written by `npm run calibrate:matcher`; undefined when absent. */
export function loadCalibration(path: string): Calibration | undefined {
  if (!existsSync(path)) return undefined;
  const j = JSON.parse(readFileSync(path, 'utf8'))?.calibration;
  if (!Array.isArray(j?.coef) || j.coef.some((x: unknown) => typeof x !== 'number')) throw new ConfigError(path, 'calibration.coef', 'must be a list of numbers');
  for (const k of ['answerAt', 'suggestAt'] as const)
    if (typeof j[k] !== 'number' || j[k] < 0 || j[k] > 1) throw new ConfigError(path, `calibration.${k}`, 'must be a number in [0, 1]');
  return { coef: j.coef, answerAt: j.answerAt, suggestAt: j.suggestAt };
}

/** Out-of-scope texts of every locale from models/out_of_scope.yaml. */
export function loadOutOfScope(path: string): string[] {
  const d = YAML.parse(readFileSync(path, 'utf8'));
  if (!d || typeof d !== 'object') throw new ConfigError(path, '(document)', 'must be a mapping of locale to a list of texts');
  return Object.entries(d).flatMap(([loc, v]) => {
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new ConfigError(path, loc, 'must be a list of strings');
    return v as string[];
  });
}
