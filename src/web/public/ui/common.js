/* Shared by the web pages (chat, agent console, analyst workspace, landing). Plain JS, no build. */
(function () {
  'use strict';
  var LOCALES = ['zh-CN', 'zh-TW', 'en'];
  // normalizeLocale is injected by the server from src/nlp/locale.ts, so pages and bot agree.
  var normalize = window.normalizeLocale;

  /** ?locale=, then what the user chose before (storageKey), then the browser's languages, then English. */
  function pickLocale(storageKey) {
    var q = new URLSearchParams(location.search).get('locale');
    var stored = null;
    try {
      stored = storageKey ? localStorage.getItem(storageKey) : null;
    } catch (e) {
      stored = null;
    }
    var tries = [q, stored].concat(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);
    for (var i = 0; i < tries.length; i++) {
      var l = normalize(tries[i]);
      if (l) return l;
    }
    return 'en';
  }

  /** Clock time in the page's locale (zh: 21:05, en: 9:05 PM). */
  function time(iso, locale) {
    var d = new Date(iso);
    return isNaN(d) ? '' : d.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
  }
  function dateTime(iso, locale) {
    var d = new Date(iso);
    return isNaN(d) ? '' : d.toLocaleString(locale, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  }

  window.UI = { LOCALES: LOCALES, pickLocale: pickLocale, time: time, dateTime: dateTime };
})();
