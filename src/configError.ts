/** A configuration problem; the message names the file and the field. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'ConfigError';
  }
}
