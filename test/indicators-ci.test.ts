import { describe, expect, it } from 'vitest';
import { addAnswer, addTopic, computeReport, emptyAggregates, meanAndVar, validateIndicatorModel } from '../src/indicators/index';
import { SPEC_SLA, THREE_GRADES } from './helpers/indicatorModel';

const MODEL = {
  version: 1,
  min_sample: 5,
  grades: { active: 'three', ...THREE_GRADES },
  sla: SPEC_SLA,
  dimensions: {
    children: [
      {
        id: 'speed',
        weight: 0.6,
        children: [
          { id: 'rating', weight: 0.5, signal: { survey: 'rating_response_speed' } },
          { id: 'first_reply', weight: 0.5, signal: { measure: 'first_reply' } },
        ],
      },
      { id: 'attitude', weight: 0.4, children: [{ id: 'rating', weight: 1, signal: { survey: 'rating_attitude' } }] },
    ],
  },
};

function aggregates() {
  const a = emptyAggregates();
  a.interactions = 4;
  a.offered = 4;
  a.responded = 4;
  // speed ratings 5,5,3,3 -> 100,100,50,50: mean 75, s² = 4·25²/3 = 833.33, variance of the mean 208.33
  addAnswer(a, 'rating_response_speed', 5, 2);
  addAnswer(a, 'rating_response_speed', 3, 2);
  // two first replies scoring 100 and 50: mean 75, s² = (12500 − 2·75²)/1 = 1250, variance of the mean 625
  a.times.first_reply = { n: 2, met: 1, scoreSum: 150, scoreSq: 100 * 100 + 50 * 50 };
  // attitude ratings 4,4,4,2 -> 75,75,75,25: mean 62.5, s² = (3·12.5² + 37.5²)/3 = 625, variance of the mean 156.25
  addAnswer(a, 'rating_attitude', 4, 3);
  addAnswer(a, 'rating_attitude', 2, 1);
  return a;
}

describe('CSI confidence interval (delta method)', () => {
  it('hand-computed: Var = Σ ωᵢ² Var(leaf ᵢ) over the renormalised leaf weights', () => {
    const model = validateIndicatorModel(MODEL, 'test');
    const r = computeReport(model, aggregates());
    // speed = 0.5·75 + 0.5·75 = 75, Var = 0.5²·208.33 + 0.5²·625 = 208.33
    // CSI = 0.6·75 + 0.4·62.5 = 70, Var = 0.6²·208.33 + 0.4²·156.25 = 75 + 25 = 100, se = 10
    // CI = 70 ± 1.959964·10 = 50.40 .. 89.60
    expect(r.dimensions.speed.score).toBe(75);
    expect(r.dimensions.attitude.score).toBe(62.5);
    expect(r.csi).toBe(70);
    expect(r.stats.csi).toEqual({ value: 70, n: 4, ci: { low: 50.4, high: 89.6 } });
  });

  it('a leaf with one answer uses the variance bound 50²; the interval is clipped to 0..100', () => {
    const model = validateIndicatorModel(MODEL, 'test');
    const a = aggregates();
    a.hist.set('rating_attitude', new Map([[4, 1]])); // one answer: 75, Var bound 2500/1
    const r = computeReport(model, a);
    // CSI = 0.6·75 + 0.4·75 = 75; Var = 0.36·208.33 + 0.16·2500 = 75 + 400 = 475, se = 21.794, half = 42.716
    expect(r.csi).toBe(75);
    expect(r.stats.csi.ci).toEqual({ low: 32.28, high: 100 });
  });

  it('no data: no CSI and no interval; meanAndVar by hand', () => {
    const model = validateIndicatorModel(MODEL, 'test');
    expect(computeReport(model, emptyAggregates()).stats.csi).toEqual({ value: null, n: 0, ci: null });
    expect(meanAndVar(4, 300, 25000)).toEqual({ score: 75, n: 4, v: 833.3333333333334 / 4 });
    expect(meanAndVar(1, 75, 5625)).toEqual({ score: 75, n: 1, v: 2500 });
    expect(meanAndVar(0, 0, 0)).toEqual({ score: null, n: 0, v: null });
  });

  it('topic and fcr leaves use their per-unit scores (100 / 50 / 0)', () => {
    const model = validateIndicatorModel(
      { ...MODEL, dimensions: { children: [{ id: 'a', weight: 1, children: [{ id: 't', weight: 1, signal: { topic: 'attitude' } }] }, { id: 'b', weight: 1, children: [{ id: 'f', weight: 1, signal: { measure: 'fcr' } }] }] } },
      'test',
    );
    const a = emptyAggregates();
    a.feedback = 4;
    // topic: positive 2, neutral 1, negative 1 -> 100,100,50,0: mean 62.5, s² = (2·37.5² + 12.5² + 62.5²)/3 = 2291.67, /4 = 572.92
    addTopic(a, 'attitude', 'positive', 2);
    addTopic(a, 'attitude', 'neutral', 1);
    addTopic(a, 'attitude', 'negative', 1);
    // fcr: 3 of 4 yes -> 100,100,100,0: mean 75, s² = (3·25² + 75²)/3 = 2500, /4 = 625
    a.fcr = { n: 4, yes: 3 };
    const r = computeReport(model, a);
    // CSI = (62.5 + 75)/2 = 68.75; Var = 0.25·572.92 + 0.25·625 = 299.48, se = 17.306, half = 33.92
    expect(r.csi).toBe(68.75);
    expect(r.stats.csi.ci).toEqual({ low: 34.83, high: 100 });
  });
});

describe('withheld fuzzy grade and topic share interval', () => {
  it('the fuzzy grade below min_sample is null with a reason; topic share_pct has a Wilson CI', () => {
    const model = validateIndicatorModel(MODEL, 'test');
    const a = aggregates();
    a.feedback = 4;
    addTopic(a, 'attitude', 'negative', 3);
    const r = computeReport(model, a);
    expect(r.fuzzy.membership).not.toBeNull();
    expect(r.fuzzy.grade).toBeNull();
    expect(r.fuzzy.grade_reason).toBe('only 4 answers to the most-answered survey item; a grade needs at least 5');
    expect(r.topics[0]).toMatchObject({ topic: 'attitude', mentions: 3, share_pct: 75, share_ci: { low: 30.06, high: 95.44 } }); // Wilson 3/4
    const enough = computeReport(validateIndicatorModel({ ...MODEL, min_sample: 4 }, 'test'), a);
    expect(enough.fuzzy.grade).not.toBeNull();
    expect(enough.fuzzy.grade_reason).toBeNull();
    expect(computeReport(model, emptyAggregates()).fuzzy).toMatchObject({ membership: null, grade: null, grade_reason: 'no survey-item answers in the window' });
  });
});
