/* Demo page: the official Web Chat talking to this bot's self-hosted Direct Line. */
(function () {
  'use strict';
  var KEY = 'satisfaction-bot.chat';
  var UI = {
    'zh-CN': { title: '在线客服', label: '语言', restart: '新对话' },
    'zh-TW': { title: '線上客服', label: '語言', restart: '新對話' },
    en: { title: 'Customer service', label: 'Language', restart: 'New chat' },
  };
  var el = document.getElementById('webchat');
  var select = document.getElementById('locale');

  function pickLocale() {
    var q = new URLSearchParams(location.search).get('locale');
    var l = q || navigator.language || 'en';
    if (/^zh-(TW|HK|MO|Hant)/i.test(l)) return 'zh-TW';
    if (/^zh/i.test(l)) return 'zh-CN';
    return 'en';
  }

  function load() {
    try {
      var s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
      // A token about to expire cannot resume; start over instead.
      return s && s.expiresAt > Date.now() + 10000 ? s : null;
    } catch (e) {
      return null;
    }
  }
  function save(state) {
    sessionStorage.setItem(KEY, JSON.stringify(state));
  }

  async function newState(locale) {
    var r = await fetch('/chat/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    if (!r.ok) throw new Error('token request failed: ' + r.status);
    var t = await r.json();
    return { conversationId: t.conversationId, token: t.token, userId: t.userId, domain: t.domain, ttl: t.expires_in, expiresAt: Date.now() + t.expires_in * 1000, locale: locale, started: false };
  }

  async function main() {
    var state = load();
    var locale = (state && state.locale) || pickLocale();
    if (!state) state = await newState(locale);
    save(state);

    // Resuming passes the conversation id: directlinejs reconnects and the whole history is replayed.
    var directLine = window.WebChat.createDirectLine({
      domain: location.origin + state.domain,
      token: state.token,
      conversationId: state.started ? state.conversationId : undefined,
      conversationStartProperties: { locale: locale },
    });
    directLine.connectionStatus$.subscribe(function (s) {
      if (s === 2 && !state.started) {
        state.started = true;
        save(state);
      }
    });
    // directlinejs refreshes the token itself; keep the newest one for a reload.
    setInterval(function () {
      if (directLine.token && directLine.token !== state.token) {
        state.token = directLine.token;
        state.expiresAt = Date.now() + state.ttl * 1000;
        save(state);
      }
    }, 5000);

    function render() {
      var ui = UI[locale];
      document.documentElement.lang = locale;
      document.getElementById('title').textContent = ui.title;
      document.getElementById('locale-label').textContent = ui.label;
      document.getElementById('restart').textContent = ui.restart;
      select.value = locale;
      window.WebChat.renderWebChat(
        {
          directLine: directLine,
          userID: state.userId,
          locale: locale, // also sets the locale of every activity the customer sends
          styleOptions: { hideUploadButton: true, botAvatarInitials: 'Bot', userAvatarInitials: 'Me', suggestedActionLayout: 'flow' },
          // Rating buttons side by side (0-10 would otherwise stack eleven rows high).
          adaptiveCardsHostConfig: {
            actions: { actionsOrientation: 'horizontal', actionAlignment: 'stretch', buttonSpacing: 4, maxActions: 12, spacing: 'small', showCard: { actionMode: 'inline' } },
          },
        },
        el,
      );
    }
    select.addEventListener('change', function () {
      locale = select.value;
      state.locale = locale;
      save(state);
      render();
    });
    document.getElementById('restart').addEventListener('click', function () {
      sessionStorage.removeItem(KEY);
      location.reload();
    });
    render();
    window.chatDemo = { directLine: directLine, state: state };
  }

  main().catch(function (err) {
    var p = document.getElementById('error');
    p.hidden = false;
    p.textContent = String(err && err.message ? err.message : err);
  });
})();
