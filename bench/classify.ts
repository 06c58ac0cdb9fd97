// Throughput and p99 latency of each classifier engine, one text at a time, on the same inputs,
// against raw onnxruntime-node InferenceSession runs of the same ONNX model (pre-tokenised).
// Usage: npx tsx bench/classify.ts [--n 600] [--data ../shared/data]
import '../src/preload'; // first: keeps dotenv quiet so stdout holds only the figures
import { existsSync } from 'node:fs';
import { missingDataMessage } from '../src/cli/sharedData';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { readCsv } from '../src/csv';
import { LexicalClassifier } from '../src/nlp/classify/lexical';
import { TransformerClassifier } from '../src/nlp/classify/transformer';
import type { Classifier } from '../src/nlp/classify/types';

const argv = process.argv.slice(2);
const arg = (k: string, d: string) => (argv.includes(`--${k}`) ? argv[argv.indexOf(`--${k}`) + 1] : d);
const n = Number(arg('n', '600'));
const data = arg('data', '../shared/data');

const files = ['waimai_10k', 'chnsenticorp_htl', 'twitter_us_airline'].map((d) => join(data, d, 'dev.csv'));
const missing = files.find((f) => !existsSync(f));
if (missing) {
  console.error(`bench:classify: ${missingDataMessage(missing)}`);
  process.exit(1);
}

const texts = [
  ...readCsv(join(data, 'waimai_10k', 'dev.csv')).slice(0, n / 3).map((r) => r.review),
  ...readCsv(join(data, 'chnsenticorp_htl', 'dev.csv')).slice(0, n / 3).map((r) => r.review),
  ...readCsv(join(data, 'twitter_us_airline', 'dev.csv')).slice(0, n / 3).map((r) => r.text),
];

function summary(lat: number[], totalMs: number) {
  const s = [...lat].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { texts_per_s: Math.round((lat.length / totalMs) * 1000), p50_ms: +q(0.5).toFixed(2), p99_ms: +q(0.99).toFixed(2) };
}

async function timeEach(fn: (t: string, i: number) => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await fn(texts[i], i); // warm-up
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i++) {
    const a = performance.now();
    await fn(texts[i], i);
    lat.push(performance.now() - a);
  }
  return summary(lat, performance.now() - t0);
}

async function main() {
  const engines: Classifier[] = [LexicalClassifier.load(), await TransformerClassifier.load({ modelsDir: 'models', modelId: 'sentiment-tiny' })];
  // raw onnxruntime on the same inputs, tokenised up front with the model's own tokenizer
  const { AutoTokenizer, env } = await import('@xenova/transformers');
  env.localModelPath = 'models/';
  env.allowRemoteModels = false;
  const tok = await AutoTokenizer.from_pretrained('sentiment-tiny');
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create('models/sentiment-tiny/onnx/model.onnx');
  const feeds = texts.map((t) => {
    const e = tok(t, { truncation: true, max_length: 128 }) as Record<string, { data: BigInt64Array; dims: number[] }>;
    const f: Record<string, unknown> = {};
    for (const name of session.inputNames) f[name] = new ort.Tensor('int64', e[name].data, e[name].dims);
    return f;
  });
  const raw = await timeEach((_, i) => session.run(feeds[i] as never));
  const results: Record<string, unknown> = { n: texts.length, threads: 'onnxruntime default', raw_onnxruntime: raw };
  for (const e of engines) {
    const r = await timeEach((t) => e.sentiment([t]));
    results[e.info.engine] = { ...r, ratio_vs_raw_onnxruntime: +(r.texts_per_s / raw.texts_per_s).toFixed(3), model: `${e.info.id}@${e.info.version}` };
  }
  console.log(JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
