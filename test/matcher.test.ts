import { describe, expect, it } from 'vitest';
import { Matcher } from '../src/nlp/matcher';
import { kbExamples, loadKnowledgeBase } from '../src/nlp/kb';
import { fitCalibration, loadCalibration } from '../src/nlp/calibrate';
import { stripWrappers } from '../src/nlp/wrappers';
import { ConfigError } from '../src/configError';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A small three-locale service KB written for this test so it does not move with models/kb.
const KB: Record<string, string[]> = {
  reset_password: [
    'How do I reset my password?', 'I forgot my password', 'Can I change my login password?', 'password reset link not working',
    '我忘记密码了怎么办', '怎么重置密码', '如何修改登录密码', '密码找回',
    '我忘記密碼了怎麼辦', '怎麼重設密碼', '如何修改登入密碼',
  ],
  track_order: [
    'Where is my order?', 'How can I track my package?', 'My parcel has not arrived', 'When will my delivery arrive?',
    '我的订单到哪里了', '怎么查询物流', '快递什么时候到', '包裹还没收到',
    '我的訂單到哪裡了', '怎麼查詢物流', '包裹還沒收到',
  ],
  refund: [
    'How do I get a refund?', 'I want my money back', 'Can I return an item for a refund?', 'refund request',
    '怎么申请退款', '我要退款', '退货退款流程', '钱什么时候退回来',
    '怎麼申請退款', '我要退款', '退貨退款流程',
  ],
  opening_hours: [
    'What are your opening hours?', 'When is customer service open?', 'Are you open on weekends?', 'business hours',
    '你们几点上班', '客服工作时间是什么', '周末有人吗', '营业时间',
    '你們幾點上班', '客服工作時間是什麼', '營業時間',
  ],
  close_account: [
    'How do I delete my account?', 'I want to close my account', 'cancel my membership', 'remove my profile',
    '怎么注销账号', '我要注销账户', '如何删除我的账号', '取消会员',
    '怎麼註銷帳號', '我要註銷帳戶', '如何刪除我的帳號',
  ],
  change_address: [
    'How do I change my delivery address?', 'update shipping address', 'I moved, can I change the address on my order?',
    '怎么修改收货地址', '地址填错了能改吗', '更改配送地址',
    '怎麼修改收貨地址', '地址填錯了能改嗎', '更改配送地址',
  ],
};
const examples = Object.entries(KB).flatMap(([label, qs]) => qs.map((text) => ({ label, text })));
const matcher = Matcher.train(examples);

// The shipped service KB: what the bot really answers from.
const service = Matcher.train(kbExamples(loadKnowledgeBase('models/kb')));

describe('Matcher on the service KB', () => {
  it('ships a believable service desk: 40+ entries, several phrasings and an answer in each locale', () => {
    const kb = loadKnowledgeBase('models/kb');
    expect(kb.entries.length).toBeGreaterThanOrEqual(40);
    const categories = new Set(kb.entries.map((e) => e.category));
    for (const c of ['accounts', 'orders', 'billing', 'complaints', 'contact', 'privacy']) expect(categories).toContain(c);
    for (const e of kb.entries) {
      for (const loc of ['zh-CN', 'zh-TW', 'en'] as const) {
        expect(e.questions[loc].length, `${e.id} ${loc}`).toBeGreaterThanOrEqual(3);
        expect(e.answer[loc].trim().length).toBeGreaterThan(0);
      }
    }
  });

  it.each([
    ['I have forgotten my password, how can I reset it?', 'account.reset_password'],
    ['where is my package', 'order.track'],
    ['how do I delete my account', 'account.close_account'],
    ['我忘了密码，怎么重置', 'account.reset_password'],
    ['我的快递到哪了', 'order.track'],
    ['怎麼註銷我的帳號', 'account.close_account'],
    ['客服幾點上班', 'contact.hours'],
  ])('answers the paraphrase %s with high confidence', (q, id) => {
    const r = service.match(q);
    expect(r.top[0]?.id).toBe(id);
    expect(r.level).toBe('high');
  });

  it.each(["what's the weather on Mars", '我想买一辆拖拉机', '量子力学的基本原理是什么', '請問明天會下雨嗎', 'asdf qwerty', '???'])(
    'rates the out-of-domain question %s low',
    (q) => {
      const r = service.match(q);
      expect(r.level).toBe('low');
      expect(r.confidence).toBeLessThan(0.15);
    },
  );
});

describe('Matcher', () => {
  it('ranks the right entry first on a small three-locale KB', () => {
    expect(matcher.match('I would like a refund for my order').top[0].id).toBe('refund');
    expect(matcher.match('我的快递到哪了').top[0].id).toBe('track_order');
    expect(matcher.match('怎麼註銷我的帳號').top[0].id).toBe('close_account');
    expect(matcher.match('where is my package').level).toBe('high');
  });

  it('returns up to k candidates with scores in 0..1, best first', () => {
    const r = matcher.match('change address or refund', 3);
    expect(r.top.length).toBeGreaterThan(0);
    expect(r.top.length).toBeLessThanOrEqual(3);
    for (let i = 0; i < r.top.length; i++) {
      expect(r.top[i].score).toBeGreaterThanOrEqual(0);
      expect(r.top[i].score).toBeLessThanOrEqual(1);
      if (i) expect(r.top[i].score).toBeLessThanOrEqual(r.top[i - 1].score);
    }
    expect(r.confidence).toBe(r.top[0].score);
  });

  it('uses the configured thresholds', () => {
    const strict = Matcher.train(examples, { answerAt: 0.999, suggestAt: 0.998 });
    expect(strict.match('where is my package').level).toBe('low');
  });

  it('matches in under 2 ms per query', () => {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) matcher.match('我的快递到哪了 where is my package');
    expect((performance.now() - t0) / 200).toBeLessThan(2);
  });
});

// What the bot runs: the shipped KB with the calibration in models/matcher.json.
const calibration = loadCalibration('models/matcher.json')!;
const bot = Matcher.train(kbExamples(loadKnowledgeBase('models/kb')), { calibration });

describe('Matcher as the bot runs it (calibrated)', () => {
  it('ships a calibration whose thresholds are ordered', () => {
    expect(calibration.coef.length).toBeGreaterThan(3);
    expect(calibration.suggestAt).toBeGreaterThan(0);
    expect(calibration.suggestAt).toBeLessThanOrEqual(calibration.answerAt);
    expect(bot.thresholds).toEqual({ answerAt: calibration.answerAt, suggestAt: calibration.suggestAt });
  });

  it.each([
    ['zh-CN', '你好，我想问一下，我的密码忘记了该怎么重新设置呀', 'account.reset_password'],
    ['en', 'hi, quick question, how do I reset my password?', 'account.reset_password'],
    ['zh-TW', '請問一下，我想把帳號註銷掉，要怎麼做', 'account.close_account'],
    ['zh-TW', '您好，請問客服電話是幾號', 'contact.phone'],
    ['en', 'how do i resett my pasword', 'account.reset_password'],
    ['en', 'can I pay with paypal or only cards?', 'billing.payment_methods'],
  ])('answers %s "%s" directly through wrappers, Traditional script and typos', (locale, text, id) => {
    const r = bot.match(text, locale);
    expect(r.outcome).toBe('answer');
    expect(r.id).toBe(id);
    expect(r.confidence).toBeGreaterThanOrEqual(calibration.answerAt);
    expect(r.suggestions[0].id).toBe(id);
  });

  it.each([
    ['zh-CN', '您好，麻烦问一下，我上周买的那个东西，快递到现在都没送到，能帮我看看到哪了吗', 'order.track'],
    ['en', 'hello there, I ordered a lamp last Monday and it still has not shown up, can you check where it is', 'order.track'],
    ['en', 'wher is my packge', 'order.track'],
  ])('long or misspelt %s messages put the right entry first, never fall back: %s', (locale, text, id) => {
    const r = bot.match(text, locale);
    expect(r.outcome).not.toBe('fallback');
    expect(r.suggestions[0].id).toBe(id);
  });

  it.each([
    ['zh-CN', '帮我订一张去上海的火车票'],
    ['zh-CN', '今天股市怎么样'],
    ['zh-TW', '台北今天會下雨嗎'],
    ['en', 'recommend me a good book'],
    ['en', 'what is the meaning of life'],
  ])('falls back on the out-of-scope %s message "%s" with no suggestion', (locale, text) => {
    const r = bot.match(text, locale);
    expect(r.outcome).toBe('fallback');
    expect(r.suggestions).toEqual([]);
    expect(r.level).toBe('low');
  });

  it('never offers a suggestion below the floor; older call form match(text, k) still works', () => {
    for (const q of ['退款', 'refund or exchange', '会员积分可以用来抵扣吗', 'points']) {
      const r = bot.match(q, 'zh-CN', 3);
      for (const s of r.suggestions) expect(s.score).toBeGreaterThanOrEqual(calibration.suggestAt);
      expect(r.top).toEqual(r.suggestions);
    }
    expect(bot.match('where is my package', 1).suggestions.length).toBeLessThanOrEqual(1);
  });
});

describe('Calibration', () => {
  it('fits on folds of the examples plus out-of-scope texts and keeps held-out wrong answers within budget', () => {
    const oos = ['tell me a joke', '讲个笑话', 'what is the weather today', '今天天气怎么样', 'who won the game', '谁赢了比赛'];
    const rep = fitCalibration((ex) => Matcher.train(ex), examples, oos, { folds: 3 });
    expect(rep.calibration.answerAt).toBeGreaterThan(0);
    expect(rep.calibration.answerAt).toBeLessThanOrEqual(1);
    expect(rep.calibration.suggestAt).toBeLessThanOrEqual(rep.calibration.answerAt);
    expect(rep.heldOut.inScope).toBe(examples.length);
    expect(rep.heldOut.outOfScope).toBe(oos.length);
    expect(rep.heldOut.answeredWrong / rep.heldOut.inScope).toBeLessThanOrEqual(0.015);
    const m = Matcher.train(examples, { calibration: rep.calibration });
    expect(m.match('tell me a joke').outcome).not.toBe('answer');
  });

  it('rejects a bad calibration file naming the field; a missing file means none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cal-'));
    writeFileSync(join(dir, 'm.json'), JSON.stringify({ calibration: { coef: [1, 2], answerAt: 2, suggestAt: 0.1 } }));
    expect(() => loadCalibration(join(dir, 'm.json'))).toThrow(ConfigError);
    expect(() => loadCalibration(join(dir, 'm.json'))).toThrow(/calibration\.answerAt/);
    expect(loadCalibration(join(dir, 'absent.json'))).toBeUndefined();
  });
});

describe('stripWrappers', () => {
  it.each([
    ['你好，我想问一下，怎么退货', '怎么退货'],
    ['hi, quick question, where is my order?', 'where is my order?'],
    ['請問一下，客服幾點上班', '客服幾點上班'],
  ])('removes the politeness around "%s"', (text, core) => {
    expect(stripWrappers(text).replace(/^[\s,，]+/, '')).toBe(core);
  });

  it('keeps a message made only of politeness as it is', () => {
    expect(stripWrappers('你好')).toBe('你好');
    expect(stripWrappers('hi there')).toBe('hi there');
  });
});
