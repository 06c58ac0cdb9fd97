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
