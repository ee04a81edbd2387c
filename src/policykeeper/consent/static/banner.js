/* PolicyKeeper consent banner: no dependencies, no build step.
 *
 * Include it on every page:
 *   <link rel="stylesheet" href="https://privacy.example.com/consent/banner.css">
 *   <script src="https://privacy.example.com/consent/banner.js" data-lang="ja" defer></script>
 * and mark each script that needs consent with its purpose or cookie kind:
 *   <script type="text/plain" data-category="analytics" src="..."></script>
 * Such scripts run only once the person allows that category.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script ? script.src.replace(/\/consent\/banner\.js(\?.*)?$/, "") : "";
  var config = null;
  var lang = "en";
  var root = null;
  var reopen = null;

  function readCookie() {
    var name = config ? config.cookie : "pk_consent";
    var found = document.cookie.split("; ").filter(function (c) {
      return c.indexOf(name + "=") === 0;
    })[0];
    if (!found) return null;
    var value = decodeURIComponent(found.slice(name.length + 1)).replace(/^"|"$/g, "");
    var payload = value.slice(0, value.lastIndexOf("."));
    try {
      var text = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
      var bytes = Uint8Array.from(text, function (ch) { return ch.charCodeAt(0); });
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      return null;
    }
  }

  function signal() {
    if (config.signals.gpc && navigator.globalPrivacyControl === true) return "gpc";
    if (config.signals.dnt && (navigator.doNotTrack === "1" || window.doNotTrack === "1")) return "dnt";
    return null;
  }

  function coveredBySignal(item) {
    return Boolean(signal()) && item.opt_out_use;
  }

  /* The stored choice for an item, or null when none counts (never made, or the scope changed). */
  function choice(item) {
    var cookie = readCookie();
    var stored = cookie && cookie.c ? cookie.c[item.purpose] : null;
    if (!stored || stored[1] !== item.scope) return null;
    return stored[0] === 1;
  }

  function itemAllowed(item) {
    if (coveredBySignal(item)) return false;
    var chosen = choice(item);
    return chosen === null ? item["default"] : chosen;
  }

  function findItem(purpose) {
    return config.items.filter(function (i) { return i.purpose === purpose; })[0];
  }

  /* A data-category is a purpose id or a cookie kind ("analytics"); "necessary" always runs. */
  function allowed(category) {
    if (!config) return false;
    if (category === "necessary") return true;
    var item = findItem(category);
    if (item) return itemAllowed(item);
    var purposes = config.kinds[category];
    if (!purposes) return false;
    return purposes.every(function (p) { return itemAllowed(findItem(p)); });
  }

  function activateScripts() {
    var blocked = document.querySelectorAll('script[type="text/plain"][data-category]');
    Array.prototype.forEach.call(blocked, function (old) {
      if (old.hasAttribute("data-pk-ran") || !allowed(old.getAttribute("data-category"))) return;
      var run = document.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (a) {
        if (a.name !== "type") run.setAttribute(a.name, a.value);
      });
      run.type = old.getAttribute("data-type") || "text/javascript";
      if (!old.src) run.text = old.text;
      old.setAttribute("data-pk-ran", "");
      old.parentNode.insertBefore(run, old.nextSibling);
    });
  }

  /* After a withdrawal: forget first-party cookies of the trackers now refused; a script that
     already ran cannot be stopped, so the page reloads without it. */
  function applyWithdrawals() {
    var reload = false;
    config.items.forEach(function (item) {
      if (itemAllowed(item)) return;
      item.text[lang].trackers.forEach(function (t) {
        document.cookie = t.name + "=; Max-Age=0; path=/";
      });
    });
    document.querySelectorAll("script[data-pk-ran]").forEach(function (s) {
      if (!allowed(s.getAttribute("data-category"))) reload = true;
    });
    if (reload) window.location.reload();
  }

  function needsAsking() {
    return config.items.some(function (item) {
      return !coveredBySignal(item) && choice(item) === null;
    });
  }

  function send(choices, source) {
    var sig = signal();
    return fetch(base + config.endpoint, {
      method: "POST",
      credentials: "include",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        policy_version: config.version,
        language: lang,
        choices: choices,
        source: source || "banner",
        gpc: sig === "gpc",
        dnt: sig === "dnt"
      })
    }).then(function (response) {
      if (response.status === 400) {
        document.cookie = config.cookie + "=; Max-Age=0; path=/";
      }
      if (!response.ok) throw new Error("consent not saved: " + response.status);
      return response.json();
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function button(label, onClick, extra) {
    var b = el("button", { type: "button", "class": "pk-button" + (extra ? " " + extra : ""), text: label });
    b.addEventListener("click", onClick);
    return b;
  }

  function trackerList(trackers, m) {
    if (!trackers.length) return null;
    return el("ul", { "class": "pk-trackers" }, trackers.map(function (t) {
      var line = (t.provider ? m.tracker : m.tracker_plain).replace("{name}", t.name)
        .replace("{provider}", t.provider)
        .replace("{description}", t.description || "");
      return el("li", { text: line.trim() });
    }));
  }

  function panel(m) {
    var list = el("div", { "class": "pk-items", id: "pk-panel", hidden: "" });
    var necessary = config.necessary.map(function (t) {
      return { name: t.name, provider: t.text[lang].provider, description: t.text[lang].description };
    });
    list.appendChild(el("div", { "class": "pk-item" }, [
      el("div", { "class": "pk-item-head" }, [el("strong", { text: m.necessary })]),
      el("p", { "class": "pk-note", text: m.necessary_note }),
      trackerList(necessary, m)
    ]));
    config.items.forEach(function (item) {
      var text = item.text[lang];
      var id = "pk-banner-" + item.purpose;
      var box = el("input", { type: "checkbox", "class": "pk-switch", id: id, "data-purpose": item.purpose });
      box.checked = itemAllowed(item);
      box.disabled = coveredBySignal(item);
      var changed = choice(item) === null && readCookie() && readCookie().c && readCookie().c[item.purpose];
      list.appendChild(el("div", { "class": "pk-item" }, [
        el("div", { "class": "pk-item-head" }, [
          box,
          el("label", { "for": id }, [el("strong", { text: text.label })]),
          el("span", { "class": "pk-mode", text: coveredBySignal(item) ? m.by_signal : m[item.mechanism] })
        ]),
        changed ? el("p", { "class": "pk-reconsent", text: m.reconsent }) : null,
        text.description ? el("p", { text: text.description }) : null,
        trackerList(text.trackers, m)
      ]));
    });
    list.appendChild(el("div", { "class": "pk-actions" }, [button(m.save, function () {
      var choices = {};
      list.querySelectorAll("input[data-purpose]").forEach(function (box) {
        if (!box.disabled) choices[box.getAttribute("data-purpose")] = box.checked;
      });
      decide(choices);
    }, "pk-primary")]));
    return list;
  }

  function all(value) {
    var choices = {};
    config.items.forEach(function (item) {
      if (!coveredBySignal(item)) choices[item.purpose] = value;
    });
    return choices;
  }

  function decide(choices) {
    send(choices).then(function () {
      close();
      applyWithdrawals();
      activateScripts();
    }).catch(function () {
      var status = root && root.querySelector(".pk-status");
      if (status) status.textContent = config.messages[lang].error;
    });
  }

  function close() {
    if (root) root.remove();
    root = null;
    showReopen();
  }

  function showReopen() {
    if (reopen || !config.items.length) return;
    reopen = button(config.messages[lang].reopen, function () { open(); }, "pk-reopen");
    document.body.appendChild(reopen);
  }

  function open() {
    if (root) root.remove();
    var m = config.messages[lang];
    var sig = signal();
    var other = config.languages.filter(function (l) { return l !== lang; })[0];
    var customize = button(m.customize, function () {
      var p = root.querySelector("#pk-panel");
      p.hidden = !p.hidden;
      customize.setAttribute("aria-expanded", String(!p.hidden));
    });
    customize.setAttribute("aria-controls", "pk-panel");
    customize.setAttribute("aria-expanded", "false");
    root = el("section", {
      "class": "pk-banner", role: "region", "aria-labelledby": "pk-title", lang: lang
    }, [
      el("div", { "class": "pk-inner" }, [
        el("div", { "class": "pk-top" }, [
          el("h2", { id: "pk-title", text: m.title }),
          other ? button(config.messages[other] ? config.messages[lang].language : other, function () {
            lang = other;
            open();
          }, "pk-lang") : null
        ]),
        el("p", { text: m.intro }),
        sig ? el("p", { "class": "pk-signal", role: "status", text: m[sig] }) : null,
        el("div", { "class": "pk-actions" }, [
          button(m.accept_all, function () { decide(all(true)); }, "pk-accept"),
          button(m.reject_all, function () { decide(all(false)); }, "pk-reject"),
          customize
        ]),
        panel(m),
        el("p", { "class": "pk-links" }, [
          el("a", { href: base + config.preferences + "?lang=" + lang, text: m.preferences })
        ]),
        el("p", { "class": "pk-status", role: "status" })
      ])
    ]);
    if (reopen) { reopen.remove(); reopen = null; }
    // First in keyboard order (it still shows at the bottom): a keyboard user meets the
    // choice before the page, as a screen reader does.
    document.body.insertBefore(root, document.body.firstChild);
  }

  function signalNotice() {
    var m = config.messages[lang];
    var note = el("p", { "class": "pk-signal pk-toast", role: "status", text: m[signal()] }, [
    ]);
    note.appendChild(button(m.close, function () { note.remove(); }, "pk-close"));
    document.body.appendChild(note);
  }

  function chooseLanguage() {
    var wanted = (script && script.getAttribute("data-lang")) || document.documentElement.lang ||
      navigator.language || config.default_language;
    wanted = wanted.slice(0, 2).toLowerCase();
    return config.languages.indexOf(wanted) >= 0 && config.messages[wanted] ? wanted : config.default_language;
  }

  function start(loaded) {
    config = loaded;
    lang = chooseLanguage();
    var cookie = readCookie();
    var sig = signal();
    var pending = Promise.resolve();
    if (sig && config.signals.purposes.length && !(cookie && cookie.s === sig)) {
      pending = send({}, "banner").catch(function () { return null; });
    }
    pending.then(function () {
      activateScripts();
      if (needsAsking()) open();
      else {
        showReopen();
        if (sig) signalNotice();
      }
    });
  }

  window.PolicyKeeperConsent = {
    allowed: allowed,
    open: function () { if (config) open(); }
  };

  function boot() {
    fetch(base + "/consent/config.json", { credentials: "include" })
      .then(function (r) { return r.json(); })
      .then(start);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
