import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';

// Service recovery end to end over real HTTP, with a 48-hour follow-up clock configured.
describe('service recovery quotes the configured hours, records its signals, and "好的" takes the offer', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({}, { survey: { settings: { followupDueHours: 48, proactiveChannels: ['emulator'] } } });
  }, 120_000);
  afterAll(async () => {
    await bot.stop();
  });
  const followups = (conversationId: string) =>
    bot.app.db.all<{ reason: string; reason_detail: string | null; due_at: string; created_at: string }>(
      'SELECT f.* FROM followups f JOIN interactions i ON i.id = f.interaction_id WHERE i.conversation_id = ?',
      [conversationId],
    );

  it('a very low rating in words: one card with the apology and 48 hours, follow-up with its signals', async () => {
    const c = bot.customer({ locale: 'en-US' });
    await c.say('How do I reset my password?');
    await c.say('yes, thanks');
    const replies = await c.say('absolutely terrible');
    const apology = replies.find((r) => /sorry/.test(r.text ?? ''))!;
    expect(apology.text).toMatch(/within 48 hours/);
    expect(JSON.stringify(apology.attachments)).not.toMatch(/sorry/); // one rendering: the card has only the buttons
    const [f] = await followups(c.conversationId);
    expect(f.reason).toBe('low_csat');
    expect(JSON.parse(f.reason_detail!)).toEqual({ csat: { value: 1, min: 1, max: 5 } });
    expect(Date.parse(f.due_at) - Date.parse(f.created_at)).toBe(48 * 3600_000);
  });

  it('a 4 with a real complaint: follow-up after classification, proactive apology, and "好的" hands over', async () => {
    const c = bot.customer({ locale: 'zh-CN' });
    await c.say('怎么重置密码');
    await c.say('解决了');
    await c.say('4');
    await c.say('客服态度太差了，一直敷衍我，问了三遍都没人管');
    const all = await bot.channel.waitFor(c.conversationId, 1, 20_000).then(async () => {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !(await followups(c.conversationId)).length) await new Promise((r) => setTimeout(r, 100));
      return followups(c.conversationId);
    });
    expect(all.map((f) => f.reason)).toEqual(['negative_feedback']);
    const detail = JSON.parse(all[0].reason_detail!);
    expect(detail).toMatchObject({ csat: { value: 4 }, sentiment: 'negative' });
    expect(detail.confidence).toBeGreaterThanOrEqual(0.6);
    const deadline = Date.now() + 10_000;
    let offer = c.newReplies();
    while (!offer.some((r) => /48 小时/.test(r.text ?? '')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      offer = offer.concat(c.newReplies());
    }
    expect(offer.map((r) => r.text).join('\n')).toMatch(/专人会在 48 小时内联系您/);
    await c.say('好的');
    const row = await bot.app.db.get<{ handoff_reason: string }>(
      'SELECT handoff_reason FROM interactions WHERE conversation_id = ? ORDER BY started_at DESC LIMIT 1',
      [c.conversationId],
    );
    expect(row!.handoff_reason).toBe('recovery');
  }, 60_000);

  it('a top rating with "嗯" opens nothing', async () => {
    const c = bot.customer({ locale: 'zh-CN' });
    await c.say('怎么重置密码');
    await c.say('解决了');
    await c.say('5');
    await c.say('嗯');
    await new Promise((r) => setTimeout(r, 1500));
    const fb = await bot.app.db.get<{ sentiment: string | null }>(
      'SELECT f.sentiment FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE i.conversation_id = ?',
      [c.conversationId],
    );
    expect(fb?.sentiment ?? 'neutral').toBe('neutral');
    expect(await followups(c.conversationId)).toEqual([]);
  });
});
