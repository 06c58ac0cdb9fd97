import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';

let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot({}, { classifierEnv: { CLASSIFIER_ENGINE: 'lexical' } });
});
afterAll(async () => bot?.stop());

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('open answers are tagged in the background', () => {
  it('tags a survey open answer with sentiment and topics within seconds, and a clearly negative one opens a follow-up', async () => {
    const c = bot.customer({ locale: 'zh-CN' });
    await c.say('怎么申请退款');
    await c.say('再见');
    await c.say(undefined, { value: { surveyItem: 'csat', value: 4 } });
    await c.say('客服态度很差，等了很久都没人回复，太失望了');
    const fb = await waitFor(() =>
      bot.app.db.get<{ id: number; sentiment: string; model_id: string; model_version: string }>(
        `SELECT f.id, f.sentiment, f.model_id, f.model_version FROM feedback f JOIN interactions i ON i.id = f.interaction_id
         WHERE i.conversation_id = ? AND f.classified_at IS NOT NULL`,
        [c.conversationId],
      ),
    );
    expect(fb.sentiment).toBe('negative');
    expect(fb.model_id).toBeTruthy();
    expect(fb.model_version).toBeTruthy();
    const topics = await bot.app.db.all<{ topic: string; sentiment: string }>("SELECT topic, sentiment FROM feedback_topics WHERE feedback_id = ? AND source = 'model'", [fb.id]);
    expect(topics.map((t) => t.topic)).toEqual(expect.arrayContaining(['attitude', 'response_speed']));
    const followup = await waitFor(() => bot.app.db.get<{ reason: string }>("SELECT reason FROM followups WHERE reason = 'negative_feedback' AND note = ?", [`feedback ${fb.id}`]));
    expect(followup.reason).toBe('negative_feedback');
    const health = await (await fetch(`${bot.app.url}/healthz`)).json();
    expect(health.models.classifier).toBeTruthy();
  });
});
