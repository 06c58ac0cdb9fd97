/** Handoff trigger detection on customer text. */
export type HandoffReason = 'asked' | 'low_confidence' | 'complaint' | 'recovery';

const COMPLAINT = /投诉|投訴|举报|舉報|\bcomplain(t|ts|ing|ed)?\b/i;
const CANCEL = /^\s*(cancel|取消)\s*[.!。！]?\s*$/i;

export function isComplaint(text: string): boolean {
  return COMPLAINT.test(text);
}

/** Command honoured while waiting for or talking to an agent. */
export function isCancel(text: string): boolean {
  return CANCEL.test(text);
}

const LEAVE_MESSAGE = /^\s*(leave a message|leave message|留言)\s*[.!。！]?\s*$/i;

/** Offered after the wait limit: the customer chooses to leave a message instead of waiting. */
export function isLeaveMessage(text: string): boolean {
  return LEAVE_MESSAGE.test(text);
}
