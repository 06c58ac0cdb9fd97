import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';

let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot();
});
afterAll(async () => bot?.stop());

const TABLES = ['interactions', 'transcript', 'bot_state', 'processed_activities', 'surveys', 'survey_answers', 'feedback'];
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = (await bot.app.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n;
  return out;
}

const raw = (body: string, type = 'application/json') =>
  fetch(`${bot.app.url}/api/messages`, { method: 'POST', headers: { 'content-type': type }, body });

describe('rejected requests: a clean 4xx and nothing stored', () => {
  const base = () => bot.customer().activity({ text: 'hello' });
  const cases: [string, () => string, string, number][] = [
    ['invalid JSON', () => '{"type": "message", ', 'application/json', 400],
    ['form-encoded body', () => 'type=message&text=hi', 'application/x-www-form-urlencoded', 415],
    ['plain text', () => 'hello', 'text/plain', 415],
    ['JSON null', () => 'null', 'application/json', 400],
    ['a JSON string', () => '"message"', 'application/json', 400],
    ['missing type', () => JSON.stringify({ ...base(), type: undefined }), 'application/json', 400],
    ['type is a number', () => JSON.stringify({ ...base(), type: 5 }), 'application/json', 400],
    ['missing conversation', () => JSON.stringify({ ...base(), conversation: undefined }), 'application/json', 400],
    ['serviceUrl not http', () => JSON.stringify({ ...base(), serviceUrl: 'javascript:alert(1)' }), 'application/json', 400],
    ['text is an object', () => JSON.stringify({ ...base(), text: { a: 1 } }), 'application/json', 400],
    ['1 MB text', () => JSON.stringify({ ...base(), text: 'x'.repeat(1024 * 1024) }), 'application/json', 413],
    ['huge unknown field', () => JSON.stringify({ ...base(), junk: 'y'.repeat(400_000) }), 'application/json', 413],
    ['text over 20k characters', () => JSON.stringify({ ...base(), text: '字'.repeat(20_001) }), 'application/json', 413],
  ];
  it.each(cases)('%s', async (_name, body, type, status) => {
    const before = await counts();
    const res = await raw(body(), type);
    expect(res.status).toBe(status);
    const json = await res.json();
    expect(String(json.error ?? json.message).length).toBeGreaterThan(3);
    expect(await counts()).toEqual(before);
  });
});

describe('odd but valid text: a graceful reply, stored safely', () => {
  const texts: [string, string][] = [
    ['control characters', 'hello\u0000\u0007\u001b[31m world'],
    ['lone surrogates', 'refund \uD800 please \uDC00'],
    ['RTL marks', '\u202Erefund\u202C \u200Fstatus'],
    ['emoji', '😡😡 where is my order 📦'],
    ['mixed scripts', '我的order还没到 where is it? 謝謝'],
    ['SQL injection', "'; DROP TABLE interactions; --"],
    ['SQL injection 2', '1 OR 1=1; DELETE FROM transcript WHERE 1=1'],
    ['HTML and script', '<script>alert("x")</script><img src=x onerror=alert(1)>'],
    ['only whitespace', '   \n\t  '],
  ];
  it.each(texts)('%s', async (_name, text) => {
    const c = bot.customer({ locale: 'en-US' });
    const replies = await c.say(text);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.every((r) => typeof r.text === 'string' && r.text.length > 0)).toBe(true);
    // the tables are intact and the transcript holds the customer's turn
    const rows = await bot.app.db.all<{ role: string }>(
      'SELECT t.role FROM transcript t JOIN interactions i ON i.id = t.interaction_id WHERE i.conversation_id = ?',
      [c.conversationId],
    );
    expect(rows.some((r) => r.role === 'customer')).toBe(true);
  });

  it.each(['fr-FR', 'xx', 'klingon-KL', ''])('unknown locale "%s" is answered in a supported language', async (locale) => {
    const c = bot.customer({ locale });
    const replies = await c.say('How do I reset my password?');
    expect(replies[0].text).toBe(bot.app.kb.byId.get('account.reset_password')!.answer.en);
  });

  it('a replayed activity id is idempotent', async () => {
    const c = bot.customer({ locale: 'en-US' });
    const act = c.activity({ text: 'where is my order' });
    await c.post(act);
    const after1 = await counts();
    await c.post(act);
    await c.post(act);
    expect(await counts()).toEqual(after1);
  });

  it('out-of-order timestamps are accepted and stored in arrival order', async () => {
    const c = bot.customer({ locale: 'en-US' });
    await c.post(c.activity({ text: 'hello', timestamp: '2030-01-01T00:00:00Z' }));
    await c.post(c.activity({ text: 'where is my order', timestamp: '2001-01-01T00:00:00Z' }));
    const rows = await bot.app.db.all<{ text: string }>(
      "SELECT t.text FROM transcript t JOIN interactions i ON i.id = t.interaction_id WHERE i.conversation_id = ? AND t.role = 'customer' ORDER BY t.id",
      [c.conversationId],
    );
    expect(rows.map((r) => r.text)).toEqual(['hello', 'where is my order']);
  });
});
