// Evaluation CLI: `npm run --silent eval -- <intent|pairs|sentiment|topics> [--flag value ...]`.
// Progress goes to stderr; the last line of stdout is one JSON object with the figures.
import '../preload'; // first: keeps dotenv quiet so stdout holds only the JSON
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readCsv, requireColumns } from '../csv';
import { cliArgs, NLP_OPTIONS, stringArgs } from './args';
import { missingDataMessage } from './sharedData';
import { Matcher } from '../nlp/matcher';
import { fitCalibration, loadOutOfScope, type Calibration } from '../nlp/calibrate';
import { seededSplit } from '../nlp/ml';
import { PairClassifier, charJaccard, type Pair } from '../nlp/pairs';

export type Args = Record<string, string>;

/** Options of every eval task (the sentiment and topics tasks take eval-nlp's). */
const EVAL_OPTIONS = ['train', 'test', 'text', 'label', 'holdout', 'epochs', 'l2', 'a', 'b', 'oos', 'answer-at', 'objective', 'oos-examples', 'input', ...NLP_OPTIONS];

export function parseArgs(argv: string[]): { cmd: string; args: Args } {
  const [cmd = '', ...rest] = argv;
  return { cmd, args: stringArgs(cliArgs(rest, { strings: [...new Set(EVAL_OPTIONS)] }).values) };
}

function need(args: Args, key: string): string {
  const v = args[key];
  if (!v) throw new Error(`missing --${key}`);
  return v;
}

const log = (msg: string) => process.stderr.write(msg + '\n');
const r4 = (x: number) => Math.round(x * 10000) / 10000;

/** Seeded split of rows into (train, held-out) for tuning without touching the test file. */
const split = seededSplit;

export function classificationMetrics(gold: string[], pred: string[]): { accuracy: number; macro_f1: number } {
  const labels = new Set(gold);
  let correct = 0;
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  gold.forEach((g, i) => {
    if (g === pred[i]) {
      correct++;
      inc(tp, g);
    } else {
      inc(fn, g);
      inc(fp, pred[i]);
    }
  });
  let f1sum = 0;
  for (const l of labels) {
    const t = tp.get(l) ?? 0;
    const d = 2 * t + (fp.get(l) ?? 0) + (fn.get(l) ?? 0);
    f1sum += d ? (2 * t) / d : 0;
  }
  return { accuracy: correct / gold.length, macro_f1: f1sum / labels.size };
}

export function binaryMetrics(gold: number[], pred: number[]) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  gold.forEach((g, i) => {
    if (pred[i]) g ? tp++ : fp++;
    else g ? fn++ : tn++;
  });
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { accuracy: (tp + tn) / gold.length, f1, precision, recall };
}

/** Threshold on a score that maximises F1 of the positive class. */
export function bestThreshold(scores: number[], gold: number[]): number {
  const order = scores.map((s, i) => [s, gold[i]] as const).sort((x, y) => y[0] - x[0]);
  const pos = gold.filter(Boolean).length;
  let tp = 0;
  let best = { f1: -1, t: 0.5 };
  for (let i = 0; i < order.length; i++) {
    if (order[i][1]) tp++;
    if (i + 1 < order.length && order[i + 1][0] === order[i][0]) continue;
    const f1 = (2 * tp) / (i + 1 + pos);
    const next = i + 1 < order.length ? order[i + 1][0] : order[i][0] - 1e-6;
    if (f1 > best.f1) best = { f1, t: (order[i][0] + next) / 2 };
  }
  return best.t;
}

export async function runIntentEval(args: Args) {
  const trainFile = need(args, 'train');
  const textCol = args.text ?? 'text';
  const labelCol = args.label ?? 'label';
  let train = readCsv(trainFile);
  requireColumns(train, [textCol, labelCol], trainFile);
  let test: Record<string, string>[];
  let testName: string;
  if (args.holdout) {
    // tuning mode: evaluate on a seeded split of the training file
    [train, test] = split(train, Number(args.holdout));
    testName = `${trainFile} (holdout ${args.holdout})`;
  } else {
    testName = need(args, 'test');
    test = readCsv(testName);
    requireColumns(test, [textCol, labelCol], testName);
  }
  const epochs = args.epochs ? Number(args.epochs) : undefined;
  const l2 = args.l2 ? Number(args.l2) : undefined;
  log(`intent: training on ${train.length} rows of ${trainFile}`);
  let t0 = performance.now();
  const examples = train.map((r) => ({ label: r[labelCol], text: r[textCol] }));
  const trainOpts = { train: { ...(epochs ? { epochs } : {}), ...(l2 !== undefined ? { l2 } : {}) } };
  // --oos: the confidence calibration and the answer threshold come from folds of the training
  // file plus the written out-of-scope examples (never from the test file)
  let calibration: Calibration | undefined;
  if (args.oos) {
    const oosTexts = loadOutOfScope(args['oos-examples'] ?? 'models/out_of_scope.yaml');
    const objective = args.objective === 'budget' ? 'budget' : 'accuracy';
    const rep = fitCalibration((ex) => Matcher.train(ex, trainOpts), examples, oosTexts, { objective });
    calibration = rep.calibration;
    log(`intent: calibrated on folds of train: answer at ${calibration.answerAt.toFixed(3)}; held out ${JSON.stringify(rep.heldOut)}`);
  }
  const m = Matcher.train(examples, { ...trainOpts, calibration });
  const trainSec = (performance.now() - t0) / 1000;
  log(`intent: trained ${m.size} labels in ${trainSec.toFixed(1)} s; classifying ${test.length} rows of ${testName}`);
  t0 = performance.now();
  // --oos LABEL: rows with that label are out of scope; a prediction below the answer threshold is "none"
  const oos = args.oos;
  const answerAt = args['answer-at'] ? Number(args['answer-at']) : undefined;
  const pred = test.map((r) => (oos ? (m.classify(r[textCol], answerAt) ?? oos) : m.classifyClosed(r[textCol])));
  const ms = (performance.now() - t0) / test.length;
  const met = classificationMetrics(test.map((r) => r[labelCol]), pred);
  return {
    task: 'intent',
    train: trainFile,
    test: testName,
    n: test.length,
    labels: m.size,
    accuracy: r4(met.accuracy),
    macro_f1: r4(met.macro_f1),
    ...(oos ? { oos, oos_rows: test.filter((r) => r[labelCol] === oos).length, answer_at: r4(answerAt ?? m.thresholds.answerAt) } : {}),
    ms_per_query: r4(ms),
    train_seconds: r4(trainSec),
  };
}

export async function runPairsEval(args: Args) {
  const testFile = need(args, 'test');
  const trainFile = args.train ?? join(dirname(testFile), 'train.csv');
  const [ca, cb, cl] = [args.a ?? 'sentence1', args.b ?? 'sentence2', args.label ?? 'label'];
  const toPairs = (rows: Record<string, string>[]): Pair[] =>
    rows.map((r) => ({ a: r[ca], b: r[cb], label: Number(r[cl]) ? 1 : 0 }));
  const trainRows = readCsv(trainFile);
  requireColumns(trainRows, [ca, cb, cl], trainFile);
  const testRows = readCsv(testFile);
  requireColumns(testRows, [ca, cb, cl], testFile);
  const all = toPairs(trainRows);
  const test = toPairs(testRows);
  const gold = test.map((p) => p.label!);

  // baseline: character Jaccard with the F1-best threshold on train
  const bt = bestThreshold(all.map((p) => charJaccard(p.a, p.b)), all.map((p) => p.label!));
  const base = binaryMetrics(gold, test.map((p) => (charJaccard(p.a, p.b) >= bt ? 1 : 0)));

  // model: fit on 90% of train, pick the F1-best decision threshold on the other 10%
  const [fit, tune] = split(all, 0.1);
  log(`pairs: training on ${fit.length} pairs, threshold on ${tune.length} (from ${trainFile})`);
  let t0 = performance.now();
  const epochs = args.epochs ? Number(args.epochs) : undefined;
  const pc = PairClassifier.train(fit, epochs ? { epochs } : {});
  pc.threshold = bestThreshold(tune.map((p) => pc.prob(p.a, p.b)), tune.map((p) => p.label!));
  const trainSec = (performance.now() - t0) / 1000;
  log(`pairs: trained in ${trainSec.toFixed(1)} s, threshold ${pc.threshold.toFixed(3)}; scoring ${test.length} pairs`);
  t0 = performance.now();
  const pred = test.map((p) => (pc.same(p.a, p.b) ? 1 : 0));
  const ms = (performance.now() - t0) / test.length;
  const met = binaryMetrics(gold, pred);
  return {
    task: 'pairs',
    train: trainFile,
    test: testFile,
    n: test.length,
    positives: gold.filter(Boolean).length,
    accuracy: r4(met.accuracy),
    f1: r4(met.f1),
    precision: r4(met.precision),
    recall: r4(met.recall),
    threshold: r4(pc.threshold),
    ms_per_query: r4(ms),
    train_seconds: r4(trainSec),
    baseline: {
      method: 'char_jaccard',
      threshold: r4(bt),
      accuracy: r4(base.accuracy),
      f1: r4(base.f1),
      precision: r4(base.precision),
      recall: r4(base.recall),
    },
  };
}

async function nlpEval(name: 'runSentimentEval' | 'runTopicsEval', args: Args): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = await import('./eval-nlp');
  } catch (err) {
    throw new Error(`this task needs src/cli/eval-nlp.ts, which could not be loaded: ${(err as Error).message}`);
  }
  const fn = mod[name];
  if (typeof fn !== 'function') throw new Error(`src/cli/eval-nlp.ts does not export ${name}`);
  return fn(args);
}

export async function main(argv: string[]): Promise<void> {
  const { cmd, args } = parseArgs(argv);
  for (const k of ['train', 'test'] as const) {
    const file = (args as Record<string, unknown>)[k];
    if (typeof file === 'string' && !existsSync(file)) throw new Error(missingDataMessage(file));
  }
  let result: unknown;
  switch (cmd) {
    case 'intent':
      result = await runIntentEval(args);
      break;
    case 'pairs':
      result = await runPairsEval(args);
      break;
    case 'sentiment':
      result = await nlpEval('runSentimentEval', args);
      break;
    case 'topics':
      result = await nlpEval('runTopicsEval', args);
      break;
    case 'quality':
      result = (await import('../nlp/quality/cli')).runQualityEval(args);
      break;
    default:
      throw new Error(`usage: eval <intent|pairs|sentiment|topics|quality> --flag value ... (got "${cmd}")`);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`eval: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
