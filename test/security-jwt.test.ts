import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, createSign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestBot, type TestBot } from './helpers/app';

// Locally generated signing keys and a stubbed OpenID metadata endpoint on loopback stand in
// for the Bot Framework's, so JWT validation is exercised for real without the network.
const APP_ID = '11111111-2222-3333-4444-555555555555';
const ISSUER = 'https://api.botframework.com';

const good = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rogue = generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function sign(claims: Record<string, unknown>, key: KeyObject, kid = 'test-key'): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = b64url(JSON.stringify(claims));
  const s = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key);
  return `${header}.${payload}.${b64url(s)}`;
}

let metadata: Server;
let metaUrl = '';
let bot: TestBot;

beforeAll(async () => {
  const jwk = { ...good.publicKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', kty: 'RSA', endorsements: ['emulator', 'webchat'] };
  metadata = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url?.startsWith('/keys')) res.end(JSON.stringify({ keys: [jwk] }));
    else res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${metaUrl}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
  });
  await new Promise<void>((r) => metadata.listen(0, '127.0.0.1', r));
  metaUrl = `http://127.0.0.1:${(metadata.address() as { port: number }).port}`;
  bot = await startTestBot(
    { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' },
    {
      authOptions: {
        ToBotFromChannelOpenIdMetadataUrl: `${metaUrl}/.well-known/openidconfiguration`,
        ToBotFromEmulatorOpenIdMetadataUrl: `${metaUrl}/.well-known/openidconfiguration`,
        // Setting any endpoint switches the factory to explicit settings, so the public-cloud
        // values for the rest are given here too.
        ToBotFromChannelTokenIssuer: ISSUER,
        ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
        ToChannelFromBotOAuthScope: 'https://api.botframework.com',
        OAuthUrl: 'https://api.botframework.com',
      },
    },
  );
});

afterAll(async () => {
  await bot?.stop();
  await new Promise<void>((r) => metadata?.close(() => r()));
});

function claims(serviceUrl: string, extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: APP_ID, serviceurl: serviceUrl, nbf: now - 60, exp: now + 600, ...extra };
}

async function postWith(auth: string | undefined) {
  const c = bot.customer({ channelId: 'emulator' });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = auth;
  return fetch(`${bot.app.url}/api/messages`, { method: 'POST', headers, body: JSON.stringify(c.activity({ text: 'hello' })) });
}

describe('/api/messages with MicrosoftAppId set', () => {
  it('rejects a request without a token', async () => {
    expect((await postWith(undefined)).status).toBe(401);
  });

  it('rejects an unsigned token (alg none)', async () => {
    const header = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const token = `${header}.${b64url(JSON.stringify(claims(bot.channel.url)))}.`;
    expect((await postWith(`Bearer ${token}`)).status).toBe(401);
  });

  /** botframework-connector logs a rejected token with console.error: expected in these cases, kept out of the test log. */
  async function rejectedLogged(token: string, logged: RegExp) {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect((await postWith(`Bearer ${token}`)).status).toBe(401);
      expect(spy.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(logged);
    } finally {
      spy.mockRestore();
    }
  }

  it('rejects a token signed with another key', async () => {
    await rejectedLogged(sign(claims(bot.channel.url), rogue.privateKey), /Error finding key for token/);
  });

  it('rejects a correctly signed token for another app id', async () => {
    expect((await postWith(`Bearer ${sign(claims(bot.channel.url, { aud: 'someone-else' }), good.privateKey)}`)).status).toBe(401);
  });

  it('rejects an expired token', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    await rejectedLogged(sign(claims(bot.channel.url, { nbf: past - 600, exp: past }), good.privateKey), /jwt expired/);
  });

  it('accepts a token signed by the published key (the control that shows the checks can pass)', async () => {
    const res = await postWith(`Bearer ${sign(claims(bot.channel.url), good.privateKey)}`);
    // Authentication passed; the reply itself may fail to obtain an outbound token offline.
    expect(res.status).not.toBe(401);
    expect(res.status).not.toBe(403);
  });
});
