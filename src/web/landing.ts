/**
 * The first page a new team opens (`/`): links to chat, agent console, analyst workspace and health,
 * and the demo logins while in development. Also the pages' shared assets: favicon, the locale
 * helper (generated from the server's own normalizeLocale) and common.js.
 */
import { readFileSync } from 'node:fs';
import type restify from 'restify';
import { normalizeLocale } from '../nlp/locale';
import type { Branding } from './branding';

const PUBLIC = new URL('./public/', import.meta.url);
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

export interface LandingOptions {
  branding: Branding;
  /** Sample logins to show; empty outside development. */
  demoAccounts: { id: string; role: string; password: string }[];
}

export function registerLanding(server: restify.Server, o: LandingOptions): void {
  const file = (path: string) => readFileSync(new URL(path, PUBLIC));
  const assets: Record<string, [string, Buffer | string]> = {
    '/': ['text/html; charset=utf-8', file('landing/index.html')],
    '/ui/landing.js': ['text/javascript; charset=utf-8', file('landing/landing.js')],
    '/ui/landing.css': ['text/css; charset=utf-8', file('landing/landing.css')],
    '/ui/common.js': ['text/javascript; charset=utf-8', file('ui/common.js')],
    // One normalizeLocale for bot and pages: the browser gets the server's function itself.
    '/ui/locale.js': ['text/javascript; charset=utf-8', `/* generated from src/nlp/locale.ts */\nwindow.normalizeLocale = ${normalizeLocale.toString()};\n`],
    '/ui/site.json': ['application/json; charset=utf-8', JSON.stringify({ name: o.branding.name, greeting: o.branding.greeting, colors: o.branding.colors, demoAccounts: o.demoAccounts })],
    '/favicon.svg': ['image/svg+xml', file('favicon.svg')],
    '/favicon.ico': ['image/svg+xml', file('favicon.svg')], // browsers that ask for .ico accept an SVG body
  };
  for (const [path, [type, body]] of Object.entries(assets)) {
    server.get(path, (_req, res, next) => {
      res.writeHead(200, {
        'content-type': type,
        'cache-control': path.startsWith('/favicon') ? 'public, max-age=86400' : 'no-cache',
        'x-content-type-options': 'nosniff',
        ...(path === '/' ? { 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' } : {}),
      });
      res.end(body);
      next(false);
    });
  }
}
