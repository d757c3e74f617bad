/* mamori consent banner. Plain JavaScript: no dependencies, no requests to anyone but mamori.
   Embed: <script src="https://MAMORI/consent/banner.js" data-site="SITE" defer></script>
   Tagged content waits for consent: <script type="text/plain" data-category="analytics" src="..."></script>,
   <iframe data-src="..." data-category="advertising"></iframe>. Docs: docs/consent.md */
(function (w, d, nav) {
  "use strict";
  var me = d.currentScript;
  if (!me || w.mamoriConsent) return;
  var base = new URL(me.src, location.href).origin;
  var site = me.getAttribute("data-site");
  var subject = me.getAttribute("data-subject") || undefined;
  var NAME = "mamori_consent";
  var SIGNALS = ["ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
    "functionality_storage", "personalization_storage", "security_storage"];
  var CSS = "__CSS__";
  var cfg, T, ui, lang, state, cats = {}, box, note, lastFocus, gpc = false;

  function now() { return Math.floor(Date.now() / 1000); }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  /* UUIDv7 (RFC 9562): the choice's time in ms, then random bits. The ledger files it by month. */
  function uuid() {
    var b = w.crypto.getRandomValues(new Uint8Array(16)), h = "", t = Date.now();
    for (var i = 5; i >= 0; i--) { b[i] = t % 256; t = Math.floor(t / 256); }
    b[6] = (b[6] & 15) | 112; b[8] = (b[8] & 63) | 128;
    for (i = 0; i < 16; i++) h += (b[i] + 256).toString(16).slice(1);
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function gtag() {
    if (typeof w.gtag === "function") w.gtag.apply(w, arguments);
    else (w.dataLayer = w.dataLayer || []).push(arguments);
  }

  /* ---- the stored choice: a first-party cookie {id, v, c, t, m, s} */
  function read() {
    var m = d.cookie.match(new RegExp("(?:^|; )" + NAME + "=([^;]*)"));
    try { return m ? JSON.parse(decodeURIComponent(m[1])) : null; } catch (e) { return null; }
  }
  function write() {
    d.cookie = NAME + "=" + encodeURIComponent(JSON.stringify(state)) + "; path=/; max-age=" +
      (cfg.days + 30) * 86400 + "; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }
  function fresh(id) { return { id: id || uuid(), v: cfg.version, c: {}, t: 0, m: "", s: cfg.site }; }
  function granted(id) { var k = cats[id]; return !!k && (k.essential || !!state.c[id]); }
  function choices() {
    var out = {};
    cfg.categories.forEach(function (k) { out[k.id] = granted(k.id); });
    return out;
  }

  /* ---- posting. The event id makes a repeat harmless, so an event the server did not take (network
     error, 5xx, 429) is kept in localStorage and sent again: with backoff on this page, and on the next
     page if this one closed first. A definite answer (2xx, or a 4xx other than 429) ends it. */
  var QUEUE = "mamori_pending";
  function queue(list) {
    try {
      if (list) w.localStorage.setItem(QUEUE, JSON.stringify(list));
      else return JSON.parse(w.localStorage.getItem(QUEUE) || "[]");
    } catch (e) { return list || []; }
  }
  function unqueue(id) { queue(queue().filter(function (b) { return b.id !== id; })); }
  function send(body, tries) {
    function again(wait) {
      if (tries < 6) setTimeout(function () { send(body, tries + 1); }, wait || 500 * Math.pow(2, tries));
    }
    try {
      w.fetch(base + cfg.events, { method: "POST", body: JSON.stringify(body), keepalive: true, credentials: "omit",
        headers: { "Content-Type": "text/plain" } }).then(function (r) {
        if (r.status < 500 && r.status !== 429) return unqueue(body.id);
        again(1000 * (parseInt(r.headers.get("Retry-After"), 10) || 0));
      }, function () { again(); });
    } catch (e) { again(); }
  }
  function post(method) {
    var body = { id: uuid(), site: cfg.site, device: state.id, version: state.v, hash: cfg.hash[lang], lang: lang,
      choices: choices(), method: method, gpc: gpc, subject: subject };
    queue(queue().concat([body]).slice(-20));
    send(body, 0);
  }

  function save(c, method) {
    var before = state.t ? state.c : {}, withdrawn = [];
    state.c = c; state.v = cfg.version; state.t = now(); state.m = method;
    cfg.categories.forEach(function (k) { if (before[k.id] && !c[k.id]) withdrawn.push(k); });
    if (withdrawn.length && method === "click") method = "withdrawal";
    write();
    post(method);
    withdrawn.forEach(forget);
    apply();
    if (withdrawn.length) notify(ui.reload);
  }

  /* ---- withdrawing deletes the category's first-party cookies this page can reach */
  function forget(k) {
    var host = location.hostname.split("."), domains = [""];
    for (var i = 0; i < host.length - 1; i++) domains.push("; domain=." + host.slice(i).join("."));
    d.cookie.split("; ").forEach(function (pair) {
      var name = pair.split("=")[0];
      k.cookies.forEach(function (pattern) {
        var star = pattern.charAt(pattern.length - 1) === "*";
        if (star ? name.indexOf(pattern.slice(0, -1)) === 0 : name === pattern) {
          domains.forEach(function (dom) { d.cookie = name + "=; path=/; max-age=0" + dom; });
        }
      });
    });
  }

  /* ---- Google Consent Mode v2: every signal, granted when a granted category lists it */
  function mode(kind) {
    var out = {};
    SIGNALS.forEach(function (s) {
      var on = cfg.categories.some(function (k) {
        return k.modes.indexOf(s) >= 0 && (kind === "default" ? k.essential : granted(k.id));
      });
      out[s] = on ? "granted" : "denied";
    });
    gtag("consent", kind, out);
  }

  /* ---- run what was waiting, each element once, scripts in document order */
  function apply() {
    mode("update");
    var ready = [];
    d.querySelectorAll("script[type='text/plain'][data-category],[data-src][data-category]").forEach(function (el) {
      if (el.hasAttribute("data-mamori-done")) return;
      if (el.getAttribute("data-category").split(/\s+/).every(granted)) {
        el.setAttribute("data-mamori-done", "");
        ready.push(el);
      }
    });
    run(ready, 0);
  }
  function run(list, i) {
    for (; i < list.length; i++) {
      var el = list[i];
      if (el.tagName !== "SCRIPT") { el.src = el.getAttribute("data-src"); continue; }
      var s = d.createElement("script");
      for (var a = 0; a < el.attributes.length; a++) {
        var at = el.attributes[a];
        if (!/^(type|data-category|data-mamori-done)$/.test(at.name)) s.setAttribute(at.name, at.value);
      }
      s.type = el.getAttribute("data-type") || "text/javascript";
      if (el.hasAttribute("src")) {
        s.async = false;
        s.onload = s.onerror = (function (next) { return function () { run(list, next); }; })(i + 1);
        el.parentNode.replaceChild(s, el);
        return;
      }
      s.text = el.text;
      el.parentNode.replaceChild(s, el);
    }
  }

  /* ---- the banner */
  function style() {
    if (d.getElementById("mamori-css")) return;
    var s = d.createElement("style");
    s.id = "mamori-css"; s.textContent = CSS; d.head.appendChild(s);
  }
  function html() {
    var rows = cfg.categories.map(function (k) {
      var t = T.categories[k.id], locked = gpc && cfg.gpc && k.sale, on = granted(k.id) && !locked;
      var table = t.cookies.map(function (r) {
        return "<tr><td>" + r.map(esc).join("</td><td>") + "</td></tr>";
      }).join("");
      return "<div class='mcb-cat'><label><input type='checkbox' role='switch' data-cat='" + esc(k.id) + "'" +
        (k.essential || on ? " checked" : "") + (k.essential || locked ? " disabled" : "") + "> <b>" + esc(t.name) +
        "</b>" + (k.essential ? " <span>" + esc(ui.always_on) + "</span>" : locked ? " <span>" + esc(ui.gpc_locked) +
        "</span>" : "") + "</label><p>" + esc(t.desc) + "</p>" + (table ? "<details><summary>" + esc(ui.cookies) +
        " (" + t.cookies.length + ")</summary><table>" + table + "</table></details>" : "") + "</div>";
    }).join("");
    return "<h2 id='mcb-t'>" + esc(ui.title) + "</h2><p id='mcb-d'>" + esc(ui.body) + " <a href='" +
      esc(base + cfg.policy) + "'>" + esc(ui.policy) + "</a></p><div class='mcb-cats' hidden>" + rows + "</div>" +
      "<div class='mcb-btns'><button type='button' data-a='accept'>" + esc(ui.accept) + "</button>" +
      "<button type='button' data-a='reject'>" + esc(ui.reject) + "</button>" +
      "<button type='button' data-a='custom' aria-expanded='false'>" + esc(ui.customise) + "</button>" +
      "<button type='button' data-a='save' hidden>" + esc(ui.save) + "</button></div>";
  }
  function show(custom) {
    style();
    close();
    lastFocus = d.activeElement;
    box = d.createElement("div");
    box.id = "mamori-cb";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "false");
    box.setAttribute("aria-labelledby", "mcb-t");
    box.setAttribute("aria-describedby", "mcb-d");
    box.setAttribute("lang", lang);
    box.tabIndex = -1;
    box.innerHTML = html();
    box.addEventListener("click", act);
    d.body.insertBefore(box, d.body.firstChild);
    if (custom) customise();
    box.focus();
  }
  function customise() {
    box.querySelector(".mcb-cats").hidden = false;
    box.querySelector("[data-a='save']").hidden = false;
    var b = box.querySelector("[data-a='custom']");
    b.setAttribute("aria-expanded", "true");
    b.hidden = true;
    box.querySelector(".mcb-cats input:not([disabled])") && box.querySelector(".mcb-cats input:not([disabled])").focus();
  }
  function pick(all) {
    var c = {};
    cfg.categories.forEach(function (k) {
      if (k.essential) return;
      if (all === undefined) c[k.id] = box.querySelector("input[data-cat='" + k.id + "']").checked;
      else c[k.id] = all && !(gpc && cfg.gpc && k.sale);
    });
    return c;
  }
  function act(e) {
    var a = e.target.closest && e.target.closest("button[data-a]");
    if (!a) return;
    var what = a.getAttribute("data-a");
    if (what === "custom") return customise();
    var c = pick(what === "accept" ? true : what === "reject" ? false : undefined);
    close(true);
    save(c, "click");
  }
  function close(restore) {
    if (!box) return;
    box.remove();
    box = null;
    if (restore && lastFocus && lastFocus.focus && lastFocus !== d.body) lastFocus.focus();
  }
  function notify(text) {
    style();
    if (note) note.remove();
    note = d.createElement("div");
    note.id = "mamori-note";
    note.setAttribute("role", "status");
    note.setAttribute("lang", lang);
    note.innerHTML = "<p>" + esc(text) + "</p><button type='button'>" + esc(ui.close) + "</button>";
    note.querySelector("button").onclick = function () { note.remove(); note = null; };
    d.body.appendChild(note);
  }

  function start() {
    var s = read(), t = now(), left = queue();  // events an earlier page could not deliver
    gpc = nav.globalPrivacyControl === true;
    var dnt = cfg.dnt && (nav.doNotTrack === "1" || w.doNotTrack === "1");
    cfg.categories.forEach(function (k) { cats[k.id] = k; });
    mode("default");
    if (s && s.s === cfg.site && s.v >= cfg.version && t - s.t <= cfg.days * 86400) {
      state = s;
    } else {
      state = fresh(s && s.s === cfg.site ? s.id : null);
      // An expired choice is closed in the ledger before the visitor is asked again.
      if (s && s.s === cfg.site && s.v >= cfg.version) post("expiry");
      s = null;
    }
    var honour = gpc && cfg.gpc;
    if (s) {
      var sold = honour && cfg.categories.some(function (k) { return k.sale && state.c[k.id]; });
      if (sold) {
        var c = {};
        cfg.categories.forEach(function (k) { c[k.id] = !!state.c[k.id] && !k.sale; });
        save(c, "gpc");
        notify(ui.gpc_honoured);
      } else apply();
    } else if (honour || dnt) {
      save({}, honour ? "gpc" : "dnt");
      notify(honour ? ui.gpc_honoured : ui.dnt_honoured);
    } else {
      apply();
      show(false);
    }
    left.forEach(function (b) { send(b, 3); });
    d.addEventListener("click", function (e) {
      var link = e.target.closest && e.target.closest("[data-mamori-settings]");
      if (link) { e.preventDefault(); show(true); }
    });
  }

  function boot(c) {
    cfg = c;
    var l = (d.documentElement.lang || nav.language || "en").toLowerCase();
    lang = l.indexOf("ja") === 0 && cfg.texts.ja ? "ja" : "en";
    T = cfg.texts[lang];
    ui = T.ui;
    if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start);
    else start();
  }

  w.mamoriConsent = {
    open: function () { if (cfg) show(true); },
    get: function () { return state ? choices() : null; }
  };
  w.fetch(base + "/consent/config/" + encodeURIComponent(site) + ".json", { credentials: "omit" })
    .then(function (r) { return r.json(); }).then(boot);
})(window, document, navigator);
