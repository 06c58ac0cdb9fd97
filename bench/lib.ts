// Shared pieces of the HTTP benchmarks: a child-process server, a reply sink, latency stats.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function summarize(latencies: number[], seconds: number) {
  const s = [...latencies].sort((a, b) => a - b);
  return {
    turns: s.length,
    turns_per_s: +(s.length / seconds).toFixed(1),
    p50_ms: +percentile(s, 50).toFixed(2),
    p95_ms: +percentile(s, 95).toFixed(2),
    p99_ms: +percentile(s, 99).toFixed(2),
  };
}

/** A channel stand-in that accepts the bot's replies (activity.serviceUrl) and counts them. */
export async function startSink(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, count: () => n, close: () => new Promise((r) => server.close(() => r())) };
}

/** Start a TypeScript entry point as a child process and wait until it answers on /healthz. */
export async function startServer(entry: string, env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, LOG_LEVEL: 'error', DOTENV_CONFIG_QUIET: 'true', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 180_000; // generous: shared 2-core machines start slowly
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return child;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode} before answering /healthz`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // never leave it running: it would answer the next run's requests on this port
      throw new Error(`${entry} did not start`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'bench-')), 'bench.db');
}

export function activity(sink: string, conv: string, user: string, n: number, text: string, value?: unknown) {
  return {
    type: 'message',
    id: `${conv}-${n}`,
    channelId: 'emulator',
    serviceUrl: sink,
    from: { id: user, role: 'user' },
    recipient: { id: 'bot', role: 'bot' },
    conversation: { id: conv },
    locale: 'en-US',
    text,
    value,
  };
}

export function argNum(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
