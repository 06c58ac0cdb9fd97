import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import restify from 'restify';
import { Db } from '../src/storage/db';
import { openTestDb } from './helpers/db';
import { createLogger } from '../src/log';
import { hashSecret, loadAccounts, registerAuthRoutes, requireSession, SessionStore, verifySecret } from '../src/web/auth';
import { ConfigError } from '../src/configError';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let server: restify.Server;
let url = '';
let db: Db;

beforeAll(async () => {
  db = await openTestDb(':memory:');
  const accounts = loadAccounts('config/accounts.yaml');
  const sessions = new SessionStore(db);
  server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  const log = createLogger('error');
  registerAuthRoutes(server, { prefix: '/api/agent', role: 'agent', accounts, sessions, log });
  server.post('/api/agent/ping', requireSession(sessions, 'agent'), (req, res, next) => { res.send(200, { who: (req as any).account.id }); next(); });
  server.get('/api/analyst/ping', requireSession(sessions, 'analyst'), (_req, res, next) => { res.send(200, {}); next(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as any).port}`;
});
afterAll(async () => { server.close(); await db.close(); });

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('auth', () => {
  it('hashes and verifies secrets', () => {
    const h = hashSecret('s3cret');
    expect(h).toMatch(/^scrypt\$/);
    expect(verifySecret('s3cret', h)).toBe(true);
    expect(verifySecret('other', h)).toBe(false);
  });

  it('names the bad field in the account file', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'acc-')), 'a.yaml');
    writeFileSync(f, 'accounts:\n  - id: x\n    role: boss\n    passwordHash: "scrypt$aa$bb"\n');
    expect(() => loadAccounts(f)).toThrow(ConfigError);
    expect(() => loadAccounts(f)).toThrow(/accounts\[0\]\.role/);
  });

  it('logs in with a cookie, enforces csrf and roles, logs out', async () => {
    expect((await post('/api/agent/ping', {})).status).toBe(401);
    expect((await post('/api/agent/login', { username: 'alice', password: 'wrong' })).status).toBe(401);
    const r = await post('/api/agent/login', { username: 'alice', password: 'agent-demo' });
    expect(r.status).toBe(200);
    const body = await r.json();
    const cookie = r.headers.get('set-cookie')!.split(';')[0];
    expect(r.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await post('/api/agent/ping', {}, { cookie })).status).toBe(403);
    const ok = await post('/api/agent/ping', {}, { cookie, 'x-csrf-token': body.csrf });
    expect(await ok.json()).toEqual({ who: 'alice' });
    expect((await fetch(url + '/api/analyst/ping', { headers: { authorization: `Bearer ${body.token}` } })).status).toBe(403);
    expect((await fetch(url + '/api/agent/me', { headers: { cookie } })).status).toBe(200);
    await post('/api/agent/logout', {}, { cookie });
    expect((await fetch(url + '/api/agent/me', { headers: { cookie } })).status).toBe(401);
  });

  it('locks out after 5 failures', async () => {
    for (let i = 0; i < 5; i++) expect((await post('/api/agent/login', { username: 'bob', password: 'x' })).status).toBe(401);
    expect((await post('/api/agent/login', { username: 'bob', password: 'agent-demo' })).status).toBe(429);
  });

  it('expires sessions', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const s = new SessionStore(db, { ttlSeconds: 60, now: () => now });
    const { token } = await s.create({ id: 'alice', name: 'A', role: 'agent' });
    expect((await s.get(token))?.accountId).toBe('alice');
    now = new Date('2026-01-01T00:02:00Z');
    expect(await s.get(token)).toBeUndefined();
  });
});
