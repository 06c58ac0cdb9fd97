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
});
