import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifierConfigFromEnv } from '../src/nlp/classify/engine';
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

// No NLI model can be downloaded here, so the zero-shot path runs the real transformers.js
// zero-shot pipeline on the committed network relabelled in NLI layout: the scores mean nothing,
// but the loading, the hypothesis pairs and the label mapping are the real code path.
describe('zero-shot (NLI) task', () => {
  it('runs a local NLI-layout model through the zero-shot pipeline and maps its labels', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nli-'));
    try {
      const src = resolve('models/sentiment-tiny');
      const dst = join(dir, 'nli-tiny');
      mkdirSync(dst);
      for (const f of readdirSync(src)) if (f !== 'config.json' && f !== 'training.json') symlinkSync(join(src, f), join(dst, f));
      const cfg = JSON.parse(readFileSync(join(src, 'config.json'), 'utf8'));
      cfg.id2label = { 0: 'contradiction', 1: 'neutral', 2: 'entailment' };
      cfg.label2id = { contradiction: 0, neutral: 1, entailment: 2 };
      writeFileSync(join(dst, 'config.json'), JSON.stringify(cfg));
      const clf = await TransformerClassifier.load({ modelsDir: dir, modelId: 'nli-tiny', task: 'zero-shot-classification' });
      expect(clf.info.id).toBe('nli-tiny-zeroshot');
      const out = await clf.sentiment(['The service was great', '服务太差了']);
      expect(out).toHaveLength(2);
      for (const o of out) {
        expect(['negative', 'neutral', 'positive']).toContain(o.label);
        expect(o.confidence).toBeGreaterThan(0);
        expect(o.confidence).toBeLessThanOrEqual(1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown engine or task naming the variable', () => {
    expect(() => classifierConfigFromEnv({ CLASSIFIER_ENGINE: 'bert' })).toThrow(/CLASSIFIER_ENGINE/);
    expect(() => classifierConfigFromEnv({ CLASSIFIER_TASK: 'ner' })).toThrow(/CLASSIFIER_TASK/);
    expect(classifierConfigFromEnv({ CLASSIFIER_TASK: 'zero-shot-classification' }).task).toBe('zero-shot-classification');
  });
});
