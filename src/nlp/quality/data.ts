import { readFileSync } from 'node:fs';
import { SCALE, type Dialogue, type Dist, type Head } from './types';

/** Reads a helpdesk_dch1-style JSONL file; a bad line throws naming the file and line. */
export function readDialogues(file: string): Dialogue[] {
  const out: Dialogue[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let j: unknown;
    try {
      j = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${i + 1}: not JSON`);
    }
    out.push(checkDialogue(j, `${file}:${i + 1}`));
  });
  return out;
}

export function checkDialogue(j: unknown, where: string): Dialogue {
  const d = j as Dialogue;
  if (!d || typeof d !== 'object') throw new Error(`${where}: not an object`);
  if (typeof d.id !== 'string' && typeof d.id !== 'number') throw new Error(`${where}: id must be a string`);
  if (!Array.isArray(d.turns)) throw new Error(`${where}: turns must be an array`);
  const turns = d.turns.map((t, k) => {
    if (t?.sender !== 'customer' && t?.sender !== 'helpdesk') throw new Error(`${where}: turns[${k}].sender must be customer or helpdesk`);
    if (!Array.isArray(t.utterances)) throw new Error(`${where}: turns[${k}].utterances must be an array`);
    return { sender: t.sender, utterances: t.utterances.map((u) => (typeof u === 'string' ? u : '')) };
  });
  return { id: String(d.id), turns, quality: d.quality };
}

/** Annotators' distribution over -2..2 (probabilities), or undefined when unlabelled. */
export function labelDist(d: Dialogue, head: Head): number[] | undefined {
  const q = d.quality?.[head];
  if (!q) return undefined;
  const v = SCALE.map((k) => Number(q[k] ?? 0));
  const n = v.reduce((a, b) => a + b, 0);
  return n > 0 ? v.map((x) => x / n) : undefined;
}

export function toDist(p: ArrayLike<number>): Dist {
  const o = {} as Dist;
  SCALE.forEach((k, i) => (o[k] = Math.round(p[i] * 1e5) / 1e5));
  return o;
}
