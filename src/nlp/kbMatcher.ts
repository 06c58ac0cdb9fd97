import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadCalibration } from './calibrate';
import { kbExamples, type KnowledgeBase } from './kb';
import { Matcher } from './matcher';

// Training takes seconds; a process that builds several apps over one KB (tests, restarts in
// place) trains once per KB content and calibration.
const cache = new Map<string, Matcher>();

/** The bot's matcher: the KB's phrasings with the calibration in matcher.json beside the KB folder. */
export function kbMatcher(kb: KnowledgeBase, kbDir: string): Matcher {
  const examples = kbExamples(kb);
  const calibration = loadCalibration(join(kbDir, '..', 'matcher.json'));
  const key = createHash('sha1').update(JSON.stringify([examples, calibration ?? null])).digest('hex');
  let m = cache.get(key);
  if (!m) {
    m = Matcher.train(examples, { calibration });
    if (cache.size >= 4) cache.delete(cache.keys().next().value!);
    cache.set(key, m);
  }
  return m;
}
