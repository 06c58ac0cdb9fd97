/** Handoff queue in SQLite: complaints first, then longest wait. State lives in the DB so a restart keeps it. */
import type { Db } from '../storage/db.js';

export type HandoffStatus = 'queued' | 'assigned' | 'resolved' | 'cancelled';
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
    return this.db.get<Handoff>("SELECT * FROM handoffs WHERE interaction_id = ? AND status IN ('queued','assigned') ORDER BY id DESC LIMIT 1", [interactionId]);
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
    const r = await this.db.run("UPDATE handoffs SET status = 'cancelled', resolved_at = ? WHERE interaction_id = ? AND status IN ('queued','assigned')",
      [this.now().toISOString(), interactionId]);
    return r.changes > 0;
  }

  /** Agent heartbeat (console SSE connection alive). */
  async seen(agentId: string): Promise<void> {
    await this.db.run("UPDATE handoffs SET agent_seen_at = ? WHERE agent_id = ? AND status = 'assigned'", [this.now().toISOString(), agentId]);
  }

  /** Conversations of agents silent longer than timeoutSeconds go back to the queue. */
  async requeueStale(timeoutSeconds: number): Promise<number> {
    const cutoff = new Date(this.now().getTime() - timeoutSeconds * 1000).toISOString();
    const r = await this.db.run("UPDATE handoffs SET status = 'queued', agent_id = NULL, accepted_at = NULL WHERE status = 'assigned' AND agent_seen_at < ?", [cutoff]);
    return r.changes;
  }
}
