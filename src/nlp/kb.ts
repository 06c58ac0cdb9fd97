import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { ConfigError } from '../configError';
import { LOCALES, type Locale } from './locale';

export interface KbEntry {
  id: string;
  category: string;
  questions: Record<Locale, string[]>;
  answer: Record<Locale, string>;
}

export interface KnowledgeBase {
  entries: KbEntry[];
  byId: Map<string, KbEntry>;
}

function parseEntry(file: string, category: string, raw: any, i: number): KbEntry {
  const at = `entries[${i}]`;
  if (!raw || typeof raw !== 'object') throw new ConfigError(file, at, 'must be a mapping');
  if (typeof raw.id !== 'string' || !raw.id.trim()) throw new ConfigError(file, `${at}.id`, 'must be a non-empty string');
  const questions = {} as Record<Locale, string[]>;
  const answer = {} as Record<Locale, string>;
  for (const loc of LOCALES) {
    const q = raw.questions?.[loc];
    if (!Array.isArray(q) || q.length === 0 || q.some((s: unknown) => typeof s !== 'string' || !s.trim()))
      throw new ConfigError(file, `${at}.questions.${loc}`, 'must be a non-empty list of strings');
    const a = raw.answer?.[loc];
    if (typeof a !== 'string' || !a.trim()) throw new ConfigError(file, `${at}.answer.${loc}`, 'must be a non-empty string');
    questions[loc] = q;
    answer[loc] = a;
  }
  return { id: raw.id, category: typeof raw.category === 'string' ? raw.category : category, questions, answer };
}

/** Load every *.yaml under dir; rejects bad files with the file and field named. */
export function loadKnowledgeBase(dir: string): KnowledgeBase {
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (!files.length) throw new ConfigError(dir, '*.yaml', 'no knowledge-base files found');
  const entries: KbEntry[] = [];
  const byId = new Map<string, KbEntry>();
  for (const f of files) {
    const file = join(dir, f);
    let doc: any;
    try {
      doc = YAML.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(file, '(document)', `is not valid YAML: ${(err as Error).message}`);
    }
    if (typeof doc?.category !== 'string') throw new ConfigError(file, 'category', 'must be a string');
    if (!Array.isArray(doc.entries)) throw new ConfigError(file, 'entries', 'must be a list');
    doc.entries.forEach((raw: unknown, i: number) => {
      const e = parseEntry(file, doc.category, raw, i);
      if (byId.has(e.id)) throw new ConfigError(file, `entries[${i}].id`, `duplicate id "${e.id}"`);
      byId.set(e.id, e);
      entries.push(e);
    });
  }
  return { entries, byId };
}

/** Training examples for the matcher: every phrasing of every locale labelled with its entry id. */
export function kbExamples(kb: KnowledgeBase): { label: string; text: string }[] {
  return kb.entries.flatMap((e) => LOCALES.flatMap((loc) => e.questions[loc].map((text) => ({ label: e.id, text }))));
}
