/**
 * Per-address token bucket: `burst` requests at once, refilled at `perMinute`. Used for what creates
 * rows for anyone who asks (chat tokens, Direct Line conversations). The map is capped, oldest first.
 */
export interface RateLimits {
  perMinute: number;
  burst: number;
  maxEntries?: number;
}

type Bucket = { tokens: number; at: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limits: RateLimits, private readonly now: () => number = Date.now) {}

  /** Takes one request for this address: 0 when allowed, else the seconds until the next one is. */
  take(address: string): number {
    const t = this.now();
    const rate = this.limits.perMinute / 60_000;
    const b = this.buckets.get(address) ?? { tokens: this.limits.burst, at: t };
    b.tokens = Math.min(this.limits.burst, b.tokens + (t - b.at) * rate);
    b.at = t;
    this.buckets.delete(address); // re-insert: the map's order is then oldest-touched first
    this.buckets.set(address, b);
    const max = this.limits.maxEntries ?? 10_000;
    while (this.buckets.size > max) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
  }
}
