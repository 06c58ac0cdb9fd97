import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '../configError';

/**
 * Scripted conversations: what the customer says at each step and what the bot must do.
 * Kept as YAML in test/conversations/ (docs/CONVERSATIONS.md); the development set
 * ../shared/data/conversations/dev.json is read as it is and turned into the same cases.
 */
export interface Expect {
  /** The bot answers with this KB entry directly. */
  answer?: string;
  /** This KB entry is answered or at least offered among the suggestions, and no other entry is answered. */
  answerOrSuggest?: string;
  /** This KB entry is among the "did you mean" suggestions. */
  suggest?: string;
  /** No KB entry is answered (out of scope). */
  noAnswer?: boolean;
  /** The fallback (with the offer of a person) is sent. */
  fallback?: boolean;
  /** The conversation is handed to a person (queued) at this step. */
  handoff?: boolean;
  /** The satisfaction survey has started (true) or has not (false) by the end of this step. */
  survey?: boolean;
  /** Stored survey answers by item id: a number, or yes/partly/no for a resolved item. */
  stored?: Record<string, number | string>;
  /** A service-recovery follow-up is open (true) or not (false) once the open answer is classified. */
  followup?: boolean;
  /** A reply's channelData.reply is this kind (answer, suggest, fallback, closing, thanks, anything_else ...). */
  reply?: string;
  /** Some reply's text matches this regular expression. */
  text?: string;
}

export interface Step {
  say: string;
  expect?: Expect;
}

export interface Case {
  name: string;
  category: string;
  locale: string;
  channel?: string;
  steps: Step[];
  /** dev.json answer cases are scored three ways (direct, found, wrong), not only pass/fail. */
  scoreAnswer?: string;
}

const EXPECT_KEYS: Record<keyof Expect, 'string' | 'boolean' | 'object'> = {
  answer: 'string',
  answerOrSuggest: 'string',
  suggest: 'string',
  noAnswer: 'boolean',
  fallback: 'boolean',
  handoff: 'boolean',
  survey: 'boolean',
  stored: 'object',
  followup: 'boolean',
  reply: 'string',
  text: 'string',
};

const LOCALES = ['zh-CN', 'zh-TW', 'en'];

/** A YAML file of conversations: `conversations: [{name, category?, locale, channel?, steps: [{say, expect}]}]`. */
export function loadYamlCases(path: string): Case[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(path, '', `not readable YAML: ${(e as Error).message}`);
  }
  const list = (doc as { conversations?: unknown })?.conversations;
  if (!Array.isArray(list) || !list.length) throw new ConfigError(path, 'conversations', 'must be a non-empty list');
  const fileCategory = typeof (doc as { category?: unknown }).category === 'string' ? (doc as { category: string }).category : undefined;
  return list.map((c, i) => {
    const at = `conversations[${i}]`;
    if (!c || typeof c !== 'object') throw new ConfigError(path, at, 'must be a mapping');
    const o = c as Record<string, unknown>;
    if (typeof o.name !== 'string' || !o.name) throw new ConfigError(path, `${at}.name`, 'must be a non-empty string');
    if (typeof o.locale !== 'string' || !LOCALES.includes(o.locale)) throw new ConfigError(path, `${at}.locale`, `must be one of ${LOCALES.join(', ')}`);
    if (o.channel !== undefined && typeof o.channel !== 'string') throw new ConfigError(path, `${at}.channel`, 'must be a string');
    if (!Array.isArray(o.steps) || !o.steps.length) throw new ConfigError(path, `${at}.steps`, 'must be a non-empty list');
    const steps = o.steps.map((s, j) => {
      const sat = `${at}.steps[${j}]`;
      if (!s || typeof s !== 'object') throw new ConfigError(path, sat, 'must be a mapping');
      const so = s as Record<string, unknown>;
      if (typeof so.say !== 'string' || !so.say.trim()) throw new ConfigError(path, `${sat}.say`, 'must be a non-empty string');
      if (so.expect === undefined) return { say: so.say };
      if (!so.expect || typeof so.expect !== 'object') throw new ConfigError(path, `${sat}.expect`, 'must be a mapping');
      for (const [k, v] of Object.entries(so.expect)) {
        const type = EXPECT_KEYS[k as keyof Expect];
        if (!type) throw new ConfigError(path, `${sat}.expect.${k}`, `unknown expectation (one of ${Object.keys(EXPECT_KEYS).join(', ')})`);
        if (typeof v !== type || v === null) throw new ConfigError(path, `${sat}.expect.${k}`, `must be a ${type}`);
      }
      if ('text' in so.expect) {
        try {
          new RegExp(String((so.expect as Expect).text));
        } catch {
          throw new ConfigError(path, `${sat}.expect.text`, 'must be a valid regular expression');
        }
      }
      return { say: so.say, expect: so.expect as Expect };
    });
    return { name: o.name, category: typeof o.category === 'string' ? o.category : fileCategory ?? 'conversation', locale: o.locale, channel: o.channel as string | undefined, steps };
  });
}

/** The phrases the runner uses to reach a state before the step under test (an answered question, "partly", "yes"). */
export interface Setup {
  /** A question the KB answers directly in this locale (an entry's own first phrasing). */
  question(locale: string): string;
  partly(locale: string): string;
  yes(locale: string): string;
}

type Row = unknown[];

/** dev.json (see its README) as cases; `setup` supplies the turns before the one being measured. */
export function devCases(path: string, setup: Setup): Case[] {
  let doc: Record<string, Row[]>;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(path, '', `not readable JSON: ${(e as Error).message}`);
  }
  const out: Case[] = [];
  const rows = (key: string): Row[] => (Array.isArray(doc[key]) ? doc[key] : []);
  rows('answer').forEach(([locale, text, id], i) =>
    out.push({ name: `answer ${i + 1}`, category: 'answer', locale: String(locale), scoreAnswer: String(id), steps: [{ say: String(text), expect: { answerOrSuggest: String(id) } }] }),
  );
  rows('ood').forEach(([locale, text], i) => out.push({ name: `ood ${i + 1}`, category: 'ood', locale: String(locale), steps: [{ say: String(text), expect: { noAnswer: true } }] }));
  rows('closing').forEach(([locale, text], i) => {
    const l = String(locale);
    out.push({
      name: `closing ${i + 1}`,
      category: 'closing',
      locale: l,
      steps: [{ say: setup.question(l), expect: { reply: 'answer' } }, { say: setup.partly(l) }, { say: String(text), expect: { survey: true } }],
    });
  });
  rows('csat').forEach(([locale, text, value], i) => {
    const l = String(locale);
    out.push({
      name: `csat ${i + 1}`,
      category: 'csat',
      locale: l,
      steps: [{ say: setup.question(l), expect: { reply: 'answer' } }, { say: setup.yes(l), expect: { survey: true } }, { say: String(text), expect: { stored: { csat: Number(value) } } }],
    });
  });
  rows('recovery').forEach(([locale, csat, comment, followup], i) => {
    const l = String(locale);
    out.push({
      name: `recovery ${i + 1}`,
      category: followup ? 'recovery_negative' : 'recovery_harmless',
      locale: l,
      steps: [
        { say: setup.question(l), expect: { reply: 'answer' } },
        { say: setup.yes(l), expect: { survey: true } },
        { say: String(csat), expect: { stored: { csat: Number(csat) } } },
        { say: String(comment), expect: { followup: Boolean(followup) } },
      ],
    });
  });
  return out;
}
