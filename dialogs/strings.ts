import type { Locale } from '../src/nlp/locale';

/** Bot phrases per locale. Knowledge-base answers and survey wording live in models/, not here. */
const STRINGS = {
  welcome: {
    en: "Hello! I'm the customer-service assistant. Ask me about your account, orders and delivery, billing and refunds, complaints, opening hours or privacy. Type \"agent\" at any time to reach a person.",
    'zh-CN': '您好！我是智能客服助手，可以解答账户、订单与配送、账单与退款、投诉、营业时间和隐私等问题。随时输入“转人工”可联系人工客服。',
    'zh-TW': '您好！我是智慧客服助理，可以解答帳號、訂單與配送、帳單與退款、投訴、營業時間和隱私等問題。隨時輸入「轉人工」可聯繫真人客服。',
  },
  greeting: {
    en: 'Hello! How can I help you today?',
    'zh-CN': '您好！请问有什么可以帮您？',
    'zh-TW': '您好！請問有什麼可以幫您？',
  },
  thanks: {
    en: "You're welcome! Is there anything else I can help with?",
    'zh-CN': '不客气！还有其他可以帮您的吗？',
    'zh-TW': '不客氣！還有其他可以幫您的嗎？',
  },
  goodbye: {
    en: 'Thank you for contacting us. Goodbye!',
    'zh-CN': '感谢您的咨询，再见！',
    'zh-TW': '感謝您的諮詢，再見！',
  },
  help: {
    en: 'I can help with: accounts, orders and delivery, billing and refunds, complaints, contact and opening hours, privacy. Just type your question.',
    'zh-CN': '我可以帮您解答：账户、订单与配送、账单与退款、投诉、联系方式与营业时间、隐私。请直接输入您的问题。',
    'zh-TW': '我可以幫您解答：帳號、訂單與配送、帳單與退款、投訴、聯絡方式與營業時間、隱私。請直接輸入您的問題。',
  },
  askResolved: {
    en: 'Did that solve your problem?',
    'zh-CN': '这个回答解决您的问题了吗？',
    'zh-TW': '這個回答解決您的問題了嗎？',
  },
  resolvedYes: { en: 'Yes', 'zh-CN': '解决了', 'zh-TW': '解決了' },
  resolvedPartly: { en: 'Partly', 'zh-CN': '部分解决', 'zh-TW': '部分解決' },
  resolvedNo: { en: 'No', 'zh-CN': '没有', 'zh-TW': '沒有' },
  gladResolved: {
    en: "Great, I'm glad that helped!",
    'zh-CN': '太好了，很高兴能帮到您！',
    'zh-TW': '太好了，很高興能幫到您！',
  },
  notResolved: {
    en: "Sorry that didn't help. You can rephrase your question, or type \"agent\" to talk to a person.",
    'zh-CN': '抱歉没能帮到您。您可以换个说法再问一次，或输入“转人工”联系人工客服。',
    'zh-TW': '抱歉沒能幫到您。您可以換個說法再問一次，或輸入「轉人工」聯繫真人客服。',
  },
  didYouMean: {
    en: 'I am not completely sure. Did you mean one of these?',
    'zh-CN': '我不太确定您的意思，您是想问以下哪个问题？',
    'zh-TW': '我不太確定您的意思，您是想問以下哪個問題？',
  },
  lowConfidence: {
    en: "Sorry, I don't have a good answer to that. You can rephrase it, or I can connect you with a person. Would you like to talk to a person?",
    'zh-CN': '抱歉，这个问题我暂时无法准确回答。您可以换个说法再问，或者由人工客服为您处理。需要为您转人工吗？',
    'zh-TW': '抱歉，這個問題我暫時無法準確回答。您可以換個說法再問，或者由真人客服為您處理。需要為您轉接真人客服嗎？',
  },
  talkToPerson: { en: 'Talk to a person', 'zh-CN': '转人工', 'zh-TW': '轉真人客服' },
  anythingElse: {
    en: 'Is there anything else I can help with?',
    'zh-CN': '请问还有其他可以帮您的吗？',
    'zh-TW': '請問還有其他可以幫您的嗎？',
  },
  handoffDeclined: {
    en: 'All right. Is there anything else I can help with?',
    'zh-CN': '好的。请问还有其他可以帮您的吗？',
    'zh-TW': '好的。請問還有其他可以幫您的嗎？',
  },
  partlyResolved: {
    en: 'Sorry it only partly helped. Tell me what is still open and I will try again, or type "agent" to talk to a person.',
    'zh-CN': '抱歉只解决了一部分。请告诉我还有哪里没解决，我再试试；也可以输入“转人工”联系人工客服。',
    'zh-TW': '抱歉只解決了一部分。請告訴我還有哪裡沒解決，我再試試；也可以輸入「轉人工」聯繫真人客服。',
  },
  smalltalk: {
    en: "I'm the customer-service assistant, here to help with accounts, orders, billing and more. What can I do for you?",
    'zh-CN': '我是智能客服助手，可以帮您处理账户、订单、账单等问题。请问有什么可以帮您？',
    'zh-TW': '我是智慧客服助理，可以幫您處理帳號、訂單、帳單等問題。請問有什麼可以幫您？',
  },
  handoffRequested: {
    en: "I've noted that you'd like to talk to a person. A service agent will join this conversation.",
    'zh-CN': '已为您登记转人工服务，人工客服将加入本次对话。',
    'zh-TW': '已為您登記轉真人服務，客服人員將加入本次對話。',
  },
  turnError: {
    en: 'Sorry, something went wrong on our side. Please try again in a moment.',
    'zh-CN': '抱歉，系统出了点问题，请稍后再试。',
    'zh-TW': '抱歉，系統出了點問題，請稍後再試。',
  },
  emptyMessage: {
    en: 'I can only read text messages. Please type your question.',
    'zh-CN': '目前只能识别文字消息，请输入您的问题。',
    'zh-TW': '目前只能辨識文字訊息，請輸入您的問題。',
  },
  // Handoff (src/handoff/hub.ts). {position}, {minutes} and {name} are filled in by the hub.
  handoffQueued: {
    en: 'I am connecting you with a person. You are number {position} in the queue; the estimated wait is about {minutes} min. Type "cancel" to go back to the assistant.',
    'zh-CN': '正在为您转接人工客服。您当前排在第 {position} 位，预计等待约 {minutes} 分钟。输入“取消”可返回智能助手。',
    'zh-TW': '正在為您轉接真人客服。您目前排在第 {position} 位，預計等待約 {minutes} 分鐘。輸入「取消」可返回智慧助理。',
  },
  handoffCancelled: {
    en: 'You have left the queue. The assistant is back — how can I help?',
    'zh-CN': '您已退出排队，智能助手继续为您服务。请问有什么可以帮您？',
    'zh-TW': '您已退出排隊，智慧助理繼續為您服務。請問有什麼可以幫您？',
  },
  handoffAgentJoined: {
    en: '{name} from our service team has joined the conversation.',
    'zh-CN': '人工客服 {name} 已加入对话。',
    'zh-TW': '客服人員 {name} 已加入對話。',
  },
  handoffWaitApology: {
    en: 'Sorry for the long wait — all our agents are busy. You can keep waiting, or leave a message and we will get back to you.',
    'zh-CN': '非常抱歉让您久等了，目前客服都在忙。您可以继续等待，或者留言，我们会尽快联系您。',
    'zh-TW': '非常抱歉讓您久等了，目前客服都在忙。您可以繼續等待，或者留言，我們會盡快聯繫您。',
  },
  handoffLeaveMessage: { en: 'Leave a message', 'zh-CN': '留言', 'zh-TW': '留言' },
  handoffKeepWaiting: { en: 'Keep waiting', 'zh-CN': '继续等待', 'zh-TW': '繼續等待' },
  handoffLeaveMessagePrompt: {
    en: 'Please type your message in one reply, including how we can reach you.',
    'zh-CN': '请在一条消息里写下您的留言和联系方式。',
    'zh-TW': '請在一則訊息裡寫下您的留言和聯絡方式。',
  },
  handoffLeftMessage: {
    en: 'Thank you, your message has been passed to our service team. The assistant is back if you need anything else.',
    'zh-CN': '谢谢，您的留言已转交客服团队。如还有其他问题，智能助手继续为您服务。',
    'zh-TW': '謝謝，您的留言已轉交客服團隊。如還有其他問題，智慧助理繼續為您服務。',
  },
} satisfies Record<string, Record<Locale, string>>;

export type StringKey = keyof typeof STRINGS;

export function t(key: StringKey, locale: Locale): string {
  return STRINGS[key][locale] ?? STRINGS[key].en;
}
