import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from './configError';

/** Reads and parses one YAML configuration file; an unreadable or malformed file is a ConfigError naming it. */
export function readYamlConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, '(file)', `cannot read: ${(err as Error).message}`);
  }
  try {
    return parse(text);
  } catch (err) {
    throw new ConfigError(path, '(yaml)', `is not valid YAML: ${(err as Error).message}`);
  }
}
