import { describe, expect, it } from 'vitest';
import { FeatureIndex, Softmax, TfidfVectorizer, mulberry32, seededSplit, sparseDot } from '../src/nlp/ml';
import { LinearModel } from '../src/nlp/classify/linear';

const vec = (pairs: [number, number][]) => ({ idx: Int32Array.from(pairs.map((p) => p[0])), val: Float32Array.from(pairs.map((p) => p[1])) });

describe('ML core', () => {
  it('the PRNG is seeded: same seed same stream, other seed another', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    expect(seededSplit([...Array(100).keys()], 0.3, 5)).toEqual(seededSplit([...Array(100).keys()], 0.3, 5));
  });

  it.each(['sgd', 'adagrad'] as const)('softmax (%s) learns three classes that only a feature tells apart', (optimizer) => {
    const X = [];
    const y = [];
    const rnd = mulberry32(1);
    for (let i = 0; i < 300; i++) {
      const c = i % 3;
      X.push(vec([[c, 1], [3 + Math.floor(rnd() * 4), 0.5]])); // feature c decides, 3..6 are noise
      y.push(c);
    }
    const m = new Softmax(7, 3).train(X, y, { optimizer, epochs: 10, lr: 0.5, seed: 3 });
    for (let c = 0; c < 3; c++) {
      const p = m.proba(vec([[c, 1]]));
      expect(p.indexOf(Math.max(...p))).toBe(c);
      expect(p[c]).toBeGreaterThan(0.8);
    }
    // reproducible: same data and seed give the same weights
    const m2 = new Softmax(7, 3).train(X, y, { optimizer, epochs: 10, lr: 0.5, seed: 3 });
    expect(Array.from(m2.w)).toEqual(Array.from(m.w));
  });

  it('LinearModel (named features) survives its JSON format with the same probabilities', () => {
    const data = [
      { x: new Map([['good', 1], ['__bias', 1]]), y: 1 },
      { x: new Map([['bad', 1], ['__bias', 1]]), y: 0 },
    ];
    const m = LinearModel.train([...data, ...data, ...data], ['negative', 'positive'], { epochs: 20, minCount: 1 });
    const back = LinearModel.fromJson(JSON.parse(JSON.stringify(m.toJson(0))));
    const x = new Map([['good', 1], ['unknown', 3]]);
    expect(back.probs(x)[1]).toBeCloseTo(m.probs(x)[1], 3);
    expect(m.probs(x)[1]).toBeGreaterThan(0.5);
    expect(() => LinearModel.fromJson({} as never)).toThrow(/not a linear model/);
  });

  it('TF-IDF keeps unseen words in the norm, so a mostly unknown text has a small known part', () => {
    const v = TfidfVectorizer.fit([['a', 'b'], ['a', 'c']]);
    const known = v.transform(['b']);
    const diluted = v.transform(['b', 'x', 'y', 'z']);
    expect(sparseDot(known, known)).toBeCloseTo(1, 5);
    expect(sparseDot(diluted, known)).toBeLessThan(0.6);
    expect(v.knownShare(['b', 'x'])).toBeCloseTo(v.idf[v.vocab.get('b')!] ** 2 / (v.idf[v.vocab.get('b')!] ** 2 + v.unseenIdf ** 2), 5);
    const f = FeatureIndex.of(['p', 'q']);
    expect(Array.from(f.encode(new Map([['q', 2], ['r', 1]])).idx)).toEqual([1]);
  });
});
