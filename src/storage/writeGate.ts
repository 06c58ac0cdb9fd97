/**
 * Shared/exclusive gate for one SQLite connection. Single write statements are shared: sqlite3 runs
 * them one at a time on the connection anyway, so making each wait for the previous one's callback
 * only added a round trip per write. A transaction is exclusive: on a single connection a statement
 * issued by another caller during BEGIN..COMMIT would silently join it, so it waits for in-flight
 * writes to finish and holds new ones back. First come, first served, so transactions never starve.
 */
export class WriteGate {
  private shared = 0;
  private exclusive = false;
  private readonly waiters: { exclusive: boolean; enter: () => void }[] = [];

  async run<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    if (this.waiters.length || !this.canEnter(exclusive)) await new Promise<void>((enter) => this.waiters.push({ exclusive, enter }));
    else this.take(exclusive);
    try {
      return await fn();
    } finally {
      if (exclusive) this.exclusive = false;
      else this.shared--;
      while (this.waiters.length && this.canEnter(this.waiters[0].exclusive)) {
        const w = this.waiters.shift()!;
        this.take(w.exclusive);
        w.enter();
      }
    }
  }

  private canEnter(exclusive: boolean): boolean {
    return exclusive ? !this.exclusive && this.shared === 0 : !this.exclusive;
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.exclusive = true;
    else this.shared++;
  }
}
