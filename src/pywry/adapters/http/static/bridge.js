/* pywry page bridge: window.pywry, the page's side of the event bridge.
 *
 * One WebSocket per page. Frames from the server carry a sequence number; the page keeps
 * the last one it saw and, after a reconnect, asks for what follows it, so nothing is lost
 * and nothing is handled twice. The other way round, the page numbers what it sends and
 * keeps each frame until the server acknowledges it (`pywry:ack`); on every (re)connect the
 * server's first frame, `pywry:hello`, says the last one it handled, and the page resends
 * only what follows. Events emitted while the socket is down wait in a queue.
 */
(function () {
  "use strict";
  if (window.pywry && window.pywry.__bridge) return;

  var MAX_PENDING_PER_TYPE = 1000;
  var configEl = document.getElementById("pywry-config");
  // The server's config for this page: its addresses, the close codes and the event-name
  // rule come from there, so the page and the server cannot disagree on them.
  var cfg = configEl ? JSON.parse(configEl.textContent) : {};
  var CLOSE = cfg.close || {};
  var EVENT_NAME = new RegExp(cfg.eventName);
  var NS_WILDCARD = /^[a-zA-Z][a-zA-Z0-9]*:\*$/;
  var label = cfg.label;
  var pageId = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
  var SINCE_KEY = "pywry:since:" + label;
  var lastSeq = carriedSince(cfg.since || 0, cfg.contentSeq || 0);
  var currentSeq = 0; // the number of the frame being handled
  var reloading = false; // a whole new document is coming: handle nothing more here
  var outSeq = 0;
  var handlers = Object.create(null); // type -> [fn]
  var pending = []; // [type, data] received before any handler, in arrival order
  var pendingCount = Object.create(null); // type -> how many of it wait in pending
  var queue = []; // encoded frames (without their number) waiting for an open socket
  var unacked = []; // [seq, text] sent but not yet acknowledged by the server, oldest first
  var maxMessage = 4 * 1024 * 1024; // the server's limit, as its hello says
  var socket = null;
  var state = "connecting"; // connecting | open (hello received) | closed (for good)
  var attempts = 0;
  var readySent = false;
  var connectWaiters = []; // run once when the socket first opens (null after): init scripts
  var reconnectTimer = null;
  var RELOAD_KEY = "pywry:auth-reloads:" + label;

  function checkName(name, wildcardOk) {
    if (typeof name !== "string") throw new Error("pywry: event name must be a string");
    if (wildcardOk && (name === "*" || NS_WILDCARD.test(name))) return name;
    if (!EVENT_NAME.test(name)) {
      throw new Error(
        "pywry: invalid event name '" + name + "': use 'namespace:event' or 'namespace:event:id'" +
          " (a namespace of letters and digits, an event of letters, digits, '_' and '-', each" +
          " starting with a letter; an id of letters, digits, '_' and '-')"
      );
    }
    return name;
  }

  function log() {
    if (cfg.debug && window.console) console.debug.apply(console, ["[pywry]"].concat([].slice.call(arguments)));
  }

  // ------------------------------------------------------------------ dispatching
  function deliver(type, data) {
    // The lists as they are now, with nothing copied: on() and off() replace a list instead
    // of changing it, so a handler that adds or removes handlers leaves this delivery as is.
    var exact = handlers[type];
    var colon = type.indexOf(":");
    var spaced = handlers[(colon < 0 ? type : type.slice(0, colon)) + ":*"];
    var every = handlers["*"];
    if (!(exact && exact.length) && !(spaced && spaced.length) && !(every && every.length)) {
      // Replayed to the first handler registered for this type (the release does the same).
      var count = pendingCount[type] || 0;
      if (count < MAX_PENDING_PER_TYPE) {
        pending.push([type, data]);
        pendingCount[type] = count + 1;
      }
      return;
    }
    if (exact) callEach(exact, type, data, false);
    if (spaced) callEach(spaced, type, data, true);
    if (every) callEach(every, type, data, true);
  }

  function callEach(list, type, data, withType) {
    for (var i = 0; i < list.length; i++) {
      try {
        if (withType) list[i](data, type);
        else list[i](data);
      } catch (err) {
        console.error("pywry: handler for '" + type + "' failed:", err);
      }
    }
  }

  // ------------------------------------------------------------------ built-ins
  function target(data) {
    if (data.id) return document.getElementById(data.id);
    if (data.selector) return document.querySelector(data.selector);
    return null;
  }

  function injectedStyle(id) {
    // Only a <style> that inject-css made: never a page element that happens to share the id.
    var styles = document.querySelectorAll("style[data-pywry-css]");
    for (var i = 0; i < styles.length; i++) {
      if (styles[i].getAttribute("data-pywry-css") === id) return styles[i];
    }
    return null;
  }

  function injectCss(d) {
    var id = d.id ? String(d.id) : "pywry-css-" + Math.random().toString(36).slice(2);
    var style = injectedStyle(id);
    if (!style) {
      style = document.createElement("style");
      style.setAttribute("data-pywry-css", id);
      (document.head || document.documentElement).appendChild(style);
    }
    style.textContent = d.css == null ? "" : String(d.css);
    return id;
  }

  function removeCss(d) {
    var style = d.id && injectedStyle(String(d.id));
    if (style && style.parentNode) style.parentNode.removeChild(style);
  }

  function runScripts(root) {
    var scripts = root.querySelectorAll("script");
    for (var i = 0; i < scripts.length; i++) {
      var old = scripts[i];
      var fresh = document.createElement("script");
      for (var j = 0; j < old.attributes.length; j++) fresh.setAttribute(old.attributes[j].name, old.attributes[j].value);
      fresh.text = old.text;
      old.parentNode.replaceChild(fresh, old);
    }
  }

  function carriedSince(rendered, contentSeq) {
    // A reload for a whole new document carries the number of its update over, so the new
    // page gets what was emitted after the update, which this load rendered past. Never
    // from before the content it renders (a burst of updates reloads once, not per update).
    // Without sessionStorage, the page starts where the server rendered it.
    var carried = null;
    try {
      carried = sessionStorage.getItem(SINCE_KEY);
      sessionStorage.removeItem(SINCE_KEY);
    } catch (err) { /* storage off */ }
    if (carried === null || !/^\d+$/.test(carried)) return rendered;
    return Math.min(Math.max(parseInt(carried, 10), contentSeq), rendered);
  }

  function reloadAfterThisFrame() {
    // What follows this frame is for the new page: this one handles nothing more, and the
    // next load asks for it (so the frame that asked for the reload is not handled twice).
    reloading = true;
    try { sessionStorage.setItem(SINCE_KEY, String(currentSeq)); } catch (err) { /* see carriedSince */ }
    location.reload();
  }

  function updateHtml(data) {
    var root = document.getElementById("pywry-root");
    var html = data.html || "";
    if (!root || /^\s*(<!--[\s\S]*?-->\s*)*(<!doctype\b|<html\b)/i.test(html)) {
      // A whole document: the server already serves the new one.
      return reloadAfterThisFrame();
    }
    if (data.title) document.title = data.title;
    root.innerHTML = html;
    runScripts(root);
  }

  function kebab(name) {
    return name.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); });
  }

  // ------------------------------------------------------------------ the theme
  // <html> gets "dark"/"light" and .pywry-theme-dark/-light (plus .pywry-theme-system when
  // it follows the system); each .pywry-widget gets the .pywry-theme-* ones. The values a
  // page is sent become one of three names here, so none reaches a class name as sent.
  var THEME_CLASSES = ["dark", "light", "pywry-theme-dark", "pywry-theme-light", "pywry-theme-system"];
  var prefersDark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var themeMode = "dark"; // dark | light | system
  var pageConfig = null;

  function themeOf(name) {
    // The release's rule: a name with "dark" in it is dark ("plotly_dark" too), any other light.
    name = String(name == null ? "" : name);
    return name === "system" ? "system" : name.indexOf("dark") >= 0 ? "dark" : "light";
  }

  function shownTheme() {
    if (themeMode !== "system") return themeMode;
    return prefersDark && !prefersDark.matches ? "light" : "dark";
  }

  function paintTheme(el, isRoot) {
    var shown = shownTheme();
    for (var i = 0; i < THEME_CLASSES.length; i++) el.classList.remove(THEME_CLASSES[i]);
    if (isRoot) el.classList.add(shown);
    el.classList.add("pywry-theme-" + shown);
    if (themeMode === "system") el.classList.add("pywry-theme-system");
  }

  function applyTheme(mode) {
    themeMode = mode;
    pageConfig = Object.freeze({ label: label, theme: mode, version: cfg.version || "" });
    var root = document.documentElement;
    root.setAttribute("data-theme", mode);
    paintTheme(root, true);
    var widgets = document.querySelectorAll(".pywry-widget");
    for (var i = 0; i < widgets.length; i++) paintTheme(widgets[i], false);
  }

  function markWidget() {
    // A whole document has no wrapper of pywry's: its body is the widget.
    if (!document.querySelector(".pywry-widget") && document.body) document.body.classList.add("pywry-widget");
    applyTheme(themeMode);
  }

  var TOAST_CSS =
    ".pywry-toasts{position:fixed;z-index:2147483647;display:flex;flex-direction:column;gap:8px;max-width:360px}" +
    ".pywry-toasts.top-right{top:12px;right:12px}.pywry-toasts.top-left{top:12px;left:12px}" +
    ".pywry-toasts.bottom-right{bottom:12px;right:12px}.pywry-toasts.bottom-left{bottom:12px;left:12px}" +
    ".pywry-toast{font:14px system-ui,sans-serif;padding:10px 14px;border-radius:6px;color:#fff;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3);background:#2b6cb0}" +
    ".pywry-toast.success{background:#2f855a}.pywry-toast.warning{background:#b7791f}" +
    ".pywry-toast.error{background:#c53030}.pywry-toast.confirm{background:#4a5568}" +
    ".pywry-toast b{display:block;margin-bottom:4px}.pywry-toast button{margin:8px 8px 0 0}" +
    ".pywry-banner{position:fixed;left:0;right:0;bottom:0;padding:8px;text-align:center;" +
    "font:13px system-ui,sans-serif;background:#744210;color:#fff;z-index:2147483647}";

  function ensureToastCss() {
    if (document.getElementById("pywry-toast-css")) return;
    var style = document.createElement("style");
    style.id = "pywry-toast-css";
    style.textContent = TOAST_CSS;
    (document.head || document.documentElement).appendChild(style);
  }

  function alertToast(data) {
    ensureToastCss();
    var position = /^(top|bottom)-(left|right)$/.test(data.position || "") ? data.position : "top-right";
    var box = document.querySelector(".pywry-toasts." + position);
    if (!box) {
      box = document.createElement("div");
      box.className = "pywry-toasts " + position;
      document.body.appendChild(box);
    }
    var kind = /^(info|success|warning|error|confirm)$/.test(data.type || "") ? data.type : "info";
    var toast = document.createElement("div");
    toast.className = "pywry-toast " + kind;
    toast.setAttribute("role", kind === "error" || kind === "confirm" ? "alertdialog" : "status");
    if (data.title) {
      var title = document.createElement("b");
      title.textContent = data.title;
      toast.appendChild(title);
    }
    var text = document.createElement("span");
    text.textContent = data.message == null ? "" : String(data.message);
    toast.appendChild(text);
    box.appendChild(toast);
    function dismiss() { if (toast.parentNode) toast.parentNode.removeChild(toast); }
    if (kind === "confirm") {
      var row = document.createElement("div");
      [["OK", true], ["Cancel", false]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = pair[0];
        button.className = "pywry-confirm-" + (pair[1] ? "ok" : "cancel");
        button.onclick = function () {
          dismiss();
          if (data.callback_event) api.emit(data.callback_event, { confirmed: pair[1] });
        };
        row.appendChild(button);
      });
      toast.appendChild(row);
      return;
    }
    var duration = typeof data.duration === "number" ? data.duration : kind === "error" ? 8000 : 4000;
    if (duration > 0) setTimeout(dismiss, duration);
    toast.onclick = dismiss;
  }

  function banner(message, offerReload) {
    ensureToastCss();
    var el = document.getElementById("pywry-banner");
    if (!el) {
      el = document.createElement("div");
      el.id = "pywry-banner";
      el.className = "pywry-banner";
      el.setAttribute("role", "status");
      (document.body || document.documentElement).appendChild(el);
    }
    el.textContent = message;
    if (offerReload) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Reload";
      button.style.marginLeft = "12px";
      button.onclick = function () { location.reload(); };
      el.appendChild(button);
    }
  }

  function clearBanner() {
    var el = document.getElementById("pywry-banner");
    if (el) el.remove();
  }

  function stopped() {
    // A server that stopped on purpose does not come back by itself: stop retrying.
    if (state === "closed") return;
    state = "closed";
    if (reconnectTimer) { clearTimeout(reconnectTimer); reconnectTimer = null; }
    banner("The pywry server stopped.", true);
  }

  var builtins = {
    "pywry:update-html": updateHtml,
    "pywry:set-content": function (d) {
      var el = target(d);
      if (!el) return console.warn("pywry: set-content found no element for", d.id || d.selector);
      if (d.html != null) { el.innerHTML = d.html; runScripts(el); } else el.textContent = d.text == null ? "" : d.text;
    },
    "pywry:set-style": function (d) {
      var els = d.id ? [document.getElementById(d.id)] : d.selector ? document.querySelectorAll(d.selector) : [];
      var styles = d.styles || {};
      for (var i = 0; i < els.length; i++) {
        if (!els[i]) continue;
        for (var key in styles) els[i].style.setProperty(kebab(key), styles[key]);
      }
    },
    "pywry:inject-css": injectCss,
    "pywry:remove-css": removeCss,
    "pywry:alert": alertToast,
    "pywry:navigate": function (d) {
      // Parsed as the browser will (it drops tabs, newlines and leading control characters,
      // so "java\tscript:" is javascript: too), and only web addresses are followed.
      var url;
      try { url = new URL(String(d.url || ""), location.href); } catch (err) {
        return console.error("pywry: cannot navigate to", d.url);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        return console.error("pywry: refusing to navigate to a " + url.protocol + " URL");
      }
      location.href = url.href;
    },
    "pywry:download": function (d) {
      var blob = new Blob([d.content == null ? "" : d.content], { type: d.mimeType || "application/octet-stream" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = d.filename || "download";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    },
    "pywry:update-theme": function (d) {
      if (!d.theme) return console.error("pywry: update-theme needs a theme");
      applyTheme(themeOf(d.theme));
      deliver("pywry:theme-update", { mode: shownTheme(), original: themeMode });
    },
    "pywry:refresh": reloadAfterThisFrame,
    "pywry:error": function (d) {
      console.error("pywry: " + (d.error || "error") + (d.event ? " in '" + d.event + "'" : "") + ": " + (d.message || ""));
    },
    "pywry:overflow": function (d) {
      console.warn("pywry: this page fell " + (d.missed || "some") + " events behind; reloading");
    },
    "pywry:resync": function () { state = "closed"; location.reload(); },
    "pywry:closed": function () { state = "closed"; banner("This widget was closed by the script."); },
    "pywry:server-stopped": stopped,
    // A served app comes back: the socket closes (1012) and the page reconnects with backoff.
    "pywry:server-restarting": function () { banner("The server is restarting; reconnecting..."); },
    "pywry:auth-error": function () { authFailed(); },
    "pywry:hello": hello,
    "pywry:ack": function (d) { acknowledge(d.inbound); },
    "pywry:reply": settleCall,
    "pywry:request": answerRequest
  };
  // The bridge's own bookkeeping: never shown to the page's handlers.
  var internal = { "pywry:hello": true, "pywry:ack": true, "pywry:reply": true, "pywry:request": true };

  function handleFrame(frame) {
    if (reloading) return;
    if (typeof frame.seq === "number") {
      if (frame.seq <= lastSeq) return; // already seen before a reconnect
      lastSeq = frame.seq;
      currentSeq = frame.seq;
    }
    var type = frame.type;
    if (typeof type !== "string") return;
    var builtin = builtins[type];
    if (builtin) {
      try { builtin(frame.data || {}); } catch (err) { console.error("pywry: built-in '" + type + "' failed:", err); }
    }
    if (!internal[type]) deliver(type, frame.data);
  }

  // ------------------------------------------------------------------ the socket
  function wsUrl() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    // The log the numbers count in: a page whose log was lost (a shared store that
    // restarted empty) is told to reload instead of waiting for numbers it has seen.
    var epoch = cfg.epoch ? "&epoch=" + encodeURIComponent(cfg.epoch) : "";
    return scheme + "//" + location.host + cfg.ws + "?page=" + pageId + "&since=" + lastSeq + epoch;
  }

  function authFailed() {
    if (state === "closed") return;
    state = "closed";
    var count = 2; // without sessionStorage the reloads cannot be counted: no reload loop
    try {
      count = parseInt(sessionStorage.getItem(RELOAD_KEY) || "0", 10);
      sessionStorage.setItem(RELOAD_KEY, String(count + 1));
    } catch (err) { /* storage off: tell the user instead */ }
    if (count < 2) {
      // The server restarted (new token) or forgot this widget: a reload fetches a fresh page.
      location.reload();
    } else {
      banner("This page can no longer connect to its pywry server. Reload it to try again.");
    }
  }

  function connect() {
    reconnectTimer = null;
    if (state === "closed") return;
    state = "connecting";
    var ws;
    try {
      ws = new WebSocket(wsUrl(), ["pywry.v1", "pywry.token." + cfg.token]);
    } catch (err) {
      console.error("pywry: cannot open the socket:", err);
      return scheduleReconnect();
    }
    socket = ws;
    // Nothing is sent before the server's hello: it says what to resend.
    ws.onopen = function () { log("socket open"); };
    ws.onmessage = function (msg) {
      if (socket !== ws) return;
      var frame;
      try { frame = JSON.parse(msg.data); } catch (err) { return console.error("pywry: bad frame", err); }
      if (frame && Array.isArray(frame.events)) {
        for (var i = 0; i < frame.events.length; i++) handleFrame(frame.events[i]);
      } else if (frame) {
        handleFrame(frame);
      }
    };
    ws.onclose = function (ev) {
      if (socket !== ws) return;
      socket = null;
      log("socket closed", ev.code, ev.reason);
      if (state === "closed") return;
      if (ev.code === CLOSE.auth) return authFailed();
      if (ev.code === CLOSE.goingAway) return stopped();
      if (ev.code === CLOSE.policy || ev.code === CLOSE.tooBig) {
        state = "closed";
        return banner("pywry refused this page: " + (ev.reason || "policy"), true);
      }
      if (ev.code === CLOSE.resync) { state = "closed"; return location.reload(); }
      state = "connecting";
      scheduleReconnect();
    };
  }

  function hello(d) {
    if (typeof d.maxMessage === "number" && d.maxMessage > 0) maxMessage = d.maxMessage;
    // What the server handled before the socket dropped is done; the rest goes again, first.
    acknowledge(typeof d.inbound === "number" ? d.inbound : 0);
    state = "open";
    attempts = 0;
    clearBanner();
    if (!readySent) {
      readySent = true;
      queue.unshift(encode("pywry:ready", {}));
    }
    if (unacked.length) transmit(unacked);
    flush();
    setTimeout(function () {
      try { sessionStorage.removeItem(RELOAD_KEY); } catch (err) { /* storage off */ }
    }, 3000);
    if (!api._readyFired) {
      api._readyFired = true;
      // The content's init scripts first: a pywry:ready handler they add still gets it.
      var waiting = connectWaiters;
      connectWaiters = null;
      for (var i = 0; i < waiting.length; i++) {
        try { waiting[i](); } catch (err) { console.error("pywry: init script failed:", err); }
      }
      deliver("pywry:ready", {});
    }
  }

  function acknowledge(handled) {
    if (typeof handled !== "number") return;
    var done = 0;
    while (done < unacked.length && unacked[done][0] <= handled) done++;
    if (done) unacked.splice(0, done);
  }

  function scheduleReconnect() {
    if (reconnectTimer || state === "closed") return;
    var base = Math.min(10000, 1000 * Math.pow(2, attempts));
    attempts++;
    var delay = base * (0.8 + Math.random() * 0.4);
    if (attempts > 2) banner("Connection to pywry lost; reconnecting…");
    reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    // The network (or the tab) is back: no need to wait out the backoff.
    if (state === "closed" || socket || !reconnectTimer) return;
    clearTimeout(reconnectTimer);
    attempts = 0;
    connect();
  }

  function encode(type, data, id) {
    // Encoded once, numbered as it leaves: '{"seq":N,' + the rest. An id makes it a call.
    var frame = { type: type, data: data === undefined ? null : data, widgetId: label, ts: Date.now() };
    if (id !== undefined) frame.id = id;
    return JSON.stringify(frame);
  }

  function transmit(frames) {
    // Messages of at most a quarter of the server's limit in characters (a character is
    // at most 3 bytes of UTF-8): a long queue never makes a message the server refuses.
    var budget = Math.max(1024, Math.floor(maxMessage / 4));
    var parts = [];
    var size = 0;
    function send() {
      if (!parts.length) return;
      socket.send(parts.length === 1 ? parts[0] : '{"events":[' + parts.join(",") + "]}");
      parts = [];
      size = 0;
    }
    for (var i = 0; i < frames.length; i++) {
      var text = frames[i][1];
      if (parts.length && size + text.length > budget) send();
      parts.push(text);
      size += text.length + 1;
    }
    send();
  }

  function flush() {
    if (state !== "open" || !socket || socket.readyState !== 1 || !queue.length) return;
    var bodies = queue;
    queue = [];
    var frames = [];
    // Numbered as they leave, and kept until acknowledged, so a socket that dies with
    // frames in flight loses none: they go again after the next hello.
    for (var i = 0; i < bodies.length; i++) {
      var seq = ++outSeq;
      var frame = [seq, '{"seq":' + seq + "," + bodies[i].slice(1)];
      unacked.push(frame);
      frames.push(frame);
    }
    transmit(frames);
  }


  // ------------------------------------------------------------------ calls both ways
  // call(): the request is an ordinary numbered frame with an id, so it is sent exactly once
  // across reconnects; the answer (pywry:reply) is numbered in the widget's stream, so a
  // page whose socket dropped gets it by replay. Every page of the widget sees every reply
  // and settles only its own calls: a reply is used once, then forgotten.
  var calls = Object.create(null); // id -> {resolve, reject, timer}
  var callCount = 0;
  var callees = Object.create(null); // type -> the page's handler of the script's requests
  var seenRequests = Object.create(null); // request ids answered (or being answered) here
  var seenOrder = [];
  var MAX_SEEN_REQUESTS = 1000;

  function namedError(name, message) {
    var err = new Error(message);
    err.name = name;
    return err;
  }

  function settleCall(d) {
    var call = calls[d.id];
    if (!call) return; // another page's call, or one that timed out
    delete calls[d.id];
    clearTimeout(call.timer);
    if (d.ok) return call.resolve(d.value);
    var e = d.error || {};
    call.reject(namedError("PyWryCallError", (e.type ? e.type + ": " : "") + (e.message || "")));
  }

  function checkedBody(type, body) {
    // The limit is in bytes of UTF-8 (up to 3 per character here): counted only when the
    // characters alone could exceed it.
    if (body.length * 3 > maxMessage && new TextEncoder().encode(body).length > maxMessage) {
      throw new Error("pywry: event '" + type + "' is too big to send (the server accepts " + maxMessage + " bytes)");
    }
    return body;
  }

  function answerRequest(d) {
    // Sent again when the socket comes back while the question is open: answered once.
    if (seenRequests[d.id]) return;
    var fn = callees[d.type];
    if (!fn && document.readyState === "loading") {
      // The page's own scripts may not have registered their handlers yet.
      return document.addEventListener("DOMContentLoaded", function () { answerRequest(d); });
    }
    seenRequests[d.id] = true;
    seenOrder.push(d.id);
    if (seenOrder.length > MAX_SEEN_REQUESTS) delete seenRequests[seenOrder.shift()];
    if (!fn) {
      return respond(d.id, false, null, {
        name: "NoHandler", message: "this page has no window.pywry.handle('" + d.type + "', fn)"
      });
    }
    new Promise(function (resolve) { resolve(fn(d.data)); }).then(
      function (value) { respond(d.id, true, value === undefined ? null : value); },
      function (err) {
        respond(d.id, false, null, {
          name: (err && err.name) || "Error",
          message: err && err.message !== undefined ? String(err.message) : String(err)
        });
      }
    );
  }

  function respond(id, ok, value, error) {
    var body;
    try {
      body = checkedBody("pywry:response", encode("pywry:response", ok ? { id: id, ok: true, value: value } : { id: id, ok: false, error: error }));
    } catch (err) {
      body = encode("pywry:response", { id: id, ok: false, error: { name: "TypeError", message: "the handler's answer cannot be sent: " + err.message } });
    }
    queue.push(body);
    flush();
  }

  // ------------------------------------------------------------------ the API
  var api = {
    __bridge: true,
    label: label,
    emit: function (type, data) {
      checkName(type, false);
      queue.push(checkedBody(type, encode(type, data)));
      flush();
    },
    call: function (type, data, options) {
      // Resolves with what Python's callback for `type` returns; rejects with a
      // PyWryCallError (it raised, or there is none), or a TimeoutError (default 30 s).
      checkName(type, false);
      var timeout = options && options.timeout != null ? Number(options.timeout) : 30000;
      var id = pageId + "." + (++callCount);
      return new Promise(function (resolve, reject) {
        var body = checkedBody(type, encode(type, data, id));
        var timer = setTimeout(function () {
          delete calls[id];
          reject(namedError("TimeoutError", "pywry: no answer to '" + type + "' within " + timeout + " ms"));
        }, timeout);
        calls[id] = { resolve: resolve, reject: reject, timer: timer };
        queue.push(body);
        flush();
      });
    },
    handle: function (type, fn) {
      // Answer the script's request(type, data) with fn(data) (a value or a promise); one
      // handler per type, null removes it.
      checkName(type, false);
      if (fn == null) delete callees[type];
      else if (typeof fn !== "function") throw new Error("pywry: handle('" + type + "') needs a function");
      else callees[type] = fn;
      return api;
    },
    on: function (type, fn) {
      checkName(type, true);
      if (typeof fn !== "function") throw new Error("pywry: on('" + type + "') needs a function");
      handlers[type] = (handlers[type] || []).concat([fn]); // a new list: see deliver()
      // What waited for a handler like this one goes to it now, in the order it arrived.
      var prefix = type.slice(-2) === ":*" ? type.slice(0, -1) : null;
      var wanted = function (t) { return type === "*" || t === type || (prefix !== null && t.indexOf(prefix) === 0); };
      var due = [];
      var kept = [];
      for (var i = 0; i < pending.length; i++) (wanted(pending[i][0]) ? due : kept).push(pending[i]);
      if (due.length) {
        pending = kept;
        for (var k = 0; k < due.length; k++) pendingCount[due[k][0]]--;
        for (var j = 0; j < due.length; j++) deliver(due[j][0], due[j][1]);
      }
      return api;
    },
    off: function (type, fn) {
      checkName(type, true);
      if (!handlers[type]) return api;
      if (fn) handlers[type] = handlers[type].filter(function (h) { return h !== fn; });
      else delete handlers[type];
      return api;
    },
    injectCSS: function (css, id) { return injectCss({ css: css, id: id }); },
    removeCSS: function (id) { removeCss({ id: id }); },
    get config() { return pageConfig; }, // never the token
    get theme() { return shownTheme(); },
    version: cfg.version || "",
    result: function (data) { api.emit("pywry:result", data); },
    send: function (data) { api.emit("pywry:message", data); },
    get connected() { return state === "open"; },
    get lastSeq() { return lastSeq; },
    get pending() { return queue.length + unacked.length; },
    _readyFired: false,
    // For HtmlContent's init scripts: fn() once the bridge has connected, or now if it has.
    _afterConnect: function (fn) {
      if (connectWaiters) connectWaiters.push(fn);
      else fn();
    }
  };
  window.pywry = api;

  window.addEventListener("pagehide", function () {
    if (state === "closed") return;
    var reason = "page closed";
    try {
      if (state === "open" && socket && socket.readyState === 1) {
        queue.push(encode("pywry:disconnect", { reason: reason }));
        flush();
      }
      var body = JSON.stringify({ token: cfg.token, page: pageId, reason: reason });
      navigator.sendBeacon(cfg.disconnect, new Blob([body], { type: "text/plain" }));
    } catch (err) { /* leaving anyway */ }
  });

  window.addEventListener("pageshow", function (ev) {
    // Restored from the back-forward cache: the old socket is gone, connect at once.
    if (ev.persisted && state !== "closed" && !socket) {
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      attempts = 0;
      connect();
    }
  });
  window.addEventListener("online", reconnectNow);

  // Before the body is drawn (this script is in the head): the first paint has the theme.
  applyTheme(themeOf(cfg.theme || "dark"));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markWidget);
  else markWidget();
  if (prefersDark && prefersDark.addEventListener) {
    prefersDark.addEventListener("change", function () {
      if (themeMode !== "system") return;
      applyTheme("system");
      deliver("pywry:theme-update", { mode: shownTheme(), original: "system" });
    });
  }

  connect();
})();
