import type { Locale } from '../nlp/locale';

/**
 * Handoff phrases added after the first release (the others are in dialogs/strings.ts).
 * {position}, {minutes} and {name} are filled in by the hub.
 */
const STRINGS = {
  handoffRequeued: {
    en: 'Sorry, the agent who was helping you has been disconnected. You are back in the queue as number {position}; the estimated wait is about {minutes} min. Type "cancel" to go back to the assistant.',
    'zh-CN': '抱歉，为您服务的客服连接已中断。您已重新进入排队，当前排在第 {position} 位，预计等待约 {minutes} 分钟。输入“取消”可返回智能助手。',
    'zh-TW': '抱歉，為您服務的客服連線已中斷。您已重新進入排隊，目前排在第 {position} 位，預計等待約 {minutes} 分鐘。輸入「取消」可返回智慧助理。',
  },
  handoffFailed: {
    en: 'Sorry, we could not connect you with a person right now. The assistant is back and happy to help, or you can leave a message and our service team will get back to you.',
    'zh-CN': '抱歉，暂时无法为您转接人工客服，智能助手继续为您服务。您也可以留言，我们的客服团队会尽快联系您。',
    'zh-TW': '抱歉，暫時無法為您轉接真人客服，智慧助理繼續為您服務。您也可以留言，我們的客服團隊會盡快聯繫您。',
  },
  /** Sent when an agent resolves: the customer knows the person has left and the assistant is back. */
  handoffResolved: {
    en: '{name} has closed this conversation. Thank you for your patience! The assistant is here again if you need anything else.',
    'zh-CN': '人工客服 {name} 已结束本次服务，感谢您的耐心！如还有其他问题，可以继续问智能助手。',
    'zh-TW': '真人客服 {name} 已結束本次服務，感謝您的耐心！如還有其他問題，可以繼續問智慧助理。',
  },
  /** Reply to "no" after the proactive offer of a person (negative feedback). */
  recoveryDeclined: {
    en: 'All right. Our team will still follow up on your feedback. Is there anything else I can help with?',
    'zh-CN': '好的，我们的团队仍会跟进您的反馈。还有什么可以帮您的吗？',
    'zh-TW': '好的，我們的團隊仍會跟進您的意見。還有什麼可以幫您的嗎？',
  },
} satisfies Record<string, Record<Locale, string>>;

export function handoffText(key: keyof typeof STRINGS, locale: Locale): string {
  return STRINGS[key][locale] ?? STRINGS[key].en;
}
