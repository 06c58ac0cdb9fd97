import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { TopicInfo } from './routes';

const SPEC_TOPICS = ['response_speed', 'attitude', 'professionalism', 'resolution', 'process', 'channel', 'price_transparency', 'complaint_handling', 'product_quality', 'privacy_security', 'other'];

/** Topic ids and display names from models/taxonomy.yaml; the SPEC's ids when the file is missing. */
export function loadTopicNames(path: string): TopicInfo[] {
  if (!existsSync(path)) return SPEC_TOPICS.map((id) => ({ id, name: { zh: id, en: id } }));
  const raw = parse(readFileSync(path, 'utf8')) as { topics?: Array<{ id: string; name?: { zh?: string; en?: string } }> };
  const list = (raw.topics ?? []).map((t) => ({ id: String(t.id), name: { zh: t.name?.zh ?? t.id, en: t.name?.en ?? t.id } }));
  if (!list.some((t) => t.id === 'other')) list.push({ id: 'other', name: { zh: '其他', en: 'Other' } });
  return list;
}
