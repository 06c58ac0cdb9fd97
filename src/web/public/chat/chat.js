/* The customer chat page: the official Web Chat, branded from config/webchat.yaml, talking to this bot's Direct Line. */
(function () {
  'use strict';
  var KEY = 'satisfaction-bot.chat';
  var UI_TEXT = {
    'zh-CN': { online: '在线 · 通常即时回复', label: '语言', restart: '新对话', agent: '人工客服' },
    'zh-TW': { online: '線上 · 通常即時回覆', label: '語言', restart: '新對話', agent: '真人客服' },
    en: { online: 'Online · usually replies instantly', label: 'Language', restart: 'New chat', agent: 'Agent' },
  };
  var el = document.getElementById('webchat');
  var select = document.getElementById('locale');

  // Web Chat bundles its own React and does not export it; a middleware may still return plain React
  // elements, which are objects of this shape (React 16, the version inside the bundle).
  var REACT_ELEMENT = typeof Symbol === 'function' && Symbol.for ? Symbol.for('react.element') : 0xeac7;
  function h(type, props) {
    var p = Object.assign({}, props);
    var kids = Array.prototype.slice.call(arguments, 2);
    if (kids.length) p.children = kids.length === 1 ? kids[0] : kids;
    return { $$typeof: REACT_ELEMENT, type: type, key: p.key == null ? null : String(p.key), ref: null, props: p, _owner: null };
  }
  /** A message an agent sent through the console: channelData.agent = { id, name, role: 'agent' }. */
  function agentOf(activity) {
    var a = activity && activity.channelData && activity.channelData.agent;
    return a && a.role === 'agent' && typeof a.name === 'string' ? a : null;
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
    return { conversationId: t.conversationId, token: t.token, userId: t.userId, domain: t.domain, ttl: t.expires_in, expiresAt: Date.now() + t.expires_in * 1000, locale: locale, started: false, talked: false };
  }

  async function main() {
    var brand = await (await fetch('/chat/config.json')).json();
    var state = load();
    var locale = (state && state.locale) || window.UI.pickLocale();
    if (!state) state = await newState(locale);
    save(state);
    document.body.style.setProperty('--primary', brand.colors.primary);
    document.body.style.setProperty('--accent', brand.colors.accent);
    document.body.style.setProperty('--bg', brand.colors.background);
    document.getElementById('brandAvatar').src = brand.botAvatar;

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

    var intro = document.getElementById('intro');
    // The greeting and first questions stay until the customer has said something.
    var store = window.WebChat.createStore({}, function () {
      return function (next) {
        return function (action) {
          if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY' && action.payload.activity.from && action.payload.activity.from.role === 'user' && !state.talked) {
            state.talked = true;
            save(state);
            intro.hidden = true;
          }
          return next(action);
        };
      };
    });

    // Agents' messages get the agent's avatar and name instead of the bot's.
    var avatarMiddleware = function () {
      return function (next) {
        return function (args) {
          var agent = agentOf(args.activity);
          if (!agent) return next(args);
          return function () {
            return h('img', { className: 'agent-avatar', src: brand.agentAvatar, alt: agent.name, title: agent.name + ' · ' + UI_TEXT[locale].agent });
          };
        };
      };
    };
    // The status line under an agent's message names them: "Alice · Agent · Just now".
    var activityStatusMiddleware = function () {
      return function (next) {
        return function (args) {
          var status = next(args); // an element, not a render function, for this middleware
          var agent = agentOf(args.activity);
          if (!agent || args.hideTimestamp) return status;
          return h('span', { className: 'agent-status-line' }, h('span', { className: 'agent-status', key: 'who' }, agent.name + ' · ' + UI_TEXT[locale].agent), status ? ' · ' : null, status || null);
        };
      };
    };
    // Web Chat groups consecutive messages by sender role, and the bot and its agents are all "bot":
    // split the groups where the agent changes, so an agent's messages get their own avatar and status.
    var groupActivitiesMiddleware = function () {
      return function (next) {
        return function (args) {
          var groups = next(args);
          var who = function (a) {
            var agent = agentOf(a);
            return agent ? 'agent:' + agent.id : 'bot';
          };
          var split = function (list) {
            var out = [];
            (list || []).forEach(function (group) {
              var run = [];
              group.forEach(function (a) {
                if (run.length && who(run[run.length - 1]) !== who(a)) {
                  out.push(run);
                  run = [];
                }
                run.push(a);
              });
              if (run.length) out.push(run);
            });
            return out;
          };
          return Object.assign({}, groups, { sender: split(groups.sender), status: split(groups.status) });
        };
      };
    };

    function suggestions() {
      var box = document.getElementById('suggestions');
      box.replaceChildren.apply(box, brand.suggestions[locale].map(function (q) {
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = q;
        b.addEventListener('click', function () {
          store.dispatch({ type: 'WEB_CHAT/SEND_MESSAGE', payload: { text: q } });
        });
        return b;
      }));
    }

    function render() {
      var ui = UI_TEXT[locale];
      var c = brand.colors;
      document.documentElement.lang = locale;
      document.title = brand.name[locale];
      document.getElementById('title').textContent = brand.name[locale];
      document.getElementById('subtitle').textContent = ui.online;
      document.getElementById('locale-label').textContent = ui.label;
      document.getElementById('restart').textContent = ui.restart;
      document.getElementById('greeting').textContent = brand.greeting[locale];
      intro.hidden = !!state.talked;
      suggestions();
      select.value = locale;
      window.WebChat.renderWebChat(
        {
          directLine: directLine,
          store: store,
          userID: state.userId,
          locale: locale, // also sets the locale of every activity the customer sends
          avatarMiddleware: avatarMiddleware,
          activityStatusMiddleware: activityStatusMiddleware,
          groupActivitiesMiddleware: groupActivitiesMiddleware,
          styleOptions: {
            rootHeight: '100%',
            accent: c.accent,
            primaryFont: 'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif',
            botAvatarImage: brand.botAvatar,
            botAvatarInitials: ' ', // the image is shown; initials only make room for it
            userAvatarInitials: '', // no "Me" bubble: the customer's messages are on the right in the brand colour
            avatarSize: 36,
            bubbleBackground: '#f1f4f8',
            bubbleBorderColor: '#f1f4f8',
            bubbleBorderRadius: 14,
            bubbleFromUserBackground: c.primary,
            bubbleFromUserBorderColor: c.primary,
            bubbleFromUserTextColor: '#ffffff',
            bubbleFromUserBorderRadius: 14,
            bubbleMaxWidth: 520,
            hideUploadButton: true,
            sendBoxButtonColor: c.primary,
            sendBoxHeight: 52,
            suggestedActionLayout: 'flow',
            suggestedActionBorderColor: c.accent,
            suggestedActionTextColor: c.accent,
            suggestedActionBorderRadius: 16,
            transcriptOverlayButtonBackground: c.primary,
          },
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
    window.chatDemo = { directLine: directLine, state: state, store: store };
  }

  main().catch(function (err) {
    var p = document.getElementById('error');
    p.hidden = false;
    p.textContent = String(err && err.message ? err.message : err);
  });
})();
