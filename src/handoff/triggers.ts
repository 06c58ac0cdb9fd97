/** Handoff trigger detection on customer text. */
export type HandoffReason = 'asked' | 'low_confidence' | 'complaint' | 'recovery';

const COMPLAINT = /投诉|投訴|举报|舉報|\bcomplain(t|ts|ing|ed)?\b/i;
const CANCEL = /^\s*(cancel|取消)\s*[.!。！]?\s*$/i;

export function isComplaint(text: string): boolean {
  return COMPLAINT.test(text);
}

// A question about something (its status, how long, how to), as opposed to a statement lodging it.
const QUESTION_ZH = /[?？]|吗|嗎|呢\s*[。.!！]?\s*$|怎么|怎麼|怎样|怎樣|如何|多久|多长|多長|什么时候|什麼時候|甚麼時候|何时|何時|进度|進度|进展|進展|状态|狀態|结果|結果|哪|几天|幾天|几时|幾時|是否|能不能|可不可以|有没有|有沒有/;
const QUESTION_EN = /\?|^\s*(what|how|when|where|why|which|who|is|are|can|could|do|does|did|will|has|have|any)\b|\b(status|progress|how long|update on)\b/i;

/** True for a question (status, time, how-to), which the knowledge base may answer; false for a statement. */
export function isQuestion(text: string): boolean {
  return QUESTION_ZH.test(text) || QUESTION_EN.test(text);
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

// Short replies to a yes/no offer ("yes please", "sure, thanks", "好的", "需要", "不用了").
const YES = /^\s*(yes|yeah|yep|yup|sure|ok|okay|please|of course|definitely|好|好的|好啊|行|可以|是|是的|对|需要|要)([\s,.!。！，]*(please|thanks?|thank you|do it|go ahead|谢谢|麻烦了|麻烦你了|转吧|转人工))*[\s.!。！~]*$/i;
const NO = /^\s*(no|nope|no thanks?|no,? thank you|not now|不|不用|不用了|不需要|算了|不要|没事|没事了)([\s,.!。！，]*(thanks?|thank you|谢谢))*[\s.!。！~]*$/i;

/** A plain yes or no to an offer, or undefined when the message is about something else. */
export function yesNo(text: string): 'yes' | 'no' | undefined {
  return YES.test(text) ? 'yes' : NO.test(text) ? 'no' : undefined;
}
