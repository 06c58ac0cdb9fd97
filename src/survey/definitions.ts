import { ConfigError } from '../configError';
import { readYamlConfig } from '../configFile';
import { LOCALES, type Locale } from '../nlp/locale';
import type { ItemKind } from '../../dialogs/answerParser';

export type Outcome = 'bot_only' | 'agent_handled' | 'complaint';
export const OUTCOMES: readonly Outcome[] = ['bot_only', 'agent_handled', 'complaint'];
const KINDS: readonly ItemKind[] = ['csat', 'nps', 'ces', 'resolved', 'rating', 'open', 'kano'];
export type KanoSide = 'functional' | 'dysfunctional';
export const KANO_SIDES: readonly KanoSide[] = ['functional', 'dysfunctional'];
/**
 * The item id a Kano question must have: the report pairs stored answers by this id alone (it does not read
 * this file), so a feature's two questions are `kano_<feature>_functional` and `kano_<feature>_dysfunctional`.
 */
export const kanoItemId = (feature: string, side: KanoSide): string => `kano_${feature}_${side}`;
const DEFAULT_SCALE: Partial<Record<ItemKind, { min: number; max: number }>> = {
  csat: { min: 1, max: 5 },
  rating: { min: 1, max: 5 },
  nps: { min: 0, max: 10 },
  ces: { min: 1, max: 7 },
};

export interface SurveyItem {
  id: string;
  kind: ItemKind;
  scale?: { min: number; max: number };
  optional: boolean;
  text: Record<Locale, string>;
  /** Short button labels per locale, one per option (scale points, yes/partly/no, or the five Kano answers). */
  labels?: Record<Locale, string[]>;
  /** Kano items only: the feature asked about, and which question of the pair this is. */
  feature?: string;
  side?: KanoSide;
}

export interface SurveyDefinition {
  id: string;
  version: number;
  items: SurveyItem[];
}

export interface SelectionRule {
  outcome?: Outcome;
  channel: string;
  definition: string;
}

export interface SurveySettings {
  cooldownDays: number;
  minCustomerTurns: number;
  idleTimeoutSeconds: number;
  idleTimeoutEnabled: boolean;
  proactiveChannels: string[];
  cardChannels: string[];
  followupOwner: string;
  followupDueHours: number;
  abandonAfterMinutes: number;
}

export interface SurveyConfig {
  settings: SurveySettings;
  definitions: SurveyDefinition[];
  selection: SelectionRule[];
  defaultDefinition: string;
}

const DEFAULT_SETTINGS: SurveySettings = {
  cooldownDays: 7,
  minCustomerTurns: 1,
  idleTimeoutSeconds: 300,
  idleTimeoutEnabled: true,
  proactiveChannels: ['emulator', 'webchat', 'directline', 'msteams'],
  cardChannels: ['emulator', 'webchat', 'directline', 'msteams'],
  followupOwner: 'service-quality',
  followupDueHours: 24,
  abandonAfterMinutes: 30,
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validate a parsed surveys.yaml; `file` is only used in error messages. */
export function validateSurveyConfig(raw: unknown, file = 'models/surveys.yaml'): SurveyConfig {
  const fail = (field: string, problem: string): never => {
    throw new ConfigError(file, field, problem);
  };
  // a misspelt key (e.g. `optinal:`) would otherwise be ignored silently
  const known = (o: Obj, at: string, keys: readonly string[]) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) fail(at ? `${at}.${k}` : k, `unknown key (expected one of ${keys.join(', ')})`);
  };
  if (!isObj(raw)) fail('(root)', 'must be a mapping');
  const root = raw as Obj;
  known(root, '', ['settings', 'selection', 'default', 'definitions']);

  const s = root.settings === undefined ? {} : root.settings;
  if (!isObj(s)) fail('settings', 'must be a mapping');
  const settings: SurveySettings = { ...DEFAULT_SETTINGS };
  const so = s as Obj;
  known(so, 'settings', Object.keys(DEFAULT_SETTINGS));
  for (const key of ['cooldownDays', 'minCustomerTurns', 'idleTimeoutSeconds', 'followupDueHours', 'abandonAfterMinutes'] as const) {
    if (so[key] === undefined) continue;
    const n = so[key];
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) fail(`settings.${key}`, 'must be a number >= 0');
    settings[key] = n as number;
  }
  if (so.idleTimeoutEnabled !== undefined) {
    if (typeof so.idleTimeoutEnabled !== 'boolean') fail('settings.idleTimeoutEnabled', 'must be true or false');
    settings.idleTimeoutEnabled = so.idleTimeoutEnabled as boolean;
  }
  for (const key of ['proactiveChannels', 'cardChannels'] as const) {
    if (so[key] === undefined) continue;
    const v = so[key];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(`settings.${key}`, 'must be a list of channel ids');
    settings[key] = v as string[];
  }
  if (so.followupOwner !== undefined) {
    if (typeof so.followupOwner !== 'string' || !so.followupOwner) fail('settings.followupOwner', 'must be a non-empty string');
    settings.followupOwner = so.followupOwner as string;
  }

  if (!Array.isArray(root.definitions) || root.definitions.length === 0) fail('definitions', 'must be a non-empty list');
  const seen = new Set<string>();
  const definitions = (root.definitions as unknown[]).map((d, di) => {
    const at = `definitions[${di}]`;
    if (!isObj(d)) fail(at, 'must be a mapping');
    const dd = d as Obj;
    known(dd, at, ['id', 'version', 'items']);
    if (typeof dd.id !== 'string' || !dd.id) fail(`${at}.id`, 'must be a non-empty string');
    if (seen.has(dd.id as string)) fail(`${at}.id`, `duplicate definition id "${dd.id}"`);
    seen.add(dd.id as string);
    if (!Number.isInteger(dd.version) || (dd.version as number) < 1) fail(`${at}.version`, 'must be an integer >= 1');
    if (!Array.isArray(dd.items) || dd.items.length === 0) fail(`${at}.items`, 'must be a non-empty list');
    const itemIds = new Set<string>();
    const items = (dd.items as unknown[]).map((it, ii) => {
      const iat = `${at}.items[${ii}]`;
      if (!isObj(it)) fail(iat, 'must be a mapping');
      const io = it as Obj;
      known(io, iat, ['id', 'kind', 'scale', 'optional', 'text', 'labels', 'feature', 'side']);
      if (typeof io.id !== 'string' || !/^[a-z][a-z0-9_]*$/.test(io.id)) fail(`${iat}.id`, 'must be a lower-case identifier');
      if (itemIds.has(io.id as string)) fail(`${iat}.id`, `duplicate item id "${io.id}"`);
      itemIds.add(io.id as string);
      if (!KINDS.includes(io.kind as ItemKind)) fail(`${iat}.kind`, `must be one of ${KINDS.join(', ')}`);
      const kind = io.kind as ItemKind;
      let scale: SurveyItem['scale'];
      let feature: string | undefined;
      let side: KanoSide | undefined;
      if (kind === 'kano') {
        if (io.scale !== undefined) fail(`${iat}.scale`, 'a kano item has no scale (its five options are like, must-be, neutral, live-with, dislike)');
        if (typeof io.feature !== 'string' || !/^[a-z][a-z0-9_]*$/.test(io.feature)) fail(`${iat}.feature`, 'must be a lower-case identifier');
        if (!KANO_SIDES.includes(io.side as KanoSide)) fail(`${iat}.side`, `must be one of ${KANO_SIDES.join(', ')}`);
        feature = io.feature as string;
        side = io.side as KanoSide;
        const want = kanoItemId(feature, side);
        if (io.id !== want) fail(`${iat}.id`, `a kano item for feature "${feature}", side ${side} must have id "${want}"`);
      } else {
        if (io.feature !== undefined) fail(`${iat}.feature`, 'only kano items have a feature');
        if (io.side !== undefined) fail(`${iat}.side`, 'only kano items have a side');
      }
      if (kind !== 'resolved' && kind !== 'open' && kind !== 'kano') {
        const sc = io.scale ?? DEFAULT_SCALE[kind];
        if (!isObj(sc)) fail(`${iat}.scale`, 'must be a mapping with min and max');
        const sco = sc as Obj;
        if (typeof sco.min !== 'number' || !Number.isInteger(sco.min)) fail(`${iat}.scale.min`, 'must be an integer');
        if (typeof sco.max !== 'number' || !Number.isInteger(sco.max)) fail(`${iat}.scale.max`, 'must be an integer');
        if ((sco.max as number) <= (sco.min as number)) fail(`${iat}.scale.max`, 'must be greater than scale.min');
        if ((sco.max as number) - (sco.min as number) > 10) fail(`${iat}.scale`, 'must have at most 11 points');
        scale = { min: sco.min as number, max: sco.max as number };
      }
      if (io.optional !== undefined && typeof io.optional !== 'boolean') fail(`${iat}.optional`, 'must be true or false');
      if (!isObj(io.text)) fail(`${iat}.text`, 'must be a mapping of locale to wording');
      const text = {} as Record<Locale, string>;
      for (const loc of LOCALES) {
        const t = (io.text as Obj)[loc];
        if (typeof t !== 'string' || !t.trim()) fail(`${iat}.text.${loc}`, 'must be a non-empty string');
        text[loc] = t as string;
      }
      let labels: SurveyItem['labels'];
      if (io.labels !== undefined) {
        if (!isObj(io.labels)) fail(`${iat}.labels`, 'must be a mapping of locale to a list of labels');
        const n = kind === 'resolved' ? 3 : kind === 'kano' ? 5 : scale ? scale.max - scale.min + 1 : 0;
        labels = {} as Record<Locale, string[]>;
        for (const loc of LOCALES) {
          const l = (io.labels as Obj)[loc];
          if (!Array.isArray(l) || l.some((x) => typeof x !== 'string')) fail(`${iat}.labels.${loc}`, 'must be a list of strings');
          if ((l as string[]).length !== n) fail(`${iat}.labels.${loc}`, `must have ${n} labels, one per option`);
          labels[loc] = l as string[];
        }
      }
      const item: SurveyItem = { id: io.id as string, kind, scale, optional: io.optional === true, text, labels };
      if (kind === 'kano') Object.assign(item, { feature, side });
      return item;
    });
    // a Kano feature needs both questions of its pair in the same definition, or no answer can be classified
    const sides = new Map<string, Set<string>>();
    for (const it of items) if (it.kind === 'kano') (sides.get(it.feature!) ?? sides.set(it.feature!, new Set()).get(it.feature!)!).add(it.side!);
    for (const [f, set] of sides) {
      if (set.size < 2) {
        const ii = items.findIndex((it) => it.feature === f);
        fail(`${at}.items[${ii}].feature`, `kano feature "${f}" needs both a functional and a dysfunctional item in this definition`);
      }
    }
    return { id: dd.id as string, version: dd.version as number, items };
  });

  const sel = root.selection ?? [];
  if (!Array.isArray(sel)) fail('selection', 'must be a list');
  const selection = (sel as unknown[]).map((r, ri) => {
    const at = `selection[${ri}]`;
    if (!isObj(r)) fail(at, 'must be a mapping');
    const ro = r as Obj;
    known(ro, at, ['outcome', 'channel', 'definition']);
    if (ro.outcome !== undefined && !OUTCOMES.includes(ro.outcome as Outcome)) fail(`${at}.outcome`, `must be one of ${OUTCOMES.join(', ')}`);
    if (ro.channel !== undefined && typeof ro.channel !== 'string') fail(`${at}.channel`, 'must be a string');
    if (typeof ro.definition !== 'string' || !seen.has(ro.definition)) fail(`${at}.definition`, `must name a definition (${[...seen].join(', ')})`);
    return { outcome: ro.outcome as Outcome | undefined, channel: (ro.channel as string) ?? '*', definition: ro.definition as string };
  });
  const dflt = root.default ?? definitions[0].id;
  if (typeof dflt !== 'string' || !seen.has(dflt)) fail('default', `must name a definition (${[...seen].join(', ')})`);
  return { settings, definitions, selection, defaultDefinition: dflt as string };
}

export function loadSurveyConfig(path = 'models/surveys.yaml'): SurveyConfig {
  return validateSurveyConfig(readYamlConfig(path), path);
}

/** First matching selection rule for this channel and outcome, else the default definition. */
export function selectDefinition(cfg: SurveyConfig, channel: string, outcome: Outcome): SurveyDefinition {
  const rule = cfg.selection.find((r) => (!r.outcome || r.outcome === outcome) && (r.channel === '*' || r.channel === channel));
  const id = rule?.definition ?? cfg.defaultDefinition;
  return cfg.definitions.find((d) => d.id === id)!;
}
