/**
 * Failed-login limits: an (address, user) pair is locked after `perUser` failures, and an address
 * after `perAddress` failures across any user names (password spraying), each for `lockMs`. The pair
 * limit is the strict one, so one user's failures never lock out others behind the same address.
 * Entries expire with their window and the map is capped, so a flood of names cannot grow memory.
 */
export interface LoginLimits {
  perUser: number;
  perAddress: number;
  lockMs: number;
  maxEntries: number;
}

// The per-address limit is the softer one: many people can share an address (a proxy, an office).
const DEFAULTS: LoginLimits = { perUser: 5, perAddress: 50, lockMs: 15 * 60 * 1000, maxEntries: 10_000 };

type Entry = { n: number; first: number; until: number };

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly limits: LoginLimits;

  constructor(limits: Partial<LoginLimits> = {}, private readonly now: () => number = Date.now) {
    this.limits = { ...DEFAULTS, ...limits };
  }

  /** True while this address, or this address and user, is locked out. */
  locked(address: string, user: string): boolean {
    return this.lockedFor(address, user) > 0;
  }

  /** Seconds until this address and user may try again (0: now). */
  lockedFor(address: string, user: string): number {
    const t = this.now();
    const until = Math.max(0, ...[this.get(`a|${address}`, t), this.get(`u|${address}|${user}`, t)].map((e) => e?.until ?? 0));
    return until > t ? Math.ceil((until - t) / 1000) : 0;
  }

  fail(address: string, user: string): void {
    const t = this.now();
    this.bump(`a|${address}`, this.limits.perAddress, t);
    this.bump(`u|${address}|${user}`, this.limits.perUser, t);
  }

  /** A successful login clears the pair's count (not the address's, which counts other names too). */
  succeed(address: string, user: string): void {
    this.entries.delete(`u|${address}|${user}`);
  }

  get size(): number {
    return this.entries.size;
  }

  private get(key: string, t: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && e.until <= t && t - e.first > this.limits.lockMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private bump(key: string, max: number, t: number): void {
    const e = this.get(key, t) ?? { n: 0, first: t, until: 0 };
    e.n += 1;
    if (e.n >= max) e.until = t + this.limits.lockMs;
    this.entries.delete(key); // re-insert: the map's order is then oldest-touched first
    this.entries.set(key, e);
    while (this.entries.size > this.limits.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
