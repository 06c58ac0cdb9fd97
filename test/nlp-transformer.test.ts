import { describe, expect, it } from 'vitest';
import { TransformerClassifier } from '../src/nlp/classify/transformer';

// Loads the committed ONNX model (models/sentiment-tiny) through transformers.js, offline.
describe('committed transformer model', () => {
  it('gets clearly positive and negative sentences right in each language', async () => {
    const clf = await TransformerClassifier.load({ modelsDir: 'models', modelId: 'sentiment-tiny' });
    expect(clf.info.engine).toBe('transformer');
    const cases: [string, string][] = [
      ['非常好吃，送餐很快，服务很好，五星好评！', 'positive'],
      ['太难吃了，送餐超级慢，态度很差，再也不会点了', 'negative'],
      ['非常滿意，服務很好，房間乾淨，下次還會再來', 'positive'],
      ['房間很髒，服務態度很差，非常失望', 'negative'],
      ['Thank you so much, the crew was amazing and the flight was great!', 'positive'],
      ['Worst airline ever, flight delayed 5 hours and they lost my bag.', 'negative'],
    ];
    const out = await clf.sentiment(cases.map((c) => c[0]));
    expect(out.map((o) => o.label)).toEqual(cases.map((c) => c[1]));
  });
});
