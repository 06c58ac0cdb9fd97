import type { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../log';
import type { Db } from './db';
import { PgDb } from './pgDb';

/**
 * Live events between instances. Each instance still delivers its own events locally as before; the bus
 * carries them to the *other* instances, so an agent console or a Direct Line socket held by instance B
 * hears what happened on instance A. On SQLite (one process) it carries nothing.
 */
export interface LiveBus {
  publish(topic: string, payload: unknown): void;
  /** Called with events published by other instances; returns an unsubscribe function. */
  subscribe(topic: string, onEvent: (payload: unknown) => void): () => void;
  close(): Promise<void>;
}

export class LocalBus implements LiveBus {
  publish(): void {}
  subscribe(): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {}
}

const CHANNEL = 'live_events';
/** NOTIFY payloads are capped at 8000 bytes; long texts are cut (the stores hold the full record). */
const MAX_PAYLOAD = 7500;

/** LISTEN/NOTIFY on one dedicated connection (not pooled: LISTEN belongs to a session), reconnecting after loss. */
export class PgBus implements LiveBus {
  private readonly origin = randomUUID();
  private readonly handlers = new Map<string, Set<(payload: unknown) => void>>();
  private client?: pg.Client;
  private closed = false;
  private retry?: NodeJS.Timeout;

  private constructor(private readonly config: pg.ClientConfig, private readonly pool: pg.Pool, private readonly log?: Logger) {}

  static async start(config: pg.ClientConfig, pool: pg.Pool, log?: Logger): Promise<PgBus> {
    const bus = new PgBus(config, pool, log);
    await bus.connect();
    return bus;
  }

  private async connect(): Promise<void> {
    const c = new pg.Client(this.config);
    c.on('error', (error) => {
      this.log?.warn('live bus connection lost; reconnecting', { error: String(error) });
      this.reconnect(c);
    });
    c.on('end', () => this.reconnect(c));
    c.on('notification', (n) => this.deliver(n.payload));
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    this.client = c;
  }

  private reconnect(c: pg.Client): void {
    if (this.closed || this.client !== c || this.retry) return;
    this.client = undefined;
    c.end().catch(() => undefined);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().catch(() => this.reconnect(new pg.Client(this.config)));
    }, 1000);
    this.retry.unref();
  }

  private deliver(raw: string | undefined): void {
    let msg: { o: string; t: string; p: unknown };
    try {
      msg = JSON.parse(raw ?? '');
    } catch {
      return;
    }
    if (msg.o === this.origin) return;
    for (const h of this.handlers.get(msg.t) ?? []) {
      try {
        h(msg.p);
      } catch (error) {
        this.log?.warn('live event handler failed', { error: String(error), topic: msg.t });
      }
    }
  }

  publish(topic: string, payload: unknown): void {
    let body = JSON.stringify({ o: this.origin, t: topic, p: payload });
    if (Buffer.byteLength(body) > MAX_PAYLOAD && payload && typeof payload === 'object' && 'text' in payload) {
      const p = payload as { text: string };
      body = JSON.stringify({ o: this.origin, t: topic, p: { ...p, text: p.text.slice(0, 1000) } });
    }
    if (Buffer.byteLength(body) > MAX_PAYLOAD) return this.log?.warn('live event too large to fan out', { topic });
    // through the pool, so a publish never waits for the listening connection
    this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, body]).catch((error) => this.log?.warn('live event publish failed', { error: String(error), topic }));
  }

  subscribe(topic: string, onEvent: (payload: unknown) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(onEvent);
    return () => set!.delete(onEvent);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }
}

/**
 * Carries one EventEmitter event to the other instances and replays theirs locally. Replayed payloads are
 * remembered, so they are not sent back out.
 */
export function bridgeEmitter(emitter: EventEmitter, event: string, bus: LiveBus, topic = event): () => void {
  const replayed = new WeakSet<object>();
  const out = (payload: unknown) => {
    if (payload && typeof payload === 'object' && replayed.has(payload)) return;
    bus.publish(topic, payload);
  };
  emitter.on(event, out);
  const off = bus.subscribe(topic, (payload) => {
    if (payload && typeof payload === 'object') replayed.add(payload);
    emitter.emit(event, payload);
  });
  return () => {
    emitter.off(event, out);
    off();
  };
}

/** The bus for this database: LISTEN/NOTIFY on PostgreSQL, nothing to carry on SQLite. */
export async function openLiveBus(db: Db, log?: Logger): Promise<LiveBus> {
  return db instanceof PgDb ? PgBus.start(db.pool.options as pg.ClientConfig, db.pool, log) : new LocalBus();
}
