// What the pages whose script talks to the API (review.js, import.js) share: the words the
// page carries for its language, elements built with textContent only, numbers in the
// page's language, and an API key kept in this tab's sessionStorage (never a cookie).
window.PageKit = (function () {
  "use strict";
  var lang = document.documentElement.lang === "en" ? "en" : "zh";

  function words(id) { return JSON.parse(document.getElementById(id).textContent); }

  function sayer(table) { return function (key, n) { return table[key].replace("{n}", n); }; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  // A key under ``name`` in this tab's sessionStorage (absent in a private window).
  function keyStore(name) {
    return {
      get: function () { try { return sessionStorage.getItem(name); } catch (e) { return null; } },
      set: function (key) { try { sessionStorage.setItem(name, key); } catch (e) { return; } },
      forget: function () { try { sessionStorage.removeItem(name); } catch (e) { return; } }
    };
  }

  return {
    lang: lang,
    words: words,
    sayer: sayer,
    el: el,
    keyStore: keyStore,
    numbers: new Intl.NumberFormat(lang === "en" ? "en" : "zh-CN", { maximumFractionDigits: 20 })
  };
}());
