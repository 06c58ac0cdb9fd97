import { loadChannelSettings, type ChannelSettings } from './channels/config';
import { ConfigError } from './configError';

/** Everything the app reads from the environment, typed and validated once at start-up. */
export interface AppConfig {
  port: number;
  host: string;
  databasePath: string;
  /** postgres://user:pass@host:port/db selects PostgreSQL; unset = SQLite at databasePath. */
  databaseUrl?: string;
  /** Connections per instance in the PostgreSQL pool. */
  databasePoolMax: number;
  /** Console accounts (agents, analysts) with hashed secrets. */
  accountsFile: string;
  microsoftAppId: string;
  microsoftAppPassword: string;
  microsoftAppType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  microsoftAppTenantId: string;
  maxBodyBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  modelsDir: string;
  kbDir: string;
  analystApiToken?: string;
  directlineSecret?: string;
  /** URL prefix of the self-hosted Direct Line (domain = `<origin><prefix>/v3/directline`). */
  directlinePrefix: string;
  directlineTokenTtlSeconds: number;
  /** Browser origins allowed to call Direct Line ('*' = any; auth is by bearer token). */
  directlineCorsOrigins: string[];
  /** Conversations whose user id or channel starts with one of these are test/health traffic. */
  testUserPrefixes: string[];
  /** Without an App ID, /api/messages replies only to serviceUrls on these hosts. */
  allowedServiceUrlHosts: string[];
  /** Login lock-out: failures per (address, user) and, softer, per address across names; lock length. */
  loginMaxFailuresPerUser: number;
  loginMaxFailuresPerAddress: number;
  loginLockSeconds: number;
  /** New chat conversations (/chat/token, Direct Line tokens/generate and conversations) per address. */
  conversationRatePerMinute: number;
  conversationRateBurst: number;
  /** How often a database whose writes fail retries a write by itself (ms). */
  dbWriteProbeMs: number;
  /** LINE, Telegram, WeChat, WhatsApp: each present only when its settings are (src/channels/config.ts). */
  channels: ChannelSettings;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

function int(env: NodeJS.ProcessEnv, key: string, dflt: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError('.env', key, `must be an integer in ${min}..${max}, got "${raw}"`);
  return n;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, key: string, allowed: readonly T[], dflt: T): T {
  const raw = env[key];
  if (raw === undefined || raw === '') return dflt;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError('.env', key, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function prefix(raw: string | undefined, dflt: string): string {
  if (raw === undefined || raw === '') return dflt;
  if (!/^\/[\w./-]*[\w-]$/.test(raw) || raw.includes('..')) throw new ConfigError('.env', 'DIRECTLINE_PREFIX', `must be a path like /directline, got "${raw}"`);
  return raw;
}

function hosts(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return ['localhost', '127.0.0.1', '::1'];
  const list = raw.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const h of list)
    if (!/^(\[?[0-9a-f:.]+\]?|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/.test(h))
      throw new ConfigError('.env', 'ALLOWED_SERVICE_URL_HOSTS', `"${h}" is not a host name or IP address (comma-separated hosts, no scheme or port)`);
  return list;
}

function databaseUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\/[^/]+/i.test(raw)) throw new ConfigError('.env', 'DATABASE_URL', 'must be postgres://user:password@host:port/database (unset it to use SQLite at DATABASE_PATH)');
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    port: int(env, 'PORT', 3978, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databasePath: env.DATABASE_PATH || './data/bot.db',
    databaseUrl: databaseUrl(env.DATABASE_URL),
    databasePoolMax: int(env, 'DATABASE_POOL_MAX', 10, 2, 1000),
    accountsFile: env.ACCOUNTS_FILE || 'config/accounts.yaml',
    microsoftAppId: env.MicrosoftAppId ?? '',
    microsoftAppPassword: env.MicrosoftAppPassword ?? '',
    microsoftAppType: oneOf(env, 'MicrosoftAppType', APP_TYPES, 'MultiTenant'),
    microsoftAppTenantId: env.MicrosoftAppTenantId ?? '',
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 256 * 1024, 1024, 64 * 1024 * 1024),
    logLevel: oneOf(env, 'LOG_LEVEL', LEVELS, 'info'),
    modelsDir: env.MODELS_DIR || './models',
    kbDir: env.KB_DIR || './models/kb',
    analystApiToken: env.ANALYST_API_TOKEN || undefined,
    directlineSecret: env.DIRECTLINE_SECRET || undefined,
    directlinePrefix: prefix(env.DIRECTLINE_PREFIX, '/directline'),
    directlineTokenTtlSeconds: int(env, 'DIRECTLINE_TOKEN_TTL_SECONDS', 1800, 1, 86400),
    directlineCorsOrigins: (env.DIRECTLINE_CORS_ORIGINS ?? '*').split(',').map((s) => s.trim()).filter(Boolean),
    testUserPrefixes: (env.TEST_USER_PREFIXES ?? 'test-,healthcheck').split(',').map((s) => s.trim()).filter(Boolean),
    allowedServiceUrlHosts: hosts(env.ALLOWED_SERVICE_URL_HOSTS),
    loginMaxFailuresPerUser: int(env, 'LOGIN_MAX_FAILURES_PER_USER', 5, 1, 1000),
    loginMaxFailuresPerAddress: int(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 50, 1, 100_000),
    loginLockSeconds: int(env, 'LOGIN_LOCK_SECONDS', 900, 1, 86400),
    conversationRatePerMinute: int(env, 'CONVERSATION_RATE_PER_MINUTE', 60, 1, 100_000),
    conversationRateBurst: int(env, 'CONVERSATION_RATE_BURST', 30, 1, 100_000),
    dbWriteProbeMs: int(env, 'DB_WRITE_PROBE_MS', 2000, 100, 600_000),
    channels: loadChannelSettings(env),
  };
}
