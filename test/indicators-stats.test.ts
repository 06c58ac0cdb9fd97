import { describe, expect, it } from 'vitest';
import { ahp, cusumDrop, ewmaDrop, kanoCategory, kanoClassify, meanCi, nps, pct, wilson } from '../src/indicators/stats';

describe('Wilson interval', () => {
  it('8 of 10 gives 0.4902..0.9433 (hand-computed)', () => {
    // p=0.8, z²=3.8415: centre=(0.8+0.19207)/1.38415=0.71673, half=(1.95996/1.38415)*sqrt(0.016+0.009604)=0.22654
    const ci = wilson(8, 10)!;
    expect(ci.low).toBeCloseTo(0.4902, 4);
    expect(ci.high).toBeCloseTo(0.9433, 4);
  });
  it('0 of 5 starts at 0; n=0 has no interval', () => {
    expect(wilson(0, 5)!.low).toBe(0);
    expect(wilson(0, 5)!.high).toBeCloseTo(0.4345, 4);
    expect(wilson(0, 0)).toBeNull();
    expect(pct(3, 4)).toEqual({ value: 75, n: 4, ci: { low: 30.06, high: 95.44 } });
  });
});

describe('NPS', () => {
  it('5 promoters, 3 passives, 2 detractors: NPS 30, analytic CI ±48.41', () => {
    // var = (0.5+0.2-0.3²)/10 = 0.061, se = 0.24698, half = 1.95996*0.24698 = 0.48407
    const r = nps(5, 3, 2);
    expect(r.value).toBe(30);
    expect(r.n).toBe(10);
    expect(r.ci!.low).toBeCloseTo(-18.41, 2);
    expect(r.ci!.high).toBeCloseTo(78.41, 2);
  });
  it('all promoters: 100 with a degenerate interval; empty -> null', () => {
    expect(nps(4, 0, 0)).toMatchObject({ value: 100, ci: { low: 100, high: 100 } });
    expect(nps(0, 0, 0).value).toBeNull();
  });
  it('mean CI from sums: values 1..5 once each -> mean 3, sd 1.5811, half 1.3859', () => {
    const r = meanCi(5, 15, 55);
    expect(r.value).toBe(3);
    expect(r.ci!.low).toBeCloseTo(1.614, 3);
    expect(r.ci!.high).toBeCloseTo(4.386, 3);
  });
});

describe('AHP', () => {
  it('consistent matrix: weights 4/7, 2/7, 1/7, λmax 3, CR 0', () => {
    const r = ahp([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]);
    expect(r.weights[0]).toBeCloseTo(4 / 7, 6);
    expect(r.weights[1]).toBeCloseTo(2 / 7, 6);
    expect(r.weights[2]).toBeCloseTo(1 / 7, 6);
    expect(r.lambdaMax).toBeCloseTo(3, 6);
    expect(r.cr).toBeCloseTo(0, 6);
  });
  it('Saaty textbook [[1,3,5],[1/3,1,3],[1/5,1/3,1]]: w=(0.637,0.258,0.105), λmax=3.0385, CR=0.033', () => {
    const r = ahp([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]);
    expect(r.weights[0]).toBeCloseTo(0.637, 3);
    expect(r.weights[1]).toBeCloseTo(0.2583, 3);
    expect(r.weights[2]).toBeCloseTo(0.1047, 3);
    expect(r.lambdaMax).toBeCloseTo(3.0385, 3);
    expect(r.ci).toBeCloseTo(0.0193, 3);
    expect(r.cr).toBeCloseTo(0.0332, 3);
  });
  it('cyclic matrix is badly inconsistent', () => {
    expect(ahp([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]).cr).toBeGreaterThan(0.1);
  });
});

describe('control charts', () => {
  it('EWMA: baseline 80,82,78,80 then 60 signals; 79 does not', () => {
    // mean 80, sd 1.633; z after 4 baseline steps stays 80 -> z5 = 0.3*60+0.7*80 = 74
    const r = ewmaDrop([80, 82, 78, 80], 60)!;
    expect(r.mean).toBe(80);
    expect(r.sd).toBeCloseTo(1.633, 3);
    expect(r.signal).toBe(true);
    expect(ewmaDrop([80, 82, 78, 80], 79)!.signal).toBe(false);
  });
  it('EWMA statistic by hand: history [10, 20], current 0, λ=0.5', () => {
    // mean 15, sd 7.071; z: 15 -> 12.5 -> 16.25 -> 8.125; limit = 15 - 3*7.0711*sqrt(63/192) = 15 - 12.1515 = 2.8485
    const r = ewmaDrop([10, 20], 0, 0.5, 3)!;
    expect(r.statistic).toBeCloseTo(8.125, 6);
    expect(r.limit).toBeCloseTo(2.8485, 3);
    expect(r.signal).toBe(false);
  });
  it('CUSUM: history [10, 20], current 0 with k=0.5, h=1', () => {
    // mean 15, sd 7.071, ref = 15 - 3.5355 = 11.4645; C: 1.4645 -> 0 -> 11.4645 > 7.071
    const r = cusumDrop([10, 20], 0, 0.5, 1)!;
    expect(r.statistic).toBeCloseTo(11.4645, 3);
    expect(r.limit).toBeCloseTo(7.0711, 3);
    expect(r.signal).toBe(true);
    expect(cusumDrop([10, 20], 14, 0.5, 1)!.signal).toBe(false);
  });
});

describe('Kano', () => {
  it('evaluation table', () => {
    expect(kanoCategory('like', 'dislike')).toBe('O');
    expect(kanoCategory('like', 'neutral')).toBe('A');
    expect(kanoCategory('neutral', 'dislike')).toBe('M');
    expect(kanoCategory('neutral', 'neutral')).toBe('I');
    expect(kanoCategory('dislike', 'like')).toBe('R');
    expect(kanoCategory('like', 'like')).toBe('Q');
    expect(kanoCategory('dislike', 'dislike')).toBe('Q');
    expect(kanoCategory('live-with', 'must-be')).toBe('I');
  });
  it('classifies by majority with better/worse coefficients', () => {
    const r = kanoClassify([
      ['neutral', 'dislike'],
      ['must-be', 'dislike'],
      ['like', 'dislike'],
      ['like', 'neutral'],
    ]);
    expect(r.category).toBe('M');
    expect(r.counts).toMatchObject({ M: 2, O: 1, A: 1 });
    expect(r.better).toBe(0.5);
    expect(r.worse).toBe(-0.75);
  });
});
