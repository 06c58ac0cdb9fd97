import { createReadStream } from 'node:fs';
import type { Db } from '../storage/db';
import { normalizeLocale } from '../nlp/locale';
import { redact } from '../nlp/redact';
import { CsvParser } from '../csv';

export const IMPORT_COLUMNS = [
  'interaction_id', 'timestamp', 'channel', 'locale', 'handled_by', 'agent_id', 'csat', 'nps', 'ces', 'resolved',
  'rating_response_speed', 'rating_attitude', 'rating_professionalism', 'rating_resolution', 'first_reply_seconds',
  'complaint', 'complaint_first_response_hours', 'comment',
] as const;

type Col = (typeof IMPORT_COLUMNS)[number];

export interface ImportRow {
  id: string;
  at: string;
  channel: string;
  locale: string | null;
  handledBy: 'bot' | 'agent';
  agentId: string | null;
  answers: Array<{ item: string; kind: string; value: number; text: string | null }>;
  resolved: string | null;
  firstReply: number | null;
  complaint: 0 | 1;
  complaintHours: number | null;
  comment: string | null;
  /** CSV record number (header = 1), set by importCsv for rejections found at write time. */
  row?: number;
}

export interface ImportResult {
  rows: number;
  imported: number;
  rejected: Array<{ row: number; reason: string }>;
  feedback: number;
  seconds: number;
}

export interface ImportOptions {
  batchSize?: number;
  /** Called with each new or changed feedback id, so the app can enqueue classification. */
  onFeedback?: (feedbackId: number) => void | Promise<void>;
  onProgress?: (rowsRead: number, bytesRead: number) => void;
  /** Cap on rejected rows kept in the result (all are counted). */
  maxRejectsKept?: number;
}

const SCALES: Record<string, [number, number, string]> = {
  csat: [1, 5, 'csat'],
  nps: [0, 10, 'nps'],
  ces: [1, 7, 'ces'],
  rating_response_speed: [1, 5, 'rating'],
  rating_attitude: [1, 5, 'rating'],
  rating_professionalism: [1, 5, 'rating'],
  rating_resolution: [1, 5, 'rating'],
};
const RESOLVED: Record<string, number> = { yes: 1, partly: 0.5, no: 0 };
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function parseTimestamp(s: string): string | null {
  const m = ISO.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return null;
  // no zone given: read as UTC (timestamps are stored as UTC)
  let norm = s.replace(' ', 'T');
  if (m[7] && /^[+-]\d{4}$/.test(m[7])) norm = norm.slice(0, -2) + ':' + norm.slice(-2);
  const t = Date.parse(m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : m[7] ? norm : norm + 'Z');
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function nonNegative(col: string, s: string): number | null {
  if (s === '') return null;
  const x = Number(s);
  if (!Number.isFinite(x) || x < 0) throw new Error(`${col}: "${s}" is not a number >= 0`);
  return x;
}

/** Validates one record; throws an Error whose message is the reason. */
export function parseImportRow(get: (c: Col) => string): ImportRow {
  const id = get('interaction_id');
  if (!id) throw new Error('interaction_id: required');
  if (id.length > 200) throw new Error('interaction_id: longer than 200 characters');
  const rawTs = get('timestamp');
  if (!rawTs) throw new Error('timestamp: required');
  const at = parseTimestamp(rawTs);
  if (!at) throw new Error(`timestamp: "${rawTs}" is not an ISO-8601 date`);
  const rawLocale = get('locale');
  const locale = rawLocale ? normalizeLocale(rawLocale) ?? null : null;
  if (rawLocale && !locale) throw new Error(`locale: unknown "${rawLocale}"`);
  const hb = get('handled_by').toLowerCase() || 'bot';
  if (hb !== 'bot' && hb !== 'agent') throw new Error(`handled_by: "${get('handled_by')}" is not bot or agent`);
  const answers: ImportRow['answers'] = [];
  for (const [col, [min, max, kind]] of Object.entries(SCALES)) {
    const s = get(col as Col);
    if (s === '') continue; // missing is excluded, never zero
    const x = Number(s);
    if (!Number.isInteger(x) || x < min || x > max) throw new Error(`${col}: "${s}" is not a whole number ${min}-${max}`);
    answers.push({ item: col, kind, value: x, text: null });
  }
  const res = get('resolved').toLowerCase();
  if (res && !(res in RESOLVED)) throw new Error(`resolved: "${get('resolved')}" is not yes, partly or no`);
  if (res) answers.push({ item: 'resolved', kind: 'resolved', value: RESOLVED[res], text: res });
  const c = get('complaint');
  if (c !== '' && c !== '0' && c !== '1') throw new Error(`complaint: "${c}" is not 0 or 1`);
  const comment = get('comment').trim();
  return {
    id,
    at,
    channel: get('channel') || 'import',
    locale,
    handledBy: hb,
    agentId: get('agent_id') || null,
    answers,
    resolved: res || null,
    firstReply: nonNegative('first_reply_seconds', get('first_reply_seconds')),
    complaint: c === '1' ? 1 : 0,
    complaintHours: nonNegative('complaint_first_response_hours', get('complaint_first_response_hours')),
    comment: comment || null,
  };
}

const ph = (cols: number, rows: number) => Array.from({ length: rows }, () => `(${new Array(cols).fill('?').join(',')})`).join(',');

/** Writes one batch in one transaction; multi-row statements keep the statement count per batch small. */
async function writeBatch(db: Db, rows: ImportRow[], opts: ImportOptions): Promise<{ feedback: number; rejected: Array<{ row: number; reason: string }> }> {
  const rejected: Array<{ row: number; reason: string }> = [];
  if (!rows.length) return { feedback: 0, rejected };
  // last occurrence of an id in a batch wins (as it would across batches)
  const byId = new Map(rows.map((r) => [r.id, r]));
  let list = [...byId.values()];
  const changed: number[] = [];
  await db.transaction(async (tx) => {
    // a live survey already holds this interaction (surveys.interaction_id is unique): reject the row, not the batch
    const live = await tx.all<{ interaction_id: string; id: string }>(
      `SELECT interaction_id, id FROM surveys WHERE interaction_id IN (${list.map(() => '?').join(',')}) AND id <> 'import:' || interaction_id`,
      list.map((r) => r.id),
    );
    if (live.length) {
      const taken = new Map(live.map((l) => [l.interaction_id, l.id]));
      for (const r of rows)
        if (taken.has(r.id)) rejected.push({ row: r.row ?? -1, reason: `interaction_id: "${r.id}" already has a live survey (${taken.get(r.id)}); not overwritten` });
      list = list.filter((r) => !taken.has(r.id));
      if (!list.length) return;
    }
    await tx.runRaw(
      `INSERT INTO interactions (id, conversation_id, user_id, channel, locale, started_at, ended_at, last_activity_at, handled_by, agent_id,
         resolved, complaint, source, first_reply_seconds, complaint_first_response_hours)
       VALUES ${ph(15, list.length)}
       ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, locale = excluded.locale, started_at = excluded.started_at,
         ended_at = excluded.ended_at, last_activity_at = excluded.last_activity_at, handled_by = excluded.handled_by,
         agent_id = excluded.agent_id, resolved = excluded.resolved, complaint = excluded.complaint, source = 'import',
         first_reply_seconds = excluded.first_reply_seconds, complaint_first_response_hours = excluded.complaint_first_response_hours`,
      list.flatMap((r) => [r.id, `import:${r.id}`, 'import', r.channel, r.locale, r.at, r.at, r.at, r.handledBy, r.agentId, r.resolved, r.complaint, 'import', r.firstReply, r.complaintHours]),
    );
    await tx.runRaw(
      `INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, locale, agent_id, status, offered_at, started_at, ended_at)
       VALUES ${ph(13, list.length)}
       ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, locale = excluded.locale, agent_id = excluded.agent_id,
         offered_at = excluded.offered_at, started_at = excluded.started_at, ended_at = excluded.ended_at`,
      list.flatMap((r) => [`import:${r.id}`, r.id, 'import', 'import', 1, 'import', r.channel, r.locale, r.agentId, 'complete', r.at, r.at, r.at]),
    );
    const sids = list.map((r) => `import:${r.id}`);
    await tx.runRaw(`DELETE FROM survey_answers WHERE survey_id IN (${sids.map(() => '?').join(',')})`, sids);
    const answers = list.flatMap((r) => r.answers.map((a) => [`import:${r.id}`, a.item, a.kind, a.value, a.text, 'import', r.at]));
    for (let i = 0; i < answers.length; i += 2000) {
      const part = answers.slice(i, i + 2000);
      await tx.runRaw(
        `INSERT INTO survey_answers (survey_id, item_id, kind, value, value_text, input_mode, answered_at) VALUES ${ph(7, part.length)}`,
        part.flat(),
      );
    }
    const withComment = list.filter((r) => r.comment);
    if (withComment.length) {
      const existing = await tx.all<{ id: number; survey_id: string; text: string }>(
        `SELECT id, survey_id, text FROM feedback WHERE survey_id IN (${withComment.map(() => '?').join(',')})`,
        withComment.map((r) => `import:${r.id}`),
      );
      const bySurvey = new Map(existing.map((e) => [e.survey_id, e]));
      for (const r of withComment) {
        const text = redact(r.comment!).text;
        const old = bySurvey.get(`import:${r.id}`);
        if (!old) {
          const ins = await tx.runRaw('INSERT INTO feedback (interaction_id, survey_id, text, language, created_at) VALUES (?, ?, ?, ?, ?)', [
            r.id, `import:${r.id}`, text, r.locale, r.at,
          ]);
          changed.push(ins.lastID);
        } else if (old.text !== text) {
          // new text: the model's tags no longer apply (human labels are kept for the analyst to review)
          await tx.runRaw(
            'UPDATE feedback SET text = ?, language = ?, sentiment = NULL, sentiment_confidence = NULL, model_id = NULL, model_version = NULL, topic_model_id = NULL, topic_model_version = NULL, classified_at = NULL WHERE id = ?',
            [text, r.locale, old.id],
          );
          await tx.runRaw("DELETE FROM feedback_topics WHERE feedback_id = ? AND source = 'model'", [old.id]);
          changed.push(old.id);
        }
      }
    }
  });
  if (opts.onFeedback) for (const id of changed) await opts.onFeedback(id);
  return { feedback: changed.length, rejected };
}

/** Imports a CSV (path or text) of historical survey results. Upserts by interaction_id. */
export async function importCsv(db: Db, source: { path: string } | { text: string }, opts: ImportOptions = {}): Promise<ImportResult> {
  const started = Date.now();
  const batchSize = opts.batchSize ?? 500;
  const keep = opts.maxRejectsKept ?? 1000;
  const parser = new CsvParser();
  const result: ImportResult = { rows: 0, imported: 0, rejected: [], feedback: 0, seconds: 0 };
  let header: Col[] | null = null;
  let index: Partial<Record<Col, number>> = {};
  let batch: ImportRow[] = [];
  let recordNo = 0;
  let bytes = 0;
  let rejectedCount = 0;
  const reject = (row: number, reason: string) => {
    rejectedCount++;
    if (result.rejected.length < keep) result.rejected.push({ row, reason });
  };
  const flush = async () => {
    const w = await writeBatch(db, batch, opts);
    result.feedback += w.feedback;
    result.imported += batch.length - w.rejected.length;
    for (const r of w.rejected) reject(r.row, r.reason);
    batch = [];
  };

  const handle = async (records: string[][]) => {
    for (const rec of records) {
      recordNo++;
      if (!header) {
        const names = rec.map((h) => h.trim().toLowerCase());
        for (const n of names) if (!(IMPORT_COLUMNS as readonly string[]).includes(n)) throw new Error(`header: unknown column "${n}"`);
        for (const req of ['interaction_id', 'timestamp'] as const) if (!names.includes(req)) throw new Error(`header: missing column ${req}`);
        header = names as Col[];
        index = Object.fromEntries(header.map((h, i) => [h, i]));
        continue;
      }
      if (rec.length === 1 && rec[0].trim() === '') continue; // blank line
      result.rows++;
      try {
        if (rec.length !== header.length) throw new Error(`has ${rec.length} fields, the header has ${header.length}`);
        const parsed = parseImportRow((c) => (index[c] === undefined ? '' : rec[index[c]!].trim()));
        parsed.row = recordNo;
        batch.push(parsed);
      } catch (err) {
        reject(recordNo, (err as Error).message);
      }
      if (batch.length >= batchSize) {
        await flush();
        opts.onProgress?.(result.rows, bytes);
      }
    }
  };

  if ('text' in source) await handle([...parser.push(source.text), ...parser.end()]);
  else {
    for await (const chunk of createReadStream(source.path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      bytes += Buffer.byteLength(chunk as string);
      await handle(parser.push(chunk as string));
    }
    await handle(parser.end());
  }
  await flush();
  result.rejected.sort((a, b) => a.row - b.row);
  opts.onProgress?.(result.rows, bytes);
  result.seconds = (Date.now() - started) / 1000;
  if (rejectedCount > result.rejected.length) result.rejected.push({ row: -1, reason: `${rejectedCount - result.rejected.length} more rejected rows not listed` });
  return result;
}
