/** An agent talking to /api/agent/* over real HTTP with a bearer session. */
export class Agent {
  token = '';
  constructor(private readonly base: () => string, readonly id: string, private readonly password = 'agent-demo') {}

  async login(): Promise<this> {
    const r = await fetch(`${this.base()}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: this.id, password: this.password }) });
    if (r.status !== 200) throw new Error(`login ${this.id}: ${r.status}`);
    this.token = ((await r.json()) as { token: string }).token;
    return this;
  }

  fetch(path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.base()}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async json<T = any>(path: string, body?: unknown): Promise<T> {
    const r = await this.fetch(path, body);
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  }

  /** Opens the event stream; events() returns what arrived so far. */
  async stream(): Promise<{ events: () => { event: string; data: any }[]; waitFor: (pred: (e: { event: string; data: any }) => boolean, ms?: number) => Promise<{ event: string; data: any }>; close: () => void }> {
    const ac = new AbortController();
    const r = await fetch(`${this.base()}/api/agent/events`, { headers: { authorization: `Bearer ${this.token}` }, signal: ac.signal });
    if (r.status !== 200) throw new Error(`events: ${r.status}`);
    const got: { event: string; data: any }[] = [];
    let buf = '';
    void (async () => {
      const dec = new TextDecoder();
      try {
        for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
          buf += dec.decode(chunk, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (ev) got.push({ event: ev, data: data ? JSON.parse(data) : null });
          }
        }
      } catch {
        /* aborted */
      }
    })();
    const waitFor = async (pred: (e: { event: string; data: any }) => boolean, ms = 5000) => {
      const end = Date.now() + ms;
      for (;;) {
        const e = got.find(pred);
        if (e) return e;
        if (Date.now() > end) throw new Error(`no matching event; got ${JSON.stringify(got)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    return { events: () => got, waitFor, close: () => ac.abort() };
  }
}
