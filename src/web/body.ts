/**
 * The one request-body reader (instead of restify's bodyParser, whose gunzip stream had no error
 * handler and whose size limit applied before decompression). The limit holds on the bytes received
 * and again on the bytes after decompression; past it the answer is 413. Unknown encodings get 415.
 * JSON bodies become objects (400 when invalid), form bodies flat objects, anything else a string.
 */
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import type restify from 'restify';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

const JSON_TYPE = /^application\/([\w.+-]+\+)?json$/i;

function header(req: restify.Request, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v.join(',') : v ?? '').trim();
}

/** A rejected body is still read (and dropped) up to this many times the limit, so the client sees the answer. */
const DRAIN_FACTOR = 16;

export function bodyReader(maxBytes: number): restify.RequestHandler {
  return function readBody(req, res, next) {
    let answered = false;
    const answer = (status: number, error: string) => {
      if (answered) return;
      answered = true;
      res.setHeader('Connection', 'close');
      res.send(status, { error });
      next(false);
    };
    /** Answer once the client has finished sending (bounded), so it reads the status instead of a reset. */
    const reject = (status: number, error: string) => {
      if (answered) return;
      if (req.complete || req.readableEnded) return answer(status, error);
      let dropped = 0;
      req.removeAllListeners('data');
      req.on('data', (c: Buffer) => {
        dropped += c.length;
        if (dropped > DRAIN_FACTOR * maxBytes) {
          answer(status, error);
          req.destroy();
        }
      });
      req.on('end', () => answer(status, error));
      req.on('error', () => undefined);
      req.resume();
    };
    const length = header(req, 'content-length');
    const chunked = header(req, 'transfer-encoding') !== '';
    if (!chunked && (length === '' || length === '0')) return next();
    // The client went away mid-body: nobody to answer, but the request must not stay pending.
    req.on('close', () => {
      if (req.complete || answered) return;
      answered = true;
      next(false);
    });
    if (length !== '' && !/^\d+$/.test(length)) return answer(400, 'Content-Length must be a number');
    if (Number(length) > maxBytes) return reject(413, `request body is larger than ${maxBytes} bytes`);
    const encoding = header(req, 'content-encoding').toLowerCase();
    const decoder = encoding === '' || encoding === 'identity' ? undefined : DECODERS[encoding];
    if (encoding && encoding !== 'identity' && !decoder) return reject(415, `Content-Encoding "${encoding.slice(0, 40)}" is not supported (use gzip, deflate, br or none)`);

    const chunks: Buffer[] = [];
    let received = 0;
    let size = 0;
    let finished = false;
    const stream = decoder?.();
    const stop = (status: number, error: string) => {
      if (finished) return;
      finished = true;
      stream?.destroy();
      reject(status, error);
    };
    const done = () => {
      if (finished) return;
      finished = true;
      try {
        parse(req, Buffer.concat(chunks, size));
      } catch (e) {
        return answer(400, (e as Error).message);
      }
      if (answered) return;
      answered = true;
      next();
    };
    const collect = (chunk: Buffer) => {
      if (finished) return;
      size += chunk.length;
      if (size > maxBytes) return stop(413, `request body is larger than ${maxBytes} bytes${decoder ? ' after decompression' : ''}`);
      chunks.push(chunk);
    };
    req.on('data', (chunk: Buffer) => {
      if (finished) return;
      received += chunk.length;
      if (received > maxBytes) return stop(413, `request body is larger than ${maxBytes} bytes`);
      if (stream) stream.write(chunk);
      else collect(chunk);
    });
    req.on('error', () => {
      finished = true;
      stream?.destroy();
    });
    if (stream) {
      stream.on('data', collect);
      stream.on('error', () => stop(400, `request body is not valid ${encoding} data`));
      stream.on('end', done);
      req.on('end', () => !finished && stream.end());
    } else req.on('end', done);
  };
}

function parse(req: restify.Request, buf: Buffer): void {
  const text = buf.toString('utf8');
  // the bytes as received (after decompression): webhook signatures are computed over them
  (req as restify.Request & { rawBody?: Buffer }).rawBody = buf;
  const type = (req.getContentType() ?? '').trim();
  if (JSON_TYPE.test(type)) {
    if (!text.trim()) return void (req.body = undefined);
    try {
      req.body = JSON.parse(text);
    } catch (e) {
      throw new Error(`invalid JSON: ${(e as Error).message}`);
    }
  } else if (/^application\/x-www-form-urlencoded$/i.test(type)) {
    req.body = Object.fromEntries(new URLSearchParams(text));
  } else req.body = text;
}
