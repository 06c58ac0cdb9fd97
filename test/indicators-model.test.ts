import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/configError';
import { validateIndicatorModel } from '../src/indicators/model';

const base = () => parse(readFileSync('models/indicators.yaml', 'utf8'));
const fails = (mutate: (m: any) => void, re: RegExp) => {
  const m = base();
  mutate(m);
  let err: unknown;
  try {
    validateIndicatorModel(m, 'models/indicators.yaml');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toMatch(re);
};

describe('indicator model validation', () => {
  it('names the field that is wrong', () => {
    fails((m) => delete m.version, /^models\/indicators.yaml: version: must be a number/);
    fails((m) => (m.sla.complaint_initial.unit = 'fortnights'), /sla\.complaint_initial\.unit: must be one of/);
    fails((m) => (m.dimensions.children[1].children[0].signal = { measure: 'vibes' }), /dimensions\.children\[1\]\.children\[0\]\.signal\.measure: unknown measure vibes/);
    fails((m) => (m.grades.active = 'seven'), /grades\.active: no tier list named seven/);
    fails((m) => (m.alerts[3].method = 'guess'), /alerts\[3\]\.method: must be ewma or cusum/);
    fails((m) => m.dimensions.ahp.pop(), /dimensions\.ahp: must be a 7x7 matrix/);
    fails((m) => (m.dimensions.ahp[0][1] = 5), /dimensions\.ahp\[1\]\[0\]: must be the reciprocal of \[0\]\[1\]/);
  });

  it('rejects an inconsistent AHP matrix (CR >= 0.10) with λmax, CI and CR in the message', () => {
    fails((m) => {
      m.dimensions.children = m.dimensions.children.slice(0, 3);
      m.dimensions.ahp = [[1, 9, '1/9'], ['1/9', 1, 9], [9, '1/9', 1]];
    }, /dimensions\.ahp: pairwise matrix is inconsistent: CR = \d+\.\d+ \(λmax .*, CI .*\) must be < 0\.10/);
  });

  it('normalises direct weights and warns when they do not sum to 1 (seed 000: 45/35/15/10/5 = 110 %)', () => {
    const m = base();
    delete m.dimensions.ahp;
    m.dimensions.children = m.dimensions.children.slice(0, 5);
    [45, 35, 15, 10, 5].forEach((w, i) => (m.dimensions.children[i].weight = w));
    const model = validateIndicatorModel(m);
    expect(model.warnings.some((w) => /dimensions\.children: weights sum to 110, normalised to 1/.test(w))).toBe(true);
    expect(model.dimensions.map((d) => +d.weight.toFixed(4))).toEqual([0.4091, 0.3182, 0.1364, 0.0909, 0.0455]);
    // global weight = product down the tree
    const leaf = model.dimensions[0].children![0];
    expect(leaf.globalWeight).toBeCloseTo(0.4091 * 0.5, 4);
  });
});
