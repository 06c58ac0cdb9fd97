/**
 * One turn at a time per conversation in this process. A proactive turn (the idle or agent-resolved
 * survey) saves dialog state after sending its question; a customer who answers at once must not
 * load the state from before that save, or the answer reaches the main dialog instead of the survey.
 * Not re-entrant: never take it for a conversation from inside that conversation's own turn.
 */
export class TurnLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(conversationId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.tails.set(conversationId, tail);
    await before;
    try {
      return await fn();
    } finally {
      release();
      // the last one out removes the entry, so the map holds only conversations with a turn running
      if (this.tails.get(conversationId) === tail) this.tails.delete(conversationId);
    }
  }
}
