import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importCsv, IMPORT_COLUMNS } from '../src/indicators/importCsv';
import { Db } from '../src/storage/db';

const HEADER = IMPORT_COLUMNS.join(',');
const row = (o: Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>) =>
  IMPORT_COLUMNS.map((c) => {
    const v = o[c] ?? '';
    return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }).join(',');
const good = { interaction_id: 'ok-1', timestamp: '2026-01-05T10:00:00Z', channel: 'phone', handled_by: 'agent', csat: '4', nps: '9', resolved: 'yes', complaint: '0' };

async function counts(db: Db) {
  const out: Record<string, number> = {};
  for (const t of ['interactions', 'surveys', 'survey_answers', 'feedback']) out[t] = (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n;
  return out;
}

describe('CSV import rejects bad rows by number and reason, keeps good ones', () => {
  const bad: [string, Record<string, string>, RegExp][] = [
    ['negative rating', { csat: '-1' }, /csat/],
    ['NaN rating', { nps: 'NaN' }, /nps/],
    ['rating out of range', { ces: '8' }, /ces/],
    ['fractional NPS', { nps: '7.5' }, /nps/],
    ['unparseable date', { timestamp: 'yesterday' }, /timestamp/],
    ['impossible date', { timestamp: '2026-02-31T00:00:00Z' }, /timestamp/],
    ['unknown handled_by', { handled_by: 'robot' }, /handled_by/],
    ['unknown resolved', { resolved: 'maybe' }, /resolved/],
    ['complaint not 0/1', { complaint: 'yes' }, /complaint/],
    ['missing interaction id', { interaction_id: '' }, /interaction_id/],
    ['unknown locale', { locale: 'kl-KL' }, /locale/],
  ];
  it.each(bad)('%s', async (_name, patch, reason) => {
    const db = await Db.open(':memory:');
    const text = [HEADER, row(good), row({ ...good, interaction_id: 'bad-1', ...patch })].join('\n');
    const r = await importCsv(db, { text });
    expect(r.imported).toBe(1);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0].row).toBe(3);
    expect(r.rejected[0].reason).toMatch(reason);
    await db.close();
  });

  it('stores SQL and HTML in comments as inert, redacted text', async () => {
    const db = await Db.open(':memory:');
    const comment = "'); DROP TABLE interactions; -- <script>alert(1)</script> call 13812345678";
    await importCsv(db, { text: [HEADER, row({ ...good, comment })].join('\n') });
    const fb = await db.get<{ text: string }>('SELECT text FROM feedback');
    expect(fb!.text).toBe("'); DROP TABLE interactions; -- <script>alert(1)</script> call [PHONE]");
    expect((await counts(db)).interactions).toBe(1);
    await db.close();
  });
});

describe('CSV import under random input (property-based)', () => {
  it('never throws on arbitrary bytes and never stores a row it rejected', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), async (junk) => {
        const db = await Db.open(':memory:');
        try {
          const r = await importCsv(db, { text: `${HEADER}\n${junk}` }).catch((e: Error) => ({ error: e }));
          const c = await counts(db);
          if ('error' in r) {
            // A structurally broken file (e.g. unterminated quote) is refused as a whole, with a message.
            expect(r.error.message.length).toBeGreaterThan(0);
            expect(c.interactions).toBe(0);
          } else {
            expect(c.interactions).toBe(r.imported);
            expect(r.imported + r.rejected.length).toBe(r.rows);
          }
        } finally {
          await db.close();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps every valid generated row and rejects every out-of-range one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ csat: fc.integer({ min: -3, max: 8 }), nps: fc.integer({ min: -2, max: 12 }), comment: fc.string({ maxLength: 40 }) }), { minLength: 1, maxLength: 20 }),
        async (rows) => {
          const db = await Db.open(':memory:');
          const lines = rows.map((r, i) => row({ ...good, interaction_id: `p-${i}`, csat: String(r.csat), nps: String(r.nps), comment: r.comment }));
          const res = await importCsv(db, { text: [HEADER, ...lines].join('\n') });
          const valid = rows.filter((r) => r.csat >= 1 && r.csat <= 5 && r.nps >= 0 && r.nps <= 10).length;
          expect(res.imported).toBe(valid);
          expect((await counts(db)).interactions).toBe(valid);
          // re-import is idempotent
          await importCsv(db, { text: [HEADER, ...lines].join('\n') });
          expect((await counts(db)).interactions).toBe(valid);
          await db.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});
