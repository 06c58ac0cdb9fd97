/** Command-line options for every CLI, through Node's util.parseArgs: `--name value` or `--name=value`. */
import { parseArgs } from 'node:util';

/** Options of the NLP evaluations (`eval sentiment|topics`) and of `train`, which share one parser. */
export const NLP_OPTIONS = ['test', 'train', 'text', 'label', 'topics', 'map', 'engine', 'model', 'limit', 'id', 'version', 'taxonomy', 'topic-model', 'topic-sentiments', 'data', 'corrections', 'out', 'epochs', 'minutes', 'cv', 'ensemble', 'folds', 'temperature', 'l2'] as const;

export interface CliSpec {
  /** Options that take a value. */
  strings: readonly string[];
  /** Flags without a value. */
  booleans?: readonly string[];
  /** Positional arguments allowed (e.g. eval's task name). */
  positionals?: boolean;
}

/** Parsed options; an unknown option or a missing value throws a message naming the option. */
export function cliArgs(argv: string[], spec: CliSpec): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const s of spec.strings) options[s] = { type: 'string' };
  for (const b of spec.booleans ?? []) options[b] = { type: 'boolean' };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: spec.positionals ?? false });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    // util.parseArgs' messages name the option ("Unknown option '--x'", "Option '--db <value>' argument missing").
    throw new Error((err as Error).message.split('. To specify')[0]);
  }
}

/** Only the string-valued options, for CLIs that read every option as text. */
export function stringArgs(values: Record<string, string | boolean | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string') out[k] = v;
  return out;
}
