import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/web/auth';
import { startTestBot, type TestBot } from './helpers/app';
import type { Customer } from './helpers/channel';

// Bad input against the agent API (/api/agent/*, src/web/agentApi.ts) over real HTTP: every rejected request gets a
// clean 4xx with a JSON error (never a 500) and leaves the stored handoff data exactly as it was; odd but harmless
// text is a 201 and is stored and relayed literally.
let tb: TestBot;
let dir: string;
const url = (p: string) => `${tb.app.url}/api/agent${p}`;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  // The shipped accounts plus carol (her session is expired on purpose) and dave (locked out on purpose).
  dir = mkdtempSync(join(tmpdir(), 'bad-agent-'));
  const accounts = join(dir, 'accounts.yaml');
  const extra = ['carol', 'dave'].map((id) => `  - id: ${id}\n    name: ${id}\n    role: agent\n    passwordHash: "${hashSecret(id + '-pass')}"\n`).join('');
  writeFileSync(accounts, readFileSync('config/accounts.yaml', 'utf8').trimEnd() + '\n' + extra);
  // No background timers during the run: nothing requeues, apologises or expires behind the test's back.
  tb = await startTestBot({ ACCOUNTS_FILE: accounts }, { handoff: { heartbeatMs: 60_000, tickMs: 3_600_000, agentTimeoutSeconds: 3600, waitLimitSeconds: 3600 } });
  for (const [id, pw, role] of [['alice', 'agent-demo', 'agent'], ['bob', 'agent-demo', 'agent'], ['carol', 'carol-pass', 'agent'], ['ana', 'analyst-demo', 'analyst']] as const)
    tokens[id] = (await login(role, id, pw)).token;
}, 60_000);
afterAll(async () => {
  await tb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function login(role: 'agent' | 'analyst', username: string, password: string) {
  const r = await fetch(`${tb.app.url}/api/${role}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
  return { ...(await r.json()), cookie: r.headers.get('set-cookie')!.split(';')[0] } as { token: string; csrf: string; cookie: string };
}

/** One raw request: body as given (a string is sent verbatim), JSON content type unless told otherwise. */
function call(method: string, path: string, opts: { body?: unknown; type?: string | null; headers?: Record<string, string>; as?: string } = {}) {
  const headers: Record<string, string> = { ...(opts.as ? { authorization: `Bearer ${tokens[opts.as]}` } : {}), ...opts.headers };
  if (opts.body !== undefined && opts.type !== null) headers['content-type'] = opts.type ?? 'application/json';
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return fetch(url(path), { method, headers, body });
}
const as = (who: string) => ({
  get: (p: string) => call('GET', p, { as: who }),
  post: (p: string, body: unknown = {}, type?: string | null) => call('POST', p, { as: who, body, type }),
});

async function expectError(r: Response, ...statuses: number[]) {
  expect(statuses, `status ${r.status}`).toContain(r.status);
  const json = await r.json();
  expect(String(json.error ?? json.message).length).toBeGreaterThan(3);
}

/** Everything an agent action writes (agent_seen_at and agent_presence are heartbeats: any authenticated call moves them). */
async function snapshot(): Promise<string> {
  const db = tb.app.db;
  const parts = await Promise.all([
    db.all('SELECT id, interaction_id, reason, priority, status, agent_id, locale, queued_at, accepted_at, first_reply_at, resolved_at, transfers FROM handoffs ORDER BY id'),
    db.all('SELECT * FROM handoff_notes ORDER BY id'),
    db.all('SELECT * FROM transcript ORDER BY id'),
    db.all('SELECT * FROM interaction_events ORDER BY id'),
    db.all('SELECT * FROM interactions ORDER BY id'),
    db.all('SELECT * FROM surveys ORDER BY id'),
    db.all('SELECT COUNT(*) AS n FROM sessions'),
  ]);
  return JSON.stringify(parts) + `|sent:${tb.channel.activities.length}`;
}

/** A customer asks for a person; returns the customer and the queued handoff id. */
async function queued(locale = 'en'): Promise<{ customer: Customer; id: number }> {
  const customer = tb.customer({ locale });
  await customer.say('agent');
  const h = await tb.app.db.get<{ id: number }>(
    "SELECT h.id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ? AND h.status = 'queued'",
    [customer.conversationId],
  );
  return { customer, id: h!.id };
}
async function held(by = 'alice') {
  const q = await queued();
  expect((await as(by).post(`/conversations/${q.id}/accept`)).status).toBe(200);
  return q;
}

const ROUTES = (id: number): [string, string, unknown][] => [
  ['GET', '/queue', undefined],
  ['GET', '/agents', undefined],
  ['GET', '/events', undefined],
  ['GET', '/me', undefined],
  ['GET', `/conversations/${id}`, undefined],
  ['POST', `/conversations/${id}/accept`, {}],
  ['POST', `/conversations/${id}/transfer`, { to: 'bob' }],
  ['POST', `/conversations/${id}/note`, { text: 'a note' }],
  ['POST', `/conversations/${id}/messages`, { text: 'hello' }],
  ['POST', `/conversations/${id}/resolve`, {}],
];

describe('agent routes without a valid agent session', () => {
  let id = 0;
  beforeAll(async () => {
    id = (await queued()).id;
    // carol's session runs out (as after 8 h)
    await tb.app.db.run("UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000Z' WHERE account_id = 'carol'");
  });

  it('every route: 401 without a session, with a garbage, empty, forged or expired one; 403 for an analyst session', async () => {
    const before = await snapshot();
    const analyst = await login('analyst', 'ana', 'analyst-demo');
    const tries: [string, Record<string, string>, number][] = [
      ['no credentials', {}, 401],
      ['garbage bearer', { authorization: 'Bearer not-a-session' }, 401],
      ['empty bearer', { authorization: 'Bearer ' }, 401],
      ['basic auth', { authorization: 'Basic YWxpY2U6YWdlbnQtZGVtbw==' }, 401],
      ['forged cookie', { cookie: 'agent_session=forged' }, 401],
      ['expired session (bearer)', { authorization: `Bearer ${tokens.carol}` }, 401],
      ['expired session (cookie)', { cookie: `agent_session=${tokens.carol}` }, 401],
      ['analyst cookie under its own name', { cookie: analyst.cookie }, 401],
      ['analyst bearer', { authorization: `Bearer ${tokens.ana}` }, 403],
      ['analyst token in the agent cookie', { cookie: `agent_session=${analyst.token}`, 'x-csrf-token': analyst.csrf }, 403],
    ];
    for (const [method, path, body] of ROUTES(id))
      for (const [name, headers, status] of tries) {
        const r = await call(method, path, { body, headers });
        expect(r.status, `${method} ${path} with ${name}`).toBe(status);
        await expectError(r, status);
      }
    expect(await snapshot()).toBe(before);
    // the agent page itself holds no data and is served without a session
    expect((await fetch(`${tb.app.url}/agent`)).status).toBe(200);
  });

  it('after logout the token is dead', async () => {
    const s = await login('agent', 'bob', 'agent-demo');
    expect((await call('GET', '/queue', { headers: { authorization: `Bearer ${s.token}` } })).status).toBe(200);
    expect((await call('POST', '/logout', { headers: { authorization: `Bearer ${s.token}` } })).status).toBe(204);
    await expectError(await call('GET', '/queue', { headers: { authorization: `Bearer ${s.token}` } }), 401);
  });
});

describe('CSRF with a cookie session', () => {
  it('state-changing requests need the x-csrf-token of that session; GETs do not; bearer requests are exempt', async () => {
    const { id } = await queued();
    const alice = await login('agent', 'alice', 'agent-demo');
    const bob = await login('agent', 'bob', 'agent-demo');
    const before = await snapshot();
    for (const [method, path, body] of ROUTES(id).filter(([m]) => m === 'POST'))
      for (const headers of [{ cookie: alice.cookie }, { cookie: alice.cookie, 'x-csrf-token': 'wrong' }, { cookie: alice.cookie, 'x-csrf-token': bob.csrf }, { cookie: alice.cookie, 'x-csrf-token': '' }] as Record<string, string>[]) {
        const r = await call(method, path, { body, headers });
        expect(r.status, `${path} ${JSON.stringify(Object.keys(headers))}`).toBe(403);
        await expectError(r, 403);
      }
    expect(await snapshot()).toBe(before);
    expect((await call('GET', `/conversations/${id}`, { headers: { cookie: alice.cookie } })).status).toBe(200);
    const ok = await call('POST', `/conversations/${id}/accept`, { body: {}, headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrf } });
    expect(ok.status).toBe(200);
    const r = await call('POST', `/conversations/${id}/note`, { body: { text: 'via bearer' }, as: 'alice' });
    expect(r.status).toBe(201);
  });
});

describe("another agent's conversation", () => {
  it('bob cannot read, write, transfer or resolve what alice holds (403), nor accept it (409); nothing changes', async () => {
    const { id } = await held('alice');
    const before = await snapshot();
    const bob = as('bob');
    const cases: [string, () => Promise<Response>, number][] = [
      ['read', () => bob.get(`/conversations/${id}`), 403],
      ['message', () => bob.post(`/conversations/${id}/messages`, { text: 'hi, I am bob' }), 403],
      ['note', () => bob.post(`/conversations/${id}/note`, { text: 'bob was here' }), 403],
      ['transfer to himself', () => bob.post(`/conversations/${id}/transfer`, { to: 'carol' }), 403],
      ['transfer back to alice', () => bob.post(`/conversations/${id}/transfer`, { to: 'alice' }), 403],
      ['resolve', () => bob.post(`/conversations/${id}/resolve`), 403],
      ['accept', () => bob.post(`/conversations/${id}/accept`), 409],
    ];
    for (const [name, run, status] of cases) {
      const r = await run();
      expect(r.status, name).toBe(status);
      await expectError(r, status);
    }
    expect(await snapshot()).toBe(before);
    // bob's queue lists it neither as queued nor as his
    const q = await (await bob.get('/queue')).json();
    expect([...q.queue, ...q.mine].some((h: any) => h.id === id)).toBe(false);
  });
});

describe('bad bodies on replies and notes: 4xx, nothing stored, nothing sent', () => {
  let id = 0;
  beforeAll(async () => {
    id = (await held('alice')).id;
  });
  const big = 'x'.repeat(1024 * 1024);
  const cases: [string, unknown, string | null | undefined, number[]][] = [
    ['invalid JSON', '{"text": "hi', undefined, [400]],
    ['JSON null', 'null', undefined, [400]],
    ['a JSON array', '["hi"]', undefined, [400]],
    ['a bare JSON string', '"hi"', undefined, [400]],
    ['a JSON number', '42', undefined, [400]],
    ['empty body', '', undefined, [400]],
    ['no text', {}, undefined, [400]],
    ['text is empty', { text: '' }, undefined, [400]],
    ['text is only whitespace', { text: ' \n\t\u3000 ' }, undefined, [400]],
    ['text is a number', { text: 5 }, undefined, [400]],
    ['text is null', { text: null }, undefined, [400]],
    ['text is an array', { text: ['hi'] }, undefined, [400]],
    ['text is an object', { text: { $ne: '' } }, undefined, [400]],
    ['text over 2,000 characters', { text: 'y'.repeat(2001) }, undefined, [400]],
    ['1 MB text', { text: big }, undefined, [413]],
    ['400 KB unknown field next to a valid text', { text: 'hi', junk: 'z'.repeat(400 * 1024) }, undefined, [413]],
    ['plain text content type', 'hello there', 'text/plain', [400, 415]],
    ['no content type at all', 'hello there', null, [400, 415]],
    ['XML', '<text>hello</text>', 'application/xml', [400, 415]],
    ['JSON declared as text/plain', JSON.stringify({ text: 'hello' }), 'text/plain', [400, 415]],
  ];
  for (const route of ['messages', 'note'])
    it.each(cases)(`${route}: %s`, async (_name, body, type, statuses) => {
      const before = await snapshot();
      await expectError(await as('alice').post(`/conversations/${id}/${route}`, body, type), ...statuses);
      expect(await snapshot()).toBe(before);
    });

  // The app-wide body parser (src/app.ts) also parses form and multipart bodies into req.body; the agent
  // routes take JSON only, so such a post gets 415 like text/plain or XML (it used to be stored and sent).
  const forms: [string, string, string][] = [
    ['form-encoded', 'text=sent+by+a+form', 'application/x-www-form-urlencoded'],
    ['multipart', '--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nsent as multipart\r\n--x--\r\n', 'multipart/form-data; boundary=x'],
  ];
  for (const route of ['messages', 'note'])
    for (const [name, body, type] of forms)
      it(`${route}: a ${name} body is refused like any other non-JSON type (415)`, async () => {
        const before = await snapshot();
        await expectError(await as('alice').post(`/conversations/${id}/${route}`, body, type), 400, 415);
        expect(await snapshot()).toBe(before);
      });

  const transfers: [string, unknown, number][] = [
    ['no target', {}, 400],
    ['unknown agent', { to: 'nobody' }, 400],
    ['an analyst', { to: 'ana' }, 400],
    ['oneself', { to: 'alice' }, 400],
    ['target is a number', { to: 7 }, 400],
    ['target is an array', { to: ['bob'] }, 400],
    ['target is an object', { to: { id: 'bob' } }, 400],
    ['SQL in the target', { to: "bob' OR '1'='1" }, 400],
    ['target with padding and case', { to: ' BOB ' }, 400],
    ['huge target', { to: 'b'.repeat(100_000) }, 400],
    ['invalid JSON', '{"to": "bob"', 400],
  ];
  it.each(transfers)('transfer: %s → %i, nothing changed', async (_name, body, status) => {
    const before = await snapshot();
    await expectError(await as('alice').post(`/conversations/${id}/transfer`, body), status);
    expect(await snapshot()).toBe(before);
  });

  it('the conversation still works afterwards (the table above is not failing for another reason)', async () => {
    expect((await as('alice').post(`/conversations/${id}/messages`, { text: 'still here' })).status).toBe(201);
  });
});

describe('unknown or malformed conversation ids: 404, nothing changed', () => {
  const ids = ['999999', '0', 'abc', '-1', '1.5', '1e3', '0x1', '%27%20OR%201%3D1', '1%3B%20DROP%20TABLE%20handoffs', '%3Cscript%3E', '9'.repeat(400), ' 1'];
  it.each(ids)('id %j on every conversation route', async (id) => {
    const before = await snapshot();
    for (const [method, path, body] of ROUTES(0).filter(([, p]) => p.startsWith('/conversations/'))) {
      const p = path.replace('/conversations/0', `/conversations/${id}`);
      const r = await call(method, p, { body, as: 'alice' });
      expect(r.status, `${method} ${p}`).toBe(404);
      await expectError(r, 404);
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('odd but harmless text in replies and notes: 201, stored and relayed literally', () => {
  let id = 0;
  let customer: Customer;
  let interactionId = '';
  beforeAll(async () => {
    const h = await held('alice');
    id = h.id;
    customer = h.customer;
    interactionId = (await tb.app.db.get<{ interaction_id: string }>('SELECT interaction_id FROM handoffs WHERE id = ?', [id]))!.interaction_id;
  });
  const texts: [string, string, string?][] = [
    ['control characters', 'a\u0001\u0007b\u001b[31mred\u001b[0m\u007f'],
    ['a NUL inside', 'before\u0000after'],
    ['RTL override and marks', '\u202egnp.exe\u202c \u200fمرحبا\u200e'],
    ['emoji, ZWJ sequences and skin tones', '👍🏽 👨‍👩‍👧 🇨🇳 😀'],
    ['mixed scripts', '您好 hello こんにちは 안녕 مرحبا Привет'],
    ['SQL injection', "'); DROP TABLE transcript; DELETE FROM handoffs WHERE '1'='1 --"],
    ['HTML / script', '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>'],
    ['CSV formula', '=HYPERLINK("http://evil.example","click")'],
    ['exactly 2,000 characters', '字'.repeat(2000)],
    ['padded with whitespace (trimmed)', '  \n hello \t ', 'hello'],
    // node-sqlite3 writes strings as UTF-8: an unpaired surrogate cannot be encoded and is stored as U+FFFD
    ['lone surrogates', 'x\ud800y\udfffz', 'x\ufffdy\ufffdz'],
  ];
  it.each(texts)('reply with %s', async (_name, text, stored = text) => {
    const sent = tb.channel.forConversation(customer.conversationId).length;
    const r = await as('alice').post(`/conversations/${id}/messages`, { text });
    expect(r.status).toBe(201);
    const row = await tb.app.db.get<{ role: string; sender: string; text: string }>('SELECT role, sender, text FROM transcript WHERE interaction_id = ? ORDER BY id DESC LIMIT 1', [interactionId]);
    expect(row).toEqual({ role: 'agent', sender: 'alice', text: stored });
    const got = await tb.channel.waitFor(customer.conversationId, sent + 1);
    expect(got.at(-1)!.text).toBe(text.trim()); // the customer gets exactly what the agent typed
    const conv = await (await as('alice').get(`/conversations/${id}`)).json();
    expect(conv.transcript.at(-1).text).toBe(stored);
    // the tables are all still there
    expect((await tb.app.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM handoffs'))!.n).toBeGreaterThan(0);
  });

  it.each(texts)('note with %s', async (_name, text, stored = text) => {
    expect((await as('alice').post(`/conversations/${id}/note`, { text })).status).toBe(201);
    const row = await tb.app.db.get<{ agent_id: string; text: string }>('SELECT agent_id, text FROM handoff_notes WHERE handoff_id = ? ORDER BY id DESC LIMIT 1', [id]);
    expect(row).toEqual({ agent_id: 'alice', text: stored });
    const conv = await (await as('alice').get(`/conversations/${id}`)).json();
    expect(conv.notes.at(-1)).toMatchObject({ agentId: 'alice', text: stored });
  });

  it('personal data in a reply or note is redacted before it is stored', async () => {
    expect((await as('alice').post(`/conversations/${id}/messages`, { text: '请拨打 13812345678 或发邮件 a.b@example.com' })).status).toBe(201);
    expect((await as('alice').post(`/conversations/${id}/note`, { text: 'customer phone 13812345678' })).status).toBe(201);
    const t = await tb.app.db.get<{ text: string }>('SELECT text FROM transcript WHERE interaction_id = ? ORDER BY id DESC LIMIT 1', [interactionId]);
    const n = await tb.app.db.get<{ text: string }>('SELECT text FROM handoff_notes WHERE handoff_id = ? ORDER BY id DESC LIMIT 1', [id]);
    expect(t!.text).toBe('请拨打 [PHONE] 或发邮件 [EMAIL]');
    expect(n!.text).toBe('customer phone [PHONE]');
  });
});

describe('double and replayed requests', () => {
  it('a second accept (same or other agent) is 409 and changes nothing', async () => {
    const { id } = await held('alice');
    const before = await snapshot();
    for (const who of ['alice', 'bob', 'alice']) await expectError(await as(who).post(`/conversations/${id}/accept`), 409);
    expect(await snapshot()).toBe(before);
  });

  it('a replayed transfer is refused once the conversation has moved (403), nothing changed', async () => {
    const { id } = await held('alice');
    expect((await as('alice').post(`/conversations/${id}/transfer`, { to: 'bob' })).status).toBe(200);
    const before = await snapshot();
    await expectError(await as('alice').post(`/conversations/${id}/transfer`, { to: 'bob' }), 403);
    await expectError(await as('bob').post(`/conversations/${id}/transfer`, { to: 'bob' }), 400);
    expect(await snapshot()).toBe(before);
    expect((await tb.app.db.get<any>('SELECT transfers, agent_id FROM handoffs WHERE id = ?', [id]))).toEqual({ transfers: 1, agent_id: 'bob' });
  });

  it('after resolve: resolve again, reply, note, transfer and accept are all refused; nothing changed', async () => {
    const { id } = await held('alice');
    const r = await as('alice').post(`/conversations/${id}/resolve`);
    expect(r.status).toBe(200);
    const before = await snapshot();
    // the holder still sees the ended conversation: a second resolve, a late reply or transfer is a conflict
    await expectError(await as('alice').post(`/conversations/${id}/resolve`), 409);
    await expectError(await as('alice').post(`/conversations/${id}/messages`, { text: 'late reply' }), 409);
    await expectError(await as('alice').post(`/conversations/${id}/transfer`, { to: 'bob' }), 409);
    await expectError(await as('bob').post(`/conversations/${id}/accept`), 409);
    expect(await snapshot()).toBe(before);
    expect((await tb.app.db.get<any>('SELECT status, agent_id FROM handoffs WHERE id = ?', [id]))).toEqual({ status: 'resolved', agent_id: 'alice' });
  });

  it('a customer who cancelled is gone: accept is 409, nothing changed', async () => {
    const { customer, id } = await queued();
    await customer.say('cancel');
    const before = await snapshot();
    await expectError(await as('alice').post(`/conversations/${id}/accept`), 409);
    await expectError(await as('alice').post(`/conversations/${id}/messages`, { text: 'hello?' }), 403);
    expect(await snapshot()).toBe(before);
  });

  it('a reply without clientId is sent each time; a replayed clientId is acknowledged (200) and not sent again', async () => {
    const { id, customer } = await held('alice');
    const n = tb.channel.forConversation(customer.conversationId).length;
    for (let i = 0; i < 2; i++) expect((await as('alice').post(`/conversations/${id}/messages`, { text: 'same words' })).status).toBe(201);
    const first = await as('alice').post(`/conversations/${id}/messages`, { text: 'once only', clientId: 'c-1' });
    expect(first.status).toBe(201);
    const again = await as('alice').post(`/conversations/${id}/messages`, { text: 'once only', clientId: 'c-1' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ ok: true, duplicate: true });
    await expectError(await as('alice').post(`/conversations/${id}/messages`, { text: 'x', clientId: 'bad id!' }), 400);
    const got = await tb.channel.waitFor(customer.conversationId, n + 3);
    expect(got.slice(n).map((a) => a.text)).toEqual(['same words', 'same words', 'once only']);
    await new Promise((r) => setTimeout(r, 300));
    expect(tb.channel.forConversation(customer.conversationId).length).toBe(n + 3);
  });

  it('four concurrent accepts of one conversation: exactly one 200, the rest 409', async () => {
    const { id } = await queued();
    const res = await Promise.all(['alice', 'bob', 'alice', 'bob'].map((w) => as(w).post(`/conversations/${id}/accept`)));
    expect(res.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
  });
});

describe('agent login with bad input: 4xx, never 500', () => {
  const cases: [string, unknown, string | undefined][] = [
    ['empty object', {}, undefined],
    ['password is an object', { username: 'alice', password: { $ne: '' } }, undefined],
    ['SQL in the username', { username: "alice' OR '1'='1", password: "' OR 1=1 --" }, undefined],
    ['an analyst account on the agent login', { username: 'ana', password: 'analyst-demo' }, undefined],
    ['huge username', { username: 'a'.repeat(100_000), password: 'x' }, undefined],
    ['invalid JSON', '{"username": "alice", ', undefined],
    ['JSON null', 'null', undefined],
    ['plain text', 'alice:agent-demo', 'text/plain'],
    ['over the body limit', { username: 'alice', password: 'x'.repeat(1024 * 1024) }, undefined],
  ];
  it.each(cases)('%s', async (_name, body, type) => {
    const before = await snapshot();
    await expectError(await call('POST', '/login', { body, type }), 400, 401, 413, 415, 429);
    expect(await snapshot()).toBe(before);
  });

  it('locks dave out after 5 failures (429 even with the right password); alice is unaffected', async () => {
    for (let i = 0; i < 5; i++) expect((await call('POST', '/login', { body: { username: 'dave', password: 'wrong' + i } })).status).toBe(401);
    await expectError(await call('POST', '/login', { body: { username: 'dave', password: 'dave-pass' } }), 429);
    expect((await call('POST', '/login', { body: { username: 'alice', password: 'agent-demo' } })).status).toBe(200);
  });
});
