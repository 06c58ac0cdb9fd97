import { join } from 'node:path';
import { readCsv } from '../../csv';
import type { Sentiment } from './types';

export interface LabelledText {
  text: string;
  label: Sentiment;
  source: string;
}

const key = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
const bin = (l: string): Sentiment => (l === '1' ? 'positive' : 'negative');

/**
 * The sentiment training set from the shared data: waimai_10k, chnsenticorp_htl,
 * online_shopping_10_cats (hotel category and texts also in the other sets dropped) and
 * twitter_us_airline (3 classes). Only train.csv files are used for training.
 */
export function loadSentimentTrain(dataDir: string): LabelledText[] {
  const out: LabelledText[] = [];
  const seen = new Set<string>();
  for (const name of ['waimai_10k', 'chnsenticorp_htl']) {
    for (const split of ['train', 'dev']) {
      for (const r of readCsv(join(dataDir, name, `${split}.csv`))) {
        seen.add(key(r.review));
        if (split === 'train') out.push({ text: r.review, label: bin(r.label), source: name });
      }
    }
  }
  for (const r of readCsv(join(dataDir, 'online_shopping_10_cats', 'train.csv'))) {
    if (r.cat === '酒店' || seen.has(key(r.review))) continue;
    out.push({ text: r.review, label: bin(r.label), source: 'online_shopping_10_cats' });
  }
  for (const r of readCsv(join(dataDir, 'twitter_us_airline', 'train.csv'))) {
    out.push({ text: r.text, label: r.airline_sentiment as Sentiment, source: 'twitter_us_airline' });
  }
  return out;
}
