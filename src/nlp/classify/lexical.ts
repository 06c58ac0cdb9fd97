import { readFileSync, statSync } from 'node:fs';
import { detectLocale } from '../locale';
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
  /** Optional Chinese ensemble (binary); when present Chinese text is routed to it. */
  zh?: ZhModelJson;
}

/** Chinese ensemble: logit = general + gate * sum_d P(d | text) * experts[d] (see train-lexical.ts). */
export interface ZhModelJson {
  general: LinearModelJson;
  experts: Record<string, LinearModelJson>;
  /** labels are expert names plus 'other' */
  domain: LinearModelJson;
  gate: number;
}

class ZhEnsemble {
  readonly labels: string[];
  private readonly general: LinearModel;
  private readonly domain: LinearModel;
  private readonly experts: (LinearModel | undefined)[];
  constructor(private readonly j: ZhModelJson) {
    this.general = LinearModel.fromJson(j.general);
    this.labels = this.general.labels;
    this.domain = LinearModel.fromJson(j.domain);
    this.experts = this.domain.labels.map((d) => (j.experts[d] ? LinearModel.fromJson(j.experts[d]) : undefined));
  }

  probs(x: Map<string, number>): number[] {
    const logit = (p: number[]) => Math.log(Math.max(p[1], 1e-12) / Math.max(p[0], 1e-12));
    let z = logit(this.general.probs(x));
    const pd = this.domain.probs(x);
    this.experts.forEach((m, i) => {
      if (m) z += this.j.gate * pd[i] * logit(m.probs(x));
    });
    const p1 = 1 / (1 + Math.exp(-z));
    return [1 - p1, p1];
  }
}

/** Lexical engine: natural/jieba tokens + curated lexicons into a linear model. */
export class LexicalClassifier implements Classifier {
  readonly info: ModelInfo;

  constructor(
    private readonly model: LinearModel,
    meta: { id: string; version: string },
    private readonly neutralBelow = 0,
    private readonly zhModel?: ZhEnsemble,
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
    const zh = j.zh ? new ZhEnsemble(j.zh) : undefined;
    return new LexicalClassifier(LinearModel.fromJson(j), { id: j.id, version: j.version }, j.neutralBelow ?? 0, zh);
  }

  scoreOne(text: string): SentimentScore {
    if (isNoComment(text)) return { label: 'neutral', confidence: 1 };
    // Chinese and English differ enough that one model each does better than a shared one
    const zh = this.zhModel && detectLocale(text, 'en') !== 'en';
    const model = zh ? this.zhModel! : this.model;
    const p = model.probs(features(text));
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    const label = model.labels[best] as Sentiment;
    if (label !== 'neutral' && p[best] < this.neutralBelow) return { label: 'neutral', confidence: 1 - p[best] };
    return { label, confidence: p[best] };
  }

  async sentiment(texts: string[]): Promise<SentimentScore[]> {
    return texts.map((t) => this.scoreOne(t));
  }
}
