import { textFeatures } from '../features';
import { normalizeText } from '../segment';

const HAN_RUN = /\p{Script=Han}+/gu;
import type { Dialogue } from './types';

/**
 * Feature strings of a dialogue, per turn, so a prediction can say which turns weighed most.
 * Text features carry the speaker role (c/h); the last customer and last helpdesk turns get a
 * second copy with their own prefix, because how a dialogue ends says most about satisfaction.
 * Shape features (turn counts, who spoke last, empty turns) go in `meta`.
 */
export interface DialogueFeatures {
  turns: string[][];
  meta: string[];
}

const cap = (n: number, m: number) => String(Math.min(n, m));

export function dialogueFeatures(d: Dialogue, opts: { hanTrigrams?: boolean } = {}): DialogueFeatures {
  const n = d.turns.length;
  let lastC = -1;
  let lastH = -1;
  d.turns.forEach((t, i) => (t.sender === 'customer' ? (lastC = i) : (lastH = i)));
  const turns = d.turns.map((t, i) => {
    const role = t.sender === 'customer' ? 'c' : 'h';
    const text = t.utterances.join(' ');
    const base = textFeatures(text);
    if (opts.hanTrigrams) for (const run of normalizeText(text).match(HAN_RUN) ?? []) for (let k = 0; k + 3 <= run.length; k++) base.push('t:' + run.slice(k, k + 3));
    const out = base.map((f) => role + '|' + f);
    if (i === lastC) for (const f of base) out.push('lc|' + f);
    if (i === lastH) for (const f of base) out.push('lh|' + f);
    if (!text.trim()) out.push(role + '|#empty');
    return out;
  });
  const nc = d.turns.filter((t) => t.sender === 'customer').length;
  const lastLen = lastC >= 0 ? d.turns[lastC].utterances.join('').length : 0;
  const meta = [
    '#turns=' + cap(n, 10),
    '#cturns=' + cap(nc, 6),
    '#last=' + (d.turns[n - 1]?.sender ?? 'none'),
    '#lclen=' + (lastLen < 5 ? 0 : lastLen < 15 ? 1 : lastLen < 40 ? 2 : 3),
    '#bias',
  ];
  return { turns, meta };
}

export function allFeatures(f: DialogueFeatures): string[] {
  return f.turns.flat().concat(f.meta);
}
