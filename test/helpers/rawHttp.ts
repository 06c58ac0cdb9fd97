import { connect } from 'node:net';

export interface RawResponse {
  /** HTTP status of the first status line, 0 when the server closed without one, -1 on timeout. */
  status: number;
  head: string;
  body: string;
}

/**
 * Sends bytes exactly as given over a fresh TCP connection and reads until the server closes
 * (or `timeoutMs`), so headers no HTTP client would send (bad cookies, odd encodings, upgrades) reach the server.
 */
export function rawRequest(port: number, request: Buffer | string, timeoutMs = 5000, halfClose = false): Promise<RawResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    let settled = false;
    const done = (timedOut = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      // An interim "100 Continue" (Expect: 100-continue) precedes the real answer.
      const text = Buffer.concat(chunks).toString('latin1').replace(/^(HTTP\/1\.[01] 100 [^\r]*\r\n\r\n)+/, '');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({
        status: m ? Number(m[1]) : timedOut ? -1 : 0,
        head: split >= 0 ? text.slice(0, split) : text,
        body: split >= 0 ? Buffer.from(text.slice(split + 4), 'latin1').toString('utf8') : '',
      });
    };
    const timer = setTimeout(() => done(!chunks.length), timeoutMs);
    socket.on('data', (c) => {
      chunks.push(c);
      // One response is enough: stop once its body is complete (Content-Length) instead of waiting for close.
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const len = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split));
      if (split >= 0 && len && Buffer.byteLength(text.slice(split + 4), 'latin1') >= Number(len[1])) done();
    });
    socket.on('error', () => done());
    socket.on('close', () => done());
    // halfClose: the client says it has nothing more to send (an HTTP server may rightly wait for a body
    // whose Content-Length promised more bytes than came, as long as the connection stays open).
    if (halfClose) socket.end(request);
    else socket.write(request);
  });
}

/** An HTTP/1.1 request with Connection: close and a Content-Length for the body. */
export function httpRequest(method: string, path: string, headers: Record<string, string> = {}, body: Buffer | string = ''): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (b.length || !['GET', 'HEAD'].includes(method)) lines.push(`Content-Length: ${b.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), b]);
}
