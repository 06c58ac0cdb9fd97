/** The web pages' branding (config/webchat.yaml): loaded and validated once at start-up. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '../configError';
import type { Locale } from '../nlp/locale';

const LOCALES: Locale[] = ['zh-CN', 'zh-TW', 'en'];
const COLOR = /^#[0-9a-fA-F]{6}$/;
const IMAGE = /^(\/chat\/assets\/[\w-]+\.(svg|png|jpg|jpeg|webp)|https:\/\/\S+)$/;

export interface Branding {
  name: Record<Locale, string>;
  colors: { primary: string; accent: string; background: string };
  botAvatar: string;
  agentAvatar: string;
  greeting: Record<Locale, string>;
  suggestions: Record<Locale, string[]>;
}

export function loadBranding(file: string): Branding {
  let doc: any;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(file, '(file)', (err as Error).message);
  }
  const fail = (path: string, msg: string): never => {
    throw new ConfigError(file, path, msg);
  };
  if (!doc || typeof doc !== 'object') fail('(root)', 'must be a mapping');
  const text = (v: unknown, path: string, max = 200): string =>
    typeof v === 'string' && v.trim() && v.length <= max ? v.trim() : fail(path, `must be a non-empty string of at most ${max} characters`);
  const perLocale = <T>(v: unknown, path: string, each: (x: unknown, p: string) => T): Record<Locale, T> => {
    if (!v || typeof v !== 'object') fail(path, 'must have zh-CN, zh-TW and en');
    return Object.fromEntries(LOCALES.map((l) => [l, each((v as Record<string, unknown>)[l], `${path}.${l}`)])) as Record<Locale, T>;
  };
  const color = (k: string) => {
    const v = doc.colors?.[k];
    return typeof v === 'string' && COLOR.test(v) ? v : fail(`colors.${k}`, `must be a colour like "#1f4e79", got ${JSON.stringify(v)}`);
  };
  const image = (k: string) => {
    const v = doc[k];
    return typeof v === 'string' && IMAGE.test(v) ? v : fail(k, `must be /chat/assets/<file>.svg|png|jpg|webp or an https:// URL, got ${JSON.stringify(v)}`);
  };
  return {
    name: perLocale(doc.name, 'name', (x, p) => text(x, p, 60)),
    colors: { primary: color('primary'), accent: color('accent'), background: color('background') },
    botAvatar: image('botAvatar'),
    agentAvatar: image('agentAvatar'),
    greeting: perLocale(doc.greeting, 'greeting', (x, p) => text(x, p, 300)),
    suggestions: perLocale(doc.suggestions, 'suggestions', (x, p) => {
      if (!Array.isArray(x) || x.length > 6) fail(p, 'must be a list of at most 6 questions');
      return (x as unknown[]).map((q, i) => text(q, `${p}[${i}]`, 80));
    }),
  };
}
