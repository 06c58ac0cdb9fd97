import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../src/configError';
import { loadSurveyConfig, selectDefinition, validateSurveyConfig } from '../src/survey/definitions';

const raw = () => parse(readFileSync('models/surveys.yaml', 'utf8'));

describe('survey definitions', () => {
  it('loads models/surveys.yaml with the default, short and complaint definitions', () => {
    const cfg = loadSurveyConfig('models/surveys.yaml');
    const full = cfg.definitions.find((d) => d.id === 'default')!;
    expect(full.items.map((i) => i.id)).toEqual([
      'csat', 'resolved', 'nps', 'ces', 'rating_response_speed', 'rating_attitude', 'rating_professionalism', 'open',
    ]);
    expect(full.items.find((i) => i.id === 'nps')!.scale).toEqual({ min: 0, max: 10 });
    expect(full.items.find((i) => i.id === 'ces')!.scale).toEqual({ min: 1, max: 7 });
    expect(cfg.settings.cooldownDays).toBe(7);
    expect(selectDefinition(cfg, 'webchat', 'bot_only').items.map((i) => i.id)).toEqual(['csat', 'open']);
    expect(selectDefinition(cfg, 'msteams', 'agent_handled').id).toBe('default');
    expect(selectDefinition(cfg, 'webchat', 'complaint').items.map((i) => i.id)).toContain('rating_complaint_handling');
    for (const d of cfg.definitions) for (const i of d.items) expect(Object.keys(i.text).sort()).toEqual(['en', 'zh-CN', 'zh-TW']);
  });

  it('chooses a definition per channel as well as per outcome; the first matching rule wins', () => {
    const r = raw();
    r.selection.unshift({ outcome: 'agent_handled', channel: 'telegram', definition: 'short' });
    const cfg = validateSurveyConfig(r);
    expect(selectDefinition(cfg, 'telegram', 'agent_handled').id).toBe('short');
    expect(selectDefinition(cfg, 'webchat', 'agent_handled').id).toBe('default');
    expect(selectDefinition(cfg, 'telegram', 'complaint').id).toBe('complaint');
  });

  it('loads the optional kano_example definition, which no rule selects', () => {
    const cfg = loadSurveyConfig('models/surveys.yaml');
    const k = cfg.definitions.find((d) => d.id === 'kano_example')!;
    expect(k.items.filter((i) => i.kind === 'kano').map((i) => [i.id, i.feature, i.side])).toEqual([
      ['kano_callback_functional', 'callback', 'functional'],
      ['kano_callback_dysfunctional', 'callback', 'dysfunctional'],
    ]);
    expect(k.items[0].labels!.en).toHaveLength(5);
    expect(k.items[0].scale).toBeUndefined();
    expect(cfg.selection.some((r) => r.definition === 'kano_example')).toBe(false);
    for (const outcome of ['bot_only', 'agent_handled', 'complaint'] as const) expect(selectDefinition(cfg, 'webchat', outcome).id).not.toBe('kano_example');
    for (const id of ['default', 'short', 'complaint']) expect(cfg.definitions.find((d) => d.id === id)!.items.some((i) => i.kind === 'kano')).toBe(false);
    const r = raw();
    r.selection.unshift({ outcome: 'agent_handled', channel: 'webchat', definition: 'kano_example' });
    expect(selectDefinition(validateSurveyConfig(r), 'webchat', 'agent_handled').id).toBe('kano_example');
  });

  const bad: Array<[string, (r: any) => void, string]> = [
    ['scale max not a number', (r) => (r.definitions[0].items[2].scale.max = 'ten'), 'definitions[0].items[2].scale.max'],
    ['unknown kind', (r) => (r.definitions[0].items[1].kind = 'stars'), 'definitions[0].items[1].kind'],
    ['missing wording', (r) => delete r.definitions[0].items[0].text['zh-TW'], 'definitions[0].items[0].text.zh-TW'],
    ['wrong label count', (r) => r.definitions[0].items[0].labels.en.pop(), 'definitions[0].items[0].labels.en'],
    ['selection to unknown def', (r) => (r.selection[0].definition = 'nope'), 'selection[0].definition'],
    ['bad outcome', (r) => (r.selection[1].outcome = 'happy'), 'selection[1].outcome'],
    ['negative cool-down', (r) => (r.settings.cooldownDays = -1), 'settings.cooldownDays'],
    ['duplicate item', (r) => (r.definitions[1].items[1] = { ...r.definitions[1].items[0] }), 'definitions[1].items[1].id'],
    ['no definitions', (r) => (r.definitions = []), 'definitions'],
    ['misspelt item key', (r) => (r.definitions[0].items[3].optinal = true), 'definitions[0].items[3].optinal'],
    ['misspelt setting', (r) => (r.settings.cooldownDay = 3), 'settings.cooldownDay'],
    ['unknown top-level key', (r) => (r.definition = []), 'definition'],
    ['kano: bad side', (r) => (r.definitions[3].items[0].side = 'both'), 'definitions[3].items[0].side'],
    ['kano: missing side', (r) => delete r.definitions[3].items[1].side, 'definitions[3].items[1].side'],
    ['kano: bad feature', (r) => (r.definitions[3].items[0].feature = 'Call Back'), 'definitions[3].items[0].feature'],
    ['kano: missing feature', (r) => delete r.definitions[3].items[0].feature, 'definitions[3].items[0].feature'],
    ['kano: id not kano_<feature>_<side>', (r) => (r.definitions[3].items[0].id = 'callback_f'), 'definitions[3].items[0].id'],
    ['kano: four labels', (r) => r.definitions[3].items[0].labels.en.pop(), 'definitions[3].items[0].labels.en'],
    ['kano: a scale', (r) => (r.definitions[3].items[1].scale = { min: 1, max: 5 }), 'definitions[3].items[1].scale'],
    ['kano: only one side of a feature', (r) => r.definitions[3].items.splice(1, 1), 'definitions[3].items[0].feature'],
    ['feature on a non-kano item', (r) => (r.definitions[0].items[0].feature = 'speed'), 'definitions[0].items[0].feature'],
    ['side on a non-kano item', (r) => (r.definitions[0].items[2].side = 'functional'), 'definitions[0].items[2].side'],
  ];
  it.each(bad)('rejects %s naming the field', (_name, mutate, field) => {
    const r = raw();
    mutate(r);
    let err: unknown;
    try {
      validateSurveyConfig(r);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe(field);
    expect((err as Error).message).toContain(`models/surveys.yaml: ${field}:`);
  });
});
