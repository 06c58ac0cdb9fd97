import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Classifier, ModelInfo, Sentiment, SentimentScore } from './types';

export const DEFAULT_TRANSFORMER_MODEL = 'sentiment-tiny';

export interface TransformerOptions {
  /** folder holding <modelId>/config.json etc. (transformers.js env.localModelPath) */
  modelsDir: string;
  modelId: string;
  /** allow a download from the Hugging Face Hub (only when the user turns it on) */
  allowRemote?: boolean;
  batchSize?: number;
  /**
   * `text-classification` (a sentiment model) or `zero-shot-classification` (an NLI model: each text
   * is scored against the hypotheses "This text is negative / neutral / positive.").
   */
  task?: TransformerTask;
}

export type TransformerTask = 'text-classification' | 'zero-shot-classification';
export const TRANSFORMER_TASKS: readonly TransformerTask[] = ['text-classification', 'zero-shot-classification'];
const ZERO_SHOT_LABELS = ['negative', 'neutral', 'positive'];
const ZERO_SHOT_TEMPLATE = 'This text is {}.';

type Pipe = (texts: string[], opts?: Record<string, unknown>) => Promise<{ label: string; score: number }[] | { label: string; score: number }>;

const LABEL_MAP: Record<string, Sentiment> = {
  negative: 'negative', neutral: 'neutral', positive: 'positive',
  label_0: 'negative', label_1: 'neutral', label_2: 'positive',
  '1 star': 'negative', '2 stars': 'negative', '3 stars': 'neutral', '4 stars': 'positive', '5 stars': 'positive',
};

/** Transformer engine: an ONNX text-classification model run by @xenova/transformers. */
export class TransformerClassifier implements Classifier {
  private constructor(
    private readonly pipe: Pipe,
    readonly info: ModelInfo,
    private readonly batchSize: number,
  ) {}

  static async load(o: TransformerOptions): Promise<TransformerClassifier> {
    const dir = resolve(o.modelsDir);
    const local = join(dir, o.modelId);
    if (!o.allowRemote) {
      // fail fast with a clear message instead of a fetch attempt
      if (!existsSync(join(local, 'config.json'))) throw new Error(`model folder missing: ${local}`);
    }
    const { env, pipeline } = await import('@xenova/transformers');
    env.localModelPath = dir + '/';
    env.allowLocalModels = true;
    env.allowRemoteModels = !!o.allowRemote;
    const quantized = existsSync(join(local, 'onnx', 'model_quantized.onnx'));
    const task = o.task ?? 'text-classification';
    let pipe: Pipe;
    if (task === 'zero-shot-classification') {
      type ZeroShot = (text: string, labels: string[], opts: Record<string, unknown>) => Promise<{ labels: string[]; scores: number[] }>;
      const zs = (await pipeline('zero-shot-classification', o.modelId, { quantized })) as unknown as ZeroShot;
      pipe = async (texts) => {
        const out: { label: string; score: number }[] = [];
        for (const t of texts) {
          const r = await zs(t, ZERO_SHOT_LABELS, { hypothesis_template: ZERO_SHOT_TEMPLATE });
          out.push({ label: r.labels[0], score: r.scores[0] });
        }
        return out;
      };
    } else {
      pipe = (await pipeline('text-classification', o.modelId, { quantized })) as unknown as Pipe;
    }
    let version = 'remote';
    try {
      const { readFileSync } = await import('node:fs');
      const t = JSON.parse(readFileSync(join(local, 'training.json'), 'utf8'));
      version = String(t.trained_at ?? 'local');
    } catch {
      if (existsSync(local)) version = 'local';
    }
    const info: ModelInfo = { engine: 'transformer', id: o.modelId + (quantized ? '-q8' : '') + (task === 'zero-shot-classification' ? '-zeroshot' : ''), version };
    const clf = new TransformerClassifier(pipe, info, o.batchSize ?? 1);
    await clf.sentiment(['ok']); // surface a corrupt model now, not on the first real text
    return clf;
  }

  async sentiment(texts: string[]): Promise<SentimentScore[]> {
    const out: SentimentScore[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize).map((t) => t || ' ');
      const res = await this.pipe(batch);
      const arr = Array.isArray(res) ? res : [res];
      for (const r of arr) out.push({ label: LABEL_MAP[r.label.toLowerCase()] ?? 'neutral', confidence: r.score });
    }
    return out;
  }
}
