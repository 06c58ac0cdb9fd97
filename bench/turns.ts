// Bot-turn throughput and latency over HTTP on loopback, against a bare restify baseline in the same run.
// Usage: npm run bench -- [--customers 50] [--turns 6] [--seconds 30]
import '../src/preload'; // first: keeps dotenv quiet so stdout holds only the figures
import { activity, argNum, startServer, startSink, stopServer, summarize, tempDb } from './lib';

const CUSTOMERS = argNum('customers', 50);
const TURNS = argNum('turns', 6);
const SECONDS = argNum('seconds', 30);
const QUESTIONS = ['hello', 'How do I reset my password?', 'yes', 'where is my order', 'no', 'what are your opening hours', 'thanks'];

async function drive(port: number, sink: string, label: string) {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CUSTOMERS }, async (_, c) => {
      const conv = `${label}-conv-${c}`;
      for (let t = 0; t < TURNS && performance.now() < deadline; t++) {
        const body = JSON.stringify(activity(sink, conv, `${label}-user-${c}`, t, QUESTIONS[t % QUESTIONS.length]));
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        if (res.status >= 300) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ...summarize(latencies, seconds), errors, seconds: +seconds.toFixed(2) };
}

async function main() {
  const sink = await startSink();
  const basePort = 39990 + Math.floor(Math.random() * 5);
  const botPort = 39980 + Math.floor(Math.random() * 5);
  const base = await startServer('bench/bareRestify.ts', {}, basePort);
  const baseline = await drive(basePort, sink.url, 'base');
  await stopServer(base);
  const bot = await startServer('src/index.ts', { DATABASE_PATH: tempDb() }, botPort);
  const botRun = await drive(botPort, sink.url, 'bot');
  await stopServer(bot);
  await sink.close();
  const out = {
    bench: 'turns',
    customers: CUSTOMERS,
    turns_per_customer: TURNS,
    bot: botRun,
    bare_restify: baseline,
    ratio_turns_per_s: +(botRun.turns_per_s / baseline.turns_per_s).toFixed(3),
  };
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
