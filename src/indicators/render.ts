import type { Report } from './compute';
import { csvLine } from '../csv';

export interface TrendPoint {
  period: string;
  csat_pct: number | null;
  nps: number | null;
  csi: number | null;
  n: number;
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** Figures for people: two decimals at most (0.11956900000000001 → 0.12); CSV keeps four. */
const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;
const fmt = (v: number | string | null | undefined, unit = '') => (v === null || v === undefined ? '—' : `${typeof v === 'number' ? round(v, 2) : v}${unit}`);
const csvNumber = (v: unknown) => (typeof v === 'number' ? round(v, 4) : v);
/** The report's window in words: "2026-11-01 to 2026-11-30", "since 2026-11-01", "all recorded data". */
export function windowText(w: { from?: string | null; to?: string | null }): string {
  if (w.from && w.to) return `${w.from} to ${w.to}`;
  if (w.from) return `since ${w.from}`;
  if (w.to) return `up to ${w.to}`;
  return 'all recorded data';
}

/** Flat rows (indicator, value, n, ci_low, ci_high) shared by CSV and Markdown. */
export function reportRows(r: Report): Array<[string, number | string | null, number | null, number | null, number | null]> {
  const rows: Array<[string, number | string | null, number | null, number | null, number | null]> = [];
  for (const [k, s] of Object.entries(r.stats)) rows.push([k, s.value, s.n, s.ci?.low ?? null, s.ci?.high ?? null]);
  rows.push(['grade', r.grade ?? `withheld: ${r.grade_reason}`, r.csi_n, null, null]);
  for (const [k, s] of Object.entries(r.sla)) rows.push([`sla.${k}`, s.compliance_pct, s.n, s.ci?.low ?? null, s.ci?.high ?? null]);
  for (const [k, d] of Object.entries(r.dimensions)) rows.push([`dimensions.${k}`, d.score, d.n, null, null]);
  if (r.fuzzy.membership) r.fuzzy.grades.forEach((g, i) => rows.push([`fuzzy.${g}`, r.fuzzy.membership![i], r.fuzzy.n, null, null]));
  if (!r.fuzzy.grade && r.fuzzy.grade_reason) rows.push(['fuzzy.grade', `withheld: ${r.fuzzy.grade_reason}`, r.fuzzy.n, null, null]);
  for (const t of r.topics)
    rows.push(
      [`topic.${t.topic}.share_pct`, t.share_pct, t.mentions, t.share_ci?.low ?? null, t.share_ci?.high ?? null],
      [`topic.${t.topic}.net_sentiment`, t.net_sentiment, t.mentions, null, null],
    );
  return rows;
}

export function toCsv(r: Report): string {
  return ['indicator,value,n,ci_low,ci_high\r\n', ...reportRows(r).map((row) => csvLine(row.map(csvNumber)))].join('');
}

export function toMarkdown(r: Report): string {
  const out = [
    `# Satisfaction indicators`,
    '',
    `Model version ${r.model_version}; period: ${windowText(r.window)}; segment ${JSON.stringify(r.segment)}; ${r.n} interactions.`,
    '',
    `**CSI ${fmt(r.csi)}** — grade ${r.grade ?? `withheld (${r.grade_reason})`}`,
    '',
    '| indicator | value | n | 95% CI |',
    '|---|---|---|---|',
    ...reportRows(r).map(([k, v, n, lo, hi]) => `| ${k} | ${fmt(v)} | ${fmt(n)} | ${lo === null ? '' : `${fmt(lo)} – ${fmt(hi)}`} |`),
    '',
    '## Priorities (importance × gap)',
    '',
    '| dimension | importance | score | priority |',
    '|---|---|---|---|',
    ...r.priorities.map((p) => `| ${p.dimension} | ${fmt(p.importance)} | ${fmt(p.score)} | ${fmt(p.priority)} |`),
    '',
    '## Alerts',
    '',
    ...(r.alerts.length ? (r.alerts as Array<{ message: string }>).map((a) => `- ${a.message}`) : ['- none']),
  ];
  if (r.warnings.length) out.push('', '## Warnings', '', ...r.warnings.map((w) => `- ${w}`));
  return out.join('\n') + '\n';
}

// ---------- inline SVG charts ----------

function lineChart(points: TrendPoint[], keys: Array<{ key: 'csat_pct' | 'csi' | 'nps'; colour: string }>): string {
  const W = 640, H = 220, L = 40, B = 30, T = 10;
  if (!points.length) return '<p>No trend data.</p>';
  const x = (i: number) => L + (points.length === 1 ? (W - L) / 2 : (i * (W - L - 10)) / (points.length - 1));
  const y = (v: number) => T + ((100 - v) / 200) * (H - T - B); // axis −100..100 covers NPS and 0-100 scores
  const grid = [-100, -50, 0, 50, 100].map((v) => `<line x1="${L}" x2="${W}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="4" y="${y(v) + 4}" font-size="10">${v}</text>`).join('');
  const lines = keys
    .map(({ key, colour }) => {
      const pts = points.map((p, i) => (p[key] === null ? null : `${x(i).toFixed(1)},${y(p[key] as number).toFixed(1)}`)).filter(Boolean);
      return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(' ')}"/>` +
        points.map((p, i) => (p[key] === null ? '' : `<circle cx="${x(i).toFixed(1)}" cy="${y(p[key] as number).toFixed(1)}" r="2.5" fill="${colour}"><title>${esc(p.period)} ${key} ${p[key]} (n=${p.n})</title></circle>`)).join('');
    })
    .join('');
  const step = Math.max(1, Math.ceil(points.length / 8));
  const labels = points.map((p, i) => (i % step ? '' : `<text x="${x(i)}" y="${H - 8}" font-size="10" text-anchor="middle">${esc(p.period)}</text>`)).join('');
  const legend = keys.map((k, i) => `<text x="${L + 10 + i * 90}" y="${T + 12}" font-size="11" fill="${k.colour}">■ ${k.key}</text>`).join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="trend">${grid}${lines}${labels}${legend}</svg>`;
}

function barChart(items: Array<{ label: string; value: number | null; note?: string }>, max = 100): string {
  const W = 640, row = 24, L = 170;
  const H = items.length * row + 10;
  const bars = items
    .map((it, i) => {
      const w = it.value === null ? 0 : Math.max(0, (it.value / max) * (W - L - 60));
      return `<text x="4" y="${i * row + 17}" font-size="12">${esc(it.label)}</text><rect x="${L}" y="${i * row + 5}" width="${w.toFixed(1)}" height="16" fill="#4a7bd0"/><text x="${L + w + 4}" y="${i * row + 17}" font-size="11">${fmt(it.value)}${it.note ? ` ${esc(it.note)}` : ''}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${bars}</svg>`;
}

function npsChart(dist: number[]): string {
  const W = 640, H = 200, B = 24;
  const max = Math.max(1, ...dist);
  const bw = (W - 20) / 11;
  const bars = dist
    .map((c, v) => {
      const h = (c / max) * (H - B - 10);
      const colour = v <= 6 ? '#d9534f' : v <= 8 ? '#f0ad4e' : '#5cb85c';
      return `<rect x="${10 + v * bw}" y="${H - B - h}" width="${bw - 4}" height="${h}" fill="${colour}"><title>${v}: ${c}</title></rect><text x="${10 + v * bw + bw / 2 - 2}" y="${H - 8}" font-size="11" text-anchor="middle">${v}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${bars}</svg>`;
}

function topicChart(r: Report): string {
  if (!r.topics.length) return '<p>No tagged feedback in this window.</p>';
  const W = 640, row = 24, L = 170;
  const max = Math.max(...r.topics.map((t) => t.mentions));
  const scale = (W - L - 60) / max;
  const rows = r.topics
    .map((t, i) => {
      let x = L;
      const seg = (n: number, colour: string, name: string) => {
        const w = n * scale;
        const s = `<rect x="${x.toFixed(1)}" y="${i * row + 5}" width="${w.toFixed(1)}" height="16" fill="${colour}"><title>${esc(t.topic)} ${name}: ${n}</title></rect>`;
        x += w;
        return s;
      };
      const other = t.mentions - t.positive - t.neutral - t.negative;
      return `<text x="4" y="${i * row + 17}" font-size="12">${esc(t.topic)}</text>${seg(t.negative, '#d9534f', 'negative')}${seg(t.neutral, '#aaa', 'neutral')}${seg(t.positive, '#5cb85c', 'positive')}${seg(other, '#ddd', 'no sentiment')}<text x="${x + 4}" y="${i * row + 17}" font-size="11">net ${fmt(t.net_sentiment)}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${W} ${r.topics.length * row + 10}" width="${W}" height="${r.topics.length * row + 10}" role="img">${rows}</svg>`;
}

/** One self-contained HTML file: inline CSS and SVG, no external assets. */
export function toHtml(r: Report, trendPoints: TrendPoint[], trendPeriod: string): string {
  const card = (label: string, v: string, sub = '') => `<div class="card"><div class="l">${esc(label)}</div><div class="v">${esc(v)}</div><div class="s">${esc(sub)}</div></div>`;
  const ci = (k: string) => {
    const s = r.stats[k];
    return s?.ci ? `95% CI ${fmt(s.ci.low)}–${fmt(s.ci.high)}, n=${s.n}` : `n=${s?.n ?? 0}`;
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Satisfaction indicators</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:980px}h2{margin-top:32px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:130px}
.l{font-size:12px;color:#666}.v{font-size:24px;font-weight:600}.s{font-size:11px;color:#888}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;font-size:13px;text-align:left}</style></head><body>
<h1>Satisfaction indicators</h1>
<p>Model version ${r.model_version}; period: ${esc(windowText(r.window))}; segment ${esc(JSON.stringify(r.segment))}; ${r.n} interactions, ${r.surveys.responded} survey responses.</p>
<div class="cards">
${card('CSI', fmt(r.csi), r.grade ? `grade ${r.grade}` : `grade withheld: ${r.grade_reason}`)}
${card('CSAT %', fmt(r.csat_pct), ci('csat_pct'))}
${card('CSAT mean', fmt(r.csat_mean), ci('csat_mean'))}
${card('NPS', fmt(r.nps), ci('nps'))}
${card('CES mean', fmt(r.ces_mean), `${fmt(r.ces_easy_pct)} % easy`)}
${card('FCR %', fmt(r.fcr_pct), ci('fcr_pct'))}
${card('Response rate %', fmt(r.response_rate_pct), ci('response_rate_pct'))}
${card('Complaint rate %', fmt(r.complaint_rate_pct), ci('complaint_rate_pct'))}
</div>
<h2>Trend by ${esc(trendPeriod)}</h2>
${lineChart(trendPoints, [{ key: 'csat_pct', colour: '#4a7bd0' }, { key: 'csi', colour: '#2e8b57' }, { key: 'nps', colour: '#c0392b' }])}
<h2>Dimensions (0-100)</h2>
${barChart(Object.entries(r.dimensions).map(([k, d]) => ({ label: d.label ?? k, value: d.score, note: `n=${d.n}` })))}
<h2>SLA compliance %</h2>
${barChart(Object.entries(r.sla).map(([k, s]) => ({ label: k, value: s.compliance_pct, note: `n=${s.n}` })))}
<h2>NPS distribution (0-10)</h2>
${npsChart(r.nps_distribution)}
<p>${r.nps_counts.promoters} promoters, ${r.nps_counts.passives} passives, ${r.nps_counts.detractors} detractors.</p>
<h2>Topics × sentiment</h2>
${topicChart(r)}
<h2>Fuzzy evaluation</h2>
<p>${r.fuzzy.membership ? r.fuzzy.grades.map((g, i) => `${esc(g)} ${fmt(r.fuzzy.membership![i])}`).join(' · ') + ` → ${esc(r.fuzzy.grade ?? `withheld (${r.fuzzy.grade_reason})`)}` : 'no survey ratings'}</p>
<h2>Priorities (importance × gap)</h2>
<table><tr><th>dimension</th><th>importance</th><th>score</th><th>priority</th></tr>
${r.priorities.map((p) => `<tr><td>${esc(p.dimension)}</td><td>${fmt(p.importance)}</td><td>${fmt(p.score)}</td><td>${fmt(p.priority)}</td></tr>`).join('\n')}</table>
<h2>Alerts</h2>
<ul>${r.alerts.length ? (r.alerts as Array<{ message: string }>).map((a) => `<li>${esc(a.message)}</li>`).join('') : '<li>none</li>'}</ul>
${r.warnings.length ? `<h2>Warnings</h2><ul>${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
