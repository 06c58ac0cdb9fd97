/* Landing page: where to go on a fresh install. */
(function () {
  'use strict';
  var T = {
    en: {
      intro: 'Everything this service offers, in one place.', chat: 'Chat with us', chatHint: 'The customer web chat: ask a question in Chinese or English.',
      agent: 'Agent console', agentHint: 'Take over conversations from the bot and hand them back.', analyst: 'Analyst workspace', analystHint: 'Satisfaction index, NPS, SLA, trends, alerts; review and correct tagged feedback.',
      health: 'Health', healthHint: 'Status of the database and models (JSON).', healthOk: 'Running: database and models OK.', healthBad: 'Degraded: see /healthz.',
      demoTitle: 'Sample accounts (demo only)', demoHint: 'These are the shipped demo passwords. Change them in config/accounts.yaml before real use; this box is shown only in development.',
      user: 'User', role: 'Role', password: 'Password', roles: { agent: 'agent', analyst: 'analyst' }, emulator: 'Bot Framework Emulator / channels:',
    },
    'zh-CN': {
      intro: '本服务的所有入口都在这里。', chat: '在线咨询', chatHint: '客户网页聊天：用中文或英文提问。',
      agent: '人工客服工作台', agentHint: '从机器人手中接管会话，处理完再交还。', analyst: '分析工作台', analystHint: '满意度指数、NPS、SLA、趋势与预警；审核并修正反馈标签。',
      health: '运行状态', healthHint: '数据库和模型的状态（JSON）。', healthOk: '运行中：数据库和模型正常。', healthBad: '部分功能异常：请查看 /healthz。',
      demoTitle: '示例账号（仅供演示）', demoHint: '以下为随附的演示密码。正式使用前请在 config/accounts.yaml 中修改；此提示仅在开发环境显示。',
      user: '用户名', role: '角色', password: '密码', roles: { agent: '客服', analyst: '分析师' }, emulator: 'Bot Framework Emulator / 渠道接入地址：',
    },
    'zh-TW': {
      intro: '本服務的所有入口都在這裡。', chat: '線上諮詢', chatHint: '客戶網頁聊天：用中文或英文提問。',
      agent: '真人客服工作台', agentHint: '從機器人手中接管對話，處理完再交還。', analyst: '分析工作台', analystHint: '滿意度指數、NPS、SLA、趨勢與預警；審核並修正意見標籤。',
      health: '運行狀態', healthHint: '資料庫和模型的狀態（JSON）。', healthOk: '運行中：資料庫和模型正常。', healthBad: '部分功能異常：請查看 /healthz。',
      demoTitle: '範例帳號（僅供示範）', demoHint: '以下為隨附的示範密碼。正式使用前請在 config/accounts.yaml 中修改；此提示僅在開發環境顯示。',
      user: '使用者名稱', role: '角色', password: '密碼', roles: { agent: '客服', analyst: '分析師' }, emulator: 'Bot Framework Emulator / 管道接入位址：',
    },
  };
  var site = null;
  var health = null;
  var lang = window.UI.pickLocale('site.lang');
  var $ = function (id) { return document.getElementById(id); };

  function render() {
    var t = T[lang];
    document.documentElement.lang = lang;
    $('lang').value = lang;
    document.querySelectorAll('[data-i18n]').forEach(function (e) { e.textContent = t[e.dataset.i18n]; });
    if (site) {
      $('name').textContent = site.name[lang];
      document.title = site.name[lang];
      $('intro').textContent = site.greeting[lang];
      $('messagesUrl').textContent = location.origin + '/api/messages';
      $('demo').hidden = !site.demoAccounts.length;
      $('demoRows').replaceChildren.apply($('demoRows'), site.demoAccounts.map(function (a) {
        var tr = document.createElement('tr');
        [a.id, t.roles[a.role] || a.role, a.password].forEach(function (v) { var td = document.createElement('td'); td.textContent = v; tr.append(td); });
        return tr;
      }));
    }
    if (health) {
      $('healthText').textContent = health.status === 'ok' ? t.healthOk : t.healthBad;
      $('healthText').className = health.status === 'ok' ? 'ok' : 'bad';
    }
  }
  $('lang').addEventListener('change', function () {
    lang = $('lang').value;
    localStorage.setItem('site.lang', lang);
    render();
  });
  render();
  fetch('/ui/site.json').then(function (r) { return r.json(); }).then(function (s) {
    site = s;
    document.body.style.setProperty('--primary', s.colors.primary);
    document.body.style.setProperty('--accent', s.colors.accent);
    document.body.style.setProperty('--bg', s.colors.background);
    render();
  });
  fetch('/healthz').then(function (r) { return r.json(); }).then(function (h) { health = h; render(); }, function () {});
})();
