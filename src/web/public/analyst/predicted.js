/* Analyst workspace: predicted-satisfaction panel (src/indicators/predicted.ts). Customer text only through textContent. */
(function () {
  'use strict';
  const STRINGS = {
    en: {
      'tab.predicted': 'Predicted satisfaction',
      'pr.satisfied': 'Predicted satisfied (all conversations)',
      'pr.surveyed': 'Surveyed CSAT (respondents only)',
      'pr.coverage': 'coverage {c}%',
      'pr.gap': 'Non-response gap',
      'pr.gapSub': 'respondents − non-respondents',
      'pr.spearman': 'Calibration (Spearman)',
      'pr.chart': 'Predicted vs surveyed satisfaction over time',
      'pr.gapTitle': 'Predicted satisfaction of respondents and non-respondents',
      'pr.calTitle': 'Calibration: predicted against surveyed CSAT',
      'pr.lowTitle': 'Lowest predicted, no survey answer',
      'pr.group': 'Group', 'pr.resp': 'Respondents', 'pr.non': 'Non-respondents', 'pr.mean': 'Predicted satisfied %', 'pr.ci': '95% CI',
      'pr.bucket': 'Predicted bucket', 'pr.predPct': 'Mean predicted %', 'pr.survPct': 'Surveyed CSAT %', 'pr.csatMean': 'Mean CSAT (1-5)',
      'pr.when': 'Started', 'pr.channel': 'Channel', 'pr.sat': 'Predicted satisfied', 'pr.open': 'Open transcript',
      'pr.note': 'Predicted figures are a model estimate from the transcript, never mixed into surveyed CSAT. Model: {m}. {nt} ended conversations had no customer text.',
      'pr.weighed': 'weighed most',
      'pr.series.pred': 'Predicted satisfied %', 'pr.series.surv': 'Surveyed CSAT %',
      'pr.none': 'No conversation to show.',
    },
    'zh-CN': {
      'tab.predicted': '预测满意度',
      'pr.satisfied': '预测满意率（全部会话）', 'pr.surveyed': '调查 CSAT（仅作答者）', 'pr.coverage': '覆盖率 {c}%',
      'pr.gap': '未作答差距', 'pr.gapSub': '作答者 − 未作答者', 'pr.spearman': '校准（Spearman）',
      'pr.chart': '预测与调查满意度趋势', 'pr.gapTitle': '作答者与未作答者的预测满意度', 'pr.calTitle': '校准：预测与调查 CSAT 对比',
      'pr.lowTitle': '预测最低且未作答的会话',
      'pr.group': '组别', 'pr.resp': '作答者', 'pr.non': '未作答者', 'pr.mean': '预测满意率 %', 'pr.ci': '95% 置信区间',
      'pr.bucket': '预测区间', 'pr.predPct': '平均预测 %', 'pr.survPct': '调查 CSAT %', 'pr.csatMean': '平均 CSAT（1-5）',
      'pr.when': '开始时间', 'pr.channel': '渠道', 'pr.sat': '预测满意', 'pr.open': '查看对话',
      'pr.note': '预测值是模型根据对话记录得出的估计，从不并入调查 CSAT。模型：{m}。{nt} 个已结束会话没有客户文字。',
      'pr.weighed': '影响最大', 'pr.series.pred': '预测满意率 %', 'pr.series.surv': '调查 CSAT %', 'pr.none': '没有可显示的会话。',
    },
    'zh-TW': {
      'tab.predicted': '預測滿意度',
      'pr.satisfied': '預測滿意率（全部會話）', 'pr.surveyed': '調查 CSAT（僅作答者）', 'pr.coverage': '覆蓋率 {c}%',
      'pr.gap': '未作答差距', 'pr.gapSub': '作答者 − 未作答者', 'pr.spearman': '校準（Spearman）',
      'pr.chart': '預測與調查滿意度趨勢', 'pr.gapTitle': '作答者與未作答者的預測滿意度', 'pr.calTitle': '校準：預測與調查 CSAT 對比',
      'pr.lowTitle': '預測最低且未作答的會話',
      'pr.group': '組別', 'pr.resp': '作答者', 'pr.non': '未作答者', 'pr.mean': '預測滿意率 %', 'pr.ci': '95% 信賴區間',
      'pr.bucket': '預測區間', 'pr.predPct': '平均預測 %', 'pr.survPct': '調查 CSAT %', 'pr.csatMean': '平均 CSAT（1-5）',
      'pr.when': '開始時間', 'pr.channel': '管道', 'pr.sat': '預測滿意', 'pr.open': '查看對話',
      'pr.note': '預測值是模型根據對話紀錄得出的估計，從不併入調查 CSAT。模型：{m}。{nt} 個已結束會話沒有客戶文字。',
      'pr.weighed': '影響最大', 'pr.series.pred': '預測滿意率 %', 'pr.series.surv': '調查 CSAT %', 'pr.none': '沒有可顯示的會話。',
    },
  };
  for (const [lang, s] of Object.entries(STRINGS)) window.I18N[lang] = Object.assign({}, s, window.I18N[lang] || {});

  const ci = (c) => (c ? `${Math.round(c.low * 10) / 10} – ${Math.round(c.high * 10) / 10}` : '—');

  async function open(A, id) {
    const { el, t, call } = A;
    const d = await call('/api/analyst/predicted/' + encodeURIComponent(id));
    const reasons = new Map();
    for (const r of (d.prediction && d.prediction.reasons) || []) for (const tid of r.transcriptIds) reasons.set(tid, r.weight);
    const body = d.transcript.map((m) => {
      const w = reasons.get(m.id);
      const role = t('role.' + m.role) === 'role.' + m.role ? m.role : t('role.' + m.role);
      return el('div', { class: 'msg ' + m.role + (w !== undefined ? ' weigh ' + (w < 0 ? 'neg' : 'pos') : ''), 'data-tid': m.id },
        el('span', { class: 'role' }, role), el('span', { class: 'mtext' }, m.text || ''),
        w !== undefined ? el('span', { class: 'wtag' }, t('pr.weighed') + ' ' + (w > 0 ? '+' : '') + w) : null);
    });
    const p = d.prediction;
    const head = p ? el('p', { class: 'muted pred-head' }, `${t('pr.sat')}: ${Math.round(((p.S['1'] || 0) + (p.S['2'] || 0)) * 1000) / 10}% · S ${p.s_mean} · A ${p.a_mean} · ${p.model}`) : null;
    document.querySelector('#transcriptBody').replaceChildren(...[head, ...body].filter(Boolean));
    document.querySelector('#transcriptDlg').showModal();
  }

  async function load(A) {
    const { el, t, call, chart, params, COLORS, fmt } = A;
    const q = params().toString();
    const d = await call('/api/analyst/predicted?' + q);
    const $ = (s) => document.querySelector(s);
    const k = (key, label, value, sub) => el('div', { class: 'kpi', 'data-kpi': key }, el('div', { class: 'kl' }, label), el('div', { class: 'kv' }, value), el('div', { class: 'ks' }, sub));
    const gap = d.gap.difference;
    $('#prKpis').replaceChildren(
      k('predicted', t('pr.satisfied'), fmt(d.satisfied_pct.value, '%'), `n = ${d.n} · ${t('pr.coverage', { c: d.coverage_pct ?? '—' })}`),
      k('surveyed', t('pr.surveyed'), fmt(d.surveyed.csat_pct, '%'), `n = ${d.surveyed.n} · ${t('pr.coverage', { c: d.surveyed.coverage_pct ?? '—' })}`),
      k('gap', t('pr.gap'), gap === null ? '—' : (gap > 0 ? '+' : '') + gap + ' pt', `${t('pr.gapSub')} · ${t('pr.ci')} ${ci(d.gap.ci)}`),
      k('spearman', t('pr.spearman'), d.calibration.spearman === null ? '—' : String(d.calibration.spearman), `n = ${d.calibration.n}`),
    );
    $('#prNote').textContent = t('pr.note', { m: d.model || '—', nt: d.no_text });
    chart('cPredicted', {
      type: 'line',
      data: {
        labels: d.series.map((s) => s.period),
        datasets: [
          { label: t('pr.series.pred'), data: d.series.map((s) => s.predicted_pct), borderColor: COLORS.violet, backgroundColor: COLORS.violet, borderDash: [6, 4], spanGaps: true },
          { label: t('pr.series.surv'), data: d.series.map((s) => s.surveyed_pct), borderColor: COLORS.blue, backgroundColor: COLORS.blue, spanGaps: true },
        ],
      },
      options: { scales: { y: { min: 0, max: 100 } } },
    });
    const g = d.gap;
    $('#prGap').replaceChildren(
      el('thead', {}, el('tr', {}, [t('pr.group'), 'n', t('pr.mean'), t('pr.ci')].map((h) => el('th', {}, h)))),
      el('tbody', {}, [['resp', g.respondents], ['non', g.non_respondents]].map(([key, s]) =>
        el('tr', { 'data-group': key }, el('td', {}, t('pr.' + key)), el('td', { class: 'num' }, s.n), el('td', { class: 'num' }, fmt(s.value, '%')), el('td', { class: 'num' }, ci(s.ci))))),
    );
    $('#prCal').replaceChildren(
      el('thead', {}, el('tr', {}, [t('pr.bucket'), 'n', t('pr.predPct'), t('pr.survPct'), t('pr.ci'), t('pr.csatMean')].map((h) => el('th', {}, h)))),
      el('tbody', {}, d.calibration.buckets.map((b) =>
        el('tr', { 'data-bucket': b.bucket }, el('td', {}, b.bucket), el('td', { class: 'num' }, b.n), el('td', { class: 'num' }, fmt(b.predicted_pct, '%')),
          el('td', { class: 'num' }, fmt(b.surveyed_pct, '%')), el('td', { class: 'num' }, ci(b.surveyed_ci)), el('td', { class: 'num' }, fmt(b.csat_mean))))),
    );
    $('#prLow').replaceChildren(
      el('thead', {}, el('tr', {}, [t('pr.when'), t('pr.channel'), t('pr.sat'), 'S', 'A', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, d.lowest_unsurveyed.length ? d.lowest_unsurveyed.map((r) =>
        el('tr', { 'data-id': r.interaction_id }, el('td', { class: 'nowrap' }, r.started_at.slice(0, 16).replace('T', ' ')), el('td', {}, r.channel + (r.locale ? ' · ' + r.locale : '')),
          el('td', { class: 'num' }, fmt(r.satisfied_pct, '%')), el('td', { class: 'num' }, r.s_mean), el('td', { class: 'num' }, r.a_mean),
          el('td', {}, el('button', { class: 'link', onclick: () => open(A, r.interaction_id) }, t('pr.open'))))) : el('tr', {}, el('td', { colspan: 6, class: 'muted' }, t('pr.none')))),
    );
    $('#predicted').dataset.query = q; // what is on screen (tests wait on it)
  }

  window.PredictedPanel = { load, open };
})();
