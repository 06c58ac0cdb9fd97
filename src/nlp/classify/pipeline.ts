import { detectLocale, type Locale } from '../locale';
import { redact } from '../redact';
import { isNoComment } from './lexicon';
import type { TopicTagger } from './topics';
import type { Classification, Classifier } from './types';

/** A classification plus the topic tagger (id/version) that produced its topic tags. */
export type PipelineResult = Classification & { topicModel: { id: string; version: string } };

/** normalise → detect language → redact → sentiment → topics. */
export class ClassificationPipeline {
  constructor(
    private readonly engine: Classifier,
    private readonly topics: TopicTagger,
    private readonly redactFn: (t: string) => { text: string; kinds: string[] } = redact,
  ) {}

  get model() {
    return { ...this.engine.info, topics: this.topics.version };
  }

  /** The topic tagger's model id/version (taxonomy, or learned topic model + taxonomy). */
  get topicModel(): { id: string; version: string } {
    return { ...this.topics.info };
  }

  async classify(raw: string, locale?: Locale): Promise<PipelineResult> {
    const norm = (raw ?? '').normalize('NFKC').replace(/\s+/g, ' ').trim();
    const language = locale ?? detectLocale(norm, 'zh-CN');
    const { text, kinds } = this.redactFn(norm);
    const model = this.engine.info;
    const topicModel = this.topicModel;
    if (!text) return { text, language, sentiment: null, confidence: 0, topics: [], redactedKinds: kinds, model, topicModel };
    if (isNoComment(text)) return { text, language, sentiment: 'neutral', confidence: 1, topics: [], redactedKinds: kinds, model, topicModel };
    const [s] = await this.engine.sentiment([text]);
    const topics = await this.topics.tag(text, this.engine, s);
    return { text, language, sentiment: s.label, confidence: s.confidence, topics, redactedKinds: kinds, model, topicModel };
  }
}
