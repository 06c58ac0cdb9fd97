import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meanScore, nmd, spearman } from '../src/nlp/quality/metrics';
import { QualityModel, soften, type QualitySettings } from '../src/nlp/quality/model';
import { transcriptToDialogue } from '../src/nlp/quality/transcript';
import { loadQualityModel } from '../src/nlp/quality/cli';
import type { Dialogue } from '../src/nlp/quality/types';

describe('STC-3 measures', () => {
  it('NMD is the L1 distance of the cumulative sums over the first four points, / 4', () => {
    expect(nmd([1, 0, 0, 0, 0], [1, 0, 0, 0, 0])).toBe(0);
    expect(nmd([1, 0, 0, 0, 0], [0, 0, 0, 0, 1])).toBe(1);
    // cumulative: P = .5 .5 .5 .5, Q = 0 .5 .5 .5 -> (0.5 + 0 + 0 + 0) / 4
    expect(nmd([0.5, 0, 0, 0, 0.5], [0, 0.5, 0, 0, 0.5])).toBeCloseTo(0.125, 10);
  });
  it('Spearman uses average ranks for ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 10);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 10);
    expect(spearman([1, 1, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9487, 3);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
  it('temperature sharpens or flattens without moving the mode', () => {
    const p = [0.1, 0.2, 0.4, 0.2, 0.1];
    const sharp = soften(p, 0.5);
    expect(sharp[2]).toBeGreaterThan(0.4);
    expect(sharp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(meanScore(sharp)).toBeCloseTo(0, 10);
  });
});

describe('bot transcript as model input', () => {
  it('customer rows are customer turns, bot and agent rows helpdesk turns; runs merge; system rows and survey answers are left out', () => {
    const m = transcriptToDialogue('i1', [
      { id: 1, role: 'customer', text: '我的快递丢了', meta: null },
      { id: 2, role: 'customer', text: '单号 123', meta: null },
      { id: 3, role: 'bot', text: '正在为您转人工', meta: '{"kb":"x"}' },
      { id: 4, role: 'system', text: 'agent joined', meta: null },
      { id: 5, role: 'agent', text: '您好，已为您补发', meta: null },
      { id: 6, role: 'customer', text: '谢谢', meta: null },
      { id: 7, role: 'customer', text: '5', meta: '{"survey":"csat"}' },
    ]);
    expect(m.dialogue.turns).toEqual([
      { sender: 'customer', utterances: ['我的快递丢了', '单号 123'] },
      { sender: 'helpdesk', utterances: ['正在为您转人工', '您好，已为您补发'] },
      { sender: 'customer', utterances: ['谢谢'] },
    ]);
    expect(m.rows.map((r) => r.ids)).toEqual([[1, 2], [3, 5], [6]]);
  });
});

// Small hand-written dialogues: happy endings vs unhappy endings, rated by five imaginary annotators.
const happy = ['问题解决了，非常感谢', '好的，谢谢你们，很满意', 'Solved, thank you so much!', '收到了，谢谢客服'];
const unhappy = ['还是没解决，太失望了', '等了三天都没人回复，我要投诉', 'Still broken. Worst service ever.', '又是这种模板回复，没用'];
function dialogues(): Dialogue[] {
  const out: Dialogue[] = [];
  let n = 0;
  for (let rep = 0; rep < 6; rep++) {
    for (const [texts, q] of [[happy, { '1': 2, '2': 3 }], [unhappy, { '-2': 3, '-1': 2 }]] as const) {
      for (const last of texts) {
        out.push({
          id: String(n++),
          turns: [
            { sender: 'customer', utterances: ['我的订单有问题 order problem ' + rep] },
            { sender: 'helpdesk', utterances: ['您好，请提供订单号 please send the order number'] },
            { sender: 'customer', utterances: [last] },
          ],
          quality: { S: q, A: q },
        });
      }
    }
  }
  return out;
}

const SETTINGS: QualitySettings = { minDf: 1, train: { epochs: 20, lr: 0.5, l2: 1e-5, seed: 1 }, temperature: 1, ensemble: 2 };

describe('quality model', () => {
  const model = QualityModel.fit(dialogues(), SETTINGS, { version: 'test' });
  const ask = (last: string) =>
    model.explain({ id: 'q', turns: [{ sender: 'customer', utterances: ['订单有问题'] }, { sender: 'helpdesk', utterances: ['请提供订单号'] }, { sender: 'customer', utterances: [last] }] });

  it('learns the annotators’ distributions: a happy ending scores above an unhappy one, and the last customer turn weighs most', () => {
    const good = ask('解决了，谢谢，很满意');
    const bad = ask('没解决，太失望了，要投诉');
    expect(meanScore(good.S)).toBeGreaterThan(0.5);
    expect(meanScore(bad.S)).toBeLessThan(-0.5);
    for (const p of [good.S, good.A, bad.S, bad.A]) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const strongest = (w: number[]) => w.map((x, i) => [Math.abs(x), i]).sort((a, b) => b[0] - a[0])[0][1];
    expect(strongest(bad.turnWeights)).toBe(2);
    expect(bad.turnWeights[2]).toBeLessThan(0);
    expect(good.turnWeights[2]).toBeGreaterThan(0);
  });

  it('survives a round trip through its JSON file with the same predictions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quality-'));
    writeFileSync(join(dir, 'm.json'), JSON.stringify(model.toJson()));
    const back = loadQualityModel(join(dir, 'm.json'));
    const d: Dialogue = { id: 'x', turns: [{ sender: 'customer', utterances: ['Still broken'] }] };
    const a = model.predict(d);
    const b = back.predict(d);
    for (let i = 0; i < 5; i++) expect(b.S[i]).toBeCloseTo(a.S[i], 5);
    expect(back.version).toBe('test');
  });

  it('reads empty dialogues and empty utterances without failing', () => {
    const p = model.predict({ id: 'e', turns: [] });
    expect(p.S.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const q = model.predict({ id: 'e2', turns: [{ sender: 'customer', utterances: [''] }] });
    expect(q.A.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
});

describe('CLI: predict and eval quality with the committed model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quality-cli-'));
  const file = join(dir, 'in.jsonl');
  writeFileSync(
    file,
    [
      { id: 'a1', turns: [{ sender: 'customer', utterances: ['宽带断网两天了'] }, { sender: 'helpdesk', utterances: ['您好，已为您派单，师傅今天上门'] }, { sender: 'customer', utterances: ['修好了，谢谢'] }], quality: { S: { '1': 10, '2': 9 }, A: { '2': 19 } } },
      { id: 'a2', turns: [{ sender: 'customer', utterances: ['The app keeps crashing'] }, { sender: 'helpdesk', utterances: ['Please reinstall'] }, { sender: 'customer', utterances: ['Did that. Still crashing. Useless.'] }], quality: { S: { '-2': 12, '-1': 7 }, A: { '-2': 15, '-1': 4 } } },
      { id: 'a3', turns: [{ sender: 'customer', utterances: ['积分怎么兑换'] }, { sender: 'helpdesk', utterances: ['在我的-积分商城里兑换'] }], quality: { S: { '0': 15, '1': 4 }, A: { '1': 10, '2': 9 } } },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n') + '\n',
  );
  const run = (args: string[]) => spawnSync('npx', ['tsx', ...args], { encoding: 'utf8', timeout: 120_000 });

  it('predict prints one line per dialogue with S and A over -2..2 (labels ignored)', () => {
    const r = run(['src/cli/predict.ts', 'quality', '--input', file]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['a1', 'a2', 'a3']);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['A', 'S', 'id']);
      for (const h of ['S', 'A']) {
        expect(Object.keys(l[h]).sort()).toEqual(['-1', '-2', '0', '1', '2']);
        expect(Object.values(l[h] as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      }
    }
    const mean = (d: Record<string, number>) => Object.entries(d).reduce((s, [k, p]) => s + Number(k) * p, 0);
    expect(mean(lines[0].S)).toBeGreaterThan(mean(lines[1].S));
  }, 150_000);

  it('eval prints NMD and Spearman for the model and the training prior as its last line', () => {
    const r = run(['src/cli/eval.ts', 'quality', '--test', file]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(j.n).toBe(3);
    for (const k of ['NMD_S', 'NMD_A']) {
      expect(j[k]).toBeGreaterThanOrEqual(0);
      expect(j[k]).toBeLessThanOrEqual(1);
      expect(j.prior[k]).toBeGreaterThan(0);
    }
    expect(j.spearman_S).toBeGreaterThan(0); // happy > neutral > unhappy
  }, 150_000);

  it('a bad input file fails with a message naming the line, not a stack', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":"x","turns":[]}\n{not json\n');
    const r = run(['src/cli/predict.ts', 'quality', '--input', bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.jsonl:2: not JSON/);
  }, 150_000);
});
