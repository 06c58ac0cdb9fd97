/** Shared login and session module for the agent console and the analyst workspace. */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type restify from 'restify';
import type { Db } from '../storage/db';
import type { Logger } from '../log';
import { ConfigError } from '../configError';
import { LoginLimiter, type LoginLimits } from './loginLimiter';
import { readCookie, type AuthedRequest } from './http';

export type Role = 'agent' | 'analyst';
export interface Account { id: string; name: string; role: Role; passwordHash?: string; tokenHash?: string }
export interface Session { accountId: string; role: Role; csrf: string; expiresAt: string }

export function hashSecret(secret: string): string {
  const salt = randomBytes(16).toString('hex');
  return `scrypt$${salt}$${scryptSync(secret, salt, 32).toString('hex')}`;
}

export function verifySecret(secret: string, hash: string): boolean {
  const [kind, salt, hex] = hash.split('$');
  if (kind !== 'scrypt' || !salt || !hex) return false;
  const want = Buffer.from(hex, 'hex');
  const got = scryptSync(secret, salt, want.length || 32);
  return want.length === got.length && timingSafeEqual(want, got);
}

export function loadAccounts(file: string): Account[] {
  let doc: any;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, 'accounts', `cannot read: ${(e as Error).message}`);
  }
  if (!doc || !Array.isArray(doc.accounts)) throw new ConfigError(file, 'accounts', 'must be a list');
  const seen = new Set<string>();
  return doc.accounts.map((a: any, i: number) => {
    const f = (k: string) => `accounts[${i}].${k}`;
    if (!a || typeof a.id !== 'string' || !a.id) throw new ConfigError(file, f('id'), 'required string');
    if (seen.has(a.id)) throw new ConfigError(file, f('id'), `duplicate "${a.id}"`);
    seen.add(a.id);
    if (a.role !== 'agent' && a.role !== 'analyst') throw new ConfigError(file, f('role'), 'must be agent or analyst');
    for (const k of ['passwordHash', 'tokenHash'])
      if (a[k] !== undefined && !/^scrypt\$[0-9a-f]+\$[0-9a-f]+$/.test(String(a[k])))
        throw new ConfigError(file, f(k), 'must be scrypt$<salt>$<hash> (see hashSecret)');
    if (!a.passwordHash && !a.tokenHash) throw new ConfigError(file, f('passwordHash'), 'passwordHash or tokenHash required');
    return { id: a.id, name: typeof a.name === 'string' ? a.name : a.id, role: a.role, passwordHash: a.passwordHash, tokenHash: a.tokenHash };
  });
}

// Checked against when the user name is unknown, so an unknown user costs the same time as a wrong password.
const DUMMY_HASH = hashSecret(randomBytes(16).toString('hex'));

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export class SessionStore {
  private readonly ttl: number;
  private readonly now: () => Date;
  constructor(private readonly db: Db, opts: { ttlSeconds?: number; now?: () => Date } = {}) {
    this.ttl = opts.ttlSeconds ?? 8 * 3600;
    this.now = opts.now ?? (() => new Date());
  }
  async create(a: Account): Promise<{ token: string; csrf: string; expiresAt: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.ttl * 1000).toISOString();
    await this.db.run('DELETE FROM sessions WHERE expires_at <= ?', [now.toISOString()]);
    await this.db.run('INSERT INTO sessions(token_hash, account_id, role, csrf, created_at, expires_at) VALUES (?,?,?,?,?,?)',
      [sha(token), a.id, a.role, csrf, now.toISOString(), expiresAt]);
    return { token, csrf, expiresAt };
  }
  async get(token: string): Promise<Session | undefined> {
    const r = await this.db.get<any>('SELECT account_id, role, csrf, expires_at FROM sessions WHERE token_hash = ?', [sha(token)]);
    if (!r || r.expires_at <= this.now().toISOString()) return undefined;
    return { accountId: r.account_id, role: r.role, csrf: r.csrf, expiresAt: r.expires_at };
  }
  async destroy(token: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE token_hash = ?', [sha(token)]);
  }
}

function cookieName(role: Role) { return `${role}_session`; }

function bearer(req: restify.Request): string | undefined {
  const h = req.headers.authorization;
  return typeof h === 'string' && /^Bearer /i.test(h) ? h.slice(7).trim() || undefined : undefined;
}

function isHttps(req: restify.Request): boolean {
  return req.isSecure() === true || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim() === 'https';
}

export function registerAuthRoutes(server: restify.Server, opts: { prefix: string; role: Role; accounts: Account[]; sessions: SessionStore; log: Logger; limits?: Partial<LoginLimits> }): void {
  const { prefix, role, accounts, sessions, log } = opts;
  const limiter = new LoginLimiter(opts.limits);
  const pub = (a: Account) => ({ id: a.id, name: a.name, role: a.role });

  server.post(`${prefix}/login`, async (req, res) => {
    const body = (typeof req.body === 'object' && req.body) || {};
    const username = typeof body.username === 'string' ? body.username : '';
    // Each distinct username adds a lock-out entry (and a log line): a 100 KB name should do neither.
    if (username.length > 128) { res.send(400, { error: 'username is too long' }); return; }
    const address = req.socket.remoteAddress ?? '';
    const user = username || 'token';
    const wait = limiter.lockedFor(address, user);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      res.send(429, { error: 'too many failed logins, try later' });
      return;
    }
    let account: Account | undefined;
    if (typeof body.token === 'string' && body.token) {
      account = accounts.find((a) => a.role === role && a.tokenHash && verifySecret(body.token, a.tokenHash));
    } else if (username && typeof body.password === 'string') {
      const a = accounts.find((x) => x.id === username && x.role === role);
      // Always one scrypt: timing must not tell a wrong password from an unknown user.
      if (verifySecret(body.password, a?.passwordHash ?? DUMMY_HASH) && a?.passwordHash) account = a;
    }
    if (!account) {
      limiter.fail(address, user);
      log.warn('login failed', { role, username });
      res.send(401, { error: 'invalid credentials' });
      return;
    }
    limiter.succeed(address, user);
    const s = await sessions.create(account);
    const maxAge = Math.max(0, Math.round((Date.parse(s.expiresAt) - Date.now()) / 1000));
    res.header('Set-Cookie', `${cookieName(role)}=${s.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${isHttps(req) ? '; Secure' : ''}`);
    log.info('login', { role, account: account.id });
    res.send(200, { csrf: s.csrf, expiresAt: s.expiresAt, account: pub(account), token: s.token });
  });

  server.post(`${prefix}/logout`, async (req, res) => {
    const t = readCookie(req, cookieName(role)) ?? bearer(req);
    if (t) await sessions.destroy(t);
    res.header('Set-Cookie', `${cookieName(role)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.send(204);
  });

  server.get(`${prefix}/me`, requireSession(sessions, role), async (request, res) => {
    const req = request as AuthedRequest;
    const a = accounts.find((x) => x.id === req.account.id);
    res.send(200, { account: a ? pub(a) : req.account, csrf: req.session.csrf, expiresAt: req.session.expiresAt });
  });
}

export function requireSession(sessions: SessionStore, role: Role): restify.RequestHandler {
  return (req, res, next) => {
    const check = async (): Promise<boolean> => {
      const token = bearer(req) ?? readCookie(req, cookieName(role)); // a malformed cookie is a 400 (HttpError)
      const s = token ? await sessions.get(token) : undefined;
      if (!s) { res.send(401, { error: 'login required' }); return false; }
      if (s.role !== role) { res.send(403, { error: 'wrong role' }); return false; }
      const viaCookie = !bearer(req);
      if (viaCookie && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method ?? '') && req.headers['x-csrf-token'] !== s.csrf) {
        res.send(403, { error: 'csrf token missing or wrong' });
        return false;
      }
      (req as AuthedRequest).account = { id: s.accountId, role: s.role };
      (req as AuthedRequest).session = s;
      return true;
    };
    // A rejection (bad cookie → HttpError 400, a failed read → 500) is answered by route() (src/web/http.ts).
    return check().then((ok) => (ok ? next() : next(false)));
  };
}
