import { describe, expect, it } from 'vitest';
import { isCancel, isComplaint, isLeaveMessage, isQuestion } from '../src/handoff/triggers';

describe('handoff triggers', () => {
  it('detects complaints in zh and en', () => {
    for (const t of ['我要投诉你们', '我要投訴', 'I want to complain', 'This is a complaint']) expect(isComplaint(t)).toBe(true);
    for (const t of ['how do I reset my password', '营业时间是几点', 'uncomplainingly']) expect(isComplaint(t)).toBe(false);
  });
  it('recognises cancel only as a whole command', () => {
    for (const t of ['cancel', ' Cancel ', '取消', '取消。']) expect(isCancel(t)).toBe(true);
    for (const t of ['cancel my order', '取消订单']) expect(isCancel(t)).toBe(false);
  });
  it('recognises the leave-a-message choice only as a whole command', () => {
    for (const t of ['Leave a message', '留言', '留言。']) expect(isLeaveMessage(t)).toBe(true);
    for (const t of ['I will leave a message later', '留言板在哪']) expect(isLeaveMessage(t)).toBe(false);
  });
});

describe('yes/no to an offer', () => {
  it('reads short confirmations in both languages and leaves questions alone', async () => {
    const { yesNo } = await import('../src/handoff/triggers');
    for (const y of ['yes please', 'Yes, please.', 'sure thanks', 'ok', '好的', '好的，麻烦了', '需要', '是的']) expect(yesNo(y), y).toBe('yes');
    for (const n of ['no thanks', 'No, thank you', 'not now', '不用了', '不需要，谢谢', '算了']) expect(yesNo(n), n).toBe('no');
    for (const o of ['yes but where is my parcel', '怎么申请退款', 'no idea how to reset my password']) expect(yesNo(o), o).toBeUndefined();
  });
});

describe('complaint questions versus complaints being made', () => {
  it('reads status, time and how-to questions as questions in three locales', () => {
    for (const q of ['我上周的投诉现在到哪一步了', '投诉一般几天处理完？', '我的投訴有進度了嗎', 'how long until someone looks at my complaint', 'Is my complaint being handled', 'any news on the complaint I sent?'])
      expect(isQuestion(q), q).toBe(true);
  });
  it('reads a complaint being lodged as a statement', () => {
    for (const s of ['我要投诉你们的快递员', '客服态度太差了我要投诉', '我要投訴，送錯貨了', 'I want to complain about the courier', 'this is a complaint: the parcel arrived broken'])
      expect(isQuestion(s), s).toBe(false);
  });
});
