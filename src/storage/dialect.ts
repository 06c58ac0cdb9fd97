/**
 * SQL dialect layer: repositories write one statement in the SQLite dialect with `?` placeholders, and the
 * PostgreSQL engine rewrites it here once (cached). What cannot be rewritten textually is supplied by SQL
 * functions installed in the schema (src/storage/pg/compat.sql: julianday, json_extract, json_each, SUM(boolean)).
 */

/** Catalogue facts the rewrite needs: tables with a serial `id` (lastID) and each table's primary key (upserts). */
export interface PgCatalog {
  serialId: Set<string>;
  primaryKey: Map<string, string[]>;
}

/** Split on top-level commas of the text inside one pair of parentheses starting at `open` (index of '('). */
function matchParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'") {
      i = sql.indexOf("'", i + 1);
      if (i < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

function hasTopLevelComma(inner: string): boolean {
  let depth = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === "'") i = inner.indexOf("'", i + 1);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) return true;
    if (i < 0) return false;
  }
  return false;
}

/** Scalar MAX(a, b) / MIN(a, b) are GREATEST / LEAST in PostgreSQL; the one-argument aggregates stay. */
function scalarMinMax(sql: string): string {
  const re = /\b(MAX|MIN)\s*\(/gi;
  let out = '';
  let last = 0;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    const open = m.index + m[0].length - 1;
    const close = matchParen(sql, open);
    if (close < 0) break;
    if (hasTopLevelComma(sql.slice(open + 1, close))) {
      out += sql.slice(last, m.index) + (m[1].toUpperCase() === 'MAX' ? 'GREATEST' : 'LEAST');
      last = m.index + m[1].length;
    }
  }
  return out + sql.slice(last);
}

/** PostgreSQL requires an alias on every subquery in FROM / JOIN; SQLite does not. */
function aliasSubqueries(sql: string): string {
  const re = /\b(FROM|JOIN)\s*\(\s*SELECT\b/gi;
  let out = '';
  let last = 0;
  let n = 0;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    const open = sql.indexOf('(', m.index);
    const close = matchParen(sql, open);
    if (close < 0) break;
    const after = sql.slice(close + 1);
    if (!/^\s*(AS\b|(?!WHERE|GROUP|ORDER|LIMIT|ON|JOIN|LEFT|INNER|CROSS|UNION|EXCEPT|INTERSECT|HAVING|WINDOW|OFFSET)[A-Za-z_]\w*)/i.test(after)) {
      out += sql.slice(last, close + 1) + ` AS sub${++n}`;
      last = close + 1;
    }
  }
  return out + sql.slice(last);
}

/** `?` -> `$1..$n`, outside string literals and quoted identifiers. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') out += `$${++n}`;
    else out += c;
  }
  return out;
}

/** Rewrites one statement written for SQLite into PostgreSQL. */
export function toPg(sql: string, cat: PgCatalog): string {
  let s = sql;
  // SQLite's `a IS NOT b` / `a IS b` compare any values; PostgreSQL spells that IS [NOT] DISTINCT FROM.
  s = s.replace(/\bIS\s+NOT\s+(?!NULL\b|TRUE\b|FALSE\b|DISTINCT\b)/gi, 'IS DISTINCT FROM ');
  s = s.replace(/\bIS\s+(?!NOT\b|NULL\b|TRUE\b|FALSE\b|DISTINCT\b)/gi, 'IS NOT DISTINCT FROM ');
  // Mixed-case aliases keep their case (PostgreSQL folds unquoted names to lower case).
  s = s.replace(/\bAS\s+([a-z]+[A-Z][A-Za-z0-9_]*)\b/g, 'AS "$1"');
  s = s.replace(/\bGROUP_CONCAT\s*\(([^()]*)\)/gi, "string_agg(($1)::text, ',')");
  // SQLite's LIKE ignores ASCII case.
  s = s.replace(/\bNOT\s+LIKE\b/gi, 'NOT ILIKE').replace(/(?<!NOT\s+|I)\bLIKE\b/gi, 'ILIKE');
  // SQLite reads `CROSS JOIN t ON ...` as an inner join in a fixed order (a planner hint); PostgreSQL wants JOIN.
  s = s.replace(/\bCROSS\s+JOIN\s+(\w+(?:\s+(?!ON\b)\w+)?)\s+ON\b/gi, 'JOIN $1 ON');
  // A constant condition (SQLite: any integer; PostgreSQL: boolean only).
  s = s.replace(/\bWHERE\s+1\b(?!\s*[=<>!])/gi, 'WHERE true').replace(/\bWHERE\s+0\b(?!\s*[=<>!])/gi, 'WHERE false');
  s = s.replace(/\browid\b/g, 'ctid'); // row identity in `rowid IN (SELECT rowid ...)` (ctid is not an integer)
  s = aliasSubqueries(s);
  s = scalarMinMax(s);
  s = upserts(s, cat);
  return numberPlaceholders(s);
}

/** INSERT OR IGNORE / INSERT OR REPLACE as ON CONFLICT clauses; a bare INSERT into a serial table returns its id. */
function upserts(sql: string, cat: PgCatalog): string {
  const m = /^\s*INSERT\s+(?:OR\s+(IGNORE|REPLACE)\s+)?INTO\s+([A-Za-z_][A-Za-z0-9_]*)\s*(\(([^)]*)\))?/i.exec(sql);
  if (!m) return sql;
  const [head, mode, table, , colList] = m;
  let body = sql.slice(head.length);
  let returning = '';
  const ret = /\bRETURNING\b[\s\S]*$/i.exec(body);
  if (ret) {
    returning = ' ' + ret[0];
    body = body.slice(0, ret.index);
  }
  let conflict = '';
  if (mode?.toUpperCase() === 'IGNORE') conflict = ' ON CONFLICT DO NOTHING';
  if (mode?.toUpperCase() === 'REPLACE') {
    const pk = cat.primaryKey.get(table.toLowerCase()) ?? [];
    const cols = (colList ?? '').split(',').map((c) => c.trim()).filter((c) => c && !pk.includes(c));
    conflict = pk.length
      ? ` ON CONFLICT (${pk.join(', ')}) ${cols.length ? `DO UPDATE SET ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}` : 'DO NOTHING'}`
      : '';
  }
  if (!returning && cat.serialId.has(table.toLowerCase())) returning = ' RETURNING id';
  const prefix = sql.slice(0, m.index) + `INSERT INTO ${table}${m[3] ? ` ${m[3]}` : ''}`;
  return prefix + body.replace(/;\s*$/, '') + conflict + returning;
}

/** DDL of a portable migration (SQLite spelling) in PostgreSQL types; dialect-specific files use `.pg.sql` instead. */
export function ddlToPg(sql: string): string {
  return sql
    .replace(/\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b/gi, 'BIGSERIAL PRIMARY KEY')
    .replace(/\bINTEGER\b/g, 'BIGINT')
    .replace(/\bREAL\b/g, 'DOUBLE PRECISION')
    .replace(/\)\s*WITHOUT\s+ROWID/gi, ')')
    .replace(/\bINSERT\s+OR\s+IGNORE\s+INTO\b([^;]*);/gi, 'INSERT INTO$1 ON CONFLICT DO NOTHING;');
}

/** Statements of a script, split on `;` outside string literals (no dollar quoting: scripts here are SQLite's). */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] === "'") {
      const end = sql.indexOf("'", i + 1);
      i = end < 0 ? sql.length : end;
    } else if (sql[i] === ';') {
      out.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  out.push(sql.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}
