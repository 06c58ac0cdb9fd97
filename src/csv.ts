/**
 * The one CSV module: an RFC 4180 reader (quoted fields with "" escapes, commas and newlines inside
 * quotes, CRLF or LF, a leading UTF-8 BOM ignored) and a writer whose every text cell is neutralised
 * against spreadsheet formulas. Every import, training file and export goes through it.
 */
import { readFileSync } from 'node:fs';

/** UTF-8 byte order mark: Excel then opens Chinese text correctly. */
export const BOM = '\uFEFF';

/** Incremental parser: feed chunks with push(), call end() at EOF. */
export class CsvParser {
  private field = '';
  private record: string[] = [];
  private inQuotes = false;
  private quoteSeen = false; // a quote just closed (or escaped quote pending)
  private started = false;
  private pendingCR = false;

  push(chunk: string): string[][] {
    const out: string[][] = [];
    let s = chunk;
    if (!this.started) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      if (s.length) this.started = true;
    }
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (this.pendingCR) {
        this.pendingCR = false;
        if (c === '\n') continue;
      }
      if (this.inQuotes) {
        if (c === '"') {
          if (s[i + 1] === '"') (this.field += '"'), i++;
          else if (i + 1 === s.length) (this.inQuotes = false), (this.quoteSeen = true); // may be "" split across chunks
          else this.inQuotes = false;
        } else {
          // copy the run up to the next quote at once: long quoted fields stay linear
          const q = s.indexOf('"', i);
          const end = q < 0 ? s.length : q;
          this.field += s.slice(i, end);
          i = end - 1;
        }
        continue;
      }
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (c === '"') {
          // escaped quote split across two chunks
          this.field += '"';
          this.inQuotes = true;
          continue;
        }
      }
      if (c === '"' && this.field === '') this.inQuotes = true;
      else if (c === ',') this.record.push(this.field), (this.field = '');
      else if (c === '\n' || c === '\r') {
        this.record.push(this.field);
        out.push(this.record);
        this.record = [];
        this.field = '';
        if (c === '\r') this.pendingCR = true;
      } else this.field += c;
    }
    return out;
  }

  /** Flushes the last record when the file does not end with a newline. */
  end(): string[][] {
    if (this.inQuotes) throw new Error('CSV: unterminated quoted field');
    if (this.field !== '' || this.record.length) {
      this.record.push(this.field);
      const r = this.record;
      this.record = [];
      this.field = '';
      return [r];
    }
    return [];
  }
}

/** All rows of a CSV text, the header row included. */
export function parseCsv(text: string): string[][] {
  const p = new CsvParser();
  return [...p.push(text), ...p.end()];
}

/** Rows keyed by the header's column names; blank lines are skipped, missing cells are ''. */
export function csvRecords(text: string): Record<string, string>[] {
  const rows = parseCsv(text);
  const header = rows.shift();
  if (!header) return [];
  const out: Record<string, string>[] = [];
  for (const r of rows) {
    if (r.length === 1 && r[0] === '') continue;
    const o: Record<string, string> = {};
    header.forEach((h, k) => (o[h] = r[k] ?? ''));
    out.push(o);
  }
  return out;
}

/** A CSV file with a header row, as records (see csvRecords). */
export function readCsv(path: string): Record<string, string>[] {
  return csvRecords(readFileSync(path, 'utf8'));
}

/** Throw a clear error when a requested column is missing. */
export function requireColumns(rows: Record<string, string>[], cols: string[], file: string): void {
  if (!rows.length) throw new Error(`${file}: no data rows`);
  for (const c of cols) if (!(c in rows[0])) throw new Error(`${file}: no column "${c}" (have: ${Object.keys(rows[0]).join(', ')})`);
}

/** Text starting with = + - @ (or a tab / CR) would run as a formula in a spreadsheet: prefix a quote. */
export const noFormula = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** One cell: text is neutralised against formulas, then quoted when it holds a comma, quote or newline. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? noFormula(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (CRLF-terminated) from cell values. */
export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
