import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  /** conversation id the token is bound to */
  cid: string;
  /** user id every activity posted with this token is sent as */
  uid: string;
  /** expiry, seconds since epoch */
  exp: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; status: 401; reason: 'invalid' | 'expired' };

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** HMAC-SHA256 signed, short-lived tokens bound to one conversation. */
export class TokenService {
  private readonly key: Buffer;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    // A derived key, so a leaked token signature says nothing about the secret itself.
    this.key = createHmac('sha256', secret).update('directline-token-v1').digest();
  }

  issue(cid: string, uid: string): { token: string; expires_in: number } {
    const exp = Math.floor(this.now().getTime() / 1000) + this.ttlSeconds;
    const body = b64(JSON.stringify({ cid, uid, exp, n: randomBytes(6).toString('hex') }));
    return { token: `dl1.${body}.${this.sign(body)}`, expires_in: this.ttlSeconds };
  }

  verify(token: string): TokenCheck {
    const [v, body, sig] = token.split('.');
    if (v !== 'dl1' || !body || !sig) return { ok: false, status: 401, reason: 'invalid' };
    const want = Buffer.from(this.sign(body));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, status: 401, reason: 'invalid' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, status: 401, reason: 'invalid' };
    }
    if (typeof claims.cid !== 'string' || typeof claims.uid !== 'string' || typeof claims.exp !== 'number') return { ok: false, status: 401, reason: 'invalid' };
    if (claims.exp * 1000 <= this.now().getTime()) return { ok: false, status: 401, reason: 'expired' };
    return { ok: true, claims };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
