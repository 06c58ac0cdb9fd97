import { analyseActs, type ActAnalysis } from './acts';

export type SmallTalk = 'greeting' | 'thanks' | 'goodbye' | 'human' | 'help';

/** The one small-talk kind of a message made of acts only (a closing wins over thanks), undefined for a question. */
export function detectSmallTalk(text: string): SmallTalk | undefined {
  const a = analyseActs(text);
  if (a.acts.has('human')) return 'human';
  if (a.content) return undefined;
  if (a.acts.has('closing')) return 'goodbye';
  if (a.acts.has('thanks')) return 'thanks';
  if (a.acts.has('greeting')) return 'greeting';
  if (a.acts.has('help')) return 'help';
  return undefined;
}

/** Answer to "did that solve your problem?" read from the acts of a message without a new question. */
export function resolvedFromActs(a: ActAnalysis): 'yes' | 'partly' | 'no' | undefined {
  if (a.content) return undefined;
  if (a.acts.has('partly')) return 'partly';
  if (a.acts.has('deny')) return 'no';
  if (a.acts.has('affirm') || a.acts.has('ack') || a.acts.has('thanks')) return 'yes';
  return undefined;
}

/** Answer to "did that solve your problem?": yes / partly / no, or undefined when it is something else. */
export function parseResolved(text: string): 'yes' | 'partly' | 'no' | undefined {
  return resolvedFromActs(analyseActs(text));
}
