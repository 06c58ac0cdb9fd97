import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { loadTaxonomy } from '../nlp/taxonomy';
import { readCsv } from '../csv';
import { cliArgs, NLP_OPTIONS, stringArgs } from './args';
import { createClassifier, classifierConfigFromEnv } from '../nlp/classify/engine';
import { classificationMetrics, multiLabelMetrics, r4 } from '../nlp/classify/metrics';
import { TopicTagger } from '../nlp/classify/topics';

export function parseArgs(args: string[] | Record<string, string>): Record<string, string> {
  if (!Array.isArray(args)) return { ...args }; // already parsed by src/cli/eval.ts
  return stringArgs(cliArgs(args, { strings: NLP_OPTIONS }).values);
}

function need(o: Record<string, string>, k: string): string {
  if (!o[k]) throw new Error(`missing --${k}`);
  return o[k];
}

async function engineFrom(o: Record<string, string>) {
  const cfg = classifierConfigFromEnv(process.env);
  if (o.engine === 'lexical' || o.engine === 'transformer') cfg.engine = o.engine;
  if (o.model) cfg.modelId = o.model;
  return createClassifier(cfg);
}

/** eval sentiment --test FILE --text COL --label COL [--map 0=negative,1=positive] [--engine E] [--limit N] */
export async function runSentimentEval(args: string[] | Record<string, string>): Promise<Record<string, unknown>> {
  const o = parseArgs(args);
  const map = new Map<string, string>();
  for (const pair of (o.map ?? '').split(',').filter(Boolean)) {
    const [k, v] = pair.split('=');
    map.set(k.trim(), v.trim());
  }
  let rows = readCsv(need(o, 'test'));
  if (o.limit) rows = rows.slice(0, Number(o.limit));
  const textCol = need(o, 'text');
  const labelCol = need(o, 'label');
  const texts = rows.map((r) => r[textCol] ?? '');
  const gold = rows.map((r) => map.get(r[labelCol]) ?? r[labelCol]);
  const engine = await engineFrom(o);
  await engine.sentiment(texts.slice(0, 8)); // warm-up
  const t0 = performance.now();
  const pred = (await engine.sentiment(texts)).map((s) => s.label);
  const secs = (performance.now() - t0) / 1000;
  const m = classificationMetrics(gold, pred);
  return {
    task: 'sentiment',
    n: rows.length,
    accuracy: r4(m.accuracy),
    macro_f1: r4(m.macro_f1),
    texts_per_s: Math.round(rows.length / secs),
    engine: engine.info.engine,
    model: `${engine.info.id}@${engine.info.version}`,
  };
}

/** eval topics --test FILE --text COL --topics COL (ids separated by ";") */
export async function runTopicsEval(args: string[] | Record<string, string>): Promise<Record<string, unknown>> {
  const o = parseArgs(args);
  const rows = readCsv(need(o, 'test'));
  const textCol = need(o, 'text');
  const topicsCol = need(o, 'topics');
  const taxonomy = loadTaxonomy(o.taxonomy ?? 'models/taxonomy.yaml');
  const tagger = TopicTagger.load(taxonomy, o['topic-model'] ?? 'models/lexical/topics.json');
  const gold = rows.map((r) => (r[topicsCol] ?? '').split(';').map((s) => s.trim()).filter(Boolean));
  const t0 = performance.now();
  const pred = rows.map((r) => tagger.detect(r[textCol] ?? '').map((d) => d.topic));
  const secs = (performance.now() - t0) / 1000;
  const m = multiLabelMetrics(gold, pred, taxonomy.topics.map((t) => t.id));
  const out: Record<string, unknown> = { task: 'topics', n: rows.length, ...m, texts_per_s: Math.round(rows.length / secs), model: tagger.version };
  if (o['topic-sentiments']) {
    // per-topic sentiment accuracy on the topics found correctly (column like "a:negative;b:positive")
    const engine = await engineFrom(o);
    let hit = 0;
    let total = 0;
    for (const r of rows) {
      const want = new Map((r[o['topic-sentiments']] ?? '').split(';').filter(Boolean).map((p) => p.split(':') as [string, string]));
      const got = await tagger.tag(r[textCol] ?? '', engine);
      for (const t of got) {
        if (!want.has(t.topic)) continue;
        total++;
        if (want.get(t.topic) === t.sentiment) hit++;
      }
    }
    out.topic_sentiment_accuracy = r4(total ? hit / total : 0);
    out.topic_sentiment_n = total;
    out.engine = engine.info.engine;
  }
  return out;
}

async function main() {
  const [task, ...rest] = process.argv.slice(2);
  const run = task === 'topics' ? runTopicsEval : task === 'sentiment' ? runSentimentEval : undefined;
  if (!run) throw new Error('usage: eval-nlp sentiment|topics ...');
  console.log(JSON.stringify(await run(rest)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
