import { existsSync, readFileSync } from 'node:fs';
import { normalizeText } from '../segment';
import type { Taxonomy } from '../taxonomy';
import { clauses, features } from './features';
import { isNoComment } from './lexicon';
import { LinearModel, type LinearModelJson } from './linear';
import type { Classifier, SentimentScore, TopicTag } from './types';

export const TOPIC_MODEL_PATH = 'models/lexical/topics.json';

export interface TopicModelFile {
  id: string;
  version: string;
  /** one binary model (labels ["no","yes"]) per topic id */
  topics: Record<string, LinearModelJson>;
  threshold: number;
}

const HAN = /\p{Script=Han}/u;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Matcher {
  id: string;
  zh: string[];
  en: RegExp | null;
}

/**
 * Multi-label topic tagger: taxonomy seed keywords per clause, plus (when trained with
 * `npm run train -- topics`) a learned one-vs-rest linear model per topic. Each topic gets the
 * sentiment of the clauses that mention it.
 */
export class TopicTagger {
  private readonly matchers: Matcher[];
  private readonly learned = new Map<string, LinearModel>();
  private threshold = 0.5;
  readonly version: string;
  /**
   * Model id and version written on every topic tag this tagger produces (feedback_topics.model_id/model_version):
   * keywords only → `taxonomy` @ the taxonomy version; with a learned topic model → its id @ `<model version>+taxonomy-v<n>`,
   * so a change of either the taxonomy or the learned model changes the version.
   */
  readonly info: { id: string; version: string };

  constructor(taxonomy: Taxonomy, model?: TopicModelFile) {
    this.matchers = taxonomy.topics
      .filter((t) => t.id !== 'other')
      .map((t) => ({
        id: t.id,
        zh: t.keywords.zh.map((k) => normalizeText(k)),
        en: t.keywords.en.length
          ? new RegExp(`\\b(?:${t.keywords.en.map((k) => escape(k.toLowerCase())).join('|')})\\b`, 'u')
          : null,
      }));
    this.hasOther = taxonomy.topics.some((t) => t.id === 'other');
    if (model) {
      for (const [id, j] of Object.entries(model.topics)) this.learned.set(id, LinearModel.fromJson(j));
      this.threshold = model.threshold;
    }
    this.version = `taxonomy-v${taxonomy.version}${model ? `+${model.id}@${model.version}` : ''}`;
    this.info = model
      ? { id: model.id, version: `${model.version}+taxonomy-v${taxonomy.version}` }
      : { id: 'taxonomy', version: String(taxonomy.version) };
  }

  private readonly hasOther: boolean;

  static load(taxonomy: Taxonomy, path = TOPIC_MODEL_PATH): TopicTagger {
    const model = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as TopicModelFile) : undefined;
    return new TopicTagger(taxonomy, model);
  }

  /** Topic ids found in the text, each with the clauses that mention it and a confidence. */
  detect(text: string): { topic: string; clauses: string[]; confidence: number }[] {
    if (isNoComment(text)) return [];
    const cs = clauses(text);
    const found = new Map<string, { clauses: string[]; hits: number }>();
    for (const c of cs) {
      const zh = HAN.test(c);
      for (const m of this.matchers) {
        let hits = 0;
        if (zh) for (const k of m.zh) if (c.includes(k)) hits++;
        if (m.en && m.en.test(c)) hits++;
        if (!hits) continue;
        const e = found.get(m.id) ?? { clauses: [], hits: 0 };
        e.clauses.push(c);
        e.hits += hits;
        found.set(m.id, e);
      }
    }
    const out = [...found].map(([topic, e]) => ({ topic, clauses: e.clauses, confidence: 1 - 0.5 ** (e.hits + 1) }));
    if (this.learned.size) {
      const x = features(text);
      for (const [topic, model] of this.learned) {
        const p = model.probs(x)[1];
        const hit = out.find((o) => o.topic === topic);
        if (hit) hit.confidence = Math.max(hit.confidence * 0.5 + p * 0.5, p);
        else if (p >= this.threshold) out.push({ topic, clauses: cs, confidence: p });
      }
    }
    if (out.length === 0 && this.hasOther && cs.length) out.push({ topic: 'other', clauses: cs, confidence: 0.5 });
    return out;
  }

  /** Topics with per-topic sentiment from the given engine (one batched call). */
  async tag(text: string, engine: Classifier, overall?: SentimentScore): Promise<TopicTag[]> {
    const found = this.detect(text);
    if (!found.length) return [];
    const scores = await engine.sentiment(found.map((f) => f.clauses.join('，')));
    return found.map((f, i) => ({
      topic: f.topic,
      sentiment: f.topic === 'other' && overall ? overall.label : scores[i].label,
      confidence: Math.round(f.confidence * scores[i].confidence * 1000) / 1000,
    }));
  }
}
