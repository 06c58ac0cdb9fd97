/* Analyst workspace. Every customer-provided string goes through textContent, never innerHTML. */
(function () {
  'use strict';
  const API = '/api/analyst';
  const $ = (s, el) => (el || document).querySelector(s);
  const $$ = (s, el) => Array.from((el || document).querySelectorAll(s));
  const state = { lang: window.UI.pickLocale('analyst.lang') /* ?locale=, the last choice, else the browser's language */, csrf: null, meta: null, tab: 'dashboard', cursor: null, cursors: [], charts: {}, dash: null, selected: new Set(), rows: [] };

  const t = (k, vars) => {
    let s = (window.I18N[state.lang] || {})[k] ?? window.I18N.en[k] ?? k;
    for (const [a, b] of Object.entries(vars || {})) s = s.replace('{' + a + '}', b);
    return s;
  };
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null) e.setAttribute(k, v);
    }
    for (const c of kids.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  };
  const topicName = (id) => {
    const tp = (state.meta?.topics || []).find((x) => x.id === id);
    return tp ? (state.lang === 'en' ? tp.name.en : tp.name.zh) : id;
  };
  const fmt = (v, unit) => (v === null || v === undefined ? '—' : (Math.round(v * 10) / 10) + (unit || ''));

  async function call(path, opts) {
    opts = opts || {};
    const headers = { accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.method && opts.method !== 'GET' && state.csrf) headers['x-csrf-token'] = state.csrf;
    const res = await fetch(path, { method: opts.method || 'GET', headers, body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined, credentials: 'same-origin' });
    if (res.status === 401 && !opts.noRedirect) showLogin();
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(data.error || res.statusText), { status: res.status });
    return data;
  }

  function applyLang() {
    document.documentElement.lang = state.lang;
    $('#lang').value = state.lang;
    $$('[data-i18n]').forEach((e) => (e.textContent = t(e.dataset.i18n)));
    $$('[data-i18n-ph]').forEach((e) => (e.placeholder = t(e.dataset.i18nPh)));
    document.title = t('title');
  }

  // ---------- login ----------
  // Set after a login: only then is /me worth asking (a first visit shows the form without a 401 in the console).
  const SESSION_HINT = 'analyst.session';
  function showLogin() {
    localStorage.removeItem(SESSION_HINT);
    $('#login').classList.remove('hidden');
    ['#tabs', '#filters', '#logout'].forEach((s) => $(s).classList.add('hidden'));
    $$('.tab').forEach((s) => s.classList.add('hidden'));
  }
  async function enter(me) {
    state.csrf = me.csrfToken || me.csrf || state.csrf;
    state.meta = await call(API + '/meta');
    localStorage.setItem(SESSION_HINT, '1');
    $('#who').textContent = state.meta.account;
    $('#login').classList.add('hidden');
    ['#tabs', '#filters', '#logout'].forEach((s) => $(s).classList.remove('hidden'));
    fillFilters();
    show(state.tab);
  }
  $('#loginForm').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(ev.target);
    $('#loginError').textContent = '';
    try {
      const me = await call(API + '/login', { method: 'POST', body: { username: fd.get('username'), password: fd.get('password') }, noRedirect: true });
      await enter(me);
    } catch (e) {
      $('#loginError').textContent = t('login.failed');
    }
  });
  $('#logout').addEventListener('click', async () => {
    await call(API + '/logout', { method: 'POST', body: {} }).catch(() => {});
    state.csrf = null;
    showLogin();
  });

  // ---------- filters ----------
  function fillFilters() {
    const fill = (name, values, label) => {
      const s = $(`#filters [name=${name}]`);
      while (s.options.length > 1) s.remove(1);
      for (const v of values) s.append(el('option', { value: v }, label ? label(v) : v));
    };
    fill('channel', state.meta.channels);
    fill('locale', state.meta.locales);
    fill('agentId', state.meta.agents);
    fill('topic', state.meta.topics.map((x) => x.id), topicName);
    const bt = $('#bulkTopic');
    while (bt.options.length > 1) bt.remove(1);
    for (const x of state.meta.topics) bt.append(el('option', { value: x.id }, topicName(x.id)));
    if (!$('#filters [name=from]').value) {
      const to = new Date();
      const from = new Date(Date.now() - 29 * 86400000);
      $('#filters [name=from]').value = from.toISOString().slice(0, 10);
      $('#filters [name=to]').value = to.toISOString().slice(0, 10);
    }
  }
  function params(extra) {
    const p = new URLSearchParams();
    for (const i of $$('#filters [name]')) if (i.value) p.set(i.name, i.value);
    if (state.tab === 'feedback' || extra === 'feedback') {
      for (const i of $$('#feedback .filters [name]')) {
        if (i.type === 'checkbox') { if (i.checked) p.set(i.name, '1'); }
        else if (i.name === 'sort') { const [s, d] = i.value.split(':'); p.set('sort', s); p.set('dir', d); }
        else if (i.value) p.set(i.name, i.value);
      }
    }
    return p;
  }

  // ---------- tabs ----------
  function show(tab) {
    state.tab = tab;
    $$('#tabs button').forEach((b) => b.classList.toggle('active', b.dataset.tab === tab));
    $$('.tab').forEach((s) => s.classList.toggle('hidden', s.id !== tab));
    $('#filters').classList.toggle('hidden', !['dashboard', 'feedback', 'predicted'].includes(tab));
    $$('.dash-only').forEach((e) => e.classList.toggle('hidden', tab !== 'dashboard'));
    ({ dashboard: loadDashboard, feedback: () => loadFeedback(true), predicted: () => window.PredictedPanel.load(panelApi), quality: loadQuality, audit: loadAudit, privacy: () => {} })[tab]();
  }
  $$('#tabs button').forEach((b) => b.addEventListener('click', () => show(b.dataset.tab)));
  $('#apply').addEventListener('click', () => show(state.tab));
  $('#lang').addEventListener('change', () => {
    state.lang = $('#lang').value;
    localStorage.setItem('analyst.lang', state.lang);
    applyLang();
    if (state.meta) { fillFilters(); show(state.tab); }
  });

  // ---------- dashboard ----------
  const COLORS = { blue: '#3b6fd8', green: '#2e9d6a', red: '#d9534f', grey: '#a7adb8', amber: '#e2a33b', violet: '#7b61c9' };
  /**
   * Draws a chart, or (emptyKey set) says in the chart's place what is missing and how to get it;
   * hintKey adds a line under a chart that is drawn but says little (one trend point).
   */
  function chart(id, cfg, emptyKey, hintKey) {
    if (state.charts[id]) state.charts[id].destroy();
    delete state.charts[id];
    const canvas = $('#' + id);
    const box = canvas.parentElement;
    let note = box.querySelector('.chart-empty');
    if (!note) box.append((note = el('p', { class: 'chart-empty' })));
    note.textContent = emptyKey ? t(emptyKey) : '';
    note.classList.toggle('hidden', !emptyKey);
    canvas.classList.toggle('hidden', !!emptyKey);
    box.dataset.empty = emptyKey ? '1' : '';
    let hint = box.parentElement.querySelector('.chart-hint');
    if (!hint) box.after((hint = el('p', { class: 'chart-hint muted small' })));
    hint.textContent = hintKey ? t(hintKey) : '';
    hint.classList.toggle('hidden', !hintKey);
    if (emptyKey) return;
    cfg.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { labels: { boxWidth: 12 } } } }, cfg.options || {});
    state.charts[id] = new window.Chart(canvas, cfg);
  }
  const deltaEl = (delta) => (delta === null || delta === undefined ? el('span', { class: 'delta none' }, t('noPrev'))
    : el('span', { class: 'delta ' + (delta > 0 ? 'up' : delta < 0 ? 'down' : '') }, (delta > 0 ? '▲ ' : delta < 0 ? '▼ ' : '• ') + Math.abs(Math.round(delta * 10) / 10) + ' ' + t('vsPrev')));
  function kpi(key, label, value, n, delta, sub) {
    return el('div', { class: 'kpi', 'data-kpi': key }, el('div', { class: 'kl' }, label), el('div', { class: 'kv' }, value), el('div', { class: 'ks' }, 'n = ' + (n ?? 0), sub ? ' · ' + sub : ''), deltaEl(delta));
  }
  const slaLabel = (key) => t('sla.' + key) === 'sla.' + key ? key : t('sla.' + key);
  const unitLabel = (u) => t('unit.' + u) === 'unit.' + u ? u : t('unit.' + u);
  /** Display name of a flat indicator key (csat_pct, sla.<id>, dimensions.<id>, csi ...). */
  function indicatorLabel(key) {
    if (key.startsWith('sla.')) return t('sla') + ' · ' + slaLabel(key.slice(4));
    if (key.startsWith('dimensions.')) return dimLabel(key.slice(11), state.dash && state.dash.report.dimensions[key.slice(11)]);
    const k = { csat_pct: 'csat', csat_mean: 'csat', nps: 'nps', ces_mean: 'ces', ces_easy_pct: 'ces', fcr_pct: 'fcr', response_rate_pct: 'response', complaint_rate_pct: 'complaintRate', csi: 'csi' }[key];
    return k ? t(k) : key;
  }
  async function loadDashboard() {
    const q = params();
    const d = await call(API + '/dashboard?' + q);
    state.dash = d;
    const r = d.report, p = d.previous;
    const delta = (k) => (p && r[k] !== null && p[k] !== null && p[k] !== undefined ? r[k] - p[k] : null);
    const st = (k) => r.stats[k] || {};
    const ci = r.stats.csi && r.stats.csi.ci ? `${t('ci')} ${fmt(r.stats.csi.ci.low)}–${fmt(r.stats.csi.ci.high)}` : `${t('ci')} —`;
    const slaAll = Object.entries(r.sla).filter(([k]) => k !== 'response_rate');
    $('#kpis').replaceChildren(
      el('div', { class: 'kpi csi', 'data-kpi': 'csi' }, el('div', { class: 'kl' }, t('csi')), el('div', { class: 'kv big' }, fmt(r.csi)),
        el('div', { class: 'grade g-' + (r.grade || 'none') }, t('grade') + ': ' + (r.grade ? (window.I18N[state.lang]['g.' + r.grade] || r.grade) : t('withheld'))), el('div', { class: 'ks' }, ci + ' · n = ' + r.csi_n),
        deltaEl(delta('csi'))),
      kpi('csat', t('csat'), fmt(r.csat_pct, '%'), st('csat_pct').n, delta('csat_pct')),
      kpi('nps', t('nps'), fmt(r.nps), st('nps').n, delta('nps')),
      kpi('ces', t('ces'), fmt(r.ces_mean), st('ces_mean').n, delta('ces_mean')),
      kpi('fcr', t('fcr'), fmt(r.fcr_pct, '%'), st('fcr_pct').n, delta('fcr_pct')),
      kpi('response', t('response'), fmt(r.response_rate_pct, '%'), st('response_rate_pct').n, delta('response_rate_pct')),
      ...slaAll.map(([key, s]) => kpi('sla.' + key, t('sla') + ' · ' + slaLabel(key), fmt(s.compliance_pct, '%'), s.n,
        p && p.sla[key] && p.sla[key].compliance_pct !== null && s.compliance_pct !== null ? s.compliance_pct - p.sla[key].compliance_pct : null, '≤ ' + s.target + ' ' + unitLabel(s.unit))),
    );
    // Axes fit the data (Chart.js scales to the values, with a little room); one point is no trend.
    const points = d.trend.filter((x) => x.csi !== null || x.csat_pct !== null || x.nps !== null).length;
    chart('cTrend', {
      type: 'line',
      data: { labels: d.trend.map((x) => x.period), datasets: [
        { label: 'CSI', data: d.trend.map((x) => x.csi), borderColor: COLORS.blue, backgroundColor: COLORS.blue, tension: 0.3, cubicInterpolationMode: 'monotone', spanGaps: true },
        { label: 'CSAT %', data: d.trend.map((x) => x.csat_pct), borderColor: COLORS.green, backgroundColor: COLORS.green, tension: 0.3, cubicInterpolationMode: 'monotone', spanGaps: true },
        { label: 'NPS', data: d.trend.map((x) => x.nps), borderColor: COLORS.violet, backgroundColor: COLORS.violet, tension: 0.3, cubicInterpolationMode: 'monotone', spanGaps: true },
      ] },
      options: { scales: { y: { grace: '10%' } } },
    }, points === 0 ? 'empty.trendNone' : null, points === 1 ? 'empty.trendOne' : null);
    const dims = Object.entries(r.dimensions);
    chart('cDims', {
      type: 'bar',
      data: { labels: dims.map(([id, x]) => dimLabel(id, x)), datasets: [{ label: t('chart.dimensions'), data: dims.map(([, x]) => x.score), backgroundColor: dims.map(([, x]) => (x.score === null ? COLORS.grey : x.score >= 90 ? COLORS.green : x.score >= 60 ? COLORS.blue : COLORS.red)) }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { min: 0, max: 100 } } },
    }, dims.some(([, x]) => x.score !== null) ? null : 'empty.dims');
    chart('cNps', {
      type: 'bar',
      data: { labels: [...Array(11).keys()].map(String), datasets: [{ label: 'NPS', data: r.nps_distribution, backgroundColor: [...Array(11).keys()].map((i) => (i <= 6 ? COLORS.red : i <= 8 ? COLORS.amber : COLORS.green)) }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }, r.nps_distribution.some((n) => n > 0) ? null : 'empty.nps');
    // Share of the window's feedback items mentioning each topic (share_pct from the indicator library),
    // split by the sentiment of those mentions; an item can mention several topics, so shares add up past 100.
    const tops = r.topics.slice(0, 10);
    const part = (x, n) => (x.share_pct === null || !x.mentions ? 0 : Math.round((x.share_pct * n) / x.mentions * 100) / 100);
    const sets = [
      { label: t('s.negative'), data: tops.map((x) => part(x, x.negative)), backgroundColor: COLORS.red },
      { label: t('s.neutral'), data: tops.map((x) => part(x, x.neutral)), backgroundColor: COLORS.grey },
      { label: t('s.positive'), data: tops.map((x) => part(x, x.positive)), backgroundColor: COLORS.green },
      { label: t('s.none'), data: tops.map((x) => part(x, x.mentions - x.negative - x.neutral - x.positive)), backgroundColor: '#d5d9e0' },
    ].filter((ds, i) => i < 3 || ds.data.some((v) => v > 0));
    chart('cTopics', {
      type: 'bar',
      data: { labels: tops.map((x) => topicName(x.topic)), datasets: sets },
      options: {
        indexAxis: 'y',
        scales: { x: { stacked: true, min: 0, title: { display: true, text: t('axis.share') }, ticks: { callback: (v) => v + '%' } }, y: { stacked: true } },
        plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.x}%` } } },
      },
    }, tops.length ? null : 'empty.topics');
    chart('cPriority', {
      type: 'bubble',
      data: { datasets: r.priorities.map((x, i) => ({ label: dimLabel(x.dimension, r.dimensions[x.dimension]), data: [{ x: x.importance, y: x.gap, r: 6 + Math.min(14, x.priority / 2) }], backgroundColor: Object.values(COLORS)[i % 6] + 'bb' })) },
      options: { scales: { x: { title: { display: true, text: t('axis.importance') }, min: 0 }, y: { title: { display: true, text: t('axis.gap') }, min: 0 } } },
    }, r.priorities.length ? null : 'empty.priority');
    renderAlerts(d.open_alerts);
    $('#repCsv').href = API + '/export/report.csv?' + q;
    $('#repJson').href = API + '/export/report.json?' + q;
    $('#repHtml').href = API + '/report.html?' + q;
    $('#dashboard').dataset.query = q.toString(); // what is on screen (tests wait on it)
  }
  function dimLabel(id, x) {
    const l = (x && x.label) || id;
    // labels are "English 中文": show the part in the current language
    const m = /^(.*?)\s+([\u3400-\u9fff].*)$/.exec(l);
    return m ? (state.lang === 'en' ? m[1] : m[2]) : l;
  }
  function alertText(a) {
    const v = a.value === null ? '—' : fmt(a.value);
    if (a.kind === 'threshold') return `${indicatorLabel(a.indicator)} ${v} ${a.value !== null && a.value < a.limit ? '<' : '>'} ${fmt(a.limit)}`;
    return `${indicatorLabel(a.indicator)} ${v}: ${t('alert.drop')} (${t('alert.limit')} ${fmt(a.limit)})`;
  }
  const alertWindow = (a) => (a.window_from || a.window_to ? `${a.window_from || '…'} – ${a.window_to || '…'}` : '');
  const SEG = { channel: 'f.channel', locale: 'f.locale', handledBy: 'f.handledBy', agentId: 'f.agent', topic: 'f.topic' };
  /** The segment an alert was raised for (the filters of that report), e.g. "Channel msteams". */
  const alertSegment = (a) => Object.entries(a.segment || {}).filter(([k, v]) => SEG[k] && v)
    .map(([k, v]) => t(SEG[k]) + ' ' + (k === 'topic' ? topicName(v) : k === 'handledBy' ? (v === 'agent' ? t('agent') : t('bot')) : v)).join(', ');
  function renderAlerts(list) {
    const ul = $('#alerts');
    $('#alertDetail').replaceChildren();
    if (!list.length) return ul.replaceChildren(el('li', { class: 'muted' }, t('noAlerts')));
    ul.replaceChildren(...list.map((a) => el('li', { class: 'alert ' + a.kind, 'data-alert': a.id },
      el('button', { class: 'link', title: a.message, onclick: () => drill(a.id) }, alertText(a)),
      el('span', { class: 'muted' }, ` · n = ${a.n} · ${alertWindow(a)}`), alertSegment(a) ? el('span', { class: 'seg' }, alertSegment(a)) : null)));
  }
  async function drill(id) {
    const d = await call(API + '/alerts/' + id);
    const a = d.alert;
    $$('#alerts li').forEach((li) => li.classList.toggle('selected', li.dataset.alert === String(id)));
    const ack = el('button', { id: 'ackAlert', onclick: async () => {
      await call(API + '/alerts/' + id + '/acknowledge', { method: 'POST', body: {} });
      state.dash.open_alerts = state.dash.open_alerts.filter((x) => x.id !== id);
      renderAlerts(state.dash.open_alerts);
    } }, t('alert.ack'));
    const head = ['col.date', 'f.channel', 'f.locale', 'f.handledBy', 'f.agent', 'col.resolved', ''].map((k) => el('th', {}, k ? t(k) : ''));
    $('#alertDetail').replaceChildren(
      el('div', { class: 'drillhead' }, el('h3', {}, t('drill') + ' (' + d.interactions.length + ')'), ack),
      el('p', { class: 'muted small' }, a.message),
      el('table', { class: 'table', id: 'drillTable' }, el('thead', {}, el('tr', {}, head)),
        el('tbody', {}, d.interactions.map((i) => el('tr', { 'data-interaction': i.id }, el('td', { class: 'nowrap' }, i.started_at.slice(0, 16).replace('T', ' ')), el('td', {}, i.channel), el('td', {}, i.locale || ''),
          el('td', {}, i.handled_by === 'agent' ? t('agent') : t('bot')), el('td', {}, i.agent_id || ''), el('td', {}, i.resolved ? t('res.' + i.resolved) : ''),
          el('td', {}, el('button', { class: 'link', onclick: () => openTranscript(i.id) }, t('transcript'))))))));
  }

  // ---------- feedback ----------
  /** first: back to page 1; recount: refresh the total too (after a correction changed what matches). */
  async function loadFeedback(first, recount) {
    if (first) { state.cursors = []; state.cursor = null; $('#bulkMsg').textContent = ''; }
    const p = params('feedback');
    if (state.cursor) p.set('cursor', state.cursor);
    if (!first && !recount) p.set('count', '0'); // COUNT(*) only for the first page: it scans the matches
    const d = await call(API + '/feedback?' + p);
    state.rows = d.items;
    state.next = d.next;
    state.selected.clear();
    $('#selCount').textContent = '0';
    $('#selAll').checked = false;
    if (d.total !== null) $('#fbTotal').textContent = t('total', { n: d.total });
    $('#nextPage').disabled = !d.next;
    const q = params('feedback').toString();
    $('#fbCsv').href = API + '/export/feedback.csv?' + q;
    $('#fbJson').href = API + '/export/feedback.json?' + q;
    $('#fbTable tbody').replaceChildren(...(d.items.length ? d.items.map(row) : [el('tr', {}, el('td', { colspan: 10, class: 'empty-state' }, t('empty.feedback')))]));
    $('#feedback').dataset.query = p.toString(); // what is on screen (tests wait on it)
  }
  const sentBadge = (s, human) => (s ? el('span', { class: 'badge s-' + s + (human ? ' human' : '') }, t('s.' + s)) : el('span', { class: 'muted' }, '—'));
  function row(f) {
    const human = f.topics.filter((x) => x.source === 'human');
    const model = f.topics.filter((x) => x.source === 'model');
    const topicsCell = el('td', { class: 'topics' },
      (human.length ? human : model).map((x) => el('span', { class: 'chip' + (human.length ? ' human' : '') }, topicName(x.topic) + (x.sentiment ? ' · ' + t('s.' + x.sentiment) : ''))),
      human.length && model.length ? el('div', { class: 'was' }, model.map((x) => topicName(x.topic)).join(', ')) : null);
    const sentCell = el('td', { class: 'sentiment' }, f.human_sentiment ? [sentBadge(f.human_sentiment, true), f.sentiment && f.sentiment !== f.human_sentiment ? el('div', { class: 'was' }, t('s.' + f.sentiment)) : null] : sentBadge(f.sentiment));
    const r = f.ratings || {};
    const ratings = ['csat', 'nps', 'ces', 'resolved'].filter((k) => r[k] !== undefined && r[k] !== null)
      .map((k) => (k === 'resolved' ? t('col.resolved') + ' ' + (t('res.' + r[k]) === 'res.' + r[k] ? r[k] : t('res.' + r[k])) : k.toUpperCase() + ' ' + r[k])).join(' · ');
    const cb = el('input', { type: 'checkbox', 'aria-label': 'select' });
    cb.addEventListener('change', () => { cb.checked ? state.selected.add(f.id) : state.selected.delete(f.id); $('#selCount').textContent = state.selected.size; });
    return el('tr', { 'data-id': f.id, class: f.corrected_at ? 'corrected' : '' },
      el('td', {}, cb),
      el('td', { class: 'nowrap' }, f.created_at.slice(0, 10), el('div', { class: 'muted small' }, f.channel)),
      el('td', { class: 'text' }, el('span', { class: 'fbtext' }, f.text), f.corrected_by ? el('div', { class: 'muted small' }, t('corrected', { who: f.corrected_by })) : null),
      el('td', { class: 'lang' }, f.language || ''),
      sentCell,
      topicsCell,
      el('td', { class: 'num conf' }, f.sentiment_confidence === null ? '—' : f.sentiment_confidence.toFixed(2)),
      el('td', { class: 'small muted model' }, f.model_version || ''),
      el('td', { class: 'small nowrap ratings' }, ratings),
      el('td', { class: 'actions' }, el('button', { class: 'edit', onclick: () => openEditor(f) }, t('edit')), el('button', { class: 'link', onclick: () => openTranscript(f.interaction_id) }, t('transcript'))),
    );
  }
  $('#fbApply').addEventListener('click', () => loadFeedback(true));
  $('#feedback [name=q]').addEventListener('keydown', (e) => { if (e.key === 'Enter') loadFeedback(true); });
  $('#firstPage').addEventListener('click', () => loadFeedback(true));
  $('#nextPage').addEventListener('click', () => { if (state.next) { state.cursor = state.next; loadFeedback(false); } });
  $('#selAll').addEventListener('change', (e) => {
    $$('#fbTable tbody input[type=checkbox]').forEach((c) => { c.checked = e.target.checked; c.dispatchEvent(new Event('change')); });
  });
  $('#bulkApply').addEventListener('click', async () => {
    const body = { ids: [...state.selected] };
    if ($('#bulkSentiment').value) body.sentiment = $('#bulkSentiment').value;
    if ($('#bulkTopic').value) body.topics = [{ topic: $('#bulkTopic').value }];
    if (!body.ids.length || (!body.sentiment && !body.topics)) return void ($('#bulkMsg').textContent = t('bulk.need'));
    try {
      const r = await call(API + '/feedback/bulk-correction', { method: 'POST', body });
      $('#bulkMsg').textContent = t('bulk.done', { n: r.corrected });
    } catch (e) {
      $('#bulkMsg').textContent = e.message;
    }
    await loadFeedback(false, true);
  });

  async function openEditor(f) {
    const dlg = $('#editor');
    $('#editText').textContent = f.text;
    const model = f.topics.filter((x) => x.source === 'model');
    $('#editModel').textContent = (f.sentiment ? t('s.' + f.sentiment) : '—') + ' · ' + (model.map((x) => topicName(x.topic)).join(', ') || '—') + (f.model_version ? ' (' + f.model_version + ')' : '');
    $('#editForm [name=sentiment]').value = f.human_sentiment || f.sentiment || 'neutral';
    const current = new Set((f.topics.some((x) => x.source === 'human') ? f.topics.filter((x) => x.source === 'human') : model).map((x) => x.topic));
    $('#editTopics').replaceChildren(...state.meta.topics.map((x) => el('label', { class: 'check' }, el('input', Object.assign({ type: 'checkbox', value: x.id }, current.has(x.id) ? { checked: '' } : {})), topicName(x.id))));
    const d = await call(API + '/feedback/' + f.id);
    $('#editAudit').replaceChildren(...(d.audit.length ? d.audit.map(auditLine) : [el('li', { class: 'muted' }, t('nodata'))]));
    dlg.returnValue = '';
    dlg.showModal();
    dlg.onclose = async () => {
      if (dlg.returnValue !== 'save') return;
      const topics = $$('#editTopics input:checked').map((i) => ({ topic: i.value }));
      await call(API + '/feedback/' + f.id + '/correction', { method: 'POST', body: { sentiment: $('#editForm [name=sentiment]').value, topics: topics.length ? topics : [{ topic: 'other' }] } });
      loadFeedback(false, true);
    };
  }
  function auditLine(a) {
    return el('li', {}, el('b', {}, a.actor), ' · ', a.at.slice(0, 19).replace('T', ' '), ' · ', a.action, ': ', describe(a.before), ' → ', describe(a.after));
  }
  function describe(x) {
    if (!x) return '—';
    if ('human_sentiment' in x) return x.human_sentiment ? t('s.' + x.human_sentiment) : '—';
    if (x.topics) return x.topics.map((y) => topicName(y.topic)).join(', ') || '—';
    if ('acknowledged_at' in x) return x.acknowledged_at ? t('alert.acked') : t('alert.open');
    return JSON.stringify(x);
  }
  async function openTranscript(id) {
    const d = await call(API + '/interactions/' + encodeURIComponent(id));
    $('#transcriptBody').replaceChildren(...d.transcript.map((m) => el('div', { class: 'msg ' + m.role }, el('span', { class: 'role' }, t('role.' + m.role) === 'role.' + m.role ? m.role : t('role.' + m.role)), el('span', { class: 'mtext' }, m.text || ''))));
    $('#transcriptDlg').showModal();
  }

  // ---------- quality / audit / privacy ----------
  async function loadQuality() {
    const d = await call(API + '/goldset/metrics');
    // 0-1 from goldSetMetrics, shown as a percentage with one decimal ("—" where undefined, e.g. no predictions)
    const p = (v) => (v === null || v === undefined ? '—' : Math.round(v * 1000) / 10 + '%');
    const table = (id, rows, name) => $(id).replaceChildren(
      el('thead', {}, el('tr', {}, [t('label'), t('precision'), t('recall'), t('f1'), t('support'), 'TP / FP / FN'].map((h) => el('th', {}, h)))),
      el('tbody', {}, rows.length ? rows.map((r) => el('tr', { 'data-label': r.label }, el('td', {}, name(r.label)), el('td', { class: 'num' }, p(r.precision)), el('td', { class: 'num' }, p(r.recall)), el('td', { class: 'num' }, p(r.f1)), el('td', { class: 'num' }, r.support),
        el('td', { class: 'num muted' }, `${r.tp} / ${r.fp} / ${r.fn}`))) : el('tr', {}, el('td', { colspan: 6, class: 'muted' }, t('nodata')))));
    table('#qSent', d.sentiment, (l) => t('s.' + l));
    table('#qTopics', d.topics, topicName);
    $('#qN').textContent = t('q.n', { s: d.n_sentiment, t: d.n_topics });
  }
  async function loadAudit() {
    const d = await call(API + '/audit?limit=200');
    $('#auditTable').replaceChildren(
      el('thead', {}, el('tr', {}, [t('a.at'), t('a.actor'), t('a.action'), t('a.target'), t('a.change')].map((h) => el('th', {}, h)))),
      el('tbody', {}, d.entries.length ? d.entries.map((a) => el('tr', {}, el('td', { class: 'nowrap' }, a.at.slice(0, 19).replace('T', ' ')), el('td', {}, a.actor), el('td', {}, a.action), el('td', {}, a.target_type + ' ' + a.target_id), el('td', {}, describe(a.before) + ' → ' + describe(a.after))))
        : el('tr', {}, el('td', { colspan: 5, class: 'empty-state' }, t('empty.audit')))));
  }
  $('#dsExport').addEventListener('click', async () => {
    const u = $('#dsUser').value.trim();
    if (!u) return;
    const d = await call(API + '/subjects/' + encodeURIComponent(u) + '/export');
    $('#dsOut').textContent = JSON.stringify(d, null, 2);
  });
  $('#dsDelete').addEventListener('click', async () => {
    const u = $('#dsUser').value.trim();
    if (!u || !confirm(t('p.confirm', { u }))) return;
    const d = await call(API + '/subjects/' + encodeURIComponent(u) + '/delete', { method: 'POST', body: { confirm: u } });
    $('#dsOut').textContent = JSON.stringify(d, null, 2);
  });

  // A failed request (404, 400, network) is shown, not swallowed; 401 has already brought back the login form.
  let toastTimer;
  window.addEventListener('unhandledrejection', (ev) => {
    const e = ev.reason;
    if (!e || e.status === 401) return;
    ev.preventDefault();
    const box = $('#toast');
    box.textContent = t('error') + ': ' + (e.message || String(e));
    box.classList.remove('hidden');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => box.classList.add('hidden'), 6000);
  });

  // helpers for the panels in their own files (predicted.js)
  const panelApi = { call, el, t, chart, params, fmt, COLORS };

  // ---------- start ----------
  applyLang();
  if (localStorage.getItem(SESSION_HINT)) call(API + '/me', { noRedirect: true }).then(enter, showLogin);
  else showLogin();
})();
