import type { Logger } from '../log';

/** Outbound retries and rate of the platform APIs (the CHANNELS_* settings). */
export interface RetrySettings {
  attempts: number;
  baseDelayMs: number;
  /** Overrides each platform's own default rate (requests per second). */
  ratePerSecond?: number;
}

export interface OutboundOptions {
  /** Platform name for logs. */
  name: string;
  log: Logger;
  /** Attempts in all (1 = no retry). */
  attempts: number;
  /** First backoff delay; doubles per attempt, with jitter; a Retry-After is honoured instead. */
  baseDelayMs: number;
  /** Requests per second allowed to this platform. */
  ratePerSecond: number;
  timeoutMs?: number;
  /** Platforms that answer 200 with an error code meaning "retry later" (Telegram 429 body, WeChat -1 system busy). */
  retryAfterFromBody?: (body: any) => number | undefined;
}

export class OutboundError extends Error {
  constructor(readonly status: number, readonly body: unknown, message: string) {
    super(message);
  }
}

/**
 * One HTTP client per platform: JSON in and out, a token bucket for the platform's rate limit, and retry
 * with exponential backoff on 429, 5xx and network errors (never on other 4xx: those would fail again).
 */
export class OutboundClient {
  private tokens: number;
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: OutboundOptions) {
    this.tokens = o.ratePerSecond;
  }

  async request<T = any>(method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.o.attempts; attempt++) {
      await this.take();
      let wait: number | undefined;
      try {
        const r = await fetch(url, {
          method,
          headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
        });
        const text = await r.text();
        let parsed: any = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON: keep the text */
        }
        const bodyRetry = this.o.retryAfterFromBody?.(parsed);
        if (r.ok && bodyRetry === undefined) return parsed as T;
        lastError = new OutboundError(r.status, parsed, `${this.o.name} ${method} ${redactUrl(url)}: ${r.status} ${typeof parsed === 'string' ? parsed.slice(0, 200) : JSON.stringify(parsed)?.slice(0, 200)}`);
        if (!(r.status === 429 || r.status >= 500 || bodyRetry !== undefined)) throw lastError;
        const ra = Number(r.headers.get('retry-after'));
        wait = bodyRetry ?? (Number.isFinite(ra) && ra >= 0 && r.headers.has('retry-after') ? ra * 1000 : undefined);
      } catch (err) {
        if (err instanceof OutboundError && !(err.status === 429 || err.status >= 500 || this.o.retryAfterFromBody?.(err.body) !== undefined)) throw err;
        lastError = err;
      }
      if (attempt === this.o.attempts) break;
      const backoff = wait ?? this.o.baseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
      this.o.log.warn(`${this.o.name}: outbound call failed, retrying`, { attempt, delayMs: Math.round(backoff), error: (lastError as Error)?.message });
      await new Promise((r) => setTimeout(r, Math.min(backoff, 60_000)));
    }
    throw lastError;
  }

  /** Token bucket, callers served in order. */
  private take(): Promise<void> {
    const next = this.chain.then(async () => {
      for (;;) {
        const now = Date.now();
        this.tokens = Math.min(this.o.ratePerSecond, this.tokens + ((now - this.last) / 1000) * this.o.ratePerSecond);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.o.ratePerSecond) * 1000)));
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** Tokens travel in some platforms' URLs (Telegram /bot<token>/, WeChat ?access_token=): never log them. */
export function redactUrl(url: string): string {
  return url.replace(/\/bot[^/]+\//, '/bot***/').replace(/(access_token|secret)=[^&]+/g, '$1=***');
}
