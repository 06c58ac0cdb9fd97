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
  /** The clause of the comment the topic's sentiment was read from (the whole comment when it has none of its own). */
  clause?: string;
  /** [start, end) of that clause in the classified text (stored, not the words: erasing the comment erases them). */
  span?: [number, number];
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
