import { describe, expect, it } from 'vitest';
import { analyseActs } from '../src/nlp/acts';
import { parseResolved } from '../src/nlp/smalltalk';

// Phrasings written for these tests (not taken from the development set).
const acts = (t: string) => [...analyseActs(t).acts].sort().join('+');
const content = (t: string) => analyseActs(t).content;

describe('dialogue acts before KB matching', () => {
  it.each([
    ['好滴，多谢啦，拜拜', 'ack+closing+thanks'],
    ['行，就这些吧', 'affirm+closing'],
    ['我暂时没别的问题了', 'closing'],
    ['沒事了，謝謝您', 'closing+thanks'],
    ['掰掰～', 'closing'],
    ["cool, that's everything I needed", 'ack+closing'],
    ['thanks a bunch, have a lovely evening', 'closing+thanks'],
    ['okay bye bye', 'ack+closing'],
    ['nothing more for now, cheers', 'closing+thanks'],
  ])('%s is a closing (%s)', (text, want) => {
    expect(acts(text)).toBe(want);
    expect(content(text)).toBe('');
  });

  it.each([
    ['yes pls', 'affirm'],
    ['yup', 'affirm'],
    ['要的', 'affirm'],
    ['麻烦你了', 'affirm'],
    ['不需要', 'deny'],
    ['不用了', 'deny'],
    ['nah', 'deny'],
    ['有一点吧', 'partly'],
    ['sort of', 'partly'],
    ['您好', 'greeting'],
    ['在吗？', 'greeting'],
    ['good afternoon', 'greeting'],
    ['你是机器人吗', 'smalltalk'],
    ['are you a bot?', 'smalltalk'],
  ])('%s → %s', (text, want) => {
    expect(acts(text)).toBe(want);
    expect(content(text)).toBe('');
  });

  it.each([
    ['嗯嗯，还有个问题，发票怎么开', '发票怎么开'],
    ['好的，那退款多久到账', '退款多久到账'],
    ['哦哦 另外我想改收货地址', '我想改收货地址'],
    ['ok, and can I change my delivery address?', 'can I change my delivery address'],
    ['Got it. By the way, do you ship abroad?', 'do you ship abroad'],
    ['谢谢，再见！对了，会员积分怎么用？', '会员积分怎么用'],
    ['hi there, my parcel is damaged', 'my parcel is damaged'],
    ['您好，请问营业时间是几点到几点', '请问营业时间是几点到几点'],
  ])('%s keeps the question "%s"', (text, question) => {
    expect(content(text)).toBe(question);
  });

  it('never peels a word that begins a question', () => {
    expect(content('没有收到退款')).toBe('没有收到退款');
    expect(content('好慢啊，什么时候发货')).toBe('好慢啊，什么时候发货');
    expect(content('收到的包裹是坏的')).toBe('收到的包裹是坏的');
    expect(content('history of my orders')).toBe('history of my orders');
    expect(content('可以开发票吗')).toBe('可以开发票吗');
    expect(content('那个订单还没到')).toBe('那个订单还没到');
  });

  it('finds a request for a person anywhere, but not "in person"', () => {
    expect(analyseActs('别说了，给我转人工').acts.has('human')).toBe(true);
    expect(analyseActs('can I speak with someone please').acts.has('human')).toBe(true);
    expect(analyseActs('can I pick it up in person').acts.has('human')).toBe(false);
  });

  it('reads the answer to "did that solve it?" and leaves a new question alone', () => {
    expect(parseResolved('yes it worked, thanks')).toBe('yes');
    expect(parseResolved('好嘞')).toBe('yes');
    expect(parseResolved('還沒有')).toBe('no');
    expect(parseResolved('解决了一部分')).toBe('partly');
    expect(parseResolved('嗯，还有，我的快递怎么还没到')).toBeUndefined();
    expect(parseResolved('ok and how do I return it')).toBeUndefined();
  });
});
