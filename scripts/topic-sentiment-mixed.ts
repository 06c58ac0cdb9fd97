// Per-topic sentiment on mixed reviews (gold has a positive and a negative topic): by clause vs all clauses joined.
// npx tsx scripts/topic-sentiment-mixed.ts [../shared/data/waimai_10k/topics_dev.csv]

import { readCsv } from '../src/csv';
import { createClassifier } from '../src/nlp/classify/engine';
import { TopicTagger } from '../src/nlp/classify/topics';
import { loadTaxonomy } from '../src/nlp/taxonomy';
const rows = readCsv(process.argv[2] ?? '../shared/data/waimai_10k/topics_dev.csv');
const tagger = TopicTagger.load(loadTaxonomy('models/taxonomy.yaml'));
const engine = await createClassifier({ engine: 'lexical' });
let hit = 0, tot = 0, hitJ = 0;
for (const r of rows) {
  const want = new Map(r.topic_sentiments.split(';').filter(Boolean).map((p: string) => p.split(':') as [string, string]));
  const labels = new Set(want.values());
  if (!(labels.has('positive') && labels.has('negative'))) continue;
  const got = await tagger.tag(r.review, engine);
  const found = tagger.detect(r.review);
  for (const t of got) { if (!want.has(t.topic)) continue; tot++; if (want.get(t.topic) === t.sentiment) hit++;
    const f = found.find((x) => x.topic === t.topic)!; const [s] = await engine.sentiment([f.clauses.join('，') || r.review]); if (s.label === want.get(t.topic)) hitJ++; }
}
console.log(JSON.stringify({ mixed_topic_sentiment_n: tot, by_clause: +(hit / tot).toFixed(4), all_mentioning_clauses_joined: +(hitJ / tot).toFixed(4) }));
