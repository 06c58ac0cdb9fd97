import { ConfigError } from '../configError';
import { readYamlConfig } from '../configFile';

export interface Topic {
  id: string;
  name: { zh: string; en: string };
  description: { zh: string; en: string };
  keywords: { zh: string[]; en: string[] };
  examples: string[];
}

export interface Taxonomy {
  version: number;
  topics: Topic[];
}

export const DEFAULT_TAXONOMY_PATH = 'models/taxonomy.yaml';

function str(file: string, field: string, v: unknown): string {
  if (typeof v !== 'string' || !v.trim()) throw new ConfigError(file, field, 'must be a non-empty string');
  return v;
}

function strList(file: string, field: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ConfigError(file, field, 'must be a list of strings');
  return v.map((x, i) => str(file, `${field}[${i}]`, typeof x === 'number' ? String(x) : x));
}

function pair(file: string, field: string, v: unknown): { zh: string; en: string } {
  if (!v || typeof v !== 'object') throw new ConfigError(file, field, 'must be a map with zh and en');
  const o = v as Record<string, unknown>;
  return { zh: str(file, `${field}.zh`, o.zh), en: str(file, `${field}.en`, o.en) };
}

/** Validate a parsed taxonomy; errors name the file and the field path. */
export function validateTaxonomy(raw: unknown, file = DEFAULT_TAXONOMY_PATH): Taxonomy {
  if (!raw || typeof raw !== 'object') throw new ConfigError(file, '(root)', 'must be a map');
  const r = raw as Record<string, unknown>;
  const version = r.version ?? 1;
  if (typeof version !== 'number') throw new ConfigError(file, 'version', 'must be a number');
  if (!Array.isArray(r.topics) || r.topics.length === 0) throw new ConfigError(file, 'topics', 'must be a non-empty list');
  const seen = new Set<string>();
  const topics = r.topics.map((t, i): Topic => {
    const f = `topics[${i}]`;
    if (!t || typeof t !== 'object') throw new ConfigError(file, f, 'must be a map');
    const o = t as Record<string, unknown>;
    const id = str(file, `${f}.id`, o.id);
    if (!/^[a-z][a-z0-9_]*$/.test(id)) throw new ConfigError(file, `${f}.id`, 'must be lower_snake_case');
    if (seen.has(id)) throw new ConfigError(file, `${f}.id`, `duplicate id "${id}"`);
    seen.add(id);
    const kw = o.keywords ?? {};
    if (typeof kw !== 'object') throw new ConfigError(file, `${f}.keywords`, 'must be a map with zh and en lists');
    const k = kw as Record<string, unknown>;
    return {
      id,
      name: pair(file, `${f}.name`, o.name),
      description: pair(file, `${f}.description`, o.description),
      keywords: { zh: strList(file, `${f}.keywords.zh`, k.zh), en: strList(file, `${f}.keywords.en`, k.en) },
      examples: strList(file, `${f}.examples`, o.examples),
    };
  });
  return { version, topics };
}

export function loadTaxonomy(path = DEFAULT_TAXONOMY_PATH): Taxonomy {
  return validateTaxonomy(readYamlConfig(path), path);
}
