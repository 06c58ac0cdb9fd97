import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type restify from 'restify';
import type { Branding } from './branding';
import type { DirectLine } from './directline/server';
import { HttpError } from './http';
import type { RateLimiter } from './rateLimit';

const PUBLIC = new URL('./public/chat/', import.meta.url);
// The official Web Chat UMD bundle (exposes window.WebChat), served from node_modules: no CDN.
const BUNDLE = new URL('../../node_modules/botframework-webchat/dist/webchat.js', import.meta.url);

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'self'",
].join('; ');

interface Asset {
  type: string;
  body: Buffer;
  gz?: Buffer;
}

const IMAGES: Record<string, string> = { svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp' };

/** /chat: the branded page with the real Web Chat, its bundle, and a same-origin token endpoint. */
export function registerChatPage(
  server: restify.Server,
  opts: { directline: DirectLine; prefix: string; branding: Branding; conversationLimit?: RateLimiter },
): void {
  const cache = new Map<string, Asset>();
  const load = (key: string, url: URL, type: string): Asset => {
    let a = cache.get(key);
    if (!a) cache.set(key, (a = { type, body: readFileSync(url) }));
    return a;
  };
  const send = (req: restify.Request, res: restify.Response, a: Asset, maxAge: number) => {
    res.setHeader('Content-Type', a.type);
    res.setHeader('Cache-Control', `public, max-age=${maxAge}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    let body = a.body;
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && a.body.length > 4096) {
      body = a.gz ??= gzipSync(a.body);
      res.setHeader('Content-Encoding', 'gzip');
    }
    res.setHeader('Content-Length', body.length);
    res.writeHead(200);
    res.end(body);
  };

  const page = async (req: restify.Request, res: restify.Response) => {
    res.setHeader('Content-Security-Policy', CSP);
    send(req, res, load('html', new URL('index.html', PUBLIC), 'text/html; charset=utf-8'), 0);
  };
  server.get('/chat', page);
  server.get('/chat/', page);
  // What the page needs from config/webchat.yaml (name, colours, avatars, greeting, first questions).
  const config = Buffer.from(JSON.stringify(opts.branding));
  server.get('/chat/config.json', async (req, res) => send(req, res, { type: 'application/json; charset=utf-8', body: config }, 0));
  server.get('/chat/assets/:name', async (req, res) => {
    const m = /^([\w-]+)\.(svg|png|jpg|jpeg|webp)$/.exec(String(req.params.name));
    let asset: Asset | undefined;
    try {
      asset = m ? load(`asset:${m[0]}`, new URL(m[0], PUBLIC), IMAGES[m[2]]) : undefined;
    } catch {
      asset = undefined; // no such file
    }
    if (!asset) return void res.send(404, { error: 'no such asset' });
    send(req, res, asset, 3600);
  });
  server.get('/chat/chat.js', async (req, res) => send(req, res, load('js', new URL('chat.js', PUBLIC), 'text/javascript; charset=utf-8'), 0));
  server.get('/chat/chat.css', async (req, res) => send(req, res, load('css', new URL('chat.css', PUBLIC), 'text/css; charset=utf-8'), 0));
  server.get('/chat/webchat.js', async (req, res) => send(req, res, load('bundle', BUNDLE, 'text/javascript; charset=utf-8'), 3600));

  // Same-origin token endpoint for the demo page, so it works without configuring a secret.
  server.post('/chat/token', async (req, res) => {
    const origin = req.headers.origin;
    if (origin && hostOf(origin) !== req.headers.host) return void res.send(403, { error: 'cross-origin token requests are not allowed' });
    // Each token starts a conversation (rows, a welcome turn): limited per address like Direct Line's own.
    const wait = opts.conversationLimit?.take(req.socket.remoteAddress ?? '') ?? 0;
    if (wait > 0) throw new HttpError(429, 'too many new conversations from this address, try later', { 'Retry-After': String(wait) });
    const t = opts.directline.generate();
    res.setHeader('Cache-Control', 'no-store');
    res.send(200, { ...t, domain: `${opts.prefix}/v3/directline` });
  });
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined; // e.g. "null" from a sandboxed frame
  }
}
