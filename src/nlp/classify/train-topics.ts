import { features } from './features';
import { LinearModel } from './linear';
import type { TopicModelFile } from './topics';

/** One-vs-rest linear topic models from labelled texts (topics = ids per text). */
export function trainTopicModels(
  rows: { text: string; topics: string[] }[],
  topicIds: string[],
  opts: { epochs?: number; version?: string; threshold?: number } = {},
): TopicModelFile {
  const xs = rows.map((r) => features(r.text));
  const topics: TopicModelFile['topics'] = {};
  for (const id of topicIds) {
    const pos = rows.filter((r) => r.topics.includes(id)).length;
    if (pos === 0) continue; // no examples: keywords only
    const wPos = Math.min(5, (rows.length - pos) / pos);
    const data = rows.map((r, i) => {
      const y = r.topics.includes(id) ? 1 : 0;
      return { x: xs[i], y, w: y ? Math.max(1, wPos) : 1 };
    });
    topics[id] = LinearModel.train(data, ['no', 'yes'], { epochs: opts.epochs ?? 5, minCount: 1 }).toJson();
  }
  return { id: 'lexical-topics', version: opts.version ?? new Date().toISOString().slice(0, 10), topics, threshold: opts.threshold ?? 0.5 };
}
