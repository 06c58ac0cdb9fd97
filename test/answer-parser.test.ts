import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnswer, scaleHint, type ParseTarget } from '../dialogs/answerParser';

const csat: ParseTarget = { kind: 'csat', scale: { min: 1, max: 5 } };
const nps: ParseTarget = { kind: 'nps', scale: { min: 0, max: 10 } };
const ces: ParseTarget = { kind: 'ces', scale: { min: 1, max: 7 } };
const rating: ParseTarget = { kind: 'rating', scale: { min: 1, max: 5 } };
const resolved: ParseTarget = { kind: 'resolved' };
const open: ParseTarget = { kind: 'open' };
const kano: ParseTarget = { kind: 'kano' };
const kanoLabelled: ParseTarget = { kind: 'kano', labels: { en: ['Love it', 'Must have', 'Whatever', 'Tolerable', 'Hate it'] } };

const v = (value: number | string) => ({ kind: 'value', value });
const inv = (reason: string) => ({ kind: 'invalid', reason });
const SKIP = { kind: 'skip' };
const STOP = { kind: 'stop' };

// [input, target, expected]
const cases: Array<[string, ParseTarget, object]> = [
  // digits in every width and wrapper
  ['4', csat, v(4)],
  ['４', csat, v(4)],
  [' 5 ', csat, v(5)],
  ['5!', csat, v(5)],
  ['4/5', csat, v(4)],
  ['3 / 5', csat, v(3)],
  ['4 out of 5', csat, v(4)],
  ['五分之四', csat, v(4)],
  ['4/10', csat, inv('out_of_range')],
  ['0', csat, inv('out_of_range')],
  ['6', csat, inv('out_of_range')],
  ['4.5', csat, inv('not_integer')],
  ['3 or 4', csat, inv('ambiguous')],
  // Chinese numerals
  ['四', csat, v(4)],
  ['五', csat, v(5)],
  ['一', rating, v(1)],
  ['十', nps, v(10)],
  ['零', nps, v(0)],
  ['七', ces, v(7)],
  ['八', ces, inv('out_of_range')],
  // stars
  ['⭐⭐⭐⭐', csat, v(4)],
  ['★★★', csat, v(3)],
  ['★★☆☆☆', rating, v(2)],
  ['⭐⭐⭐⭐⭐⭐', csat, inv('out_of_range')],
  ['☆☆☆', csat, inv('not_understood')],
  // points / 分
  ['9分', nps, v(9)],
  ['打9分', nps, v(9)],
  ['给10分', nps, v(10)],
  ['我給8分', nps, v(8)],
  ['打十分', nps, v(10)],
  ['11', nps, inv('out_of_range')],
  ['3分吧', csat, v(3)],
  ['4 stars', rating, v(4)],
  ['9 points', nps, v(9)],
  ["I'd give it 8", nps, v(8)],
  ['rating: 4', rating, v(4)],
  ['four', csat, v(4)],
  ['six', ces, v(6)],
  // verbal satisfaction, three locales
  ['非常满意', csat, v(5)],
  ['非常滿意', csat, v(5)],
  ['很满意！', csat, v(5)],
  ['满意', csat, v(4)],
  ['滿意', csat, v(4)],
  ['一般', csat, v(3)],
  ['还行', csat, v(3)],
  ['還可以', rating, v(3)],
  ['不满意', csat, v(2)],
  ['不滿意', csat, v(2)],
  ['非常不满意', csat, v(1)],
  ['很不滿意', csat, v(1)],
  ['very satisfied', csat, v(5)],
  ['Very Satisfied.', csat, v(5)],
  ['satisfied', csat, v(4)],
  ['so-so', csat, v(3)],
  ['not really', csat, v(2)],
  ['very dissatisfied', csat, v(1)],
  ['very easy', ces, v(7)],
  ['excellent', nps, v(10)],
  ['terrible', nps, v(0)],
  ['blah blah', csat, inv('not_understood')],
  ['yes', csat, inv('not_understood')],
  ['', csat, inv('empty')],
  // resolved
  ['yes', resolved, v('yes')],
  ['Yes!', resolved, v('yes')],
  ['是的', resolved, v('yes')],
  ['是', resolved, v('yes')],
  ['解决了', resolved, v('yes')],
  ['解決了', resolved, v('yes')],
  ['no', resolved, v('no')],
  ['没有', resolved, v('no')],
  ['沒有', resolved, v('no')],
  ['还没有', resolved, v('no')],
  ['not really', resolved, v('no')],
  ['部分', resolved, v('partly')],
  ['partly', resolved, v('partly')],
  ['somewhat', resolved, v('partly')],
  ['部分解決', resolved, v('partly')],
  ['4', resolved, inv('not_understood')],
  // commands
  ['skip', csat, SKIP],
  ['跳过', nps, SKIP],
  ['跳過', resolved, SKIP],
  ['Skip.', open, SKIP],
  ['stop', csat, STOP],
  ['不用了', csat, STOP],
  ['no thanks', resolved, STOP],
  ['No thanks!', open, STOP],
  ['算了', ces, STOP],
  ['算了吧', ces, STOP],
  // open text is kept as typed
  ['客服很耐心，但是等太久了', open, v('客服很耐心，但是等太久了')],
  ['  Faster replies please  ', open, v('Faster replies please')],
  ['', open, inv('empty')],
  // kano: digits, keys, default labels, configured labels, natural words in three locales
  ['1', kano, v('like')],
  ['２', kano, v('must-be')],
  ['3', kano, v('neutral')],
  ['四', kano, v('live-with')],
  ['5', kano, v('dislike')],
  ['选5', kano, v('dislike')],
  ['0', kano, inv('out_of_range')],
  ['6', kano, inv('out_of_range')],
  ['2.5', kano, inv('not_integer')],
  ['like', kano, v('like')],
  ['must-be', kano, v('must-be')],
  ['live-with', kano, v('live-with')],
  ['I like it', kano, v('like')],
  ['I like it!', kano, v('like')],
  ['I expect it', kano, v('must-be')],
  ["I'm neutral", kano, v('neutral')],
  ['I can live with it', kano, v('live-with')],
  ['I dislike it.', kano, v('dislike')],
  ["I don't like it", kano, v('dislike')],
  ['dislike', kano, v('dislike')],
  ["don't care", kano, v('neutral')],
  ['喜欢', kano, v('like')],
  ['喜歡', kano, v('like')],
  ['我很喜欢', kano, v('like')],
  ['很喜欢', kano, v('like')],
  ['不喜欢', kano, v('dislike')],
  ['不喜歡', kano, v('dislike')],
  ['讨厌', kano, v('dislike')],
  ['理应如此', kano, v('must-be')],
  ['應該的', kano, v('must-be')],
  ['无所谓', kano, v('neutral')],
  ['無所謂', kano, v('neutral')],
  ['能忍受', kano, v('live-with')],
  ['可以接受', kano, v('live-with')],
  ['我喜欢这样', kano, v('like')],
  ['我不喜歡這樣', kano, v('dislike')],
  ['Hate it', kanoLabelled, v('dislike')],
  ['must have', kanoLabelled, v('must-be')],
  ['Tolerable', kanoLabelled, v('live-with')],
  ['Tolerable', kano, inv('not_understood')],
  ['yes', kano, inv('not_understood')],
  ['skip', kano, SKIP],
  ['不用了', kano, STOP],
];

describe('parseAnswer', () => {
  it('has at least 60 cases', () => expect(cases.length).toBeGreaterThanOrEqual(60));
  it.each(cases)('%j (%j)', (input, target, expected) => {
    expect(parseAnswer(input, target)).toEqual(expected);
  });

  it('accepts a number value from a card submit', () => {
    expect(parseAnswer(9, nps)).toEqual(v(9));
    expect(parseAnswer(undefined, nps)).toEqual(inv('empty'));
  });

  it('never throws and values stay within the scale', () => {
    const targets = [csat, nps, ces, rating, resolved, kano, { kind: 'rating', scale: { min: 0, max: 3 } } as ParseTarget];
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.fullUnicodeString(), fc.integer({ min: -50, max: 50 }).map(String), fc.constantFrom('⭐', '★★★★★★★', '十一', '四分', '5/5', '0/10')),
        fc.constantFrom(...targets),
        (text, target) => {
          const r = parseAnswer(text, target);
          expect(['value', 'skip', 'stop', 'invalid']).toContain(r.kind);
          if (r.kind === 'value') {
            if (target.kind === 'resolved') expect(['yes', 'partly', 'no']).toContain(r.value);
            else if (target.kind === 'kano') expect(['like', 'must-be', 'neutral', 'live-with', 'dislike']).toContain(r.value);
            else {
              expect(typeof r.value).toBe('number');
              expect(r.value).toBeGreaterThanOrEqual(target.scale!.min);
              expect(r.value).toBeLessThanOrEqual(target.scale!.max);
              expect(Number.isInteger(r.value)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('shows the scale in the hint per locale', () => {
    expect(scaleHint(nps, 'en')).toContain('0 to 10');
    expect(scaleHint(csat, 'zh-CN')).toContain('1 到 5');
    expect(scaleHint(resolved, 'zh-TW')).toContain('部分');
    expect(scaleHint(kano, 'en')).toContain('1 I like it');
    expect(scaleHint(kano, 'zh-CN')).toContain('5 我不喜欢这样');
    expect(scaleHint(kanoLabelled, 'en')).toContain('5 Hate it');
  });
});
