/**
 * One way to answer HTTP errors. A handler throws `HttpError(status, message)` for a client's mistake;
 * `route()` answers it as `{ error }`. Anything else is logged once and answered with 500, and the
 * process goes on serving. `guardServer()` applies `route()` to every handler registered on the server,
 * so a route added later cannot end the process with a synchronous throw either.
 */
import type restify from 'restify';
import type { Logger } from '../log';

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A request that passed `requireSession`: who is calling, and their session's CSRF token and expiry. */
export interface AuthedRequest extends restify.Request {
  account: { id: string; role: 'agent' | 'analyst' };
  session: { csrf: string; expiresAt: string };
}

type AsyncHandler = (req: restify.Request, res: restify.Response) => Promise<unknown>;
type CallbackHandler = (req: restify.Request, res: restify.Response, next: restify.Next) => unknown;

/** Answer an error: HttpError as itself, anything else as a logged 500. Never throws. */
export function answerError(log: Logger, req: restify.Request, res: restify.Response, err: unknown): void {
  try {
    if (err instanceof HttpError) {
      if (res.headersSent) return;
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      res.send(err.status, { error: err.message });
      return;
    }
    log.error('request failed', { error: err, method: req.method, path: safePath(req) });
    if (!res.headersSent) res.send(500, { error: 'internal error' });
    else res.destroy?.();
  } catch (e) {
    // The response itself failed (e.g. the socket is gone): nothing left to answer.
    log.warn('could not answer a failed request', { error: e });
  }
}

function safePath(req: restify.Request): string {
  try {
    return req.path();
  } catch {
    return String(req.url ?? '').slice(0, 200);
  }
}

/** Wraps one handler, keeping restify's arity contract (≤2 arguments: async; 3: callback). */
export function route<H extends AsyncHandler | CallbackHandler>(log: Logger, handler: H): H {
  if ((handler as { __guarded?: boolean }).__guarded) return handler;
  let wrapped: AsyncHandler | CallbackHandler;
  if (handler.length <= 2) {
    wrapped = async (req: restify.Request, res: restify.Response) => {
      try {
        await (handler as AsyncHandler)(req, res);
      } catch (err) {
        answerError(log, req, res, err);
      }
    };
  } else if (handler.length === 3) {
    wrapped = function (req: restify.Request, res: restify.Response, next: restify.Next) {
      let done = false;
      const fail = (err: unknown) => {
        answerError(log, req, res, err);
        if (!done) (done = true), next(false);
      };
      const once: restify.Next = ((arg?: unknown) => {
        if (done) return;
        done = true;
        next(arg as never);
      }) as restify.Next;
      try {
        const out = (handler as CallbackHandler)(req, res, once);
        if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).then(undefined, fail);
      } catch (err) {
        fail(err);
      }
    };
  } else return handler; // error-handling middleware (4 arguments): restify's own contract
  (wrapped as { __guarded?: boolean }).__guarded = true;
  return wrapped as H;
}

const METHODS = ['get', 'post', 'put', 'patch', 'del', 'head', 'opts', 'use', 'pre'] as const;

/** Every handler registered on this server from now on goes through `route()`. */
export function guardServer(server: restify.Server, log: Logger): void {
  const s = server as unknown as Record<string, (...args: unknown[]) => unknown>;
  const wrap = (a: unknown): unknown => (typeof a === 'function' ? route(log, a as AsyncHandler) : Array.isArray(a) ? a.map(wrap) : a);
  for (const m of METHODS) {
    const original = s[m].bind(server);
    s[m] = (...args: unknown[]) => original(...args.map(wrap));
  }
}

/** decodeURIComponent, or a 400 naming what could not be decoded. */
export function decodeOr400(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HttpError(400, `${what} is not valid percent-encoding`);
  }
}

/** A cookie's value; malformed percent-encoding is a 400, never an exception. */
export function readCookie(req: restify.Request, name: string): string | undefined {
  const raw = req.headers.cookie;
  for (const part of (Array.isArray(raw) ? raw.join(';') : raw ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeOr400(part.slice(eq + 1).trim(), `cookie ${name}`);
  }
  return undefined;
}
