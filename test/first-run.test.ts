import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/configError';
import { hashSecret, loadAccounts } from '../src/web/auth';
import { loadBranding } from '../src/web/branding';
import { demoAccounts, isDevelopment } from '../src/web/demoAccounts';

const dir = mkdtempSync(join(tmpdir(), 'first-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo accounts', () => {
  it('finds the shipped accounts that still take their demo password, and none once changed', () => {
    const shipped = demoAccounts(loadAccounts('config/accounts.yaml'));
    expect(shipped).toEqual([
      { id: 'alice', role: 'agent', password: 'agent-demo' },
      { id: 'bob', role: 'agent', password: 'agent-demo' },
      { id: 'ana', role: 'analyst', password: 'analyst-demo' },
    ]);
    const changed = [{ id: 'alice', name: 'Alice', role: 'agent' as const, passwordHash: hashSecret('a-real-secret') }];
    expect(demoAccounts(changed)).toEqual([]);
  });

  it('development means NODE_ENV unset or development, and no Azure app id', () => {
    expect(isDevelopment({}, '')).toBe(true);
    expect(isDevelopment({ NODE_ENV: 'development' }, '')).toBe(true);
    expect(isDevelopment({ NODE_ENV: 'production' }, '')).toBe(false);
    expect(isDevelopment({}, '00000000-0000-0000-0000-000000000001')).toBe(false);
  });
});

describe('web chat branding (config/webchat.yaml)', () => {
  it('loads the shipped file in all three locales', () => {
    const b = loadBranding('config/webchat.yaml');
    expect(Object.keys(b.name).sort()).toEqual(['en', 'zh-CN', 'zh-TW']);
    expect(b.colors.primary).toMatch(/^#[0-9a-f]{6}$/i);
    expect(b.suggestions['zh-TW'].length).toBeGreaterThan(0);
  });

  it('names the bad field', () => {
    const bad = (yaml: string) => {
      const f = join(dir, `b${Math.random()}.yaml`);
      writeFileSync(f, yaml);
      try {
        loadBranding(f);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    const good = {
      name: { en: 'A', 'zh-CN': 'A', 'zh-TW': 'A' }, colors: { primary: '#111111', accent: '#222222', background: '#333333' },
      botAvatar: '/chat/assets/bot.svg', agentAvatar: '/chat/assets/agent.svg', greeting: { en: 'Hi', 'zh-CN': '你好', 'zh-TW': '你好' },
      suggestions: { en: ['a'], 'zh-CN': ['b'], 'zh-TW': ['c'] },
    };
    const base = (over: Record<string, unknown>) => JSON.stringify({ ...good, ...over }); // JSON is YAML
    expect(() => loadBranding(join(dir, 'missing.yaml'))).toThrow(ConfigError);
    expect(bad(base({ colors: { primary: 'red', accent: '#222222', background: '#333333' } }))).toMatch(/colors\.primary/);
    expect(bad(base({ name: { en: 'A', 'zh-CN': 'A' } }))).toMatch(/name\.zh-TW/);
    expect(bad(base({ agentAvatar: 'javascript:alert(1)' }))).toMatch(/agentAvatar/);
    expect(bad(base({ suggestions: { en: ['1', '2', '3', '4', '5', '6', '7'], 'zh-CN': ['b'], 'zh-TW': ['c'] } }))).toMatch(/suggestions\.en/);
  });
});

describe('npm start', () => {
  it('prints every address and warns about demo accounts outside development', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], { // one process, so the kill below ends it
      env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: join(dir, 'start.db'), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await expect.poll(() => out, { timeout: 120_000, interval: 250 }).toMatch(/demo accounts in use outside development/);
      const base = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
      for (const p of ['/', '/chat', '/agent', '/analyst', '/healthz', '/api/messages']) expect(out).toContain(`${base}${p}`);
      expect(out).not.toContain('Demo logins (development only)');
      const warn = JSON.parse(out.split('\n').find((l) => l.includes('demo accounts in use'))!);
      expect(warn).toMatchObject({ level: 'warn', accounts: ['alice', 'bob', 'ana'], nodeEnv: 'production' });
      expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');
    } finally {
      child.kill('SIGTERM');
    }
  }, 150_000);
});
