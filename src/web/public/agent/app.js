// Agent console. Plain JS, no build. Customer text is only ever inserted with textContent.
'use strict';

const I18N = {
  en: {
    title: 'Agent console', login: 'Log in', username: 'Username', password: 'Password', loginButton: 'Log in', logout: 'Log out',
    mine: 'My conversations', queue: 'Waiting', pick: 'Pick a conversation from the list.', accept: 'Accept', transfer: 'Transfer',
    resolve: 'Resolve', send: 'Send', replyPlaceholder: 'Type a reply to the customer…', lastMatches: "Bot's last matches",
    surveys: 'Survey answers', feedback: 'Feedback tags', notes: 'Notes', addNote: 'Add note', notePlaceholder: 'Internal note (not sent)',
    badLogin: 'Wrong username or password.', locked: 'Too many attempts, try again later.', none: 'none', waited: 'waiting', estimate: 'Estimated wait',
    complaint: 'complaint', roles: { customer: 'Customer', bot: 'Bot', agent: 'Agent', system: 'System' }, queued: 'queued', assigned: 'assigned',
    taken: 'Another agent took this conversation.', failed: 'Action failed', live: 'Live updates on', offline: 'Reconnecting…', reasons: { asked: 'asked for a person', low_confidence: 'bot unsure twice', complaint: 'complaint', recovery: 'after negative feedback' },
  },
  zh: {
    title: '人工客服工作台', login: '登录', username: '用户名', password: '密码', loginButton: '登录', logout: '退出',
    mine: '我的会话', queue: '排队中', pick: '请从左侧选择一个会话。', accept: '接入', transfer: '转接', resolve: '结束并邀评',
    send: '发送', replyPlaceholder: '输入回复内容…', lastMatches: '机器人最近的匹配', surveys: '满意度回答', feedback: '反馈标签',
    notes: '备注', addNote: '添加备注', notePlaceholder: '内部备注（不发送给客户）', badLogin: '用户名或密码错误。', locked: '尝试次数过多，请稍后再试。',
    none: '无', waited: '已等待', estimate: '预计等待', complaint: '投诉', roles: { customer: '客户', bot: '机器人', agent: '客服', system: '系统' },
    queued: '排队中', assigned: '已接入', taken: '该会话已被其他客服接入。', failed: '操作失败', live: '实时更新已连接', offline: '正在重新连接…',
    reasons: { asked: '客户要求人工', low_confidence: '机器人两次无法回答', complaint: '投诉', recovery: '负面反馈后' },
  },
};

const $ = (id) => document.getElementById(id);
const state = { lang: localStorage.getItem('agentLang') || ((navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en'), csrf: '', me: null, current: null, items: null, detail: null, es: null };
const L = () => I18N[state.lang];

function applyLang() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = L()[el.dataset.i18n];
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = L()[el.dataset.i18nPlaceholder];
  document.title = L().title;
  $('lang').textContent = state.lang === 'zh' ? 'English' : '中文';
  renderQueue();
  if (state.detail) renderDetail();
}

async function api(path, body) {
  const init = { credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['content-type'] = 'application/json';
    init.headers['x-csrf-token'] = state.csrf;
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) showLogin();
  return res;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function fmtWait(s) {
  s = Math.max(0, Math.round(s));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

function showLogin() {
  state.me = null;
  if (state.es) state.es.close();
  $('console').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login').hidden = false;
}

async function showConsole(account, csrf) {
  state.me = account;
  state.csrf = csrf;
  $('login').hidden = true;
  $('console').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = account.name;
  const agents = await (await api('/api/agent/agents')).json();
  const sel = $('transferTo');
  sel.replaceChildren(...agents.agents.filter((a) => a.id !== account.id).map((a) => { const o = el('option', a.name); o.value = a.id; return o; }));
  connect();
  await refreshQueue();
}

function connect() {
  if (state.es) state.es.close();
  const es = new EventSource('/api/agent/events');
  state.es = es;
  es.addEventListener('hello', () => ($('stream').textContent = L().live));
  es.onerror = () => ($('stream').textContent = L().offline);
  es.addEventListener('queue', () => refreshQueue());
  es.addEventListener('assigned', () => refreshQueue());
  es.addEventListener('closed', (e) => {
    const d = JSON.parse(e.data);
    refreshQueue();
    if (state.current === d.handoffId) openConversation(d.handoffId);
  });
  es.addEventListener('message', (e) => {
    const d = JSON.parse(e.data);
    if (state.current === d.handoffId && state.detail) {
      state.detail.transcript.push({ role: d.role, text: d.text, at: d.at });
      renderTranscript();
    }
    refreshQueue();
  });
}

async function refreshQueue() {
  if (!state.me) return;
  const res = await api('/api/agent/queue');
  if (!res.ok) return;
  const q = await res.json();
  state.loadedAt = Date.now();
  state.items = { queue: q.queue, mine: q.mine, estimate: q.estimatedWaitSeconds };
  renderQueue();
}

function renderQueue() {
  if (!state.items || !state.items.queue) return;
  const since = (Date.now() - state.loadedAt) / 1000;
  const item = (h) => {
    const li = el('li');
    li.dataset.id = h.id;
    if (h.id === state.current) li.classList.add('active');
    const head = el('span');
    if (h.priority > 0) head.append(el('span', `${L().complaint} · `, 'prio'));
    head.append(document.createTextNode(`#${h.id} · ${h.locale || '?'} · ${L().reasons[h.reason] || h.reason}`));
    li.append(head, el('span', `${L().waited} ${fmtWait(h.waitSeconds + (h.status === 'queued' ? since : 0))}`, 'muted wait'), el('span', h.lastCustomerText, 'preview'));
    li.addEventListener('click', () => openConversation(h.id));
    return li;
  };
  $('queue').replaceChildren(...state.items.queue.map(item));
  $('mine').replaceChildren(...state.items.mine.map(item));
  $('queueCount').textContent = String(state.items.queue.length);
  $('estimate').textContent = `${L().estimate}: ${fmtWait(state.items.estimate)}`;
}
setInterval(renderQueue, 1000);

async function openConversation(id) {
  state.current = id;
  $('actionError').textContent = '';
  const res = await api(`/api/agent/conversations/${id}`);
  if (!res.ok) {
    state.detail = null;
    $('detail').hidden = true;
    $('empty').hidden = false;
    if (res.status === 403) $('empty').textContent = L().taken;
    await refreshQueue();
    return;
  }
  state.detail = await res.json();
  renderDetail();
  renderQueue();
}

function renderTranscript() {
  const ol = $('transcript');
  ol.replaceChildren(...state.detail.transcript.map((r) => {
    const li = el('li', null, r.role);
    li.append(el('span', `${L().roles[r.role] || r.role} · ${new Date(r.at).toLocaleTimeString()}`, 'who'), el('span', r.text));
    return li;
  }));
  ol.scrollTop = ol.scrollHeight;
}

function renderDetail() {
  const d = state.detail;
  $('empty').hidden = true;
  $('detail').hidden = false;
  $('convTitle').textContent = `#${d.handoff.id} · ${d.interaction.locale || '?'}`;
  $('convMeta').textContent = `${d.interaction.channel} · ${L().reasons[d.handoff.reason] || d.handoff.reason} · ${L()[d.handoff.status] || d.handoff.status}`;
  const mine = d.handoff.status === 'assigned';
  $('accept').disabled = mine;
  for (const id of ['transfer', 'resolve', 'send', 'replyText', 'transferTo']) $(id).disabled = !mine;
  renderTranscript();
  const list = (ulId, rows, fmt) => $(ulId).replaceChildren(...(rows.length ? rows.map((r) => el('li', fmt(r))) : [el('li', L().none, 'muted')]));
  list('matches', d.lastMatches ? d.lastMatches.top : [], (m) => `${m.id} (${Number(m.score).toFixed(2)})`);
  list('surveys', d.surveys.filter((s) => s.item), (s) => `${s.trigger} · ${s.item}: ${s.valueText != null ? s.valueText : s.value}`);
  list('feedback', d.feedback, (f) => `${f.sentiment || '?'} · ${f.topics || '-'} · ${f.text}`);
  list('notes', d.notes, (n) => `${n.agentId}: ${n.text}`);
}

async function action(path, body) {
  $('actionError').textContent = '';
  const res = await api(path, body);
  if (!res.ok) {
    const err = await res.json().catch(() => ({}));
    $('actionError').textContent = res.status === 409 ? L().taken : `${L().failed}: ${err.error || res.status}`;
  }
  return res;
}

$('accept').addEventListener('click', async () => {
  await action(`/api/agent/conversations/${state.current}/accept`, {});
  await openConversation(state.current);
});
$('transfer').addEventListener('click', async () => {
  const res = await action(`/api/agent/conversations/${state.current}/transfer`, { to: $('transferTo').value });
  if (res.ok) { state.current = null; state.detail = null; $('detail').hidden = true; $('empty').hidden = false; await refreshQueue(); }
});
$('resolve').addEventListener('click', async () => {
  const res = await action(`/api/agent/conversations/${state.current}/resolve`, {});
  if (res.ok) await openConversation(state.current);
});
$('reply').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('replyText').value.trim();
  if (!text) return;
  const res = await action(`/api/agent/conversations/${state.current}/messages`, { text });
  if (res.ok) $('replyText').value = '';
});
$('replyText').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('reply').requestSubmit(); }
});
$('noteForm').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('noteText').value.trim();
  if (!text) return;
  const res = await action(`/api/agent/conversations/${state.current}/note`, { text });
  if (res.ok) { $('noteText').value = ''; await openConversation(state.current); }
});
$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('loginError').textContent = '';
  const res = await fetch('/api/agent/login', {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: $('username').value, password: $('password').value }),
  });
  if (!res.ok) { $('loginError').textContent = res.status === 429 ? L().locked : L().badLogin; return; }
  const body = await res.json();
  $('password').value = '';
  await showConsole(body.account, body.csrf);
});
$('logout').addEventListener('click', async () => {
  await api('/api/agent/logout', {});
  showLogin();
});
$('lang').addEventListener('click', () => {
  state.lang = state.lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('agentLang', state.lang);
  applyLang();
});

(async () => {
  applyLang();
  const res = await fetch('/api/agent/me', { credentials: 'same-origin' });
  if (res.ok) {
    const me = await res.json();
    await showConsole(me.account, me.csrf);
  } else showLogin();
})();
