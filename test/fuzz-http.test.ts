import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { httpRequest, rawRequest } from './helpers/rawHttp';

// Issue 12.9: hostile headers, paths and bodies against every route of the real server (taken from restify's
// own route table, so a route added later is fuzzed too), including the Direct Line stream upgrade.
// After each case the same process must answer /healthz, and the case must have got a 2xx, 4xx or 5xx.
// About 2,000 cases in all (FUZZ_RUNS scales them); fast-check prints the seed and the case on a failure.
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SECRET = 'fuzz-directline-secret-0123456789';
// Replay a reported failure: FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run test/fuzz-http.test.ts
const REPLAY = process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH, endOnFailure: true } : {};

let bot: TestBot;
let routes: { method: string; path: string }[] = [];
let analystToken = '';
let agentToken = '';

beforeAll(async () => {
  bot = await startTestBot({ ANALYST_API_TOKEN: 'fuzz-analyst-token', DIRECTLINE_SECRET: SECRET });
  routes = bot.app.server.getDebugInfo().routes.map((r: { method: string; path: string }) => ({ method: r.method.toUpperCase(), path: String(r.path) }));
  const login = async (path: string, username: string, password: string) =>
    (await (await fetch(`${bot.app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).json()).token as string;
  analystToken = await login('/api/analyst/login', 'ana', 'analyst-demo');
  agentToken = await login('/api/agent/login', 'alice', 'agent-demo');
}, 120_000);
afterAll(async () => {
  console.log(`fuzz: ${cases} cases run against ${routes.length} routes`);
  await bot?.stop();
});

// ---- arbitraries -------------------------------------------------------------------------------------

const nasty = fc.constantFrom('%', '%zz', '%25zz%', '%E0%A4%A', '%00', '%C0%AF', '..', '../..', '%2e%2e%2f', 'constructor', '__proto__', 'toString',
  'hasOwnProperty', '1', '0', '-1', '1e309', '9'.repeat(40), 'null', 'undefined', '%FF%FE', '😀', '字', ';', '\\', '"', "'", '<script>', ' ', '%20', '+', '=', '&');
const segment = fc.oneof(nasty, fc.string({ maxLength: 12 }).map(encodeURIComponent), fc.stringMatching(/^[\w%.~-]{0,30}$/), fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => encodeURIComponent(s)));
const query = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(fc.constantFrom('from', 'to', 'limit', 'after', 'cursor', 'watermark', 't', 'period', 'q', 'open', 'sort', 'channel', 'complete', 'maxConfidence', 'x'), segment), { maxLength: 4 })
    .map((kv) => '?' + kv.map(([k, v]) => `${k}=${v}`).join('&')),
  nasty.map((n) => `?${n}`),
);

const cookieValue = fc.oneof(nasty, fc.stringMatching(/^[\x21-\x7e]{0,40}$/).filter((s) => !s.includes(';')));
const cookie = fc.oneof(
  fc.constant(undefined),
  fc.tuple(fc.constantFrom('agent_session', 'analyst_session', 'x', ''), cookieValue).map(([k, v]) => `${k}=${v}`),
  fc.array(fc.tuple(fc.constantFrom('agent_session', 'analyst_session', 'a'), cookieValue), { maxLength: 4 }).map((kv) => kv.map(([k, v]) => `${k}=${v}`).join('; ')),
  fc.stringMatching(/^[\x20-\x7e]{0,60}$/),
);
const encoding = fc.oneof(fc.constant(undefined), fc.constantFrom('gzip', 'x-gzip', 'deflate', 'br', 'identity', 'compress', 'gzip, gzip', 'GZIP', '', 'zstd', 'chunked', 'gzip;q=1'));
const contentType = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x',
    'application/vnd.api+json', 'application/octet-stream', 'json', '*/*', 'application/json; charset=latin-9', 'text/csv'),
  fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
);
const authorization = () =>
  fc.oneof(fc.constant(undefined), fc.constantFrom(`Bearer ${SECRET}`, `Bearer ${analystToken}`, `Bearer ${agentToken}`, 'Bearer fuzz-analyst-token', 'Bearer', 'Basic YTpi', 'Bearer dl1.x.y'), fc.stringMatching(/^[\x20-\x7e]{0,60}$/));
const upgrade = fc.oneof(fc.constant(undefined), fc.constantFrom('websocket', 'WebSocket', 'h2c', 'garbage', ''));

const activityLike = fc.record(
  {
    type: fc.oneof(fc.constantFrom('message', 'conversationUpdate', 'typing', 'event', 'invoke', ''), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })),
    id: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.object({ maxDepth: 1 }), fc.constant(null)),
    channelId: fc.oneof(fc.constantFrom('emulator', 'directline', 'test-fuzz'), fc.integer(), fc.object({ maxDepth: 1 })),
    from: fc.oneof(fc.record({ id: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.object({ maxDepth: 1 })) }), fc.string(), fc.constant(null)),
    conversation: fc.oneof(fc.record({ id: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()) }), fc.constant(null), fc.string()),
    locale: fc.oneof(fc.constantFrom('zh-CN', 'zh-TW', 'en-US', 'xx', ''), fc.integer(), fc.object({ maxDepth: 1 })),
    // replies go to the test's recording channel (or are refused before anything is sent)
    serviceUrl: fc.oneof(fc.constant('__CHANNEL__'), fc.constantFrom('http://10.0.0.1:1', 'javascript:x', 'http://', 'http://[::1', ''), fc.integer()),
    text: fc.oneof(fc.string({ maxLength: 200 }), fc.integer(), fc.object({ maxDepth: 2 }), fc.constantFrom('转人工', 'bye', 'I want a human', '退款')),
    value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ surveyItem: fc.constantFrom('csat', 'nps', 'ces', 'open', 'x'), value: fc.jsonValue({ maxDepth: 1 }) })),
    timestamp: fc.oneof(fc.constant(new Date().toISOString()), fc.string({ maxLength: 10 }), fc.integer()),
    membersAdded: fc.oneof(fc.array(fc.record({ id: fc.string({ maxLength: 8 }) }), { maxLength: 2 }), fc.string(), fc.integer()),
    channelData: fc.oneof(fc.object({ maxDepth: 2 }), fc.string(), fc.constant(null)),
  },
  { requiredKeys: [] },
);

const bodyBytes = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  activityLike.map((a) => Buffer.from(JSON.stringify(a))),
  fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.constantFrom('{"type": "message", ', '[1,2', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', 'a=1&b=2&b=3', '"\\ud800"', 'null', '1e999').map((s) => Buffer.from(s)),
  fc.integer({ min: 1, max: 70 }).map((d) => Buffer.from('['.repeat(d * 20) + ']'.repeat(d * 20))),
);

const BOMB = gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20)); // 2 KB that inflates to 2 MB

/** The body as sent: plain, really compressed to match the header, or mismatched on purpose. */
const encoded = fc.tuple(bodyBytes, encoding, fc.constantFrom('match', 'match', 'raw', 'gzip-bomb')).map(([b, enc, how]) => {
  if (how === 'gzip-bomb') return { body: BOMB, enc: enc ?? 'gzip' };
  if (how === 'raw' || !enc) return { body: b, enc };
  const e = enc.toLowerCase();
  if (e === 'gzip' || e === 'x-gzip') return { body: gzipSync(b), enc };
  if (e === 'deflate') return { body: deflateSync(b), enc };
  if (e === 'br') return { body: brotliCompressSync(b), enc };
  return { body: b, enc };
});

const headers = () =>
  fc.record({ cookie, contentType, authorization: authorization(), upgrade, csrf: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }), extra: fc.option(fc.tuple(fc.constantFrom('X-Forwarded-Proto', 'X-Forwarded-Host', 'Origin', 'Accept-Encoding', 'Transfer-Encoding', 'Expect', 'Content-Length', 'Host'), fc.stringMatching(/^[\x20-\x7e]{0,30}$/)), { nil: undefined }) });

function build(method: string, path: string, h: Record<string, unknown>, body: Buffer, enc?: string): Buffer {
  const hs: Record<string, string> = {};
  if (typeof h.cookie === "string") hs.Cookie = h.cookie;
  if (typeof h.contentType === "string") hs["Content-Type"] = h.contentType;
  if (typeof h.authorization === "string") hs.Authorization = h.authorization;
  if (typeof h.csrf === "string") hs["X-CSRF-Token"] = h.csrf;
  if (enc !== undefined) hs['Content-Encoding'] = enc;
  if (typeof h.upgrade === "string") Object.assign(hs, { Connection: "Upgrade", Upgrade: h.upgrade, 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' });
  const extra = h.extra as unknown as [string, string] | undefined;
  if (extra && !['Content-Length', 'Transfer-Encoding', 'Host'].includes(extra[0])) hs[extra[0]] = extra[1];
  const req = httpRequest(method, path, hs, body.toString('latin1').replace('"__CHANNEL__"', JSON.stringify(bot.channel.url)));
  // A conflicting framing header is sent as an extra line: the parser must refuse it cleanly.
  if (extra && ['Content-Length', 'Transfer-Encoding', 'Host'].includes(extra[0])) {
    const s = req.toString('latin1');
    const at = s.indexOf('\r\n') + 2;
    return Buffer.from(s.slice(0, at) + `${extra[0]}: ${extra[1]}\r\n` + s.slice(at), 'latin1');
  }
  return req;
}

let cases = 0;
async function check(req: Buffer, halfClose = false): Promise<void> {
  cases++;
  const r = await rawRequest(bot.app.port, req, 10_000, halfClose);
  // A response came (2xx, 4xx or 5xx; 101 only for a genuine upgrade) — never a timeout or a dropped connection.
  // A client that half-closes gives up its answer: Node (httpAllowHalfOpen off) closes such a socket, so an
  // answer still being computed is dropped (status 0). Only then is "no answer" acceptable; the process must stay up.
  const answered = r.status === 101 || (r.status >= 200 && r.status < 600) || (halfClose && r.status === 0);
  expect(answered, `status ${r.status} for:\n${req.toString('latin1').slice(0, 600)}`).toBe(true);
  const h = await fetch(`${bot.app.url}/healthz`);
  expect(h.status).toBe(200);
  await h.arrayBuffer();
}

describe('fuzz: the server answers every hostile request and stays up', () => {
  it(`every route: hostile paths, headers and bodies (${Math.round(RUNS * 0.55)} cases)`, async () => {
    const route = fc.constantFrom(...routes);
    await fc.assert(
      fc.asyncProperty(route, fc.array(segment, { minLength: 3, maxLength: 3 }), query, headers(), encoded, fc.boolean(), async (r, segs, q, h, { body, enc }, otherMethod) => {
        let i = 0;
        const path = r.path.replace(/:[A-Za-z]+/g, () => segs[i++ % segs.length] || 'x') + q;
        const method = otherMethod ? (r.method === 'GET' ? 'POST' : 'GET') : r.method;
        const framing = (h.extra as unknown as [string, string] | undefined)?.[0];
        const lying = framing === 'Content-Length' || framing === 'Transfer-Encoding';
        await check(build(method, path, h, method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : body, method === 'GET' ? undefined : enc), lying);
      }),
      { numRuns: Math.round(RUNS * 0.55), interruptAfterTimeLimit: 150_000, ...REPLAY },
    );
  }, 200_000);

  it(`/api/messages: activities with wrong types and missing fields (${Math.round(RUNS * 0.25)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(activityLike, contentType, encoding, async (a, type, enc) => {
        const raw = Buffer.from(JSON.stringify(a));
        const body = enc === 'gzip' ? gzipSync(raw) : raw;
        await check(build('POST', '/api/messages', { contentType: type ?? 'application/json' }, body, enc === 'gzip' ? 'gzip' : undefined));
      }),
      { numRuns: Math.round(RUNS * 0.25), interruptAfterTimeLimit: 120_000, ...REPLAY },
    );
  }, 200_000);

  it(`Direct Line stream upgrades with hostile ids, tokens and headers (${Math.round(RUNS * 0.2)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(segment, fc.oneof(segment, fc.constant(undefined)), cookie, upgrade, fc.constantFrom('/directline/v3/directline/conversations/', '/directline/v3/directline/', '/', '/directline/v3/directline/conversations/%2F/'), async (id, t, c, up, base) => {
        const path = `${base}${id}/stream${t === undefined ? '' : `?t=${t}&watermark=${t}`}`;
        await check(build('GET', path, { cookie: c, upgrade: up ?? 'websocket' }, Buffer.alloc(0)));
      }),
      { numRuns: Math.round(RUNS * 0.2), interruptAfterTimeLimit: 120_000, ...REPLAY },
    );
  }, 200_000);
});
