import { gzipSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { httpRequest, rawRequest } from './helpers/rawHttp';

// Issue 12: each request that ended the process (or misbehaved) on 2026-12-01, as a regression test.
// After every case the same process must still answer /healthz.
let bot: TestBot;
let sink: Server;
let sinkHits = 0;
let sinkPort = 0;
const SECRET = 'robustness-secret-0123456789';

beforeAll(async () => {
  // A local server standing in for a host that is NOT in ALLOWED_SERVICE_URL_HOSTS (localhost only here).
  sink = createServer((_req, res) => {
    sinkHits++;
    res.end('{}');
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkPort = (sink.address() as { port: number }).port;
  bot = await startTestBot({ ANALYST_API_TOKEN: 'analyst-token', DIRECTLINE_SECRET: SECRET, MAX_BODY_BYTES: String(256 * 1024) });
});
afterAll(async () => {
  await bot?.stop();
  await new Promise((r) => sink.close(r));
});

const port = () => bot.app.port;
async function alive(): Promise<void> {
  const r = await fetch(`${bot.app.url}/healthz`);
  expect(r.status).toBe(200);
  expect((await r.json()).status).toBe('ok');
}

function activity(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message', id: `a-${Math.random()}`, channelId: 'emulator', text: 'hello', locale: 'en-US',
    from: { id: 'u-robust' }, recipient: { id: 'bot' }, conversation: { id: `c-${Math.random()}` }, serviceUrl: 'http://127.0.0.1:9', ...over,
  };
}

describe('requests that ended the process now get a clean 4xx', () => {
  it.each([
    ['agent_session=%', '/api/agent/queue'],
    ['analyst_session=%zz', '/api/analyst/meta'],
    ['analyst_session=%E0%A4%A', '/api/analyst/me'],
  ])('cookie %s on %s → 400', async (cookie, path) => {
    const r = await rawRequest(port(), httpRequest('GET', path, { Cookie: cookie }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(/cookie .* not valid percent-encoding/);
    await alive();
  });

  it('a malformed cookie on a POST with a body (logout) → 400', async () => {
    const r = await rawRequest(port(), httpRequest('POST', '/api/agent/logout', { Cookie: 'agent_session=%', 'Content-Type': 'application/json' }, '{}'));
    expect(r.status).toBe(400);
    await alive();
  });

  it.each(['/directline/v3/directline/conversations/%25zz%/stream', '/directline/v3/directline/conversations/%/stream', '/directline/v3/directline/conversations/%E0%A4%A/stream'])(
    'WebSocket upgrade to %s → 400, socket closed',
    async (path) => {
      const r = await rawRequest(port(), httpRequest('GET', path, { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' }));
      expect(r.status).toBe(400);
      await alive();
    },
  );

  it('a WebSocket upgrade to a path nobody serves → 404 (not left hanging)', async () => {
    const r = await rawRequest(port(), httpRequest('GET', '/nowhere', { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' }), 3000);
    expect(r.status).toBe(404);
    await alive();
  });

  it('an upgrade whose client resets the socket at once does not end the process', async () => {
    const { connect } = await import('node:net');
    for (let i = 0; i < 5; i++) {
      const s = connect(port(), '127.0.0.1');
      s.on('error', () => undefined);
      s.write(httpRequest('GET', '/directline/v3/directline/conversations/x/stream?t=bad', { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' }));
      s.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 200));
    await alive();
  });

  it.each(['/api/messages', '/api/agent/login', '/api/analyst/login', '/directline/v3/directline/conversations', '/chat/token', '/api/indicators'])(
    'content-encoding gzip that is not gzip on %s → 400',
    async (path) => {
      const r = await rawRequest(port(), httpRequest('POST', path, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Authorization: `Bearer ${SECRET}` }, 'this is not gzip'));
      expect([400, 401, 404, 405]).toContain(r.status);
      if (path !== '/api/indicators') expect(r.status).toBe(400);
      await alive();
    },
  );

  it('a real gzip body over the limit (before or after inflating) → 413', async () => {
    const big = gzipSync(Buffer.from(JSON.stringify(activity({ text: 'x', junk: 'refund please '.repeat(30_000) }))));
    const noise = gzipSync(Buffer.from(Array.from({ length: 600_000 }, () => Math.random().toString(36)[2]).join('')));
    expect(big.length).toBeLessThan(256 * 1024);
    expect(noise.length).toBeGreaterThan(256 * 1024);
    for (const body of [big, noise]) {
      const r = await rawRequest(port(), httpRequest('POST', '/api/messages', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body));
      expect([413]).toContain(r.status);
    }
    await alive();
  });
});

describe('body limits hold after decompression', () => {
  it('a small gzip body that inflates to 100 MB is refused with 413, quickly', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"type":"message","text":"'), Buffer.alloc(100 * 1024 * 1024, 'a'), Buffer.from('"}')]));
    expect(bomb.length).toBeLessThan(256 * 1024);
    const t0 = Date.now();
    const r = await rawRequest(port(), httpRequest('POST', '/api/messages', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, bomb), 10_000);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error).toMatch(/after decompression/);
    expect(Date.now() - t0).toBeLessThan(5000);
    await alive();
  });

  it.each(['compress', 'zstd', 'gzip, gzip', 'x-unknown'])('content-encoding %s → 415', async (enc) => {
    const r = await rawRequest(port(), httpRequest('POST', '/api/messages', { 'Content-Type': 'application/json', 'Content-Encoding': enc }, '{}'));
    expect(r.status).toBe(415);
    await alive();
  });

  it('a valid gzip or deflate activity is accepted like a plain one', async () => {
    const { deflateSync } = await import('node:zlib');
    for (const [enc, fn] of [['gzip', gzipSync], ['deflate', deflateSync]] as const) {
      const body = fn(Buffer.from(JSON.stringify(activity({ type: 'typing', serviceUrl: 'http://localhost:9' }))));
      const r = await rawRequest(port(), httpRequest('POST', '/api/messages', { 'Content-Type': 'application/json', 'Content-Encoding': enc }, body));
      expect(r.status).toBe(200);
    }
  });

  it('the same limit applies on every route (a 300 KB JSON body → 413)', async () => {
    const body = JSON.stringify({ username: 'x'.repeat(300 * 1024) });
    for (const path of ['/api/agent/login', '/api/analyst/login', '/directline/v3/directline/conversations', '/chat/token']) {
      const r = await rawRequest(port(), httpRequest('POST', path, { 'Content-Type': 'application/json', Authorization: `Bearer ${SECRET}` }, body));
      expect(r.status, path).toBe(413);
    }
    await alive();
  });
});

describe('activity validation names the field', () => {
  it.each([
    ['channelId as an object', { channelId: { a: 1 } }, 'channelId'],
    ['missing channelId', { channelId: undefined }, 'channelId'],
    ['from.id as an object', { from: { id: { a: 1 } } }, 'from.id'],
    ['missing from', { from: undefined }, 'from'],
    ['id as an object', { id: { a: 1 } }, 'activity.id'],
    ['missing id on a message', { id: undefined }, 'activity.id'],
    ['locale as a number', { locale: 42 }, 'locale'],
    ['conversation.id as a number', { conversation: { id: 7 } }, 'conversation.id'],
    ['type as an array', { type: ['message'] }, 'type'],
    ['serviceUrl as an object', { serviceUrl: { href: 'http://127.0.0.1' } }, 'serviceUrl'],
    ['timestamp not a date', { timestamp: 'yesterday' }, 'timestamp'],
    ['membersAdded not a list', { type: 'conversationUpdate', membersAdded: 'all' }, 'membersAdded'],
  ])('%s → 400', async (_name, over, field) => {
    const r = await fetch(`${bot.app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity(over)) });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toContain(field);
  });

  it('an activity nested 10,000 levels deep → 400 (storing it would overflow the stack)', async () => {
    const head = JSON.stringify(activity()).slice(0, -1);
    const body = `${head},"value":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const r = await fetch(`${bot.app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toMatch(/nested deeper/);
  });

  it.each(['/agent/assets/constructor', '/analyst/assets/toString', '/agent/assets/__proto__', '/analyst/assets/hasOwnProperty', '/agent/assets/..%2Fapp.js'])('%s → 404', async (path) => {
    const r = await fetch(`${bot.app.url}${path}`);
    expect(r.status).toBe(404);
  });
});

describe('anonymous mode posts only to allowed hosts', () => {
  it('a serviceUrl on a host not in ALLOWED_SERVICE_URL_HOSTS → 403, and nothing is sent there', async () => {
    const tb = await startTestBot({ ALLOWED_SERVICE_URL_HOSTS: 'localhost' });
    try {
      const before = sinkHits;
      const t0 = Date.now();
      const r = await fetch(`${tb.app.url}/api/messages`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity({ serviceUrl: `http://127.0.0.1:${sinkPort}` })),
      });
      expect(r.status).toBe(403);
      expect((await r.json()).error).toMatch(/ALLOWED_SERVICE_URL_HOSTS/);
      expect(Date.now() - t0).toBeLessThan(2000);
      for (const url of ['http://10.0.0.1:1', 'http://169.254.169.254/latest', 'http://[::ffff:127.0.0.1]:1', 'http://127.1:1', 'http://localhost.evil.example:1']) {
        const x = await fetch(`${tb.app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity({ serviceUrl: url })) });
        expect(x.status, url).toBe(403);
      }
      await new Promise((res) => setTimeout(res, 200));
      expect(sinkHits).toBe(before);
      // Replies to an allowed host still work.
      const ok = await fetch(`${tb.app.url}/api/messages`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity({ serviceUrl: `http://localhost:${sinkPort}` })),
      });
      expect(ok.status).toBe(200);
      expect(sinkHits).toBeGreaterThan(before);
    } finally {
      await tb.stop();
    }
  });
});

describe('CSV exports neutralise formulas in every text column', () => {
  it('a formula sent as channelId is exported inert in feedback.csv', async () => {
    const db = bot.app.db;
    const at = '2026-11-20T10:00:00.000Z';
    await db.run(`INSERT INTO interactions (id, conversation_id, user_id, channel, locale, started_at, last_activity_at) VALUES ('ix', 'cx', 'ux', '=HYPERLINK("http://evil.example","x")', '+cmd', ?, ?)`, [at, at]);
    await db.run(`INSERT INTO feedback (interaction_id, text, language, created_at, sentiment, sentiment_confidence, model_version) VALUES ('ix', '@SUM(1+1)', 'en', ?, 'negative', 0.9, 'v1')`, [at]);
    const login = await fetch(`${bot.app.url}/api/analyst/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ana', password: 'analyst-demo' }) });
    const { token } = await login.json();
    const csv = await (await fetch(`${bot.app.url}/api/analyst/export/feedback.csv`, { headers: { authorization: `Bearer ${token}` } })).text();
    const line = csv.split('\r\n').find((l) => l.includes('HYPERLINK'))!;
    expect(line).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(line).toContain(`'+cmd`);
    expect(line).toContain(`'@SUM(1+1)`);
    // no cell of any line starts with a formula character
    for (const l of csv.split('\r\n').slice(1)) for (const cell of l.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+@]/);
  });
});

describe('login and token limits', () => {
  const login = (body: unknown, tb = bot) =>
    fetch(`${tb.app.url}/api/analyst/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('an unknown user costs about the same time as a wrong password for a real one', async () => {
    const tb = await startTestBot({ LOGIN_MAX_FAILURES_PER_USER: '1000', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' });
    try {
      const time = async (username: string) => {
        const t0 = performance.now();
        expect((await login({ username, password: 'wrong-password' }, tb)).status).toBe(401);
        return performance.now() - t0;
      };
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 9; i++) {
        known.push(await time('ana'));
        unknown.push(await time(`nobody-${i}`));
      }
      // Both do one scrypt; before the fix the unknown user answered 10x faster.
      expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    } finally {
      await tb.stop();
    }
  });

  it('lock-out is per user and address: one user locked, another behind the same address still logs in', async () => {
    const tb = await startTestBot({ LOGIN_MAX_FAILURES_PER_USER: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '50' });
    try {
      for (let i = 0; i < 3; i++) expect((await login({ username: 'ana', password: 'nope' }, tb)).status).toBe(401);
      const locked = await login({ username: 'ana', password: 'analyst-demo' }, tb);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      // another account from the same address is not locked
      const agent = await fetch(`${tb.app.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'agent-demo' }) });
      expect(agent.status).toBe(200);
      await alive();
    } finally {
      await tb.stop();
    }
  });

  it('/chat/token and Direct Line conversation creation are rate-limited per address with 429 and Retry-After', async () => {
    const tb = await startTestBot({ CONVERSATION_RATE_BURST: '5', CONVERSATION_RATE_PER_MINUTE: '6', DIRECTLINE_SECRET: SECRET });
    try {
      const statuses: number[] = [];
      let retry = '';
      for (let i = 0; i < 8; i++) {
        const r = await fetch(`${tb.app.url}/chat/token`, { method: 'POST' });
        statuses.push(r.status);
        if (r.status === 429) retry = r.headers.get('retry-after') ?? '';
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      expect(Number(retry)).toBeGreaterThan(0);
      const rows = (await tb.app.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM directline_conversations'))!.n;
      const dl = await fetch(`${tb.app.url}/directline/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
      expect(dl.status).toBe(429);
      expect(dl.headers.get('retry-after')).toBeTruthy();
      const gen = await fetch(`${tb.app.url}/directline/v3/directline/tokens/generate`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
      expect(gen.status).toBe(429);
      expect((await tb.app.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM directline_conversations'))!.n).toBe(rows);
    } finally {
      await tb.stop();
    }
  });
});

describe('unexpected errors are logged once and answered 500; the process goes on', () => {
  it('a route whose handler throws synchronously or rejects answers 500 and the server keeps serving', async () => {
    const logsBefore = ((bot as any).logs as string[]).length;
    bot.app.server.get('/__throws', (() => {
      throw new Error('boom-sync');
    }) as any);
    bot.app.server.get('/__rejects', async () => {
      throw new Error('boom-async');
    });
    bot.app.server.get('/__cb', ((_req: unknown, _res: unknown, _next: unknown) => {
      throw new Error('boom-callback');
    }) as any);
    for (const p of ['/__throws', '/__rejects', '/__cb']) {
      const r = await fetch(`${bot.app.url}${p}`);
      expect(r.status).toBe(500);
      expect(await r.json()).toEqual({ error: 'internal error' });
    }
    const lines = ((bot as any).logs as string[]).slice(logsBefore).filter((l) => l.includes('boom-'));
    expect(lines.length).toBe(3);
    await alive();
  });
});
