import { readFileSync, statSync } from 'node:fs';
import { features } from './features';
import { isNoComment } from './lexicon';
import { LinearModel, type LinearModelJson } from './linear';
import type { Classifier, ModelInfo, Sentiment, SentimentScore } from './types';

export const LEXICAL_MODEL_PATH = 'models/lexical/sentiment.json';
const cache = new Map<string, LexicalClassifier>();

export interface LexicalModelFile extends LinearModelJson {
  id: string;
  version: string;
  /** Below this top probability the answer is called neutral (Chinese data has no neutral class). */
  neutralBelow: number;
}

/** Lexical engine: natural/jieba tokens + curated lexicons into a linear model. */
export class LexicalClassifier implements Classifier {
  readonly info: ModelInfo;

  constructor(
    private readonly model: LinearModel,
    meta: { id: string; version: string },
    private readonly neutralBelow = 0,
  ) {
    this.info = { engine: 'lexical', id: meta.id, version: meta.version };
  }

  static load(path = LEXICAL_MODEL_PATH): LexicalClassifier {
    // the file is ~11 MB of JSON: parse it once per process and path/mtime
    const key = `${path}:${statSync(path).mtimeMs}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const c = LexicalClassifier.parse(path);
    cache.set(key, c);
    return c;
  }

  private static parse(path: string): LexicalClassifier {
    const j = JSON.parse(readFileSync(path, 'utf8')) as LexicalModelFile;
    return new LexicalClassifier(LinearModel.fromJson(j), { id: j.id, version: j.version }, j.neutralBelow ?? 0);
  }

  scoreOne(text: string): SentimentScore {
    if (isNoComment(text)) return { label: 'neutral', confidence: 1 };
    const p = this.model.probs(features(text));
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    const label = this.model.labels[best] as Sentiment;
    if (label !== 'neutral' && p[best] < this.neutralBelow) return { label: 'neutral', confidence: 1 - p[best] };
    return { label, confidence: p[best] };
  }

  async sentiment(texts: string[]): Promise<SentimentScore[]> {
    return texts.map((t) => this.scoreOne(t));
  }
}
