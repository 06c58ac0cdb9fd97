import type { Locale } from '../locale';

export type Sentiment = 'negative' | 'neutral' | 'positive';
export const SENTIMENTS: readonly Sentiment[] = ['negative', 'neutral', 'positive'];

export interface SentimentScore {
  label: Sentiment;
  confidence: number;
}

export interface TopicTag {
  topic: string;
  sentiment: Sentiment;
  confidence: number;
}

export interface ModelInfo {
  engine: 'lexical' | 'transformer';
  id: string;
  version: string;
}

/** One interface, two engines (lexical, transformer): sentiment of a batch of texts. */
export interface Classifier {
  readonly info: ModelInfo;
  sentiment(texts: string[]): Promise<SentimentScore[]>;
}

export interface Classification {
  text: string; // redacted, normalised text that was classified
  language: Locale;
  sentiment: Sentiment | null; // null for an empty answer
  confidence: number;
  topics: TopicTag[];
  redactedKinds: string[];
  model: ModelInfo;
}
