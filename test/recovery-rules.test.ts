import { beforeAll, describe, expect, it } from 'vitest';
import { ruleSentiment, withRules } from '../src/nlp/classify/rules';
import { TopicTagger } from '../src/nlp/classify/topics';
import type { Classifier, SentimentScore } from '../src/nlp/classify/types';
import { loadTaxonomy } from '../src/nlp/taxonomy';
import { createClassifier } from '../src/nlp/classify/engine';
import { decideFollowup } from '../src/survey/followups';

// Cases written for these tests (not taken from the development set).
let engine: Classifier;
beforeAll(async () => {
  engine = await createClassifier({ engine: 'lexical' }); // the real engine, with the rule in front
}, 180_000);

describe('short affirmations and non-comments are neutral by rule', () => {
  it.each(['是的', '是啊', '嗯嗯', '好的', '對', 'ok', 'okay', 'yes', 'yep', 'sure', 'fine', 'no', 'nope', 'none', 'nothing', '没有', '沒有', '无', '没意见', '一般', '还行吧', 'so-so'])(
    '%s → neutral',
    (text) => expect(ruleSentiment(text)?.label).toBe('neutral'),
  );

  it.each(['太好了，非常感谢', 'great service', '客服态度很差', 'the wait was awful', 'thanks a lot', '我要投诉你们'])('%s is left to the model', (text) => {
    expect(ruleSentiment(text)).toBeUndefined();
  });

  it('sits in front of the engine: ruled texts never reach it, the rest keep their order', async () => {
    const seen: string[] = [];
    const engine: Classifier = {
      info: { engine: 'lexical', id: 'fake-for-order', version: '1' },
      async sentiment(texts: string[]): Promise<SentimentScore[]> {
        seen.push(...texts);
        return texts.map(() => ({ label: 'negative', confidence: 0.9 }));
      },
    };
    const r = await withRules(engine).sentiment(['是的', '等了一个小时', 'ok', 'rude agent']);
    expect(seen).toEqual(['等了一个小时', 'rude agent']);
    expect(r.map((x) => x.label)).toEqual(['neutral', 'negative', 'neutral', 'negative']);
  });

  it('the real engine built by createClassifier has the rule', async () => {
    const [a, b] = await engine.sentiment(['是的', '快递太慢了，客服也不回消息']);
    expect(a).toEqual({ label: 'neutral', confidence: 1 });
    expect(b.label).toBe('negative');
  });
});

describe('the follow-up decision combines rating, resolved and the comment', () => {
  const csat = (value: number) => ({ value, min: 1, max: 5 });
  it('a low rating or "not resolved" is enough by itself', () => {
    expect(decideFollowup({ csat: csat(2) })).toMatchObject({ open: true, reason: 'low_csat' });
    expect(decideFollowup({ resolved: 'no' })).toMatchObject({ open: true, reason: 'not_resolved' });
  });
  it('a negative comment needs more confidence the better the rating', () => {
    expect(decideFollowup({ csat: csat(5), sentiment: 'negative', confidence: 0.8 }).open).toBe(false);
    expect(decideFollowup({ csat: csat(5), sentiment: 'negative', confidence: 0.95 })).toMatchObject({ open: true, reason: 'negative_feedback' });
    expect(decideFollowup({ csat: csat(4), sentiment: 'negative', confidence: 0.65 }).open).toBe(true);
    expect(decideFollowup({ csat: csat(4), sentiment: 'negative', confidence: 0.5 }).open).toBe(false);
    expect(decideFollowup({ csat: csat(3), sentiment: 'negative', confidence: 0.55 }).open).toBe(true);
    expect(decideFollowup({ csat: csat(4), resolved: 'partly', sentiment: 'negative', confidence: 0.52 }).open).toBe(true);
  });
  it('no follow-up on a neutral or positive comment with a good rating, and the signals are kept', () => {
    const d = decideFollowup({ csat: csat(5), resolved: 'yes', sentiment: 'neutral', confidence: 1 });
    expect(d).toEqual({ open: false, signals: { csat: csat(5), resolved: 'yes', sentiment: 'neutral', confidence: 1 } });
  });
});

describe('per-topic sentiment by clause', () => {
  const tagger = new TopicTagger(loadTaxonomy('models/taxonomy.yaml'));
  it('a mixed comment gives each topic the sentiment of its own clause, and names it', async () => {
    const text = '客服小王态度特别好，但是配送太慢了，等了两个小时';
    const tags = await tagger.tag(text, engine);
    const attitude = tags.find((t) => t.topic === 'attitude');
    const speed = tags.find((t) => t.topic === 'response_speed');
    expect(attitude).toMatchObject({ sentiment: 'positive' });
    expect(attitude!.clause).toMatch(/态度特别好/);
    expect(attitude!.clause).not.toMatch(/慢/);
    expect(speed).toMatchObject({ sentiment: 'negative' });
    expect(speed!.clause).toMatch(/慢/);
    const [s, e] = speed!.span!;
    expect(text.slice(s, e)).toBe(speed!.clause);
  });
  it('splits at English contrast words too', async () => {
    const tags = await tagger.tag('The agent was friendly and polite, however the delivery was very slow', engine);
    expect(tags.find((t) => t.topic === 'attitude')?.sentiment).toBe('positive');
    expect(tags.find((t) => t.topic === 'response_speed')?.sentiment).toBe('negative');
  });
});
