import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../src/web/directline/tokens';
import { startTestBot, type TestBot } from './helpers/app';

// Bad input against the self-hosted Direct Line: a clean 4xx with a JSON error and nothing stored,
// or a graceful bot reply with the customer's text kept as sent, except personal data, which is redacted
// before the history is written (test/privacy.test.ts checks no table holds it).
const SECRET = 'bad-input-directline-secret';
let bot: TestBot;
const dl = () => `${bot.app.url}/directline/v3/directline`;
const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });

beforeAll(async () => {
  bot = await startTestBot({ DIRECTLINE_SECRET: SECRET });
});
afterAll(async () => bot?.stop());

const TABLES = ['directline_conversations', 'directline_activities', 'interactions', 'transcript', 'bot_state', 'surveys', 'survey_answers', 'feedback'];
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = (await bot.app.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n;
  return out;
}

async function activities(cid: string, token: string, watermark = ''): Promise<any[]> {
  const r = await fetch(`${dl()}/conversations/${cid}/activities?watermark=${watermark}`, { headers: auth(token) });
  expect(r.status).toBe(200);
  return (await r.json()).activities;
}

/** A started conversation whose welcome turn has landed, so later counts are stable. */
async function open(locale = 'en-US'): Promise<{ cid: string; token: string }> {
  const g = await (await fetch(`${dl()}/tokens/generate`, { method: 'POST', headers: auth(SECRET), body: '{}' })).json();
  const r = await fetch(`${dl()}/conversations`, { method: 'POST', headers: auth(g.token), body: JSON.stringify({ locale }) });
  expect(r.status).toBe(201);
  for (let i = 0; i < 100; i++) {
    if ((await activities(g.conversationId, g.token)).some((a) => a.from.role === 'bot')) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  return { cid: g.conversationId, token: g.token };
}

const expectError = async (r: Response, status: number) => {
  expect(r.status).toBe(status);
  const json = await r.json();
  expect(String(json.error ?? json.message).length).toBeGreaterThan(3);
};

describe('Direct Line auth: wrong, missing and misplaced credentials', () => {
  let conv: { cid: string; token: string };
  let other: { cid: string; token: string };
  beforeAll(async () => {
    conv = await open();
    other = await open();
  });
  // An expired token correctly signed with the same secret (issued by a clock an hour back).
  const expired = () => new TokenService(SECRET, 60, () => new Date(Date.now() - 3600_000)).issue(conv.cid, 'dl_x').token;
  const msg = JSON.stringify({ type: 'message', text: 'hello' });
  const cases: [string, () => { path: string; method: string; auth?: string; body?: string }, number][] = [
    ['no Authorization on GET activities', () => ({ path: `/conversations/${conv.cid}/activities`, method: 'GET' }), 401],
    ['no Authorization on POST activities', () => ({ path: `/conversations/${conv.cid}/activities`, method: 'POST', body: msg }), 401],
    ['garbage token', () => ({ path: `/conversations/${conv.cid}/activities`, method: 'POST', auth: 'garbage', body: msg }), 401],
    ['forged dl1 token', () => ({ path: `/conversations/${conv.cid}/activities`, method: 'POST', auth: 'dl1.e30.AAAA', body: msg }), 401],
    ['Basic instead of Bearer', () => ({ path: `/conversations/${conv.cid}/activities`, method: 'GET', auth: '' }), 401],
    ['expired token', () => ({ path: `/conversations/${conv.cid}/activities`, method: 'POST', auth: expired(), body: msg }), 401],
    ["another conversation's token (POST)", () => ({ path: `/conversations/${conv.cid}/activities`, method: 'POST', auth: other.token, body: msg }), 403],
    ["another conversation's token (GET)", () => ({ path: `/conversations/${conv.cid}/activities`, method: 'GET', auth: other.token }), 403],
    ['a token to generate tokens', () => ({ path: '/tokens/generate', method: 'POST', auth: conv.token, body: '{}' }), 403],
    ['the secret to refresh a token', () => ({ path: '/tokens/refresh', method: 'POST', auth: SECRET, body: '{}' }), 403],
    ['the secret with a trailing char', () => ({ path: '/tokens/generate', method: 'POST', auth: SECRET + 'x', body: '{}' }), 401],
    ['unknown conversation with the secret', () => ({ path: '/conversations/no-such-conv/activities', method: 'POST', auth: SECRET, body: msg }), 404],
    ['unknown conversation with a token', () => ({ path: '/conversations/no-such-conv/activities', method: 'GET', auth: conv.token }), 403],
    ['unknown conversation reconnect', () => ({ path: '/conversations/no-such-conv', method: 'GET', auth: SECRET }), 404],
  ];
  it.each(cases)('%s', async (_name, make, status) => {
    const c = make();
    const before = await counts();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (c.auth !== undefined) headers.authorization = c.auth ? `Bearer ${c.auth}` : 'Basic dXNlcjpwYXNz';
    await expectError(await fetch(dl() + c.path, { method: c.method, headers, body: c.body }), status);
    expect(await counts()).toEqual(before);
  });

  it('the secret may read and post to any conversation, as the protocol allows', async () => {
    expect((await fetch(`${dl()}/conversations/${conv.cid}/activities`, { headers: auth(SECRET) })).status).toBe(200);
    const r = await fetch(`${dl()}/conversations/${conv.cid}/activities`, { method: 'POST', headers: auth(SECRET), body: msg });
    expect(r.status).toBe(200);
    expect((await r.json()).id).toMatch(new RegExp(`^${conv.cid}\\|`));
  });
});

describe('Direct Line POST activities: rejected bodies store nothing', () => {
  let conv: { cid: string; token: string };
  beforeAll(async () => {
    conv = await open();
  });
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const cases: [string, () => string, string, number][] = [
    ['invalid JSON', () => '{"type": "message", ', 'application/json', 400],
    ['JSON null', () => 'null', 'application/json', 400],
    ['a JSON array', () => '[{"type":"message","text":"hi"}]', 'application/json', 400],
    ['a JSON string', () => '"message"', 'application/json', 400],
    ['plain text', () => 'hello', 'text/plain', 415],
    ['JSON sent as text/plain', () => JSON.stringify({ type: 'message', text: 'hi' }), 'text/plain', 415],
    ['form-encoded body', () => 'type=message&text=hi', 'application/x-www-form-urlencoded', 415],
    ['missing type', () => JSON.stringify({ text: 'hello' }), 'application/json', 400],
    ['empty type', () => JSON.stringify({ type: '', text: 'hello' }), 'application/json', 400],
    ['type is a number', () => JSON.stringify({ type: 5, text: 'hello' }), 'application/json', 400],
    ['text is an object', () => JSON.stringify({ type: 'message', text: { a: 1 } }), 'application/json', 400],
    ['text over 20k characters', () => JSON.stringify({ type: 'message', text: '字'.repeat(20_001) }), 'application/json', 400],
    ['1 MB text (over the body limit)', () => JSON.stringify({ type: 'message', text: 'x'.repeat(1024 * 1024) }), 'application/json', 413],
    ['huge value object', () => JSON.stringify({ type: 'message', value: Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`k${i}`, 'v'.repeat(8)])) }), 'application/json', 413],
    ['client id is a number', () => JSON.stringify({ type: 'message', text: 'hi', id: 42 }), 'application/json', 400],
    ['client id over 200 characters', () => JSON.stringify({ type: 'message', text: 'hi', channelData: { clientActivityID: 'k'.repeat(201) } }), 'application/json', 400],
    ['deeply nested value', () => `{"type":"message","value":${deep(50_000)}}`, 'application/json', 400],
    ['deeply nested channelData', () => `{"type":"message","text":"hi","channelData":${deep(5_000)}}`, 'application/json', 400],
  ];
  it.each(cases)('%s', async (_name, body, type, status) => {
    const before = await counts();
    const r = await fetch(`${dl()}/conversations/${conv.cid}/activities`, { method: 'POST', headers: { ...auth(conv.token), 'content-type': type }, body: body() });
    await expectError(r, status);
    expect(await counts()).toEqual(before);
  });

  it('a typing activity is acknowledged and not stored', async () => {
    const before = await counts();
    const r = await fetch(`${dl()}/conversations/${conv.cid}/activities`, { method: 'POST', headers: auth(conv.token), body: JSON.stringify({ type: 'typing' }) });
    expect(r.status).toBe(200);
    expect(await counts()).toEqual(before);
  });
});

describe('Direct Line odd but valid input: a graceful reply, stored as given (personal data redacted)', () => {
  // [case, text sent, text stored in directline_activities and replayed on reload]
  const texts: [string, string, string][] = [
    ['control characters', 'hello\u0000\u0007\u001b[31m world', 'hello\u0000\u0007\u001b[31m world'],
    ['lone surrogates', 'refund \uD800 please \uDC00', 'refund \uD800 please \uDC00'],
    ['RTL marks', '\u202Erefund\u202C \u200Fstatus', '\u202Erefund\u202C \u200Fstatus'],
    ['emoji', '😡😡 where is my order 📦', '😡😡 where is my order 📦'],
    ['mixed scripts', '我的order还没到 where is it? 謝謝', '我的order还没到 where is it? 謝謝'],
    ['SQL injection', "'; DROP TABLE directline_activities; --", "'; DROP TABLE directline_activities; --"],
    ['HTML and script', '<script>alert("x")</script><img src=x onerror=alert(1)>', '<script>alert("x")</script><img src=x onerror=alert(1)>'],
    ['order number and amount (not personal data)', 'order 20261123 of ¥1299.00', 'order 20261123 of ¥1299.00'],
    ['phone number', '我的电话是13812345678，请回电', '我的电话是[PHONE]，请回电'],
    ['e-mail inside HTML', '<b>mail me: wang.fang@example.com</b>', '<b>mail me: [EMAIL]</b>'],
    ['Chinese ID with RTL mark', '\u200F身份证 11010519491231002X', '\u200F身份证 [ID]'],
  ];
  it.each(texts)('%s', async (_name, text, stored) => {
    const { cid, token } = await open();
    const r = await fetch(`${dl()}/conversations/${cid}/activities`, { method: 'POST', headers: auth(token), body: JSON.stringify({ type: 'message', text }) });
    expect(r.status).toBe(200);
    const { id } = await r.json();
    const all = await activities(cid, token);
    const mine = all.findIndex((a) => a.id === id);
    expect(all[mine].text).toBe(stored);
    const replies = all.slice(mine + 1).filter((a) => a.from.role === 'bot' && a.type === 'message');
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.every((a) => typeof a.text === 'string' && a.text.length > 0)).toBe(true);
  });

  it.each(['xx', 'klingon-KL', 'x'.repeat(30)])('unknown locale "%s": welcome and answers in a supported language', async (locale) => {
    const { cid, token } = await open(locale);
    const r = await fetch(`${dl()}/conversations/${cid}/activities`, {
      method: 'POST',
      headers: auth(token),
      body: JSON.stringify({ type: 'message', text: 'How do I reset my password?', locale }),
    });
    expect(r.status).toBe(200);
    const all = await activities(cid, token);
    expect(all.some((a) => a.from.role === 'bot' && a.text === bot.app.kb.byId.get('account.reset_password')!.answer.en)).toBe(true);
  });
});

describe('Direct Line watermarks and duplicate activity ids', () => {
  let conv: { cid: string; token: string };
  beforeAll(async () => {
    conv = await open();
  });

  it.each(['-1', 'abc', '1e309', '', '1.5', '1e999'])('watermark "%s" is read as "from the start"', async (w) => {
    const all = await activities(conv.cid, conv.token);
    const r = await fetch(`${dl()}/conversations/${conv.cid}/activities?watermark=${encodeURIComponent(w)}`, { headers: auth(conv.token) });
    expect(r.status).toBe(200);
    expect((await r.json()).activities).toEqual(all);
  });

  it('a huge watermark gives an empty page, not an error', async () => {
    const r = await fetch(`${dl()}/conversations/${conv.cid}/activities?watermark=99999999999999999999`, { headers: auth(conv.token) });
    expect(r.status).toBe(200);
    expect((await r.json()).activities).toEqual([]);
  });

  for (const [name, extra] of [
    ['channelData.clientActivityID (Web Chat)', (k: string) => ({ channelData: { clientActivityID: k } })],
    ['a client-set id', (k: string) => ({ id: k })],
  ] as const) {
    it(`an activity posted twice with the same ${name} is stored and answered once`, async () => {
      const { cid, token } = await open();
      const act = { type: 'message', text: 'where is my order', ...extra(`client-${Math.random()}`) };
      const post = () => fetch(`${dl()}/conversations/${cid}/activities`, { method: 'POST', headers: auth(token), body: JSON.stringify(act) });
      const first = await post();
      expect(first.status).toBe(200);
      const id1 = (await first.json()).id;
      const after1 = await counts();
      // replayed twice in sequence and twice at once
      const again = [await post(), ...(await Promise.all([post(), post()]))];
      for (const r of again) {
        expect(r.status).toBe(200);
        expect((await r.json()).id).toBe(id1);
      }
      expect(await counts()).toEqual(after1);
      const users = (await activities(cid, token)).filter((a) => a.from.role === 'user');
      expect(users.map((a) => a.text)).toEqual(['where is my order']);
      // a different client id is a new activity
      const other = await fetch(`${dl()}/conversations/${cid}/activities`, { method: 'POST', headers: auth(token), body: JSON.stringify({ ...act, ...extra('another-key') }) });
      expect((await other.json()).id).not.toBe(id1);
    });
  }
});
