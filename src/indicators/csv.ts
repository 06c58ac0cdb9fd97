/**
 * Incremental RFC 4180 parser: quoted fields with "" escapes, commas and newlines inside quotes,
 * CRLF or LF line ends, a leading UTF-8 BOM ignored. Feed chunks with push(); call end() at EOF.
 */
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
        } else this.field += c;
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
    if (this.inQuotes) throw new Error('CSV ends inside a quoted field');
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

export function parseCsv(text: string): string[][] {
  const p = new CsvParser();
  return [...p.push(text), ...p.end()];
}

/** A customer's text starting with = + - @ (or a tab / CR) would run as a formula in Excel: prefix a quote. */
export const noFormula = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** Quotes a field when it holds a comma, quote or newline. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
