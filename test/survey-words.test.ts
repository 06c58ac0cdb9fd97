import { describe, expect, it } from 'vitest';
import { parseAnswer, type ParseTarget } from '../dialogs/answerParser';

// Survey answers in words, written for these tests (not taken from the development set).
const csat: ParseTarget = { kind: 'csat', scale: { min: 1, max: 5 } };
const nps: ParseTarget = { kind: 'nps', scale: { min: 0, max: 10 } };
const ces: ParseTarget = { kind: 'ces', scale: { min: 1, max: 7 } };
const value = (t: string, target = csat) => {
  const p = parseAnswer(t, target);
  return p.kind === 'value' ? p.value : p.kind;
};

describe('survey answers in natural language', () => {
  it.each([
    ['特别满意！', 5],
    ['真的很满意', 5],
    ['相當滿意', 5],
    ['蛮满意的', 4],
    ['还算满意吧', 4],
    ['挺不错的', 4],
    ['中规中矩', 3],
    ['说得过去', 3],
    ['有点不满意', 2],
    ['不怎么样啊', 2],
    ['太差劲了', 1],
    ['十分不满意', 1],
    ['十分满意', 5],
    ['over the moon', 5],
    ['really happy with it', 5],
    ['mostly satisfied', 4],
    ['quite pleased', 4],
    ['meh, average', 3],
    ['not great', 2],
    ['pretty disappointing', 2],
    ['absolutely dreadful', 1],
    ['not satisfied at all', 1],
  ])('%s → %s', (text, want) => expect(value(text)).toBe(want));

  it.each([
    ['就给四分吧', 4],
    ['我打3分', 3],
    ['两颗星', 2],
    ['五星', 5],
    ['滿分', 5],
    ['I would say 2 out of 5', 2],
    ['three stars from me', 3],
    ['4/5', 4],
  ])('a number with its unit in a sentence: %s → %s', (text, want) => expect(value(text)).toBe(want));

  it('reads NPS and CES in words on their own scales', () => {
    expect(value('给你们打8分', nps)).toBe(8);
    expect(value('一定会推荐的', nps)).toBe(10);
    expect(value('probably not', nps)).toBeLessThanOrEqual(3);
    expect(value('maybe', nps)).toBe(5);
    expect(value('很简单', ces)).toBe(7);
    expect(value('有点麻烦', ces)).toBe(3);
    expect(value('super easy', ces)).toBe(7);
  });

  it('does not read a question or a long story as a rating', () => {
    expect(value('how good is your warranty?')).toBe('invalid');
    expect(value('我想问一下你们那个会员积分到底是怎么算的才比较好')).toBe('invalid');
    expect(value('零分')).toBe('invalid'); // below the scale: re-asked
    expect(value('3分还是4分吧')).toBe('invalid'); // two numbers
  });
});

describe('one rendering per message (issue 15)', async () => {
  const { repromptActivity, recoveryActivity } = await import('../dialogs/surveyCards');
  const item = {
    id: 'csat',
    kind: 'csat' as const,
    scale: { min: 1, max: 5 },
    text: { en: 'Overall, how satisfied are you?', 'zh-CN': '您对本次服务满意吗？', 'zh-TW': '您對本次服務滿意嗎？' },
  };
  it('a card re-prompt says the hint once, as a sentence, and the question as its own paragraph', () => {
    const a = repromptActivity(item as never, 'en', 'card');
    expect(a.text).toMatch(/^Sorry, I didn't get that\. Please answer with a number from 1 to 5 .*"stop" to end\.\n\nOverall, how satisfied are you\?/);
    const card = JSON.stringify(a.attachments);
    expect(card).not.toMatch(/didn't get that/);
    expect(card).not.toMatch(/how satisfied/);
  });
  it('the recovery card carries its words once: as text, with only the buttons in the card', () => {
    const a = recoveryActivity('zh-TW', 'card', 12);
    expect(a.text).toMatch(/12 小時內/);
    expect(JSON.stringify(a.attachments)).not.toMatch(/小時內/);
    expect(recoveryActivity('en', 'text', 6).text).toMatch(/within 6 hours/);
  });
});

describe('answers to the offer of a person inside the survey', async () => {
  const { recoveryReply } = await import('../dialogs/surveyCards');
  it.each([
    ['yes please', 'yes'],
    ['好的', 'yes'],
    ['麻烦了', 'yes'],
    ['要', 'yes'],
    ['找个真人吧', 'yes'],
    ['不需要', 'no'],
    ['nah', 'no'],
    ['不用了', 'stop'],
  ])('%s → %s', (text, want) => expect(recoveryReply(undefined, text)).toBe(want));
});
