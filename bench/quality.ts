// Predictions per second of the quality model (S and A) for 10-turn conversations, one at a time on one core
// (Node runs the model on its one JS thread), for the CLI path (predict) and the product path (explain: also the
// turns that weighed most). Conversations are dev dialogues of helpdesk_dch1 extended to 10 turns with the turns of
// the next dialogues. Usage: npm run --silent bench:quality -- [--n 1000] [--data ../shared/data/helpdesk_dch1] [--model PATH]
import '../src/preload'; // first: keeps dotenv quiet so stdout holds only the figures
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { readDialogues } from '../src/nlp/quality/data';
import { loadQualityModel } from '../src/nlp/quality/cli';
import type { Dialogue } from '../src/nlp/quality/types';

const argv = process.argv.slice(2);
const arg = (k: string, d: string) => (argv.includes(`--${k}`) ? argv[argv.indexOf(`--${k}`) + 1] : d);
const n = Number(arg('n', '1000'));
const data = arg('data', '../shared/data/helpdesk_dch1');
const model = loadQualityModel(arg('model', 'models/quality/quality.json'));

const src = [...readDialogues(join(data, 'dev_zh.jsonl')), ...readDialogues(join(data, 'dev_en.jsonl'))];
const convs: Dialogue[] = [];
for (let i = 0; convs.length < n; i++) {
  const turns = [];
  for (let k = i; turns.length < 10; k++) turns.push(...src[k % src.length].turns);
  convs.push({ id: String(i), turns: turns.slice(0, 10) });
}

function time(fn: (d: Dialogue) => unknown) {
  for (let i = 0; i < 50; i++) fn(convs[i % convs.length]); // warm-up (JIT, jieba dictionary)
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const d of convs) {
    const a = performance.now();
    fn(d);
    lat.push(performance.now() - a);
  }
  const total = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p: number) => +lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
  // per CPU-second too: on a shared machine wall time counts the waits for the core, CPU time does not
  return { predictions_per_s: Math.round((convs.length / total) * 1000), predictions_per_cpu_s: Math.round((convs.length / cpuMs) * 1000), p50_ms: q(0.5), p99_ms: q(0.99) };
}

const chars = convs.reduce((s, d) => s + d.turns.reduce((t, x) => t + x.utterances.join('').length, 0), 0) / convs.length;
const load = (await import('node:os')).loadavg()[0];
const result = {
  bench: 'quality',
  model: `${model.id}@${model.version}`,
  conversations: convs.length,
  turns_per_conversation: 10,
  mean_chars_per_conversation: Math.round(chars),
  predict: time((d) => model.predict(d)),
  predict_with_reasons: time((d) => model.explain(d)),
  goal_per_s: 200,
  load_average_1m: +load.toFixed(1),
};
process.stdout.write(JSON.stringify(result) + '\n');
