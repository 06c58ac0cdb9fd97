import type { Db } from '../../src/storage/db';

export interface Hit {
  table: string;
  column: string;
  needle: string;
  row: Record<string, unknown>;
}

/**
 * Every occurrence of any needle (case-insensitive substring) in any column of any table in the database:
 * ordinary, virtual (FTS5) and FTS5 shadow tables alike. BLOBs (the FTS index segments) are searched as
 * UTF-8 and as Latin-1, so a term left in the full-text index is found too.
 */
export async function findInDb(db: Db, needles: string[]): Promise<Hit[]> {
  const lower = needles.map((n) => n.toLowerCase());
  const tables = await db.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`);
  const hits: Hit[] = [];
  for (const { name } of tables) {
    const rows = await db.all<Record<string, unknown>>(`SELECT * FROM "${name.replace(/"/g, '""')}"`);
    for (const row of rows)
      for (const [column, v] of Object.entries(row)) {
        if (v === null || v === undefined) continue;
        const texts = Buffer.isBuffer(v) ? [v.toString('utf8'), v.toString('latin1')] : [String(v)];
        const low = texts.map((t) => t.toLowerCase());
        lower.forEach((n, i) => {
          if (low.some((t) => t.includes(n))) hits.push({ table: name, column, needle: needles[i], row });
        });
      }
  }
  return hits;
}

/** The trigrams of a word, as the `trigram` tokenizer of feedback_fts indexes them (lower case). */
export function trigrams(word: string): string[] {
  const w = word.toLowerCase();
  return Array.from({ length: Math.max(0, w.length - 2) }, (_, i) => w.slice(i, i + 3));
}
