import type { Taxonomy } from '../../nlp/taxonomy';
import type { TopicInfo } from './routes';

/** The analyst UI's topic list: ids and display names of the validated taxonomy ('other' always present). */
export function topicNames(taxonomy: Taxonomy): TopicInfo[] {
  const list = taxonomy.topics.map((t) => ({ id: t.id, name: { zh: t.name.zh, en: t.name.en } }));
  if (!list.some((t) => t.id === 'other')) list.push({ id: 'other', name: { zh: '其他', en: 'Other' } });
  return list;
}
