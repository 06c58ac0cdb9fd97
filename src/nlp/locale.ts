import { scriptEvidence } from './hanzi';

export type Locale = 'zh-CN' | 'zh-TW' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'zh-TW', 'en'];

const HAN = /\p{Script=Han}/u;
const HAN_G = /\p{Script=Han}/gu;
const LATIN_G = /[A-Za-z]/g;

/**
 * Map a channel locale tag onto a supported locale; undefined when the tag is
 * missing or names a language we do not serve (the caller then detects from text).
 */
export function normalizeLocale(tag: string | undefined | null): Locale | undefined {
  if (!tag || typeof tag !== 'string') return undefined;
  const t = tag.trim().replace(/_/g, '-').toLowerCase();
  if (/^zh(-hant|-tw|-hk|-mo)/.test(t)) return 'zh-TW';
  if (/^zh(-hans|-cn|-sg|$)/.test(t) || t === 'zh') return 'zh-CN';
  if (/^en(-|$)/.test(t)) return 'en';
  return undefined;
}

/** Detect Simplified Chinese, Traditional Chinese or English from the text itself. */
export function detectLocale(text: string, fallback: Locale = 'en'): Locale {
  const han = (text.match(HAN_G) ?? []).length;
  const latin = (text.match(LATIN_G) ?? []).length;
  if (han === 0) return latin > 0 ? 'en' : fallback;
  // A few Han characters among many Latin letters is still English ("order 123 到了吗" is Chinese).
  if (latin > han * 4) return 'en';
  const { simplified, traditional } = scriptEvidence(text);
  if (traditional > simplified) return 'zh-TW';
  if (simplified > traditional) return 'zh-CN';
  // Only characters common to both scripts: keep a Chinese fallback if we had one.
  return fallback === 'zh-TW' ? 'zh-TW' : 'zh-CN';
}

export function isChinese(locale: Locale): boolean {
  return locale !== 'en';
}

export function hasHan(text: string): boolean {
  return HAN.test(text);
}
