/**
 * Runs the turns of each conversation one after another, in arrival order, as a channel delivers them; a failed
 * turn does not stop the next. Used by the self-hosted channels (Direct Line, messaging apps), which feed the bot
 * themselves. Separate from TurnLock, which the bot takes inside each turn (it is not re-entrant).
 */
export class TurnQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(conversationId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(conversationId, tail);
    void tail.then(() => {
      if (this.tails.get(conversationId) === tail) this.tails.delete(conversationId);
    });
    return next;
  }

  /** Settles when the conversation's queued turns are done (at once when none are). */
  settled(conversationId: string): Promise<unknown> {
    return this.tails.get(conversationId) ?? Promise.resolve();
  }

  /** Settles when every queued turn is done, or after `timeoutMs` (shutdown does not wait for ever). */
  drain(timeoutMs: number): Promise<unknown> {
    return Promise.race([Promise.allSettled([...this.tails.values()]), new Promise((r) => setTimeout(r, timeoutMs))]);
  }
}
