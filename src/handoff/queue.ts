/** Handoff queue in SQLite: complaints first, then longest wait. State lives in the DB so a restart keeps it. */
import type { Db } from '../storage/db.js';

/** `external`: accepted by a channel-side agent hub (`handoff.status` accepted); built-in agents cannot take it. */
export type HandoffStatus = 'queued' | 'assigned' | 'external' | 'resolved' | 'cancelled';
/** Statuses in which a person (or the wait for one) owns the conversation and the bot stays silent. */
export const OPEN_STATUSES = ['queued', 'assigned', 'external'] as const;
/** OPEN_STATUSES as an SQL list, for `status IN (...)`. */
export const OPEN_SQL = OPEN_STATUSES.map((s) => `'${s}'`).join(',');
export interface Handoff {
  id: number; interaction_id: string; reason: string; priority: number; status: HandoffStatus;
  agent_id: string | null; locale: string | null; queued_at: string; accepted_at: string | null;
  first_reply_at: string | null; resolved_at: string | null; transfers: number; agent_seen_at: string | null;
}

const secs = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 1000;

export class HandoffQueue {
  constructor(private readonly db: Db, private readonly now: () => Date = () => new Date()) {}

  /** Queue a request; an open one for the same interaction is reused. */
  async enqueue(interactionId: string, reason: string, locale: string): Promise<Handoff> {
    const open = await this.openFor(interactionId);
    if (open) return open;
    const priority = reason === 'complaint' ? 10 : 0;
    const r = await this.db.run('INSERT INTO handoffs(interaction_id, reason, priority, locale, queued_at) VALUES (?,?,?,?,?)',
      [interactionId, reason, priority, locale, this.now().toISOString()]);
    if (reason === 'complaint') await this.db.run('UPDATE interactions SET complaint = 1 WHERE id = ?', [interactionId]);
    return (await this.get(r.lastID))!;
  }

  get(id: number): Promise<Handoff | undefined> {
    return this.db.get<Handoff>('SELECT * FROM handoffs WHERE id = ?', [id]);
  }

  openFor(interactionId: string): Promise<Handoff | undefined> {
    return this.db.get<Handoff>(`SELECT * FROM handoffs WHERE interaction_id = ? AND status IN (${OPEN_SQL}) ORDER BY id DESC LIMIT 1`, [interactionId]);
  }

  list(): Promise<Handoff[]> {
    return this.db.all<Handoff>("SELECT * FROM handoffs WHERE status = 'queued' ORDER BY priority DESC, queued_at, id");
  }

  /** 1-based position in the queue, 0 when not queued. */
  async position(id: number): Promise<number> {
    const q = await this.list();
    return q.findIndex((h) => h.id === id) + 1;
  }

  /** Atomic: of several agents accepting at once, exactly one gets true. */
  async accept(id: number, agentId: string): Promise<boolean> {
    const t = this.now().toISOString();
    const r = await this.db.run("UPDATE handoffs SET status = 'assigned', agent_id = ?, accepted_at = ?, agent_seen_at = ? WHERE id = ? AND status = 'queued'",
      [agentId, t, t, id]);
    if (r.changes !== 1) return false;
    const h = (await this.get(id))!;
    await this.db.run('UPDATE interactions SET queue_wait_seconds = ? WHERE id = ?', [secs(h.queued_at, t), h.interaction_id]);
    return true;
  }

  /**
   * A channel-side hub accepted the request: out of the built-in queue (no built-in agent can accept
   * it), still open so the bot stays silent. Only from `queued`; the customer's wait is recorded.
   */
  async holdExternally(id: number): Promise<boolean> {
    const t = this.now().toISOString();
    const r = await this.db.run("UPDATE handoffs SET status = 'external', accepted_at = ? WHERE id = ? AND status = 'queued'", [t, id]);
    if (r.changes !== 1) return false;
    const h = (await this.get(id))!;
    await this.db.run('UPDATE interactions SET queue_wait_seconds = ? WHERE id = ?', [secs(h.queued_at, t), h.interaction_id]);
    return true;
  }

  /** Records the first agent reply (enquiry SLA, complaint first-response clock). */
  async agentReplied(id: number): Promise<void> {
    const t = this.now().toISOString();
    const r = await this.db.run('UPDATE handoffs SET first_reply_at = ? WHERE id = ? AND first_reply_at IS NULL', [t, id]);
    if (r.changes !== 1) return;
    const h = (await this.get(id))!;
    await this.db.run(
      'UPDATE interactions SET first_reply_seconds = ?, complaint_first_response_hours = CASE WHEN complaint = 1 THEN ? ELSE complaint_first_response_hours END WHERE id = ?',
      [secs(h.queued_at, t), secs(h.queued_at, t) / 3600, h.interaction_id]);
  }

  async transfer(id: number, from: string, to: string): Promise<boolean> {
    const r = await this.db.run("UPDATE handoffs SET agent_id = ?, transfers = transfers + 1, agent_seen_at = ? WHERE id = ? AND status = 'assigned' AND agent_id = ?",
      [to, this.now().toISOString(), id, from]);
    if (r.changes !== 1) return false;
    const h = (await this.get(id))!;
    await this.db.run('UPDATE interactions SET transfers = transfers + 1 WHERE id = ?', [h.interaction_id]);
    return true;
  }

  async resolve(id: number, agentId: string): Promise<Handoff | undefined> {
    const t = this.now().toISOString();
    const r = await this.db.run("UPDATE handoffs SET status = 'resolved', resolved_at = ? WHERE id = ? AND status = 'assigned' AND agent_id = ?", [t, id, agentId]);
    if (r.changes !== 1) return undefined;
    const h = (await this.get(id))!;
    await this.db.run(
      `UPDATE interactions SET handled_by = 'agent', agent_id = ?, handling_seconds = ?,
         complaint_closed_hours = CASE WHEN complaint = 1 THEN ? ELSE complaint_closed_hours END WHERE id = ?`,
      [agentId, secs(h.accepted_at!, t), secs(h.queued_at, t) / 3600, h.interaction_id]);
    return h;
  }

  async cancel(interactionId: string): Promise<boolean> {
    const r = await this.db.run(`UPDATE handoffs SET status = 'cancelled', resolved_at = ? WHERE interaction_id = ? AND status IN (${OPEN_SQL})`,
      [this.now().toISOString(), interactionId]);
    return r.changes > 0;
  }

  /** Agent heartbeat (any API call, console SSE connection alive): keeps their conversations and counts them online. */
  async seen(agentId: string): Promise<void> {
    const t = this.now().toISOString();
    await this.db.run("UPDATE handoffs SET agent_seen_at = ? WHERE agent_id = ? AND status = 'assigned'", [t, agentId]);
    await this.db.run('INSERT INTO agent_presence(agent_id, seen_at) VALUES (?, ?) ON CONFLICT(agent_id) DO UPDATE SET seen_at = excluded.seen_at', [agentId, t]);
  }

  /** Agents seen (API call or stream heartbeat) within the last timeoutSeconds. */
  async agentsOnline(timeoutSeconds: number): Promise<number> {
    const cutoff = new Date(this.now().getTime() - timeoutSeconds * 1000).toISOString();
    return (await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM agent_presence WHERE seen_at >= ?', [cutoff]))?.n ?? 0;
  }

  /**
   * Conversations of agents silent longer than timeoutSeconds go back to the queue. Returns the
   * requeued handoffs (as queued now) with the agent who lost them. Each row is moved by its own
   * conditional UPDATE, so a heartbeat or resolve in between wins.
   */
  async requeueStale(timeoutSeconds: number): Promise<(Handoff & { previous_agent_id: string })[]> {
    const cutoff = new Date(this.now().getTime() - timeoutSeconds * 1000).toISOString();
    const stale = await this.db.all<Handoff>("SELECT * FROM handoffs WHERE status = 'assigned' AND agent_seen_at < ? ORDER BY id", [cutoff]);
    const out: (Handoff & { previous_agent_id: string })[] = [];
    for (const h of stale) {
      const r = await this.db.run(
        "UPDATE handoffs SET status = 'queued', agent_id = NULL, accepted_at = NULL WHERE id = ? AND status = 'assigned' AND agent_id = ? AND agent_seen_at < ?",
        [h.id, h.agent_id, cutoff],
      );
      if (r.changes === 1) out.push({ ...(await this.get(h.id))!, previous_agent_id: h.agent_id! });
    }
    return out;
  }
}
