// Agent console. Plain JS, no build. Customer text is only ever inserted with textContent.
'use strict';

const I18N = {
  en: {
    title: 'Agent console', login: 'Log in', username: 'Username', password: 'Password', loginButton: 'Log in', logout: 'Log out',
    mine: 'My conversations', queue: 'Waiting', pick: 'Pick a conversation from the list on the left. Waiting customers appear there as they ask for a person.',
    mineEmpty: 'No conversations yet. Accept a waiting customer below and it will show here.',
    queueEmpty: 'Nobody is waiting. New requests appear here on their own.',
    accept: 'Accept', transfer: 'Transfer', resolve: 'Resolve', send: 'Send', replyPlaceholder: 'Type a reply to the customer…',
    acceptFirst: 'Accept the conversation to reply.', lastMatches: "Bot's last matches", surveys: 'Survey answers', feedback: 'Feedback tags',
    notes: 'Notes', addNote: 'Add note', notePlaceholder: 'Internal note (not sent)', badLogin: 'Wrong username or password.',
    locked: 'Too many attempts, try again later.', none: 'none', waited: 'waiting {t}', told: 'told about {m} min',
    estimate: 'A customer asking now would be told: about {m} min.', complaint: 'complaint',
    roles: { customer: 'Customer', bot: 'Bot', agent: 'Agent', system: 'System' },
    status: { queued: 'waiting', assigned: 'assigned to you', external: 'with an external agent', resolved: 'resolved', cancelled: 'cancelled' },
    taken: 'Another agent took this conversation.', failed: 'Action failed', live: 'Live updates on', offline: 'Reconnecting…',
    reasons: { asked: 'asked for a person', low_confidence: 'bot unsure twice', complaint: 'complaint', recovery: "accepted the survey's offer of a person" },
    channels: { directline: 'web chat', webchat: 'web chat', emulator: 'Emulator', msteams: 'Teams', line: 'LINE', wechat: 'WeChat', telegram: 'Telegram', test: 'test' },
    locales: { 'zh-CN': 'Simplified Chinese', 'zh-TW': 'Traditional Chinese', en: 'English' },
    thisConversation: 'This conversation · {channel} · {at}', earlier: 'Earlier · {channel} · {at}',
    surveyLine: 'Survey ({trigger}): {answers}', surveyNone: 'Survey ({trigger}): no answers', tagLine: 'Tags: {sentiment} · {topics}',
    triggers: { goodbye: 'after goodbye', resolved_confirmed: 'after a solved question', idle_timeout: 'after idle', agent_resolved: 'after an agent' },
    sentiments: { positive: 'positive', neutral: 'neutral', negative: 'negative' },
    resolvedSurvey: 'Resolved. The customer got your closing message and the satisfaction survey.',
    resolvedNoSurvey: 'Resolved. The customer got your closing message; no survey: {reason}.',
    resolvedNoClosing: 'Resolved, but the closing message could not be delivered (the customer may have left).',
    closed: 'This conversation is {status}.',
    skip: {
      cooldown: 'this customer was surveyed recently (cool-down)', already_surveyed: 'this conversation already had a survey',
      test_traffic: 'test traffic', too_few_turns: 'too few customer messages', channel_not_allowed: 'the channel does not allow proactive messages',
      interaction_ended: 'the conversation had already ended', unknown_interaction: 'conversation not found', not_started: 'the survey could not start', error: 'an error (see the server log)',
    },
    secs: '{s}s', mins: '{m}m {s}s',
  },
  'zh-CN': {
    title: '人工客服工作台', login: '登录', username: '用户名', password: '密码', loginButton: '登录', logout: '退出',
    mine: '我的会话', queue: '排队中', pick: '请从左侧列表选择一个会话。客户要求人工时会自动出现在“排队中”。',
    mineEmpty: '暂无会话。在下方“排队中”接入一位客户后，会话会显示在这里。',
    queueEmpty: '当前无人排队，新的请求会自动出现在这里。',
    accept: '接入', transfer: '转接', resolve: '结束并邀评', send: '发送', replyPlaceholder: '输入回复内容…',
    acceptFirst: '接入会话后才能回复。', lastMatches: '机器人最近的匹配', surveys: '满意度回答', feedback: '反馈标签',
    notes: '备注', addNote: '添加备注', notePlaceholder: '内部备注（不发送给客户）', badLogin: '用户名或密码错误。',
    locked: '尝试次数过多，请稍后再试。', none: '无', waited: '已等待 {t}', told: '已告知约 {m} 分钟',
    estimate: '现在提出请求的客户会被告知：预计等待约 {m} 分钟。', complaint: '投诉',
    roles: { customer: '客户', bot: '机器人', agent: '客服', system: '系统' },
    status: { queued: '排队中', assigned: '已由您接入', external: '外部客服处理中', resolved: '已结束', cancelled: '已取消' },
    taken: '该会话已被其他客服接入。', failed: '操作失败', live: '实时更新已连接', offline: '正在重新连接…',
    reasons: { asked: '客户要求人工', low_confidence: '机器人两次无法回答', complaint: '投诉', recovery: '接受了问卷中的人工服务提议' },
    channels: { directline: '网页聊天', webchat: '网页聊天', emulator: '模拟器', msteams: 'Teams', line: 'LINE', wechat: '微信', telegram: 'Telegram', test: '测试' },
    locales: { 'zh-CN': '简体中文', 'zh-TW': '繁体中文', en: '英文' },
    thisConversation: '本次会话 · {channel} · {at}', earlier: '之前的会话 · {channel} · {at}',
    surveyLine: '问卷（{trigger}）：{answers}', surveyNone: '问卷（{trigger}）：未作答', tagLine: '标签：{sentiment} · {topics}',
    triggers: { goodbye: '道别后', resolved_confirmed: '问题解决后', idle_timeout: '闲置后', agent_resolved: '人工服务后' },
    sentiments: { positive: '正面', neutral: '中性', negative: '负面' },
    resolvedSurvey: '已结束。客户已收到结束语和满意度问卷。',
    resolvedNoSurvey: '已结束。客户已收到结束语；未发送问卷：{reason}。',
    resolvedNoClosing: '已结束，但结束语未能送达（客户可能已离开）。',
    closed: '该会话{status}。',
    skip: {
      cooldown: '该客户近期已填写过问卷（冷却期内）', already_surveyed: '本次会话已做过问卷', test_traffic: '测试流量',
      too_few_turns: '客户消息太少', channel_not_allowed: '该渠道不允许主动消息', interaction_ended: '会话此前已结束',
      unknown_interaction: '找不到会话', not_started: '问卷未能启动', error: '出错（见服务器日志）',
    },
    secs: '{s} 秒', mins: '{m} 分 {s} 秒',
  },
  'zh-TW': {
    title: '真人客服工作台', login: '登入', username: '使用者名稱', password: '密碼', loginButton: '登入', logout: '登出',
    mine: '我的對話', queue: '排隊中', pick: '請從左側清單選擇一個對話。客戶要求真人客服時會自動出現在「排隊中」。',
    mineEmpty: '目前沒有對話。在下方「排隊中」接入一位客戶後，對話會顯示在這裡。',
    queueEmpty: '目前無人排隊，新的請求會自動出現在這裡。',
    accept: '接入', transfer: '轉接', resolve: '結束並邀評', send: '傳送', replyPlaceholder: '輸入回覆內容…',
    acceptFirst: '接入對話後才能回覆。', lastMatches: '機器人最近的比對', surveys: '滿意度回答', feedback: '意見標籤',
    notes: '備註', addNote: '新增備註', notePlaceholder: '內部備註（不傳送給客戶）', badLogin: '使用者名稱或密碼錯誤。',
    locked: '嘗試次數過多，請稍後再試。', none: '無', waited: '已等待 {t}', told: '已告知約 {m} 分鐘',
    estimate: '現在提出請求的客戶會被告知：預計等待約 {m} 分鐘。', complaint: '投訴',
    roles: { customer: '客戶', bot: '機器人', agent: '客服', system: '系統' },
    status: { queued: '排隊中', assigned: '已由您接入', external: '外部客服處理中', resolved: '已結束', cancelled: '已取消' },
    taken: '此對話已被其他客服接入。', failed: '操作失敗', live: '即時更新已連線', offline: '正在重新連線…',
    reasons: { asked: '客戶要求真人客服', low_confidence: '機器人兩次無法回答', complaint: '投訴', recovery: '接受了問卷中的真人服務提議' },
    channels: { directline: '網頁聊天', webchat: '網頁聊天', emulator: '模擬器', msteams: 'Teams', line: 'LINE', wechat: '微信', telegram: 'Telegram', test: '測試' },
    locales: { 'zh-CN': '簡體中文', 'zh-TW': '繁體中文', en: '英文' },
    thisConversation: '本次對話 · {channel} · {at}', earlier: '先前的對話 · {channel} · {at}',
    surveyLine: '問卷（{trigger}）：{answers}', surveyNone: '問卷（{trigger}）：未作答', tagLine: '標籤：{sentiment} · {topics}',
    triggers: { goodbye: '道別後', resolved_confirmed: '問題解決後', idle_timeout: '閒置後', agent_resolved: '真人服務後' },
    sentiments: { positive: '正面', neutral: '中性', negative: '負面' },
    resolvedSurvey: '已結束。客戶已收到結束語和滿意度問卷。',
    resolvedNoSurvey: '已結束。客戶已收到結束語；未傳送問卷：{reason}。',
    resolvedNoClosing: '已結束，但結束語未能送達（客戶可能已離開）。',
    closed: '此對話{status}。',
    skip: {
      cooldown: '此客戶近期已填寫過問卷（冷卻期內）', already_surveyed: '本次對話已做過問卷', test_traffic: '測試流量',
      too_few_turns: '客戶訊息太少', channel_not_allowed: '此管道不允許主動訊息', interaction_ended: '對話先前已結束',
      unknown_interaction: '找不到對話', not_started: '問卷未能啟動', error: '發生錯誤（見伺服器日誌）',
    },
    secs: '{s} 秒', mins: '{m} 分 {s} 秒',
  },
};

const SESSION_HINT = 'agent.session'; // set after a login: only then is /me worth asking (no 401 in the console on a first visit)
const $ = (id) => document.getElementById(id);
const state = { lang: UI.pickLocale('agent.lang'), csrf: '', me: null, current: null, items: null, detail: null, es: null, resolved: {} };
const L = () => I18N[state.lang];
const fill = (s, v) => s.replace(/\{(\w+)\}/g, (m, k) => (v && k in v ? String(v[k]) : m));
const label = (table, key) => (key && L()[table][key]) || key || '?';

function applyLang() {
  document.documentElement.lang = state.lang;
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = L()[e.dataset.i18n];
  for (const e of document.querySelectorAll('[data-i18n-placeholder]')) e.placeholder = L()[e.dataset.i18nPlaceholder];
  document.title = L().title;
  $('lang').value = state.lang;
  if (state.es) $('stream').textContent = state.es.readyState === 1 ? L().live : L().offline;
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
  return s < 60 ? fill(L().secs, { s }) : fill(L().mins, { m: Math.floor(s / 60), s: String(s % 60).padStart(2, '0') });
}

function showLogin() {
  state.me = null;
  localStorage.removeItem(SESSION_HINT);
  if (state.es) state.es.close();
  state.es = null;
  $('console').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login').hidden = false;
}

async function showConsole(account, csrf) {
  state.me = account;
  state.csrf = csrf;
  localStorage.setItem(SESSION_HINT, '1');
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
      const cur = state.detail.history.find((i) => i.current);
      if (cur) cur.transcript.push({ role: d.role, text: d.text, at: d.at });
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
  state.items = q;
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
    head.append(document.createTextNode(`#${h.id} · ${label('locales', h.locale)} · ${label('reasons', h.reason)}`));
    const wait = fill(L().waited, { t: fmtWait(h.waitSeconds + (h.status === 'queued' ? since : 0)) });
    li.append(head, el('span', h.estimatedWaitMinutes ? `${wait} · ${fill(L().told, { m: h.estimatedWaitMinutes })}` : wait, 'muted wait'), el('span', h.lastCustomerText, 'preview'));
    li.addEventListener('click', () => openConversation(h.id));
    return li;
  };
  const { queue, mine } = state.items;
  $('queue').replaceChildren(...queue.map(item));
  $('queueEmpty').hidden = queue.length > 0;
  $('mine').replaceChildren(...mine.map(item));
  $('mineEmpty').hidden = mine.length > 0;
  $('queueCount').textContent = String(queue.length);
  // One estimate: the same minutes the customer is told (nothing shown with nobody waiting but the empty state).
  $('estimate').textContent = queue.length ? fill(L().estimate, { m: state.items.estimatedWaitMinutes }) : '';
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
    $('empty').textContent = res.status === 403 ? L().taken : L().pick;
    await refreshQueue();
    return;
  }
  state.detail = await res.json();
  renderDetail();
  renderQueue();
}

const answerText = (a) => `${a.item} ${a.valueText != null ? a.valueText : a.value}`;
function surveyText(s) {
  const trigger = label('triggers', s.trigger);
  return s.answers.length ? fill(L().surveyLine, { trigger, answers: s.answers.map(answerText).join(' · ') }) : fill(L().surveyNone, { trigger });
}
const tagText = (f) => fill(L().tagLine, { sentiment: label('sentiments', f.sentiment), topics: f.topics.join(', ') || '-' }) + ` — ${f.text}`;

/** The customer's recent interactions, oldest first, each with its survey and tags; the current one last. */
function renderTranscript() {
  const ol = $('transcript');
  const rows = [];
  for (const i of state.detail.history) {
    const head = fill(i.current ? L().thisConversation : L().earlier, { channel: label('channels', i.channel), at: UI.dateTime(i.startedAt, state.lang) });
    rows.push(el('li', head, 'divider'));
    for (const r of i.transcript) {
      const li = el('li', null, r.role + (i.current ? '' : ' earlier'));
      li.append(el('span', `${L().roles[r.role] || r.role} · ${UI.time(r.at, state.lang)}`, 'who'), el('span', r.text));
      rows.push(li);
    }
    for (const s of i.surveys) rows.push(el('li', surveyText(s), 'survey'));
    for (const f of i.feedback) rows.push(el('li', tagText(f), 'survey'));
  }
  ol.replaceChildren(...rows);
  ol.scrollTop = ol.scrollHeight;
}

function renderDetail() {
  const d = state.detail;
  const h = d.handoff;
  $('empty').hidden = true;
  $('detail').hidden = false;
  $('convTitle').textContent = `#${h.id} · ${label('locales', d.interaction.locale)}`;
  $('convMeta').textContent = `${label('channels', d.interaction.channel)} · ${label('reasons', h.reason)} · ${label('status', h.status)}`;
  // Buttons for what can be done in this state, and nothing else.
  const mine = h.status === 'assigned' && h.agentId === (state.me && state.me.id);
  $('accept').hidden = h.status !== 'queued';
  for (const id of ['transfer', 'transferTo', 'resolve']) $(id).hidden = !mine;
  $('transfer').disabled = !$('transferTo').options.length;
  $('reply').hidden = !mine && h.status !== 'queued';
  $('send').disabled = !mine;
  $('replyText').disabled = !mine;
  $('replyText').placeholder = mine ? L().replyPlaceholder : L().acceptFirst;
  const note = $('statusNote');
  const r = state.resolved[h.id];
  note.classList.toggle('warn', !!r && (!r.surveyStarted || !r.closingSent));
  if (r && h.status === 'resolved') note.textContent = !r.closingSent ? L().resolvedNoClosing : r.surveyStarted ? L().resolvedSurvey : fill(L().resolvedNoSurvey, { reason: label('skip', r.surveySkipped) });
  else if (!mine && h.status !== 'queued') note.textContent = fill(L().closed, { status: label('status', h.status) });
  else note.textContent = '';
  note.hidden = !note.textContent;
  renderTranscript();
  const list = (ulId, rows, fmt) => $(ulId).replaceChildren(...(rows.length ? rows.map((x) => el('li', fmt(x))) : [el('li', L().none, 'muted')]));
  // A 0.00 "match" is no match: only candidates with a score are worth the agent's attention.
  list('matches', d.lastMatches ? d.lastMatches.top.filter((m) => Number(m.score) >= 0.005) : [], (m) => `${m.id} (${Number(m.score).toFixed(2)})`);
  list('surveys', d.history.flatMap((i) => i.surveys), surveyText);
  list('feedback', d.history.flatMap((i) => i.feedback), tagText);
  list('notes', d.notes, (n) => `${n.agentId} · ${UI.time(n.at, state.lang)}: ${n.text}`);
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
  const id = state.current;
  const res = await action(`/api/agent/conversations/${id}/resolve`, {});
  if (res.ok) state.resolved[id] = await res.json();
  await openConversation(id);
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
$('lang').addEventListener('change', () => {
  state.lang = $('lang').value;
  localStorage.setItem('agent.lang', state.lang);
  applyLang();
});

(async () => {
  applyLang();
  if (!localStorage.getItem(SESSION_HINT)) return showLogin();
  const res = await fetch('/api/agent/me', { credentials: 'same-origin' });
  if (res.ok) {
    const me = await res.json();
    await showConsole(me.account, me.csrf);
  } else showLogin();
})();
