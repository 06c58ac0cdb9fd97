import '../preload'; // first: keeps dotenv quiet so stdout holds only the output
import { spawnSync } from 'node:child_process';
import cliProgress from 'cli-progress';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { readCsv } from '../csv';
import { loadSentimentTrain } from '../nlp/classify/data';
import { saveJson, trainLexicalSentiment } from '../nlp/classify/train-lexical';
import { trainTopicModels } from '../nlp/classify/train-topics';
import { loadTaxonomy } from '../nlp/taxonomy';
import { parseArgs } from './eval-nlp';
import { Db } from '../storage/db';
import { exportGoldSet, type GoldItem } from '../web/analyst/goldSet';

/** Analysts' corrections from a bot database, so the classifier learns from the review work. */
async function corrections(dbPath: string | undefined): Promise<GoldItem[]> {
  if (!dbPath) return [];
  const db = await Db.open(dbPath);
  try {
    return await exportGoldSet(db);
  } finally {
    await db.close();
  }
}

const USAGE = `usage:
  npm run train -- sentiment [--engine lexical|transformer] [--data ../shared/data] [--corrections data/bot.db] [--out models/lexical/sentiment.json] [--minutes 13]
  npm run train -- topics --train FILE --text COL --topics COL [--corrections data/bot.db] [--taxonomy models/taxonomy.yaml] [--out models/lexical/topics.json]
  npm run train -- quality [--train A.jsonl,B.jsonl] [--l2 3e-6,...] [--temperature 1,0.85,...] [--ensemble 3] [--epochs 10] [--folds 5] [--version 2] [--out models/quality/quality.json]
--corrections adds the analysts' corrected labels from that database to the training data.`;

async function main() {
  const [task, ...rest] = process.argv.slice(2);
  const o = parseArgs(rest);
  const log = (m: string) => console.error(m);
  if (task === 'sentiment' && o.engine === 'transformer') {
    // the transformer recipe is Python (Debian python3-torch); see models/MODEL_CARD_sentiment.md
    const args = ['scripts/train_sentiment.py', '--data', o.data ?? '../shared/data', '--out', o.out ?? 'models/sentiment-tiny', '--minutes', o.minutes ?? '13'];
    const r = spawnSync('/usr/bin/python3', args, { stdio: 'inherit' });
    console.log(JSON.stringify({ task: 'train', kind: 'sentiment', engine: 'transformer', exit: r.status }));
    process.exit(r.status ?? 1);
  } else if (task === 'sentiment') {
    const gold = (await corrections(o.corrections)).filter((g) => g.sentiment);
    const rows = [...loadSentimentTrain(o.data ?? '../shared/data'), ...gold.map((g) => ({ text: g.text, label: g.sentiment as 'negative' | 'neutral' | 'positive', source: 'corrections' }))];
    log(`training lexical sentiment on ${rows.length} texts (${gold.length} from analysts' corrections)`);
    const bar = new cliProgress.SingleBar({ format: 'training [{bar}] {value}/{total} epochs | {duration_formatted}', stream: process.stderr }, cliProgress.Presets.shades_classic);
    const model = trainLexicalSentiment(rows, {
      log: (m) => (bar.isActive ? undefined : log(m)),
      epochs: o.epochs ? Number(o.epochs) : undefined,
      onProgress: (done, total) => (done === 1 ? bar.start(total, 1) : bar.update(done)),
    });
    bar.stop();
    const out = o.out ?? 'models/lexical/sentiment.json';
    mkdirSync(dirname(out), { recursive: true });
    saveJson(out, model);
    console.log(JSON.stringify({ task: 'train', kind: 'sentiment', engine: 'lexical', n: rows.length, corrections: gold.length, features: Object.keys(model.weights).length, out }));
  } else if (task === 'quality') {
    console.log(JSON.stringify((await import('../nlp/quality/cli')).runQualityTrain(o)));
  } else if (task === 'topics') {
    if (!o.train || !o.text || !o.topics) throw new Error(USAGE);
    const taxonomy = loadTaxonomy(o.taxonomy ?? 'models/taxonomy.yaml');
    const ids = taxonomy.topics.map((t) => t.id);
    const gold = (await corrections(o.corrections)).filter((g) => g.topics);
    const rows = [
      ...readCsv(o.train).map((r) => ({
        text: r[o.text] ?? '',
        topics: (r[o.topics] ?? '').split(';').map((s) => s.trim()).filter(Boolean),
      })),
      ...gold.map((g) => ({ text: g.text, topics: g.topics! })),
    ];
    const unknown = [...new Set(rows.flatMap((r) => r.topics))].filter((t) => !ids.includes(t));
    if (unknown.length) throw new Error(`topics not in the taxonomy: ${unknown.join(', ')}`);
    const model = trainTopicModels(rows, ids);
    const out = o.out ?? 'models/lexical/topics.json';
    mkdirSync(dirname(out), { recursive: true });
    saveJson(out, model);
    console.log(JSON.stringify({ task: 'train', kind: 'topics', n: rows.length, corrections: gold.length, topics: Object.keys(model.topics), out }));
  } else {
    throw new Error(USAGE);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
