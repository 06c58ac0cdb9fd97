import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface CapturedActivity {
  type: string;
  text?: string;
  locale?: string;
  attachments?: { contentType: string; content: any }[];
  suggestedActions?: { actions: { title?: string; value?: unknown }[] };
  conversation?: { id: string };
  replyToId?: string;
  [k: string]: unknown;
}

/**
 * A recording Bot Framework channel on 127.0.0.1: the bot's replies are POSTed here
 * (activity.serviceUrl), exactly as the Emulator receives them.
 */
export class RecordingChannel {
  readonly activities: CapturedActivity[] = [];
  private server?: Server;
  url = '';
  private waiters: (() => void)[] = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.method === 'POST' && /\/v3\/conversations\/[^/]+\/activities/.test(req.url ?? '')) {
          try {
            this.activities.push(JSON.parse(body));
          } catch {
            /* ignore non-JSON */
          }
          this.waiters.splice(0).forEach((w) => w());
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: randomUUID() }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this;
  }

  forConversation(conversationId: string): CapturedActivity[] {
    return this.activities.filter((a) => a.conversation?.id === conversationId);
  }

  /** Wait until the conversation has at least n captured activities (for proactive messages). */
  async waitFor(conversationId: string, n: number, timeoutMs = 10_000): Promise<CapturedActivity[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.forConversation(conversationId).length < n) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} activities in ${conversationId}, have ${this.forConversation(conversationId).length}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return this.forConversation(conversationId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** One simulated customer talking to the bot over real HTTP. */
export class Customer {
  readonly conversationId: string;
  private seen = 0;
  private seq = 0;

  constructor(
    private readonly botUrl: string,
    private readonly channel: RecordingChannel,
    readonly opts: { userId?: string; locale?: string; channelId?: string; conversationId?: string } = {},
  ) {
    this.conversationId = opts.conversationId ?? `conv-${randomUUID()}`;
  }

  activity(extra: Record<string, unknown>): Record<string, unknown> {
    return {
      type: 'message',
      id: `act-${this.conversationId}-${++this.seq}-${randomUUID().slice(0, 8)}`,
      channelId: this.opts.channelId ?? 'emulator',
      serviceUrl: this.channel.url,
      timestamp: new Date().toISOString(),
      from: { id: this.opts.userId ?? `user-${this.conversationId}`, name: 'Customer', role: 'user' },
      recipient: { id: 'bot', name: 'Bot', role: 'bot' },
      conversation: { id: this.conversationId },
      locale: this.opts.locale,
      ...extra,
    };
  }

  async post(activity: Record<string, unknown>): Promise<Response> {
    return fetch(`${this.botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
  }

  /** Send a message (text and/or card value) and return the bot's replies to it. */
  async say(text?: string, extra: Record<string, unknown> = {}): Promise<CapturedActivity[]> {
    const res = await this.post(this.activity({ text, ...extra }));
    if (res.status >= 300) throw new Error(`bot answered ${res.status}: ${await res.text()}`);
    return this.newReplies();
  }

  async join(): Promise<CapturedActivity[]> {
    const res = await this.post(
      this.activity({ type: 'conversationUpdate', membersAdded: [{ id: this.opts.userId ?? `user-${this.conversationId}` }], text: undefined }),
    );
    if (res.status >= 300) throw new Error(`bot answered ${res.status}`);
    return this.newReplies();
  }

  newReplies(): CapturedActivity[] {
    const all = this.channel.forConversation(this.conversationId);
    const out = all.slice(this.seen);
    this.seen = all.length;
    return out;
  }

  texts(replies: CapturedActivity[]): string {
    return replies.map((r) => r.text ?? '').join('\n');
  }
}
