import type { Db } from '../storage/db';
import type { ChannelId, InboundEvent } from './types';

/** The channel_* tables (migration 020): taken events, service windows, button ids. */
export class ChannelStore {
  constructor(private readonly db: Db, private readonly now: () => Date = () => new Date()) {}

  /**
   * Records an event before it is acknowledged; false when the platform redelivers one already taken.
   * The payload stays until processed, so an acknowledged event survives a crash (see pending()).
   */
  async take(channel: ChannelId, e: InboundEvent): Promise<boolean> {
    const r = await this.db.run('INSERT OR IGNORE INTO channel_events(channel, event_id, received_at, payload) VALUES (?, ?, ?, ?)', [
      channel, e.eventId, this.now().toISOString(), JSON.stringify(e),
    ]);
    return r.changes === 1;
  }

  async done(channel: ChannelId, eventId: string): Promise<void> {
    await this.db.run('UPDATE channel_events SET processed_at = ?, payload = NULL WHERE channel = ? AND event_id = ?', [this.now().toISOString(), channel, eventId]);
  }

  /** Events acknowledged but not processed (the process stopped in between), oldest first. */
  async pending(channel: ChannelId): Promise<InboundEvent[]> {
    const rows = await this.db.all<{ payload: string }>(
      'SELECT payload FROM channel_events WHERE channel = ? AND processed_at IS NULL AND payload IS NOT NULL ORDER BY received_at, rowid',
      [channel],
    );
    return rows.map((r) => JSON.parse(r.payload) as InboundEvent);
  }

  /** The customer wrote: their service window (re)opens and its message count restarts. */
  async inbound(channel: ChannelId, conversationId: string, at: Date): Promise<void> {
    await this.db.run(
      `INSERT INTO channel_windows(channel, conversation_id, last_inbound_at, sent_since_inbound) VALUES (?, ?, ?, 0)
       ON CONFLICT(channel, conversation_id) DO UPDATE SET last_inbound_at = excluded.last_inbound_at, sent_since_inbound = 0
       WHERE excluded.last_inbound_at >= channel_windows.last_inbound_at`,
      [channel, conversationId, at.toISOString()],
    );
  }

  async window(channel: ChannelId, conversationId: string): Promise<{ lastInboundAt: Date; sent: number } | undefined> {
    const r = await this.db.get<{ last_inbound_at: string; sent_since_inbound: number }>(
      'SELECT last_inbound_at, sent_since_inbound FROM channel_windows WHERE channel = ? AND conversation_id = ?',
      [channel, conversationId],
    );
    return r && { lastInboundAt: new Date(r.last_inbound_at), sent: r.sent_since_inbound };
  }

  async sent(channel: ChannelId, conversationId: string, n: number): Promise<void> {
    await this.db.run('UPDATE channel_windows SET sent_since_inbound = sent_since_inbound + ? WHERE channel = ? AND conversation_id = ?', [n, channel, conversationId]);
  }

  /** Short ids for native buttons (Telegram callback_data holds 64 bytes; a KB question may not fit). */
  async choice(channel: ChannelId, conversationId: string, title: string, value: unknown): Promise<string> {
    const r = await this.db.run('INSERT INTO channel_choices(channel, conversation_id, title, value, created_at) VALUES (?, ?, ?, ?, ?)', [
      channel, conversationId, title, JSON.stringify(value), this.now().toISOString(),
    ]);
    return String(r.lastID);
  }

  /** A tapped button: only this conversation's own ids resolve. */
  async resolveChoice(channel: ChannelId, conversationId: string, id: string): Promise<{ title: string; value: unknown } | undefined> {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const r = await this.db.get<{ title: string; value: string }>('SELECT title, value FROM channel_choices WHERE id = ? AND channel = ? AND conversation_id = ?', [
      Number(id), channel, conversationId,
    ]);
    return r && { title: r.title, value: JSON.parse(r.value) };
  }

  /** Old processed events and button ids go (redeliveries come within minutes; a button older than this is stale). */
  async prune(days: number): Promise<void> {
    const cutoff = new Date(this.now().getTime() - days * 86400_000).toISOString();
    await this.db.run('DELETE FROM channel_events WHERE processed_at IS NOT NULL AND received_at < ?', [cutoff]);
    await this.db.run('DELETE FROM channel_choices WHERE created_at < ?', [cutoff]);
  }
}

export async function connectorKey(db: Db): Promise<string> {
  const { randomBytes } = await import('node:crypto');
  await db.run('INSERT OR IGNORE INTO channel_keys(name, value) VALUES (?, ?)', ['connector', randomBytes(24).toString('base64url')]);
  return (await db.get<{ value: string }>('SELECT value FROM channel_keys WHERE name = ?', ['connector']))!.value;
}
