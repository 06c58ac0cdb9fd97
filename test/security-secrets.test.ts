import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';

// Secrets come from the environment only and must never reach the log.
const SECRETS = {
  MicrosoftAppPassword: 'S3cr3t-app-password-9f8e7d',
  ANALYST_API_TOKEN: 'analyst-token-a1b2c3d4e5',
  DIRECTLINE_SECRET: 'directline-secret-z9y8x7',
};

let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot({ ...SECRETS, LOG_LEVEL: 'debug' });
});
afterAll(async () => bot?.stop());

describe('secrets in logs', () => {
  it('never logs a secret, even when requests fail authentication', async () => {
    const c = bot.customer();
    // Without MicrosoftAppId the password is unused, but every request path still runs.
    await c.say('hello');
    await fetch(`${bot.app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.DIRECTLINE_SECRET}` },
      body: '{broken',
    });
    await fetch(`${bot.app.url}/api/surveys`, { headers: { authorization: `Bearer ${SECRETS.ANALYST_API_TOKEN}x` } });
    await fetch(`${bot.app.url}/api/surveys`, { headers: { authorization: `Bearer ${SECRETS.ANALYST_API_TOKEN}` } });
    bot.app.log.info('config check', { MicrosoftAppPassword: SECRETS.MicrosoftAppPassword, token: SECRETS.ANALYST_API_TOKEN });
    const logs: string[] = (bot as any).logs;
    expect(logs.length).toBeGreaterThan(0);
    const all = logs.join('\n');
    for (const s of Object.values(SECRETS)) expect(all).not.toContain(s);
  });

  it('never logs passwords, session tokens or Direct Line tokens, on success or failure', async () => {
    const url = bot.app.url;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    await post('/api/agent/login', { username: 'alice', password: 'wrong-Pa55word-1234' });
    const ok = await (await post('/api/agent/login', { username: 'alice', password: 'agent-demo' })).json();
    await fetch(`${url}/api/agent/queue`, { headers: { authorization: `Bearer ${ok.token}` } });
    await fetch(`${url}/api/agent/queue`, { headers: { authorization: `Bearer ${ok.token}x` } });
    const dl = await (await post('/directline/v3/directline/tokens/generate', {}, { authorization: `Bearer ${SECRETS.DIRECTLINE_SECRET}` })).json();
    await post('/directline/v3/directline/tokens/generate', {}, { authorization: `Bearer ${SECRETS.DIRECTLINE_SECRET}-wrong` });
    await post(`/directline/v3/directline/conversations/${dl.conversationId}/activities`, { type: 'message', text: 'hi' }, { authorization: `Bearer ${dl.token}` });
    await fetch(`${url}/directline/v3/directline/conversations/${dl.conversationId}/activities`, { headers: { authorization: `Bearer ${dl.token}broken` } });
    const all = ((bot as any).logs as string[]).join('\n');
    expect(ok.token).toBeTruthy();
    expect(dl.token).toBeTruthy();
    for (const s of ['wrong-Pa55word-1234', 'agent-demo', ok.token, ok.csrf, dl.token, SECRETS.DIRECTLINE_SECRET]) expect(all).not.toContain(s);
  });
});
