import { describe, expect, it } from 'vitest';
import { luhnValid, redact, validChineseId18 } from '../src/nlp/redact';

const cases: Array<[string, string, string[]]> = [
  // Chinese
  ['我的手机是13812345678，请回电', '我的手机是[PHONE]，请回电', ['PHONE']],
  ['电话 +86 138-1234-5678 找张先生', '电话 [PHONE] 找张先生', ['PHONE']],
  ['手機 138 1234 5678', '手機 [PHONE]', ['PHONE']],
  ['座机010-12345678转分机', '座机[PHONE]转分机', ['PHONE']],
  ['办公室 (021) 6234 5678', '办公室 [PHONE]', ['PHONE']],
  ['身份证11010519491231002X已提交', '身份证[ID]已提交', ['ID']],
  ['身分證號碼 440308199901011234', '身分證號碼 [ID]', ['ID']],
  ['旧身份证 110105491231002', '旧身份证 [ID]', ['ID']],
  ['退款到卡号6222021234567890128吧', '退款到卡号[CARD]吧', ['CARD']],
  ['卡号 6217 0000 0000 0006', '卡号 [CARD]', ['CARD']],
  ['邮箱 zhang.san@example.com.cn 联系我', '邮箱 [EMAIL] 联系我', ['EMAIL']],
  ['订单号 12345678 金额 1,234.56 元', '订单号 12345678 金额 1,234.56 元', []],
  ['退款 ¥12345.67，订单 2023112398765 号', '退款 ¥12345.67，订单 2023112398765 号', []],
  ['2024-05-01 10:30 下单，等了3天', '2024-05-01 10:30 下单，等了3天', []],
  ['客服态度很好，给5分', '客服态度很好，给5分', []],
  // English
  ['call me at +86 138-1234-5678 please', 'call me at [PHONE] please', ['PHONE']],
  ['UK office +44 20 7946 0958', 'UK office [PHONE]', ['PHONE']],
  ['my number is (415) 555-2671', 'my number is [PHONE]', ['PHONE']],
  ['or 415-555-2671 or 415.555.2671', 'or [PHONE] or [PHONE]', ['PHONE']],
  ['+1 (415) 555-2671 after 5pm', '[PHONE] after 5pm', ['PHONE']],
  ['email john.doe+cs@mail.example.org thanks', 'email [EMAIL] thanks', ['EMAIL']],
  ['card 4111 1111 1111 1111 was charged', 'card [CARD] was charged', ['CARD']],
  ['card 4111-1111-1111-1111', 'card [CARD]', ['CARD']],
  ['card 4111 1111 1111 1112 (typo)', 'card 4111 1111 1111 1112 (typo)', []],
  ['order #98765432 total $1299.00', 'order #98765432 total $1299.00', []],
  ['waited 45 minutes, ticket 1234 5678', 'waited 45 minutes, ticket 1234 5678', []],
  ['reach me: a@b.co or 13912345678', 'reach me: [EMAIL] or [PHONE]', ['EMAIL', 'PHONE']],
  ['', '', []],
];

describe('redact', () => {
  it.each(cases)('%s', (input, expected, kinds) => {
    const r = redact(input);
    expect(r.text).toBe(expected);
    expect([...r.kinds].sort()).toEqual([...kinds].sort());
  });

  it('checks ID-card checksums and Luhn', () => {
    expect(validChineseId18('11010519491231002X')).toBe(true);
    expect(validChineseId18('110105194912310021')).toBe(false);
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('leaves an 18-digit number with a bad checksum that is not a card alone', () => {
    expect(redact('编号 110105194912310021').text).toBe('编号 110105194912310021');
  });
});
