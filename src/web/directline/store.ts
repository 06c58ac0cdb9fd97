import { randomBytes } from 'node:crypto';
import { mapStrings, redact } from '../../nlp/redact';
import type { Db } from '../../storage/db';

export interface DlConversation {
  id: string;
  user_id: string;
  locale: string | null;
  created_at: string;
  last_seq: number;
}

export type StoredActivity = Record<string, any> & { id: string };

/**
 * The copy of an activity that is written to `directline_activities` (and replayed on reconnect/reload):
 * a customer's (any non-bot sender's) `text` and the strings of a card submission (`value`) pass through
 * `redact()`. Bot activities are stored as sent (knowledge-base answers carry the service's own phone
 * numbers and addresses). channelData is left alone: it holds the client activity id replays are matched on.
 */
export function storedCopy(activity: Record<string, any>): Record<string, any> {
  if (activity.from?.role === 'bot') return activity;
  const out = { ...activity };
  if (typeof out.text === 'string') out.text = redact(out.text).text;
  if (out.value !== undefined) out.value = mapStrings(out.value, (x) => redact(x).text);
  return out;
}

/** Direct Line history in SQLite. The watermark of an activity is its seq in the conversation. */
export class DirectLineStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The configured secret, or one generated once and kept in the database. */
  async secret(configured?: string): Promise<string> {
    if (configured) return configured;
    const row = await this.db.get<{ value: string }>("SELECT value FROM directline_settings WHERE key = 'generated_secret'");
    if (row) return row.value;
    const value = randomBytes(32).toString('base64url');
    await this.db.run("INSERT OR IGNORE INTO directline_settings(key, value) VALUES ('generated_secret', ?)", [value]);
    return (await this.db.get<{ value: string }>("SELECT value FROM directline_settings WHERE key = 'generated_secret'"))!.value;
  }

  get(id: string): Promise<DlConversation | undefined> {
    return this.db.get<DlConversation>('SELECT * FROM directline_conversations WHERE id = ?', [id]);
  }

  /** Creates the conversation if new; returns whether it was created. */
  async create(id: string, userId: string, locale?: string): Promise<boolean> {
    const r = await this.db.run('INSERT OR IGNORE INTO directline_conversations(id, user_id, locale, created_at) VALUES (?, ?, ?, ?)', [
      id,
      userId,
      locale ?? null,
      this.now().toISOString(),
    ]);
    return r.changes === 1;
  }

  /**
   * Appends an activity; returns it with its id (`conversationId|seq`) and its watermark.
   * What is written is `storedCopy(activity)` (customer text redacted); the activity returned is the
   * original, so the bot's turn sees what the customer typed. A duplicate returns the stored (redacted) copy.
   * With a client activity id (the caller keeps it in channelData.clientActivityID), a replay of an id already
   * in the conversation returns the stored activity with `duplicate: true` instead of appending a second copy;
   * the check runs inside the write transaction so concurrent replays cannot both append.
   */
  async append(
    conversationId: string,
    activity: Record<string, any>,
    clientId?: string,
  ): Promise<{ activity: StoredActivity; watermark: number; duplicate?: boolean }> {
    const { id: _drop, ...rest } = activity;
    const at = this.now().toISOString();
    let earlier: { seq: number; activity: string } | undefined;
    const seq = await this.db.transaction(async (tx) => {
      if (clientId !== undefined) {
        earlier = await tx.get<{ seq: number; activity: string }>(
          "SELECT seq, activity FROM directline_activities WHERE conversation_id = ? AND json_extract(activity, '$.channelData.clientActivityID') = ? LIMIT 1",
          [conversationId, clientId],
        );
        if (earlier) return earlier.seq;
      }
      const r = await tx.runRaw('UPDATE directline_conversations SET last_seq = last_seq + 1 WHERE id = ?', [conversationId]);
      if (r.changes !== 1) throw new Error(`unknown Direct Line conversation ${conversationId}`);
      const row = await tx.get<{ last_seq: number }>('SELECT last_seq FROM directline_conversations WHERE id = ?', [conversationId]);
      const stored = storedCopy({ ...rest, timestamp: rest.timestamp ?? at });
      await tx.runRaw('INSERT INTO directline_activities(conversation_id, seq, activity, created_at) VALUES (?, ?, ?, ?)', [
        conversationId,
        row!.last_seq,
        JSON.stringify(stored),
        at,
      ]);
      return row!.last_seq;
    });
    if (earlier) return { activity: this.withId(conversationId, seq, JSON.parse(earlier.activity)), watermark: seq, duplicate: true };
    return { activity: this.withId(conversationId, seq, { ...rest, timestamp: rest.timestamp ?? at }), watermark: seq };
  }

  /** Activities after the watermark, oldest first, at most `limit`. */
  async after(conversationId: string, watermark: number, limit: number): Promise<{ activities: StoredActivity[]; watermark: number }> {
    const rows = await this.db.all<{ seq: number; activity: string }>(
      'SELECT seq, activity FROM directline_activities WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      [conversationId, watermark, limit],
    );
    return {
      activities: rows.map((r) => this.withId(conversationId, r.seq, JSON.parse(r.activity))),
      watermark: rows.length ? rows[rows.length - 1].seq : watermark,
    };
  }

  private withId(conversationId: string, seq: number, a: Record<string, any>): StoredActivity {
    return { ...a, id: `${conversationId}|${String(seq).padStart(7, '0')}` };
  }
}
