import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';

let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot();
});
afterAll(async () => bot?.stop());

const answerOf = (id: string, locale: 'en' | 'zh-CN' | 'zh-TW') => bot.app.kb.byId.get(id)!.answer[locale];

describe('conversations over real HTTP, the Emulator way', () => {
  it('welcomes a new member', async () => {
    const c = bot.customer({ locale: 'en-US' });
    const replies = await c.join();
    expect(c.texts(replies)).toMatch(/customer-service assistant/);
  });

  it('answers an English question, asks whether it helped and stores the answer', async () => {
    const c = bot.customer({ locale: 'en-US' });
    const replies = await c.say('I forgot my password, how can I reset it?');
    expect(replies[0].text).toBe(answerOf('account.reset_password', 'en'));
    expect(replies[1].text).toBe('Did that solve your problem?');
    expect(replies[1].suggestedActions?.actions.map((a) => a.title)).toEqual(['Yes', 'Partly', 'No']);
    await c.say('Partly');
    const row = await bot.app.db.get<{ resolved: string; locale: string; customer_turns: number }>(
      'SELECT resolved, locale, customer_turns FROM interactions WHERE conversation_id = ?',
      [c.conversationId],
    );
    expect(row).toMatchObject({ resolved: 'partly', locale: 'en', customer_turns: 2 });
  });

  it('answers in Simplified Chinese even when the Emulator sends en-US', async () => {
    const c = bot.customer({ locale: 'en-US' });
    const replies = await c.say('忘记密码了怎么办');
    expect(replies[0].text).toBe(answerOf('account.reset_password', 'zh-CN'));
    expect(replies[1].text).toBe('这个回答解决您的问题了吗？');
  });

  it('answers in Traditional Chinese and keeps the locale for the conversation', async () => {
    const c = bot.customer({ locale: 'zh-TW' });
    const replies = await c.say('我想申請退款');
    expect(replies[0].text).toBe(answerOf('billing.refund_how', 'zh-TW'));
    // thanks in reply to "did that solve it?" is a yes
    const next = await c.say('謝謝');
    expect(next[0].text).toBe('太好了，很高興能幫到您！');
  });

  it('is honest about a low-confidence question and records the offer of a person', async () => {
    const c = bot.customer({ locale: 'en-US' });
    const replies = await c.say('What is the weather like on Mars tomorrow?');
    // one rendering: the words once, as text; the card holds only the button
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toMatch(/don't have a good answer/);
    expect(JSON.stringify(replies[0].attachments)).not.toMatch(/good answer/);
    expect(JSON.stringify(replies[0].attachments)).toMatch(/Talk to a person/);
    expect(replies[0].channelData).toMatchObject({ reply: 'fallback' });
    const row = await bot.app.db.get<{ handoff_offered: number; outcome: string }>(
      'SELECT handoff_offered, outcome FROM interactions WHERE conversation_id = ?',
      [c.conversationId],
    );
    expect(row).toMatchObject({ handoff_offered: 1, outcome: 'unanswered' });
  });

  it('offers the top candidates as suggested actions at medium confidence, and a click gets the answer', async () => {
    const c = bot.customer({ locale: 'en-US' });
    const replies = await c.say('delivery problem');
    const last = replies[replies.length - 1];
    const options = last.suggestedActions!.actions.map((a) => String(a.value));
    expect(options.length).toBeGreaterThanOrEqual(2);
    expect(options.length).toBeLessThanOrEqual(3);
    const picked = await c.say(options[0]);
    const entry = [...bot.app.kb.byId.values()].find((e) => e.questions.en[0] === options[0])!;
    expect(picked[0].text).toBe(entry.answer.en);
  });

  it('apologises in the customer\'s language when a turn fails, keeps stored data consistent and recovers', async () => {
    const c = bot.customer({ locale: 'en-US' }); // the Emulator's tag, whatever the customer types
    await c.say('怎么取消订单');
    const repo = bot.app.interactions;
    const touch = repo.touch;
    repo.touch = async () => {
      throw new Error('injected failure');
    };
    try {
      expect(c.texts(await c.say('谢谢'))).toBe('抱歉，系统出了点问题，请稍后再试。');
    } finally {
      repo.touch = touch;
    }
    const rows = await bot.app.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    expect(rows[0].n).toBe(1);
    expect(await bot.app.db.integrityCheck()).toBe('ok');
    const next = await c.say('怎么取消订单');
    expect(next[0].text).toBe(answerOf('order.cancel', 'zh-CN'));
  });

  it('ignores a redelivered activity with the same id', async () => {
    const c = bot.customer({ locale: 'en-US' });
    const act = c.activity({ text: 'hello' });
    await c.post(act);
    await c.post(act);
    expect(c.newReplies()).toHaveLength(1);
  });

  it('keeps conversation state across a server restart', async () => {
    const c = bot.customer({ locale: 'zh-CN' });
    await c.say('怎么取消订单');
    await bot.restart();
    // The bot still remembers it asked "did that solve it?", and the locale.
    const replies = await c.say('解决了');
    expect(replies[0].text).toBe('太好了，很高兴能帮到您！');
    const row = await bot.app.db.get<{ resolved: string }>('SELECT resolved FROM interactions WHERE conversation_id = ?', [c.conversationId]);
    expect(row?.resolved).toBe('yes');
  });
});

describe('malformed requests get a clear 4xx', () => {
  const post = (body: string, type = 'application/json') =>
    fetch(`${bot.app.url}/api/messages`, { method: 'POST', headers: { 'content-type': type }, body });

  it.each([
    ['not JSON', '{oops', 'application/json', 400],
    ['wrong content type', 'hello', 'text/plain', 415],
    ['no type', JSON.stringify({ text: 'hi', serviceUrl: 'http://127.0.0.1:1', conversation: { id: 'x' } }), 'application/json', 400],
    ['no conversation', JSON.stringify({ type: 'message', text: 'hi', serviceUrl: 'http://127.0.0.1:1' }), 'application/json', 400],
    ['an array', '[]', 'application/json', 400],
    ['over the size limit', JSON.stringify({ type: 'message', text: 'x'.repeat(300_000) }), 'application/json', 413],
  ])('%s', async (_name, body, type, status) => {
    const res = await post(body, type);
    expect(res.status).toBe(status);
    const json = await res.json();
    expect(typeof (json.error ?? json.message)).toBe('string');
  });

  it('still serves health after bad input', async () => {
    const res = await fetch(`${bot.app.url}/healthz`);
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', database: { ok: true } });
    expect(typeof body.version).toBe('string');
  });
});
