import { describe, expect, it } from 'vitest';
import { detectLocale, normalizeLocale } from '../src/nlp/locale';
import { resolveLocale } from '../dialogs/mainDialog';
import { tokenize } from '../src/nlp/segment';
import { detectSmallTalk, parseResolved } from '../src/nlp/smalltalk';

describe('locale', () => {
  it.each([
    ['How do I reset my password?', 'en'],
    ['怎么重置密码', 'zh-CN'],
    ['我的订单还没到', 'zh-CN'],
    ['怎麼重設密碼', 'zh-TW'],
    ['我的訂單還沒到，請問運費怎麼算', 'zh-TW'],
    ['退款什么时候到账', 'zh-CN'],
    ['退款什麼時候到帳', 'zh-TW'],
    ['my order 12345 到了吗', 'zh-CN'],
  ])('detects %s as %s', (text, expected) => {
    expect(detectLocale(text)).toBe(expected);
  });

  it.each([
    ['zh-Hans', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh_TW', 'zh-TW'],
    ['zh-HK', 'zh-TW'],
    ['zh-Hant-TW', 'zh-TW'],
    ['en-US', 'en'],
    ['fr-FR', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('normalises %s to %s', (tag, expected) => {
    expect(normalizeLocale(tag)).toBe(expected);
  });

  it('lets Chinese text override the Emulator default en-US, then keeps the conversation locale', () => {
    expect(resolveLocale('en-US', '我的订单在哪里', undefined)).toBe('zh-CN');
    expect(resolveLocale('en-US', '4', 'zh-TW')).toBe('zh-TW');
    expect(resolveLocale(undefined, 'Where is my order?', 'zh-CN')).toBe('en');
    expect(resolveLocale('zh-TW', 'ok', undefined)).toBe('zh-TW');
  });
});

describe('segmentation', () => {
  it('segments Chinese with jieba and stems English', () => {
    expect(tokenize('客服态度很好')).toEqual(['客服', '态度', '很', '好']);
    expect(tokenize('客服態度很好')).toEqual(['客服', '态度', '很', '好']);
    expect(tokenize('Refunds are delayed')).toEqual(['refund', 'ar', 'delai']);
  });
});

describe('small talk', () => {
  it.each([
    ['hi', 'greeting'],
    ['您好', 'greeting'],
    ['thank you!', 'thanks'],
    ['謝謝', 'thanks'],
    ['bye', 'goodbye'],
    ['再见', 'goodbye'],
    ['結束', 'goodbye'],
    ["that's all", 'goodbye'],
    ['I want to talk to a person', 'human'],
    ['转人工', 'human'],
    ['真人客服', 'human'],
    ['where is my order', undefined],
  ])('%s → %s', (text, kind) => {
    expect(detectSmallTalk(text)).toBe(kind);
  });

  it('parses the resolved confirmation', () => {
    expect(parseResolved('yes')).toBe('yes');
    expect(parseResolved('解決了')).toBe('yes');
    expect(parseResolved('部分解决')).toBe('partly');
    expect(parseResolved('沒有')).toBe('no');
    expect(parseResolved('how do I get a refund')).toBeUndefined();
  });
});
