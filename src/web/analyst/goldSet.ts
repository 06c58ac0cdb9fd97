import type { Db } from '../../storage/db';

export interface GoldItem {
  id: number;
  text: string;
  language: string | null;
  /** Analyst's sentiment, or null when only topics were corrected. */
  sentiment: string | null;
  /** Analyst's topics, or null when only sentiment was corrected. */
  topics: string[] | null;
}

/** Feedback an analyst corrected, as training/evaluation examples (the human label is the gold one). */
export async function exportGoldSet(db: Db): Promise<GoldItem[]> {
  const rows = await db.all<{ id: number; text: string; language: string | null; human_sentiment: string | null; topics: string | null }>(
    `SELECT f.id, f.text, f.language, f.human_sentiment,
       (SELECT group_concat(topic, '|') FROM feedback_topics t WHERE t.feedback_id = f.id AND t.source = 'human') AS topics
     FROM feedback f WHERE f.corrected_at IS NOT NULL ORDER BY f.id`,
  );
  return rows.map((r) => ({ id: r.id, text: r.text, language: r.language, sentiment: r.human_sentiment, topics: r.topics ? r.topics.split('|').sort() : null }));
}

export interface PrScore {
  label: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  support: number;
  tp: number;
  fp: number;
  fn: number;
}

function score(label: string, tp: number, fp: number, fn: number): PrScore {
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const precision = tp + fp ? r3(tp / (tp + fp)) : null;
  const recall = tp + fn ? r3(tp / (tp + fn)) : null;
  const f1 = precision !== null && recall !== null && precision + recall > 0 ? r3((2 * precision * recall) / (precision + recall)) : null;
  return { label, precision, recall, f1, support: tp + fn, tp, fp, fn };
}

/** The model's precision/recall per sentiment class and per topic against the analysts' gold set. */
export async function goldSetMetrics(db: Db): Promise<{ sentiment: PrScore[]; topics: PrScore[]; n_sentiment: number; n_topics: number }> {
  const sent = await db.all<{ model: string | null; gold: string }>(
    'SELECT sentiment AS model, human_sentiment AS gold FROM feedback WHERE human_sentiment IS NOT NULL',
  );
  const classes = ['negative', 'neutral', 'positive'];
  const sentiment = classes.map((c) =>
    score(c, sent.filter((r) => r.model === c && r.gold === c).length, sent.filter((r) => r.model === c && r.gold !== c).length, sent.filter((r) => r.model !== c && r.gold === c).length),
  );
  const tagged = await db.all<{ feedback_id: number; source: string; topic: string }>(
    `SELECT t.feedback_id, t.source, t.topic FROM feedback_topics t
     WHERE t.feedback_id IN (SELECT feedback_id FROM feedback_topics WHERE source = 'human')`,
  );
  const byId = new Map<number, { model: Set<string>; gold: Set<string> }>();
  for (const r of tagged) {
    const e = byId.get(r.feedback_id) ?? { model: new Set(), gold: new Set() };
    (r.source === 'human' ? e.gold : e.model).add(r.topic);
    byId.set(r.feedback_id, e);
  }
  const labels = [...new Set(tagged.map((r) => r.topic))].sort();
  const topics = labels.map((l) => {
    let tp = 0, fp = 0, fn = 0;
    for (const e of byId.values()) {
      if (e.model.has(l) && e.gold.has(l)) tp++;
      else if (e.model.has(l)) fp++;
      else if (e.gold.has(l)) fn++;
    }
    return score(l, tp, fp, fn);
  });
  return { sentiment, topics, n_sentiment: sent.length, n_topics: byId.size };
}
