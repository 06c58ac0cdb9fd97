import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, beforeAll, vi } from 'vitest';
import { ConfigError } from '../src/configError';
import { classifierHealth, createClassifier } from '../src/nlp/classify/engine';
import { LexicalClassifier } from '../src/nlp/classify/lexical';
import { ClassificationPipeline } from '../src/nlp/classify/pipeline';
import { TopicTagger } from '../src/nlp/classify/topics';
import { loadTaxonomy, validateTaxonomy } from '../src/nlp/taxonomy';

let pipeline: ClassificationPipeline;
let lexical: LexicalClassifier;

beforeAll(() => {
  lexical = LexicalClassifier.load();
  pipeline = new ClassificationPipeline(lexical, new TopicTagger(loadTaxonomy(), undefined));
});

const topicIds = (r: { topics: { topic: string }[] }) => r.topics.map((t) => t.topic);

describe('classification pipeline (lexical engine)', () => {
  it('tags Simplified Chinese with sentiment, per-topic sentiment and the model id', async () => {
    const r = await pipeline.classify('送餐太慢了，等了两个小时，但是小哥态度很好');
    expect(r.language).toBe('zh-CN');
    expect(r.model).toMatchObject({ engine: 'lexical', id: 'lexical-sentiment' });
    expect(r.model.version).toBeTruthy();
    const speed = r.topics.find((t) => t.topic === 'response_speed');
    const attitude = r.topics.find((t) => t.topic === 'attitude');
    expect(speed?.sentiment).toBe('negative');
    expect(attitude?.sentiment).toBe('positive');
  });

  it('tags Traditional Chinese', async () => {
    const r = await pipeline.classify('客服態度非常差，問題一直沒有解決，很失望');
    expect(r.language).toBe('zh-TW');
    expect(r.sentiment).toBe('negative');
    expect(topicIds(r)).toContain('attitude');
    const good = await pipeline.classify('服務很好，回覆很快，非常滿意');
    expect(good.sentiment).toBe('positive');
  });

  it('tags English, positive and negative', async () => {
    const bad = await pipeline.classify('Terrible service, I waited 3 hours and the agent was rude.');
    expect(bad.language).toBe('en');
    expect(bad.sentiment).toBe('negative');
    expect(topicIds(bad)).toEqual(expect.arrayContaining(['response_speed', 'attitude']));
    const good = await pipeline.classify('Thank you so much, great help and very friendly staff!');
    expect(good.sentiment).toBe('positive');
  });

  it('redacts personal data before classifying', async () => {
    const r = await pipeline.classify('请打我电话 13812345678 处理退款，太慢了');
    expect(r.text).not.toContain('13812345678');
    expect(r.redactedKinds.length).toBeGreaterThan(0);
  });

  it('never calls an empty or "no comment" answer positive', async () => {
    expect((await pipeline.classify('   ')).sentiment).toBeNull();
    for (const t of ['没有', '无', '沒意見', 'no comment', 'None.', '没有。']) {
      const r = await pipeline.classify(t);
      expect(r.sentiment, t).toBe('neutral');
      expect(r.topics).toEqual([]);
    }
  });
});

describe('taxonomy validation', () => {
  it('names the bad field', () => {
    expect(() => validateTaxonomy({ topics: [{ id: 'x', name: { zh: 'x' }, description: { zh: 'a', en: 'b' } }] }, 't.yaml')).toThrow(
      /t\.yaml: topics\[0\]\.name\.en: must be a non-empty string/,
    );
    expect(() => validateTaxonomy({ topics: [] }, 't.yaml')).toThrow(ConfigError);
  });
});

describe('engine fallback', () => {
  it('falls back to lexical on a corrupt ONNX file, with a warning and a health status', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlp-corrupt-'));
    const m = join(dir, 'broken');
    mkdirSync(join(m, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join('models/sentiment-tiny', f), join(m, f));
    writeFileSync(join(m, 'onnx', 'model.onnx'), 'this is not a model');
    const warnings: string[] = [];
    // transformers.js and onnxruntime may print the parse failure themselves: expected here, kept out of the test log
    const printed = [vi.spyOn(console, 'warn').mockImplementation(() => undefined), vi.spyOn(console, 'error').mockImplementation(() => undefined)];
    let c;
    try {
      c = await createClassifier({ engine: 'transformer', modelsDir: dir, modelId: 'broken' }, (msg) => warnings.push(msg));
    } finally {
      printed.forEach((p) => p.mockRestore());
    }
    expect(c.info.engine).toBe('lexical');
    expect(warnings).toHaveLength(1);
    const h = classifierHealth();
    expect(h).toMatchObject({ ok: false, requested: 'transformer', engine: 'lexical' });
    expect(h.warning).toMatch(/broken/);
    const [s] = await c.sentiment(['味道很好，非常满意']);
    expect(s.label).toBe('positive');
  });

  it('falls back when the model folder is missing', async () => {
    const c = await createClassifier({ engine: 'transformer', modelsDir: tmpdir(), modelId: 'no-such-model' }, () => undefined);
    expect(c.info.engine).toBe('lexical');
    expect(classifierHealth().warning).toMatch(/missing/);
  });
});
