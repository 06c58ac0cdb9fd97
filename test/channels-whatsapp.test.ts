import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';
import { Agent } from './helpers/agent';
import { WHATSAPP, whatsappNotification, whatsappSign, whatsappStub, type PlatformStub } from './helpers/platforms';

let tb: TestBot;
let wa: PlatformStub;
const SEND = new RegExp(`^/${WHATSAPP.phoneId}/messages$`);
const env = (base: string, extra: Record<string, string> = {}) => ({
  WHATSAPP_VERIFY_TOKEN: WHATSAPP.verify, WHATSAPP_APP_SECRET: WHATSAPP.secret, WHATSAPP_ACCESS_TOKEN: WHATSAPP.token,
  WHATSAPP_PHONE_NUMBER_ID: WHATSAPP.phoneId, WHATSAPP_API_BASE_URL: base, CHANNELS_RETRY_BASE_MS: '10', ...extra,
});

async function post(bot: TestBot, payload: unknown, sig: string | null = 'good') {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (sig === 'good') headers['x-hub-signature-256'] = whatsappSign(body);
  else if (sig) headers['x-hub-signature-256'] = sig;
  return fetch(`${bot.app.url}/api/channels/whatsapp`, { method: 'POST', headers, body });
}
const sent = (to: string) => wa.on(SEND).filter((c) => c.body.to === to).map((c) => c.body);
async function waitSent(to: string, n: number) {
  const end = Date.now() + 8000;
  while (sent(to).length < n) {
    if (Date.now() > end) throw new Error(`${to}: ${sent(to).length}/${n}: ${JSON.stringify(sent(to))}`);
    await new Promise((r) => setTimeout(r, 30));
  }
  await new Promise((r) => setTimeout(r, 120));
  return sent(to);
}
async function say(to: string, kind: Parameters<typeof whatsappNotification>[1], n = 1, bot = tb) {
  const before = sent(to).length;
  expect((await post(bot, whatsappNotification(to, kind))).status).toBe(200);
  return (await waitSent(to, before + n)).slice(before);
}
const handoffId = async (bot: TestBot, conv: string) =>
  (await bot.app.db.get<any>('SELECT h.id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ? ORDER BY h.id DESC', [conv])).id;

beforeAll(async () => {
  wa = await whatsappStub().start();
  tb = await startTestBot(env(wa.url), { handoff: { heartbeatMs: 200, tickMs: 100 } });
}, 180_000);
afterAll(async () => {
  await tb?.stop();
  await wa?.stop();
});

describe('WhatsApp Cloud API channel', () => {
  it('answers the hub.challenge handshake only with the verify token', async () => {
    const ok = await fetch(`${tb.app.url}/api/channels/whatsapp?hub.mode=subscribe&hub.verify_token=${WHATSAPP.verify}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(`${tb.app.url}/api/channels/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status).toBe(403);
  });

  it('answers 401 to a bad or missing X-Hub-Signature-256 and processes nothing', async () => {
    const n = whatsappNotification('15550001111', { text: 'hello' });
    expect((await post(tb, n, null)).status).toBe(401);
    expect((await post(tb, n, whatsappSign(JSON.stringify(n), 'other-secret'))).status).toBe(401);
    expect((await post(tb, n, 'sha256=zz')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(wa.calls).toHaveLength(0);
    expect(await tb.app.db.get("SELECT COUNT(*) AS n FROM channel_events WHERE channel = 'whatsapp'")).toEqual({ n: 0 });
  });

  it('ignores status notifications and answers a text with the KB answer and reply buttons', async () => {
    const status = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: WHATSAPP.phoneId }, statuses: [{ id: 'wamid.x', status: 'delivered', recipient_id: '1555' }] } }] }] };
    expect((await post(tb, status)).status).toBe(200);
    const msgs = await say('15550002222', { text: 'How do I reset my password?' }, 2);
    expect(msgs[0]).toMatchObject({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '15550002222', type: 'text' });
    expect(msgs[0].text.body).toMatch(/password/i);
    expect(wa.on(SEND)[0].headers.authorization).toBe(`Bearer ${WHATSAPP.token}`);
    const ask = msgs[1];
    expect(ask.type).toBe('interactive');
    expect(ask.interactive.type).toBe('button');
    expect(ask.interactive.action.buttons.map((b: any) => b.reply.title)).toEqual(['Yes', 'Partly', 'No']);
  });

  it('processes a redelivered message (same wamid) once, and answers media politely', async () => {
    const n = whatsappNotification('15550003333', { text: 'What are your opening hours?' }, { id: 'wamid.DUP1' });
    expect((await post(tb, n)).status).toBe(200);
    await waitSent('15550003333', 2);
    expect((await post(tb, n)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(sent('15550003333')).toHaveLength(2);
    for (const media of ['image', 'sticker', 'audio'] as const) {
      const [m] = await say('15550003333', { media });
      expect(m.text.body).toMatch(/only read text messages/);
    }
  });

  it('retries a 503 from the Graph API', async () => {
    wa.fail(SEND, 2, 503, { error: { message: 'Service temporarily unavailable', code: 2 } });
    const before = wa.on(SEND).length;
    const msgs = await say('15550004444', { text: 'What are your opening hours?' }, 2);
    expect(msgs[0].text.body).toMatch(/9:00-21:00/);
    expect(wa.on(SEND).length - before).toBe(4); // two refused, then the two messages
  });

  it('runs a whole survey with a list and reply buttons', async () => {
    const user = '15550005555';
    await say(user, { text: 'How do I reset my password?' }, 2);
    const start = await say(user, { text: 'bye' }, 3);
    const q = start.at(-1);
    expect(q.interactive.type).toBe('list');
    expect(q.interactive.body.text).toMatch(/Overall, how satisfied/);
    const rows = q.interactive.action.sections.flatMap((s: any) => s.rows);
    expect(rows).toHaveLength(5);
    for (const r of rows) expect([...r.title].length).toBeLessThanOrEqual(24);
    const five = rows.find((r: any) => r.title.startsWith('★★★★★'));
    const next = await say(user, { list: { id: five.id, title: five.title } });
    const open = next.at(-1);
    expect(open.interactive.body.text).toMatch(/better/i); // the open question, with its Skip button
    expect(open.interactive.action.buttons.map((b: any) => b.reply.title)).toEqual(['Skip']);
    const end = await say(user, { text: 'Quick and friendly' });
    expect(end.at(-1).text.body).toBe('Thank you for your feedback!');
    const a = await tb.app.db.get<any>(
      "SELECT a.value, a.input_mode FROM survey_answers a JOIN surveys s ON s.id = a.survey_id JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = 'whatsapp:15550005555' AND a.item_id = 'csat'",
    );
    expect(a).toEqual({ value: 5, input_mode: 'button' });
  });

  it('sends nothing free-form outside the 24-hour window and skips the survey with a logged reason', async () => {
    const user = '15550006666';
    await say(user, { text: 'agent' }, 1);
    const id = await handoffId(tb, `whatsapp:${user}`);
    const alice = await new Agent(() => tb.app.url, 'alice').login();
    expect((await alice.fetch(`/api/agent/conversations/${id}/accept`, {})).status).toBe(200);
    const n = sent(user).length;
    expect((await alice.fetch(`/api/agent/conversations/${id}/messages`, { text: 'Hi, Alice here.' })).status).toBe(201);
    expect((await waitSent(user, n + 1)).map((m) => m.text?.body)).toContain('Hi, Alice here.');

    await tb.app.db.run('UPDATE channel_windows SET last_inbound_at = ? WHERE conversation_id = ?', [new Date(Date.now() - 25 * 3600_000).toISOString(), `whatsapp:${user}`]);
    const before = sent(user).length;
    await alice.fetch(`/api/agent/conversations/${id}/messages`, { text: 'Are you still there?' });
    const r = await alice.json(`/api/agent/conversations/${id}/resolve`, {});
    expect(r.surveyStarted).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(sent(user)).toHaveLength(before);
    const logs = (tb as any).logs as string[];
    expect(logs.some((l) => l.includes('proactive message not sent') && l.includes('24-hour'))).toBe(true);
    const ev = await tb.app.db.get<any>(
      "SELECT e.detail FROM interaction_events e JOIN interactions i ON i.id = e.interaction_id WHERE i.conversation_id = ? AND e.kind = 'survey_eligibility' ORDER BY e.id DESC",
      [`whatsapp:${user}`],
    );
    expect(JSON.parse(ev.detail)).toMatchObject({ eligible: false, reason: 'channel_window' });
  });

  it('outside the window, sends the survey question as the configured template', async () => {
    const bot = await startTestBot(env(wa.url, { WHATSAPP_SURVEY_TEMPLATE: 'survey_invite:en_US' }), { handoff: { heartbeatMs: 200, tickMs: 100 } });
    try {
      const user = '15550007777';
      await say(user, { text: 'agent' }, 1, bot);
      const id = await handoffId(bot, `whatsapp:${user}`);
      const bob = await new Agent(() => bot.app.url, 'bob').login();
      expect((await bob.fetch(`/api/agent/conversations/${id}/accept`, {})).status).toBe(200);
      await bot.app.db.run('UPDATE channel_windows SET last_inbound_at = ? WHERE conversation_id = ?', [new Date(Date.now() - 30 * 3600_000).toISOString(), `whatsapp:${user}`]);
      const before = sent(user).length;
      const r = await bob.json(`/api/agent/conversations/${id}/resolve`, {});
      expect(r.surveyStarted).toBe(true);
      const out = (await waitSent(user, before + 1)).slice(before);
      expect(out.every((m) => m.type === 'template')).toBe(true);
      expect(out[0].template).toMatchObject({ name: 'survey_invite', language: { code: 'en_US' } });
      expect(out[0].template.components[0].parameters[0].text).toMatch(/satisfied/);
      // the customer answers by typing: the window is open again and the survey goes on
      const next = await say(user, { text: '4' }, 1, bot);
      expect(next[0].type).toBe('interactive');
    } finally {
      await bot.stop();
    }
  }, 180_000);
});
