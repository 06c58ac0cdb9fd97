import type { Locale } from '../nlp/locale';

/** The channel layer's own words (the bot's are in dialogs/strings.ts). */
const S = {
  media: {
    en: 'Thanks! I can only read text messages for now. Please type your question and I will help.',
    'zh-CN': '收到！目前我只能读懂文字消息，请用文字描述您的问题，我来为您解答。',
    'zh-TW': '收到！目前我只能讀懂文字訊息，請用文字描述您的問題，我來為您解答。',
  },
  expiredButton: {
    en: 'That button has expired. Please type your answer instead.',
    'zh-CN': '该按钮已失效，请直接输入您的回答。',
    'zh-TW': '該按鈕已失效，請直接輸入您的回答。',
  },
  chooseOne: { en: 'Choose', 'zh-CN': '请选择', 'zh-TW': '請選擇' },
  more: { en: 'More options', 'zh-CN': '更多选项', 'zh-TW': '更多選項' },
} satisfies Record<string, Record<Locale, string>>;

export const channelText = (key: keyof typeof S, locale: Locale): string => S[key][locale];
