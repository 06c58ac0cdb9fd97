/**
 * Redact personal data from free text before it is stored: e-mail, Chinese ID-card numbers,
 * bank-card numbers (Luhn-checked) and phone numbers. Ordinary numbers (order numbers under
 * 9 digits, amounts, dates) are left alone: every pattern needs a length or checksum that
 * such numbers do not have.
 */
export type RedactKind = 'EMAIL' | 'ID' | 'CARD' | 'PHONE';

// Word boundary that also works next to Han characters: no ASCII letter/digit on either side.
const L = '(?<![0-9A-Za-z])';
const R = '(?![0-9A-Za-z])';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const ID18 = new RegExp(`${L}\\d{6}(?:18|19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]${R}`, 'g');
const ID15 = new RegExp(`${L}\\d{6}\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}${R}`, 'g');
// 13-19 digits, optionally grouped by single spaces or dashes.
const CARD = new RegExp(`${L}\\d(?:[ -]?\\d){12,18}${R}`, 'g');
const CN_MOBILE = new RegExp(`(?:\\+?86[ -]?|${L})1[3-9]\\d[ -]?\\d{4}[ -]?\\d{4}${R}`, 'g');
// Landline with area code: 010-12345678, (021) 1234 5678, 0755 8888 9999, optional extension.
const CN_LANDLINE = new RegExp(`(?:\\+?86[ -]?)?(?:\\(0\\d{2,3}\\)|${L}0\\d{2,3})[ -]?\\d{3,4}[ -]?\\d{4}(?:[ -]?(?:ext\\.?|转|轉)[ -]?\\d{1,5})?${R}`, 'g');
// International: +44 20 7946 0958, +1 (415) 555-2671, +852 2345 6789.
const INTL = /\+\d{1,3}[ .-]?(?:\(\d{1,4}\)|\d{1,4})(?:[ .-]?\d{2,4}){2,4}(?![0-9A-Za-z])/g;
// US style: (415) 555-2671, 415-555-2671, 415.555.2671 — separators required.
const US = new RegExp(`(?:\\(\\d{3}\\)[ ]?|${L}\\d{3}[.-])\\d{3}[.-]\\d{4}${R}`, 'g');

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

export function validChineseId18(s: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11] === s[17].toUpperCase();
}

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function digitCount(s: string): number {
  return (s.match(/\d/g) ?? []).length;
}

export function redact(text: string): { text: string; kinds: string[] } {
  const kinds = new Set<string>();
  let out = text ?? '';
  const sub = (re: RegExp, kind: RedactKind, ok: (m: string) => boolean = () => true) => {
    out = out.replace(re, (m) => {
      if (!ok(m)) return m;
      kinds.add(kind);
      return `[${kind}]`;
    });
  };
  sub(EMAIL, 'EMAIL');
  sub(ID18, 'ID', validChineseId18);
  sub(CARD, 'CARD', (m) => {
    const d = m.replace(/[ -]/g, '');
    // A consistent grouping only: "1234 5678" pairs of unrelated numbers are not a card.
    const groups = m.split(/[ -]/);
    if (groups.length > 1 && groups.some((g) => g.length < 4 && g !== groups[groups.length - 1])) return false;
    return d.length >= 13 && d.length <= 19 && luhnValid(d);
  });
  sub(ID15, 'ID');
  sub(CN_MOBILE, 'PHONE');
  sub(CN_LANDLINE, 'PHONE', (m) => digitCount(m) >= 10);
  sub(INTL, 'PHONE', (m) => digitCount(m) >= 8 && digitCount(m) <= 15);
  sub(US, 'PHONE');
  return { text: out, kinds: [...kinds] };
}

/**
 * Applies `fn` to every string inside a JSON-like value (object keys kept; `key` is the property the string
 * sits under, '' at the top), for redacting structured data such as card submissions or event details.
 */
export function mapStrings(v: unknown, fn: (s: string, key: string) => string, key = '', depth = 0): unknown {
  if (typeof v === 'string') return fn(v, key);
  if (!v || typeof v !== 'object' || depth > 64) return v;
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, fn, key, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, fn, k, depth + 1)]));
}
