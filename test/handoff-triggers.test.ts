import { describe, expect, it } from 'vitest';
import { isCancel, isComplaint, isLeaveMessage } from '../src/handoff/triggers';

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
