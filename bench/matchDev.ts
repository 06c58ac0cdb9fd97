// Measures the KB matcher on the answer/ood cases of a conversations file (default
// ../shared/data/conversations/dev.json): a measure only, never training data.
// `npx tsx bench/matchDev.ts [FILE] [--verbose]`; last stdout line is JSON.
import '../src/preload';
import { existsSync, readFileSync } from 'node:fs';
import { Matcher } from '../src/nlp/matcher';
import { loadCalibration } from '../src/nlp/calibrate';
import { kbExamples, loadKnowledgeBase } from '../src/nlp/kb';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const file = args.find((a) => !a.startsWith('--')) ?? ['../shared', '../../shared'].map((d) => d + '/data/conversations/dev.json').find(existsSync)!;
const data = JSON.parse(readFileSync(file, 'utf8')) as { answer: [string, string, string][]; ood: [string, string][] };
const kb = loadKnowledgeBase('models/kb');
const calibration = args.includes('--uncalibrated') ? undefined : loadCalibration('models/matcher.json');
const m = Matcher.train(kbExamples(kb), { calibration });

type Row = { n: number; direct: number; wrong: number; offered: number };
const by: Record<string, Row> = {};
const r4 = (x: number) => Math.round(x * 1000) / 1000;
for (const [loc, text, id] of data.answer) {
  const row = (by[loc] ??= { n: 0, direct: 0, wrong: 0, offered: 0 });
  const r = m.match(text, loc);
  row.n++;
  if (r.outcome === 'answer' && r.id === id) row.direct++;
  else if (r.outcome === 'answer') row.wrong++;
  if ((r.outcome === 'answer' && r.id === id) || (r.outcome === 'suggest' && r.suggestions.some((s) => s.id === id))) row.offered++;
  if (verbose && !(r.outcome === 'answer' && r.id === id))
    console.log(`${loc}\t${r.outcome}\t${r.confidence.toFixed(2)}\t${text}\twant ${id}\tgot ${r.suggestions.map((s) => `${s.id}:${s.score.toFixed(2)}`).join(' ')}`);
}
let oodWrong = 0;
for (const [loc, text] of data.ood) {
  const r = m.match(text, loc);
  if (r.outcome === 'answer') oodWrong++;
  if (verbose && r.outcome !== 'fallback') console.log(`OOD ${loc}\t${r.outcome}\t${r.confidence.toFixed(2)}\t${text}\t${r.suggestions.map((s) => s.id).join(' ')}`);
}
const tot = Object.values(by).reduce((a, b) => ({ n: a.n + b.n, direct: a.direct + b.direct, wrong: a.wrong + b.wrong, offered: a.offered + b.offered }), { n: 0, direct: 0, wrong: 0, offered: 0 });
const rates = (x: Row) => ({ n: x.n, direct: r4(x.direct / x.n), wrong: r4(x.wrong / x.n), offered: r4(x.offered / x.n) });
const out: Record<string, unknown> = { all: rates(tot) };
for (const [k, v] of Object.entries(by)) out[k] = rates(v);
out.ood = { n: data.ood.length, answered: r4(oodWrong / Math.max(1, data.ood.length)) };
console.log(JSON.stringify(out));
