import { ConfigError } from '../configError';
import { readYamlConfig } from '../configFile';
import { ahp, type AhpResult } from './stats';

export const MEASURES = [
  'first_reply',
  'queue_wait',
  'fcr',
  'repeat_contact',
  'complaint_first_response',
  'complaint_closed',
  'transaction',
] as const;
export type Measure = (typeof MEASURES)[number];

export type Signal = { survey: string } | { measure: Measure } | { topic: string };

export interface IndicatorNode {
  id: string;
  path: string; // dotted ids from the top, e.g. "resolution.rating"
  label?: string;
  weight: number; // normalised within its siblings
  globalWeight: number; // product of weights down from the root
  signal?: Signal;
  children?: IndicatorNode[];
  ahp?: AhpResult;
}

export interface GradeTier {
  name: string;
  min: number;
}

/** SLA targets in the unit of the column they are checked against. */
export interface SlaTargets {
  enquiry_first_reply: number; // seconds
  complaint_initial: number; // hours
  transaction: number; // working days
  complaint_closed: number; // hours
  response_rate: number; // percent (minimum)
}
export const SLA_IDS = ['enquiry_first_reply', 'complaint_initial', 'transaction', 'complaint_closed', 'response_rate'] as const;

export interface AlertRule {
  id: string;
  kind: 'threshold' | 'drop';
  indicator: string;
  below?: number;
  above?: number;
  minN: number;
  method?: 'ewma' | 'cusum';
  period?: 'day' | 'week' | 'month';
  history?: number;
  lambda?: number;
  L?: number;
  k?: number;
  h?: number;
}

export interface IndicatorModel {
  version: number;
  minSample: number;
  grades: GradeTier[]; // the active variant, highest first
  gradeVariants: Record<string, GradeTier[]>;
  sla: SlaTargets;
  dimensions: IndicatorNode[];
  dimensionsAhp?: AhpResult;
  alerts: AlertRule[];
  warnings: string[];
}

const UNIT_FACTORS: Record<string, Record<string, number>> = {
  enquiry_first_reply: { seconds: 1, minutes: 60, hours: 3600 },
  complaint_initial: { hours: 1, days: 24, minutes: 1 / 60 },
  complaint_closed: { hours: 1, days: 24 },
  transaction: { working_days: 1, days: 1 },
  response_rate: { percent: 1 },
};

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Parses "1/3" as well as plain numbers (AHP matrices are written with fractions). */
function num(file: string, field: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(v);
    if (m && Number(m[2]) !== 0) return Number(m[1]) / Number(m[2]);
  }
  throw new ConfigError(file, field, 'must be a number');
}

export function loadIndicatorModel(path = 'models/indicators.yaml'): IndicatorModel {
  return validateIndicatorModel(readYamlConfig(path), path);
}

/** Checks a pairwise matrix and returns its AHP result; rejects CR >= 0.10. */
export function checkAhp(file: string, field: string, m: unknown, size: number): AhpResult {
  if (!Array.isArray(m) || m.length !== size) throw new ConfigError(file, field, `must be a ${size}x${size} matrix (one row per child)`);
  const matrix = m.map((row, i) => {
    if (!Array.isArray(row) || row.length !== size) throw new ConfigError(file, `${field}[${i}]`, `must have ${size} entries`);
    return row.map((v, j) => {
      const x = num(file, `${field}[${i}][${j}]`, v);
      if (x <= 0) throw new ConfigError(file, `${field}[${i}][${j}]`, 'must be positive');
      return x;
    });
  });
  for (let i = 0; i < size; i++) {
    if (Math.abs(matrix[i][i] - 1) > 1e-9) throw new ConfigError(file, `${field}[${i}][${i}]`, 'diagonal must be 1');
    for (let j = 0; j < size; j++)
      if (Math.abs(matrix[i][j] * matrix[j][i] - 1) > 0.01)
        throw new ConfigError(file, `${field}[${j}][${i}]`, `must be the reciprocal of [${i}][${j}]`);
  }
  const res = ahp(matrix);
  if (res.cr >= 0.1)
    throw new ConfigError(
      file,
      field,
      `pairwise matrix is inconsistent: CR = ${res.cr.toFixed(3)} (λmax ${res.lambdaMax.toFixed(3)}, CI ${res.ci.toFixed(3)}) must be < 0.10; revise the comparisons`,
    );
  return res;
}

function nodes(file: string, field: string, parent: Obj, parentPath: string, parentWeight: number, warnings: string[]): { list: IndicatorNode[]; ahp?: AhpResult } {
  const kids = parent.children;
  if (!Array.isArray(kids) || kids.length === 0) throw new ConfigError(file, `${field}.children`, 'must be a non-empty list');
  const ids = new Set<string>();
  let weights: number[];
  let ahpRes: AhpResult | undefined;
  if (parent.ahp !== undefined) {
    ahpRes = checkAhp(file, `${field}.ahp`, parent.ahp, kids.length);
    weights = ahpRes.weights;
  } else {
    weights = kids.map((k, i) => {
      if (!isObj(k)) throw new ConfigError(file, `${field}.children[${i}]`, 'must be a mapping');
      if (k.weight === undefined) throw new ConfigError(file, `${field}.children[${i}].weight`, 'is required (or give ahp: on the parent)');
      const w = num(file, `${field}.children[${i}].weight`, k.weight);
      if (w < 0) throw new ConfigError(file, `${field}.children[${i}].weight`, 'must be >= 0');
      return w;
    });
    const sum = weights.reduce((s, w) => s + w, 0);
    if (sum <= 0) throw new ConfigError(file, `${field}.children`, 'weights must not all be 0');
    if (Math.abs(sum - 1) > 1e-6) {
      warnings.push(`${file}: ${field}.children: weights sum to ${+sum.toFixed(6)}, normalised to 1`);
      weights = weights.map((w) => w / sum);
    }
  }
  const list = kids.map((k, i): IndicatorNode => {
    const f = `${field}.children[${i}]`;
    if (!isObj(k)) throw new ConfigError(file, f, 'must be a mapping');
    if (typeof k.id !== 'string' || !/^[a-z0-9_]+$/.test(k.id)) throw new ConfigError(file, `${f}.id`, 'must be a lower-case id');
    if (ids.has(k.id)) throw new ConfigError(file, `${f}.id`, `duplicate id ${k.id}`);
    ids.add(k.id);
    const path = parentPath ? `${parentPath}.${k.id}` : k.id;
    const node: IndicatorNode = { id: k.id, path, weight: weights[i], globalWeight: parentWeight * weights[i] };
    if (k.label !== undefined) node.label = String(k.label);
    if (k.children !== undefined) {
      if (k.signal !== undefined) throw new ConfigError(file, `${f}.signal`, 'a node has either children or a signal, not both');
      const sub = nodes(file, f, k, path, node.globalWeight, warnings);
      node.children = sub.list;
      if (sub.ahp) node.ahp = sub.ahp;
    } else node.signal = signal(file, `${f}.signal`, k.signal);
    return node;
  });
  return { list, ahp: ahpRes };
}

function signal(file: string, field: string, s: unknown): Signal {
  if (!isObj(s)) throw new ConfigError(file, field, 'must be a mapping with survey, measure or topic');
  const keys = Object.keys(s);
  if (keys.length !== 1) throw new ConfigError(file, field, 'must have exactly one of survey, measure, topic');
  const v = s[keys[0]];
  if (typeof v !== 'string' || !v) throw new ConfigError(file, `${field}.${keys[0]}`, 'must be a non-empty string');
  if (keys[0] === 'survey') return { survey: v };
  if (keys[0] === 'topic') return { topic: v };
  if (keys[0] === 'measure') {
    if (!(MEASURES as readonly string[]).includes(v)) throw new ConfigError(file, `${field}.measure`, `unknown measure ${v}; one of ${MEASURES.join(', ')}`);
    return { measure: v as Measure };
  }
  throw new ConfigError(file, `${field}.${keys[0]}`, 'unknown signal kind; use survey, measure or topic');
}

function tiers(file: string, field: string, v: unknown): GradeTier[] {
  if (!Array.isArray(v) || v.length < 2) throw new ConfigError(file, field, 'must be a list of at least 2 tiers');
  const out = v.map((t, i) => {
    if (!isObj(t) || typeof t.name !== 'string') throw new ConfigError(file, `${field}[${i}].name`, 'must be a string');
    const min = num(file, `${field}[${i}].min`, t.min);
    if (min < 0 || min > 100) throw new ConfigError(file, `${field}[${i}].min`, 'must be within 0..100');
    return { name: t.name, min };
  });
  for (let i = 1; i < out.length; i++)
    if (out[i].min >= out[i - 1].min) throw new ConfigError(file, `${field}[${i}].min`, 'tiers must be listed highest first');
  if (out[out.length - 1].min !== 0) throw new ConfigError(file, `${field}[${out.length - 1}].min`, 'the lowest tier must start at 0');
  return out;
}

export function validateIndicatorModel(raw: unknown, file = 'models/indicators.yaml'): IndicatorModel {
  if (!isObj(raw)) throw new ConfigError(file, '(root)', 'must be a mapping');
  const warnings: string[] = [];
  const version = num(file, 'version', raw.version);
  if (!Number.isInteger(version) || version < 1) throw new ConfigError(file, 'version', 'must be a positive integer');
  const minSample = raw.min_sample === undefined ? 30 : num(file, 'min_sample', raw.min_sample);
  if (minSample < 1) throw new ConfigError(file, 'min_sample', 'must be >= 1');

  if (!isObj(raw.grades)) throw new ConfigError(file, 'grades', 'must be a mapping');
  const gradeVariants: Record<string, GradeTier[]> = {};
  for (const [k, v] of Object.entries(raw.grades)) if (k !== 'active') gradeVariants[k] = tiers(file, `grades.${k}`, v);
  const active = String(raw.grades.active ?? 'three');
  if (!gradeVariants[active]) throw new ConfigError(file, 'grades.active', `no tier list named ${active}`);

  if (!isObj(raw.sla)) throw new ConfigError(file, 'sla', 'must be a mapping');
  const sla = {} as SlaTargets;
  for (const id of SLA_IDS) {
    const e = raw.sla[id];
    if (!isObj(e)) throw new ConfigError(file, `sla.${id}`, 'is required ({ max|min, unit })');
    const unit = String(e.unit ?? '');
    const factor = UNIT_FACTORS[id][unit];
    if (factor === undefined) throw new ConfigError(file, `sla.${id}.unit`, `must be one of ${Object.keys(UNIT_FACTORS[id]).join(', ')}`);
    const key = id === 'response_rate' ? 'min' : 'max';
    const v = num(file, `sla.${id}.${key}`, e[key]);
    if (v <= 0) throw new ConfigError(file, `sla.${id}.${key}`, 'must be > 0');
    sla[id] = v * factor;
  }
  for (const k of Object.keys(raw.sla)) if (!(SLA_IDS as readonly string[]).includes(k)) throw new ConfigError(file, `sla.${k}`, 'unknown SLA target');

  if (!isObj(raw.dimensions)) throw new ConfigError(file, 'dimensions', 'must be a mapping with children (and optional ahp)');
  const dims = nodes(file, 'dimensions', raw.dimensions, '', 1, warnings);

  const alerts: AlertRule[] = [];
  const rawAlerts = raw.alerts ?? [];
  if (!Array.isArray(rawAlerts)) throw new ConfigError(file, 'alerts', 'must be a list');
  rawAlerts.forEach((a, i) => {
    const f = `alerts[${i}]`;
    if (!isObj(a)) throw new ConfigError(file, f, 'must be a mapping');
    if (typeof a.id !== 'string') throw new ConfigError(file, `${f}.id`, 'must be a string');
    if (typeof a.indicator !== 'string' || !a.indicator) throw new ConfigError(file, `${f}.indicator`, 'must be a string');
    const rule: AlertRule = { id: a.id, kind: 'threshold', indicator: a.indicator, minN: a.min_n === undefined ? 1 : num(file, `${f}.min_n`, a.min_n) };
    if (a.kind === 'threshold') {
      if (a.below === undefined && a.above === undefined) throw new ConfigError(file, `${f}.below`, 'a threshold rule needs below or above');
      if (a.below !== undefined) rule.below = num(file, `${f}.below`, a.below);
      if (a.above !== undefined) rule.above = num(file, `${f}.above`, a.above);
    } else if (a.kind === 'drop') {
      rule.kind = 'drop';
      if (a.method !== 'ewma' && a.method !== 'cusum') throw new ConfigError(file, `${f}.method`, 'must be ewma or cusum');
      rule.method = a.method;
      if (a.period !== 'day' && a.period !== 'week' && a.period !== 'month') throw new ConfigError(file, `${f}.period`, 'must be day, week or month');
      rule.period = a.period;
      rule.history = a.history === undefined ? 28 : num(file, `${f}.history`, a.history);
      if (rule.history < 2) throw new ConfigError(file, `${f}.history`, 'must be >= 2');
      rule.lambda = a.lambda === undefined ? 0.3 : num(file, `${f}.lambda`, a.lambda);
      if (rule.lambda <= 0 || rule.lambda > 1) throw new ConfigError(file, `${f}.lambda`, 'must be in (0, 1]');
      rule.L = a.L === undefined ? 3 : num(file, `${f}.L`, a.L);
      rule.k = a.k === undefined ? 0.5 : num(file, `${f}.k`, a.k);
      rule.h = a.h === undefined ? 5 : num(file, `${f}.h`, a.h);
    } else throw new ConfigError(file, `${f}.kind`, 'must be threshold or drop');
    alerts.push(rule);
  });

  return {
    version,
    minSample,
    grades: gradeVariants[active],
    gradeVariants,
    sla,
    dimensions: dims.list,
    dimensionsAhp: dims.ahp,
    alerts,
    warnings,
  };
}

export function gradeOf(score: number, tiers: GradeTier[]): string {
  for (const t of tiers) if (score >= t.min) return t.name;
  return tiers[tiers.length - 1].name;
}

export function leaves(list: IndicatorNode[]): IndicatorNode[] {
  return list.flatMap((n) => (n.children ? leaves(n.children) : [n]));
}
