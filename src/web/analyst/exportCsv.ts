import { csvLine } from '../../csv';
export { BOM } from '../../csv';
import type { FeedbackRow } from './feedbackRepo';


export const FEEDBACK_COLUMNS = [
  'id', 'created_at', 'interaction_id', 'channel', 'locale', 'agent_id', 'handled_by', 'language', 'text',
  'model_sentiment', 'model_confidence', 'model_version', 'model_topics', 'human_sentiment', 'human_topics',
  'corrected_by', 'corrected_at', 'csat', 'nps', 'ces', 'resolved',
] as const;


export function feedbackCsvLine(r: FeedbackRow): string {
  const topics = (src: string) => r.topics.filter((t) => t.source === src).map((t) => (t.sentiment ? `${t.topic}:${t.sentiment}` : t.topic)).join('|');
  const v: unknown[] = [
    r.id, r.created_at, r.interaction_id, r.channel, r.locale, r.agent_id, r.handled_by, r.language, r.text,
    r.sentiment, r.sentiment_confidence, r.model_version, topics('model'), r.human_sentiment, topics('human'),
    r.corrected_by, r.corrected_at, r.ratings.csat, r.ratings.nps, r.ratings.ces, r.ratings.resolved,
  ];
  return csvLine(v); // every text cell (channel, locale, text...) neutralised against formulas
}
