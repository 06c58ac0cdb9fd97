import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/web/auth';
import { startTestBot, type TestBot } from './helpers/app';

// Bad input against the analyst APIs: a clean 4xx with a JSON error (never a 500) and nothing changed,
// or a 200 where the input is harmless (search operators, odd filters).
let bot: TestBot;
let token: string;
let agentToken: string;
let dir: string;
const api = (p: string) => `${bot.app.url}/api/analyst${p}`;

beforeAll(async () => {
  // The shipped accounts plus a second analyst, so the lock-out case does not lock out `ana`.
  dir = mkdtempSync(join(tmpdir(), 'bad-analyst-'));
  const accounts = join(dir, 'accounts.yaml');
  const lee = `  - id: lee\n    name: Lee\n    role: analyst\n    passwordHash: "${hashSecret('lee-pass')}"\n`;
  writeFileSync(accounts, readFileSync('config/accounts.yaml', 'utf8').trimEnd() + '\n' + lee);
  bot = await startTestBot({ ACCOUNTS_FILE: accounts });
  await seed();
  token = (await login({ username: 'ana', password: 'analyst-demo' })).token;
  agentToken = (await (await post(`${bot.app.url}/api/agent/login`, { username: 'alice', password: 'agent-demo' })).json()).token;
});
afterAll(async () => {
  await bot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function seed() {
  const db = bot.app.db;
  for (let i = 0; i < 12; i++) {
    const at = `2026-11-${String(10 + i).padStart(2, '0')}T10:00:00.000Z`;
    await db.run(`INSERT INTO interactions (id, conversation_id, user_id, channel, locale, started_at, last_activity_at) VALUES (?, ?, ?, 'webchat', 'zh-CN', ?, ?)`, ['i' + i, 'c' + i, 'u' + (i % 3), at, at]);
    await db.run(`INSERT INTO transcript (interaction_id, at, role, text) VALUES (?, ?, 'customer', ?)`, ['i' + i, at, 'text ' + i]);
    await db.run(`INSERT INTO surveys (id, interaction_id, user_id, definition_id, definition_version, trigger, channel, status, offered_at) VALUES (?, ?, ?, 'default', 1, 'goodbye', 'webchat', 'complete', ?)`, ['s' + i, 'i' + i, 'u' + (i % 3), at]);
    const text = i % 2 ? `客服回复太慢了 ${i}` : `the agent was "very" friendly OR 1=1 ${i}`;
    const f = await db.run(`INSERT INTO feedback (interaction_id, survey_id, text, language, created_at, sentiment, sentiment_confidence, model_version) VALUES (?, ?, ?, 'zh-CN', ?, ?, ?, 'v1')`,
      ['i' + i, 's' + i, text, at, i % 2 ? 'negative' : 'positive', (i % 10) / 10]);
    await db.run(`INSERT INTO feedback_topics (feedback_id, source, topic, sentiment, confidence) VALUES (?, 'model', ?, ?, 0.8)`, [f.lastID, i % 2 ? 'response_speed' : 'attitude', i % 2 ? 'negative' : 'positive']);
  }
  // alert 1: open, behind i1 and i3
  await db.run(`INSERT INTO indicator_alerts (rule_id, kind, indicator, window_from, window_to, segment, value, limit_value, n, message, interaction_ids, model_version, created_at, updated_at)
    VALUES ('seeded', 'threshold', 'csat_pct', '2026-11-01', '2026-11-30', '{}', 50, 80, 12, 'seeded alert', '["i1","i3"]', 1, '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z')`);
}

/** Every stored row an analyst write could touch, as one comparable value. */
async function snapshot(): Promise<string> {
  const db = bot.app.db;
  const parts = await Promise.all([
    db.all('SELECT * FROM feedback ORDER BY id'),
    db.all('SELECT * FROM feedback_topics ORDER BY feedback_id, source, topic'),
    db.all('SELECT * FROM interactions ORDER BY id'),
    db.all('SELECT * FROM transcript ORDER BY id'),
    db.all('SELECT * FROM surveys ORDER BY id'),
    db.all('SELECT COUNT(*) AS n FROM audit_log'),
    db.all('SELECT * FROM indicator_alerts ORDER BY id'),
  ]);
  return JSON.stringify(parts);
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}, type = 'application/json') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const get = (p: string, t = token) => fetch(api(p), { headers: { authorization: `Bearer ${t}` } });
const send = (p: string, body: unknown, type?: string) => post(api(p), body, { authorization: `Bearer ${token}` }, type);
async function login(body: unknown, type?: string) {
  const r = await post(api('/login'), body, {}, type);
  return { status: r.status, ...(await r.json()) };
}
async function expectError(r: Response, ...statuses: number[]) {
  expect(statuses).toContain(r.status);
  const json = await r.json();
  expect(String(json.error ?? json.message).length).toBeGreaterThan(3);
}

const ROUTES: [string, string][] = [
  ['GET', '/me'], ['GET', '/meta'], ['GET', '/dashboard'], ['GET', '/alerts/1'], ['POST', '/alerts/1/acknowledge'], ['GET', '/interactions/i1'],
  ['GET', '/feedback'], ['GET', '/feedback/1'], ['POST', '/feedback/1/correction'], ['POST', '/feedback/bulk-correction'],
  ['GET', '/audit'], ['GET', '/goldset/metrics'], ['GET', '/goldset'], ['GET', '/export/feedback.csv'], ['GET', '/export/feedback.json'],
  ['GET', '/export/report.json'], ['GET', '/export/report.csv'], ['GET', '/report.html'], ['GET', '/subjects/u1/export'], ['POST', '/subjects/u1/delete'],
];

describe('analyst routes without a valid session', () => {
  const body = JSON.stringify({ sentiment: 'negative', ids: [1], confirm: 'u1' });
  it.each(ROUTES)('%s %s → 401 without credentials, with a garbage bearer or cookie; 403 for an agent', async (method, path) => {
    const before = await snapshot();
    const tries: [Record<string, string>, number][] = [
      [{}, 401],
      [{ authorization: 'Bearer not-a-session' }, 401],
      [{ authorization: 'Bearer ' }, 401],
      [{ cookie: 'analyst_session=forged' }, 401],
      [{ authorization: `Bearer ${agentToken}` }, 403],
    ];
    for (const [headers, status] of tries) {
      const r = await fetch(api(path), { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'POST' ? body : undefined });
      await expectError(r, status);
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('analyst login with bad input: 4xx, never 500', () => {
  const cases: [string, unknown, string | undefined][] = [
    ['empty object', {}, undefined],
    ['username only', { username: 'ana' }, undefined],
    ['password only', { password: 'analyst-demo' }, undefined],
    ['username is a number', { username: 5, password: 'analyst-demo' }, undefined],
    ['username is an array', { username: ['ana'], password: 'analyst-demo' }, undefined],
    ['password is an object', { username: 'ana', password: { $ne: '' } }, undefined],
    ['password is an array', { username: 'ana', password: ['analyst-demo'] }, undefined],
    ['token is a number', { token: 123 }, undefined],
    ['SQL in the username', { username: "ana' OR '1'='1", password: "' OR 1=1 --" }, undefined],
    ['huge username', { username: 'a'.repeat(100_000), password: 'x' }, undefined],
    ['huge password', { username: 'ana', password: 'p'.repeat(200_000) }, undefined],
    ['invalid JSON', '{"username": "ana", ', undefined],
    ['JSON null', 'null', undefined],
    ['a JSON array', '[1,2]', undefined],
    ['form-encoded', 'username=nobody&password=wrong', 'application/x-www-form-urlencoded'],
    ['plain text', 'ana:analyst-demo', 'text/plain'],
    ['over the body limit', { username: 'ana', password: 'x'.repeat(1024 * 1024) }, undefined],
  ];
  it.each(cases)('%s', async (_name, body, type) => {
    const r = await post(api('/login'), body, {}, type);
    // 429 is fine too: failures without a username share one per-address bucket
    await expectError(r, 400, 401, 413, 415, 429);
  });

  it('a huge username is refused before it reaches the lock-out table or the log', async () => {
    const logs = (bot as any).logs as string[];
    const n = logs.length;
    const r = await login({ username: 'u'.repeat(10_000), password: 'x' });
    expect(r.status).toBe(400);
    expect(logs.slice(n).join('\n')).not.toContain('u'.repeat(200));
  });

  it('locks an account after 5 failures: even the right password gets 429, other accounts unaffected', async () => {
    expect((await login({ username: 'lee', password: 'lee-pass' })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login({ username: 'lee', password: 'wrong' + i })).status).toBe(401);
    const locked = await login({ username: 'lee', password: 'lee-pass' });
    expect(locked.status).toBe(429);
    expect(locked.error).toMatch(/too many/);
    expect((await login({ username: 'ana', password: 'analyst-demo' })).status).toBe(200);
    expect((await get('/meta')).status).toBe(200); // existing sessions keep working
  });
});

describe('corrections with bad input: 4xx and nothing changed', () => {
  const ok = { sentiment: 'negative' };
  const cases: [string, string, unknown, number][] = [
    ['unknown sentiment', '/feedback/1/correction', { sentiment: 'furious' }, 400],
    ['sentiment is a number', '/feedback/1/correction', { sentiment: 5 }, 400],
    ['sentiment is null', '/feedback/1/correction', { sentiment: null }, 400],
    ['unknown topic', '/feedback/1/correction', { topics: [{ topic: 'no_such_topic' }] }, 400],
    ['topic id is an object', '/feedback/1/correction', { topics: [{ topic: { id: 'attitude' } }] }, 400],
    ['unknown topic sentiment', '/feedback/1/correction', { topics: [{ topic: 'attitude', sentiment: 'meh' }] }, 400],
    ['topics not an array (string)', '/feedback/1/correction', { topics: 'attitude' }, 400],
    ['topics not an array (object)', '/feedback/1/correction', { topics: { topic: 'attitude' } }, 400],
    ['topics empty', '/feedback/1/correction', { topics: [] }, 400],
    ['topics holds null', '/feedback/1/correction', { topics: [null] }, 400],
    ['one bad topic among good ones', '/feedback/1/correction', { sentiment: 'neutral', topics: [{ topic: 'attitude' }, { topic: 'nope' }] }, 400],
    ['nothing to correct', '/feedback/1/correction', {}, 400],
    ['body is JSON null', '/feedback/1/correction', 'null', 400],
    ['invalid JSON', '/feedback/1/correction', '{"sentiment": ', 400],
    ['NaN id', '/feedback/abc/correction', ok, 404],
    ['negative id', '/feedback/-1/correction', ok, 404],
    ['fractional id', '/feedback/1.5/correction', ok, 404],
    ['Infinity id', '/feedback/Infinity/correction', ok, 404],
    ['unknown id', '/feedback/999999/correction', ok, 404],
    ['bulk: empty list', '/feedback/bulk-correction', { ...ok, ids: [] }, 400],
    ['bulk: no ids', '/feedback/bulk-correction', ok, 400],
    ['bulk: 10,000 ids', '/feedback/bulk-correction', { ...ok, ids: Array.from({ length: 10_000 }, (_, i) => i + 1) }, 400],
    ['bulk: ids is a string', '/feedback/bulk-correction', { ...ok, ids: '1,2,3' }, 400],
    ['bulk: NaN ids', '/feedback/bulk-correction', { ...ok, ids: ['abc', 'NaN'] }, 400],
    ['bulk: junk among good ids', '/feedback/bulk-correction', { ...ok, ids: [1, 'x', 2] }, 400],
    ['bulk: booleans and nulls as ids', '/feedback/bulk-correction', { ...ok, ids: [true, null] }, 400],
    ['bulk: negative and fractional ids', '/feedback/bulk-correction', { ...ok, ids: [-1, 2.5] }, 400],
    ['bulk: unknown sentiment', '/feedback/bulk-correction', { sentiment: 'furious', ids: [1, 2] }, 400],
    ['bulk: unknown topic', '/feedback/bulk-correction', { topics: [{ topic: 'nope' }], ids: [1, 2] }, 400],
  ];
  it.each(cases)('%s', async (_name, path, body, status) => {
    const before = await snapshot();
    await expectError(await send(path, body), status);
    expect(await snapshot()).toBe(before);
  });

  // The shared body parser also reads forms and multipart; the analyst write routes take JSON only (415 otherwise).
  const types: [string, string, string][] = [
    ['form-encoded', 'sentiment=negative', 'application/x-www-form-urlencoded'],
    ['multipart', '--x\r\nContent-Disposition: form-data; name="sentiment"\r\n\r\nnegative\r\n--x--\r\n', 'multipart/form-data; boundary=x'],
    ['plain text', '{"sentiment":"negative"}', 'text/plain'],
  ];
  it.each(types)('correction as %s → 415, nothing changed', async (_name, body, type) => {
    const before = await snapshot();
    await expectError(await send('/feedback/1/correction', body, type), 415);
    await expectError(await send('/feedback/bulk-correction', body.replace('negative', 'negative&ids=1'), type), 415);
    await expectError(await send('/alerts/1/acknowledge', body, type), 415);
    await expectError(await send('/subjects/u0/delete', body.replace('sentiment=negative', 'confirm=u0'), type), 415);
    expect(await snapshot()).toBe(before);
  });

  it('bulk with only unknown ids corrects nothing', async () => {
    const before = await snapshot();
    const r = await send('/feedback/bulk-correction', { ...ok, ids: [999998, 999999] });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ corrected: 0 });
    expect(await snapshot()).toBe(before);
  });

  it('a valid correction still works (the table above is not failing for another reason)', async () => {
    const r = await send('/feedback/2/correction', { sentiment: 'neutral', topics: [{ topic: 'attitude' }] });
    expect(r.status).toBe(200);
    expect((await r.json()).feedback).toMatchObject({ id: 2, human_sentiment: 'neutral', corrected_by: 'ana' });
  });
});

describe('search and filters: 200 or a clean 4xx, never 500', () => {
  const searches = ['" OR 1=1 --', "' OR '1'='1", 'NEAR(', 'NEAR(a b, 2)', '*', 'friend*', '"', '"""', '"unbalanced', 'a"b"c', 'AND', 'OR NOT', '客服 OR', '%', '_', '\\', '\u0000', '(((', '^friendly', 'text:1', '{col}: x', '😡'];
  it.each(searches)('search %j', async (q) => {
    for (const path of [`/feedback?q=${encodeURIComponent(q)}`, `/export/feedback.json?q=${encodeURIComponent(q)}`]) {
      const r = await get(path);
      expect(r.status).toBe(200);
      await r.json();
    }
  });

  it('finds text with quotes and operators literally', async () => {
    const r = await (await get(`/feedback?q=${encodeURIComponent('OR 1=1')}`)).json();
    expect(r.total).toBe(6);
  });

  const garbageCursor = Buffer.from(JSON.stringify([{ a: 1 }, 1])).toString('base64url');
  const arrayCursor = Buffer.from(JSON.stringify([[1, 2], 1])).toString('base64url');
  const filters = [
    '/feedback?from=NaN&to=NaN', '/feedback?from=2026-13-45&to=9999-99-99', '/feedback?maxConfidence=-1', '/feedback?maxConfidence=abc',
    '/feedback?maxConfidence=1e309', '/feedback?sort=evil&dir=sideways', '/feedback?sort=confidence;DROP TABLE feedback',
    '/feedback?limit=-5', '/feedback?limit=1e309', '/feedback?limit=abc', '/feedback?cursor=!!!', `/feedback?cursor=${garbageCursor}`,
    `/feedback?sort=confidence&cursor=${arrayCursor}`, '/feedback?topic=%27%20OR%201%3D1', '/feedback?sentiment[]=a&sentiment[]=b', '/feedback?q[a]=1',
    '/dashboard?from=NaN&to=NaN', '/dashboard?from=abc', '/dashboard?to=2026-02-30&from=2026-03-01', '/dashboard?period=evil', '/dashboard?from[]=1',
    '/export/report.json?from=NaN', '/export/report.csv?to=abc', '/report.html?from=NaN&period=century', '/export/feedback.csv?from=NaN&maxConfidence=-1',
    '/audit?limit=-1', '/audit?limit=abc&before=xyz', '/audit?before=-5', '/alerts/abc', '/alerts/-1', '/interactions/%3Cscript%3E', '/feedback/abc', '/feedback/1e309',
  ];
  it.each(filters)('%s', async (path) => {
    const before = await snapshot();
    const r = await get(path);
    expect([200, 400, 404]).toContain(r.status);
    if (r.status !== 200) await expectError(r, r.status);
    else await r.text();
    if (!path.startsWith('/dashboard')) expect(await snapshot()).toBe(before);
  });

  it('a negative audit limit is not "no limit"', async () => {
    for (let i = 0; i < 3; i++) await send('/feedback/3/correction', { sentiment: i % 2 ? 'positive' : 'neutral' });
    const r = await (await get('/audit?limit=-1')).json();
    expect(r.entries.length).toBeLessThanOrEqual(1);
  });
});

describe('data-subject requests for unknown or odd user ids', () => {
  it.each(['no-such-user', "x' OR '1'='1", '%', '_'])('delete %j: a clear 200 with zero counts, nothing else changed', async (user) => {
    const before = JSON.parse(await snapshot());
    const r = await send(`/subjects/${encodeURIComponent(user)}/delete`, { confirm: user });
    expect(r.status).toBe(200);
    const { deleted } = await r.json();
    expect(Object.values(deleted).every((n) => n === 0)).toBe(true);
    const after = JSON.parse(await snapshot());
    expect(after.slice(0, 5)).toEqual(before.slice(0, 5));
    expect(after[5][0].n).toBe(before[5][0].n + 1); // the request itself is audited
  });

  it.each([
    ['no confirm', {}],
    ['confirm of another user', { confirm: 'u1' }],
    ['confirm is not a string', { confirm: ['u0'] }],
    ['JSON null', 'null'],
  ])('delete with %s → 400, nothing changed', async (_name, body) => {
    const before = await snapshot();
    await expectError(await send('/subjects/u0/delete', body), 400);
    expect(await snapshot()).toBe(before);
  });

  it('export of an unknown user is an empty document', async () => {
    const r = await get('/subjects/no-such-user/export');
    expect(r.status).toBe(200);
    const doc = await r.json();
    expect(doc.interactions).toEqual([]);
    expect(doc.feedback).toEqual([]);
  });
});

describe('alerts: bad ids, CSRF, replayed acknowledgement', () => {
  it.each(['abc', '-1', '0', '1.5', '1e3', 'Infinity', '%27%20OR%201%3D1', '9'.repeat(30)])('GET /alerts/%s → 400, acknowledge → 400, nothing changed', async (id) => {
    const before = await snapshot();
    await expectError(await get(`/alerts/${id}`), 400);
    await expectError(await send(`/alerts/${id}/acknowledge`, {}), 400);
    expect(await snapshot()).toBe(before);
  });

  it('an unknown alert id → 404 for the drill-down and the acknowledgement, nothing changed', async () => {
    const before = await snapshot();
    await expectError(await get('/alerts/999999'), 404);
    await expectError(await send('/alerts/999999/acknowledge', {}), 404);
    expect(await snapshot()).toBe(before);
  });

  it('a cookie session without the CSRF header cannot acknowledge (403, alert still open)', async () => {
    const r = await post(api('/login'), { username: 'ana', password: 'analyst-demo' });
    const cookie = r.headers.get('set-cookie')!.split(';')[0];
    const { csrf } = await r.json();
    const before = await snapshot();
    await expectError(await post(api('/alerts/1/acknowledge'), {}, { cookie }), 403);
    await expectError(await post(api('/alerts/1/acknowledge'), {}, { cookie, 'x-csrf-token': 'wrong' }), 403);
    expect(await snapshot()).toBe(before);
    // the drill-down itself is a GET: fine with the cookie alone
    const d = await (await fetch(api('/alerts/1'), { headers: { cookie } })).json();
    expect(d.alert.acknowledged_at).toBeNull();
    expect(d.interactions.map((i: any) => i.id).sort()).toEqual(['i1', 'i3']);
    // with the header it works
    const ok = await post(api('/alerts/1/acknowledge'), {}, { cookie, 'x-csrf-token': csrf });
    expect(ok.status).toBe(200);
    expect((await ok.json()).alert.acknowledged_by).toBe('ana');
  });

  it('a replayed acknowledgement keeps the first one and adds no audit entry', async () => {
    const first = await bot.app.db.get<any>('SELECT acknowledged_at, acknowledged_by FROM indicator_alerts WHERE id = 1');
    expect(first.acknowledged_by).toBe('ana');
    const before = await snapshot();
    for (let i = 0; i < 3; i++) {
      const r = await send('/alerts/1/acknowledge', {});
      expect(r.status).toBe(200);
      expect((await r.json()).alert).toMatchObject(first);
    }
    expect(await snapshot()).toBe(before);
    expect(await bot.app.db.all("SELECT action, actor FROM audit_log WHERE target_type = 'alert'")).toEqual([{ action: 'acknowledge_alert', actor: 'ana' }]);
  });
});
