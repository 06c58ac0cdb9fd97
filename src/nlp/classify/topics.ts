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

  /** Topic ids found in the text, each with the clauses that mention it (most keyword hits first) and a confidence. */
  detect(text: string): { topic: string; clauses: string[]; hits: number[]; confidence: number }[] {
    if (isNoComment(text)) return [];
    const cs = clauses(text);
    const found = new Map<string, { clauses: { c: string; hits: number }[]; hits: number }>();
    for (const c of cs) {
      const zh = HAN.test(c);
      for (const m of this.matchers) {
        let hits = 0;
        if (zh) for (const k of m.zh) if (c.includes(k)) hits++;
        if (m.en && m.en.test(c)) hits++;
        if (!hits) continue;
        const e = found.get(m.id) ?? { clauses: [], hits: 0 };
        e.clauses.push({ c, hits });
        e.hits += hits;
        found.set(m.id, e);
      }
    }
    const out = [...found].map(([topic, e]) => {
      const sorted = [...e.clauses].sort((a, b) => b.hits - a.hits);
      return { topic, clauses: sorted.map((x) => x.c), hits: sorted.map((x) => x.hits), confidence: 1 - 0.5 ** (e.hits + 1) };
    });
    if (this.learned.size) {
      const x = features(text);
      for (const [topic, model] of this.learned) {
        const p = model.probs(x)[1];
        const hit = out.find((o) => o.topic === topic);
        if (hit) hit.confidence = Math.max(hit.confidence * 0.5 + p * 0.5, p);
        else if (p >= this.threshold) out.push({ topic, clauses: [], hits: [], confidence: p });
      }
    }
    if (out.length === 0 && this.hasOther && cs.length) out.push({ topic: 'other', clauses: [], hits: [], confidence: 0.5 });
    return out;
  }

  /**
   * Topics with per-topic sentiment, each from the clause that mentions it: "客服态度很好，但是快递员太不负责了"
   * gives attitude the first clause's positive and delivery the second's negative. A topic named in several
   * clauses takes the one with the most keyword hits, and among equals the one the engine is surest is not
   * neutral. Each tag names its clause. Topics without a clause of their own (found by the learned model, or
   * `other`) take the whole comment's sentiment. One batched engine call for all clauses.
   */
  async tag(text: string, engine: Classifier, overall?: SentimentScore): Promise<TopicTag[]> {
    const found = this.detect(text);
    if (!found.length) return [];
    const distinct = [...new Set(found.flatMap((f) => f.clauses))];
    const needWhole = !overall && found.some((f) => !f.clauses.length);
    const scores = await engine.sentiment(needWhole ? [...distinct, text] : distinct);
    const byClause = new Map(distinct.map((c, i) => [c, scores[i]]));
    const whole = overall ?? (needWhole ? scores[distinct.length] : undefined);
    const norm = normalizeText(text); // clauses are cut from this; it keeps the text's offsets when folding is 1:1
    return found.map((f) => {
      const pick = pickClause(f.clauses, f.hits, byClause);
      const s = pick ? byClause.get(pick)! : whole ?? { label: 'neutral' as const, confidence: 0.5 };
      return {
        topic: f.topic,
        sentiment: s.label,
        confidence: Math.round(f.confidence * s.confidence * 1000) / 1000,
        clause: pick ?? text,
        span: spanOf(norm, text, pick),
      };
    });
  }
}

/** The clause a topic takes its sentiment from: among the clauses with the most keyword hits, the surest non-neutral one. */
function pickClause(cs: string[], hits: number[], scores: Map<string, SentimentScore>): string | undefined {
  if (!cs.length) return undefined;
  const strength = (x: SentimentScore) => (x.label === 'neutral' ? 0 : x.confidence);
  let best = 0;
  for (let i = 1; i < cs.length && hits[i] === hits[0]; i++) if (strength(scores.get(cs[i])!) > strength(scores.get(cs[best])!)) best = i;
  return cs[best];
}

function spanOf(norm: string, text: string, clause: string | undefined): [number, number] | undefined {
  if (!clause || norm.length !== text.length) return clause ? undefined : [0, text.length];
  const at = norm.indexOf(clause);
  return at < 0 ? undefined : [at, at + clause.length];
}
