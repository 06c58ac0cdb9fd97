/**
 * restify → spdy → http-deceiver reads process.binding('http_parser') when it loads, and Node prints
 * DEP0111 for it (once per process: in every test worker and CLI). The shim is only used for HTTP/2
 * push, which this server never enables. Load it here, once, with exactly that warning suppressed;
 * every later require gets the cached module, and every other warning is untouched.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const emitWarning = process.emitWarning;
process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
  const o = rest[0] as { code?: string } | string | undefined;
  const code = typeof o === 'object' ? o?.code : rest[1];
  if (code === 'DEP0111') return;
  return (emitWarning as (...a: unknown[]) => void).call(this, warning, ...rest);
} as typeof process.emitWarning;
try {
  require('http-deceiver');
} catch {
  // not installed (another restify version): nothing to quiet
} finally {
  process.emitWarning = emitWarning;
}
