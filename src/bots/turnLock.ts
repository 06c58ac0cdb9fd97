/** Holds a named lock across every instance sharing the database (Db.withLock). */
export type SharedLock = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/**
 * One turn at a time per conversation: in this process by chaining, and across instances through the
 * optional shared lock (PostgreSQL advisory lock keyed by the conversation), taken only by the turn at the
 * head of this process's queue so one conversation holds at most one lock connection per instance. A proactive turn (the idle or agent-resolved
 * survey) saves dialog state after sending its question; a customer who answers at once must not
 * load the state from before that save, or the answer reaches the main dialog instead of the survey.
 * Not re-entrant: never take it for a conversation from inside that conversation's own turn.
 */
export class TurnLock {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly shared?: SharedLock) {}

  async run<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(conversationId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.tails.set(conversationId, tail);
    await before;
    try {
      return await (this.shared ? this.shared(`turn:${conversationId}`, fn) : fn());
    } finally {
      release();
      // the last one out removes the entry, so the map holds only conversations with a turn running
      if (this.tails.get(conversationId) === tail) this.tails.delete(conversationId);
    }
  }
}
